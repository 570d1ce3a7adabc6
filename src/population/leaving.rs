//! Leaving home: young adults move out of their parents' household into a new one, alone or
//! with another young adult of their neighbourhood who leaves home the same year.

use rand::RngExt;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{HouseholdId, Population};
use crate::params::PopulationParams;

/// Whether `p` lives with someone at least `gap` years older: the home of a parent (or of
/// another older relative; the model keeps no parent links).
fn lives_with_an_elder(pop: &Population, p: usize, gap: u32) -> bool {
    let h = pop.household[p].0 as usize;
    let age = u32::from(pop.age[p]);
    pop.households
        .members(h)
        .iter()
        .any(|&q| u32::from(pop.age[q as usize]) >= age + gap)
}

/// The yearly leaving home, after the birthdays. Every person whose new age is within
/// `leave_home_min_age..=leave_home_max_age` and who lives with someone at least
/// `parent_age_gap` years older leaves with probability `leave_home_rate` (one draw each, in
/// person order). Then, neighbourhood by neighbourhood in order, each leaver in person order
/// draws whether they share (probability `leave_home_shared_share`); the sharers of a
/// neighbourhood move in twos, in person order, into new households (an odd last one alone),
/// and the others into a new household each. New households take the next ids, in the order
/// they are made; the households left keep their ids. Returns the leavers, in person order;
/// household groups and sizes are up to date, incomes and everything built on households are
/// left to the caller.
pub fn leave_home(
    pop: &mut Population,
    params: &PopulationParams,
    rng: &mut Xoshiro256PlusPlus,
) -> Vec<u32> {
    if params.leave_home_rate <= 0.0 {
        return Vec::new();
    }
    let ages = params.leave_home_min_age..=params.leave_home_max_age;
    let leavers: Vec<u32> = (0..pop.len() as u32)
        .filter(|&p| {
            let p = p as usize;
            ages.contains(&u32::from(pop.age[p]))
                && lives_with_an_elder(pop, p, params.parent_age_gap)
                && rng.random_bool(params.leave_home_rate)
        })
        .collect();
    if leavers.is_empty() {
        return leavers;
    }
    let n_neighbourhoods = pop.deprivation_decile.len();
    let mut by_neighbourhood: Vec<Vec<u32>> = vec![Vec::new(); n_neighbourhoods];
    for &p in &leavers {
        by_neighbourhood[pop.neighbourhood[p as usize].0 as usize].push(p);
    }
    let mut next = pop.households.n_groups() as u32;
    for group in &by_neighbourhood {
        let mut waiting: Option<u32> = None;
        for &p in group {
            if rng.random_bool(params.leave_home_shared_share) {
                match waiting.take() {
                    // Moves in with the sharer before them.
                    Some(first) => pop.household[p as usize] = pop.household[first as usize],
                    None => {
                        pop.household[p as usize] = HouseholdId(next);
                        next += 1;
                        waiting = Some(p);
                    }
                }
            } else {
                pop.household[p as usize] = HouseholdId(next);
                next += 1;
            }
        }
    }
    pop.regroup_households(next as usize);
    leavers
}
