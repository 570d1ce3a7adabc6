//! The parameter table. Each entry: doc line (meaning), `name: type = default; "unit";
//! accepted values; "source"`. Sources carry an evidence grade:
//! A = within-person / quasi-experimental longitudinal estimate, B = prospective cohort,
//! C = cross-sectional association (an upper bound), D = assumption, to be swept or calibrated.
//! Values marked (unverified) were taken from the project specification and are still to be
//! checked against the primary source.

use super::{Check, ParamMeta, Section, ServiceParams, ValuationParams};

crate::params! {
    /// Run settings: what to simulate, for how long, and how many times.
    pub struct RunParams in "" {
        /// Short name of the scenario, used for output folders and report labels.
        name: String = "baseline".to_string(); "text"; Check::Text; "scenario author";
        /// One-paragraph description of what the scenario represents.
        description: String = String::new(); "text"; Check::Text; "scenario author";
        /// Number of people in the synthetic community.
        people: u32 = 10_000; "persons"; Check::int(100, 50_000_000); "D: a town; cities are 1,000,000+";
        /// Number of simulated weeks recorded (after burn-in).
        weeks: u32 = 520; "weeks"; Check::int(1, 5_200); "D: ten years";
        /// Weeks simulated before recording starts, so that episodes and exposures settle.
        burn_in_weeks: u32 = 104; "weeks"; Check::int(0, 2_600); "D: two years, longer than 95% of episodes";
        /// Master seed; with the replicate index it determines every random draw.
        seed: u64 = 20_250_101; "1"; Check::int(0, i64::MAX); "D";
        /// Number of Monte Carlo replicates (overridden by `--replicates`).
        replicates: u32 = 20; "replicates"; Check::int(1, 1_000_000); "D";
        /// Calendar year of the first recorded week (report axes, and the dates of birth that `economy.child_element_limit_born_from` is compared with).
        start_year: u32 = 2024; "year"; Check::int(1900, 2200); "D";
    }
}

impl RunParams {
    /// Calendar year of the first simulated week, burn-in included: the start's ages are
    /// those reached at its birthdays (which recur every 52 weeks).
    pub fn birthday_year(&self) -> f64 {
        f64::from(self.start_year) - f64::from(self.burn_in_weeks) / 52.0
    }
}

