//! Synthesis of a population from demographic tables.

use rand::RngExt;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, LogNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{
    Circumstances, Employment, HouseholdId, IncomeRules, NeighbourhoodId, Population, Sex,
};
use crate::network::Groups;
use crate::params::{EconomyParams, LifeParams, PopulationParams};
use crate::rng::{Stream, StreamKey};

/// Lower bounds of the adult age bands of `population.adult_age_shares`; the last ends at 94.
const ADULT_BAND_START: [u8; 9] = [16, 25, 35, 45, 55, 65, 75, 85, 95];

/// Build the population of replicate `replicate` under `seed`, its ages those reached at the
/// birthdays of calendar year `birthday_year` (for the rules that depend on dates of birth).
#[allow(clippy::too_many_arguments)]
pub fn synthesize(
    n_people: usize,
    params: &PopulationParams,
    economy: &EconomyParams,
    life: &LifeParams,
    birthday_year: f64,
    seed: u64,
    replicate: u64,
) -> Population {
    let mut rng = StreamKey::new(seed, replicate, Stream::Population).sequential();
    let (age, household, n_households) = households_and_ages(n_people, params, &mut rng);
    let households = Groups::from_assignment(household.iter().map(|h| h.0).collect(), n_households);

    // Neighbourhoods: consecutive households fill areas of about `neighbourhood_size` people.
    let n_neighbourhoods =
        ((n_people as f64 / f64::from(params.neighbourhood_size)).round() as usize).max(1);
    let neighbourhood: Vec<NeighbourhoodId> = (0..n_people)
        .map(|p| {
            let first = households.members(household[p].0 as usize)[0] as usize;
            NeighbourhoodId((first * n_neighbourhoods / n_people) as u32)
        })
        .collect();
    // Deprivation deciles: each decile holds a tenth of the neighbourhoods, in random order.
    let mut order: Vec<usize> = (0..n_neighbourhoods).collect();
    order.shuffle(&mut rng);
    let mut deprivation_decile = vec![0u8; n_neighbourhoods];
    // Midpoint ranks, so that a town with few neighbourhoods still spans the deciles from
    // least to most deprived (7 neighbourhoods: deciles 1, 3, 4, 6, 7, 8, 10).
    for (rank, &nb) in order.iter().enumerate() {
        deprivation_decile[nb] = 1 + ((2 * rank + 1) * 10 / (2 * n_neighbourhoods)) as u8;
    }

    // Sex per person; ethnicity per household.
    let sex: Vec<Sex> = (0..n_people)
        .map(|_| {
            if rng.random_bool(params.female_share) {
                Sex::Female
            } else {
                Sex::Male
            }
        })
        .collect();
    let household_ethnicity: Vec<u8> = (0..n_households)
        .map(|_| draw_index(&params.ethnicity_shares, &mut rng) as u8)
        .collect();
    let ethnicity: Vec<u8> = household
        .iter()
        .map(|h| household_ethnicity[h.0 as usize])
        .collect();

    // Life course.
    let ace_factor = deprivation_factors(params.deprivation_ace_ratio);
    let aces: Vec<u8> = (0..n_people)
        .map(|p| {
            let decile = deprivation_decile[neighbourhood[p].0 as usize] as usize - 1;
            draw_aces(&params.ace_shares, ace_factor[decile], &mut rng)
        })
        .collect();
    let trusted_adult: Vec<bool> = (0..n_people)
        .map(|_| rng.random_bool(params.trusted_adult_share))
        .collect();
    let bullied: Vec<bool> = (0..n_people)
        .map(|_| rng.random_bool(params.bullied_share))
        .collect();
    let discrimination: Vec<bool> = (0..n_people)
        .map(|p| {
            let share = if ethnicity[p] != 0 {
                params.discrimination_share_marginalised
            } else {
                params.discrimination_share_other
            };
            rng.random_bool(share)
        })
        .collect();
    let heavy_social_media: Vec<bool> = (0..n_people)
        .map(|p| rng.random_bool(heavy_share(params, sex[p])))
        .collect();

    // Economy: employment by age and deprivation, wages, debt, arrears.
    let mut econ_rng = StreamKey::new(seed, replicate, Stream::Economy).sequential();
    let worklessness = deprivation_factors(economy.deprivation_worklessness_ratio);
    let wage_factor = deprivation_factors(economy.deprivation_wage_ratio);
    let wage_dist = LogNormal::new(0.0, economy.wage_log_sd).expect("validated wage_log_sd");
    let mut wage = Vec::with_capacity(n_people);
    let mut employment = Vec::with_capacity(n_people);
    for p in 0..n_people {
        let decile = deprivation_decile[neighbourhood[p].0 as usize] as usize - 1;
        employment.push(initial_employment(
            age[p],
            worklessness[decile],
            economy,
            &mut econ_rng,
        ));
        let w = economy.median_weekly_wage * wage_factor[decile] * wage_dist.sample(&mut econ_rng);
        wage.push(w as f32);
    }

    let decile: Vec<u8> = neighbourhood
        .iter()
        .map(|nb| deprivation_decile[nb.0 as usize])
        .collect();
    let household_size: Vec<u8> = household
        .iter()
        .map(|h| households.size(h.0 as usize).min(255) as u8)
        .collect();
    let mut pop = Population {
        decile,
        household_size,
        age,
        sex,
        ethnicity,
        household,
        neighbourhood,
        wage,
        aces,
        trusted_adult,
        bullied,
        discrimination,
        heavy_base: heavy_social_media.clone(),
        heavy_social_media,
        benefit_hold_until: vec![0; n_people],
        circumstances: employment
            .iter()
            .map(|&employment| Circumstances {
                employment,
                problem_debt: false,
                arrears: false,
                lonely: false,
                poor: false,
                shortfall: 0,
            })
            .collect(),
        household_income: vec![0.0; n_households],
        household_poor: vec![false; n_households],
        households,
        deprivation_decile,
        poverty_line: 0.0,
        birthday_year,
    };

    // Income and the poverty line (a share of the person-weighted median at the start).
    for h in 0..n_households {
        pop.update_household_income(HouseholdId(h as u32), economy, &IncomeRules::NONE);
    }
    let mut incomes: Vec<f32> = pop
        .household
        .iter()
        .map(|h| pop.household_income[h.0 as usize])
        .collect();
    incomes.sort_unstable_by(f32::total_cmp);
    pop.poverty_line = incomes[incomes.len() / 2] * economy.poverty_line_share as f32;
    for h in 0..n_households {
        pop.update_household_income(HouseholdId(h as u32), economy, &IncomeRules::NONE);
    }

    // Debt, arrears and loneliness start in the equilibrium of their weekly hazards.
    for p in 0..n_people {
        let adult = pop.age[p] >= 18;
        let c = pop.circumstances[p];
        let rr = debt_rr(pop.poor(p), c.employment, economy);
        let debt = adult
            && econ_rng.random_bool(equilibrium(
                economy.debt_onset_rate * rr,
                economy.debt_exit_rate,
            ));
        let arrears = adult
            && econ_rng.random_bool(equilibrium(
                economy.arrears_onset_rate * rr,
                economy.arrears_exit_rate,
            ));
        let lonely_rr = loneliness_rr(u32::from(pop.household_size[p]), c.employment, life);
        let lonely = pop.age[p] >= 16
            && econ_rng.random_bool(equilibrium(
                life.loneliness_onset_rate * lonely_rr,
                life.loneliness_exit_rate,
            ));
        pop.circumstances[p] = Circumstances {
            problem_debt: debt,
            arrears,
            lonely,
            ..c
        };
    }
    pop
}

