//! What is observed each week: the metric table, the strata, and per-replicate series.
//!
//! During a week each person adds to one *cell* (sex x age band x deprivation quintile x
//! employment state); at the end of the week the cells are added up into the published
//! strata and turned into metrics. Everything here is a pure computation over counts.

use crate::params::{MeasureParams, ValuationParams};

/// A published weekly metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// People in the stratum.
    Population,
    /// Share of the stratum in an episode of common mental disorder.
    Prevalence,
    /// Onsets per 1,000 person-years at risk (people not in an episode).
    Incidence,
    /// Remissions per 1,000 person-years in an episode.
    Remission,
    /// Mean latent distress.
    MeanDistress,
    /// Expected share with GHQ-12 caseness (score >= 4).
    Ghq12Caseness,
    /// Mean WEMWBS score.
    Wemwbs,
    /// Mean SF-12 mental component score.
    Sf12Mcs,
    /// Mean life satisfaction (0-10).
    LifeSatisfaction,
    /// Share with severe mental illness.
    SmiPrevalence,
    /// Share of the economically active who are unemployed.
    UnemploymentRate,
    /// Share living in a household below the poverty line.
    Poverty,
    /// Share in problem debt.
    ProblemDebt,
    /// Share in housing-payment arrears.
    Arrears,
    /// Share often lonely.
    Lonely,
    /// Quality-adjusted life years lived this week (EQ-5D utility by state / 52).
    QalysWeek,
    /// Wellbeing-years this week: life satisfaction (0-10) summed over people / 52.
    WellbysWeek,
    /// Monetary value of the week's QALYs.
    QalyValue,
    /// Monetary value of the week's WELLBYs.
    WellbyValue,
    /// Primary-care consultations about mental health.
    Consultations,
    /// Referrals to talking therapy (joining the waiting list).
    Referrals,
    /// People on the talking-therapy waiting list.
    WaitingList,
    /// Courses of talking therapy started.
    TherapyStarts,
    /// People discharged from the waiting list at their turn because they had recovered.
    DischargedWaiting,
    /// Median wait of the week's therapy starters.
    WaitMedian,
    /// Share of the week's therapy starters who waited 6 weeks or less.
    WaitWithin6,
    /// Share of the week's therapy starters who waited 18 weeks or less.
    WaitWithin18,
    /// Courses of talking therapy completed.
    TherapyCompletions,
    /// Completed courses ending below caseness.
    TherapyRecoveries,
    /// Share of completed courses ending below caseness.
    RecoveryRate,
    /// Courses of talking therapy left before the end.
    TherapyDropouts,
    /// People in a course of talking therapy.
    InTherapy,
    /// People taking antidepressant medication.
    OnMedication,
    /// Share of people in an episode who are in treatment (therapy, medication, community team, hub, bed or centre).
    TreatmentShare,
    /// People on a community mental health team caseload.
    CmhtCaseload,
    /// People supported by a living-well hub.
    HubMembers,
    /// Mental-health crises.
    Crises,
    /// Crises met by a crisis resolution (home) team.
    CrisisTeamResponses,
    /// Voluntary psychiatric admissions.
    AdmissionsVoluntary,
    /// Compulsory (Mental Health Act) admissions.
    AdmissionsCompulsory,
    /// Crises taken into a 24/7 community-centre place.
    CentreAdmissions,
    /// People in a psychiatric bed (local or out of area).
    Inpatients,
    /// Inpatients placed out of area for want of a local bed.
    OutOfArea,
    /// Local inpatients / local beds, whole population only (beds rounded up: a small town has at least one).
    BedOccupancy,
    /// People staying in a community-centre place.
    CentreOccupants,
    /// Benefit sanctions.
    Sanctions,
    /// Work-capability reassessments.
    Reassessments,
    /// Cost of services used this week (unit costs in `[services]` and the policies).
    CostServices,
    /// Cost of primary care and talking therapies this week.
    CostPrimary,
    /// Cost of community and crisis services this week.
    CostCommunity,
    /// Cost of inpatient beds this week.
    CostInpatient,
    /// Cost of community, school and prevention programmes this week.
    CostProgrammes,
    /// Services plus programmes.
    CostTotal,
    /// Suicides per 100,000 person-years.
    Suicides,
    /// New recorded cases (first recognitions of an episode in primary care) per 1,000 person-years.
    RecordedIncidence,
    /// Of the episodes whose two-year course became known this week (a remission within 104
    /// weeks, or 104 weeks passed), the share that remitted within 13 weeks: an incident
    /// cohort's share, as in a follow-up of new episodes.
    RemittedWithin13w,
    /// As [`Metric::RemittedWithin13w`], within 52 weeks.
    RemittedWithin52w,
    /// As [`Metric::RemittedWithin13w`], the share still in the episode after 104 weeks.
    EpisodesOver104w,
    /// Of the people whose first episode ended 5 years ago and who stayed free of episodes
    /// for the 26 weeks after, the share who have had another since.
    Recurrence5y,
    /// As [`Metric::Recurrence5y`], 10 years after.
    Recurrence10y,
    /// As [`Metric::Recurrence5y`], 20 years after.
    Recurrence20y,
    /// Share of the courses of talking therapy ending this week that were completed.
    TherapyCompletion,
    /// Share of the population in an episode with latent distress above `theta_depressive`
    /// this week (depressive-episode level).
    DepressivePrevalence,
    /// As [`Metric::RemittedWithin13w`], among the depressive-level episodes (those whose
    /// latent distress was above `theta_depressive` in the week they began).
    DepressiveRemittedWithin13w,
    /// As [`Metric::RemittedWithin52w`], among the depressive-level episodes.
    DepressiveRemittedWithin52w,
    /// As [`Metric::EpisodesOver104w`], among the depressive-level episodes.
    DepressiveEpisodesOver104w,
}