crate::params! {
    /// The synthetic population: demographics, households, neighbourhoods, life course.
    pub struct PopulationParams in "population" {
        /// Share of households with 1, 2, 3, 4, 5 and 6+ people (6+ drawn as 6 to 8).
        household_size_shares: Vec<f64> = vec![0.30, 0.34, 0.16, 0.13, 0.05, 0.02]; "share of households"; Check::Distribution { len: 6 }; "ONS Census 2021 household size, England (mean 2.4)";
        /// Probability that a two-person household is a lone parent with a child (else two adults).
        children_in_two_person_households: f64 = 0.2; "probability"; Check::PROBABILITY; "D: ONS Families and households 2023 (unverified)";
        /// Probability that a household of 3+ people is two adults with children (else all adults).
        children_in_larger_households: f64 = 0.63; "probability"; Check::PROBABILITY; "C: set so that 0-17-year-olds are 20.8% of the people at the start, as in ONS mid-2021 population estimates for England (20.9%), and 29.5% of households have children (ONS Families and households 2023: about 29% with dependent children; unverified); with children's ages uniform, their cohorts then match the births of a population of constant size (1.1-1.2% a year), so the age structure stays steady; was 0.75 (24.4% children, whose excess cohorts shrank over a run)";
        /// Age distribution of adults over bands 16-24, 25-34, 35-44, 45-54, 55-64, 65-74, 75-84, 85-94.
        adult_age_shares: Vec<f64> = vec![0.135, 0.169, 0.160, 0.167, 0.156, 0.119, 0.071, 0.023]; "share of adults"; Check::Distribution { len: 8 }; "ONS mid-2021 population estimates, England";
        /// Share of people aged 65+ who live alone at the start (the ages of the adults of one-person households are drawn so that this share of the 65+ live alone, the rest as the adults without children).
        alone_65_plus_share: f64 = 0.34; "share"; Check::PROBABILITY; "ONS Families and households in the UK 2024: 4.3 million people aged 65+ living alone, 40.9% of women and 27.0% of men of that age in households";
        /// Share of people who are female.
        female_share: f64 = 0.51; "share"; Check::PROBABILITY; "ONS Census 2021";
        /// Ethnicity groups White, Asian, Black, Mixed, Other; all but White carry the marginalised-group flag.
        ethnicity_shares: Vec<f64> = vec![0.817, 0.093, 0.040, 0.029, 0.021]; "share of people"; Check::Distribution { len: 5 }; "ONS Census 2021, England and Wales";
        /// Mean number of residents of a neighbourhood (an LSOA-sized area).
        neighbourhood_size: u32 = 1_500; "persons"; Check::int(20, 1_000_000); "ONS: LSOAs hold 1,000-3,000 residents";
        /// Distribution of adverse childhood experiences: 0, 1, 2, 3, 4+.
        ace_shares: Vec<f64> = vec![0.521, 0.196, 0.120, 0.080, 0.083]; "share of people"; Check::Distribution { len: 5 }; "Bellis et al. 2014 (England: 47.9% >= 1, 8.3% >= 4; split of 2 and 3 assumed)";
        /// Ratio of the chance of each count of adverse childhood experiences (1 to 4+) in the most vs the least deprived decile (geometric in between, the town's mix kept); 1 spreads them evenly.
        deprivation_ace_ratio: f64 = 4.701; "ratio"; Check::closed(1.0, 10.0); "Calibrated: ABC-SMC (scenarios/calibration/england.toml) to scenarios/targets/england.toml, prior [1, 8], posterior mean 4.5 (95% 4.29 to 4.59; effective sample size 1.7, so far too narrow), the best particle shipped; was 1.0; its source before: C: direction from Bellis et al. 2014 (ACE counts rise with deprivation); size calibrated to the deprivation gradient of prevalence";
        /// Share of people who had a trusted adult in childhood.
        trusted_adult_share: f64 = 0.6; "share"; Check::PROBABILITY; "Bellis et al. 2017 (unverified)";
        /// Share frequently bullied in childhood.
        bullied_share: f64 = 0.15; "share"; Check::PROBABILITY; "Takizawa et al. 2014 (15% frequently bullied)";
        /// Share of the marginalised groups exposed to discrimination.
        discrimination_share_marginalised: f64 = 0.30; "share"; Check::PROBABILITY; "EVENS survey 2021 (unverified)";
        /// Share of everyone else exposed to discrimination (e.g. for disability, sexuality).
        discrimination_share_other: f64 = 0.05; "share"; Check::PROBABILITY; "D (unverified)";
        /// Share of people with heavy social-media use (5+ hours a day); it acts from age 11 to `determinants.social_media_max_age`.
        heavy_social_media_share: f64 = 0.2854; "share"; Check::PROBABILITY; "Calibrated: ABC-SMC (scenarios/calibration/england.toml) to scenarios/targets/england.toml, prior [0.15, 0.4], posterior mean 0.293 (95% 0.268 to 0.303; effective sample size 1.7, so far too narrow), the best particle shipped; was 0.20; its source before: Kelly et al. 2019, Millennium Cohort (unverified)";
        /// Ratio of the share of heavy social-media users among girls and women to that among boys and men (the overall share kept).
        heavy_social_media_female_ratio: f64 = 2.0; "ratio"; Check::closed(0.1, 10.0); "B: Kelly et al. 2019, Millennium Cohort at 14: 43% of girls and 22% of boys used social media 3+ hours a day";
        /// Whether people die and are born each year (births replace deaths, keeping the population size).
        turnover: bool = true; "true/false"; Check::Bool; "D: keeps the age structure of long runs near its start";
        /// Gompertz mortality: log of the yearly death probability extrapolated to age 0.
        mortality_gompertz_a: f64 = -10.4; "log probability"; Check::closed(-30.0, 0.0); "Gompertz fit to ONS National life tables, England 2020-22 (q(60) ~ 0.009, q(80) ~ 0.056, q(90) ~ 0.14; unverified)";
        /// Gompertz mortality: rise of the log yearly death probability per year of age.
        mortality_gompertz_b: f64 = 0.094; "per year of age"; Check::closed(0.0, 1.0); "Gompertz fit to ONS National life tables, England 2020-22 (unverified)";
        /// Youngest age of a mother; newborns join the household of a woman of this age or older.
        mother_age_min: u32 = 18; "years"; Check::int(10, 60); "ONS Births by parents' characteristics 2022 (most births at 18-44)";
        /// Oldest age of a mother.
        mother_age_max: u32 = 44; "years"; Check::int(10, 60); "ONS Births by parents' characteristics 2022";
        /// Births a year per 1,000 women aged 15-19, 20-24, 25-29, 30-34, 35-39 and 40-44: the weight of a woman of mother's age as the mother of a newborn (younger ages take the first rate, older the last). Only their shape matters, as births replace deaths; all 0 weighs every woman of mother's age alike.
        fertility_by_age: Vec<f64> = vec![9.5, 42.0, 77.0, 95.0, 60.0, 14.0]; "births per 1,000 women a year"; Check::List { len: 6, lo: 0.0, hi: 1000.0 }; "ONS Births in England and Wales 2022 (total fertility rate 1.49, most births at 30-34; the rates by age approximate, unverified)";
        /// Share of newborns whose mother lives with a partner: another adult (18+) of her household within `partner_max_age_gap` years of her age.
        births_with_partner_share: f64 = 0.85; "share of births"; Check::PROBABILITY; "ONS Births in England and Wales 2021: 48.7% of births within marriage or civil partnership and 36.5% registered by parents living together (84% in 2014)";
        /// Largest age difference between a woman and another adult of her household for him or her to count as her partner at a birth.
        partner_max_age_gap: u32 = 10; "years"; Check::int(0, 100); "D: the couples of the start are within a few years of each other (5.1); siblings and sharers of about the same age count too";
        /// Yearly probability that a young adult living with someone at least `parent_age_gap` years older (a parent) leaves home, drawn at each birthday from `leave_home_min_age` to `leave_home_max_age`; 0 keeps everybody in the household they are in.
        leave_home_rate: f64 = 0.16; "per year"; Check::PROBABILITY; "C: set so that 51% of 20-24-year-olds, 22% of 25-29 and 9% of 30-34 live with their parents when everybody is at home at 18 (ONS Labour Force Survey 2013: 49%, 21% and 8%; 26% of 20-34)";
        /// Age at whose birthday the first leaving-home draw is made.
        leave_home_min_age: u32 = 19; "years"; Check::int(14, 120); "C: with `leave_home_rate`, the ONS shares living with their parents (first draw at 19)";
        /// Oldest age at whose birthday a leaving-home draw is made; older people stay where they live.
        leave_home_max_age: u32 = 34; "years"; Check::int(14, 120); "ONS: young adults are counted up to 34";
        /// Share of those leaving home who move in with another leaver of their neighbourhood (a partner or a flatmate) rather than alone.
        leave_home_shared_share: f64 = 0.9; "share"; Check::PROBABILITY; "ONS Young adults living with parents 2011 (LFS): of the 9.6 million 20-34-year-olds not living with their parents, 0.96 million (10%) lived alone, the rest as couples, lone parents or with others";
        /// Least age difference to a member of the household that makes a young adult's home their parents'.
        parent_age_gap: u32 = 16; "years"; Check::int(10, 60); "as the start's parents, who are at least 16 years older than their oldest child (population::synth)";
        /// Share of people with severe mental illness who are in an acute phase at the start.
        smi_acute_share: f64 = 0.2; "share"; Check::PROBABILITY; "D (unverified)";
        /// Prevalence of severe mental illness (psychosis, bipolar) among adults at the start.
        smi_prevalence: f64 = 0.006; "share of adults"; Check::closed(0.0, 0.2); "APMS 2014 (psychotic disorder 0.7%)";
    }
}

crate::params! {
    /// The five network layers and their weights.
    pub struct NetworkParams in "network" {
        /// Weight of a household tie in peer influence and support.
        weight_household: f64 = 1.0; "1"; Check::closed(0.0, 10.0); "D: reference layer";
        /// Weight of a school-class tie.
        weight_school: f64 = 0.5; "1"; Check::closed(0.0, 10.0); "D: swept";
        /// Weight of a workplace-team tie.
        weight_workplace: f64 = 0.4; "1"; Check::closed(0.0, 10.0); "D: swept";
        /// Weight of a neighbourhood (local friend or neighbour) tie.
        weight_neighbourhood: f64 = 0.6; "1"; Check::closed(0.0, 10.0); "D: swept";
        /// Weight of an online tie.
        weight_online: f64 = 0.2; "1"; Check::closed(0.0, 10.0); "D: swept";
        /// Mean class size in primary school (ages 5-10).
        primary_class_size: u32 = 27; "pupils"; Check::int(2, 200); "DfE Schools, pupils and their characteristics 2023";
        /// Mean class size in secondary school (ages 11-17).
        secondary_class_size: u32 = 22; "pupils"; Check::int(2, 200); "DfE Schools, pupils and their characteristics 2023";
        /// Mean pupils per primary school.
        primary_school_size: u32 = 280; "pupils"; Check::int(10, 10_000); "DfE 2023";
        /// Mean pupils per secondary school.
        secondary_school_size: u32 = 1_000; "pupils"; Check::int(10, 10_000); "DfE 2023";
        /// Largest firm; with Zipf sizes P(S >= s) ~ 1/s, 10,000 puts ~40% of employees in firms of 250+.
        firm_size_max: u32 = 10_000; "employees"; Check::int(1, 10_000_000); "BEIS Business population estimates 2023 (40% in 250+)";
        /// Smallest team inside a firm.
        team_size_min: u32 = 5; "employees"; Check::int(1, 1_000); "D";
        /// Largest team inside a firm.
        team_size_max: u32 = 20; "employees"; Check::int(1, 1_000); "D";
        /// Mean number of neighbourhood ties (friends and neighbours outside the household).
        neighbourhood_degree: f64 = 8.0; "ties per person"; Check::closed(0.0, 500.0); "Dunbar layers 5/15/50/150 (sympathy group minus family and colleagues)";
        /// Probability a neighbourhood tie is rewired to a random resident of the same neighbourhood.
        neighbourhood_rewiring: f64 = 0.2; "probability"; Check::PROBABILITY; "D: Watts & Strogatz 1998 small world (clustering ~0.3)";
        /// Share of neighbourhood ties that reach into another neighbourhood.
        neighbourhood_cross_share: f64 = 0.1; "share"; Check::PROBABILITY; "D";
        /// Youngest age with online ties.
        online_min_age: u32 = 11; "years"; Check::int(0, 120); "Ofcom 2023 (most children own a phone by 11)";
        /// Exponent of the power-law online degree distribution P(k) ~ k^-exponent.
        online_degree_exponent: f64 = 2.5; "1"; Check::open(1.0, 10.0); "D: heavy-tailed online networks";
        /// Smallest online degree.
        online_degree_min: u32 = 2; "ties"; Check::int(0, 10_000); "D";
        /// Cut-off of the online degree distribution.
        online_degree_max: u32 = 150; "ties"; Check::int(0, 100_000); "Dunbar's number as a cut-off";
        /// Probability an online tie is within one's own age band (age homophily).
        online_age_homophily: f64 = 0.8; "probability"; Check::PROBABILITY; "D";
        /// Multiplier on the online-layer weight for adolescents with heavy social-media use.
        heavy_use_online_intensity: f64 = 2.0; "1"; Check::closed(0.0, 100.0); "D";
    }
}

