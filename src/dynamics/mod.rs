//! Mental-health dynamics: latent distress, clinical thresholds, kindling, peers, support,
//! severe mental illness, and the weekly transitions of work, debt and loneliness.
//!
//! Latent distress `W` follows a weekly mean-reverting step
//! `W' = W + kappa_i (target_i - W) + s_i eps + shock`, where
//! `target_i = set point + determinants + peers`. An episode starts after `onset_weeks`
//! consecutive weeks above `theta_on` and ends after `remission_weeks` consecutive weeks
//! below `theta_off`. The functions here are per person and pure apart from the person's own
//! state, so the simulation can apply them to chunks of people in parallel.

mod peers;

pub use peers::{PeerCounts, TieExposure, Ties};

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use crate::policy::{Effects, HotEffects, PersonEffects};
use crate::population::{Circumstances, Employment, Population, Sex};
use crate::rng::{Stream, StreamKey};
use crate::scenario::Scenario;
use crate::services::Care;

/// Severe mental illness state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Smi {
    /// No severe mental illness.
    None = 0,
    /// Severe mental illness, stable (in remission).
    Stable = 1,
    /// Severe mental illness, acute phase (relapse).
    Acute = 2,
}

/// Mental-health state of one person. The fields change together every week, so they are
/// kept together (one cache line holds several people).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MentalHealth {
    /// Latent distress W (population z-scale).
    pub distress: f32,
    /// Personal fixed diathesis (part of the set point).
    pub diathesis: f32,
    /// Current set point: diathesis, sex, age, childhood adversity, bullying and kindling.
    pub set_point: f32,
    /// Shock to apply this week (job loss, bereavement), before buffering.
    pub pulse: f32,
    /// Weeks the current episode has lasted (while ill).
    pub episode_weeks: u16,
    /// Week of the simulation (burn-in included, modulo 65,536) in which the first episode
    /// of the person's life ended; meaningful while [`MentalHealth::FIRST_REMITTED`] is set.
    pub first_remission: u16,
    /// Number of past and current episodes (kindling).
    pub episodes: u8,
    /// Consecutive weeks beyond the threshold that would change the clinical state.
    pub run: u8,
    /// In an episode of common mental disorder.
    pub ill: bool,
    /// In the chronic latent class (slow reversion).
    pub chronic: bool,
    /// Severe mental illness state.
    pub smi: Smi,
    /// Where the person is in the care system.
    pub care: crate::services::Care,
    /// Weeks in the current course of care (therapy).
    pub care_weeks: u8,
    /// [`MentalHealth::RECORDED`], [`MentalHealth::DEPRESSIVE`],
    /// [`MentalHealth::FIRST_REMITTED`], [`MentalHealth::RECURRED`] and
    /// [`MentalHealth::PERSISTENT`] bits.
    pub flags: u8,
}

// The record is kept small: it is read and written for everybody every week.
const _: () = assert!(std::mem::size_of::<MentalHealth>() == 28);

impl MentalHealth {
    /// Primary care has recognised the current episode (it is a recorded case); cleared at
    /// remission.
    pub const RECORDED: u8 = 1;
    /// The first episode of the person's life ended (in week `first_remission`) less than
    /// the longest recurrence horizon ago, and it is followed up for recurrence.
    pub const FIRST_REMITTED: u8 = 2;
    /// An episode began after the first one ended (while followed up).
    pub const RECURRED: u8 = 4;
    /// The current episode (or, outside one, the last) is a depressive-level one: latent
    /// distress was above `theta_depressive` in the week it began (it met the criteria of a
    /// depressive episode at onset). Measurement only.
    pub const DEPRESSIVE: u8 = 8;
    /// The current episode is persistent (drawn at its onset with probability
    /// `persistent_episode_share`): until it ends, distress moves with the chronic class's
    /// slow reversion and small noise, whatever the person's class. Cleared at remission.
    pub const PERSISTENT: u8 = 16;

    /// The latent class whose reversion and noise move the person's distress this week: the
    /// chronic class (1) for its members and during a persistent episode, else 0.
    #[inline]
    pub fn class(&self) -> usize {
        latent_class(
            self.chronic,
            self.ill && self.flags & MentalHealth::PERSISTENT != 0,
        )
    }
}

/// The latent class (0 ordinary, 1 chronic) whose reversion and noise move distress: the
/// chronic class for its members and for anyone in a persistent episode.
#[inline]
fn latent_class(chronic: bool, in_persistent_episode: bool) -> usize {
    usize::from(chronic || in_persistent_episode)
}

/// Weeks of remission after a first episode before its recurrence follow-up begins: Hardeveld
/// et al. (2013) followed people at least 6 months in remission, so a recurrence within 26
/// weeks takes the person out of the follow-up.
pub const RECOVERED_WEEKS: u32 = 26;

/// Horizons of the recurrence follow-up after a first episode, in years from its remission.
pub const RECURRENCE_YEARS: [u16; 3] = [5, 10, 20];

/// Weeks after the remission at which a followed-up person is checked: at
/// [`RECOVERED_WEEKS`] (still recovered?) and at each of [`RECURRENCE_YEARS`].
pub const FOLLOW_UP_WEEKS: [u32; 4] = [
    RECOVERED_WEEKS,
    52 * RECURRENCE_YEARS[0] as u32,
    52 * RECURRENCE_YEARS[1] as u32,
    52 * RECURRENCE_YEARS[2] as u32,
];

/// Follow-up of recurrence after a first episode, `weeks_ago` (one of
/// [`FOLLOW_UP_WEEKS`]) weeks after its remission, for the person now in the slot in week
/// `week`. `None` when the slot is not followed up from that remission (it was reused by a
/// newborn, the person left the follow-up, or the check is the one at [`RECOVERED_WEEKS`]).
/// At [`RECOVERED_WEEKS`] a person who has recurred already leaves the follow-up; at a
/// horizon of [`RECURRENCE_YEARS`] the result is `Some(recurred)`, and at the longest the
/// follow-up ends.
#[inline]
pub fn recurrence_follow_up(mh: &mut MentalHealth, week: u32, weeks_ago: u32) -> Option<bool> {
    let ended = week.checked_sub(weeks_ago)? as u16;
    if mh.flags & MentalHealth::FIRST_REMITTED == 0 || mh.first_remission != ended {
        return None; // the slot was reused by a newborn since, or left the follow-up
    }
    let recurred = mh.flags & MentalHealth::RECURRED != 0;
    let last = FOLLOW_UP_WEEKS[FOLLOW_UP_WEEKS.len() - 1];
    if (weeks_ago == RECOVERED_WEEKS && recurred) || weeks_ago >= last {
        mh.flags &= !(MentalHealth::FIRST_REMITTED | MentalHealth::RECURRED);
    }
    (weeks_ago != RECOVERED_WEEKS).then_some(recurred)
}

/// Set-point shift by age band.
fn age_shift(age: u8, s: &Scenario) -> f64 {
    let d = &s.dynamics;
    match age {
        0..=15 => d.child_shift,
        16..=24 => d.youth_shift,
        25..=64 => 0.0,
        _ => d.older_shift,
    }
}

/// The set point of a person: everything in the target that changes at most yearly —
/// diathesis, sex, age, childhood adversity, bullying and kindling — plus the exposures that
/// are fixed within a year (discrimination, neighbourhood deprivation, adolescent heavy
/// social-media use), which are determinants and so scale with `determinants.multiplier`.
pub fn set_point(
    pop: &Population,
    person: usize,
    diathesis: f32,
    episodes: u8,
    s: &Scenario,
) -> f32 {
    set_point_at(pop, person, pop.age[person], diathesis, episodes, s)
}

