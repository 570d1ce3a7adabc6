//! Effects of policies that act on people: who is reached, and what it does to them.

use rayon::prelude::*;

use super::{Kind, PolicySpec};
use crate::population::{Employment, Population};
use crate::record::N_CELLS;
use crate::rng::StreamKey;

/// What the active person-level policies do to one person this week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PersonEffects {
    /// Multiplier on help-seeking.
    pub help_seeking: f32,
    /// Shift of the distress target (SD; negative helps).
    pub shift: f32,
    /// Multiplier on the hazard of ceasing to be lonely.
    pub loneliness_exit: f32,
    /// Multiplier on the weight of neighbourhood ties.
    pub neighbourhood: f32,
    /// Multiplier on out-of-work benefit income.
    pub benefit_factor: f32,
    /// Extra weekly income (GBP).
    pub extra_income: f32,
    /// Lowest weekly earnings when employed (GBP; 0 = none).
    pub wage_floor: f32,
    /// [`PersonEffects::UNIVERSAL_CREDIT`] and [`PersonEffects::REASSESSED`] bits.
    pub flags: u8,
}

impl PersonEffects {
    /// No person-level policy.
    pub const NEUTRAL: PersonEffects = PersonEffects {
        help_seeking: 1.0,
        shift: 0.0,
        loneliness_exit: 1.0,
        neighbourhood: 1.0,
        benefit_factor: 1.0,
        extra_income: 0.0,
        wage_floor: 0.0,
        flags: 0,
    };
    /// Claims under Universal-Credit-like rules (wait, conditionality, sanctions).
    pub const UNIVERSAL_CREDIT: u8 = 1;
    /// Subject to work-capability reassessment.
    pub const REASSESSED: u8 = 2;

    /// Whether a flag is set.
    #[inline]
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

impl Default for PersonEffects {
    fn default() -> Self {
        PersonEffects::NEUTRAL
    }
}

/// Whether a person is a school pupil (5-17 and a child or student).
#[inline]
fn pupil(pop: &Population, p: usize) -> bool {
    let age = pop.age[p];
    (5..=17).contains(&age)
        && matches!(
            pop.circumstances[p].employment,
            Employment::Child | Employment::Student
        )
}

/// Compute every person's effects in recorded week `t` from the person-level policies of
/// `policies` (`keys[i]` is the reach stream of `policies[i]`), and add each reached
/// person's programme cost for the week to `cost` by observation cell. Returns whether any
/// person-level policy is active.
///
/// A person is reached by a policy when they pass its target's filters and a uniform draw
/// fixed for the (policy, person) — or (policy, neighbourhood) for neighbourhood
/// programmes — falls below `reach` times the intensity, so coverage grows with a ramp and
/// the same people stay reached from week to week.
#[allow(clippy::too_many_arguments)]
pub fn person_effects(
    policies: &[PolicySpec],
    keys: &[StreamKey],
    t: i64,
    pop: &Population,
    cells: &[u16],
    stigma_rr: f64,
    out: &mut [PersonEffects],
    cost: &mut [f64],
) -> bool {
    let active: Vec<(usize, f64)> = policies
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind.acts_on_people())
        .map(|(i, p)| (i, p.intensity(t)))
        .filter(|&(_, i)| i > 0.0)
        .collect();
    if active.is_empty() {
        out.fill(PersonEffects::NEUTRAL);
        return false;
    }
    let chunk = crate::sim::CHUNK;
    let parts: Vec<Vec<f64>> = out
        .par_chunks_mut(chunk)
        .enumerate()
        .map(|(c, slice)| {
            let mut part = vec![0.0; N_CELLS];
            for (j, e) in slice.iter_mut().enumerate() {
                let p = c * chunk + j;
                *e = PersonEffects::NEUTRAL;
                for &(i, intensity) in &active {
                    let spec = &policies[i];
                    if !spec.target.matches(pop, p) {
                        continue;
                    }
                    let unit = match spec.kind {
                        Kind::Thrive(_) => pop.neighbourhood[p].0,
                        _ => p as u32,
                    };
                    if keys[i].uniform(unit, 0) >= spec.target.reach * intensity {
                        continue;
                    }
                    let year_cost = apply(spec, t, pop, p, stigma_rr, e);
                    part[usize::from(cells[p])] += year_cost / 52.0;
                }
            }
            part
        })
        .collect();
    for part in parts {
        for (c, x) in cost.iter_mut().zip(part) {
            *c += x;
        }
    }
    true
}

/// Apply one policy to one reached person; returns the yearly programme cost of reaching
/// them (GBP; 0 when the person is not eligible).
fn apply(
    spec: &PolicySpec,
    t: i64,
    pop: &Population,
    p: usize,
    stigma_rr: f64,
    e: &mut PersonEffects,
) -> f64 {
    let age = pop.age[p];
    let c = &pop.circumstances[p];
    match &spec.kind {
        Kind::BenefitChange(k) => {
            e.benefit_factor *= k.level_factor as f32;
            0.0
        }
        Kind::UniversalCredit(_) => {
            e.flags |= PersonEffects::UNIVERSAL_CREDIT;
            0.0
        }
        Kind::WcaReassessment(_) => {
            e.flags |= PersonEffects::REASSESSED;
            0.0
        }
        Kind::IncomeUplift(k) => {
            if age >= 18 {
                e.extra_income += k.adult_weekly as f32;
            } else if age < 16 {
                e.extra_income += k.child_weekly as f32;
            }
            e.wage_floor = e.wage_floor.max(k.wage_floor_weekly as f32);
            0.0
        }
        Kind::Thrive(k) => {
            e.help_seeking *=
                (k.literacy_rr * stigma_rr.powf(-k.stigma_reduction) * k.gatekeeper_rr) as f32;
            e.neighbourhood *= k.connectedness as f32;
            k.cost_per_resident_year
        }
        Kind::Gatekeepers(k) => {
            if age < 16 {
                return 0.0;
            }
            e.help_seeking *= k.help_seeking_rr as f32;
            k.cost_per_reached_year
        }
        Kind::AwarenessCampaign(k) => {
            e.help_seeking *= k.help_seeking_rr as f32;
            k.cost_per_resident_year
        }
        Kind::SchoolProgramme(k) => {
            if !pupil(pop, p) {
                return 0.0;
            }
            // Delivered at the start and every 52 weeks while active; the effect halves
            // every `half_life_weeks` after each delivery.
            let since = (t - i64::from(spec.start_week)).rem_euclid(52) as f64;
            e.shift += (k.effect * 0.5f64.powf(since / k.half_life_weeks)) as f32;
            k.cost_per_pupil_year
        }
        Kind::SocialPrescribing(k) => {
            if !(c.lonely && age >= 16) {
                return 0.0;
            }
            e.loneliness_exit *= k.loneliness_exit_rr as f32;
            k.cost_per_person_year
        }
        Kind::Recession(_)
        | Kind::Pandemic(_)
        | Kind::SocialMediaGrowth(_)
        | Kind::Trieste(_)
        | Kind::OpenDialogue(_)
        | Kind::LivingWellHub(_)
        | Kind::CapacityChange(_) => 0.0,
    }
}
