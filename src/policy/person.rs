//! Effects of policies that act on people: who is reached, and what it does to them.

use rayon::prelude::*;

use super::{Kind, PolicySpec};
use crate::population::{Employment, Population};
use crate::rng::StreamKey;

/// What the active person-level policies do to one person this week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PersonEffects {
    /// Multiplier on help-seeking.
    pub help_seeking: f32,
    /// School programmes reaching the person: bit `j` = the `j`-th school programme of the
    /// scenario (its decaying shift of the week is `Effects::school_shift[j]`).
    pub school: u8,
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
    /// The limit on the child element that the person counts against as a dependent child
    /// ([`PersonEffects::NO_LIMIT_CHANGE`]: `economy.child_element_limit`).
    pub child_element_limit: u8,
    /// [`PersonEffects::UNIVERSAL_CREDIT`] and [`PersonEffects::REASSESSED`] bits.
    pub flags: u8,
    /// Programme cost of reaching the person for a week (GBP).
    pub weekly_cost: f32,
}

impl PersonEffects {
    /// No person-level policy.
    pub const NEUTRAL: PersonEffects = PersonEffects {
        help_seeking: 1.0,
        school: 0,
        loneliness_exit: 1.0,
        neighbourhood: 1.0,
        benefit_factor: 1.0,
        extra_income: 0.0,
        wage_floor: 0.0,
        child_element_limit: PersonEffects::NO_LIMIT_CHANGE,
        flags: 0,
        weekly_cost: 0.0,
    };
    /// No policy changes the limit on the child element.
    pub const NO_LIMIT_CHANGE: u8 = u8::MAX;
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

/// The person effects read for everyone every week, kept in a compact copy (8 bytes a
/// person) so that the weekly passes do not stream the whole [`PersonEffects`] record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HotEffects {
    /// Multiplier on the weight of neighbourhood ties.
    pub neighbourhood: f32,
    /// [`PersonEffects::flags`].
    pub flags: u8,
    /// [`PersonEffects::school`].
    pub school: u8,
}

impl HotEffects {
    /// No person-level policy.
    pub const NEUTRAL: HotEffects = HotEffects {
        neighbourhood: 1.0,
        flags: 0,
        school: 0,
    };