/// The set point a person had (or will have) at `age`, everything else as now: the age band
/// and the ages of heavy social-media use follow `age`.
fn set_point_at(
    pop: &Population,
    person: usize,
    age: u8,
    diathesis: f32,
    episodes: u8,
    s: &Scenario,
) -> f32 {
    let d = &s.dynamics;
    let det = &s.determinants;
    let aces = f64::from(pop.aces[person].min(4));
    let ace_effect = det.ace_per_experience
        * aces
        * if pop.trusted_adult[person] {
            1.0 - det.trusted_adult_reduction
        } else {
            1.0
        };
    let bullying = if pop.bullied[person] {
        det.bullying
    } else {
        0.0
    };
    let discrimination = if pop.discrimination[person] {
        det.discrimination
    } else {
        0.0
    };
    let deprivation = det.deprivation * f64::from(pop.decile_of(person) - 1) / 9.0;
    let social_media =
        if pop.heavy_social_media[person] && heavy_use_age(age, det.social_media_max_age) {
            det.social_media
        } else {
            0.0
        };
    let sex = if pop.sex[person] == Sex::Female {
        d.female_shift
    } else {
        0.0
    };
    let kindling = d.kindling * f64::from(u32::from(episodes).min(d.kindling_cap));
    (d.baseline_set_point
        + f64::from(diathesis)
        + sex
        + age_shift(age, s)
        + det.multiplier * (ace_effect + bullying + discrimination + deprivation + social_media)
        + kindling) as f32
}

/// Weekly constants derived once from the scenario and the week's effects.
#[derive(Debug, Clone)]
pub struct WeekConstants {
    /// Reversion rate of the ordinary and the chronic class.
    pub kappa: [f32; 2],
    /// Weekly noise SD of the ordinary and the chronic class (keeps the within-person SD at sigma).
    pub noise_sd: [f32; 2],
    /// Probability that an episode is persistent (see [`MentalHealth::PERSISTENT`]).
    pub persistent_share: f64,
    /// Layer weights after effects.
    pub weights: [f32; 5],
    /// Weekly job-loss hazard by deprivation decile (index 0 = least deprived).
    pub job_loss: [f64; 10],
    /// Weekly re-employment hazard.
    pub job_finding: f64,
    /// Weekly hazard of loneliness onset by (lives alone) | (unemployed) << 1.
    pub loneliness_onset: [f64; 4],
    /// Weekly hazard of leaving loneliness.
    pub loneliness_exit: f64,
    /// Largest multiplier person-level policies put on the loneliness exit hazard (for the hazard bound).
    pub loneliness_exit_max_factor: f64,
    /// Relative re-employment hazard of people with severe mental illness.
    pub smi_job_finding: f64,
    /// Benefit-system rules for the people welfare policies reach.
    pub welfare: crate::policy::Welfare,
    /// Distress pulse of a work-capability reassessment (after the determinant multiplier).
    pub assessment_pulse: f32,
    /// Weekly hazard of problem-debt onset by (poor) | (unemployed) << 1 | (without benefit income) << 2.
    pub debt_onset: [f64; 8],
    /// Weekly hazard of leaving problem debt.
    pub debt_exit: f64,
    /// Weekly hazard of arrears onset, indexed like `debt_onset`.
    pub arrears_onset: [f64; 8],
    /// Weekly hazard of clearing arrears.
    pub arrears_exit: f64,
    /// Weekly hazard of sickness inactivity for the economically active.
    pub sickness_onset: f64,
    /// Weekly hazard of returning from sickness inactivity.
    pub sickness_exit: f64,
    /// Relative hazard of sickness inactivity while ill.
    pub illness_sickness_rr: f64,
    /// Relative hazard of returning from sickness inactivity while ill.
    pub illness_sickness_exit_rr: f64,
    /// Relative job-loss hazard while ill.
    pub illness_job_loss_rr: f64,
    /// Relative re-employment hazard while ill.
    pub illness_job_finding_rr: f64,
    /// Age at which people stop being at risk of job loss (retire).
    pub pension_age: u8,
    /// Distress pulse at job loss (after the determinant multiplier).
    pub job_loss_pulse: f32,
    /// Distress pulse at bereavement (after the determinant multiplier).
    pub bereavement_pulse: f32,
    /// Weekly bereavement probability.
    pub bereavement: f64,
    /// An upper bound of the sum of the weekly event hazards of anyone in any state: a draw
    /// at or above it means no event, without looking at the person.
    pub max_weekly_hazard: f64,
    /// Weekly SMI onset, relapse, acute-phase exit and recovery hazards.
    pub smi: [f64; 4],
    /// GHQ-12 caseness link.
    pub ghq: crate::record::GhqLink,
    /// Shift of distress for every [`circumstance_code`].
    pub circumstance_shift: [f32; 64],
    /// Shift of the target by quantised income shortfall (see [`Circumstances::shortfall`]).
    pub shortfall_shift: [f32; 256],
    /// Shift of everyone's target from the week's shocks (SD).
    pub common_shift: f32,
    /// This week's shift of pupils reached by each school programme (SD).
    pub school_shift: [f32; crate::policy::MAX_SCHOOL_PROGRAMMES],
    /// Multiplier on online weights for heavy adolescent users.
    pub online_intensity: f32,
    /// Peer shift per weighted ill tie, times the peer multiplier.
    pub peer_shift: f32,
    /// Most weighted ill ties that add to the peer shift.
    pub peer_cap: f32,
    /// Healthy-friends recovery boost, times the peer multiplier.
    pub healthy_friends: f32,
    /// Shift of the target with no well ties (healthy-friends onset term), times the peer
    /// multiplier; 0 switches the term off.
    pub lacking_healthy_friends: f32,
    /// Weighted well ties at which the onset term reaches 0.
    pub healthy_friends_sufficient: f32,
    /// Share of a shock absorbed with full support.
    pub support_buffer: f32,
    /// Onset and remission thresholds.
    pub theta_on: f32,
    /// Remission threshold.
    pub theta_off: f32,
    /// Depressive-level threshold (measurement only).
    pub theta_depressive: f32,
    /// Consecutive weeks for an onset.
    pub onset_weeks: u8,
    /// Consecutive weeks for a remission.
    pub remission_weeks: u8,
    /// Relative SMI relapse hazard while distressed.
    pub smi_distress_relapse_rr: f64,
    /// Shift of the target in therapy, by deprivation decile (index 0 = least deprived).
    pub therapy_shift: [f32; 10],
    /// Shift of the target on medication.
    pub medication_shift: f32,
    /// Relative SMI relapse hazard on a community-team caseload and in a hub.
    pub care_relapse_rr: [f64; 2],
    /// Relative hazard of leaving the acute phase while in a bed or centre place.
    pub staying_recovery_rr: f64,
    /// Weekly suicide hazard by [`suicide_code`] (male, in an episode, with SMI), as a
    /// threshold for a 64-bit draw: `hazard x 2^64`.
    pub suicide: [u64; 8],
    /// The largest of `suicide`: a draw at or above it means no suicide, whatever the state.
    pub suicide_max: u64,
    /// Youngest age at risk of suicide.
    pub suicide_min_age: u8,
}