impl Metric {
    /// Every metric, in output order.
    pub const ALL: [Metric; 66] = [
        Metric::Population,
        Metric::Prevalence,
        Metric::Incidence,
        Metric::Remission,
        Metric::MeanDistress,
        Metric::Ghq12Caseness,
        Metric::Wemwbs,
        Metric::Sf12Mcs,
        Metric::LifeSatisfaction,
        Metric::SmiPrevalence,
        Metric::UnemploymentRate,
        Metric::Poverty,
        Metric::ProblemDebt,
        Metric::Arrears,
        Metric::Lonely,
        Metric::QalysWeek,
        Metric::WellbysWeek,
        Metric::QalyValue,
        Metric::WellbyValue,
        Metric::Consultations,
        Metric::Referrals,
        Metric::WaitingList,
        Metric::TherapyStarts,
        Metric::DischargedWaiting,
        Metric::WaitMedian,
        Metric::WaitWithin6,
        Metric::WaitWithin18,
        Metric::TherapyCompletions,
        Metric::TherapyRecoveries,
        Metric::RecoveryRate,
        Metric::TherapyDropouts,
        Metric::InTherapy,
        Metric::OnMedication,
        Metric::TreatmentShare,
        Metric::CmhtCaseload,
        Metric::HubMembers,
        Metric::Crises,
        Metric::CrisisTeamResponses,
        Metric::AdmissionsVoluntary,
        Metric::AdmissionsCompulsory,
        Metric::CentreAdmissions,
        Metric::Inpatients,
        Metric::OutOfArea,
        Metric::BedOccupancy,
        Metric::CentreOccupants,
        Metric::Sanctions,
        Metric::Reassessments,
        Metric::CostServices,
        Metric::CostPrimary,
        Metric::CostCommunity,
        Metric::CostInpatient,
        Metric::CostProgrammes,
        Metric::CostTotal,
        Metric::Suicides,
        Metric::RecordedIncidence,
        Metric::RemittedWithin13w,
        Metric::RemittedWithin52w,
        Metric::EpisodesOver104w,
        Metric::Recurrence5y,
        Metric::Recurrence10y,
        Metric::Recurrence20y,
        Metric::TherapyCompletion,
        Metric::DepressivePrevalence,
        Metric::DepressiveRemittedWithin13w,
        Metric::DepressiveRemittedWithin52w,
        Metric::DepressiveEpisodesOver104w,
    ];

    /// Name used for datasets and CSV columns.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Population => "population",
            Metric::Prevalence => "prevalence",
            Metric::Incidence => "incidence",
            Metric::Remission => "remission",
            Metric::MeanDistress => "mean_distress",
            Metric::Ghq12Caseness => "ghq12_caseness",
            Metric::Wemwbs => "wemwbs",
            Metric::Sf12Mcs => "sf12_mcs",
            Metric::LifeSatisfaction => "life_satisfaction",
            Metric::SmiPrevalence => "smi_prevalence",
            Metric::UnemploymentRate => "unemployment_rate",
            Metric::Poverty => "poverty",
            Metric::ProblemDebt => "problem_debt",
            Metric::Arrears => "arrears",
            Metric::Lonely => "lonely",
            Metric::QalysWeek => "qalys",
            Metric::WellbysWeek => "wellbys",
            Metric::QalyValue => "qaly_value",
            Metric::WellbyValue => "wellby_value",
            Metric::Consultations => "consultations",
            Metric::Referrals => "therapy_referrals",
            Metric::WaitingList => "waiting_list",
            Metric::TherapyStarts => "therapy_starts",
            Metric::DischargedWaiting => "discharged_from_waiting",
            Metric::WaitMedian => "wait_median",
            Metric::WaitWithin6 => "wait_within_6",
            Metric::WaitWithin18 => "wait_within_18",
            Metric::TherapyCompletions => "therapy_completions",
            Metric::TherapyRecoveries => "therapy_recoveries",
            Metric::RecoveryRate => "recovery_rate",
            Metric::TherapyDropouts => "therapy_dropouts",
            Metric::InTherapy => "in_therapy",
            Metric::OnMedication => "on_medication",
            Metric::TreatmentShare => "treatment_share",
            Metric::CmhtCaseload => "cmht_caseload",
            Metric::HubMembers => "hub_members",
            Metric::Crises => "crises",
            Metric::CrisisTeamResponses => "crisis_team_responses",
            Metric::AdmissionsVoluntary => "admissions_voluntary",
            Metric::AdmissionsCompulsory => "admissions_compulsory",
            Metric::CentreAdmissions => "centre_admissions",
            Metric::Inpatients => "inpatients",
            Metric::OutOfArea => "out_of_area",
            Metric::BedOccupancy => "bed_occupancy",
            Metric::CentreOccupants => "centre_occupants",
            Metric::Sanctions => "sanctions",
            Metric::Reassessments => "reassessments",
            Metric::CostServices => "cost_services",
            Metric::CostPrimary => "cost_primary_care",
            Metric::CostCommunity => "cost_community",
            Metric::CostInpatient => "cost_inpatient",
            Metric::CostProgrammes => "cost_programmes",
            Metric::CostTotal => "cost_total",
            Metric::Suicides => "suicides",
            Metric::RecordedIncidence => "recorded_incidence",
            Metric::RemittedWithin13w => "remitted_within_13w",
            Metric::RemittedWithin52w => "remitted_within_52w",
            Metric::EpisodesOver104w => "episodes_over_104w",
            Metric::Recurrence5y => "recurrence_5y",
            Metric::Recurrence10y => "recurrence_10y",
            Metric::Recurrence20y => "recurrence_20y",
            Metric::DepressivePrevalence => "depressive_prevalence",
            Metric::DepressiveRemittedWithin13w => "depressive_remitted_within_13w",
            Metric::DepressiveRemittedWithin52w => "depressive_remitted_within_52w",
            Metric::DepressiveEpisodesOver104w => "depressive_episodes_over_104w",

