//! The parameters of every kind of social-change shock and policy, declared like the model
//! parameters: meaning, unit, default, accepted range and source with an evidence grade
//! (A-D, see `params/sections.rs`). Where no controlled evidence exists the default is a
//! modest assumption (grade D) meant to be swept, and the range includes no effect.

use crate::params::Check;

crate::params! {
    /// Recession: unemployment rises and vacancies fall; job losses follow from the higher hazard.
    pub struct RecessionParams in "recession" {
        /// Rise of the unemployment rate that sets job-loss hazards, at full intensity.
        unemployment_rise: f64 = 0.03; "share of the active"; Check::closed(-0.5, 0.5); "ONS LFS: 5.2% (2008) to 8.4% (2011)";
        /// Multiplier on the weekly re-employment hazard at full intensity (fewer vacancies).
        job_finding_factor: f64 = 0.7; "ratio"; Check::closed(0.0, 5.0); "ONS vacancy survey: vacancies fell about a third in 2008-09 (unverified)";
    }
}

crate::params! {
    /// Pandemic: contact in school, work and neighbourhood falls, online contact and loneliness rise, service capacity falls.
    pub struct PandemicParams in "pandemic" {
        /// Multiplier on the weight of school-class ties at full intensity.
        school_contact: f64 = 0.3; "ratio"; Check::closed(0.0, 5.0); "C: CoMix contact survey 2020, contacts fell ~70% (Jarvis et al. 2020)";
        /// Multiplier on the weight of workplace-team ties.
        workplace_contact: f64 = 0.5; "ratio"; Check::closed(0.0, 5.0); "C: CoMix 2020 (unverified)";
        /// Multiplier on the weight of neighbourhood ties.
        neighbourhood_contact: f64 = 0.6; "ratio"; Check::closed(0.0, 5.0); "D";
        /// Multiplier on the weight of online ties.
        online_contact: f64 = 1.3; "ratio"; Check::closed(0.0, 5.0); "D: Ofcom Online Nation 2020 (unverified)";
        /// Relative hazard of becoming often lonely.
        loneliness_onset_rr: f64 = 1.8; "ratio"; Check::closed(0.0, 20.0); "C: ONS OPN, chronic loneliness 5.0% to 7.2% (2020-21)";
        /// Multiplier on the capacity of every service.
        service_capacity: f64 = 0.7; "ratio"; Check::closed(0.0, 5.0); "C: NHS Talking Therapies referrals fell ~30% in spring 2020 (unverified)";
        /// Shift of everyone's distress target from the stress of the pandemic itself (fear, uncertainty, disrupted routines), at full intensity.
        distress_shift: f64 = 0.2; "SD"; Check::closed(-5.0, 5.0); "B: Pierce et al. 2020, UKHLS GHQ-12 rose ~0.2 SD from 2019 to April 2020";
        /// Relative job-loss hazard (furlough kept most jobs).
        job_loss_rr: f64 = 1.3; "ratio"; Check::closed(0.0, 20.0); "D: ONS LFS 2020 unemployment 4.0% to 5.2% (unverified)";
    }
}

crate::params! {
    /// Growth of social media: more adolescents become heavy users and online ties weigh more.
    pub struct SocialMediaGrowthParams in "social_media_growth" {
        /// Multiplier on the share of adolescents who are heavy users, at full intensity (capped at all).
        heavy_use_factor: f64 = 2.0; "ratio"; Check::closed(0.0, 20.0); "D: Ofcom Children's media use 2013-2023 (unverified)";
        /// Multiplier on the weight of online ties.
        online_weight_factor: f64 = 1.5; "ratio"; Check::closed(0.0, 20.0); "D";
    }
}

crate::params! {
    /// Change of the level of out-of-work benefits (unemployed, sick-inactive, carers).
    pub struct BenefitChangeParams in "benefit_change" {
        /// Multiplier on out-of-work benefit income of the people reached.
        level_factor: f64 = 0.9; "ratio"; Check::closed(0.0, 10.0); "D: e.g. the 2016-20 freeze, ~6% real-terms cut (IFS; unverified)";
    }
}