impl WeekConstants {
    /// Constants for one week under `effects`.
    pub fn new(s: &Scenario, effects: &Effects) -> Self {
        let d = &s.dynamics;
        let kappa = [d.kappa, d.kappa * d.chronic_kappa_ratio];
        let worklessness =
            crate::population::deprivation_factors(s.economy.deprivation_worklessness_ratio);
        let job_finding = s.economy.job_finding_rate;
        let job_loss = worklessness.map(|f| {
            let u =
                ((s.economy.unemployment_rate + effects.unemployment_shift) * f).clamp(0.0, 0.95);
            (job_finding * u / (1.0 - u) * effects.job_loss).min(1.0)
        });
        let mut constants = WeekConstants {
            kappa: kappa.map(|k| k as f32),
            noise_sd: kappa.map(|k| (d.sigma * (2.0 * k - k * k).sqrt()) as f32),
            persistent_share: d.persistent_episode_share,
            weights: std::array::from_fn(|i| {
                (crate::network::Setting::ALL[i].weight(&s.network) * effects.layer_weight[i])
                    as f32
            }),
            job_loss,
            job_finding: (job_finding * effects.job_finding).min(1.0),
            loneliness_onset: std::array::from_fn(|i| {
                let employment = if i & 2 != 0 {
                    Employment::Unemployed
                } else {
                    Employment::Employed
                };
                let size = if i & 1 != 0 { 1 } else { 2 };
                s.life.loneliness_onset_rate
                    * effects.loneliness_onset
                    * crate::population::loneliness_rr(size, employment, &s.life)
            }),
            loneliness_exit: s.life.loneliness_exit_rate,
            loneliness_exit_max_factor: loneliness_exit_max_factor(s),
            smi_job_finding: effects.smi_job_finding,
            welfare: effects.welfare,
            assessment_pulse: (s.determinants.multiplier * effects.welfare.assessment_pulse) as f32,
            debt_onset: std::array::from_fn(|i| {
                s.economy.debt_onset_rate * debt_risk(i & 3, s) * no_income_rr(i, effects)
            }),
            debt_exit: s.economy.debt_exit_rate,
            arrears_onset: std::array::from_fn(|i| {
                s.economy.arrears_onset_rate * debt_risk(i & 3, s) * no_income_rr(i, effects)
            }),
            arrears_exit: s.economy.arrears_exit_rate,
            sickness_onset: s.economy.sickness_onset_rate,
            sickness_exit: s.economy.sickness_exit_rate,
            illness_sickness_rr: s.economy.illness_sickness_rr,
            illness_sickness_exit_rr: s.economy.illness_sickness_exit_rr,
            illness_job_loss_rr: s.economy.illness_job_loss_rr,
            illness_job_finding_rr: s.economy.illness_job_finding_rr,
            pension_age: s.economy.pension_age.min(255) as u8,
            job_loss_pulse: (s.determinants.multiplier * s.determinants.job_loss_pulse) as f32,
            bereavement_pulse: (s.determinants.multiplier * s.determinants.bereavement_pulse)
                as f32,
            bereavement: 1.0 - (1.0 - s.life.bereavement_rate).powf(1.0 / 52.0),
            smi: [
                d.smi_incidence / 52.0,
                d.smi_relapse_rate / 52.0 * effects.relapse,
                1.0 / d.smi_acute_weeks,
                d.smi_recovery_rate / 52.0,
            ],
            ghq: crate::record::GhqLink::new(
                s.measures.ghq12_midpoint as f32,
                s.measures.ghq12_scale as f32,
            ),
            circumstance_shift: circumstance_shifts(s),
            shortfall_shift: shortfall_shifts(s),
            common_shift: (s.determinants.multiplier * effects.distress_shift) as f32,
            school_shift: effects.school_shift.map(|x| x as f32),
            online_intensity: s.network.heavy_use_online_intensity as f32,
            peer_shift: (d.peer_multiplier * d.peer_ill_shift) as f32,
            peer_cap: d.peer_cap as f32,
            healthy_friends: (d.peer_multiplier * d.healthy_friends_recovery) as f32,
            lacking_healthy_friends: (d.peer_multiplier * d.healthy_friends_onset) as f32,
            healthy_friends_sufficient: d.healthy_friends_sufficient as f32,
            support_buffer: d.support_buffer as f32,
            theta_on: d.theta_on as f32,
            theta_off: d.theta_off as f32,
            theta_depressive: d.theta_depressive as f32,
            onset_weeks: d.onset_weeks.min(255) as u8,
            remission_weeks: d.remission_weeks.min(255) as u8,
            smi_distress_relapse_rr: d.smi_distress_relapse_rr,
            therapy_shift: std::array::from_fn(|i| {
                (s.services.therapy_effect
                    * (1.0 - s.services.therapy_deprivation_attenuation * i as f64 / 9.0))
                    as f32
            }),
            medication_shift: s.services.medication_effect as f32,
            care_relapse_rr: [s.services.cmht_relapse_rr, effects.hub_relapse],
            staying_recovery_rr: s.services.inpatient_recovery_rr,
            suicide: suicide_hazards(s).map(|h| (h * 2f64.powi(64)) as u64),
            suicide_min_age: s.suicide.min_age.min(255) as u8,
            suicide_max: 0,
            max_weekly_hazard: 1.0,
        };
        constants.max_weekly_hazard = constants.hazard_bound();
        constants.suicide_max = constants.suicide.iter().copied().max().unwrap_or(0);
        constants
    }

    /// An upper bound of the total weekly event hazard of `life_and_economy`: each event's
    /// largest hazard over all states, summed (with a margin for rounding), at most 1.
    fn hazard_bound(&self) -> f64 {
        let max = |xs: &[f64]| xs.iter().copied().fold(0.0, f64::max);
        let job = max(&self.job_loss) * self.illness_job_loss_rr.max(1.0);
        let job = job.max(
            self.job_finding * self.illness_job_finding_rr.max(1.0) * self.smi_job_finding.max(1.0),
        );
        let sickness = (self.sickness_onset * self.illness_sickness_rr.max(1.0))
            .max(self.sickness_exit * self.illness_sickness_exit_rr.max(1.0));
        let debt = max(&self.debt_onset).max(self.debt_exit);
        let arrears = max(&self.arrears_onset).max(self.arrears_exit);
        let lonely = max(&self.loneliness_onset)
            .max(self.loneliness_exit * self.loneliness_exit_max_factor.max(1.0));
        ((job + sickness + debt + arrears + lonely + self.bereavement) * (1.0 + 1e-9)).min(1.0)
    }
}

/// Index into [`WeekConstants::circumstance_shift`]: the circumstances that shift distress.
#[inline]
pub fn circumstance_code(male: bool, c: &Circumstances) -> usize {
    usize::from(male)
        | usize::from(c.employment == Employment::Unemployed) << 1
        | usize::from(c.poor) << 2
        | usize::from(c.arrears) << 3
        | usize::from(c.problem_debt) << 4
        | usize::from(c.lonely) << 5
}

/// Index into [`WeekConstants::suicide`]: male | in an episode << 1 | with SMI << 2.
#[inline]
pub fn suicide_code(male: bool, ill: bool, smi: bool) -> usize {
    usize::from(male) | usize::from(ill) << 1 | usize::from(smi) << 2
}

/// Weekly suicide hazard for every [`suicide_code`]: `base_rate / 100,000 / 52` times the
/// relative risks that apply, at most 1.
fn suicide_hazards(s: &Scenario) -> [f64; 8] {
    let p = &s.suicide;
    std::array::from_fn(|code| {
        let rr = |bit: usize, rr: f64| if code & (1 << bit) != 0 { rr } else { 1.0 };
        (p.base_rate / 100_000.0 / 52.0 * rr(0, p.rr_male) * rr(1, p.rr_episode) * rr(2, p.rr_smi))
            .min(1.0)
    })
}

/// Whether the 64-bit draw `x` falls below the suicide threshold of the person's state (the
/// rare case of a draw below the largest threshold).
#[cold]
#[inline(never)]
fn below_suicide_threshold(x: u64, male: bool, mh: &MentalHealth, k: &WeekConstants) -> bool {
    x < k.suicide[suicide_code(male, mh.ill, mh.smi != Smi::None)]
}

/// Shift of the target from current circumstances (unemployment, poverty, arrears, problem
/// debt, loneliness), in SD, for every [`circumstance_code`].
fn circumstance_shifts(s: &Scenario) -> [f32; 64] {
    std::array::from_fn(|code| circumstance_shift(s, code))
}

/// Shift of a pupil's target from the school programmes reaching them (bit `j` of `mask`:
/// the `j`-th school programme).
#[inline]
fn school_shift(mask: u8, k: &WeekConstants) -> f32 {
    if mask == 0 {
        return 0.0;
    }
    (0..crate::policy::MAX_SCHOOL_PROGRAMMES)
        .filter(|j| mask & (1 << j) != 0)
        .map(|j| k.school_shift[j])
        .sum()
}

/// Shift of the target for every quantised income shortfall, in SD.
fn shortfall_shifts(s: &Scenario) -> [f32; 256] {
    let per_step = s.determinants.multiplier * s.determinants.income_shortfall
        / f64::from(crate::population::SHORTFALL_STEPS);
    std::array::from_fn(|q| (per_step * q as f64) as f32)
}

