//! The synthetic population: people as struct-of-arrays, households and neighbourhoods.
//!
//! [`synthesize`] builds a population from [`PopulationParams`](crate::params::PopulationParams) and [`EconomyParams`](crate::params::EconomyParams):
//! households from the household-size distribution, ages by household composition, sex,
//! ethnicity, neighbourhoods with deprivation deciles, employment by age and deprivation,
//! wages, equivalised household income and poverty, debt, arrears, adverse childhood
//! experiences, bullying, discrimination and loneliness. Only the random stream it is given
//! determines the result. No IO happens here.

mod leaving;
mod sickness;
mod synth;

pub use leaving::leave_home;
pub use sickness::match_sickness_to_illness;
pub use synth::{
    CHILD_MAX_AGE, after_birthday, debt_rr, deprivation_factors, heavy_share, loneliness_rr,
    rebirth, synthesize, turnover,
};

use crate::network::Groups;

/// Index of a person: a position in every per-person column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PersonId(pub u32);

/// Index of a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HouseholdId(pub u32);

/// Index of a neighbourhood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NeighbourhoodId(pub u32);

/// Sex at birth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Sex {
    /// Male.
    Male = 0,
    /// Female.
    Female = 1,
}

/// Employment state. Children under 16 are `Child`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Employment {
    /// In paid work.
    Employed = 0,
    /// Economically active, looking for work.
    Unemployed = 1,
    /// Economically inactive through long-term sickness or disability.
    InactiveSick = 2,
    /// In full-time education (16+).
    Student = 3,
    /// Retired.
    Retired = 4,
    /// Looking after family or home.
    Carer = 5,
    /// Under 16.
    Child = 6,
}

impl Employment {
    /// The adult employment states, in output order.
    pub const ADULT: [Employment; 6] = [
        Employment::Employed,
        Employment::Unemployed,
        Employment::InactiveSick,
        Employment::Student,
        Employment::Retired,
        Employment::Carer,
    ];

    /// Every state, adults first, then `Child`.
    pub const ALL: [Employment; 7] = [
        Employment::Employed,
        Employment::Unemployed,
        Employment::InactiveSick,
        Employment::Student,
        Employment::Retired,
        Employment::Carer,
        Employment::Child,
    ];

    /// Lower-case name used in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Employment::Employed => "employed",
            Employment::Unemployed => "unemployed",
            Employment::InactiveSick => "inactive_sick",
            Employment::Student => "student",
            Employment::Retired => "retired",
            Employment::Carer => "carer",
            Employment::Child => "child",
        }
    }
}

/// Changing socio-economic circumstances of one person, updated weekly. Kept together because
/// the weekly economy phase reads and writes them together.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circumstances {
    /// Employment state.
    pub employment: Employment,
    /// In problem debt.
    pub problem_debt: bool,
    /// In housing-payment arrears.
    pub arrears: bool,
    /// Often or always lonely.
    pub lonely: bool,
    /// Living in a household below the poverty line (kept in step with the household).
    pub poor: bool,
    /// How far the household's equivalised income falls below the poverty line:
    /// ln(poverty line / income) in steps of 1/[`SHORTFALL_STEPS`], capped at
    /// [`SHORTFALL_CAP`] (0 at or above the line; kept in step with the household).
    pub shortfall: u8,
}

/// Steps per unit of log income shortfall in [`Circumstances::shortfall`].
pub const SHORTFALL_STEPS: f32 = 64.0;
/// Largest log income shortfall recorded (an income of 1/e^3 of the poverty line or less,
/// including no income at all).
pub const SHORTFALL_CAP: f32 = 3.0;

/// The quantised log shortfall of `income` below `line`.
pub fn shortfall(income: f32, line: f32) -> u8 {
    if income >= line {
        return 0;
    }
    let gap = if income > 0.0 {
        (line / income).ln().min(SHORTFALL_CAP)
    } else {
        SHORTFALL_CAP
    };
    (gap * SHORTFALL_STEPS).round() as u8
}