/// Employment after a birthday: leaving school at 16, starting or finishing higher
/// education at 18 and 22, retiring at and after pension age. `active` draws employed or
/// unemployed for someone entering the labour market.
pub fn after_birthday(
    age: u8,
    before: Employment,
    economy: &EconomyParams,
    rng: &mut Xoshiro256PlusPlus,
    active: impl FnOnce(&mut Xoshiro256PlusPlus) -> Employment,
) -> Employment {
    let pension_age = economy.pension_age.min(255) as u8;
    match (age, before) {
        (16, Employment::Child) => Employment::Student,
        (18, Employment::Student) => {
            if rng.random_bool(economy.higher_education_share) {
                Employment::Student
            } else {
                active(rng)
            }
        }
        (a, Employment::Student) if a >= 22 => active(rng),
        (a, Employment::Employed) if a == pension_age => {
            if rng.random_bool(economy.work_past_pension_probability) {
                Employment::Employed
            } else {
                Employment::Retired
            }
        }
        (a, Employment::Unemployed | Employment::InactiveSick | Employment::Carer)
            if a >= pension_age =>
        {
            Employment::Retired
        }
        (a, Employment::Employed) if a > pension_age => {
            if rng.random_bool(economy.retirement_rate_past_pension) {
                Employment::Retired
            } else {
                Employment::Employed
            }
        }
        (_, e) => e,
    }
}

/// Yearly deaths and births. Each person dies with the Gompertz probability of their age;
/// each death frees a slot that becomes a newborn in the household (and neighbourhood) of a
/// mother chosen by `Mothers` (by the fertility of her age, most often one who lives with
/// a partner), so that the population size stays constant.
/// Newborns get fresh life-course attributes. Returns the reused slots, in increasing order;
/// the caller must rebuild everything that depends on households, ties and mental health.
pub fn turnover(
    pop: &mut Population,
    params: &PopulationParams,
    economy: &EconomyParams,
    rng: &mut Xoshiro256PlusPlus,
) -> Vec<u32> {
    let deaths: Vec<u32> = (0..pop.len() as u32)
        .filter(|&p| {
            let age = f64::from(pop.age[p as usize]);
            let q = (params.mortality_gompertz_a + params.mortality_gompertz_b * age)
                .exp()
                .min(1.0);
            rng.random_bool(q)
        })
        .collect();
    if deaths.is_empty() {
        return deaths;
    }
    let mut died = vec![false; pop.len()];
    for &d in &deaths {
        died[d as usize] = true;
    }
    let mothers = Mothers::new(params);
    let candidates = mothers.candidates(pop, |p| !died[p]);
    let births = Births::new(economy);
    for &slot in &deaths {
        let b = slot as usize;
        // The mother: with a partner or without, as drawn, where there is such a woman;
        // with no woman of mother's age left, the household of the first survivor (or, if
        // nobody survives, the slot's own).
        let partnered = rng.random_bool(params.births_with_partner_share);
        let host = Mothers::draw(&candidates, partnered, rng)
            .unwrap_or_else(|| (0..pop.len()).find(|&p| !died[p]).unwrap_or(b));
        births.reuse_slot(pop, b, host, params, rng);
    }
    pop.regroup_households(pop.households.n_groups());
    deaths
}

/// Draws an index of `group` with probability proportional to its weight, or uniformly when
/// every weight is 0; `None` for an empty group. One uniform number per draw.
fn draw_weighted(group: &[(u32, f64)], rng: &mut Xoshiro256PlusPlus) -> Option<usize> {
    if group.is_empty() {
        return None;
    }
    let total: f64 = group.iter().map(|&(_, w)| w).sum();
    let u: f64 = rng.random();
    if total <= 0.0 {
        return Some(((u * group.len() as f64) as usize).min(group.len() - 1));
    }
    let target = u * total;
    let mut acc = 0.0;
    for (i, &(_, w)) in group.iter().enumerate() {
        acc += w;
        if target < acc {
            return Some(i);
        }
    }
    // Rounding: the last woman with a weight.
    group.iter().rposition(|&(_, w)| w > 0.0)
}