    /// Whether a flag is set.
    #[inline]
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

impl From<&PersonEffects> for HotEffects {
    fn from(e: &PersonEffects) -> Self {
        HotEffects {
            neighbourhood: e.neighbourhood,
            flags: e.flags,
            school: e.school,
        }
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

/// Who among the target can be reached at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Eligible {
    /// Everyone in the target.
    Everyone,
    /// People aged 16 and over.
    Adults,
    /// School pupils (5-17).
    Pupils,
    /// Lonely people aged 16 and over.
    LonelyAdults,
    /// Dependent children (under 16, or students aged 16-17).
    DependentChildren,
}

/// One active person-level policy, with everything that does not depend on the person
/// worked out once for the week.
#[derive(Debug, Clone, Copy)]
struct Compiled {
    /// Index into the scenario's policies (and their reach keys).
    index: usize,
    /// A person (or neighbourhood) is reached when their fixed draw is below this.
    threshold: f64,
    /// Whether the reach is complete (no draw needed).
    everyone_reached: bool,
    /// Whether reach is drawn by neighbourhood.
    by_neighbourhood: bool,
    eligible: Eligible,
    help_seeking: f32,
    school: u8,
    loneliness_exit: f32,
    neighbourhood: f32,
    benefit_factor: f32,
    adult_income: f32,
    child_income: f32,
    wage_floor: f32,
    child_element_limit: u8,
    flags: u8,
    /// Programme cost per person reached per week (GBP).
    weekly_cost: f32,
}

impl Compiled {
    /// The week's version of `spec` at intensity `i` in recorded week `t`, if it acts on people.
    /// `school` is the position of the policy among the scenario's school programmes.
    fn new(
        index: usize,
        spec: &PolicySpec,
        i: f64,
        stigma_rr: f64,
        school: u8,
    ) -> Option<Compiled> {
        let threshold = spec.target.reach * i;
        let mut c = Compiled {
            index,
            threshold,
            everyone_reached: threshold >= 1.0,
            by_neighbourhood: false,
            eligible: Eligible::Everyone,
            help_seeking: 1.0,
            school: 0,
            loneliness_exit: 1.0,
            neighbourhood: 1.0,
            benefit_factor: 1.0,
            adult_income: 0.0,
            child_income: 0.0,
            wage_floor: 0.0,
            child_element_limit: PersonEffects::NO_LIMIT_CHANGE,
            flags: 0,
            weekly_cost: 0.0,
        };
        match &spec.kind {
            Kind::BenefitChange(k) => c.benefit_factor = k.level_factor as f32,
            Kind::ChildElementLimit(k) => {
                c.eligible = Eligible::DependentChildren;
                c.child_element_limit = k.limit.min(20) as u8;
            }
            Kind::UniversalCredit(_) => c.flags = PersonEffects::UNIVERSAL_CREDIT,
            Kind::WcaReassessment(_) => c.flags = PersonEffects::REASSESSED,
            Kind::IncomeUplift(k) => {
                c.adult_income = k.adult_weekly as f32;
                c.child_income = k.child_weekly as f32;
                c.wage_floor = k.wage_floor_weekly as f32;
            }
            Kind::Thrive(k) => {
                c.by_neighbourhood = true;
                c.help_seeking =
                    (k.literacy_rr * stigma_rr.powf(-k.stigma_reduction) * k.gatekeeper_rr) as f32;
                c.neighbourhood = k.connectedness as f32;
                c.weekly_cost = (k.cost_per_resident_year / 52.0) as f32;
            }
            Kind::Gatekeepers(k) => {
                c.eligible = Eligible::Adults;
                c.help_seeking = k.help_seeking_rr as f32;
                c.weekly_cost = (k.cost_per_reached_year / 52.0) as f32;
            }
            Kind::AwarenessCampaign(k) => {
                c.help_seeking = k.help_seeking_rr as f32;
                c.weekly_cost = (k.cost_per_resident_year / 52.0) as f32;
            }
            Kind::SchoolProgramme(k) => {
                // The decaying shift itself is community-wide (`Effects::school_shift`).
                c.eligible = Eligible::Pupils;
                c.school = 1 << school;
                c.weekly_cost = (k.cost_per_pupil_year / 52.0) as f32;
            }
            Kind::SocialPrescribing(k) => {
                c.eligible = Eligible::LonelyAdults;
                c.loneliness_exit = k.loneliness_exit_rr as f32;
                c.weekly_cost = (k.cost_per_person_year / 52.0) as f32;
            }
            Kind::Recession(_)
            | Kind::Pandemic(_)
            | Kind::SocialMediaGrowth(_)
            | Kind::Trieste(_)
            | Kind::OpenDialogue(_)
            | Kind::LivingWellHub(_)
            | Kind::CapacityChange(_) => return None,
        }
        Some(c)
    }

    /// Whether person `p` is eligible for this kind.
    #[inline]
    fn eligible(&self, pop: &Population, p: usize) -> bool {
        match self.eligible {
            Eligible::Everyone => true,
            Eligible::Adults => pop.age[p] >= 16,
            Eligible::Pupils => pupil(pop, p),
            Eligible::LonelyAdults => pop.age[p] >= 16 && pop.circumstances[p].lonely,
            Eligible::DependentChildren => crate::population::dependent_child(pop, p),
        }
    }