            Metric::TherapyCompletion => "therapy_completion",
        }
    }

    /// Whether the metric is a cost (of services or programmes), discounted at
    /// `valuation.discount_rate`; every other metric is discounted at
    /// `valuation.health_discount_rate`, the monetary values of QALYs and WELLBYs included.
    pub fn is_cost(self) -> bool {
        matches!(
            self,
            Metric::CostServices
                | Metric::CostPrimary
                | Metric::CostCommunity
                | Metric::CostInpatient
                | Metric::CostProgrammes
                | Metric::CostTotal
        )
    }

    /// Unit of the metric.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::Population => "persons",
            Metric::Incidence | Metric::Remission | Metric::RecordedIncidence => {
                "per 1,000 person-years"
            }
            Metric::Suicides => "per 100,000 person-years at risk",
            Metric::MeanDistress => "SD of latent distress",
            Metric::Wemwbs => "WEMWBS points (14-70)",
            Metric::Sf12Mcs => "SF-12 MCS points",
            Metric::LifeSatisfaction => "points (0-10)",
            Metric::QalysWeek => "QALYs per week",
            Metric::WellbysWeek => "WELLBYs per week",
            Metric::Consultations
            | Metric::Referrals
            | Metric::TherapyStarts
            | Metric::DischargedWaiting
            | Metric::TherapyCompletions
            | Metric::TherapyRecoveries
            | Metric::TherapyDropouts
            | Metric::Crises
            | Metric::CrisisTeamResponses
            | Metric::AdmissionsVoluntary
            | Metric::AdmissionsCompulsory
            | Metric::CentreAdmissions
            | Metric::Sanctions
            | Metric::Reassessments => "persons per week",
            Metric::WaitingList
            | Metric::InTherapy
            | Metric::OnMedication
            | Metric::CmhtCaseload
            | Metric::HubMembers
            | Metric::Inpatients
            | Metric::OutOfArea
            | Metric::CentreOccupants => "persons",
            Metric::WaitMedian => "weeks",
            Metric::QalyValue | Metric::WellbyValue => "GBP per week",
            m if m.is_cost() => "GBP per week",
            _ => "share (0-1)",
        }
    }

    /// One-line description.
    pub fn description(self) -> &'static str {
        match self {
            Metric::Population => "people in the stratum",
            Metric::Prevalence => "share in an episode of common mental disorder",
            Metric::Incidence => {
                "episode onsets per 1,000 person-years among people not in an episode"
            }
            Metric::Remission => "remissions per 1,000 person-years among people in an episode",
            Metric::MeanDistress => "mean latent distress (population z-scale)",
            Metric::Ghq12Caseness => {
                "expected share with GHQ-12 score >= 4 (logistic link from distress)"
            }
            Metric::Wemwbs => "mean Warwick-Edinburgh Mental Wellbeing Scale score (linear link)",
            Metric::Sf12Mcs => "mean SF-12 mental component summary (linear link)",
            Metric::LifeSatisfaction => "mean life satisfaction 0-10 (linear link; for WELLBYs)",
            Metric::SmiPrevalence => "share with severe mental illness (psychosis, bipolar)",
            Metric::UnemploymentRate => "unemployed / (employed + unemployed)",
            Metric::Poverty => "share in households below the poverty line",
            Metric::ProblemDebt => "share in problem debt",
            Metric::Arrears => "share in housing-payment arrears",
            Metric::Lonely => "share often or always lonely",
            Metric::QalysWeek => {
                "quality-adjusted life years lived this week (EQ-5D utility by state / 52)"
            }
            Metric::WellbysWeek => {
                "wellbeing-years this week: life satisfaction (0-10) summed over people / 52"
            }
            Metric::Consultations => "primary-care consultations about mental health",
            Metric::Referrals => "referrals to talking therapy (joining the waiting list)",
            Metric::WaitingList => "people on the talking-therapy waiting list",
            Metric::TherapyStarts => "courses of talking therapy started",
            Metric::DischargedWaiting => {
                "people discharged from the waiting list at their turn, having recovered while waiting"
            }
            Metric::QalyValue => "the week's QALYs valued at valuation.qaly_value (GBP)",
            Metric::WellbyValue => "the week's WELLBYs valued at valuation.wellby_value (GBP)",
            Metric::WaitMedian => "median wait of the week's therapy starters",
            Metric::WaitWithin6 => {
                "share of the week's therapy starters who waited 6 weeks or less"
            }
            Metric::WaitWithin18 => {
                "share of the week's therapy starters who waited 18 weeks or less"
            }
            Metric::TherapyCompletions => "courses of talking therapy completed",
            Metric::TherapyRecoveries => "completed courses ending below caseness",
            Metric::RecoveryRate => "share of completed courses ending below caseness",
            Metric::TherapyDropouts => "courses of talking therapy left before the end",
            Metric::InTherapy => "people in a course of talking therapy",
            Metric::OnMedication => "people taking antidepressant medication",
            Metric::TreatmentShare => {
                "share of people in an episode who are in treatment (therapy, medication, community team, hub, bed or centre)"
            }
            Metric::CmhtCaseload => "people on a community mental health team caseload",
            Metric::HubMembers => "people supported by a living-well hub",
            Metric::Crises => "mental-health crises",
            Metric::CrisisTeamResponses => "crises met by a crisis resolution (home) team",
            Metric::AdmissionsVoluntary => "voluntary psychiatric admissions",
            Metric::AdmissionsCompulsory => "compulsory (Mental Health Act) admissions",
            Metric::CentreAdmissions => "crises taken into a 24/7 community-centre place",
            Metric::Inpatients => "people in a psychiatric bed (local or out of area)",
            Metric::OutOfArea => "inpatients placed out of area for want of a local bed",
            Metric::BedOccupancy => {
                "local inpatients / local beds, whole population only (beds rounded up: a small town has at least one)"
            }
            Metric::CentreOccupants => "people staying in a community-centre place",
            Metric::Sanctions => "benefit sanctions",
            Metric::Reassessments => "work-capability reassessments",
            Metric::CostServices => {
                "cost of services used this week (unit costs in `[services]` and the policies)"
            }
            Metric::CostPrimary => {
                "cost of primary-care consultations, talking therapy and medication this week"
            }
            Metric::CostCommunity => {
                "cost of community teams, hubs, community centres and crisis responses this week"
            }
            Metric::CostInpatient => "cost of inpatient beds, local and out of area, this week",
            Metric::CostProgrammes => {
                "cost of community, school and prevention programmes this week"
            }
            Metric::CostTotal => "services plus programmes",
            Metric::Suicides => {
                "suicides per 100,000 person-years at ages suicide.min_age (10) and over, as ONS rates (counted in the stratum the person was in that week)"
            }
            Metric::RecordedIncidence => {
                "new recorded cases per 1,000 person-years: episodes recognised at a primary-care consultation for the first time"
            }
            Metric::RemittedWithin13w => {
                "of the episodes whose two-year course became known this week (remitted within 104 weeks, or 104 weeks passed), the share that remitted within 13 weeks (an incident cohort's share)"
            }
            Metric::RemittedWithin52w => {
                "of the episodes whose two-year course became known this week, the share that remitted within 52 weeks"
            }
            Metric::EpisodesOver104w => {
                "of the episodes whose two-year course became known this week, the share still in the episode after 104 weeks"
            }
            Metric::Recurrence5y => {
                "of the people whose first episode ended exactly 5 years (260 weeks) ago and who had no other episode in the 26 weeks after, the share who have had one since"
            }
            Metric::Recurrence10y => "as recurrence_5y, 10 years (520 weeks) after the remission",
            Metric::Recurrence20y => "as recurrence_5y, 20 years (1,040 weeks) after the remission",
            Metric::DepressivePrevalence => {
                "share in an episode whose latent distress is above dynamics.theta_depressive this week (depressive-episode level, as APMS's CIS-R depressive episode)"
            }
            Metric::DepressiveRemittedWithin13w => {
                "as remitted_within_13w, among the depressive-level episodes (those whose latent distress was above dynamics.theta_depressive in the week they began)"
            }
            Metric::DepressiveRemittedWithin52w => {
                "as remitted_within_52w, among the depressive-level episodes"
            }
            Metric::DepressiveEpisodesOver104w => {
                "as episodes_over_104w, among the depressive-level episodes"
            }
            Metric::TherapyCompletion => {
                "completions / (completions + drop-outs) among the courses of talking therapy ending this week"
            }
        }
    }
}