crate::params! {
    /// Work, income, debt and their weekly transitions.
    pub struct EconomyParams in "economy" {
        /// Unemployment rate among the economically active from which job-loss hazards are derived (the equilibrium of the job flows for people not in an episode; illness, which raises job loss and slows re-employment, lifts the realised rate).
        unemployment_rate: f64 = 0.042; "share of the active"; Check::open(0.0, 1.0); "ONS Labour Force Survey 2023";
        /// Share of working-age adults (25-65) economically inactive through long-term sickness.
        inactive_sick_share: f64 = 0.075; "share"; Check::closed(0.0, 0.9); "C: ONS LFS 2023 (2.8M of 41.9M aged 16-64, 6.7%, few of them under 25): 6.5% of 16-64-year-olds at the start of the baseline; was 0.065 (6.1%, rising to 7% as the weekly flows settled)";
        /// Share of the sick-inactive (aged 25 to pension age) who are in an episode at the start: after the initial mental health is drawn, sick-inactive people who are well swap states with ill people in work or unemployed of their decile until it is reached; 0 keeps the start's draw, made before anybody's mental health is known.
        inactive_sick_ill_share: f64 = 0.65; "share"; Check::PROBABILITY; "APMS 2014: 65% of ESA recipients aged 18-64 had a common mental disorder (Lapham, Conolly & McManus 2024); the weekly flows keep 62-67% over a 10-year baseline";
        /// Share of working-age adults (25-65) inactive as carers.
        carer_share: f64 = 0.038; "share"; Check::closed(0.0, 0.9); "ONS LFS 2023 (looking after family or home)";
        /// Share of 18-year-olds who stay in full-time education until 22 (and of 18-21 year olds who are students at the start).
        higher_education_share: f64 = 0.5; "share"; Check::PROBABILITY; "DfE Participation measures in higher education 2022 (~50%; unverified)";
        /// State pension age: people leave the labour market at this age unless they keep working.
        pension_age: u32 = 66; "years"; Check::int(40, 100); "DWP state pension age 2023";
        /// Share of people past pension age still employed at the start.
        employed_past_pension_share: f64 = 0.11; "share"; Check::PROBABILITY; "ONS LFS 2023";
        /// Probability that someone employed at pension age keeps working.
        work_past_pension_probability: f64 = 0.3; "probability"; Check::PROBABILITY; "D (unverified)";
        /// Yearly probability that someone employed past pension age retires.
        retirement_rate_past_pension: f64 = 0.2; "per year"; Check::PROBABILITY; "D (unverified)";
        /// Weekly hazard that an economically active adult (18 to pension age) becomes inactive through long-term sickness.
        sickness_onset_rate: f64 = 0.0001; "per week"; Check::closed(0.0, 1.0); "C: with the exit rate and the two illness ratios, 6.5-6.8% of 16-64-year-olds sick-inactive over a 10-year baseline (ONS LFS 2023: 2.8M of 41.9M aged 16-64, 6.7%); was 0.0003 when illness raised entry 3-fold and did not slow the return";
        /// Weekly hazard of returning from sickness inactivity to the labour market (as unemployed).
        sickness_exit_rate: f64 = 0.005; "per week"; Check::closed(0.0, 1.0); "D: mean spell ~4 years (DWP benefit durations; unverified)";
        /// Relative hazard of becoming sick-inactive while in a mental-health episode.
        illness_sickness_rr: f64 = 8.0; "ratio"; Check::closed(0.0, 100.0); "C: entrants are mostly ill (mental disorders were the commonest cause of incapacity claims, 47% in 2014: Viola & Moncrieff 2018); set with `illness_sickness_exit_rr` so that about 62% of the sick-inactive are in an episode (65% of ESA recipients aged 18-64 had a common mental disorder, APMS 2014: Lapham, Conolly & McManus 2024); was 3.0 (33%)";
        /// Relative hazard of returning from sickness inactivity while in a mental-health episode.
        illness_sickness_exit_rr: f64 = 0.15; "ratio"; Check::closed(0.0, 100.0); "C: set with `illness_sickness_rr` to the 65% of ESA recipients with a common mental disorder (APMS 2014: Lapham, Conolly & McManus 2024); 1 would leave the recovered and the ill equally likely to return, and the sick-inactive would recover towards everybody's prevalence within their four-year spells";
        /// Ratio of unemployment and sickness inactivity in the most to the least deprived decile.
        deprivation_worklessness_ratio: f64 = 2.596; "ratio"; Check::closed(1.0, 20.0); "Calibrated: ABC-SMC (scenarios/calibration/england.toml) to scenarios/targets/england.toml, prior [1.5, 4], posterior mean 2.38 (95% 2.34 to 2.4; effective sample size 1.7, so far too narrow), the best particle shipped; was 2.5; its source before: IMD 2019 employment domain (unverified)";
        /// Weekly hazard of re-employment for an unemployed person.
        job_finding_rate: f64 = 0.03; "per week"; Check::open(0.0, 1.0); "ONS LFS: median unemployment spell ~ 6 months (unverified)";
        /// Relative hazard of job loss while in a mental-health episode.
        illness_job_loss_rr: f64 = 1.6; "ratio"; Check::closed(0.0, 20.0); "D: health selection out of work (unverified)";
        /// Relative hazard of re-employment while in a mental-health episode.
        illness_job_finding_rr: f64 = 0.6; "ratio"; Check::closed(0.0, 20.0); "D (unverified)";
        /// Median gross weekly earnings of an employee.
        median_weekly_wage: f64 = 600.0; "GBP per week"; Check::POSITIVE; "ONS ASHE 2023 (all employees, unverified)";
        /// Log-scale SD of weekly earnings.
        wage_log_sd: f64 = 0.55; "1"; Check::closed(0.0, 3.0); "ONS ASHE 2023 (unverified)";
        /// Earnings in the most deprived decile relative to the least.
        deprivation_wage_ratio: f64 = 0.7; "ratio"; Check::left_open(0.0, 1.0); "D (unverified)";
        /// Weekly income of an unemployed, sick-inactive or carer adult (benefits).
        benefit_weekly: f64 = 120.0; "GBP per week"; Check::NON_NEGATIVE; "DWP Universal Credit rates 2023/24 incl. housing (unverified)";
        /// Weekly state pension.
        pension_weekly: f64 = 204.0; "GBP per week"; Check::NON_NEGATIVE; "DWP new state pension 2023/24";
        /// Occupational and personal pension of a retired person, as a share of their weekly earnings (`wage`, drawn for everyone by deprivation decile), on top of the state pension.
        private_pension_share: f64 = 0.2; "share of earnings"; Check::closed(0.0, 2.0); "C: set so that 12-15% of people aged 65+ are below the poverty line in the baseline, start and year 10 (13-15% when the start mixed the ages of adults without children at random) (DWP Households Below Average Income FYE 2023: about 16% of pensioners in relative low income before housing costs; unverified); 0.2 of the median earnings is 120 GBP a week before tax, about the mean over all pensioners of the median occupational pension of those who have one (172 GBP a week for pensioner couples in 2010/11; ONS Pension trends 2014, chapter 11); with the state pension alone (0), 41-47% of them were poor; was 0.3 before incomes were taken after tax (8-9% poor)";
        /// Weekly income of a student.
        student_weekly: f64 = 60.0; "GBP per week"; Check::NON_NEGATIVE; "D";
        /// Weekly income free of income tax and employees' National Insurance (the personal allowance, equal to the primary threshold in 2023/24).
        tax_free_weekly: f64 = 241.73; "GBP per week"; Check::NON_NEGATIVE; "HMRC rates 2023/24: personal allowance and National Insurance primary threshold GBP 12,570 a year, / 52";
        /// Weekly income above which the higher rates apply (higher-rate threshold, equal to the National Insurance upper earnings limit in 2023/24).
        higher_rate_weekly: f64 = 966.73; "GBP per week"; Check::NON_NEGATIVE; "HMRC rates 2023/24: higher-rate threshold and upper earnings limit GBP 50,270 a year, / 52";
        /// Income tax rate between `tax_free_weekly` and `higher_rate_weekly`.
        basic_tax_rate: f64 = 0.2; "share"; Check::PROBABILITY; "HMRC: basic rate 2023/24";
        /// Income tax rate above `higher_rate_weekly` (the personal allowance's taper above GBP 100,000 a year and the additional rate are left out).
        higher_tax_rate: f64 = 0.4; "share"; Check::PROBABILITY; "HMRC: higher rate 2023/24";
        /// Employees' National Insurance rate on earnings between `tax_free_weekly` and `higher_rate_weekly` (not on pensions).
        national_insurance_rate: f64 = 0.12; "share"; Check::PROBABILITY; "HMRC: Class 1 employee main rate 12% from April 2023 to January 2024 (10% from January, 8% from April 2024)";
        /// Employees' National Insurance rate on earnings above `higher_rate_weekly`.
        national_insurance_upper_rate: f64 = 0.02; "share"; Check::PROBABILITY; "HMRC: Class 1 employee rate above the upper earnings limit, 2023/24";
        /// Child Benefit for the eldest (or only) dependent child of a household: every child under 16 and 16-17-year-olds in education.
        child_benefit_weekly: f64 = 24.0; "GBP per week"; Check::NON_NEGATIVE; "HMRC Child Benefit rates 2023/24 (GBP 24.00 for the eldest child; unverified)";
        /// Child Benefit for each further dependent child.
        child_benefit_additional_weekly: f64 = 15.9; "GBP per week"; Check::NON_NEGATIVE; "HMRC Child Benefit rates 2023/24 (GBP 15.90 for each other child; unverified)";
        /// Means-tested child element (Universal Credit, as Child Tax Credit before it) per dependent child, up to `child_element_limit` children, withdrawn at `child_element_taper` of the household's earnings above `work_allowance_weekly`.
        child_element_weekly: f64 = 62.21; "GBP per week"; Check::NON_NEGATIVE; "DWP Universal Credit rates 2023/24: child element GBP 269.58 a month (children born since 6 April 2017 and second children; a first child born before gets GBP 315.00), x 12 / 52 (CPAG Benefit rates 2023/24)";
        /// Most children for whom a household receives the child element (the two-child limit).
        child_element_limit: u32 = 2; "children"; Check::int(0, 20); "DWP: the two-child limit on the child element, for children born from 6 April 2017";
        /// Date of birth (calendar year, with its fraction) from which a child counts against `child_element_limit`: a child born before it attracts the child element whatever the number of older children, so the limit reaches only families with a third child born since, and a history that starts before it has no limit until then.
        child_element_limit_born_from: f64 = 2017.26; "calendar year"; Check::closed(1900.0, 2200.0); "DWP: the two-child limit applies from 6 April 2017 to third and later children born on or after that date (Welfare Reform and Work Act 2016)";
        /// Share of each pound of household earnings above the work allowance by which the child element is withdrawn (Universal Credit's taper, applied to gross earnings here).
        child_element_taper: f64 = 0.55; "share"; Check::PROBABILITY; "DWP: Universal Credit taper rate 55% from November 2021";
        /// Household earnings that do not reduce the child element (Universal Credit's work allowance for a claim with children).
        work_allowance_weekly: f64 = 87.46; "GBP per week"; Check::NON_NEGATIVE; "DWP Universal Credit rates 2023/24: work allowance GBP 379 a month with housing costs (GBP 631 without), x 12 / 52 (CPAG Benefit rates 2023/24)";
        /// Poverty line as a share of the median equivalised household income at the start.
        poverty_line_share: f64 = 0.6; "share of median"; Check::left_open(0.0, 2.0); "DWP Households Below Average Income";
        /// Weekly hazard of entering problem debt (adults).
        debt_onset_rate: f64 = 0.0008; "per week"; Check::closed(0.0, 1.0); "D: calibrated to ~10% prevalence (unverified)";
        /// Weekly hazard of leaving problem debt.
        debt_exit_rate: f64 = 0.01; "per week"; Check::closed(0.0, 1.0); "D";
        /// Weekly hazard of falling into housing-payment arrears (adults).
        arrears_onset_rate: f64 = 0.0004; "per week"; Check::closed(0.0, 1.0); "D: ~5% prevalence (unverified)";
        /// Weekly hazard of clearing arrears.
        arrears_exit_rate: f64 = 0.02; "per week"; Check::closed(0.0, 1.0); "D";
        /// Relative hazard of debt and arrears onset for people in poverty.
        poverty_debt_rr: f64 = 3.0; "ratio"; Check::closed(0.0, 100.0); "Money and Pensions Service (unverified)";
        /// Relative hazard of debt and arrears onset for unemployed people.
        unemployment_debt_rr: f64 = 2.0; "ratio"; Check::closed(0.0, 100.0); "D";
    }
}