    /// Add this policy's effects to a reached person's.
    #[inline]
    fn apply(&self, age: u8, e: &mut PersonEffects) {
        e.help_seeking *= self.help_seeking;
        e.school |= self.school;
        e.loneliness_exit *= self.loneliness_exit;
        e.neighbourhood *= self.neighbourhood;
        e.benefit_factor *= self.benefit_factor;
        if age >= 18 {
            e.extra_income += self.adult_income;
        } else if age < 16 {
            e.extra_income += self.child_income;
        }
        e.wage_floor = e.wage_floor.max(self.wage_floor);
        if self.child_element_limit != PersonEffects::NO_LIMIT_CHANGE {
            // Of several changes, the most generous.
            e.child_element_limit = if e.child_element_limit == PersonEffects::NO_LIMIT_CHANGE {
                self.child_element_limit
            } else {
                e.child_element_limit.max(self.child_element_limit)
            };
        }
        e.flags |= self.flags;
        e.weekly_cost += self.weekly_cost;
    }
}

/// The person-level policies of one replicate: who they reach and what they do to each
/// person, kept up to date week by week.
///
/// A person is reached by a policy when they pass its target's filters and its eligibility
/// (pupils, adults, lonely adults) and a uniform draw fixed for the (policy, person) — or
/// (policy, neighbourhood) for neighbourhood programmes — falls below `reach` times the
/// intensity, so coverage grows with a ramp and the same people stay reached from week to
/// week. Everyone's effects are recomputed when a policy starts or ends, when a neighbourhood
/// programme's reach changes, and after each new year (ages, births). When only the reach of
/// policies drawn by person changes (a ramp or a fade), only the people whose draw lies between
/// the old and the new threshold can change: they are found in each policy's people sorted
/// by draw, and recomputed with the people whose employment or loneliness changed. Otherwise
/// only the latter are recomputed, because nothing else that targets read can change within a
/// year. Every path gives the effects a recomputation of everyone would.
#[derive(Debug, Clone)]
pub struct PersonPolicies {
    /// Each person's effects.
    pub effects: Vec<PersonEffects>,
    /// The part of each person's effects read every week by everyone (kept equal to
    /// `effects`).
    pub hot: Vec<HotEffects>,
    /// Each person's programme cost for a week (a copy of `PersonEffects::weekly_cost`, so
    /// that the weekly cost tally reads 4 bytes a person).
    pub costs: Vec<f32>,
    /// Reach thresholds of the policies that acted when `effects` were last brought up to
    /// date.
    fingerprint: Vec<(usize, u64)>,
    /// Whether everyone must be recomputed next week.
    stale: bool,
    /// By policy index: the people sorted by their fixed reach draw of that policy (ties by
    /// person), built the first time its reach changes while it acts by person.
    orders: Vec<Option<Vec<u32>>>,
}

/// The people `0..people` sorted by their fixed reach draw `key.uniform(p, 0)`, ties by
/// person: those reached at a threshold `x` are a prefix, so those whose status changes
/// between two thresholds are a range.
fn reach_order(key: StreamKey, people: usize) -> Vec<u32> {
    let mut draws: Vec<(f64, u32)> = (0..people as u32).map(|p| (key.uniform(p, 0), p)).collect();
    draws.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    draws.into_iter().map(|(_, p)| p).collect()
}

impl PersonPolicies {
    /// Everyone neutral, to be computed in the first week.
    pub fn new(people: usize) -> PersonPolicies {
        PersonPolicies {
            effects: vec![PersonEffects::NEUTRAL; people],
            hot: vec![HotEffects::NEUTRAL; people],
            costs: vec![0.0; people],
            fingerprint: Vec::new(),
            stale: true,
            orders: Vec::new(),
        }
    }

    /// Reset one person's effects to neutral (their slot was taken by a newborn during a
    /// week); the caller has them recomputed next week (`World::changed`).
    pub fn reset(&mut self, person: usize) {
        self.effects[person] = PersonEffects::NEUTRAL;
        self.hot[person] = HotEffects::NEUTRAL;
        self.costs[person] = 0.0;
    }

    /// Recompute the effects of `people`, in their order; returns those whose income-related
    /// effects changed.
    fn recompute_some(
        &mut self,
        people: &[u32],
        active: &[Compiled],
        policies: &[PolicySpec],
        keys: &[StreamKey],
        pop: &Population,
    ) -> Vec<u32> {
        let mut income_changed = Vec::new();
        for &p in people {
            let p = p as usize;
            if recompute(active, policies, keys, pop, p, &mut self.effects[p]) {
                income_changed.push(p as u32);
            }
            self.hot[p] = HotEffects::from(&self.effects[p]);
            self.costs[p] = self.effects[p].weekly_cost;
        }
        income_changed
    }

    /// Mark everyone for recomputation (after a new year: ages and births changed).
    pub fn invalidate(&mut self) {
        self.stale = true;
    }