crate::params! {
    /// Change of the limit on the child element (as the two-child limit's abolition from 6 April 2026): each dependent child reached counts against `limit` instead of `economy.child_element_limit`.
    pub struct ChildElementLimitParams in "child_element_limit" {
        /// Most children for whom a household receives the child element, for the children reached (children born before `economy.child_element_limit_born_from` keep it whatever the limit; 20 is no limit in effect).
        limit: u32 = 20; "children"; Check::int(0, 20); "HM Treasury, Budget 2025 (26 November 2025): the two-child limit removed from Universal Credit from 6 April 2026";
    }
}

crate::params! {
    /// Universal-Credit-like rollout, by its mechanisms: a waiting period without income for new claims, conditionality with sanctions, and the arrears and debt that income gaps cause.
    pub struct UniversalCreditParams in "universal_credit" {
        /// Weeks without benefit income after a new claim (becoming unemployed).
        wait_weeks: u32 = 5; "weeks"; Check::int(0, 52); "DWP: the five-week wait for the first payment";
        /// Weekly probability that an unemployed claimant not already without income is sanctioned.
        sanction_rate: f64 = 0.003; "per week"; Check::PROBABILITY; "C: DWP sanction statistics 2019, ~3% of claimants in conditionality sanctioned a quarter (unverified)";
        /// Weeks without benefit income after a sanction.
        sanction_weeks: u32 = 4; "weeks"; Check::int(0, 156); "D: DWP median sanction length (unverified)";
        /// Relative hazard of problem-debt and arrears onset while without income.
        no_income_debt_rr: f64 = 4.0; "ratio"; Check::closed(1.0, 100.0); "D: Trussell Trust 2019, the wait and debt (unverified)";
    }
}

crate::params! {
    /// Work-capability reassessment of people out of work through sickness.
    pub struct WcaReassessmentParams in "wca_reassessment" {
        /// Weekly probability that a sick-inactive working-age person reached is reassessed.
        reassessment_rate: f64 = 0.02; "per week"; Check::PROBABILITY; "D: about once a year (unverified)";
        /// Share of the reassessed found fit for work (moved to unemployment and job search).
        fit_share: f64 = 0.3; "share"; Check::PROBABILITY; "C: DWP WCA outcomes 2013 (unverified)";
        /// Distress shock of going through a reassessment (before support buffering).
        assessment_pulse: f64 = 0.3; "SD"; Check::closed(0.0, 5.0); "C: Barr et al. 2016, reassessments and mental health (unverified)";
    }
}

crate::params! {
    /// Income uplifts: a basic income for adults, a child payment, a wage floor.
    pub struct IncomeUpliftParams in "income_uplift" {
        /// Extra weekly income of every adult (18+) reached.
        adult_weekly: f64 = 0.0; "GBP per week"; Check::closed(0.0, 10_000.0); "scenario author";
        /// Extra weekly income per child (under 16) reached, paid to the household.
        child_weekly: f64 = 0.0; "GBP per week"; Check::closed(0.0, 10_000.0); "scenario author (child benefit 2023/24: GBP 24 for the first child)";
        /// Lowest weekly earnings of an employee reached (0 = no floor).
        wage_floor_weekly: f64 = 0.0; "GBP per week"; Check::closed(0.0, 100_000.0); "scenario author (national living wage 2024: GBP 11.44 an hour)";
    }
}