/// Who may become a newborn's mother, and with what weight: the women of mother's age
/// (`mother_age_min`..`mother_age_max`), weighted by the fertility rate of their age band
/// (`fertility_by_age`), in two groups, those who live with a partner — another living
/// adult (18+) of the household within `partner_max_age_gap` years of her age — and the
/// others. A birth first draws the group (with a partner with probability
/// `births_with_partner_share`), then the mother within it.
struct Mothers<'a> {
    params: &'a PopulationParams,
    ages: std::ops::RangeInclusive<u8>,
}

impl<'a> Mothers<'a> {
    fn new(params: &'a PopulationParams) -> Mothers<'a> {
        Mothers {
            params,
            ages: params.mother_age_min.min(255) as u8..=params.mother_age_max.min(255) as u8,
        }
    }

    /// The weight of `age` (0 outside mother's ages): the rate of its five-year band from 15,
    /// younger ages taking the first band's and older the last's.
    fn weight(&self, age: u8) -> f64 {
        if !self.ages.contains(&age) {
            return 0.0;
        }
        let rates = &self.params.fertility_by_age;
        let band = usize::from(age.saturating_sub(15) / 5).min(rates.len() - 1);
        rates[band]
    }

    /// Whether `p` is a living woman of mother's age.
    fn candidate(&self, pop: &Population, p: usize, alive: &impl Fn(usize) -> bool) -> bool {
        alive(p) && pop.sex[p] == Sex::Female && self.ages.contains(&pop.age[p])
    }

    /// Whether `p` lives with a partner: another living adult of her household within
    /// `partner_max_age_gap` years of her age.
    fn partnered(&self, pop: &Population, p: usize, alive: &impl Fn(usize) -> bool) -> bool {
        let gap = self.params.partner_max_age_gap.min(255) as u8;
        pop.households
            .members(pop.household[p].0 as usize)
            .iter()
            .map(|&q| q as usize)
            .any(|q| {
                q != p && alive(q) && pop.age[q] >= 18 && pop.age[q].abs_diff(pop.age[p]) <= gap
            })
    }

    /// A mother among `candidates` ([`Mothers::candidates`]), by weight: from the group of
    /// those with a partner if `partnered`, else of the others, or from the other group where
    /// that one is empty; `None` without any candidate.
    fn draw(
        candidates: &[Vec<(u32, f64)>; 2],
        partnered: bool,
        rng: &mut Xoshiro256PlusPlus,
    ) -> Option<usize> {
        let [with, without] = candidates;
        let (first, second) = if partnered {
            (with, without)
        } else {
            (without, with)
        };
        let group = if first.is_empty() { second } else { first };
        draw_weighted(group, rng).map(|i| group[i].0 as usize)
    }

    /// The candidates with their weights, in person order: those with a partner, then the
    /// others.
    fn candidates(&self, pop: &Population, alive: impl Fn(usize) -> bool) -> [Vec<(u32, f64)>; 2] {
        let (mut with, mut without) = (Vec::new(), Vec::new());
        for p in 0..pop.len() {
            if self.candidate(pop, p, &alive) {
                let entry = (p as u32, self.weight(pop.age[p]));
                if self.partnered(pop, p, &alive) {
                    with.push(entry);
                } else {
                    without.push(entry);
                }
            }
        }
        [with, without]
    }
}

/// What every birth needs: the wage factors by decile and the wage distribution.
struct Births {
    median_wage: f64,
    wage_factor: [f64; 10],
    wage_dist: LogNormal<f64>,
}

impl Births {
    fn new(economy: &EconomyParams) -> Births {
        Births {
            median_wage: economy.median_weekly_wage,
            wage_factor: deprivation_factors(economy.deprivation_wage_ratio),
            wage_dist: LogNormal::new(0.0, economy.wage_log_sd).expect("validated wage_log_sd"),
        }
    }