/// The people of one replicate, as columns indexed by [`PersonId`].
#[derive(Debug, Clone)]
pub struct Population {
    /// Age in whole years.
    pub age: Vec<u8>,
    /// Sex.
    pub sex: Vec<Sex>,
    /// Ethnicity group (index into `population.ethnicity_shares`; 0 = White).
    pub ethnicity: Vec<u8>,
    /// Household of each person.
    pub household: Vec<HouseholdId>,
    /// Neighbourhood of each person.
    pub neighbourhood: Vec<NeighbourhoodId>,
    /// Deprivation decile of each person's neighbourhood (a per-person copy for the weekly loop).
    pub decile: Vec<u8>,
    /// Size of each person's household (a per-person copy for the weekly loop).
    pub household_size: Vec<u8>,
    /// Potential gross weekly earnings when employed (GBP).
    pub wage: Vec<f32>,
    /// Adverse childhood experiences (0-4, 4 meaning 4 or more).
    pub aces: Vec<u8>,
    /// Had a trusted adult in childhood.
    pub trusted_adult: Vec<bool>,
    /// Frequently bullied in childhood.
    pub bullied: Vec<bool>,
    /// Exposed to discrimination.
    pub discrimination: Vec<bool>,
    /// Heavy social-media use now (applies while aged 11-17); refreshed yearly from
    /// `heavy_base` and the growth of social media.
    pub heavy_social_media: Vec<bool>,
    /// Heavy social-media use as drawn at synthesis or birth (no growth).
    pub heavy_base: Vec<bool>,
    /// Week (of the simulation) until which out-of-work benefit is not paid: a new claim's
    /// waiting period or a sanction (0 = paid).
    pub benefit_hold_until: Vec<u32>,
    /// Weekly-changing circumstances.
    pub circumstances: Vec<Circumstances>,
    /// Members of each household.
    pub households: Groups,
    /// Equivalised weekly household income of each household (GBP).
    pub household_income: Vec<f32>,
    /// Whether each household is below the poverty line.
    pub household_poor: Vec<bool>,
    /// Deprivation decile (1 = least deprived, 10 = most) of each neighbourhood.
    pub deprivation_decile: Vec<u8>,
    /// Poverty line: a share of the median equivalised income at the start (GBP per week).
    pub poverty_line: f32,
    /// Calendar year of the latest birthdays: everyone's age goes up at once every 52 weeks,
    /// so a person aged `a` was born (in the model's calendar) in `birthday_year - a`.
    pub birthday_year: f64,
}

impl Population {
    /// Number of people.
    pub fn len(&self) -> usize {
        self.age.len()
    }

    /// Whether there is nobody.
    pub fn is_empty(&self) -> bool {
        self.age.is_empty()
    }

    /// Refresh who is a heavy social-media user now: everyone drawn as one, plus (when
    /// `factor` > 1) non-users whose fixed draw falls below the extra share, or (when
    /// `factor` < 1) only drawn users whose fixed draw falls below `factor`. The draw of a
    /// person is keyed by their slot and birth year, so it is the same in every scenario.
    /// `shares` are the drawn shares of men and women (by `Sex as usize`).
    pub fn refresh_heavy_use(
        &mut self,
        shares: [f64; 2],
        factor: f64,
        key: crate::rng::StreamKey,
        year: u32,
    ) {
        let extras = shares.map(|share| {
            let target = (share * factor).min(1.0);
            if factor > 1.0 && share < 1.0 {
                (target - share) / (1.0 - share)
            } else {
                0.0
            }
        });
        for p in 0..self.len() {
            let extra = extras[self.sex[p] as usize];
            let birth = 10_000 + year - u32::from(self.age[p]);
            let u = key.uniform(p as u32, birth);
            self.heavy_social_media[p] = if factor >= 1.0 {
                self.heavy_base[p] || u < extra
            } else {
                self.heavy_base[p] && u < factor
            };
        }
    }

    /// Whether the person is of a marginalised ethnic group.
    pub fn marginalised(&self, person: usize) -> bool {
        self.ethnicity[person] != 0
    }

    /// Deprivation decile of the person's neighbourhood.
    pub fn decile_of(&self, person: usize) -> u8 {
        self.decile[person]
    }

    /// Whether the person's household is below the poverty line.
    pub fn poor(&self, person: usize) -> bool {
        self.circumstances[person].poor
    }

    /// Rebuild the household groups from every person's `household` for `n_households`
    /// households (the income and poverty vectors grow to match, new entries zero and not
    /// poor until recomputed), and every person's `household_size`.
    pub fn regroup_households(&mut self, n_households: usize) {
        self.households =
            Groups::from_assignment(self.household.iter().map(|h| h.0).collect(), n_households);
        self.household_income.resize(n_households, 0.0);
        self.household_poor.resize(n_households, false);
        for p in 0..self.len() {
            self.household_size[p] =
                self.households.size(self.household[p].0 as usize).min(255) as u8;
        }
    }