/// Shift of the target for one [`circumstance_code`], in SD.
fn circumstance_shift(s: &Scenario, code: usize) -> f32 {
    let det = &s.determinants;
    let bit = |b: usize| code & (1 << b) != 0;
    let mut shift = 0.0;
    if bit(1) {
        shift += if bit(0) {
            det.unemployment_men
        } else {
            det.unemployment
        };
    }
    for (b, effect) in [
        (2, det.poverty),
        (3, det.arrears),
        (4, det.problem_debt),
        (5, det.loneliness),
    ] {
        if bit(b) {
            shift += effect;
        }
    }
    (det.multiplier * shift) as f32
}

/// Relative debt and arrears onset hazard while without benefit income (bit 2 of the index).
fn no_income_rr(index: usize, effects: &Effects) -> f64 {
    if index & 4 != 0 {
        effects.welfare.no_income_debt_rr
    } else {
        1.0
    }
}

/// The largest multiplier on the loneliness exit hazard any person-level policy of the
/// scenario can give (a bound; 1 when none).
fn loneliness_exit_max_factor(s: &Scenario) -> f64 {
    s.policies
        .iter()
        .map(|p| match &p.kind {
            crate::policy::Kind::SocialPrescribing(k) => k.loneliness_exit_rr.max(1.0),
            _ => 1.0,
        })
        .product()
}

/// Relative hazard of debt and arrears onset for risk index (poor) | (unemployed) << 1.
fn debt_risk(index: usize, s: &Scenario) -> f64 {
    let employment = if index & 2 != 0 {
        Employment::Unemployed
    } else {
        Employment::Employed
    };
    crate::population::debt_rr(index & 1 != 0, employment, &s.economy)
}

/// Shift of the target from a person's current circumstances, in SD.
pub fn exposure_shift(
    pop: &Population,
    person: usize,
    c: &Circumstances,
    k: &WeekConstants,
) -> f32 {
    k.circumstance_shift[circumstance_code(pop.sex[person] == Sex::Male, c)]
        + k.shortfall_shift[usize::from(c.shortfall)]
}

/// Whether a person's online ties count with the heavy-use intensity.
#[inline]
pub fn heavy_online(pop: &Population, person: usize, max_age: u32) -> bool {
    pop.heavy_social_media[person] && heavy_use_age(pop.age[person], max_age)
}

/// Whether heavy social-media use applies at `age` (the shift and the online intensity): from
/// 11 to `determinants.social_media_max_age`.
#[inline]
pub fn heavy_use_age(age: u8, max_age: u32) -> bool {
    age >= 11 && u32::from(age) <= max_age
}

/// A personal diathesis: `diathesis_sd` times a standardised log-normal (mean 0, SD 1) of
/// shape `diathesis_skew` (a standard normal when the skew is 0).
fn draw_diathesis<R: rand::Rng + ?Sized>(s: &Scenario, rng: &mut R) -> f32 {
    let d = &s.dynamics;
    let skew = d.diathesis_skew;
    let z: f64 = StandardNormal.sample(rng);
    let standard = if skew > 0.0 {
        let (mean_ln, sd_ln) = (
            (skew * skew / 2.0).exp(),
            ((skew * skew).exp_m1() * (skew * skew).exp()).sqrt(),
        );
        ((skew * z).exp() - mean_ln) / sd_ln
    } else {
        z
    };
    (d.diathesis_sd * standard) as f32
}

/// Mental-health state of a newborn: a fresh diathesis and class, no history, distress drawn
/// around the set point plus the shift of its circumstances (as at the start), no episode, no
/// severe mental illness.
pub fn newborn(
    pop: &Population,
    person: usize,
    s: &Scenario,
    rng: &mut rand_xoshiro::Xoshiro256PlusPlus,
) -> MentalHealth {
    let diathesis = draw_diathesis(s, rng);
    let chronic = rng.random_bool(s.dynamics.chronic_share);
    let sp = set_point(pop, person, diathesis, 0, s);
    let noise: f64 = StandardNormal.sample(rng);
    MentalHealth {
        distress: sp
            + circumstance_shift(
                s,
                circumstance_code(pop.sex[person] == Sex::Male, &pop.circumstances[person]),
            )
            + shortfall_shifts(s)[usize::from(pop.circumstances[person].shortfall)]
            + (s.dynamics.sigma * noise) as f32,
        diathesis,
        set_point: sp,
        pulse: 0.0,
        episode_weeks: 0,
        first_remission: 0,
        episodes: 0,
        run: 0,
        ill: false,
        chronic,
        smi: Smi::None,
        care: crate::services::Care::None,
        care_weeks: 0,
        flags: 0,
    }
}

/// Years of the past replayed before today once a person's kindling is full
/// (`kindling_cap` episodes): long enough for distress to forget where it started (the
/// chronic class reverts at about 0.01 a week, 5 years of reversion in 10) and for any
/// episode but one of more than 10 years to have begun within them.
pub const REPLAY_TAIL_YEARS: u8 = 10;

/// Youngest age at which an episode can begin: the youngest age of the children's band,
/// the youngest the surveys of children's mental health ask about. Distress evolves from
/// birth; the initial state replays each person's past from this age.
pub const EPISODES_FROM_AGE: u8 = 5;

/// Initial mental-health state of every person (stream `MentalHealthInit`, one counter
/// stream per person, so the people are set up in parallel with the same result).
///
/// Each person's past is replayed from age [`EPISODES_FROM_AGE`] to their age now, week by
/// week, by the same within-person dynamics as the run (reversion and noise of their
/// class, onset and remission with hysteresis, kindling at each onset), with the set point of
/// each past age and the shift of their present circumstances and ties (from age 16, or
/// throughout for children). Peers enter as the exposure of the person's present ties: a
/// first replay without them gives everybody's state, and each person's last
/// [`REPLAY_TAIL_YEARS`] years are replayed again from where they began, with the peer shift
/// (and, while in an episode, the faster recovery among well ties) that the ties' states of
/// the first replay give — with the same random numbers, so only the peers differ. Care is
/// left out. The replay gives the number
/// of past episodes (kindling), today's distress and whether an episode is running, and for
/// how long, so that the first weeks of a run start where the dynamics themselves would be.
pub fn initialise(
    pop: &Population,
    net: &crate::network::Network,
    s: &Scenario,
    replicate: u64,
) -> Vec<MentalHealth> {
    use rayon::prelude::*;
    let key = StreamKey::new(s.run.seed, replicate, Stream::MentalHealthInit);
    let k = WeekConstants::new(s, &Effects::NEUTRAL);
    let max_age = s.determinants.social_media_max_age;
    // The replay without peers, kept where the last `REPLAY_TAIL_YEARS` begin.
    let (mut mh, tails): (Vec<MentalHealth>, Vec<Replay>) = (0..pop.len())
        .into_par_iter()
        .map(|p| {
            let mut replay = Replay::begin(pop, p, s, &k, key.counter(p as u32, 0));
            let age = pop.age[p];
            replay.run_until(
                age.saturating_sub(REPLAY_TAIL_YEARS),
                ReplayPeers::NONE,
                pop,
                p,
                s,
                &k,
            );
            let tail = replay.clone();
            replay.run_until(age, ReplayPeers::NONE, pop, p, s, &k);
            (replay.finish(ReplayPeers::NONE, pop, p, s, &k), tail)
        })
        .unzip();
    if k.peer_shift != 0.0 || k.healthy_friends != 0.0 || k.lacking_healthy_friends != 0.0 {
        // Each person's peers from the ties' states; the counts and the first states go
        // before the second pass, so that at most one more state per person is held.
        let counts = PeerCounts::from_scratch(pop, net, |p| mh[p].ill);
        let peers: Vec<ReplayPeers> = (0..pop.len())
            .into_par_iter()
            .map(|p| {
                let ties =
                    PeerCounts::weigh(&counts.ties[p], heavy_online(pop, p, max_age), 1.0, &k);
                ReplayPeers {
                    shift: ties.peer_shift(&k),
                    well_share: if ties.total > 0.0 {
                        ties.well_share()
                    } else {
                        0.0
                    },
                }
            })
            .collect();
        drop(counts);
        drop(mh);
        mh = tails
            .into_par_iter()
            .zip(peers)
            .enumerate()
            .map(|(p, (mut replay, peers))| {
                replay.run_until(pop.age[p], peers, pop, p, s, &k);
                replay.finish(peers, pop, p, s, &k)
            })
            .collect();
    }
    mh
}

