//! Parameters of the services people turn to: help-seeking, primary care, talking
//! therapies, medication, community mental health teams, crisis teams and beds, and the unit
//! cost of every contact. Same format and evidence grades as `sections.rs`.

use super::Check;

crate::params! {
    /// Services: help-seeking, capacities, treatment effects and unit costs. Capacities are
    /// per 100,000 residents and scale with the population.
    pub struct ServiceParams in "services" {
        /// Weekly probability that an adult (16+) in an episode who is not in care consults primary care about it.
        help_seeking_rate: f64 = 0.09905; "per week"; Check::PROBABILITY; "Calibrated: ABC-SMC (scenarios/calibration/england.toml) to scenarios/targets/england.toml, prior [0.04, 0.2], posterior mean 0.0875 (95% 0.0875 to 0.0875; effective sample size 1.7, so far too narrow), the best particle shipped; was 0.05; its source before: D: with recognition, ~40% of people with a condition treated (APMS 2014); to be calibrated";
        /// Relative help-seeking of men.
        help_seeking_male_rr: f64 = 0.7; "ratio"; Check::closed(0.0, 10.0); "C: APMS 2014 treatment 15% men vs 22% women with a condition (unverified)";
        /// Relative help-seeking at ages 16-24.
        help_seeking_youth_rr: f64 = 0.75; "ratio"; Check::closed(0.0, 10.0); "C: APMS 2014, treatment lowest at 16-24 (unverified)";
        /// Relative help-seeking at 65+.
        help_seeking_older_rr: f64 = 0.85; "ratio"; Check::closed(0.0, 10.0); "D (unverified)";
        /// Relative help-seeking of the marginalised group.
        help_seeking_marginalised_rr: f64 = 0.6; "ratio"; Check::closed(0.0, 10.0); "C: APMS 2014, Black adults least likely to receive treatment (unverified)";
        /// Relative help-seeking under today's stigma compared with none; a programme that removes a share r of stigma multiplies help-seeking by this ratio to the power -r.
        stigma_help_seeking_rr: f64 = 0.8; "ratio"; Check::left_open(0.0, 1.0); "C: Clement et al. 2015, stigma vs help-seeking d = -0.27";
        /// Probability that a consultation recognises the disorder.
        recognition: f64 = 0.4203; "probability"; Check::PROBABILITY; "Calibrated: ABC-SMC (scenarios/calibration/england.toml) to scenarios/targets/england.toml, prior [0.3, 0.7], posterior mean 0.499 (95% 0.492 to 0.514; effective sample size 1.7, so far too narrow), the best particle shipped; was 0.5; its source before: B: Mitchell et al. 2009, GP recognition of depression 47%";
        /// Share of recognised people referred to talking therapies (the rest are offered medication).
        therapy_referral_share: f64 = 0.1368; "share"; Check::PROBABILITY; "Calibrated: ABC-SMC (scenarios/calibration/england.toml) to scenarios/targets/england.toml, prior [0.05, 0.4], posterior mean 0.143 (95% 0.129 to 0.149; effective sample size 1.7, so far too narrow), the best particle shipped; was 0.3; its source before: D: so that referrals roughly match starts, as in NHS Talking Therapies where ~90% start within 6 weeks (unverified)";
        /// Talking-therapy courses that can start each week, per 100,000 residents (set relative to the referrals the model makes).
        therapy_capacity: f64 = 38.58; "starts per week per 100k"; Check::NON_NEGATIVE; "Calibrated: ABC-SMC (scenarios/calibration/england.toml) to scenarios/targets/england.toml, prior [15, 45], posterior mean 40.7 (95% 40.6 to 41; effective sample size 1.7, so far too narrow), the best particle shipped; was 31 (the best particle of an earlier calibration, 28.21, raised because the waiting list is a queue near saturation whose share seen within 6 weeks fell from 83% at 12,000 people to 78% at 50,000; at 38.58 it is 93% at 50,000, against 89% in England, NHS Talking Therapies 2022-23). England's own capacity is 42 a week per 100k (1.22M courses started) for 60 referrals; the model refers only people in an episode recognised in primary care, about 26 a week per 100k";
        /// Weekly probability of leaving the waiting list without starting (disengagement).
        waiting_exit_rate: f64 = 0.02; "per week"; Check::PROBABILITY; "D (unverified)";
        /// Length of a full course of therapy.
        therapy_weeks: u32 = 8; "weeks"; Check::int(1, 104); "NHS Talking Therapies: mean ~7-8 sessions (unverified)";
        /// Probability of dropping out after each session of a course but the last.
        therapy_dropout_rate: f64 = 0.132; "per week"; Check::PROBABILITY; "D: drop-out after any session but the last, so that ~37% of starters complete an 8-week course, (1-0.132)^7 (NHS Talking Therapies; MODEL.md section 5)";
        /// Shift of the distress target while in therapy (negative helps).
        therapy_effect: f64 = -0.3058; "SD"; Check::closed(-5.0, 0.0); "Calibrated: ABC-SMC (scenarios/calibration/england.toml) to scenarios/targets/england.toml, prior [-0.8, -0.1], posterior mean -0.357 (95% -0.384 to -0.346; effective sample size 1.7, so far too narrow), the best particle shipped; was -0.4; its source before: D: to give ~48% recovery among completers (NHS Talking Therapies 2022-23); CBT vs control g ~ 0.7 (Cuijpers et al. 2013)";
        /// Share of the therapy effect lost in the most deprived decile (linear in decile).
        therapy_deprivation_attenuation: f64 = 0.8; "share"; Check::PROBABILITY; "D: hand-set so that recovery among completers is ~6 pp lower in the most than the least deprived quintile (~12 pp between the extreme deciles, NHS Talking Therapies 2022-23)";
        /// Shift of the distress target while taking antidepressant medication.
        medication_effect: f64 = -0.1843; "SD"; Check::closed(-5.0, 0.0); "Calibrated: ABC-SMC (scenarios/calibration/england_core.toml, nine parameters, the other 12 calibrated parameters at their defaults, 14 generations) to the 30 targets of scenarios/targets/england.toml (young people's prevalence in 2007 and 2014 added), prior [-0.3, 0], the posterior mean shipped, 95% -0.298 to -0.068 (effective sample size 66.5 of 80; at 200,000 people distance 0.642 with 27 of 30 targets inside, against 0.823 and 25 for the defaults before it, and closer with as many or more inside at 50,000 people, seeds 7 and 8; the closest particle had 22 inside at seed 8); before it: -0.1750, england_core's closest particle on 28 targets (without young people's 2007 and 2014); before that: -0.1538, the posterior mean of england_core's first run with seven parameters; before that, england_core's closest particle on the model without persistent episodes was the default, -0.1645; before that, the best particle of scenarios/calibration/england.toml (20 parameters; posterior mean -0.244, effective sample size 1.7) was the default, -0.2333; original value: -0.3; its source before: A: Cipriani et al. 2018, SMD ~0.3 vs placebo in trials; the prior reaches 0 because the prevalence of common mental disorders did not fall as treatment, mostly antidepressants, doubled (Jorm et al. 2017)";
        /// Weekly probability of stopping medication.
        medication_stop_rate: f64 = 0.025; "per week"; Check::PROBABILITY; "D: mean ~9 months on treatment; NICE NG222 advises 6 months after remission (unverified)";
        /// Community mental health team caseload places per 100,000 residents.
        cmht_capacity: f64 = 450.0; "places per 100k"; Check::NON_NEGATIVE; "D: ~0.5% of adults on secondary-care caseloads (NHS MHSDS 2023; unverified)";
        /// Relative SMI relapse hazard while on a community team's caseload.
        cmht_relapse_rr: f64 = 0.75; "ratio"; Check::closed(0.0, 10.0); "D: Malone et al. 2007 (Cochrane), fewer admissions with CMHT care (unverified)";
        /// Weekly probability of a mental-health crisis in an acute phase of severe mental illness.
        crisis_rate_acute: f64 = 0.05; "per week"; Check::PROBABILITY; "D (unverified)";
        /// Weekly probability of a crisis in an episode of common disorder with distress above `crisis_threshold`.
        crisis_rate_distress: f64 = 0.004; "per week"; Check::PROBABILITY; "D (unverified)";
        /// Distress above which a person in an episode is at risk of crisis.
        crisis_threshold: f64 = 2.6; "SD"; Check::closed(-10.0, 10.0); "D";
        /// Crisis resolution team contacts available per week per 100,000 residents.
        crisis_team_capacity: f64 = 3.5; "contacts per week per 100k"; Check::NON_NEGATIVE; "D: ~100,000 crisis team episodes a year in England (NHS Benchmarking 2019; unverified)";
        /// Probability of admission after a crisis without a crisis team.
        admission_probability: f64 = 0.35; "probability"; Check::PROBABILITY; "D (unverified)";
        /// Odds ratio of admission when a crisis team responds.
        crisis_team_admission_or: f64 = 0.19; "odds ratio"; Check::closed(0.0, 10.0); "B: Johnson et al. 2005, RCT of a crisis resolution team";
        /// Share of admissions that are compulsory (Mental Health Act).
        compulsory_share: f64 = 0.45; "share"; Check::PROBABILITY; "C: ~52,000 detentions a year against ~100,000 admissions (NHS Digital MHA statistics 2022-23; unverified)";
        /// Psychiatric inpatient beds per 100,000 residents.
        beds: f64 = 32.0; "beds per 100k"; Check::NON_NEGATIVE; "A: NHS England KH03 2023, ~17,800 mental illness beds";
        /// Mean length of an inpatient stay.
        stay_weeks: f64 = 8.8; "weeks"; Check::closed(1.0, 520.0); "C: beds x occupancy / admissions = 17,800 x 0.95 x 365 / ~100,000 a year ~ 62 days (NHS England KH03 2023; NHS Digital MHSDS; unverified)";
        /// Relative hazard of leaving the acute phase of severe mental illness while an inpatient.
        inpatient_recovery_rr: f64 = 2.0; "ratio"; Check::closed(0.0, 100.0); "D";
        /// Cost of a primary-care consultation.
        cost_gp_consultation: f64 = 42.0; "GBP"; Check::NON_NEGATIVE; "PSSRU Unit Costs of Health and Social Care 2022 (9.2 min GP consultation)";
        /// Cost of a week of talking therapy (one session).
        cost_therapy_week: f64 = 110.0; "GBP per week"; Check::NON_NEGATIVE; "PSSRU 2022, NHS Talking Therapies session (unverified)";
        /// Cost of a week of antidepressant treatment (drugs and review).
        cost_medication_week: f64 = 5.0; "GBP per week"; Check::NON_NEGATIVE; "D: NHS Drug Tariff generic SSRIs (unverified)";
        /// Cost of a week on a community mental health team caseload.
        cost_cmht_week: f64 = 60.0; "GBP per week"; Check::NON_NEGATIVE; "D: PSSRU 2022 care coordination (unverified)";
        /// Cost of a crisis team response.
        cost_crisis_contact: f64 = 650.0; "GBP"; Check::NON_NEGATIVE; "D: PSSRU 2022 crisis resolution (unverified)";
        /// Cost of a crisis seen in an emergency department without a crisis team.
        cost_emergency_contact: f64 = 300.0; "GBP"; Check::NON_NEGATIVE; "D: NHS reference costs (unverified)";
        /// Cost of an inpatient bed-week.
        cost_bed_week: f64 = 3_400.0; "GBP per week"; Check::NON_NEGATIVE; "PSSRU 2022, adult acute ~GBP 486 per bed-day";
        /// Cost of an out-of-area bed-week (when no local bed is free).
        cost_out_of_area_week: f64 = 4_500.0; "GBP per week"; Check::NON_NEGATIVE; "D: out-of-area placements ~GBP 650 per day (DHSC 2019; unverified)";
    }
}

