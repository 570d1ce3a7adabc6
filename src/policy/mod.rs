//! Social-change shocks and policies: the one place where scenarios act on the model.
//!
//! A scenario lists shocks (`[[shock]]`) and policies (`[[policy]]`), each a [`PolicySpec`]:
//! a [`Kind`] with its parameters, a time window (start, end, ramp-up and fade-out, in weeks
//! from the first recorded week) and, for kinds that act on people, a [`Target`]. Every week
//! the simulation asks for
//!
//! - the week's [`Effects`]: multipliers and shifts that act on the whole community (hazards,
//!   tie weights, service capacities), composed over every active shock and policy; and
//! - for kinds that act on people, each person's [`PersonEffects`] (help-seeking, a distress
//!   shift, income, welfare rules), kept up to date by [`PersonPolicies`].
//!
//! Effects compose: multipliers multiply, shifts and capacities add, probabilities combine
//! as independent chances, durations take the longest. So several policies in one scenario
//! never overwrite one another, the order they are listed in does not matter, and no policy
//! ever writes a parameter.

pub mod kinds;
mod person;
mod read;
mod target;

pub use person::{HotEffects, PersonEffects, PersonPolicies};
pub use read::{FAMILIES, kind_tables, read_policies};
pub use target::{TARGET_KEYS, Target};

use crate::network::Setting;
use kinds::*;

/// Most school programmes one scenario may hold.
pub const MAX_SCHOOL_PROGRAMMES: usize = 8;

/// Whether an element is an exogenous shock or a policy (they are declared in separate lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Social change that happens to the community (`[[shock]]`).
    Shock,
    /// A deliberate intervention (`[[policy]]`).
    Policy,
}

impl Family {
    /// Name of the list in a scenario file.
    pub fn list(self) -> &'static str {
        match self {
            Family::Shock => "shock",
            Family::Policy => "policy",
        }
    }
}

/// One kind of shock or policy with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Recession.
    Recession(RecessionParams),
    /// Pandemic.
    Pandemic(PandemicParams),
    /// Growth of social media.
    SocialMediaGrowth(SocialMediaGrowthParams),
    /// Change of out-of-work benefit levels.
    BenefitChange(BenefitChangeParams),
    /// Universal-Credit-like rollout.
    UniversalCredit(UniversalCreditParams),
    /// Change of the limit on the child element.
    ChildElementLimit(ChildElementLimitParams),
    /// Work-capability reassessment.
    WcaReassessment(WcaReassessmentParams),
    /// Income uplifts.
    IncomeUplift(IncomeUpliftParams),
    /// Thrive-style community programme.
    Thrive(ThriveParams),
    /// Trieste-like redesign of services.
    Trieste(TriesteParams),
    /// Open Dialogue crisis response.
    OpenDialogue(OpenDialogueParams),
    /// Living-well hub.
    LivingWellHub(LivingWellHubParams),
    /// Everyday gatekeepers.
    Gatekeepers(GatekeepersParams),
    /// School programme.
    SchoolProgramme(SchoolProgrammeParams),
    /// Social prescribing.
    SocialPrescribing(SocialPrescribingParams),
    /// Awareness campaign.
    AwarenessCampaign(AwarenessCampaignParams),
    /// Change of service capacity.
    CapacityChange(CapacityChangeParams),
}