impl TieExposure {
    /// The shift of the distress target from the ties in an episode (capped) and, with the
    /// healthy-friends onset term on, from too few ties who are well, as in the run and the
    /// replay (docs/ODD.md 7.4, 7.5).
    #[inline]
    pub fn peer_shift(&self, k: &WeekConstants) -> f32 {
        let contagion = k.peer_shift * self.ill.min(k.peer_cap);
        if k.lacking_healthy_friends == 0.0 {
            return contagion;
        }
        let well = (self.total - self.ill).clamp(0.0, k.healthy_friends_sufficient);
        contagion + k.lacking_healthy_friends * (1.0 - well / k.healthy_friends_sufficient)
    }

    /// Share of the weighted ties who are well (for the faster recovery while ill); only for
    /// a person with ties.
    #[inline]
    pub fn well_share(&self) -> f32 {
        (self.total - self.ill) / self.total
    }
}

/// What a person's present ties add to their replayed past (see [`initialise`]).
#[derive(Debug, Clone, Copy)]
struct ReplayPeers {
    /// Peer shift of the target.
    shift: f32,
    /// Share of the weighted ties who are well (for the faster recovery while ill).
    well_share: f32,
}

impl ReplayPeers {
    const NONE: ReplayPeers = ReplayPeers {
        shift: 0.0,
        well_share: 0.0,
    };
}

/// One person's replay of their past (see [`initialise`]): the state after the years
/// replayed so far and the random stream it draws from.
#[derive(Debug, Clone)]
struct Replay {
    rng: rand_xoshiro::SplitMix64,
    diathesis: f32,
    chronic: bool,
    /// The episode under way is persistent ([`MentalHealth::PERSISTENT`]).
    persistent: bool,
    /// The next year of age to replay.
    age: u8,
    episodes: u8,
    /// Target of the year being replayed; distress is `target + dev`.
    target: f32,
    dev: f32,
    ill: bool,
    run: u8,
    episode_weeks: u16,
    /// Whether a year has been replayed: until then `dev` is the draw around the first
    /// year's target, whatever peers that target will include.
    started: bool,
}

impl Replay {
    /// The start of the replay at age [`EPISODES_FROM_AGE`] (or today's age, if younger):
    /// a diathesis, a class, and distress drawn around that age's target without peers.
    fn begin(
        pop: &Population,
        p: usize,
        s: &Scenario,
        k: &WeekConstants,
        mut rng: rand_xoshiro::SplitMix64,
    ) -> Replay {
        let d = &s.dynamics;
        let diathesis = draw_diathesis(s, &mut rng);
        let chronic = rng.random_bool(d.chronic_share);
        let first = EPISODES_FROM_AGE.min(pop.age[p]);
        let target = set_point_at(pop, p, first, diathesis, 0, s)
            + Replay::shift(pop, p, first, k, ReplayPeers::NONE);
        let noise: f64 = StandardNormal.sample(&mut rng);
        Replay {
            rng,
            diathesis,
            chronic,
            persistent: false,
            age: first,
            episodes: 0,
            target,
            dev: (d.sigma * noise) as f32,
            ill: false,
            run: 0,
            episode_weeks: 0,
            started: false,
        }
    }

    /// The shift of the present circumstances and ties at a past age `a`: from age 16, or
    /// throughout for children.
    fn shift(pop: &Population, p: usize, a: u8, k: &WeekConstants, peers: ReplayPeers) -> f32 {
        if a >= 16 || pop.age[p] < 16 {
            exposure_shift(pop, p, &pop.circumstances[p], k) + peers.shift
        } else {
            0.0
        }
    }

    /// Replay the years of age from `self.age` up to (not including) `until`, week by week.
    fn run_until(
        &mut self,
        until: u8,
        peers: ReplayPeers,
        pop: &Population,
        p: usize,
        s: &Scenario,
        k: &WeekConstants,
    ) {
        let d = &s.dynamics;
        let age = pop.age[p];
        // `dev <- (1 - kappa_c) dev + s_c eps` is the update of 7.1 with a constant target,
        // and the thresholds are moved by the target; while ill, well ties speed recovery,
        // as in the run. A persistent episode moves with the chronic class (index 1).
        let decay_of = |class: usize| {
            (
                1.0 - k.kappa[class],
                1.0 - (k.kappa[class] * (1.0 + k.healthy_friends * peers.well_share)).min(1.0),
            )
        };
        let decays = [decay_of(0), decay_of(1)];
        let capped = u8::try_from(d.kindling_cap).unwrap_or(u8::MAX);
        let shift = |a: u8| Replay::shift(pop, p, a, k, peers);
        while self.age < until {
            if self.episodes >= capped && self.age + REPLAY_TAIL_YEARS < age {
                // Kindling is full: the years between now and the last `REPLAY_TAIL_YEARS`
                // change nothing that lasts, so the replay starts those years afresh, at a
                // draw from the stationary distribution around the target, outside an
                // episode.
                self.age = age - REPLAY_TAIL_YEARS;
                let noise: f64 = StandardNormal.sample(&mut self.rng);
                self.dev = (d.sigma * noise) as f32;
                (self.ill, self.run, self.episode_weeks) = (false, 0, 0);
                if self.age >= until {
                    break;
                }
            }
            let a = self.age;
            let year_target = set_point_at(pop, p, a, self.diathesis, self.episodes, s) + shift(a);
            if self.started {
                self.dev += self.target - year_target;
            }
            self.target = year_target;
            self.started = true;
            let (mut on, mut off) = (k.theta_on - self.target, k.theta_off - self.target);
            for _ in 0..52 {
                let eps: f32 = StandardNormal.sample(&mut self.rng);
                let class = latent_class(self.chronic, self.ill && self.persistent);
                let (decay, decay_ill) = decays[class];
                let decay = if self.ill { decay_ill } else { decay };
                self.dev = decay * self.dev + k.noise_sd[class] * eps;
                let beyond = (self.dev > on, self.dev < off);
                if hysteresis(
                    &mut self.ill,
                    &mut self.run,
                    &mut self.episode_weeks,
                    beyond,
                    true,
                    k,
                ) == Crossing::Onset
                {
                    self.persistent =
                        k.persistent_share > 0.0 && self.rng.random_bool(k.persistent_share);
                    self.episodes = self.episodes.saturating_add(1);
                    let kindled =
                        set_point_at(pop, p, a, self.diathesis, self.episodes, s) + shift(a);
                    self.dev += self.target - kindled;
                    self.target = kindled;
                    (on, off) = (k.theta_on - self.target, k.theta_off - self.target);
                }
            }
            self.age += 1;
        }
    }

    /// The initial state once the replay has reached today's age, with `peers` (those of
    /// the last years replayed).
    fn finish(
        mut self,
        peers: ReplayPeers,
        pop: &Population,
        p: usize,
        s: &Scenario,
        k: &WeekConstants,
    ) -> MentalHealth {
        let age = pop.age[p];
        if !self.started {
            // Nothing replayed (aged 5 or under): the draw is around today's target.
            self.target = set_point_at(pop, p, self.age, self.diathesis, self.episodes, s)
                + Replay::shift(pop, p, self.age, k, peers);
        }
        let distress = self.target + self.dev;
        let (mut ill, mut episodes) = (self.ill, self.episodes);
        if age == EPISODES_FROM_AGE {
            // No past to replay: distress around today's target, an episode if above onset.
            ill = distress > k.theta_on;
            episodes = u8::from(ill);
        }
        let rng = &mut self.rng;
        let smi = if age >= 16 && rng.random_bool(s.population.smi_prevalence) {
            if rng.random_bool(s.population.smi_acute_share) {
                Smi::Acute
            } else {
                Smi::Stable
            }
        } else {
            Smi::None
        };
        MentalHealth {
            distress,
            diathesis: self.diathesis,
            set_point: set_point(pop, p, self.diathesis, episodes, s),
            pulse: 0.0,
            episode_weeks: self.episode_weeks,
            first_remission: 0,
            episodes,
            run: self.run,
            ill,
            chronic: self.chronic,
            smi,
            care: crate::services::Care::None,
            care_weeks: 0,
            flags: if ill && self.persistent {
                MentalHealth::PERSISTENT
            } else {
                0
            },
        }
    }
}