crate::params! {
    /// Life events and social exposures that change week by week.
    pub struct LifeParams in "life" {
        /// Weekly hazard of becoming often lonely.
        loneliness_onset_rate: f64 = 0.0012; "per week"; Check::closed(0.0, 1.0); "D: equilibrium ~7% often lonely (ONS Opinions and Lifestyle Survey 2023)";
        /// Weekly hazard of ceasing to be often lonely.
        loneliness_exit_rate: f64 = 0.02; "per week"; Check::closed(0.0, 1.0); "D";
        /// Relative hazard of loneliness onset for people living alone.
        living_alone_loneliness_rr: f64 = 2.0; "ratio"; Check::closed(0.0, 100.0); "ONS Opinions and Lifestyle Survey (unverified)";
        /// Relative hazard of loneliness onset for unemployed people.
        unemployment_loneliness_rr: f64 = 1.5; "ratio"; Check::closed(0.0, 100.0); "D (unverified)";
        /// Yearly probability of a close bereavement.
        bereavement_rate: f64 = 0.04; "per year"; Check::closed(0.0, 1.0); "D (unverified)";
    }
}

crate::params! {
    /// Social determinants, as standardised shifts of latent distress (population SD units).
    pub struct DeterminantParams in "determinants" {
        /// Shift while unemployed (women; men use `unemployment_men`).
        unemployment: f64 = 0.10; "SD"; Check::closed(-5.0, 5.0); "C: set with the calibration so that 34% of the unemployed and 16% of the employed have a disorder (Paul & Moser 2009); their cross-sectional d = 0.51 also holds the poverty, debt, loneliness and job-loss pulses modelled separately, and selection (was 0.5, then 0.15 until illness kept people in sickness inactivity and episodes became persistent, when the unemployed's prevalence rose to 40.5%, above the accepted 40%; 0.10 with 0.12 for men gives 39.4% at 200,000 people)";
        /// Shift while unemployed, men.
        unemployment_men: f64 = 0.12; "SD"; Check::closed(-5.0, 5.0); "C: as `unemployment`, larger in men (Paul & Moser 2009) (was 0.55, then 0.18)";
        /// Shift while below the poverty line.
        poverty: f64 = 0.07; "SD"; Check::closed(-5.0, 5.0); "A: Thomson et al. 2023 (+2.15 pp CMD)";
        /// Further shift per unit of log income shortfall below the poverty line (ln(line / income); a household at half the line has 0.69), so that how deep below the line matters, not only whether.
        income_shortfall: f64 = 0.1; "SD per log unit"; Check::closed(-5.0, 5.0); "C: graded income-mental health association (Thomson et al. 2022, income changes and mental health); swept from 0";
        /// Shift while in housing-payment arrears.
        arrears: f64 = 0.09; "SD"; Check::closed(-5.0, 5.0); "B: Mason et al. 2023 (preprint)";
        /// Shift while in problem debt (prospective OR ~1.75 on the logit scale, times sqrt(3)/pi).
        problem_debt: f64 = 0.31; "SD"; Check::closed(-5.0, 5.0); "B: Richardson et al. 2013 (OR 1.5-2 prospective)";
        /// Shift while often lonely.
        loneliness: f64 = 0.47; "SD"; Check::closed(-5.0, 5.0); "B: Mann et al. 2022 (onset OR 2.33)";
        /// Set-point shift per adverse childhood experience (capped at 4, so 4+ ACEs give 4x).
        ace_per_experience: f64 = 0.2; "SD per ACE"; Check::closed(-5.0, 5.0); "B: Hughes et al. 2017 (4+ ACEs: +0.8 SD)";
        /// Fraction of the ACE effect removed by a trusted adult in childhood.
        trusted_adult_reduction: f64 = 0.6; "fraction"; Check::PROBABILITY; "B: Bellis et al. 2017";
        /// Persistent set-point shift after frequent childhood bullying.
        bullying: f64 = 0.37; "SD"; Check::closed(-5.0, 5.0); "B: Takizawa et al. 2014";
        /// Shift while exposed to discrimination.
        discrimination: f64 = 0.30; "SD"; Check::closed(-5.0, 5.0); "C: Paradies et al. 2015 (0.2-0.47)";
        /// Shift of living in the most vs the least deprived neighbourhood decile (linear in between).
        deprivation: f64 = 0.1537; "SD"; Check::closed(-5.0, 5.0); "Calibrated: ABC-SMC (scenarios/calibration/england_core.toml, nine parameters, the other 12 calibrated parameters at their defaults, 14 generations) to the 30 targets of scenarios/targets/england.toml (young people's prevalence in 2007 and 2014 added), prior [0, 0.25], the posterior mean shipped, 95% 0.0206 to 0.232 (effective sample size 66.5 of 80; at 200,000 people distance 0.642 with 27 of 30 targets inside, against 0.823 and 25 for the defaults before it, and closer with as many or more inside at 50,000 people, seeds 7 and 8; the closest particle had 22 inside at seed 8); before it: 0.1416, england_core's closest particle on 28 targets (without young people's 2007 and 2014); before that: 0.1008, the best particle of scenarios/calibration/england.toml (20 parameters; posterior mean 0.0798, effective sample size 1.7); original value: 0.07; its source before: B: Richardson et al. 2015";
        /// Shift for young people with heavy social-media use, from age 11 to `social_media_max_age`.
        social_media: f64 = 0.2094; "SD"; Check::closed(-5.0, 5.0); "Calibrated: ABC-SMC (scenarios/calibration/england_core.toml, nine parameters, the other 12 calibrated parameters at their defaults, 14 generations) to the 30 targets of scenarios/targets/england.toml (young people's prevalence in 2007 and 2014 added), prior [0.1, 0.3], the posterior mean shipped, 95% 0.102 to 0.297 (effective sample size 66.5 of 80; at 200,000 people distance 0.642 with 27 of 30 targets inside, against 0.823 and 25 for the defaults before it, and closer with as many or more inside at 50,000 people, seeds 7 and 8; the closest particle had 22 inside at seed 8); before it: 0.2655, england_core's closest particle on 28 targets (without young people's 2007 and 2014); before that: 0.1944, the best particle of scenarios/calibration/england.toml (20 parameters; posterior mean 0.177, effective sample size 1.7); original value: 0.15; its source before: C: sensitivity range 0.1 (Orben & Przybylski 2019) to 0.3 (Kelly et al. 2019)";
        /// Oldest age at which heavy social-media use counts (its shift and the heavy-use weight of online ties); 17 keeps it to adolescents.
        social_media_max_age: u32 = 24; "years"; Check::int(11, 40); "C: to the end of the APMS youth band (16-24), whose rise since 2014 the calibration targets; adolescent evidence (Kelly et al. 2019, ages 11-17); young adults 18-22 in Hunt et al. 2018 (RCT: limiting use lowered depression and loneliness)";
        /// One-off distress pulse at job loss, on top of the ongoing unemployment shift.
        job_loss_pulse: f64 = 0.3; "SD"; Check::closed(-5.0, 5.0); "D (unverified)";
        /// One-off distress pulse at a close bereavement.
        bereavement_pulse: f64 = 0.5; "SD"; Check::closed(-5.0, 5.0); "D (unverified)";
        /// Multiplier on every shift and pulse in this table; 0 switches all determinants off.
        multiplier: f64 = 1.0; "1"; Check::closed(0.0, 10.0); "D: for sensitivity analysis";
    }
}