impl Kind {
    /// Name of the kind in scenario files.
    pub fn name(&self) -> &'static str {
        use crate::params::Section;
        match self {
            Kind::Recession(_) => RecessionParams::NAME,
            Kind::Pandemic(_) => PandemicParams::NAME,
            Kind::SocialMediaGrowth(_) => SocialMediaGrowthParams::NAME,
            Kind::BenefitChange(_) => BenefitChangeParams::NAME,
            Kind::UniversalCredit(_) => UniversalCreditParams::NAME,
            Kind::ChildElementLimit(_) => ChildElementLimitParams::NAME,
            Kind::WcaReassessment(_) => WcaReassessmentParams::NAME,
            Kind::IncomeUplift(_) => IncomeUpliftParams::NAME,
            Kind::Thrive(_) => ThriveParams::NAME,
            Kind::Trieste(_) => TriesteParams::NAME,
            Kind::OpenDialogue(_) => OpenDialogueParams::NAME,
            Kind::LivingWellHub(_) => LivingWellHubParams::NAME,
            Kind::Gatekeepers(_) => GatekeepersParams::NAME,
            Kind::SchoolProgramme(_) => SchoolProgrammeParams::NAME,
            Kind::SocialPrescribing(_) => SocialPrescribingParams::NAME,
            Kind::AwarenessCampaign(_) => AwarenessCampaignParams::NAME,
            Kind::CapacityChange(_) => CapacityChangeParams::NAME,
        }
    }

    /// Shock or policy.
    pub fn family(&self) -> Family {
        match self {
            Kind::Recession(_) | Kind::Pandemic(_) | Kind::SocialMediaGrowth(_) => Family::Shock,
            _ => Family::Policy,
        }
    }

    /// Whether the kind acts on people (and so accepts a `target`), rather than on the
    /// whole community or its services.
    pub fn acts_on_people(&self) -> bool {
        matches!(
            self,
            Kind::BenefitChange(_)
                | Kind::ChildElementLimit(_)
                | Kind::UniversalCredit(_)
                | Kind::WcaReassessment(_)
                | Kind::IncomeUplift(_)
                | Kind::Thrive(_)
                | Kind::Gatekeepers(_)
                | Kind::SchoolProgramme(_)
                | Kind::SocialPrescribing(_)
                | Kind::AwarenessCampaign(_)
        )
    }
}

/// One shock or policy of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySpec {
    /// Which list it was declared in, and its position there (its identity: the reach
    /// draws of a policy are keyed by it).
    pub family: Family,
    /// Position in its list.
    pub index: usize,
    /// Label for reports (defaults to the kind).
    pub label: String,
    /// What it is, with its parameters.
    pub kind: Kind,
    /// First week it acts, counted from the first recorded week (0).
    pub start_week: u32,
    /// First week it no longer acts (before any fade-out); `None` = to the end of the run.
    pub end_week: Option<u32>,
    /// Weeks over which its intensity (or reach) rises linearly from 0 to full.
    pub ramp_weeks: u32,
    /// Weeks over which its intensity falls linearly to 0 after `end_week`.
    pub fade_weeks: u32,
    /// Who it reaches (kinds that act on people; everyone when not given).
    pub target: Target,
}

impl PolicySpec {
    /// Intensity (0-1) in recorded week `t` (negative during burn-in: always 0).
    pub fn intensity(&self, t: i64) -> f64 {
        let start = i64::from(self.start_week);
        if t < start {
            return 0.0;
        }
        let ramp = if self.ramp_weeks == 0 {
            1.0
        } else {
            ((t - start + 1) as f64 / f64::from(self.ramp_weeks)).min(1.0)
        };
        match self.end_week {
            Some(end) if t >= i64::from(end) => {
                if self.fade_weeks == 0 {
                    0.0
                } else {
                    // Fade from the level reached at the end.
                    let reached = if self.ramp_weeks == 0 {
                        1.0
                    } else {
                        ((i64::from(end) - start) as f64 / f64::from(self.ramp_weeks)).min(1.0)
                    };
                    let left = 1.0 - (t - i64::from(end) + 1) as f64 / f64::from(self.fade_weeks);
                    (reached * left).max(0.0)
                }
            }
            _ => ramp,
        }
    }