/// A change of employment state made in the economy phase (or at a birthday): the person's
/// household income and workplace team must be brought up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobChange {
    /// Who.
    pub person: u32,
}

/// What the life-and-economy step reads about one person besides their circumstances.
#[derive(Debug, Clone, Copy)]
pub struct LifeInputs<'a> {
    /// Age in years.
    pub age: u8,
    /// Deprivation decile of the neighbourhood (1-10).
    pub decile: u8,
    /// Lives alone.
    pub alone: bool,
    /// What person-level policies do to them.
    pub effects: &'a PersonEffects,
    /// The part of `effects` read for everyone.
    pub hot: &'a HotEffects,
}

/// Something the life-and-economy step did that later phases must act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifeEvent {
    /// Who.
    pub person: u32,
    /// [`LifeEvent::JOB`], [`LifeEvent::INCOME`], [`LifeEvent::SANCTION`],
    /// [`LifeEvent::REASSESSED`] bits.
    pub flags: u8,
}

impl LifeEvent {
    /// Employment state changed (household income and workplace team need updating).
    pub const JOB: u8 = 1;
    /// Benefit income stopped for a while (household income needs updating now and when
    /// the hold ends).
    pub const INCOME: u8 = 2;
    /// A benefit sanction.
    pub const SANCTION: u8 = 4;
    /// A work-capability reassessment.
    pub const REASSESSED: u8 = 8;
    /// Became or stopped being often lonely.
    pub const LONELY: u8 = 16;

    /// Whether a flag is set.
    #[inline]
    pub fn has(self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// Weekly life and economy transitions of one person: job loss or re-employment, entering or
/// leaving sickness inactivity, entering or leaving problem debt, arrears and loneliness, and
/// bereavement. The hazards are small, so they are treated as competing risks in discrete
/// time: one uniform draw picks at most one event per person and week. Then the welfare
/// rules of the person's policies: a new claim under Universal-Credit-like rules starts a
/// wait without benefit income; unemployed claimants may be sanctioned; the sick-inactive
/// may be reassessed and found fit for work. Sets the person's pending shock.
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn life_and_economy(
    person: usize,
    week: u32,
    key: StreamKey,
    input: LifeInputs<'_>,
    c: &mut Circumstances,
    hold_until: &mut u32,
    mh: &mut MentalHealth,
    k: &WeekConstants,
) -> Option<LifeEvent> {
    // `mh.pulse` is zero here: the mental-health phase consumes and clears it every week.
    let u = key.uniform(person as u32, week);
    let uc = input.hot.has(PersonEffects::UNIVERSAL_CREDIT);
    // Whether a welfare event (a sanction, a reassessment) is possible this week.
    let welfare = input.hot.flags != 0
        && ((uc && c.employment == Employment::Unemployed && k.welfare.sanction_rate > 0.0)
            || (input.hot.has(PersonEffects::REASSESSED)
                && c.employment == Employment::InactiveSick
                && k.welfare.reassessment_rate > 0.0));
    if u >= k.max_weekly_hazard && !welfare {
        return None; // the common case: no event is possible at this draw, whatever the state
    }
    let mut flags = 0u8;
    let working_age = (18..k.pension_age).contains(&input.age);
    let new_claim = |hold_until: &mut u32, flags: &mut u8| {
        if uc && k.welfare.wait_weeks > 0 {
            *hold_until = week + 1 + k.welfare.wait_weeks;
            *flags |= LifeEvent::INCOME;
        }
    };
    if u < k.max_weekly_hazard {
        match competing_risks(u, input, c, week < *hold_until, mh, k) {
            Some(Event::JobChange) => {
                flags |= LifeEvent::JOB;
                if c.employment == Employment::Unemployed {
                    new_claim(hold_until, &mut flags);
                }
            }
            Some(Event::Lonely) => flags |= LifeEvent::LONELY,
            _ => {}
        }
    }
    if welfare {
        if uc
            && c.employment == Employment::Unemployed
            && week >= *hold_until
            && k.welfare.sanction_rate > 0.0
            && key.uniform(person as u32, week | WELFARE_DRAW) < k.welfare.sanction_rate
        {
            *hold_until = week + 1 + k.welfare.sanction_weeks;
            flags |= LifeEvent::SANCTION | LifeEvent::INCOME;
        }
        if input.hot.has(PersonEffects::REASSESSED)
            && c.employment == Employment::InactiveSick
            && working_age
            && k.welfare.reassessment_rate > 0.0
            && key.uniform(person as u32, week | WELFARE_DRAW) < k.welfare.reassessment_rate
        {
            flags |= LifeEvent::REASSESSED;
            mh.pulse += k.assessment_pulse;
            if key.uniform(person as u32, week | FIT_DRAW) < k.welfare.fit_share {
                c.employment = Employment::Unemployed;
                flags |= LifeEvent::JOB;
                new_claim(hold_until, &mut flags);
            }
        }
    }
    (flags != 0).then_some(LifeEvent {
        person: person as u32,
        flags,
    })
}

/// Counter bit of the welfare draws (sanction, reassessment): weeks never reach it.
const WELFARE_DRAW: u32 = 1 << 31;
/// Counter bit of the fit-for-work draw.
const FIT_DRAW: u32 = 1 << 30;

/// The event picked by the competing-risks draw, when later phases must know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    JobChange,
    Lonely,
    Other,
}

/// The competing risks of one week for one person: at most one event, picked by `u`.
#[inline]
fn competing_risks(
    u: f64,
    input: LifeInputs<'_>,
    c: &mut Circumstances,
    without_income: bool,
    mh: &mut MentalHealth,
    k: &WeekConstants,
) -> Option<Event> {
    let unemployed = c.employment == Employment::Unemployed;
    let working_age = (18..k.pension_age).contains(&input.age);
    // Job loss (employed) or re-employment (unemployed).
    let h_job = match c.employment {
        Employment::Employed if input.age < k.pension_age => {
            k.job_loss[usize::from(input.decile - 1)]
                * if mh.ill { k.illness_job_loss_rr } else { 1.0 }
        }
        Employment::Unemployed => {
            k.job_finding
                * if mh.ill {
                    k.illness_job_finding_rr
                } else {
                    1.0
                }
                * if mh.smi != Smi::None {
                    k.smi_job_finding
                } else {
                    1.0
                }
        }
        _ => 0.0,
    };
    // Leaving the labour market through sickness, or returning to it.
    let h_sickness = match c.employment {
        Employment::Employed | Employment::Unemployed if working_age => {
            k.sickness_onset * if mh.ill { k.illness_sickness_rr } else { 1.0 }
        }
        Employment::InactiveSick if working_age => {
            k.sickness_exit
                * if mh.ill {
                    k.illness_sickness_exit_rr
                } else {
                    1.0
                }
        }
        _ => 0.0,
    };
    let (h_debt, h_arrears) = if input.age >= 18 {
        let risk =
            usize::from(c.poor) | usize::from(unemployed) << 1 | usize::from(without_income) << 2;
        (
            if c.problem_debt {
                k.debt_exit
            } else {
                k.debt_onset[risk]
            },
            if c.arrears {
                k.arrears_exit
            } else {
                k.arrears_onset[risk]
            },
        )
    } else {
        (0.0, 0.0)
    };
    let h_lonely = match (c.lonely, input.age >= 16) {
        (true, _) => k.loneliness_exit * f64::from(input.effects.loneliness_exit),
        (false, true) => {
            k.loneliness_onset[usize::from(input.alone) | usize::from(unemployed) << 1]
        }
        (false, false) => 0.0,
    };
    let mut edge = h_job;
    if u >= edge + h_sickness + h_debt + h_arrears + h_lonely + k.bereavement {
        return None; // nothing happens this week
    }
    if u < edge {
        let employed = unemployed;
        c.employment = if employed {
            Employment::Employed
        } else {
            Employment::Unemployed
        };
        if !employed {
            mh.pulse = k.job_loss_pulse;
        }
        return Some(Event::JobChange);
    }
    edge += h_sickness;
    if u < edge {
        c.employment = if c.employment == Employment::InactiveSick {
            Employment::Unemployed
        } else {
            Employment::InactiveSick
        };
        return Some(Event::JobChange);
    }
    edge += h_debt;
    if u < edge {
        c.problem_debt = !c.problem_debt;
        return Some(Event::Other);
    }
    edge += h_arrears;
    if u < edge {
        c.arrears = !c.arrears;
        return Some(Event::Other);
    }
    edge += h_lonely;
    if u < edge {
        c.lonely = !c.lonely;
        return Some(Event::Lonely);
    }
    mh.pulse = k.bereavement_pulse;
    Some(Event::Other)
}

/// What happened to one person's clinical state this week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// No change.
    None,
    /// An episode began.
    Onset,
    /// An episode ended; its duration in weeks, from the first of the `onset_weeks` weeks
    /// above `theta_on` to the last week before the `remission_weeks` weeks below `theta_off`
    /// that confirm the remission (the symptomatic weeks; remission dates from the start of
    /// the well period, Frank et al. 1991).
    Remission(u16),
    /// The running episode has now certainly lasted more than [`LONG_EPISODE_WEEKS`] (its
    /// duration as a remission would count it, [`known_duration`]); once per episode.
    Prolonged,
}