/// Age bands of the cells: 0-4, 5-15, 16-24, 25-34, 35-44, 45-54, 55-64, 65+.
pub const N_AGE_BANDS: usize = 8;
/// Employment states of the cells (the six adult states plus child).
pub const N_EMPLOYMENT: usize = 7;
/// Number of cells.
pub const N_CELLS: usize = 2 * N_AGE_BANDS * 5 * N_EMPLOYMENT;

/// Age band index of an age.
#[inline]
pub fn age_band(age: u8) -> usize {
    match age {
        0..=4 => 0,
        5..=15 => 1,
        16..=24 => 2,
        a => (3 + (a as usize - 25) / 10).min(7),
    }
}

/// Cell index of a person.
#[inline]
pub fn cell(sex: u8, age: u8, quintile: u8, employment: u8) -> usize {
    ((usize::from(sex) * N_AGE_BANDS + age_band(age)) * 5 + usize::from(quintile)) * N_EMPLOYMENT
        + usize::from(employment)
}

/// The published strata. People under 5 are not observed.
pub fn strata() -> Vec<String> {
    let mut s: Vec<String> = vec!["all".into(), "male".into(), "female".into()];
    for band in [
        "5_15", "16_24", "25_34", "35_44", "45_54", "55_64", "65_plus", "16_64",
    ] {
        s.push(format!("age_{band}"));
    }
    for q in 1..=5 {
        s.push(format!("imd_q{q}"));
    }
    for e in crate::population::Employment::ADULT {
        s.push(e.name().to_string());
    }
    for band in ["16_24", "16_64"] {
        for sex in ["male", "female"] {
            s.push(format!("{sex}_{band}"));
        }
    }
    s
}

/// Number of published strata.
pub const N_STRATA: usize = 26;

/// Strata a cell belongs to (indices into [`strata`]).
fn strata_of_cell(c: usize) -> impl Iterator<Item = usize> {
    let employment = c % N_EMPLOYMENT;
    let quintile = (c / N_EMPLOYMENT) % 5;
    let band = (c / (N_EMPLOYMENT * 5)) % N_AGE_BANDS;
    let sex = c / (N_EMPLOYMENT * 5 * N_AGE_BANDS);
    let observed = band >= 1;
    let mut out = [usize::MAX; 8];
    if observed {
        out[0] = 0;
        out[1] = 1 + sex;
        out[2] = 3 + band - 1;
        if (2..=6).contains(&band) {
            out[3] = 10;
            // Sex by age: male_16_24, female_16_24, male_16_64, female_16_64.
            if band == 2 {
                out[6] = 22 + sex;
            }
            out[7] = 24 + sex;
        }
        out[4] = 11 + quintile;
        if employment < 6 {
            out[5] = 16 + employment;
        }
    }
    out.into_iter().filter(|&i| i != usize::MAX)
}

/// Counts of one cell in one week. Integer counts keep sums exact and order-free.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// People.
    pub n: u32,
    /// In an episode at the end of the week.
    pub ill: u32,
    /// Onsets during the week.
    pub onsets: u32,
    /// In an episode at the start of the week.
    pub ill_before: u32,
    /// Remissions during the week.
    pub remissions: u32,
    /// With severe mental illness.
    pub smi: u32,
    /// Employed.
    pub employed: u32,
    /// Unemployed.
    pub unemployed: u32,
    /// In poverty.
    pub poor: u32,
    /// In problem debt.
    pub debt: u32,
    /// In arrears.
    pub arrears: u32,
    /// Often lonely.
    pub lonely: u32,
    /// Suicides.
    pub suicides: u32,
    /// In an episode with latent distress above `theta_depressive` (depressive level).
    pub depressive: u32,
    /// Two-year courses of episodes that became known this week.
    pub courses: Courses,
    /// Those of depressive-level episodes ([`crate::dynamics::MentalHealth::DEPRESSIVE`]).
    pub depressive_courses: Courses,
    /// People whose first episode ended 5, 10 and 20 years ago and who had no other episode
    /// in the 26 weeks after (recurrence follow-up).
    pub followed_up: [u32; 3],
    /// Of those, people who have had another episode since.
    pub recurred: [u32; 3],
    /// People younger than the youngest age at risk of suicide (`suicide.min_age`).
    pub below_suicide_age: u32,
    /// Sum of latent distress.
    pub distress: f64,
    /// Sum of the GHQ-12 caseness probability.
    pub ghq: f64,
}

impl Tally {
    /// Book the duration (weeks) of an episode that ended by remission this week, and of
    /// whether it was a depressive-level one (the remission itself is counted through
    /// [`PersonTally::remission`]).
    #[inline]
    pub fn add_ended_episode(&mut self, weeks: u16, depressive: bool) {
        self.courses.add_remission(weeks);
        if depressive {
            self.depressive_courses.add_remission(weeks);
        }
    }

    /// Add another tally.
    pub fn add(&mut self, o: &Tally) {
        self.n += o.n;
        self.ill += o.ill;
        self.onsets += o.onsets;
        self.ill_before += o.ill_before;
        self.remissions += o.remissions;
        self.smi += o.smi;
        self.employed += o.employed;
        self.unemployed += o.unemployed;
        self.poor += o.poor;
        self.debt += o.debt;
        self.arrears += o.arrears;
        self.lonely += o.lonely;
        self.depressive += o.depressive;
        self.courses.add(&o.courses);
        self.depressive_courses.add(&o.depressive_courses);
        for h in 0..3 {
            self.followed_up[h] += o.followed_up[h];
            self.recurred[h] += o.recurred[h];
        }
        self.suicides += o.suicides;
        self.below_suicide_age += o.below_suicide_age;
        self.distress += o.distress;
        self.ghq += o.ghq;
    }
}