crate::params! {
    /// Latent distress, clinical thresholds, kindling, peers, support and severe mental illness.
    pub struct DynamicsParams in "dynamics" {
        /// Weekly rate of reversion of distress towards its target (set point plus exposures).
        kappa: f64 = 0.2022; "per week"; Check::left_open(0.0, 1.0); "Calibrated: ABC-SMC (scenarios/calibration/england_core.toml, nine parameters, the other 12 calibrated parameters at their defaults, 14 generations) to the 30 targets of scenarios/targets/england.toml (young people's prevalence in 2007 and 2014 added), prior [0.08, 0.6], the posterior mean shipped, 95% 0.107 to 0.422 (effective sample size 66.5 of 80; at 200,000 people distance 0.642 with 27 of 30 targets inside, against 0.823 and 25 for the defaults before it, and closer with as many or more inside at 50,000 people, seeds 7 and 8; the closest particle had 22 inside at seed 8); before it: 0.2252, england_core's closest particle on 28 targets (without young people's 2007 and 2014); before that: 0.2028, the posterior mean of england_core's first run with seven parameters; before that, england_core's closest particle on the model without persistent episodes was the default, 0.1067; before that, the best particle of scenarios/calibration/england.toml (20 parameters; posterior mean 0.124, effective sample size 1.7) was the default, 0.1478; original value: 0.45; its source before: D: hand-tuned to episode durations (Spijker et al. 2002: median ~13-20 weeks)";
        /// Within-person SD of distress around its target (stationary, in population SD units).
        sigma: f64 = 0.5085; "SD"; Check::closed(0.0, 5.0); "Calibrated: ABC-SMC (scenarios/calibration/england.toml) to scenarios/targets/england.toml, prior [0.25, 0.6], posterior mean 0.536 (95% 0.53 to 0.538; effective sample size 1.7, so far too narrow), the best particle shipped; was 0.45; its source before: D: calibrated";
        /// Share of people in the chronic latent class (slow reversion).
        chronic_share: f64 = 0.36; "share"; Check::PROBABILITY; "Calibrated: ABC-SMC (scenarios/calibration/england.toml) to scenarios/targets/england.toml, prior [0.1, 0.5], posterior mean 0.355 (95% 0.346 to 0.376; effective sample size 1.7, so far too narrow), the best particle shipped; was 0.3; its source before: Spijker et al. 2002 duration mixture (~20% > 2 years)";
        /// Reversion rate of the chronic class relative to `kappa`.
        chronic_kappa_ratio: f64 = 0.03297; "ratio"; Check::left_open(0.0, 1.0); "Calibrated: ABC-SMC (scenarios/calibration/england.toml) to scenarios/targets/england.toml, prior [0.01, 0.15], posterior mean 0.0308 (95% 0.0202 to 0.0551; effective sample size 1.7, so far too narrow), the best particle shipped; was 0.03; its source before: D: calibrated";
        /// Probability that an episode is persistent: drawn at its onset, a persistent episode moves with the chronic class's reversion and noise until it ends (a per-episode chronic course, beside the per-person chronic class).
        persistent_episode_share: f64 = 0.09594; "probability"; Check::PROBABILITY; "Calibrated: ABC-SMC (scenarios/calibration/england_core.toml, nine parameters, the other 12 calibrated parameters at their defaults, 14 generations) to the 30 targets of scenarios/targets/england.toml (young people's prevalence in 2007 and 2014 added), prior [0, 0.3], the posterior mean shipped, 95% 0.00085 to 0.182 (effective sample size 66.5 of 80; at 200,000 people distance 0.642 with 27 of 30 targets inside, against 0.823 and 25 for the defaults before it, and closer with as many or more inside at 50,000 people, seeds 7 and 8; the closest particle had 22 inside at seed 8); before it: 0.1118, england_core's closest particle on 28 targets (without young people's 2007 and 2014); before that: 0.09325, the posterior mean of england_core's first run with seven parameters; the target that sets it: Spijker et al. 2002 (NEMESIS), ~20% of new episodes not recovered by 24 months, where the chronic class of people alone kept 10%";
        /// SD of the set point across people from the fixed diathesis.
        diathesis_sd: f64 = 0.9; "SD"; Check::closed(0.0, 5.0); "D: calibrated";
        /// Shape (log-scale SD) of the log-normal diathesis; 0 gives a normal set point.
        diathesis_skew: f64 = 1.0; "1"; Check::closed(0.0, 3.0); "D: hand-tuned (a right-skewed set point gives the long tail of episode durations)";
        /// Mean set point of men aged 25-64 without exposures.
        baseline_set_point: f64 = -0.5782; "SD"; Check::closed(-10.0, 10.0); "Calibrated: ABC-SMC (scenarios/calibration/england_core.toml, nine parameters, the other 12 calibrated parameters at their defaults, 14 generations) to the 30 targets of scenarios/targets/england.toml (young people's prevalence in 2007 and 2014 added), prior [-0.8, -0.2], the posterior mean shipped, 95% -0.716 to -0.452 (effective sample size 66.5 of 80; at 200,000 people distance 0.642 with 27 of 30 targets inside, against 0.823 and 25 for the defaults before it, and closer with as many or more inside at 50,000 people, seeds 7 and 8; the closest particle had 22 inside at seed 8); before it: -0.6061, england_core's closest particle on 28 targets (without young people's 2007 and 2014); before that: -0.5732, the posterior mean of england_core's first run with seven parameters; before that, england_core's closest particle on the model without persistent episodes was the default, -0.5007; before that, the best particle of scenarios/calibration/england.toml (20 parameters; posterior mean -0.439, effective sample size 1.7) was the default, -0.4885; original value: -0.45; its source before: D: hand-tuned to APMS 2014 prevalence at 16-64 (~19%)";
        /// Set-point shift for women.
        female_shift: f64 = 0.3008; "SD"; Check::closed(-5.0, 5.0); "Calibrated: ABC-SMC (scenarios/calibration/england_core.toml, nine parameters, the other 12 calibrated parameters at their defaults, 14 generations) to the 30 targets of scenarios/targets/england.toml (young people's prevalence in 2007 and 2014 added), prior [0.05, 0.45], the posterior mean shipped, 95% 0.145 to 0.424 (effective sample size 66.5 of 80; at 200,000 people distance 0.642 with 27 of 30 targets inside, against 0.823 and 25 for the defaults before it, and closer with as many or more inside at 50,000 people, seeds 7 and 8; the closest particle had 22 inside at seed 8); before it: 0.2614, england_core's closest particle on 28 targets (without young people's 2007 and 2014); before that: 0.3013, the posterior mean of england_core's first run with seven parameters; before that, england_core's closest particle on the model without persistent episodes was the default, 0.329; before that, the best particle of scenarios/calibration/england.toml (20 parameters; posterior mean 0.261, effective sample size 1.7) was the default, 0.2876; original value: 0.2; its source before: C: APMS 2014 (women above men)";
        /// Set-point shift for ages 16-24.
        youth_shift: f64 = 0.1505; "SD"; Check::closed(-5.0, 5.0); "Calibrated: ABC-SMC (scenarios/calibration/england_core.toml, nine parameters, the other 12 calibrated parameters at their defaults, 14 generations) to the 30 targets of scenarios/targets/england.toml (young people's prevalence in 2007 and 2014 added), prior [-0.1, 0.4], the posterior mean shipped, 95% -0.00589 to 0.289 (effective sample size 66.5 of 80; at 200,000 people distance 0.642 with 27 of 30 targets inside, against 0.823 and 25 for the defaults before it, and closer with as many or more inside at 50,000 people, seeds 7 and 8; the closest particle had 22 inside at seed 8); before it: 0.3481, england_core's closest particle on 28 targets (without young people's 2007 and 2014); before that: 0.2382, the posterior mean of england_core's first run with seven parameters; before that, england_core's closest particle on the model without persistent episodes was the default, 0.2373; before that, the best particle of scenarios/calibration/england.toml (20 parameters; posterior mean 0.201, effective sample size 1.7) was the default, 0.1706; original value: 0.1; its source before: C: APMS 2014 and 2023/4";
        /// Set-point shift for children 5-15.
        child_shift: f64 = -0.01356; "SD"; Check::closed(-5.0, 5.0); "Calibrated: ABC-SMC (scenarios/calibration/england_core.toml, nine parameters, the other 12 calibrated parameters at their defaults, 14 generations) to the 30 targets of scenarios/targets/england.toml (young people's prevalence in 2007 and 2014 added), prior [-0.4, 0.3], the posterior mean shipped, 95% -0.191 to 0.123 (effective sample size 66.5 of 80; at 200,000 people distance 0.642 with 27 of 30 targets inside, against 0.823 and 25 for the defaults before it, and closer with as many or more inside at 50,000 people, seeds 7 and 8; the closest particle had 22 inside at seed 8); before it: 0.01431, england_core's closest particle on 28 targets (without young people's 2007 and 2014); before that: 0.009966, the posterior mean of england_core's first run with seven parameters; before that, england_core's closest particle on the model without persistent episodes was the default, 0.005564; before that, the best particle of scenarios/calibration/england.toml (20 parameters; posterior mean -0.0268, effective sample size 1.7) was the default, -0.02779; original value: -0.3; its source before: C: MHCYP 2017 (12.1% probable disorder)";
        /// Set-point shift for ages 65+.
        older_shift: f64 = -0.3; "SD"; Check::closed(-5.0, 5.0); "C: APMS 2014 (lower prevalence over 65)";
        /// Episode onset threshold on latent distress.
        theta_on: f64 = 1.3; "SD"; Check::closed(-10.0, 10.0); "D: calibrated to APMS prevalence";
        /// Remission threshold (below `theta_on`: hysteresis).
        theta_off: f64 = 0.95; "SD"; Check::closed(-10.0, 10.0); "D: calibrated";
        /// Latent distress above which a person in an episode meets the criteria of a depressive episode (ICD-10 through the CIS-R, as APMS counts it). A measurement threshold, like the survey links: it changes no dynamics; it gives the depressive-level prevalence, and marks the episodes that begin above it (depressive-level episodes) for their durations.
        theta_depressive: f64 = 2.4; "SD"; Check::closed(-10.0, 10.0); "D: set by hand to APMS 2014's 3.3% with a depressive episode (McManus et al. 2016; target depressive_episode_2014): 3.14% at 16-64 in 2014 with the history scenario at 200,000 people and the current defaults, inside the target's 2.5-4.1% (3.36% when it was set, before incomes were taken after tax and young adults left home; 3.33% after)";
        /// Consecutive weeks above `theta_on` for an onset.
        onset_weeks: u32 = 2; "weeks"; Check::int(1, 52); "ICD-10/DSM: symptoms for 2 weeks";
        /// Consecutive weeks below `theta_off` for a remission.
        remission_weeks: u32 = 8; "weeks"; Check::int(1, 104); "Frank et al. 1991 (remission: 8 weeks well)";
        /// Set-point shift per past episode (kindling).
        kindling: f64 = 0.09545; "SD per episode"; Check::closed(0.0, 5.0); "Calibrated: ABC-SMC (scenarios/calibration/england.toml) to scenarios/targets/england.toml, prior [0, 0.3], posterior mean 0.0809 (95% 0.0738 to 0.0971; effective sample size 1.7, so far too narrow), the best particle shipped; was 0.08; its source before: D: calibrated to recurrence 13/23/42% at 5/10/20 years (Hardeveld et al. 2013)";
        /// Most past episodes that add kindling.
        kindling_cap: u32 = 4; "episodes"; Check::int(0, 100); "D";
        /// Global multiplier on every peer effect (contagion and healthy friends); 0 switches peers off.
        peer_multiplier: f64 = 1.0; "1"; Check::closed(0.0, 10.0); "D: swept from 0 (Eisenberg et al. 2013)";
        /// Shift of distress per weighted tie currently in an episode.
        peer_ill_shift: f64 = 0.04; "SD per tie"; Check::closed(0.0, 5.0); "C: Rosenquist et al. 2011 is an upper bound (+93% odds)";
        /// Most weighted ill ties that add to the peer shift.
        peer_cap: f64 = 3.0; "ties"; Check::closed(0.0, 1_000.0); "D";
        /// Relative increase in reversion while ill when all of one's ties are well.
        healthy_friends_recovery: f64 = 0.5; "ratio"; Check::closed(0.0, 10.0); "B: Hill et al. 2015 (healthy friends double recovery: upper bound)";
        /// Shift of the distress target for a person with no weighted ties who are well, falling linearly to 0 at `healthy_friends_sufficient` such ties (healthy friends protect against onset); 0 switches the onset term off.
        healthy_friends_onset: f64 = 0.05; "SD"; Check::closed(0.0, 5.0); "B: Hill et al. 2015 (sufficient healthy friends halve the probability of onset over 6-12 months: an observational upper bound); about 0.1 SD halves the weekly onset hazard of a person whose target is 0 to -0.3 SD, so 0.05 SD lowers it by about a quarter to a third, half of the upper bound on the log scale as for healthy_friends_recovery (docs/ODD.md 7.5)";
        /// Weighted ties who are well that count as sufficient for the onset term (`healthy_friends_onset`): with this many or more, it adds nothing.
        healthy_friends_sufficient: f64 = 5.0; "ties"; Check::closed(0.1, 1_000.0); "D: Hill et al. 2015 (a complex contagion: the protection grows with the number of healthy friends up to 'sufficient' friends)";
        /// Fraction of a shock absorbed when all household and neighbourhood ties are well.
        support_buffer: f64 = 0.3; "fraction"; Check::PROBABILITY; "B: Gariepy et al. 2016 (shocks x0.6-0.8)";
        /// Yearly incidence of severe mental illness among people aged 16-64.
        smi_incidence: f64 = 0.0005; "per person-year"; Check::closed(0.0, 1.0); "Kirkbride et al. 2012 (psychosis ~32 per 100,000; plus bipolar; unverified)";
        /// Yearly relapse hazard of severe mental illness in remission.
        smi_relapse_rate: f64 = 0.3; "per year"; Check::closed(0.0, 52.0); "D (unverified)";
        /// Relative relapse hazard while latent distress is above `theta_on`.
        smi_distress_relapse_rr: f64 = 2.0; "ratio"; Check::closed(0.0, 100.0); "D";
        /// Yearly probability that stable severe mental illness resolves for good.
        smi_recovery_rate: f64 = 0.055; "per year"; Check::closed(0.0, 1.0); "D: incidence x duration = prevalence";
        /// Mean duration of an acute phase of severe mental illness.
        smi_acute_weeks: f64 = 10.0; "weeks"; Check::closed(1.0, 520.0); "D (unverified)";
    }
}