    /// Slot `b` becomes a newborn in the household of `host` (the mother): household,
    /// neighbourhood, decile, ethnicity, poverty and income shortfall from the host; age 0;
    /// sex, childhood exposures, heavy social-media use and wage drawn afresh (in this
    /// order); a child's circumstances; no benefit hold. The household groups and sizes are
    /// left to the caller. Both deaths at a new year ([`turnover`]) and deaths during a week
    /// ([`rebirth`]) reuse slots through this function.
    fn reuse_slot(
        &self,
        pop: &mut Population,
        b: usize,
        host: usize,
        params: &PopulationParams,
        rng: &mut Xoshiro256PlusPlus,
    ) {
        pop.household[b] = pop.household[host];
        pop.neighbourhood[b] = pop.neighbourhood[host];
        pop.decile[b] = pop.decile[host];
        pop.ethnicity[b] = pop.ethnicity[host];
        pop.age[b] = 0;
        pop.sex[b] = if rng.random_bool(params.female_share) {
            Sex::Female
        } else {
            Sex::Male
        };
        let ace_factor = deprivation_factors(params.deprivation_ace_ratio);
        pop.aces[b] = draw_aces(
            &params.ace_shares,
            ace_factor[pop.decile[b] as usize - 1],
            rng,
        );
        pop.trusted_adult[b] = rng.random_bool(params.trusted_adult_share);
        pop.bullied[b] = rng.random_bool(params.bullied_share);
        let discrimination = if pop.ethnicity[b] != 0 {
            params.discrimination_share_marginalised
        } else {
            params.discrimination_share_other
        };
        pop.discrimination[b] = rng.random_bool(discrimination);
        pop.heavy_social_media[b] = rng.random_bool(heavy_share(params, pop.sex[b]));
        pop.heavy_base[b] = pop.heavy_social_media[b];
        pop.benefit_hold_until[b] = 0;
        let factor = self.wage_factor[usize::from(pop.decile[b] - 1)];
        pop.wage[b] = (self.median_wage * factor * self.wage_dist.sample(rng)) as f32;
        pop.circumstances[b] = Circumstances {
            employment: Employment::Child,
            problem_debt: false,
            arrears: false,
            lonely: false,
            poor: pop.circumstances[host].poor,
            shortfall: pop.circumstances[host].shortfall,
        };
    }
}

/// Tries at drawing a mother by rejection before listing the candidates.
const MOTHER_TRIES: usize = 256;

/// The slot of a person who died during a week (by suicide) becomes a newborn at once, as at
/// a yearly death ([`turnover`]), with the mother chosen as there (`Mothers`) among the
/// people not in `dead` (the week's deaths, sorted; the slot among them): the group (with a
/// partner or not) is drawn first; then people drawn uniformly are taken if they are
/// candidates of the group, each with probability its weight over the largest weight of
/// mother's ages, and after `MOTHER_TRIES` misses the mother is drawn from the list of the
/// group's candidates (or of the other group's where it has none); with no candidate, the
/// first person in person order not in `dead` hosts (and with nobody, the slot keeps its
/// household). The slot is reused by the same function as at a new year, then moved into
/// the mother's household group, and the household sizes of both households are updated.
/// Returns the household the deceased left.
pub fn rebirth(
    pop: &mut Population,
    slot: usize,
    dead: &[u32],
    params: &PopulationParams,
    economy: &EconomyParams,
    rng: &mut Xoshiro256PlusPlus,
) -> HouseholdId {
    let mothers = Mothers::new(params);
    let alive = |p: usize| dead.binary_search(&(p as u32)).is_err();
    let n = pop.len();
    let partnered = rng.random_bool(params.births_with_partner_share);
    let heaviest = mothers
        .ages
        .clone()
        .map(|a| mothers.weight(a))
        .fold(0.0, f64::max);
    let mut host = None;
    for _ in 0..MOTHER_TRIES {
        let p = rng.random_range(0..n);
        if mothers.candidate(pop, p, &alive)
            && mothers.partnered(pop, p, &alive) == partnered
            && (heaviest <= 0.0 || rng.random::<f64>() * heaviest < mothers.weight(pop.age[p]))
        {
            host = Some(p);
            break;
        }
    }
    let host = host.unwrap_or_else(|| {
        Mothers::draw(&mothers.candidates(pop, alive), partnered, rng)
            .unwrap_or_else(|| (0..n).find(|&p| alive(p)).unwrap_or(slot))
    });
    let left = pop.household[slot];
    Births::new(economy).reuse_slot(pop, slot, host, params, rng);
    let joined = pop.household[slot];
    pop.households.move_member(slot as u32, joined.0);
    for h in [left, joined] {
        let size = pop.households.size(h.0 as usize).min(255) as u8;
        for &q in pop.households.members(h.0 as usize) {
            pop.household_size[q as usize] = size;
        }
    }
    left
}

/// Relative hazard of debt and arrears onset.
pub fn debt_rr(poor: bool, employment: Employment, economy: &EconomyParams) -> f64 {
    let mut rr = 1.0;
    if poor {
        rr *= economy.poverty_debt_rr;
    }
    if employment == Employment::Unemployed {
        rr *= economy.unemployment_debt_rr;
    }
    rr
}

/// Relative hazard of loneliness onset.
pub fn loneliness_rr(household_size: u32, employment: Employment, life: &LifeParams) -> f64 {
    let mut rr = 1.0;
    if household_size == 1 {
        rr *= life.living_alone_loneliness_rr;
    }
    if employment == Employment::Unemployed {
        rr *= life.unemployment_loneliness_rr;
    }
    rr
}

/// Equilibrium share in a two-state process with weekly onset and exit hazards.
fn equilibrium(onset: f64, exit: f64) -> f64 {
    let onset = onset.min(1.0);
    if onset + exit > 0.0 {
        onset / (onset + exit)
    } else {
        0.0
    }
}

/// Factors by deprivation decile (index 0 = least deprived) rising geometrically from
/// 1 to `ratio`, normalised to mean 1 so that the population average is unchanged.
pub fn deprivation_factors(ratio: f64) -> [f64; 10] {
    let mut f = [0.0; 10];
    for (d, x) in f.iter_mut().enumerate() {
        *x = ratio.powf(d as f64 / 9.0);
    }
    let mean = f.iter().sum::<f64>() / 10.0;
    f.map(|x| x / mean)
}

/// Share of heavy social-media users of one sex: the overall share split by
/// `heavy_social_media_female_ratio` (women to men), at most 1.
pub fn heavy_share(params: &PopulationParams, sex: Sex) -> f64 {
    let r = params.heavy_social_media_female_ratio;
    let factor = match sex {
        Sex::Female => 2.0 * r / (1.0 + r),
        Sex::Male => 2.0 / (1.0 + r),
    };
    (params.heavy_social_media_share * factor).min(1.0)
}

/// A count of adverse childhood experiences (0 to 4+) in a decile whose chance of every count
/// above 0 is `factor` times the town's (`shares`); the rest have none. One uniform draw.
fn draw_aces(shares: &[f64], factor: f64, rng: &mut Xoshiro256PlusPlus) -> u8 {
    let mut tilted = [0.0; 5];
    let any: f64 = shares[1..].iter().sum::<f64>() * factor;
    let scale = if any > 1.0 { 1.0 / any } else { 1.0 };
    for k in 1..5 {
        tilted[k] = shares[k] * factor * scale;
    }
    tilted[0] = (1.0 - any * scale).max(0.0);
    draw_index(&tilted, rng) as u8
}

/// Index drawn from a discrete distribution given by `shares` (summing to 1).
fn draw_index(shares: &[f64], rng: &mut Xoshiro256PlusPlus) -> usize {
    let u: f64 = rng.random();
    let mut acc = 0.0;
    for (i, s) in shares.iter().enumerate() {
        acc += s;
        if u < acc {
            return i;
        }
    }
    shares.len() - 1
}

/// Oldest age of a child living with their parents at the start: dependent children are
/// under 16, or 16-18 in education (ONS, Families and households), and nearly all 16- and
/// 17-year-olds live with a parent, so every person under 18 is a child of a household and
/// every adult is 18 or over.
pub const CHILD_MAX_AGE: u8 = 17;

/// Youngest and oldest age of a parent at the start.
const PARENT_AGES: (u8, u8) = (20, 59);

/// Youngest age of a parent at the birth of a child: a parent is at least this much older
/// than their oldest child.
const PARENT_GAP: u8 = 16;

/// Oldest age of a parent at the birth of a child: a parent is at most this much older than
/// their youngest child (mothers are 44 at most, as `mother_age_max`; fathers are mostly a
/// few years older).
const PARENT_MAX_GAP: u8 = 45;

/// Oldest age of an adult at the start, where the last band of `adult_age_shares` ends.
const OLDEST: u8 = ADULT_BAND_START[ADULT_BAND_START.len() - 1] - 1;

/// The age tables of the initial households: children's ages are uniform over
/// 0..=[`CHILD_MAX_AGE`], as in the ONS mid-year estimates (1.1-1.2% of the population at
/// each age) and as the births of a population of constant size keep them; parents follow
/// `adult_age_shares` within [`PARENT_AGES`], at least [`PARENT_GAP`] years older than their
/// oldest child and at most [`PARENT_MAX_GAP`] older than their youngest, and the two parents
/// of a household are of about the same age ([`pair_by_age`]); the adults of households
/// without children make up the rest, so that all adults follow `adult_age_shares` (the band
/// 16-24 from 18: its 16- and 17-year-olds are children). Young adults live with their
/// parents as leaving home keeps them, in parents' homes of two parents and adult children
/// ([`at_home`]). Among the other adults without children, those living alone are older
/// (`alone_65_plus_share` of people 65+ live alone), and the first two adults of the other
/// households are a couple of about the same age ([`pair_by_age`]). A uniform spread of
/// children's ages keeps the age structure steady from the first year: skewed towards the
/// youngest, it would send a wave of births through the children's and young people's bands
/// over the years of a run; likewise, the start's living arrangements are those that widowhood
/// and leaving home keep over a run.
struct AgeTables {
    /// Cumulative weight of each adult age 18..=[`OLDEST`] in `adult_age_shares` (index 0 is
    /// age 18; one more entry than ages, starting at 0).
    adult_cumulative: Vec<f64>,
    /// Distribution of the ages 18..=[`OLDEST`] of adults living alone: those 65+ so that
    /// `alone_65_plus_share` of all people 65+ live alone, the younger ones as all adults of
    /// households without children.
    alone: Vec<f64>,
    /// Distribution of the ages of adults of households without children of two or more
    /// adults: those of all adults without children less those alone, so that all adults
    /// without children together follow one distribution, which with the parents and the
    /// adult children at home makes `adult_age_shares`.
    together: Vec<f64>,
    /// Distribution of the ages 18..=[`OLDEST`] of adult children living with their parents:
    /// each age's share of all adults times its share at home ([`at_home`]).
    at_home: Vec<f64>,
    /// Probability that a household of three or more adults without dependent children is a
    /// parents' home, two parents and adult children, so that as many young adults live with
    /// their parents as [`at_home`] says.
    parents_home: f64,
}

/// The share of adults of `age` who live with their parents at the start: those the yearly
/// leaving home (7.33) keeps at home when everybody is at home at 18, `(1 -
/// leave_home_rate)^n` with `n` the leaving draws made by that age (one at each birthday from
/// `leave_home_min_age`); none after `leave_home_max_age`, as older people are not counted
/// (their parents may have died or moved in with them).
fn at_home(params: &PopulationParams, age: u8) -> f64 {
    let age = u32::from(age);
    if age > params.leave_home_max_age {
        return 0.0;
    }
    let draws = (age + 1).saturating_sub(params.leave_home_min_age);
    (1.0 - params.leave_home_rate).powi(draws.min(1000) as i32)
}

/// The households of three or more people: (share of all households, size) for the sizes
/// 3, 4, 5 and 6+, 6+ as 6, 7 and 8 equally (as `households_and_ages` draws them).
fn larger_households(q: &[f64]) -> Vec<(f64, usize)> {
    let mut sizes = Vec::new();
    for (i, &share) in q.iter().enumerate().skip(2) {
        let these: &[usize] = if i == 5 { &[6, 7, 8] } else { &[i + 1] };
        for &size in these {
            sizes.push((share / these.len() as f64, size));
        }
    }
    sizes
}

impl AgeTables {
    const FIRST_ADULT: u8 = CHILD_MAX_AGE + 1;

