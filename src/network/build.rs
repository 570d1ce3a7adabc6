//! Generators for the five layers.

use rand::RngExt;
use rand::seq::SliceRandom;
use rand_xoshiro::Xoshiro256PlusPlus;

use super::{Csr, Groups, NO_GROUP, Network, Setting, Workplaces};
use crate::params::NetworkParams;
use crate::population::{Employment, Population};
use crate::rng::{Stream, StreamKey};

/// Ages in school: 5 to 17. Primary school is 5-10, secondary 11-17.
pub const SCHOOL_AGES: std::ops::RangeInclusive<u8> = 5..=17;
const SECONDARY_START: u8 = 11;

/// Build every layer for a population that will be simulated for `horizon_years` years.
/// Online ties are drawn for everyone who reaches `online_min_age` within the horizon; a tie
/// is present only once both ends are old enough (see [`Network::online_active`]).
pub fn build(
    pop: &Population,
    params: &NetworkParams,
    seed: u64,
    replicate: u64,
    horizon_years: u32,
) -> Network {
    let key = |s| StreamKey::new(seed, replicate, s);
    Network {
        household: pop.households.clone(),
        school: build_school(pop, params, key(Stream::School).derive(0)),
        workplace: build_workplaces(pop, params, &mut key(Stream::Workplace).sequential()),
        neighbourhood: build_neighbourhood(
            pop,
            params,
            &mut key(Stream::Neighbourhood).sequential(),
        ),
        online: build_online(
            pop,
            params,
            horizon_years,
            &mut key(Stream::Online).sequential(),
        ),
        weights: Setting::ALL.map(|s| s.weight(params) as f32),
        online_min_age: params.online_min_age.min(255) as u8,
    }
}

/// School classes: children are placed in schools by neighbourhood (primary and secondary
/// separately, schools of about the mean size), then split by single year of age into
/// classes of about the mean class size. Rebuilt every school year with a fresh sub-stream.
pub fn build_school(pop: &Population, params: &NetworkParams, key: StreamKey) -> Groups {
    let mut rng = key.sequential();
    let mut group_of = vec![NO_GROUP; pop.len()];
    let mut n_groups = 0u32;
    for secondary in [false, true] {
        let (school_size, class_size) = if secondary {
            (params.secondary_school_size, params.secondary_class_size)
        } else {
            (params.primary_school_size, params.primary_class_size)
        };
        // Pupils in neighbourhood order, so that schools are local.
        let mut pupils: Vec<u32> = (0..pop.len() as u32)
            .filter(|&p| {
                let a = pop.age[p as usize];
                SCHOOL_AGES.contains(&a) && (a >= SECONDARY_START) == secondary
            })
            .collect();
        pupils.sort_by_key(|&p| pop.neighbourhood[p as usize]);
        let n_schools = ((pupils.len() as f64 / f64::from(school_size)).round() as usize).max(1);
        for school in 0..n_schools {
            let lo = school * pupils.len() / n_schools;
            let hi = (school + 1) * pupils.len() / n_schools;
            let mut members = pupils[lo..hi].to_vec();
            members.shuffle(&mut rng);
            members.sort_by_key(|&p| pop.age[p as usize]); // stable: random order within a year
            for year in members.chunk_by(|a, b| pop.age[*a as usize] == pop.age[*b as usize]) {
                let n_classes =
                    ((year.len() as f64 / f64::from(class_size)).round() as usize).max(1);
                for c in 0..n_classes {
                    for &p in &year[c * year.len() / n_classes..(c + 1) * year.len() / n_classes] {
                        group_of[p as usize] = n_groups;
                    }
                    n_groups += 1;
                }
            }
        }
    }
    Groups::from_assignment(group_of, n_groups as usize)
}