crate::params! {
    /// Suicide: a weekly hazard for people aged `min_age` and over, `base_rate / 100,000 / 52`
    /// times the relative risks that apply (in an episode, with severe mental illness, male).
    /// A suicide is a death: the slot is taken by a newborn at once, as at a yearly death.
    pub struct SuicideParams in "suicide" {
        /// Yearly suicide rate of a woman not in an episode of common mental disorder and without severe mental illness, set so that the calibrated history reproduces the ONS rate of 2019-2024 (11.0 per 100,000 a year at ages 10+); 0 switches suicide off.
        base_rate: f64 = 1.01; "per 100,000 person-years"; Check::closed(0.0, 100_000.0); "D: scaled after calibration so that scenarios/history.toml gives 11.0 per 100,000 a year at ages 10+ in 2019-2024 (target suicide_rate, ONS 2024, Suicides in England and Wales: 2023 registrations): with the calibrated defaults, 1.17 gave 12.7 (6 replicates, 50,000 and 200,000 people), so 1.17 x 11.0 / 12.7; was 1.17";
        /// Relative suicide hazard while in an episode of common mental disorder.
        rr_episode: f64 = 20.0; "ratio"; Check::closed(0.0, 1_000.0); "B: Chesney, Goodwin & Fazel 2014, World Psychiatry (meta-review: suicide SMR ~20 in depression; mostly clinical samples, so an upper bound for milder episodes)";
        /// Relative suicide hazard with severe mental illness (stable or acute), multiplying the episode's when both apply.
        rr_smi: f64 = 13.0; "ratio"; Check::closed(0.0, 1_000.0); "B: Chesney, Goodwin & Fazel 2014 (suicide SMR ~13 in schizophrenia, ~17 in bipolar disorder); Hor & Taylor 2010 (~5% lifetime suicide in schizophrenia); multiplicative combination D";
        /// Relative suicide hazard of men.
        rr_male: f64 = 3.6; "ratio"; Check::closed(0.0, 100.0); "D: set so that the baseline's male to female rate ratio is ONS 2023's 17.4 / 5.7 ~ 3.1 (the ratio given episode status is larger, as women are more often in an episode)";
        /// Youngest age at risk (at most 16, so that everybody younger is a child).
        min_age: u32 = 10; "years"; Check::int(0, 16); "ONS suicide rates count deaths at ages 10 and over";
    }
}