/// What the thresholds with hysteresis did in a week ([`hysteresis`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Crossing {
    /// Nothing changed state.
    None,
    /// An episode began.
    Onset,
    /// The episode ended after this many `episode_weeks`.
    Remission(u16),
}

/// One week of the clinical thresholds with hysteresis (7.8), shared by the run and the
/// replay of the initial state: in an episode, a run of `remission_weeks` weeks below
/// `theta_off` ends it; outside one, a run of `onset_weeks` weeks above `theta_on` begins one
/// (if `may_begin`: from [`EPISODES_FROM_AGE`]). Updates `ill`, `run` and `episode_weeks`.
#[inline]
fn hysteresis(
    ill: &mut bool,
    run: &mut u8,
    episode_weeks: &mut u16,
    (above_on, below_off): (bool, bool),
    may_begin: bool,
    k: &WeekConstants,
) -> Crossing {
    if *ill {
        *episode_weeks = episode_weeks.saturating_add(1);
        *run = if below_off { run.saturating_add(1) } else { 0 };
        if *run >= k.remission_weeks {
            let weeks = *episode_weeks;
            (*ill, *run, *episode_weeks) = (false, 0, 0);
            return Crossing::Remission(weeks);
        }
    } else {
        *run = if above_on { run.saturating_add(1) } else { 0 };
        if *run >= k.onset_weeks && may_begin {
            (*ill, *run, *episode_weeks) = (true, 0, 0);
            return Crossing::Onset;
        }
    }
    Crossing::None
}

/// Duration, in weeks, beyond which an episode counts as long (two years: Spijker et al.
/// 2002 report the share of episodes not recovered by 24 months).
pub const LONG_EPISODE_WEEKS: u16 = 104;

/// The duration a running episode has certainly reached, in the weeks a remission would
/// count ([`Transition::Remission`]): its weeks so far and the onset weeks, less the weeks
/// already spent below `theta_off` (which a remission would not count). It never falls
/// while the episode runs, so it passes [`LONG_EPISODE_WEEKS`] once at most.
#[inline]
pub fn known_duration(episode_weeks: u16, run: u8, k: &WeekConstants) -> u16 {
    episode_weeks
        .saturating_add(u16::from(k.onset_weeks))
        .saturating_sub(u16::from(run))
}

/// What the mental-health step reads about one person besides their own state.
#[derive(Debug, Clone, Copy)]
pub struct PersonInputs<'a> {
    /// Age in years.
    pub age: u8,
    /// Whether male.
    pub male: bool,
    /// Whether a heavy adolescent social-media user (online ties weigh more).
    pub heavy_online: bool,
    /// Deprivation decile of the neighbourhood (1-10).
    pub decile: u8,
    /// Current circumstances.
    pub circumstances: &'a Circumstances,
    /// Tie counts over the layers.
    pub ties: &'a Ties,
    /// The part of their person-level policy effects read every week.
    pub hot: &'a HotEffects,
}