    /// Bring everyone's effects up to recorded week `t`. `changed` lists people whose
    /// employment or loneliness changed since the last update. Adds the week's programme
    /// costs to `cost` by observation cell, and returns the people whose income-related
    /// effects changed (their households' incomes must be recomputed).
    #[allow(clippy::too_many_arguments)]
    pub fn update(
        &mut self,
        policies: &[PolicySpec],
        keys: &[StreamKey],
        t: i64,
        pop: &Population,
        cells: &[u16],
        changed: &[u32],
        stigma_rr: f64,
        cost: &mut [f64],
    ) -> Vec<u32> {
        let mut school = 0u8;
        let active: Vec<Compiled> = policies
            .iter()
            .enumerate()
            .filter_map(|(index, spec)| {
                let position = school;
                if matches!(spec.kind, Kind::SchoolProgramme(_)) {
                    school += 1;
                }
                let i = spec.intensity(t);
                (i > 0.0)
                    .then(|| Compiled::new(index, spec, i, stigma_rr, position))
                    .flatten()
            })
            .collect();
        let fingerprint: Vec<(usize, u64)> = active
            .iter()
            .map(|c| (c.index, c.threshold.to_bits()))
            .collect();
        // Only reach thresholds of policies drawn by person changed: recompute the people
        // whose draw lies between an old and a new threshold, and the changed people.
        let by_range = !self.stale
            && fingerprint != self.fingerprint
            && fingerprint.len() == self.fingerprint.len()
            && active
                .iter()
                .zip(&self.fingerprint)
                .all(|(c, &(index, old))| {
                    c.index == index && (c.threshold.to_bits() == old || !c.by_neighbourhood)
                });
        let income_changed = if by_range {
            if self.orders.len() < policies.len() {
                self.orders.resize(policies.len(), None);
            }
            let people = self.effects.len();
            let mut recount: Vec<u32> = changed.to_vec();
            for (c, &(_, old)) in active.iter().zip(&self.fingerprint) {
                if c.threshold.to_bits() == old {
                    continue;
                }
                let old = f64::from_bits(old);
                let (lo, hi) = (old.min(c.threshold), old.max(c.threshold));
                let key = keys[c.index];
                let order = self.orders[c.index].get_or_insert_with(|| reach_order(key, people));
                let from = order.partition_point(|&p| key.uniform(p, 0) < lo);
                let to = order.partition_point(|&p| key.uniform(p, 0) < hi);
                recount.extend_from_slice(&order[from..to]);
            }
            // In person order, as a recomputation of everyone lists them.
            recount.sort_unstable();
            recount.dedup();
            self.fingerprint = fingerprint;
            self.recompute_some(&recount, &active, policies, keys, pop)
        } else if self.stale || fingerprint != self.fingerprint {
            let chunk = crate::sim::CHUNK;
            let parts: Vec<Vec<u32>> = self
                .effects
                .par_chunks_mut(chunk)
                .zip(self.hot.par_chunks_mut(chunk))
                .zip(self.costs.par_chunks_mut(chunk))
                .enumerate()
                .map(|(c, ((slice, hot), costs))| {
                    let mut changed = Vec::new();
                    for (j, ((e, h), w)) in slice
                        .iter_mut()
                        .zip(hot.iter_mut())
                        .zip(costs.iter_mut())
                        .enumerate()
                    {
                        let p = c * chunk + j;
                        if recompute(&active, policies, keys, pop, p, e) {
                            changed.push(p as u32);
                        }
                        *h = HotEffects::from(&*e);
                        *w = e.weekly_cost;
                    }
                    changed
                })
                .collect();
            self.fingerprint = fingerprint;
            self.stale = false;
            parts.concat()
        } else {
            self.recompute_some(changed, &active, policies, keys, pop)
        };
        if active.iter().any(|c| c.weekly_cost > 0.0) {
            for (&w, &c) in self.costs.iter().zip(cells) {
                if w > 0.0 {
                    cost[usize::from(c)] += f64::from(w);
                }
            }
        }
        income_changed
    }
}

/// Recompute one person's effects; returns whether their income-related effects changed.
#[inline]
fn recompute(
    active: &[Compiled],
    policies: &[PolicySpec],
    keys: &[StreamKey],
    pop: &Population,
    p: usize,
    e: &mut PersonEffects,
) -> bool {
    let before = *e;
    *e = PersonEffects::NEUTRAL;
    for policy in active {
        let spec = &policies[policy.index];
        if !spec.target.matches(pop, p) || !policy.eligible(pop, p) {
            continue;
        }
        if !policy.everyone_reached {
            let unit = if policy.by_neighbourhood {
                pop.neighbourhood[p].0
            } else {
                p as u32
            };
            if keys[policy.index].uniform(unit, 0) >= policy.threshold {
                continue;
            }
        }
        policy.apply(pop.age[p], e);
    }
    e.benefit_factor != before.benefit_factor
        || e.extra_income != before.extra_income
        || e.wage_floor != before.wage_floor
        || e.child_element_limit != before.child_element_limit
}