/// Name, description and metadata of every section, in file order.
pub fn all_sections() -> Vec<(&'static str, &'static str, Vec<ParamMeta>)> {
    fn one<S: Section>() -> (&'static str, &'static str, Vec<ParamMeta>) {
        (S::NAME, S::DOC, S::meta())
    }
    vec![
        one::<RunParams>(),
        one::<PopulationParams>(),
        one::<NetworkParams>(),
        one::<EconomyParams>(),
        one::<LifeParams>(),
        one::<DeterminantParams>(),
        one::<DynamicsParams>(),
        one::<SuicideParams>(),
        one::<MeasureParams>(),
        one::<ServiceParams>(),
        one::<ValuationParams>(),
    ]
}

crate::params! {
    /// Monotone links from latent distress W to survey-comparable measures.
    pub struct MeasureParams in "measures" {
        /// Latent distress at which the probability of GHQ-12 caseness (score >= 4) is one half.
        ghq12_midpoint: f64 = 0.9; "SD"; Check::closed(-10.0, 10.0); "D: mapped to HSE 2019 GHQ-12 caseness ~ 19% (unverified)";
        /// Logistic scale of the GHQ-12 caseness link.
        ghq12_scale: f64 = 0.35; "SD"; Check::POSITIVE; "D";
        /// WEMWBS score at W = 0.
        wemwbs_intercept: f64 = 51.0; "WEMWBS points (14-70)"; Check::closed(14.0, 70.0); "HSE 2016 (mean ~ 50)";
        /// WEMWBS points per SD of latent distress (negative: distress lowers wellbeing).
        wemwbs_slope: f64 = -8.5; "points per SD"; Check::closed(-50.0, 0.0); "HSE 2016 (SD ~ 8.5)";
        /// SF-12 mental component score at W = 0.
        sf12_mcs_intercept: f64 = 50.0; "MCS points"; Check::closed(0.0, 100.0); "SF-12 norm-based scoring (mean 50)";
        /// SF-12 MCS points per SD of latent distress.
        sf12_mcs_slope: f64 = -10.0; "points per SD"; Check::closed(-50.0, 0.0); "SF-12 norm-based scoring (SD 10)";
        /// Life satisfaction (0-10) at W = 0.
        life_satisfaction_intercept: f64 = 7.5; "points (0-10)"; Check::closed(0.0, 10.0); "ONS Annual Population Survey 2023";
        /// Life-satisfaction points per SD of latent distress.
        life_satisfaction_slope: f64 = -1.3; "points per SD"; Check::closed(-10.0, 0.0); "D (unverified)";
    }
}