crate::params! {
    /// Thrive-style community programme, neighbourhood by neighbourhood: mental-health literacy, less stigma, gatekeepers, stronger neighbourhood ties. No controlled outcome evidence exists: sweep the effects, including none.
    pub struct ThriveParams in "thrive" {
        /// Relative help-seeking from better mental-health literacy.
        literacy_rr: f64 = 1.15; "ratio"; Check::closed(0.0, 10.0); "D: no controlled evidence (Thrive LDN evaluation 2020)";
        /// Share of stigma removed (help-seeking rises by services.stigma_help_seeking_rr to the power minus this).
        stigma_reduction: f64 = 0.2; "share"; Check::PROBABILITY; "D: Time to Change evaluations (Henderson et al. 2020; unverified)";
        /// Relative help-seeking from community gatekeepers trained by the programme.
        gatekeeper_rr: f64 = 1.1; "ratio"; Check::closed(0.0, 10.0); "D";
        /// Multiplier on the weight of neighbourhood ties (connectedness).
        connectedness: f64 = 1.15; "ratio"; Check::closed(0.0, 10.0); "D";
        /// Cost per resident of a reached neighbourhood per year.
        cost_per_resident_year: f64 = 5.0; "GBP per person-year"; Check::NON_NEGATIVE; "D (unverified)";
    }
}

crate::params! {
    /// Trieste-like redesign: beds turned into 24/7 community centres with a few beds, home teams, less compulsion, social-cooperative employment.
    pub struct TriesteParams in "trieste" {
        /// Share of inpatient beds closed and their money moved into community centres.
        bed_conversion: f64 = 0.6; "share"; Check::PROBABILITY; "C: Trieste ~13 beds per 100k in centres against England's 32 (Portacolone et al. 2015; unverified)";
        /// Places (beds) in 24/7 community centres per 100,000 residents.
        centre_places: f64 = 14.0; "places per 100k"; Check::NON_NEGATIVE; "C: Trieste, 4 centres of 8 beds for ~236,000 people (unverified)";
        /// Mean stay in a community-centre place.
        centre_stay_weeks: f64 = 2.0; "weeks"; Check::closed(0.5, 52.0); "D";
        /// Relative share of compulsory admissions.
        compulsion_rr: f64 = 0.3; "ratio"; Check::closed(0.0, 10.0); "C: Trieste's very low compulsory-treatment rate (Mezzina 2014; unverified)";
        /// Multiplier on crisis (home) team capacity.
        home_team_capacity: f64 = 1.5; "ratio"; Check::closed(0.0, 20.0); "D";
        /// Relative re-employment hazard of people with severe mental illness (social cooperatives, supported employment).
        coop_employment_rr: f64 = 1.63; "ratio"; Check::closed(0.0, 20.0); "A: Frederick & VanderWeele 2019, supported employment RR 1.63";
        /// Cost of a community-centre place-week.
        cost_centre_week: f64 = 2_000.0; "GBP per week"; Check::NON_NEGATIVE; "D (unverified)";
    }
}

crate::params! {
    /// Open Dialogue: crisis response within 24 hours with family and network meetings.
    pub struct OpenDialogueParams in "open_dialogue" {
        /// Odds ratio of admission after a crisis.
        admission_or: f64 = 0.7; "odds ratio"; Check::closed(0.0, 10.0); "D: prior centred on a modest benefit, null in range (Western Lapland, non-randomised; Seikkula et al. 2006)";
        /// Relative hazard of relapse into acute severe mental illness.
        relapse_rr: f64 = 0.8; "ratio"; Check::closed(0.0, 10.0); "D: Western Lapland 17% relapse at 2 years (non-randomised)";
        /// Extra cost of a network-meeting response to a crisis.
        cost_per_crisis: f64 = 900.0; "GBP"; Check::NON_NEGATIVE; "D (unverified)";
    }
}