crate::params! {
    /// Valuing outcomes: health-related quality of life (QALYs) and wellbeing (WELLBYs).
    pub struct ValuationParams in "valuation" {
        /// Health utility of a person without a mental disorder.
        utility_well: f64 = 0.86; "utility (0-1)"; Check::PROBABILITY; "EQ-5D-5L England population norms, mean ~0.86 (unverified)";
        /// Utility lost during an episode of common mental disorder.
        utility_cmd_decrement: f64 = 0.18; "utility"; Check::PROBABILITY; "C: Mavranezouli et al. 2011 (depression and anxiety states; unverified)";
        /// Utility lost with severe mental illness (either phase).
        utility_smi_decrement: f64 = 0.2; "utility"; Check::PROBABILITY; "C: Mohiuddin et al. 2019 (unverified)";
        /// Monetary value of one WELLBY (one point of life satisfaction for one person for one year).
        wellby_value: f64 = 13_000.0; "GBP (2019 prices)"; Check::NON_NEGATIVE; "HM Treasury Green Book wellbeing guidance 2021";
        /// Monetary value of one QALY.
        qaly_value: f64 = 70_000.0; "GBP (2019 prices)"; Check::NON_NEGATIVE; "HM Treasury Green Book 2022";
        /// Discount rate of costs (services and programmes) in the totals over a run: year y of the run weighs (1 + rate)^-y.
        discount_rate: f64 = 0.035; "per year"; Check::closed(0.0, 0.5); "NICE health technology evaluations manual 2022 (reference case: 3.5% for costs and health effects); HM Treasury Green Book 2022 (social time preference rate, 3.5% for years 0-30)";
        /// Discount rate of health effects (QALYs, WELLBYs and their values, prevalence, events) in the totals over a run.
        health_discount_rate: f64 = 0.035; "per year"; Check::closed(0.0, 0.5); "NICE health technology evaluations manual 2022 (reference case 3.5%, 1.5% in sensitivity analyses); the Green Book discounts health and life values at 1.5% (HM Treasury 2022)";
    }
}