    fn new(params: &PopulationParams) -> AgeTables {
        // Weight of each single age: its band's share spread evenly over the band.
        let weight: Vec<f64> = (Self::FIRST_ADULT..=OLDEST)
            .map(|a| {
                let band = ADULT_BAND_START.partition_point(|&start| start <= a) - 1;
                let width = f64::from(ADULT_BAND_START[band + 1] - ADULT_BAND_START[band]);
                params.adult_age_shares[band] / width
            })
            .collect();
        let total: f64 = weight.iter().sum();
        let mut adult_cumulative = vec![0.0];
        for w in &weight {
            adult_cumulative.push(adult_cumulative.last().unwrap() + w / total);
        }
        let tables = AgeTables {
            adult_cumulative,
            alone: Vec::new(),
            together: Vec::new(),
            at_home: Vec::new(),
            parents_home: 0.0,
        };
        // Expected parents by age, and expected adults in all, per household.
        let q = &params.household_size_shares;
        let (p2, p3) = (
            params.children_in_two_person_households,
            params.children_in_larger_households,
        );
        let mut parents = vec![0.0; weight.len()];
        let mut adults = 0.0;
        // (share of households, parents, children) of every household kind with children
        // (6+ as 6, 7 and 8 equally); adults of the others.
        // Households of 3+ adults without dependent children, as (share, parents, adult
        // children) were they parents' homes.
        let larger = larger_households(q);
        let mut with_children = vec![(q[1] * p2, 1, 1)];
        let mut adult_only = Vec::new();
        adults += q[0] + q[1] * (1.0 - p2) * 2.0;
        for &(share, size) in &larger {
            with_children.push((share * p3, 2, size - 2));
            adult_only.push((share * (1.0 - p3), 2, size - 2));
            adults += share * (1.0 - p3) * size as f64;
        }
        for &(share, n_parents, _) in &with_children {
            adults += share * n_parents as f64;
        }
        // Adult children at home: each age's share of all adults times its share at home;
        // the parents' homes are as many of the households of adults as hold them.
        let home_mass: Vec<f64> = (Self::FIRST_ADULT..=OLDEST)
            .zip(&weight)
            .map(|(a, w)| adults * w / total * at_home(params, a))
            .collect();
        let home_total: f64 = home_mass.iter().sum();
        let places: f64 = adult_only
            .iter()
            .map(|&(share, _, k)| share * k as f64)
            .sum();
        let parents_home = if places > 0.0 {
            (home_total / places).min(1.0)
        } else {
            0.0
        };
        let at_home_dist: Vec<f64> = if home_total > 0.0 {
            home_mass.iter().map(|m| m / home_total).collect()
        } else {
            vec![0.0; weight.len()]
        };
        let mut home_children = vec![0.0; weight.len()];
        // The expected parents by age of households with dependent children (uniform ages
        // 0..=CHILD_MAX_AGE) and of parents' homes (adult children by `at_home_dist`): for
        // each number k of children and each youngest y and oldest m, the probability that
        // these are the youngest and oldest of k ages, spread over the parents' range.
        let dependent_cdf: Vec<f64> = (0..=CHILD_MAX_AGE)
            .map(|a| (f64::from(a) + 1.0) / (f64::from(CHILD_MAX_AGE) + 1.0))
            .collect();
        let mut adult_cdf = vec![0.0; weight.len()];
        let mut acc = 0.0;
        for (c, d) in adult_cdf.iter_mut().zip(&at_home_dist) {
            acc += d;
            *c = acc;
        }
        let add_parents = |parents: &mut [f64],
                           share: f64,
                           n_parents: usize,
                           n_children: usize,
                           first: u8,
                           cdf: &[f64],
                           cap: u8| {
            // P(all k ages are within y..=m), by index into `cdf` (age - first); 0 when
            // the range is empty.
            let within = |y: i64, m: i64| {
                if m < y || m < 0 {
                    0.0
                } else {
                    let below = if y == 0 { 0.0 } else { cdf[y as usize - 1] };
                    (cdf[m as usize] - below).max(0.0).powi(n_children as i32)
                }
            };
            for m in 0..cdf.len() {
                for y in 0..=m {
                    let (yi, mi) = (y as i64, m as i64);
                    let p = within(yi, mi) - within(yi + 1, mi) - within(yi, mi - 1)
                        + within(yi + 1, mi - 1);
                    if p <= 0.0 {
                        continue;
                    }
                    let (youngest, oldest) = (first + y as u8, first + m as u8);
                    let (lo, hi) = AgeTables::parent_range(oldest, youngest, cap);
                    let mass: f64 = (lo..=hi).map(|a| weight[tables.index(a)]).sum();
                    for a in lo..=hi {
                        // Shares without any adult of the parents' ages spread them evenly,
                        // as `AgeTables::parent` draws them.
                        let w = if mass > 0.0 {
                            weight[tables.index(a)] / mass
                        } else {
                            1.0 / f64::from(hi - lo + 1)
                        };
                        parents[tables.index(a)] += share * n_parents as f64 * p * w;
                    }
                }
            }
        };
        for &(share, n_parents, n_children) in &with_children {
            add_parents(
                &mut parents,
                share,
                n_parents,
                n_children,
                0,
                &dependent_cdf,
                PARENT_AGES.1,
            );
        }
        let mut without_children = q[0] + q[1] * (1.0 - p2) * 2.0;
        for &(share, n_parents, n_children) in &adult_only {
            let home = share * parents_home;
            if home > 0.0 && home_total > 0.0 {
                add_parents(
                    &mut parents,
                    home,
                    n_parents,
                    n_children,
                    Self::FIRST_ADULT,
                    &adult_cdf,
                    OLDEST,
                );
                for (h, d) in home_children.iter_mut().zip(&at_home_dist) {
                    *h += home * n_children as f64 * d;
                }
            }
            without_children += (share - home) * (n_parents + n_children) as f64;
        }
        let raw: Vec<f64> = weight
            .iter()
            .zip(parents.iter().zip(&home_children))
            .map(|(w, (parents, home))| (adults * w / total - parents - home).max(0.0))
            .collect();
        let sum: f64 = raw.iter().sum();
        // Parents that already exceed every age's share leave the childless with the shares.
        let childless: Vec<f64> = if sum > 0.0 {
            raw.iter().map(|x| x / sum).collect()
        } else {
            weight.iter().map(|w| w / total).collect()
        };
        // `alone_65_plus_share` is of all people 65+; some of them are parents at home with
        // their adult children, so the share of the others who live alone is higher.
        let old = tables.index(65);
        let all_old: f64 = weight[old..].iter().map(|w| adults * w / total).sum();
        let childless_old: f64 = raw[old..].iter().sum();
        let alone_old = if childless_old > 0.0 {
            (params.alone_65_plus_share * all_old / childless_old).min(1.0)
        } else {
            params.alone_65_plus_share
        };
        let (alone, together) = split_alone(&childless, without_children, q[0], alone_old, old);
        AgeTables {
            alone,
            together,
            at_home: at_home_dist,
            parents_home,
            ..tables
        }
    }

