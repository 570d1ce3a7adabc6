//! Sickness inactivity at the start, matched to illness: the start draws who is inactive
//! through long-term sickness before anybody's mental health is known, so a swap of states
//! with ill people of working age brings the share of the sick-inactive who are in an
//! episode to the level the weekly flows settle at.

use rand::RngExt;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{Employment, IncomeRules, Population};
use crate::params::EconomyParams;

/// Swap employment states, decile by decile, between sick-inactive people who are not in an
/// episode and economically active people who are (all aged 25 to below pension age, the
/// ages at which the start draws sickness inactivity), until `inactive_sick_ill_share` of
/// each decile's sick-inactive are in an episode, or one of the two lists runs out. Within a
/// decile (lists made in person order) the well are shuffled (a partial Fisher-Yates shuffle
/// from `rng`) and the ill are sorted by set point, highest first (the most persistent, whom
/// the weekly flows keep out of work longest; ties in person order), and the two are paired
/// in order. The ill person becomes sick-inactive; the well person takes
/// their employment state. Both keep their team slots (the sick-inactive hold one too, 7.15
/// of docs/ODD.md), so only who is employed in the two teams changes. The incomes of both
/// households are recomputed. Returns the number of swaps.
pub fn match_sickness_to_illness(
    pop: &mut Population,
    ill: impl Fn(usize) -> bool,
    set_point: impl Fn(usize) -> f32,
    economy: &EconomyParams,
    rng: &mut Xoshiro256PlusPlus,
) -> usize {
    let share = economy.inactive_sick_ill_share;
    if share <= 0.0 {
        return 0;
    }
    let ages = 25..economy.pension_age.min(255) as u8;
    let mut swaps = 0;
    for decile in 1..=10u8 {
        let in_decile = |p: usize| {
            ages.contains(&pop.age[p])
                && pop.deprivation_decile[pop.neighbourhood[p].0 as usize] == decile
        };
        let mut well = Vec::new();
        let mut active_ill = Vec::new();
        let mut sick = 0usize;
        for p in (0..pop.len()).filter(|&p| in_decile(p)) {
            match pop.circumstances[p].employment {
                Employment::InactiveSick => {
                    sick += 1;
                    if !ill(p) {
                        well.push(p);
                    }
                }
                Employment::Employed | Employment::Unemployed if ill(p) => active_ill.push(p),
                _ => {}
            }
        }
        let wanted = (share * sick as f64).round() as usize;
        let have = sick - well.len();
        let n = wanted
            .saturating_sub(have)
            .min(well.len())
            .min(active_ill.len());
        for i in 0..n {
            let j = rng.random_range(i..well.len());
            well.swap(i, j);
        }
        // The most persistent of the ill first: those the flows keep out of work longest.
        active_ill.sort_by(|&a, &b| set_point(b).total_cmp(&set_point(a)));
        for (&w, &a) in well[..n].iter().zip(&active_ill[..n]) {
            let state = pop.circumstances[a].employment;
            pop.circumstances[w].employment = state;
            pop.circumstances[a].employment = Employment::InactiveSick;
            for h in [pop.household[w], pop.household[a]] {
                pop.update_household_income(h, economy, &IncomeRules::NONE);
            }
        }
        swaps += n;
    }
    swaps
}