/// The two-year courses of episodes that became known in one week: a remission within 104
/// weeks, or 104 weeks passed. Each episode that begins is counted once, at the end of its
/// first two years or earlier, so shares of [`Courses::known`] are those of an incident cohort.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Courses {
    /// Remissions ending an episode of 13 weeks or less.
    pub remitted_13w: u32,
    /// Remissions ending an episode of 52 weeks or less.
    pub remitted_52w: u32,
    /// Remissions ending an episode of 104 weeks or less.
    pub remitted_104w: u32,
    /// Running episodes that passed 104 weeks this week
    /// ([`crate::dynamics::Transition::Prolonged`]).
    pub prolonged: u32,
}

impl Courses {
    /// Book the duration (weeks) of an episode that ended by remission. An episode of more
    /// than 104 weeks was booked when it passed 104 weeks ([`Courses::prolonged`]).
    #[inline]
    pub fn add_remission(&mut self, weeks: u16) {
        self.remitted_13w += u32::from(weeks <= 13);
        self.remitted_52w += u32::from(weeks <= 52);
        self.remitted_104w += u32::from(weeks <= crate::dynamics::LONG_EPISODE_WEEKS);
    }

    /// Episodes whose two-year course became known: remitted within 104 weeks, or passed
    /// 104 weeks.
    #[inline]
    pub fn known(&self) -> u32 {
        self.remitted_104w + self.prolonged
    }

    /// The share of the known courses that `count` picks (NaN when none became known).
    #[inline]
    pub fn share(&self, count: impl Fn(&Courses) -> u32) -> f64 {
        let known = self.known();
        if known == 0 {
            f64::NAN
        } else {
            f64::from(count(self)) / f64::from(known)
        }
    }

    /// Add another week's or cell's courses.
    #[inline]
    pub fn add(&mut self, o: &Courses) {
        self.remitted_13w += o.remitted_13w;
        self.remitted_52w += o.remitted_52w;
        self.remitted_104w += o.remitted_104w;
        self.prolonged += o.prolonged;
    }
}

/// Service use and welfare events of one cell in one week (people are counted in the cell
/// they were in during the week's mental-health phase).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ServiceCounts {
    /// On the therapy waiting list.
    pub waiting: u32,
    /// In therapy.
    pub therapy: u32,
    /// On medication.
    pub medication: u32,
    /// On a community-team caseload.
    pub cmht: u32,
    /// Hub members.
    pub hub: u32,
    /// Inpatients in local beds.
    pub inpatient: u32,
    /// Inpatients out of area.
    pub out_of_area: u32,
    /// In a community-centre place.
    pub centre: u32,
    /// In an episode and in treatment.
    pub treated_ill: u32,
    /// Primary-care consultations.
    pub consultations: u32,
    /// Episodes recognised in primary care for the first time (new recorded cases).
    pub recorded: u32,
    /// Referrals to therapy.
    pub referrals: u32,
    /// Therapy starts.
    pub starts: u32,
    /// Starts after waiting 6 weeks or less.
    pub started_within_6: u32,
    /// Starts after waiting 18 weeks or less.
    pub started_within_18: u32,
    /// Completed courses.
    pub completions: u32,
    /// Completed courses ending below caseness.
    pub recoveries: u32,
    /// Drop-outs.
    pub dropouts: u32,
    /// Discharged from the waiting list having recovered while waiting.
    pub discharged_waiting: u32,
    /// Crises.
    pub crises: u32,
    /// Crises met by a crisis team.
    pub crisis_team: u32,
    /// Voluntary admissions.
    pub admissions_voluntary: u32,
    /// Compulsory admissions.
    pub admissions_compulsory: u32,
    /// Crises taken into a community-centre place.
    pub centre_admissions: u32,
    /// Benefit sanctions.
    pub sanctions: u32,
    /// Work-capability reassessments.
    pub reassessments: u32,
    /// Cost of services (GBP) by area: primary care and talking therapies, community and
    /// crisis services, inpatient beds (see [`COST_AREA`]).
    pub cost: [f64; 3],
    /// Cost of programmes (GBP).
    pub programme_cost: f64,
}

/// The area of each service unit cost (indexed like `services::Constants::cost`): 0 primary
/// care and talking therapies (consultations, therapy, medication), 1 community and crisis
/// services (community teams, hubs, centres, crisis responses), 2 inpatient beds (local and
/// out of area).
pub const COST_AREA: [usize; 11] = [0, 0, 0, 1, 1, 2, 2, 1, 1, 1, 1];

impl ServiceCounts {
    /// Book the unit cost `unit` (an index of `cost`) to its area.
    #[inline]
    pub fn spend(&mut self, unit: usize, cost: &[f64; 11]) {
        self.cost[COST_AREA[unit]] += cost[unit];
    }

    /// Add another cell's counts.
    #[inline]
    pub fn add(&mut self, o: &ServiceCounts) {
        self.waiting += o.waiting;
        self.therapy += o.therapy;
        self.medication += o.medication;
        self.cmht += o.cmht;
        self.hub += o.hub;
        self.inpatient += o.inpatient;
        self.out_of_area += o.out_of_area;
        self.centre += o.centre;
        self.treated_ill += o.treated_ill;
        self.consultations += o.consultations;
        self.recorded += o.recorded;
        self.referrals += o.referrals;
        self.starts += o.starts;
        self.started_within_6 += o.started_within_6;
        self.started_within_18 += o.started_within_18;
        self.completions += o.completions;
        self.recoveries += o.recoveries;
        self.dropouts += o.dropouts;
        self.discharged_waiting += o.discharged_waiting;
        self.crises += o.crises;
        self.crisis_team += o.crisis_team;
        self.admissions_voluntary += o.admissions_voluntary;
        self.admissions_compulsory += o.admissions_compulsory;
        self.centre_admissions += o.centre_admissions;
        self.sanctions += o.sanctions;
        self.reassessments += o.reassessments;
        for (a, b) in self.cost.iter_mut().zip(o.cost) {
            *a += b;
        }
        self.programme_cost += o.programme_cost;
    }
}