    fn index(&self, age: u8) -> usize {
        usize::from(age - Self::FIRST_ADULT)
    }

    /// Ages a parent of a household whose oldest child is `oldest` and youngest `youngest`
    /// may have: at least [`PARENT_GAP`] years older than the oldest, at most
    /// [`PARENT_MAX_GAP`] older than the youngest, and within 20..=`cap` (never empty, as
    /// the children's ages are at most 29 years apart).
    fn parent_range(oldest: u8, youngest: u8, cap: u8) -> (u8, u8) {
        (
            PARENT_AGES.0.max(oldest + PARENT_GAP),
            cap.min(youngest + PARENT_MAX_GAP),
        )
    }

    /// The age of an adult child living with their parents.
    fn adult_child(&self, rng: &mut Xoshiro256PlusPlus) -> u8 {
        Self::FIRST_ADULT + draw_index(&self.at_home, rng) as u8
    }

    /// A parent's age, by `adult_age_shares` within `range` ([`AgeTables::parent_range`]).
    fn parent(&self, (lo, hi): (u8, u8), rng: &mut Xoshiro256PlusPlus) -> u8 {
        let c = &self.adult_cumulative;
        let (from, to) = (c[self.index(lo)], c[self.index(hi) + 1]);
        if to <= from {
            return rng.random_range(lo..=hi);
        }
        let u = from + rng.random::<f64>() * (to - from);
        let i = c.partition_point(|&x| x <= u).saturating_sub(1);
        Self::FIRST_ADULT + (i.min(self.index(hi)).max(self.index(lo))) as u8
    }