    /// Recompute equivalised income and poverty of one household from its members' states.
    pub fn update_household_income(
        &mut self,
        household: HouseholdId,
        economy: &crate::params::EconomyParams,
        rules: &IncomeRules<'_>,
    ) {
        let h = household.0 as usize;
        let (income, poor) = household_income(self, h, economy, rules);
        self.household_income[h] = income;
        self.household_poor[h] = poor;
        let gap = shortfall(income, self.poverty_line);
        for &member in self.households.members(h) {
            let c = &mut self.circumstances[member as usize];
            c.poor = poor;
            c.shortfall = gap;
        }
    }
}

/// What policies do to incomes this week.
#[derive(Debug, Clone, Copy)]
pub struct IncomeRules<'a> {
    /// Current week of the simulation (benefit holds end at a week).
    pub week: u32,
    /// Each person's policy effects, when person-level policies act.
    pub effects: Option<&'a [crate::policy::PersonEffects]>,
}

impl IncomeRules<'_> {
    /// No policy: everybody is paid their standard income.
    pub const NONE: IncomeRules<'static> = IncomeRules {
        week: 0,
        effects: None,
    };
}

/// Weekly income after income tax, and after employees' National Insurance for `earnings`
/// (GBP): gross income less the basic rates between `tax_free_weekly` and
/// `higher_rate_weekly` and the higher rates above it.
pub fn net_income(gross: f64, economy: &crate::params::EconomyParams, earnings: bool) -> f32 {
    let (basic, higher) = if earnings {
        (
            economy.basic_tax_rate + economy.national_insurance_rate,
            economy.higher_tax_rate + economy.national_insurance_upper_rate,
        )
    } else {
        (economy.basic_tax_rate, economy.higher_tax_rate)
    };
    let band = (economy.higher_rate_weekly - economy.tax_free_weekly).max(0.0);
    let basic_part = (gross - economy.tax_free_weekly).clamp(0.0, band);
    let higher_part = (gross - economy.tax_free_weekly - band).max(0.0);
    (gross - basic * basic_part - higher * higher_part) as f32
}

/// Weekly disposable income of one person in their current state (GBP), under the week's
/// rules: earnings and pensions after tax ([`net_income`]), benefits, and policies' extra
/// income. Child-related benefits are the household's ([`dependent_child`]).
pub fn personal_income(
    pop: &Population,
    p: usize,
    economy: &crate::params::EconomyParams,
    rules: &IncomeRules<'_>,
) -> f32 {
    let e = rules
        .effects
        .map_or(crate::policy::PersonEffects::NEUTRAL, |v| v[p]);
    let base = match pop.circumstances[p].employment {
        Employment::Employed => net_income(f64::from(pop.wage[p].max(e.wage_floor)), economy, true),
        Employment::Unemployed | Employment::InactiveSick | Employment::Carer => {
            if rules.week < pop.benefit_hold_until[p] {
                0.0
            } else {
                economy.benefit_weekly as f32 * e.benefit_factor
            }
        }
        Employment::Retired => net_income(
            economy.pension_weekly + economy.private_pension_share * f64::from(pop.wage[p]),
            economy,
            false,
        ),
        Employment::Student => economy.student_weekly as f32,
        Employment::Child => 0.0,
    };
    base + e.extra_income
}

/// Whether person `p` is a dependent child for child-related benefits: under 16, or 16-17
/// and in education.
pub fn dependent_child(pop: &Population, p: usize) -> bool {
    match pop.circumstances[p].employment {
        Employment::Child => true,
        Employment::Student => pop.age[p] <= CHILD_MAX_AGE,
        _ => false,
    }
}