    /// The community-wide effects of this element at intensity `i` (multipliers move from
    /// 1 towards their value, shifts and capacities from 0, as `i` goes from 0 to 1).
    pub fn effects(&self, i: f64) -> Effects {
        let mut e = Effects::NEUTRAL;
        if i <= 0.0 {
            return e;
        }
        let m = |x: f64| 1.0 + i * (x - 1.0);
        match &self.kind {
            Kind::Recession(p) => {
                e.unemployment_shift = i * p.unemployment_rise;
                e.job_finding = m(p.job_finding_factor);
            }
            Kind::Pandemic(p) => {
                e.layer_weight[Setting::School as usize] = m(p.school_contact);
                e.layer_weight[Setting::Workplace as usize] = m(p.workplace_contact);
                e.layer_weight[Setting::Neighbourhood as usize] = m(p.neighbourhood_contact);
                e.layer_weight[Setting::Online as usize] = m(p.online_contact);
                e.loneliness_onset = m(p.loneliness_onset_rr);
                e.capacity = [m(p.service_capacity); 4];
                e.job_loss = m(p.job_loss_rr);
                e.distress_shift = i * p.distress_shift;
            }
            Kind::SocialMediaGrowth(p) => {
                e.heavy_use = m(p.heavy_use_factor);
                e.layer_weight[Setting::Online as usize] = m(p.online_weight_factor);
            }
            Kind::Trieste(p) => {
                e.capacity[Service::Beds as usize] = m(1.0 - p.bed_conversion);
                e.capacity[Service::CrisisTeam as usize] = m(p.home_team_capacity);
                e.centre_places = i * p.centre_places;
                e.centre_stay_weeks = p.centre_stay_weeks;
                e.cost_centre_week = p.cost_centre_week;
                e.compulsion = m(p.compulsion_rr);
                e.smi_job_finding = m(p.coop_employment_rr);
            }
            Kind::OpenDialogue(p) => {
                e.admission_odds = m(p.admission_or);
                e.relapse = m(p.relapse_rr);
                e.crisis_extra_cost = i * p.cost_per_crisis;
            }
            Kind::LivingWellHub(p) => {
                e.hub_places = i * p.places;
                e.hub_crisis = p.crisis_rr;
                e.hub_relapse = p.relapse_rr;
                e.hub_step_down = p.step_down_rate;
                e.cost_hub_week = p.cost_place_week;
            }
            Kind::CapacityChange(p) => {
                e.capacity = [m(p.therapy), m(p.cmht), m(p.crisis_team), m(p.beds)];
            }
            Kind::UniversalCredit(p) => {
                e.welfare = Welfare {
                    wait_weeks: p.wait_weeks,
                    sanction_rate: p.sanction_rate,
                    sanction_weeks: p.sanction_weeks,
                    no_income_debt_rr: p.no_income_debt_rr,
                    ..Welfare::NONE
                };
            }
            Kind::WcaReassessment(p) => {
                e.welfare = Welfare {
                    reassessment_rate: p.reassessment_rate,
                    fit_share: p.fit_share,
                    assessment_pulse: p.assessment_pulse,
                    ..Welfare::NONE
                };
            }
            // Kinds that act on people work through `PersonEffects` only.
            Kind::BenefitChange(_)
            | Kind::ChildElementLimit(_)
            | Kind::IncomeUplift(_)
            | Kind::Thrive(_)
            | Kind::Gatekeepers(_)
            | Kind::SchoolProgramme(_)
            | Kind::SocialPrescribing(_)
            | Kind::AwarenessCampaign(_) => {}
        }
        e
    }
}

/// The capacity-limited services, as indices of [`Effects::capacity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Talking-therapy starts per week.
    Therapy = 0,
    /// Community mental health team caseload places.
    Cmht = 1,
    /// Crisis-team contacts per week.
    CrisisTeam = 2,
    /// Inpatient beds.
    Beds = 3,
}

/// Rules of the benefit system for the people a welfare policy reaches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Welfare {
    /// Weeks without income after a new claim.
    pub wait_weeks: u32,
    /// Weekly sanction probability of an unemployed claimant.
    pub sanction_rate: f64,
    /// Weeks without income after a sanction.
    pub sanction_weeks: u32,
    /// Relative debt and arrears onset hazard while without income.
    pub no_income_debt_rr: f64,
    /// Weekly reassessment probability of the sick-inactive.
    pub reassessment_rate: f64,
    /// Share of the reassessed found fit for work.
    pub fit_share: f64,
    /// Distress shock of a reassessment.
    pub assessment_pulse: f64,
}

impl Welfare {
    /// No welfare policy.
    pub const NONE: Welfare = Welfare {
        wait_weeks: 0,
        sanction_rate: 0.0,
        sanction_weeks: 0,
        no_income_debt_rr: 1.0,
        reassessment_rate: 0.0,
        fit_share: 0.0,
        assessment_pulse: 0.0,
    };

    /// Both sets of rules apply: chances combine as independent, durations and effects
    /// take the larger.
    fn compose(self, o: Welfare) -> Welfare {
        let either = |a: f64, b: f64| 1.0 - (1.0 - a) * (1.0 - b);
        Welfare {
            wait_weeks: self.wait_weeks.max(o.wait_weeks),
            sanction_rate: either(self.sanction_rate, o.sanction_rate),
            sanction_weeks: self.sanction_weeks.max(o.sanction_weeks),
            no_income_debt_rr: self.no_income_debt_rr.max(o.no_income_debt_rr),
            reassessment_rate: either(self.reassessment_rate, o.reassessment_rate),
            fit_share: self.fit_share.max(o.fit_share),
            assessment_pulse: self.assessment_pulse.max(o.assessment_pulse),
        }
    }
}