/// Firms with Zipf sizes (P(S >= s) = 1/s, truncated at `firm_size_max`), split into teams
/// of `team_size_min`..=`team_size_max` slots. Every employed, unemployed or sick-inactive
/// person holds one slot; people who become economically active later (school and university
/// leavers) are given a slot by [`assign_new_workers`].
fn build_workplaces(
    pop: &Population,
    params: &NetworkParams,
    rng: &mut Xoshiro256PlusPlus,
) -> Workplaces {
    let n_people = pop.len();
    let mut order: Vec<u32> = (0..n_people as u32)
        .filter(|&p| holds_slot(pop, p as usize))
        .collect();
    order.shuffle(rng);
    let n_workers = order.len();
    let max_size = params.firm_size_max.min(n_workers as u32).max(1);
    let mut group_of = vec![NO_GROUP; n_people];
    let mut firm_of_team = Vec::new();
    let mut firm_size = Vec::new();
    let mut next = 0usize;
    while next < n_workers {
        // Inverse transform of the truncated Zipf law.
        let u: f64 = rng.random_range(1.0 / f64::from(max_size + 1)..=1.0);
        let size = ((1.0 / u).floor() as usize)
            .clamp(1, max_size as usize)
            .min(n_workers - next);
        let firm = firm_size.len() as u32;
        firm_size.push(size as u32);
        let mut left = size;
        while left > 0 {
            let mut team = rng.random_range(params.team_size_min..=params.team_size_max) as usize;
            if left < team + params.team_size_min as usize {
                team = left; // the remainder joins the last team rather than forming a tiny one
            }
            let t = firm_of_team.len() as u32;
            firm_of_team.push(firm);
            for &p in &order[next..next + team] {
                group_of[p as usize] = t;
            }
            next += team;
            left -= team;
        }
    }
    let n_teams = firm_of_team.len();
    Workplaces {
        teams: Groups::from_assignment(group_of, n_teams),
        firm_of_team,
        firm_size,
    }
}

/// Whether a person holds a workplace slot: employed, unemployed, or inactive through
/// sickness (who may return to the labour market in any week).
fn holds_slot(pop: &Population, person: usize) -> bool {
    matches!(
        pop.circumstances[person].employment,
        Employment::Employed | Employment::Unemployed | Employment::InactiveSick
    )
}

/// Give a team slot to every economically active person without one (e.g. school and
/// university leavers), choosing teams in proportion to their size so that firm sizes keep
/// their distribution. Returns whether anything changed.
pub fn assign_new_workers(
    pop: &Population,
    work: &mut Workplaces,
    rng: &mut Xoshiro256PlusPlus,
) -> bool {
    let newcomers: Vec<usize> = (0..pop.len())
        .filter(|&p| work.teams.group_of[p] == NO_GROUP && holds_slot(pop, p))
        .collect();
    if newcomers.is_empty() || work.teams.members.is_empty() {
        return false;
    }
    let mut group_of = std::mem::take(&mut work.teams.group_of);
    for p in newcomers {
        // A uniformly chosen current slot-holder's team: proportional to team size.
        let colleague = work.teams.members[rng.random_range(0..work.teams.members.len())];
        group_of[p] = group_of[colleague as usize];
    }
    let n = work.teams.n_groups();
    work.teams = Groups::from_assignment(group_of, n);
    true
}

/// Local ties as a small world (Watts & Strogatz 1998) inside each neighbourhood: people are
/// placed on a ring in household order and tied to their `neighbourhood_degree / 2` nearest
/// neighbours on one side; each tie is then rewired to a random resident of the same
/// neighbourhood with probability `neighbourhood_rewiring`, or to anyone anywhere with
/// probability `neighbourhood_cross_share`. Household members are never tied here (they are
/// tied in the household layer).
fn build_neighbourhood(
    pop: &Population,
    params: &NetworkParams,
    rng: &mut Xoshiro256PlusPlus,
) -> Csr {
    let n = pop.len();
    let areas = Groups::from_assignment(
        pop.neighbourhood.iter().map(|a| a.0).collect(),
        pop.deprivation_decile.len(),
    );
    let half = params.neighbourhood_degree / 2.0;
    let mut edges = Vec::with_capacity((half * n as f64) as usize + 1);
    for area in 0..areas.n_groups() {
        let ring = areas.members(area);
        let len = ring.len();
        if len < 2 {
            continue;
        }
        for (i, &a) in ring.iter().enumerate() {
            // floor(half) ties, plus one more with probability fract(half).
            let k = half.floor() as usize + usize::from(rng.random_bool(half.fract()));
            let mut offset = 1;
            let mut made = 0;
            while made < k && offset < len {
                let mut b = ring[(i + offset) % len];
                offset += 1;
                if pop.household[a as usize] == pop.household[b as usize] {
                    continue;
                }
                let u: f64 = rng.random();
                if u < params.neighbourhood_cross_share {
                    b = rng.random_range(0..n as u32);
                } else if u < params.neighbourhood_cross_share + params.neighbourhood_rewiring {
                    b = ring[rng.random_range(0..len)];
                }
                if a != b && pop.household[a as usize] != pop.household[b as usize] {
                    edges.push((a, b));
                }
                made += 1;
            }
        }
    }
    Csr::from_edges(n, edges)
}