    /// The age of an adult who lives alone.
    fn alone(&self, rng: &mut Xoshiro256PlusPlus) -> u8 {
        Self::FIRST_ADULT + draw_index(&self.alone, rng) as u8
    }

    /// The age of an adult of a household without children of two or more adults.
    fn together(&self, rng: &mut Xoshiro256PlusPlus) -> u8 {
        Self::FIRST_ADULT + draw_index(&self.together, rng) as u8
    }
}

/// Splits the ages of adults without children (`childless`, `without` of them per household)
/// between those who live alone (`alone_households` per household) and the others, so that
/// `alone_old` of the adults from `old` (the index of age 65) on live alone, as far as the
/// one-person households allow, and the younger ones who live alone follow `childless`.
/// Returns the distributions of the ages of those alone and of the others; together they
/// keep `childless`.
fn split_alone(
    childless: &[f64],
    without: f64,
    alone_households: f64,
    alone_old: f64,
    old: usize,
) -> (Vec<f64>, Vec<f64>) {
    let old_mass: f64 = childless[old..].iter().sum();
    let young_mass = 1.0 - old_mass;
    // Shares of `without`: those alone, and those alone among the old and the young.
    let alone_total = (alone_households / without).min(1.0);
    let old_alone = (alone_old * old_mass).min(alone_total);
    // The share of each old age that lives alone: `alone_old`, unless the one-person
    // households are too few for it, so that the others are never left short of the old.
    let old_factor = if alone_old * old_mass > alone_total {
        alone_total / old_mass
    } else {
        alone_old
    };
    let young_alone = alone_total - old_alone;
    let young_factor = if young_mass > 0.0 {
        (young_alone / young_mass).min(1.0)
    } else {
        0.0
    };
    let alone_mass: Vec<f64> = childless
        .iter()
        .enumerate()
        .map(|(i, &c)| c * if i >= old { old_factor } else { young_factor })
        .collect();
    let normalise = |v: Vec<f64>| -> Vec<f64> {
        let sum: f64 = v.iter().sum();
        if sum > 0.0 {
            v.iter().map(|x| x / sum).collect()
        } else {
            childless.to_vec()
        }
    };
    let together = childless
        .iter()
        .zip(&alone_mass)
        .map(|(c, a)| (c - a).max(0.0))
        .collect();
    (normalise(alone_mass), normalise(together))
}

/// Household sizes and compositions; returns ages, each person's household and the count.
fn households_and_ages(
    n_people: usize,
    params: &PopulationParams,
    rng: &mut Xoshiro256PlusPlus,
) -> (Vec<u8>, Vec<HouseholdId>, usize) {
    let mut age = Vec::with_capacity(n_people);
    let mut household = Vec::with_capacity(n_people);
    let mut h = 0u32;
    let tables = AgeTables::new(params);
    // The index of the first adult of each household of two or more adults without children
    // (key 0), and of each household of two parents (key: the range of their ages).
    let mut couples: Vec<(usize, (u8, u8))> = Vec::new();
    while age.len() < n_people {
        let class = draw_index(&params.household_size_shares, rng);
        let mut size = if class == 5 {
            rng.random_range(6..=8)
        } else {
            class + 1
        };
        size = size.min(n_people - age.len());
        let children = match size {
            1 => 0,
            2 if rng.random_bool(params.children_in_two_person_households) => 1,
            2 => 0,
            s if rng.random_bool(params.children_in_larger_households) => s - 2,
            _ => 0,
        };
        let adults = size - children;
        if children > 0 {
            let ages: Vec<u8> = (0..children)
                .map(|_| rng.random_range(0..=CHILD_MAX_AGE))
                .collect();
            let oldest = *ages.iter().max().expect("a child");
            let youngest = *ages.iter().min().expect("a child");
            let range = AgeTables::parent_range(oldest, youngest, PARENT_AGES.1);
            if adults >= 2 {
                couples.push((age.len(), range));
            }
            for _ in 0..adults {
                age.push(tables.parent(range, rng));
            }
            age.extend(ages);
        } else {
            if adults >= 3 && rng.random_bool(tables.parents_home) {
                // A parents' home: two parents and the rest adult children.
                let grown: Vec<u8> = (0..adults - 2).map(|_| tables.adult_child(rng)).collect();
                let oldest = *grown.iter().max().expect("an adult child");
                let youngest = *grown.iter().min().expect("an adult child");
                let range = AgeTables::parent_range(oldest, youngest, OLDEST);
                couples.push((age.len(), range));
                for _ in 0..2 {
                    age.push(tables.parent(range, rng));
                }
                age.extend(grown);
            } else if adults >= 2 {
                couples.push((age.len(), (0, 0)));
                for _ in 0..adults {
                    age.push(tables.together(rng));
                }
            } else {
                age.push(tables.alone(rng));
            }
        }
        household.extend(std::iter::repeat_n(HouseholdId(h), size));
        h += 1;
    }
    pair_by_age(&mut age, &couples);
    (age, household, h as usize)
}

/// Makes the first two adults of each household of `couples` (at `first` and `first + 1`
/// for each `(first, key)`) a couple of about the same age, as most households without
/// children are (ONS, Families and households: couple families are most families without
/// children) and the two parents of a household with children: among the households of one
/// key (the range of ages their adults were drawn from), the second adults' ages, drawn like
/// the first's, are given out by rank, the youngest to the household whose first adult is
/// youngest. The ages drawn stay the same (only who has which changes, within ages of the
/// same range), so every age's share is kept, and the first adults keep their random ages,
/// so a household's place says nothing about its age.
fn pair_by_age(age: &mut [u8], couples: &[(usize, (u8, u8))]) {
    let mut by_first: Vec<(usize, (u8, u8))> = couples.to_vec();
    by_first.sort_by_key(|&(i, key)| (key, age[i], i));
    let mut seconds: Vec<((u8, u8), u8)> =
        couples.iter().map(|&(i, key)| (key, age[i + 1])).collect();
    seconds.sort_unstable();
    for (&(first, _), (_, second)) in by_first.iter().zip(seconds) {
        age[first + 1] = second;
    }
}

/// Employment state at the start, by age and the deprivation factor of the area.
fn initial_employment(
    age: u8,
    worklessness: f64,
    economy: &EconomyParams,
    rng: &mut Xoshiro256PlusPlus,
) -> Employment {
    let active = |rng: &mut Xoshiro256PlusPlus| {
        if rng.random_bool((economy.unemployment_rate * worklessness).min(1.0)) {
            Employment::Unemployed
        } else {
            Employment::Employed
        }
    };
    match age {
        0..=15 => Employment::Child,
        16..=17 => Employment::Student,
        18..=21 => {
            if rng.random_bool(economy.higher_education_share) {
                Employment::Student
            } else {
                active(rng)
            }
        }
        22..=24 => active(rng),
        a if u32::from(a) < economy.pension_age => {
            let u: f64 = rng.random();
            let sick = (economy.inactive_sick_share * worklessness).min(1.0);
            if u < sick {
                Employment::InactiveSick
            } else if u < sick + economy.carer_share {
                Employment::Carer
            } else {
                active(rng)
            }
        }
        _ => {
            if rng.random_bool(economy.employed_past_pension_share) {
                Employment::Employed
            } else {
                Employment::Retired
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{draw_weighted, split_alone};
    use rand::SeedableRng;

    /// Draws follow the weights, fall back to uniform when all weights are 0, never pick a
    /// weight of 0 otherwise, and find nobody in an empty group.
    #[test]
    fn draw_weighted_follows_the_weights() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
        assert_eq!(draw_weighted(&[], &mut rng), None);
        let count = |group: &[(u32, f64)], rng: &mut rand_xoshiro::Xoshiro256PlusPlus| {
            let mut n = vec![0usize; group.len()];
            for _ in 0..40_000 {
                n[draw_weighted(group, rng).expect("a draw")] += 1;
            }
            n
        };
        let n = count(&[(7, 1.0), (8, 0.0), (9, 3.0)], &mut rng);
        assert_eq!(n[1], 0);
        let share = n[2] as f64 / 40_000.0;
        assert!((share - 0.75).abs() < 0.01, "{share}");
        let n = count(&[(7, 0.0), (8, 0.0)], &mut rng);
        assert!(n.iter().all(|&k| (19_000..21_000).contains(&k)), "{n:?}");
    }

    /// Those alone and the others together keep the distribution of all adults without
    /// children, and the share alone is the one-person households' share, with few
    /// one-person households (the old ones capped) as with many.
    #[test]
    fn split_alone_keeps_the_ages_of_adults_without_children() {
        let childless = [0.2, 0.3, 0.1, 0.25, 0.15]; // the last two are 65+
        for (without, alone_households) in [(1.5, 0.3), (1.5, 0.05)] {
            let (alone, together) = split_alone(&childless, without, alone_households, 0.34, 3);
            let share = alone_households / without;
            for (i, &c) in childless.iter().enumerate() {
                let kept = share * alone[i] + (1.0 - share) * together[i];
                assert!((kept - c).abs() < 1e-12, "age {i}: {kept} against {c}");
            }
            let old_alone = share * (alone[3] + alone[4]) / (childless[3] + childless[4]);
            assert!(old_alone <= 0.34 + 1e-12, "{old_alone} of the old alone");
        }
    }
}