/// What the active shocks and policies do to the whole community in one week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effects {
    /// Multiplier on the weekly job-loss hazard.
    pub job_loss: f64,
    /// Multiplier on the weekly re-employment hazard.
    pub job_finding: f64,
    /// Added to the unemployment rate from which job-loss hazards are derived.
    pub unemployment_shift: f64,
    /// Multiplier on the weekly hazard of becoming lonely.
    pub loneliness_onset: f64,
    /// Shift of everyone's distress target (SD).
    pub distress_shift: f64,
    /// This week's shift of the distress target of pupils reached by the `j`-th school
    /// programme (SD; decays after each yearly delivery).
    pub school_shift: [f64; MAX_SCHOOL_PROGRAMMES],
    /// Multiplier on each layer's weight, indexed as [`Setting::ALL`].
    pub layer_weight: [f64; 5],
    /// Multiplier on the share of adolescents who are heavy social-media users.
    pub heavy_use: f64,
    /// Multiplier on each service's capacity, indexed by [`Service`].
    pub capacity: [f64; 4],
    /// Community-centre places per 100,000 residents.
    pub centre_places: f64,
    /// Mean stay in a community-centre place (weeks).
    pub centre_stay_weeks: f64,
    /// Cost of a community-centre place-week (GBP).
    pub cost_centre_week: f64,
    /// Living-well hub places per 100,000 residents.
    pub hub_places: f64,
    /// Relative crisis hazard of hub members.
    pub hub_crisis: f64,
    /// Relative relapse hazard of hub members.
    pub hub_relapse: f64,
    /// Weekly probability that a stable community-team client steps down to the hub.
    pub hub_step_down: f64,
    /// Cost of a hub place-week (GBP).
    pub cost_hub_week: f64,
    /// Multiplier on the share of admissions that are compulsory.
    pub compulsion: f64,
    /// Multiplier on the odds of admission after a crisis.
    pub admission_odds: f64,
    /// Multiplier on the SMI relapse hazard.
    pub relapse: f64,
    /// Extra cost of each crisis response (GBP).
    pub crisis_extra_cost: f64,
    /// Multiplier on the re-employment hazard of people with severe mental illness.
    pub smi_job_finding: f64,
    /// Benefit-system rules for the people welfare policies reach.
    pub welfare: Welfare,
}

impl Effects {
    /// No policy, no shock.
    pub const NEUTRAL: Effects = Effects {
        job_loss: 1.0,
        job_finding: 1.0,
        unemployment_shift: 0.0,
        loneliness_onset: 1.0,
        distress_shift: 0.0,
        school_shift: [0.0; MAX_SCHOOL_PROGRAMMES],
        layer_weight: [1.0; 5],
        heavy_use: 1.0,
        capacity: [1.0; 4],
        centre_places: 0.0,
        centre_stay_weeks: 0.0,
        cost_centre_week: 0.0,
        hub_places: 0.0,
        hub_crisis: 1.0,
        hub_relapse: 1.0,
        hub_step_down: 0.0,
        cost_hub_week: 0.0,
        compulsion: 1.0,
        admission_odds: 1.0,
        relapse: 1.0,
        crisis_extra_cost: 0.0,
        smi_job_finding: 1.0,
        welfare: Welfare::NONE,
    };

    /// Compose two sets of effects (both apply). Commutative and associative.
    pub fn compose(self, o: Effects) -> Effects {
        let mul = |a: [f64; 5], b: [f64; 5]| std::array::from_fn(|i| a[i] * b[i]);
        Effects {
            job_loss: self.job_loss * o.job_loss,
            job_finding: self.job_finding * o.job_finding,
            unemployment_shift: self.unemployment_shift + o.unemployment_shift,
            loneliness_onset: self.loneliness_onset * o.loneliness_onset,
            distress_shift: self.distress_shift + o.distress_shift,
            school_shift: std::array::from_fn(|j| self.school_shift[j] + o.school_shift[j]),
            layer_weight: mul(self.layer_weight, o.layer_weight),
            heavy_use: self.heavy_use * o.heavy_use,
            capacity: std::array::from_fn(|i| self.capacity[i] * o.capacity[i]),
            centre_places: self.centre_places + o.centre_places,
            centre_stay_weeks: self.centre_stay_weeks.max(o.centre_stay_weeks),
            cost_centre_week: self.cost_centre_week.max(o.cost_centre_week),
            hub_places: self.hub_places + o.hub_places,
            hub_crisis: self.hub_crisis * o.hub_crisis,
            hub_relapse: self.hub_relapse * o.hub_relapse,
            hub_step_down: 1.0 - (1.0 - self.hub_step_down) * (1.0 - o.hub_step_down),
            cost_hub_week: self.cost_hub_week.max(o.cost_hub_week),
            compulsion: self.compulsion * o.compulsion,
            admission_odds: self.admission_odds * o.admission_odds,
            relapse: self.relapse * o.relapse,
            crisis_extra_cost: self.crisis_extra_cost + o.crisis_extra_cost,
            smi_job_finding: self.smi_job_finding * o.smi_job_finding,
            welfare: self.welfare.compose(o.welfare),
        }
    }