crate::params! {
    /// Lambeth-style living-well hub: early community support for people with severe mental illness ahead of secondary care.
    pub struct LivingWellHubParams in "living_well_hub" {
        /// Hub places per 100,000 residents.
        places: f64 = 60.0; "places per 100k"; Check::NON_NEGATIVE; "D: Lambeth Living Well Collaborative (unverified)";
        /// Relative crisis hazard of hub members.
        crisis_rr: f64 = 0.7; "ratio"; Check::closed(0.0, 10.0); "D";
        /// Relative relapse hazard of hub members.
        relapse_rr: f64 = 0.85; "ratio"; Check::closed(0.0, 10.0); "D";
        /// Weekly probability that a stable person on a community-team caseload steps down to the hub when a place is free.
        step_down_rate: f64 = 0.05; "per week"; Check::PROBABILITY; "D";
        /// Cost of a hub place-week.
        cost_place_week: f64 = 40.0; "GBP per week"; Check::NON_NEGATIVE; "D (unverified)";
    }
}

crate::params! {
    /// Everyday gatekeepers (barbers, peers) who notice distress and encourage help-seeking.
    pub struct GatekeepersParams in "gatekeepers" {
        /// Relative help-seeking of the people reached.
        help_seeking_rr: f64 = 1.4; "ratio"; Check::closed(0.0, 10.0); "D: no controlled evidence (Lions Barber Collective; unverified)";
        /// Cost per person reached per year.
        cost_per_reached_year: f64 = 2.0; "GBP per person-year"; Check::NON_NEGATIVE; "D";
    }
}

crate::params! {
    /// Universal school programme (pupils aged 5-17): a distress shift that decays after each yearly delivery.
    pub struct SchoolProgrammeParams in "school_programme" {
        /// Shift of the distress target right after delivery (negative helps).
        effect: f64 = -0.2; "SD"; Check::closed(-5.0, 5.0); "A: Werner-Seidler et al. 2021, g ~0.2 post-intervention";
        /// Half-life of the effect after each delivery.
        half_life_weeks: f64 = 26.0; "weeks"; Check::closed(1.0, 5_200.0); "B: Werner-Seidler et al. 2021, g ~0.1 at 6-12 months";
        /// Cost per pupil reached per year.
        cost_per_pupil_year: f64 = 30.0; "GBP per pupil-year"; Check::NON_NEGATIVE; "D (unverified)";
    }
}

crate::params! {
    /// Social prescribing: link workers connect lonely adults to community activities.
    pub struct SocialPrescribingParams in "social_prescribing" {
        /// Relative hazard of ceasing to be lonely for the lonely adults reached.
        loneliness_exit_rr: f64 = 1.3; "ratio"; Check::closed(0.0, 20.0); "D: small and uncertain (Drinkwater et al. 2019)";
        /// Cost per lonely adult reached per year.
        cost_per_person_year: f64 = 200.0; "GBP per person-year"; Check::NON_NEGATIVE; "D (unverified)";
    }
}

crate::params! {
    /// Awareness campaign: more people in an episode seek help (demand rises; capacity does not).
    pub struct AwarenessCampaignParams in "awareness_campaign" {
        /// Relative help-seeking of the people reached.
        help_seeking_rr: f64 = 1.5; "ratio"; Check::closed(0.0, 10.0); "D: Time to Change (unverified)";
        /// Cost per person reached per year.
        cost_per_resident_year: f64 = 1.0; "GBP per person-year"; Check::NON_NEGATIVE; "D";
    }
}

crate::params! {
    /// Change of service capacity (expansion or cuts).
    pub struct CapacityChangeParams in "capacity_change" {
        /// Multiplier on talking-therapy starts per week.
        therapy: f64 = 1.0; "ratio"; Check::closed(0.0, 20.0); "scenario author";
        /// Multiplier on community-team caseload places.
        cmht: f64 = 1.0; "ratio"; Check::closed(0.0, 20.0); "scenario author";
        /// Multiplier on crisis-team contacts per week.
        crisis_team: f64 = 1.0; "ratio"; Check::closed(0.0, 20.0); "scenario author";
        /// Multiplier on inpatient beds.
        beds: f64 = 1.0; "ratio"; Check::closed(0.0, 20.0); "scenario author";
    }
}