/// Child-related benefits of a household (GBP a week): Child Benefit for every dependent
/// child (the eldest's rate for the first, in member order), and the means-tested child
/// element for each dependent child who is among the household's first
/// `child_element_limit` dependent children by birth order (age, then member order) or was
/// born before `child_element_limit_born_from` (the limit is the child's own where a policy
/// changes it, `child_element_limit` policies), withdrawn at `child_element_taper` of the
/// household's earnings above `work_allowance_weekly`. Each child's amounts scale with their
/// own `benefit_factor`, so benefit changes that reach children change them.
fn child_benefits(
    pop: &Population,
    members: &[u32],
    earnings: f32,
    economy: &crate::params::EconomyParams,
    rules: &IncomeRules<'_>,
) -> f32 {
    let mut children = 0u32;
    let (mut universal, mut elements) = (0.0f32, 0.0f32);
    for (i, &member) in members.iter().enumerate() {
        let p = member as usize;
        if !dependent_child(pop, p) {
            continue;
        }
        let factor = rules.effects.map_or(1.0, |v| v[p].benefit_factor);
        let benefit = if children == 0 {
            economy.child_benefit_weekly
        } else {
            economy.child_benefit_additional_weekly
        };
        universal += benefit as f32 * factor;
        children += 1;
        let born = pop.birthday_year - f64::from(pop.age[p]);
        let eligible = born < economy.child_element_limit_born_from || {
            // Older dependent children: born earlier, or the same year and listed first.
            let older = members
                .iter()
                .enumerate()
                .filter(|&(j, &other)| {
                    let q = other as usize;
                    j != i
                        && dependent_child(pop, q)
                        && (pop.age[q] > pop.age[p] || (pop.age[q] == pop.age[p] && j < i))
                })
                .count();
            let limit = match rules.effects.map(|v| v[p].child_element_limit) {
                Some(changed) if changed != crate::policy::PersonEffects::NO_LIMIT_CHANGE => {
                    u32::from(changed)
                }
                _ => economy.child_element_limit,
            };
            older < limit as usize
        };
        if eligible {
            elements += economy.child_element_weekly as f32 * factor;
        }
    }
    if children == 0 {
        return 0.0;
    }
    let withdrawn = economy.child_element_taper as f32
        * (earnings - economy.work_allowance_weekly as f32).max(0.0);
    universal + (elements - withdrawn).max(0.0)
}

/// Equivalised income (modified OECD scale: 1 for the first adult, 0.5 per further person 14+,
/// 0.3 per child under 14) and poverty status of household `h`: its members' incomes plus its
/// child-related benefits.
fn household_income(
    pop: &Population,
    h: usize,
    economy: &crate::params::EconomyParams,
    rules: &IncomeRules<'_>,
) -> (f32, bool) {
    let members = pop.households.members(h);
    let (mut total, mut earnings) = (0.0f32, 0.0f32);
    let (mut older, mut young) = (0u32, 0u32);
    for &member in members {
        let p = member as usize;
        let income = personal_income(pop, p, economy, rules);
        total += income;
        if pop.circumstances[p].employment == Employment::Employed {
            // Earnings: the wage (or its floor), without policies' unearned income.
            earnings += income - rules.effects.map_or(0.0, |v| v[p].extra_income);
        }
        if pop.age[p] >= 14 {
            older += 1
        } else {
            young += 1
        }
    }
    total += child_benefits(pop, members, earnings, economy, rules);
    let scale = if older > 0 {
        1.0 + 0.5 * (older - 1) as f32
    } else {
        0.0
    } + 0.3 * young as f32;
    let equivalised = if scale > 0.0 { total / scale } else { 0.0 };
    (equivalised, equivalised < pop.poverty_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortfall_is_graded_below_the_line_and_capped() {
        assert_eq!(shortfall(300.0, 200.0), 0);
        assert_eq!(shortfall(200.0, 200.0), 0);
        assert_eq!(
            shortfall(100.0, 200.0),
            (2f32.ln() * SHORTFALL_STEPS).round() as u8
        );
        assert!(shortfall(90.0, 200.0) > shortfall(100.0, 200.0));
        assert_eq!(
            shortfall(0.0, 200.0),
            (SHORTFALL_CAP * SHORTFALL_STEPS) as u8
        );
        assert_eq!(shortfall(0.001, 200.0), shortfall(0.0, 200.0));
    }

    #[test]
    fn net_income_takes_the_basic_and_higher_rates_in_their_bands() {
        let e = crate::params::EconomyParams::default();
        let close = |a: f32, b: f64| (f64::from(a) - b).abs() < 1e-3;
        // Below the allowance: untaxed.
        assert!(close(net_income(200.0, &e, true), 200.0));
        // 600 GBP of earnings: 32% (tax and NI) of the 358.27 above the allowance.
        assert!(close(net_income(600.0, &e, true), 600.0 - 0.32 * 358.27));
        // A pension pays no National Insurance.
        assert!(close(net_income(600.0, &e, false), 600.0 - 0.2 * 358.27));
        // 1,500 GBP: the whole basic band, then 42% above 966.73.
        let expected = 1500.0 - 0.32 * (966.73 - 241.73) - 0.42 * (1500.0 - 966.73);
        assert!(close(net_income(1500.0, &e, true), expected));
        // Net income never falls as gross income rises.
        let mut last = 0.0;
        for g in 0..3000 {
            let n = net_income(f64::from(g), &e, true);
            assert!(n >= last, "{g}: {n} < {last}");
            last = n;
        }
    }
}