/// The tallies of every cell for one week (or one chunk of people in one week).
#[derive(Debug, Clone)]
pub struct WeekTally {
    /// One tally per cell.
    pub cells: Vec<Tally>,
    /// Service counts per cell.
    pub services: Vec<ServiceCounts>,
    /// Waits of the week's therapy starters: (cell, weeks).
    pub waits: Vec<(u16, u16)>,
    /// Local inpatient beds this week.
    pub beds: f64,
}

impl Default for WeekTally {
    fn default() -> Self {
        WeekTally {
            cells: vec![Tally::default(); N_CELLS],
            services: vec![ServiceCounts::default(); N_CELLS],
            waits: Vec::new(),
            beds: 0.0,
        }
    }
}

impl WeekTally {
    /// Add another week tally cell by cell.
    pub fn add(&mut self, other: &WeekTally) {
        for (a, b) in self.cells.iter_mut().zip(&other.cells) {
            a.add(b);
        }
        for (a, b) in self.services.iter_mut().zip(&other.services) {
            a.add(b);
        }
        self.waits.extend_from_slice(&other.waits);
    }

    /// Metric values of every stratum: `out[metric][stratum]`.
    pub fn metrics(
        &self,
        measures: &MeasureParams,
        valuation: &ValuationParams,
    ) -> [[f64; N_STRATA]; Metric::ALL.len()] {
        let mut strata = [Tally::default(); N_STRATA];
        let mut services = [ServiceCounts::default(); N_STRATA];
        for (c, tally) in self.cells.iter().enumerate() {
            if tally.n == 0 && self.services[c] == ServiceCounts::default() {
                continue;
            }
            for s in strata_of_cell(c) {
                strata[s].add(tally);
                services[s].add(&self.services[c]);
            }
        }
        let mut waits: Vec<Vec<u16>> = vec![Vec::new(); N_STRATA];
        for &(c, w) in &self.waits {
            for s in strata_of_cell(usize::from(c)) {
                waits[s].push(w);
            }
        }
        let mut out = [[f64::NAN; N_STRATA]; Metric::ALL.len()];
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        let u = |x: u32| f64::from(x);
        for (s, t) in strata.iter().enumerate() {
            let n = f64::from(t.n);
            let mean_distress = ratio(t.distress, n);
            let v = &services[s];
            let w = &mut waits[s];
            w.sort_unstable();
            // QALYs and WELLBYs lived this week by the stratum.
            let qalys = (n * valuation.utility_well
                - u(t.ill) * valuation.utility_cmd_decrement
                - u(t.smi) * valuation.utility_smi_decrement)
                / 52.0;
            let wellbys = (n * measures.life_satisfaction_intercept
                + measures.life_satisfaction_slope * t.distress)
                / 52.0;
            let median = match w.len() {
                0 => f64::NAN,
                l if l % 2 == 1 => f64::from(w[l / 2]),
                l => (f64::from(w[l / 2 - 1]) + f64::from(w[l / 2])) / 2.0,
            };
            for (m, metric) in Metric::ALL.iter().enumerate() {
                out[m][s] = match metric {
                    Metric::Population => n,
                    Metric::Prevalence => ratio(f64::from(t.ill), n),
                    Metric::Incidence => {
                        ratio(f64::from(t.onsets), f64::from(t.n - t.ill_before)) * 52_000.0
                    }
                    Metric::Remission => {
                        ratio(f64::from(t.remissions), f64::from(t.ill_before)) * 52_000.0
                    }
                    Metric::MeanDistress => mean_distress,
                    Metric::Ghq12Caseness => ratio(t.ghq, n),
                    Metric::Wemwbs => {
                        measures.wemwbs_intercept + measures.wemwbs_slope * mean_distress
                    }
                    Metric::Sf12Mcs => {
                        measures.sf12_mcs_intercept + measures.sf12_mcs_slope * mean_distress
                    }
                    Metric::LifeSatisfaction => {
                        measures.life_satisfaction_intercept
                            + measures.life_satisfaction_slope * mean_distress
                    }
                    Metric::SmiPrevalence => ratio(f64::from(t.smi), n),
                    Metric::UnemploymentRate => ratio(
                        f64::from(t.unemployed),
                        f64::from(t.employed + t.unemployed),
                    ),
                    Metric::Poverty => ratio(f64::from(t.poor), n),
                    Metric::ProblemDebt => ratio(f64::from(t.debt), n),
                    Metric::Arrears => ratio(f64::from(t.arrears), n),
                    Metric::Lonely => ratio(f64::from(t.lonely), n),
                    Metric::QalysWeek => qalys,
                    Metric::WellbysWeek => wellbys,
                    Metric::QalyValue => valuation.qaly_value * qalys,
                    Metric::WellbyValue => valuation.wellby_value * wellbys,
                    Metric::DischargedWaiting => u(v.discharged_waiting),
                    Metric::Consultations => u(v.consultations),
                    Metric::Referrals => u(v.referrals),
                    Metric::WaitingList => u(v.waiting),
                    Metric::TherapyStarts => u(v.starts),
                    Metric::WaitMedian => median,
                    Metric::WaitWithin6 => ratio(u(v.started_within_6), u(v.starts)),
                    Metric::WaitWithin18 => ratio(u(v.started_within_18), u(v.starts)),
                    Metric::TherapyCompletions => u(v.completions),
                    Metric::TherapyRecoveries => u(v.recoveries),
                    Metric::RecoveryRate => ratio(u(v.recoveries), u(v.completions)),
                    Metric::TherapyDropouts => u(v.dropouts),
                    Metric::InTherapy => u(v.therapy),
                    Metric::OnMedication => u(v.medication),
                    Metric::TreatmentShare => ratio(u(v.treated_ill), u(t.ill)),
                    Metric::CmhtCaseload => u(v.cmht),
                    Metric::HubMembers => u(v.hub),
                    Metric::Crises => u(v.crises),
                    Metric::CrisisTeamResponses => u(v.crisis_team),
                    Metric::AdmissionsVoluntary => u(v.admissions_voluntary),
                    Metric::AdmissionsCompulsory => u(v.admissions_compulsory),
                    Metric::CentreAdmissions => u(v.centre_admissions),
                    Metric::Inpatients => u(v.inpatient + v.out_of_area),
                    Metric::OutOfArea => u(v.out_of_area),
                    Metric::BedOccupancy if s == 0 => ratio(u(v.inpatient), self.beds.ceil()),
                    Metric::BedOccupancy => f64::NAN,
                    Metric::CentreOccupants => u(v.centre),
                    Metric::Sanctions => u(v.sanctions),
                    Metric::Reassessments => u(v.reassessments),
                    Metric::CostServices => v.cost.iter().sum(),
                    Metric::CostPrimary => v.cost[0],
                    Metric::CostCommunity => v.cost[1],
                    Metric::CostInpatient => v.cost[2],
                    Metric::CostProgrammes => v.programme_cost,
                    Metric::CostTotal => v.cost.iter().sum::<f64>() + v.programme_cost,
                    Metric::Suicides => {
                        ratio(u(t.suicides), u(t.n - t.below_suicide_age)) * 5_200_000.0
                    }
                    Metric::RecordedIncidence => ratio(u(v.recorded), n) * 52_000.0,
                    Metric::RemittedWithin13w => t.courses.share(|c| c.remitted_13w),
                    Metric::RemittedWithin52w => t.courses.share(|c| c.remitted_52w),
                    Metric::EpisodesOver104w => t.courses.share(|c| c.prolonged),
                    Metric::DepressivePrevalence => ratio(u(t.depressive), n),
                    Metric::DepressiveRemittedWithin13w => {
                        t.depressive_courses.share(|c| c.remitted_13w)
                    }
                    Metric::DepressiveRemittedWithin52w => {
                        t.depressive_courses.share(|c| c.remitted_52w)
                    }
                    Metric::DepressiveEpisodesOver104w => {
                        t.depressive_courses.share(|c| c.prolonged)
                    }
                    Metric::Recurrence5y => ratio(u(t.recurred[0]), u(t.followed_up[0])),
                    Metric::Recurrence10y => ratio(u(t.recurred[1]), u(t.followed_up[1])),
                    Metric::Recurrence20y => ratio(u(t.recurred[2]), u(t.followed_up[2])),
                    Metric::TherapyCompletion => {
                        ratio(u(v.completions), u(v.completions + v.dropouts))
                    }
                };
            }
        }
        out
    }
}