    /// Multiplier on the weight of one layer.
    pub fn layer(&self, setting: Setting) -> f64 {
        self.layer_weight[setting as usize]
    }

    /// The effects of every element of `policies` in recorded week `t`.
    pub fn of_week(policies: &[PolicySpec], t: i64) -> Effects {
        let mut school = 0;
        policies
            .iter()
            .map(|p| {
                let mut e = p.effects(p.intensity(t));
                if let Kind::SchoolProgramme(k) = &p.kind {
                    // Delivered at the start and every 52 weeks while active; the effect
                    // halves every `half_life_weeks` after each delivery.
                    if p.intensity(t) > 0.0 {
                        let since = (t - i64::from(p.start_week)).rem_euclid(52) as f64;
                        e.school_shift[school] = k.effect * 0.5f64.powf(since / k.half_life_weeks);
                    }
                    school += 1;
                }
                e
            })
            .fold(Effects::NEUTRAL, Effects::compose)
    }
}

impl Default for Effects {
    fn default() -> Self {
        Effects::NEUTRAL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: Kind, start: u32, end: Option<u32>, ramp: u32, fade: u32) -> PolicySpec {
        PolicySpec {
            family: kind.family(),
            index: 0,
            label: kind.name().into(),
            kind,
            start_week: start,
            end_week: end,
            ramp_weeks: ramp,
            fade_weeks: fade,
            target: Target::default(),
        }
    }

    #[test]
    fn effects_compose_and_commute() {
        let a = Effects {
            job_loss: 2.0,
            unemployment_shift: 0.01,
            layer_weight: [1.0, 0.5, 1.0, 1.0, 1.0],
            ..Effects::NEUTRAL
        };
        let b = Effects {
            job_loss: 1.5,
            unemployment_shift: 0.02,
            layer_weight: [1.0, 0.5, 1.0, 1.0, 2.0],
            ..Effects::NEUTRAL
        };
        assert_eq!(a.compose(b), b.compose(a));
        assert_eq!(a.compose(b).job_loss, 3.0);
        assert!((a.compose(b).unemployment_shift - 0.03).abs() < 1e-15);
        assert_eq!(a.compose(b).layer(Setting::School), 0.25);
        assert_eq!(a.compose(Effects::NEUTRAL), a);
    }

    #[test]
    fn intensity_follows_the_window() {
        let p = spec(
            Kind::Recession(RecessionParams::default()),
            10,
            Some(30),
            4,
            5,
        );
        assert_eq!(p.intensity(-5), 0.0);
        assert_eq!(p.intensity(9), 0.0);
        assert_eq!(p.intensity(10), 0.25);
        assert_eq!(p.intensity(13), 1.0);
        assert_eq!(p.intensity(29), 1.0);
        assert!((p.intensity(30) - 0.8).abs() < 1e-12);
        assert_eq!(p.intensity(34), 0.0);
        assert_eq!(p.intensity(100), 0.0);
        let open = spec(Kind::Recession(RecessionParams::default()), 0, None, 0, 0);
        assert_eq!(open.intensity(10_000), 1.0);
    }

    #[test]
    fn a_policy_outside_its_window_is_neutral() {
        let p = spec(Kind::Pandemic(PandemicParams::default()), 5, Some(6), 0, 0);
        assert_eq!(
            Effects::of_week(std::slice::from_ref(&p), 4),
            Effects::NEUTRAL
        );
        assert_ne!(
            Effects::of_week(std::slice::from_ref(&p), 5),
            Effects::NEUTRAL
        );
        assert_eq!(
            Effects::of_week(std::slice::from_ref(&p), 6),
            Effects::NEUTRAL
        );
    }
}