/// Weekly mental-health step of one person: distress, onset or remission, SMI, and whether
/// they die by suicide (the second value). Reads only the person's own inputs and state;
/// `pop` is consulted only to recompute the set point after an onset (kindling).
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn mental_health(
    person: usize,
    week: u32,
    key: StreamKey,
    input: &PersonInputs<'_>,
    mh: &mut MentalHealth,
    pop: &Population,
    s: &Scenario,
    k: &WeekConstants,
) -> (Transition, bool) {
    let mut rng = key.counter(person as u32, week);
    let ties = PeerCounts::weigh(input.ties, input.heavy_online, input.hot.neighbourhood, k);
    let peer = ties.peer_shift(k);
    let care = match mh.care {
        Care::Therapy => k.therapy_shift[usize::from(input.decile - 1)],
        Care::Medication => k.medication_shift,
        _ => 0.0,
    };
    let target = mh.set_point
        + k.circumstance_shift[circumstance_code(input.male, input.circumstances)]
        + k.shortfall_shift[usize::from(input.circumstances.shortfall)]
        + k.common_shift
        + peer
        + care
        + school_shift(input.hot.school, k);
    let class = mh.class();
    let mut kappa = k.kappa[class];
    if mh.ill && ties.total > 0.0 {
        kappa = (kappa * (1.0 + k.healthy_friends * ties.well_share())).min(1.0);
    }
    // A shock is buffered by the share of close ties who are well (social support).
    let mut shock = 0.0;
    if mh.pulse != 0.0 {
        let support = if ties.close_total > 0.0 {
            (ties.close_total - ties.close_ill) / ties.close_total
        } else {
            0.0
        };
        shock = mh.pulse * (1.0 - k.support_buffer * support);
        mh.pulse = 0.0;
    }
    let eps: f32 = StandardNormal.sample(&mut rng);
    mh.distress += kappa * (target - mh.distress) + k.noise_sd[class] * eps + shock;

    // Clinical thresholds with hysteresis.
    let known_before = known_duration(mh.episode_weeks, mh.run, k);
    let beyond = (mh.distress > k.theta_on, mh.distress < k.theta_off);
    let may_begin = input.age >= EPISODES_FROM_AGE;
    let transition = match hysteresis(
        &mut mh.ill,
        &mut mh.run,
        &mut mh.episode_weeks,
        beyond,
        may_begin,
        k,
    ) {
        Crossing::None => {
            if mh.ill
                && known_before <= LONG_EPISODE_WEEKS
                && known_duration(mh.episode_weeks, mh.run, k) > LONG_EPISODE_WEEKS
            {
                Transition::Prolonged
            } else {
                Transition::None
            }
        }
        Crossing::Remission(episode_weeks) => {
            mh.flags &= !(MentalHealth::RECORDED | MentalHealth::PERSISTENT);
            if mh.episodes == 1 {
                // The end of the first episode of the person's life (history included).
                mh.first_remission = week as u16;
                mh.flags = (mh.flags | MentalHealth::FIRST_REMITTED) & !MentalHealth::RECURRED;
            }
            // The confirming weeks below `theta_off` are not part of the episode.
            Transition::Remission(known_duration(episode_weeks, k.remission_weeks, k).max(1))
        }
        Crossing::Onset => {
            if mh.flags & MentalHealth::FIRST_REMITTED != 0 {
                mh.flags |= MentalHealth::RECURRED;
            }
            mh.flags &= !MentalHealth::DEPRESSIVE;
            // No draw when no episode can be persistent, so that results without persistent
            // episodes do not depend on this draw.
            if k.persistent_share > 0.0 && rng.random_bool(k.persistent_share) {
                mh.flags |= MentalHealth::PERSISTENT;
            }
            mh.episodes = mh.episodes.saturating_add(1);
            mh.set_point = set_point(pop, person, mh.diathesis, mh.episodes, s);
            Transition::Onset
        }
    };
    // Depressive level (measurement only): an episode that begins above `theta_depressive`.
    if transition == Transition::Onset && mh.distress > k.theta_depressive {
        mh.flags |= MentalHealth::DEPRESSIVE;
    }

    // Severe mental illness: onset at 16-64, relapse (more likely when distressed), return
    // to stability, and lasting recovery.
    if mh.smi != Smi::None || (16..=64).contains(&input.age) {
        let u: f64 = rng.random();
        mh.smi = match mh.smi {
            Smi::None if u < k.smi[0] => Smi::Acute,
            Smi::Stable => {
                let mut rr = if mh.distress > k.theta_on {
                    k.smi_distress_relapse_rr
                } else {
                    1.0
                };
                match mh.care {
                    Care::Cmht => rr *= k.care_relapse_rr[0],
                    Care::Hub => rr *= k.care_relapse_rr[1],
                    _ => {}
                }
                if u < k.smi[1] * rr {
                    Smi::Acute
                } else if u < k.smi[1] * rr + k.smi[3] {
                    Smi::None
                } else {
                    Smi::Stable
                }
            }
            Smi::Acute
                if u < k.smi[2]
                    * if mh.care.staying() {
                        k.staying_recovery_rr
                    } else {
                        1.0
                    } =>
            {
                Smi::Stable
            }
            other => other,
        };
    }
    // Suicide: for people at risk, one more draw of the person's generator against the
    // hazard of their state after this week's step.
    let suicide = input.age >= k.suicide_min_age && {
        let x: u64 = rng.random();
        // Almost always at or above every threshold: the state need not be looked at.
        x < k.suicide_max && below_suicide_threshold(x, input.male, mh, k)
    };
    (transition, suicide)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Onsets per week at risk of a person of the ordinary class whose target stays at
    /// `target`, simulated with the update of 7.1 and the thresholds' rule (docs/ODD.md 7.5).
    fn onset_hazard(target: f32, k: &WeekConstants) -> f64 {
        use rand::SeedableRng;
        let (kappa, noise) = (k.kappa[0], k.noise_sd[0]);
        let (mut onsets, mut at_risk) = (0u64, 0u64);
        for person in 0..4_000u64 {
            let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(person);
            let (mut w, mut ill, mut run, mut weeks) = (target, false, 0u8, 0u16);
            for week in 0..2_600 {
                let eps: f32 = StandardNormal.sample(&mut rng);
                w += kappa * (target - w) + noise * eps;
                let was_ill = ill;
                let crossing = hysteresis(
                    &mut ill,
                    &mut run,
                    &mut weeks,
                    (w > k.theta_on, w < k.theta_off),
                    true,
                    k,
                );
                if week >= 52 && !was_ill {
                    at_risk += 1;
                    onsets += u64::from(crossing == Crossing::Onset);
                }
            }
        }
        onsets as f64 / at_risk as f64
    }

    #[test]
    fn a_twentieth_of_an_sd_raises_the_onset_hazard_by_about_a_third() {
        // The scale behind the default of `healthy_friends_onset` (0.05 SD, about half of
        // Hill et al.'s halving on the log scale; 0.1 SD about the halving itself).
        let k = WeekConstants::new(&Scenario::default(), &Effects::NEUTRAL);
        let base = onset_hazard(0.0, &k);
        let (half, whole) = (onset_hazard(0.05, &k) / base, onset_hazard(0.1, &k) / base);
        assert!((1.2..1.6).contains(&half), "0.05 SD: x{half}");
        assert!((1.6..2.3).contains(&whole), "0.1 SD: x{whole}");
    }

    #[test]
    fn too_few_well_ties_shift_the_target_while_the_onset_term_is_on() {
        let ties = |ill: f32, total: f32| TieExposure {
            ill,
            total,
            close_ill: 0.0,
            close_total: 0.0,
        };
        let mut s = Scenario::default();
        assert_eq!(s.dynamics.healthy_friends_onset, 0.05);
        // Switched off, the shift is contagion alone, capped at `peer_cap` ill ties.
        s.dynamics.healthy_friends_onset = 0.0;
        let k = WeekConstants::new(&s, &Effects::NEUTRAL);
        assert_eq!(ties(0.0, 0.0).peer_shift(&k), 0.0);
        assert!((ties(4.0, 6.0).peer_shift(&k) - 0.04 * 3.0).abs() < 1e-6);
        s.dynamics.healthy_friends_onset = 0.1;
        s.dynamics.healthy_friends_sufficient = 5.0;
        let k = WeekConstants::new(&s, &Effects::NEUTRAL);
        let close = |a: f32, b: f32| (a - b).abs() < 1e-6;
        // Nobody well: the whole shift; the ill ties add their contagion besides.
        assert!(close(ties(0.0, 0.0).peer_shift(&k), 0.1));
        assert!(close(ties(2.0, 2.0).peer_shift(&k), 0.1 + 0.04 * 2.0));
        // Linear in the well ties up to sufficiency, then nothing.
        assert!(close(ties(0.0, 2.5).peer_shift(&k), 0.05));
        assert!(close(ties(1.0, 5.0).peer_shift(&k), 0.04 + 0.1 * 0.2));
        assert!(close(ties(0.0, 5.0).peer_shift(&k), 0.0));
        assert!(close(ties(0.0, 40.0).peer_shift(&k), 0.0));
        // The peer multiplier scales it with every other peer effect, and 0 removes it.
        s.dynamics.peer_multiplier = 0.0;
        let k = WeekConstants::new(&s, &Effects::NEUTRAL);
        assert_eq!(ties(0.0, 0.0).peer_shift(&k), 0.0);
    }

    fn followed(first_remission: u16, recurred: bool) -> MentalHealth {
        MentalHealth {
            distress: 0.0,
            diathesis: 0.0,
            set_point: 0.0,
            pulse: 0.0,
            episode_weeks: 0,
            first_remission,
            episodes: 1,
            run: 0,
            ill: false,
            chronic: false,
            smi: Smi::None,
            care: Care::None,
            care_weeks: 0,
            flags: MentalHealth::FIRST_REMITTED | if recurred { MentalHealth::RECURRED } else { 0 },
        }
    }

    #[test]
    fn a_recurrence_within_26_weeks_leaves_the_follow_up_and_later_ones_count() {
        let [recovered, five, ten, twenty] = FOLLOW_UP_WEEKS;
        assert_eq!((recovered, five, ten, twenty), (26, 260, 520, 1040));
        // Recurred within 26 weeks: out of the follow-up, never tallied.
        let mut m = followed(100, true);
        assert_eq!(recurrence_follow_up(&mut m, 126, recovered), None);
        assert_eq!(
            m.flags & (MentalHealth::FIRST_REMITTED | MentalHealth::RECURRED),
            0
        );
        assert_eq!(recurrence_follow_up(&mut m, 360, five), None);
        // Recovered for 26 weeks: the check tallies nothing, and a later recurrence counts at
        // each horizon until the last ends the follow-up.
        let mut m = followed(100, false);
        assert_eq!(recurrence_follow_up(&mut m, 126, recovered), None);
        assert_ne!(m.flags & MentalHealth::FIRST_REMITTED, 0);
        assert_eq!(recurrence_follow_up(&mut m, 360, five), Some(false));
        m.flags |= MentalHealth::RECURRED;
        assert_eq!(recurrence_follow_up(&mut m, 620, ten), Some(true));
        assert_eq!(recurrence_follow_up(&mut m, 1140, twenty), Some(true));
        assert_eq!(
            m.flags & (MentalHealth::FIRST_REMITTED | MentalHealth::RECURRED),
            0
        );
        // A slot whose first remission is another week (reused by a newborn) is not followed.
        let mut m = followed(101, false);
        assert_eq!(recurrence_follow_up(&mut m, 360, five), None);
        assert_eq!(recurrence_follow_up(&mut m, 10, five), None);
    }
}