/// Tallies of one chunk of people, packed for speed: thirteen 16-bit counters per cell in four
/// words, so that each person adds four words instead of updating thirteen fields. A chunk
/// must hold at most [`PackedTally::MAX_PEOPLE`] people so that no counter overflows.
#[derive(Debug, Clone)]
pub struct PackedTally {
    counts: Vec<[u64; 4]>,
    distress: Vec<f64>,
    ghq: Vec<f64>,
}

/// One person's contribution to a [`PackedTally`].
#[derive(Debug, Clone, Copy, Default)]
pub struct PersonTally {
    /// In an episode at the end of the week.
    pub ill: bool,
    /// In an episode at the start of the week.
    pub ill_before: bool,
    /// Onset this week.
    pub onset: bool,
    /// Remission this week.
    pub remission: bool,
    /// With severe mental illness.
    pub smi: bool,
    /// Employed.
    pub employed: bool,
    /// Unemployed.
    pub unemployed: bool,
    /// In poverty.
    pub poor: bool,
    /// In problem debt.
    pub debt: bool,
    /// In arrears.
    pub arrears: bool,
    /// Often lonely.
    pub lonely: bool,
    /// In an episode with latent distress above `theta_depressive`.
    pub depressive: bool,
    /// Latent distress.
    pub distress: f32,
    /// Probability of GHQ-12 caseness.
    pub ghq: f32,
}

impl Default for PackedTally {
    fn default() -> Self {
        PackedTally {
            counts: vec![[0; 4]; N_CELLS],
            distress: vec![0.0; N_CELLS],
            ghq: vec![0.0; N_CELLS],
        }
    }
}

impl PackedTally {
    /// Most people one packed tally can count.
    pub const MAX_PEOPLE: usize = u16::MAX as usize;

    /// Add one person to cell `c`.
    #[inline]
    pub fn add(&mut self, c: usize, p: &PersonTally) {
        let b = |x: bool, shift: u32| u64::from(x) << shift;
        let words = [
            1 | b(p.ill, 16) | b(p.ill_before, 32) | b(p.onset, 48),
            b(p.remission, 0) | b(p.smi, 16) | b(p.employed, 32) | b(p.unemployed, 48),
            b(p.poor, 0) | b(p.debt, 16) | b(p.lonely, 32) | b(p.arrears, 48),
            b(p.depressive, 0),
        ];
        let cell = &mut self.counts[c];
        for (w, x) in cell.iter_mut().zip(words) {
            *w += x;
        }
        self.distress[c] += f64::from(p.distress);
        self.ghq[c] += f64::from(p.ghq);
    }

    /// Add the unpacked counts to a week tally.
    pub fn add_to(&self, week: &mut WeekTally) {
        let field = |w: u64, shift: u32| ((w >> shift) & 0xffff) as u32;
        for (c, t) in week.cells.iter_mut().enumerate() {
            let [w0, w1, w2, w3] = self.counts[c];
            t.add(&Tally {
                n: field(w0, 0),
                ill: field(w0, 16),
                ill_before: field(w0, 32),
                onsets: field(w0, 48),
                remissions: field(w1, 0),
                smi: field(w1, 16),
                employed: field(w1, 32),
                unemployed: field(w1, 48),
                poor: field(w2, 0),
                debt: field(w2, 16),
                lonely: field(w2, 32),
                arrears: field(w2, 48),
                depressive: field(w3, 0),
                courses: Courses::default(),
                depressive_courses: Courses::default(),
                followed_up: [0; 3],
                recurred: [0; 3],
                suicides: 0,
                below_suicide_age: 0,
                distress: self.distress[c],
                ghq: self.ghq[c],
            });
        }
    }
}

/// Probability of GHQ-12 caseness at latent distress `w` (logistic link).
#[inline]
pub fn ghq12_probability(w: f32, midpoint: f32, scale: f32) -> f32 {
    1.0 / (1.0 + (-(w - midpoint) / scale).exp())
}

/// The GHQ-12 caseness link tabulated on a fine grid and interpolated linearly: the weekly
/// loop evaluates it for every person, and a table read is several times cheaper than `exp`.
/// The interpolation error is below 1e-4 (tested).
#[derive(Debug, Clone)]
pub struct GhqLink {
    table: Vec<f32>,
    lo: f32,
    inv_step: f32,
}