/// Online ties among people who are or will be aged `online_min_age`+: target degrees from a truncated power
/// law; each person sends half their target as stubs to partners chosen in proportion to
/// their target degree (Chung-Lu), within the own age band with probability
/// `online_age_homophily`.
fn build_online(
    pop: &Population,
    params: &NetworkParams,
    horizon_years: u32,
    rng: &mut Xoshiro256PlusPlus,
) -> Csr {
    let n = pop.len();
    let band_of = |age: u8| -> usize {
        match age {
            0..=17 => 0,
            18..=24 => 1,
            25..=39 => 2,
            40..=59 => 3,
            _ => 4,
        }
    };
    let (kmin, kmax) = (
        f64::from(params.online_degree_min),
        f64::from(params.online_degree_max),
    );
    let gamma = params.online_degree_exponent;
    let mut target = vec![0.0f64; n];
    // Cumulative target degree per band and overall, for proportional partner choice.
    let mut band_people: Vec<Vec<u32>> = vec![Vec::new(); 5];
    let mut band_cum: Vec<Vec<f64>> = vec![Vec::new(); 5];
    let mut all_people = Vec::new();
    let mut all_cum = Vec::new();
    for (p, target_p) in target.iter_mut().enumerate() {
        if u32::from(pop.age[p]) + horizon_years < params.online_min_age || kmax <= 0.0 {
            continue;
        }
        let k = if kmin >= kmax || kmin <= 0.0 {
            kmax.min(kmin.max(0.0))
        } else {
            // Inverse transform of a continuous power law on [kmin, kmax + 1).
            let u: f64 = rng.random();
            let (a, b) = (kmin.powf(1.0 - gamma), (kmax + 1.0).powf(1.0 - gamma));
            (a + u * (b - a))
                .powf(1.0 / (1.0 - gamma))
                .floor()
                .min(kmax)
        };
        *target_p = k;
        let band = band_of(pop.age[p]);
        band_people[band].push(p as u32);
        let band_total = band_cum[band].last().copied().unwrap_or(0.0);
        band_cum[band].push(band_total + k);
        all_people.push(p as u32);
        let all_total = all_cum.last().copied().unwrap_or(0.0);
        all_cum.push(all_total + k);
    }
    let pick = |people: &[u32], cum: &[f64], rng: &mut Xoshiro256PlusPlus| -> Option<u32> {
        let total = *cum.last()?;
        if total <= 0.0 {
            return None;
        }
        let x = rng.random_range(0.0..total);
        let i = cum.partition_point(|&c| c <= x).min(people.len() - 1);
        Some(people[i])
    };
    let mut edges = Vec::new();
    for &p in &all_people {
        let half = target[p as usize] / 2.0;
        let stubs = half.floor() as usize + usize::from(rng.random_bool(half.fract()));
        let band = band_of(pop.age[p as usize]);
        for _ in 0..stubs {
            let partner = if rng.random_bool(params.online_age_homophily) {
                pick(&band_people[band], &band_cum[band], rng)
            } else {
                pick(&all_people, &all_cum, rng)
            };
            if let Some(q) = partner {
                edges.push((p, q));
            }
        }
    }
    Csr::from_edges(n, edges)
}