impl GhqLink {
    const LO: f32 = -8.0;
    const HI: f32 = 12.0;
    const BINS: usize = 2048;

    /// Tabulate the link with the given midpoint and scale.
    pub fn new(midpoint: f32, scale: f32) -> GhqLink {
        let step = (Self::HI - Self::LO) / Self::BINS as f32;
        let table = (0..=Self::BINS)
            .map(|i| ghq12_probability(Self::LO + i as f32 * step, midpoint, scale))
            .collect();
        GhqLink {
            table,
            lo: Self::LO,
            inv_step: 1.0 / step,
        }
    }

    /// Probability of caseness at distress `w`.
    #[inline]
    pub fn probability(&self, w: f32) -> f32 {
        let x = (w - self.lo) * self.inv_step;
        // `as` saturates (NaN -> 0), so the index is always in the table.
        let i = (x as usize).min(Self::BINS - 1);
        let f = (x - i as f32).clamp(0.0, 1.0);
        self.table[i] + f * (self.table[i + 1] - self.table[i])
    }
}

/// Every weekly metric of one replicate, plus the durations of its episodes.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateSeries {
    /// Replicate index.
    pub replicate: u32,
    /// Recorded weeks.
    pub weeks: usize,
    /// Values laid out `[metric][week][stratum]`, metrics in [`Metric::ALL`] order.
    pub values: Vec<f64>,
    /// Completed episodes that began during the recorded weeks, by duration in weeks
    /// (index = duration, last bin = that many or more).
    pub durations_completed: Vec<u32>,
    /// Episodes still running at the end that began during the recorded weeks, by their
    /// known (symptomatic) duration so far, measured as the completed ones (right-censored).
    pub durations_censored: Vec<u32>,
}

impl ReplicateSeries {
    /// Empty series for `weeks` weeks.
    pub fn new(replicate: u32, weeks: usize) -> Self {
        ReplicateSeries {
            replicate,
            weeks,
            values: vec![f64::NAN; Metric::ALL.len() * weeks * N_STRATA],
            durations_completed: vec![0; weeks + 1],
            durations_censored: vec![0; weeks + 1],
        }
    }

    /// Store one week's metrics.
    pub fn set_week(&mut self, week: usize, metrics: &[[f64; N_STRATA]; Metric::ALL.len()]) {
        for (m, row) in metrics.iter().enumerate() {
            let start = (m * self.weeks + week) * N_STRATA;
            self.values[start..start + N_STRATA].copy_from_slice(row);
        }
    }

    /// The `[week][stratum]` block of one metric.
    pub fn metric(&self, metric: Metric) -> &[f64] {
        let m = Metric::ALL
            .iter()
            .position(|x| *x == metric)
            .expect("metric in ALL");
        &self.values[m * self.weeks * N_STRATA..(m + 1) * self.weeks * N_STRATA]
    }

    /// Value of one metric in one week and stratum.
    pub fn get(&self, metric: Metric, week: usize, stratum: usize) -> f64 {
        self.metric(metric)[week * N_STRATA + stratum]
    }

    /// Mean of a metric over the last `last_weeks` recorded weeks in one stratum.
    pub fn mean_over_last(&self, metric: Metric, stratum: usize, last_weeks: usize) -> f64 {
        let from = self.weeks.saturating_sub(last_weeks);
        let vals: Vec<f64> = (from..self.weeks)
            .map(|w| self.get(metric, w, stratum))
            .filter(|v| v.is_finite())
            .collect();
        if vals.is_empty() {
            f64::NAN
        } else {
            vals.iter().sum::<f64>() / vals.len() as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabulated_link_matches_the_logistic() {
        let link = GhqLink::new(0.9, 0.35);
        for i in 0..4000 {
            let w = -6.0 + i as f32 * 0.004;
            assert!(
                (link.probability(w) - ghq12_probability(w, 0.9, 0.35)).abs() < 1e-4,
                "w = {w}"
            );
        }
        assert!(link.probability(-100.0) < 1e-6 && link.probability(100.0) > 0.999);
    }

    #[test]
    fn packed_tally_unpacks_to_the_same_counts() {
        let mut packed = PackedTally::default();
        let people = [
            PersonTally {
                ill: true,
                onset: true,
                employed: true,
                distress: 1.5,
                ghq: 0.7,
                ..Default::default()
            },
            PersonTally {
                ill_before: true,
                remission: true,
                unemployed: true,
                poor: true,
                debt: true,
                lonely: true,
                smi: true,
                distress: -0.5,
                ghq: 0.1,
                ..Default::default()
            },
        ];
        for _ in 0..1000 {
            for p in &people {
                packed.add(7, p);
            }
        }
        let mut week = WeekTally::default();
        packed.add_to(&mut week);
        let t = week.cells[7];
        assert_eq!(
            (t.n, t.ill, t.ill_before, t.onsets, t.remissions),
            (2000, 1000, 1000, 1000, 1000)
        );
        assert_eq!(
            (t.smi, t.employed, t.unemployed, t.poor, t.debt, t.lonely),
            (1000, 1000, 1000, 1000, 1000, 1000)
        );
        assert!((t.distress - 1000.0).abs() < 1e-9 && (t.ghq - 800.0).abs() < 1e-3);
        assert_eq!(week.cells[6], Tally::default());
    }

    #[test]
    fn strata_table_matches_count() {
        assert_eq!(strata().len(), N_STRATA);
    }

    #[test]
    fn cells_map_to_expected_strata() {
        // A woman aged 30 in quintile 5 who is unemployed.
        let c = cell(1, 30, 4, 1);
        let s: Vec<usize> = strata_of_cell(c).collect();
        let names = strata();
        let got: Vec<&str> = s.iter().map(|&i| names[i].as_str()).collect();
        assert_eq!(
            got,
            [
                "all",
                "female",
                "age_25_34",
                "age_16_64",
                "imd_q5",
                "unemployed",
                "female_16_64"
            ]
        );
        // A man aged 20 in quintile 1 who is a student.
        let s: Vec<&str> = strata_of_cell(cell(0, 20, 0, 3))
            .map(|i| names[i].as_str())
            .collect();
        assert_eq!(
            s,
            [
                "all",
                "male",
                "age_16_24",
                "age_16_64",
                "imd_q1",
                "student",
                "male_16_24",
                "male_16_64"
            ]
        );
        // Under-fives are not observed.
        assert_eq!(strata_of_cell(cell(0, 3, 0, 6)).count(), 0);
    }
}
