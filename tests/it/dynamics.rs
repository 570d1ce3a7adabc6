//! Dynamics sanity: the mechanisms do what the model says, in the direction it says.
//!
//! - incremental tie counts always equal a recount from scratch;
//! - with determinants and peers off, distress follows each person's set point, and
//!   prevalence follows the set-point distribution;
//! - raising unemployment raises prevalence;
//! - a peer multiplier of 0 removes every network effect;
//! - the healthy-friends onset term raises distress where well ties are few;
//! - episode durations have a long tail (more than 10% still ill after 104 weeks), and
//!   persistent episodes make it.

use mhsim::dynamics::{MentalHealth, PeerCounts};
use mhsim::record::{Metric, ReplicateSeries};
use mhsim::sim::{World, run_replicate};

use crate::common::{baseline_with, stratum};

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = xs.collect();
    v.iter().sum::<f64>() / v.len() as f64
}

/// Mean of a metric over all recorded weeks and the given replicates, one stratum.
fn mean_metric(series: &[ReplicateSeries], metric: Metric, stratum_index: usize) -> f64 {
    mean(
        series
            .iter()
            .flat_map(|s| (0..s.weeks).map(move |w| s.get(metric, w, stratum_index))),
    )
}

#[test]
fn incremental_tie_counts_and_cells_equal_a_recount_after_many_weeks() {
    // High unemployment makes many job changes (several per team per week), and 120 weeks
    // cross two new years (school rebuild, new workers).
    let s = baseline_with(&[
        "people=4000",
        "economy.unemployment_rate=0.2",
        "economy.job_finding_rate=0.2",
    ]);
    let mut world = World::new(&s, 3);
    for week in 0..120 {
        world.step();
        if week % 10 == 9 {
            let mh = &world.mh;
            let recount = PeerCounts::from_scratch(&world.pop, &world.net, |p| mh[p].ill);
            assert!(
                world.counts == recount,
                "tie counts drifted from a recount in week {week}"
            );
        }
    }
    assert!(world.mh.iter().all(|m| m.distress.is_finite()));
}

#[test]
fn without_determinants_and_peers_prevalence_follows_the_set_point_distribution() {
    let s = baseline_with(&[
        "people=20000",
        "weeks=104",
        "burn_in_weeks=52",
        "determinants.multiplier=0",
        "dynamics.peer_multiplier=0",
        "dynamics.kindling=0",
    ]);
    let mut world = World::new(&s, 0);
    for _ in 0..s.total_weeks() {
        world.step();
    }
    let sigma = s.dynamics.sigma as f32;
    // Distress scatters around the set point with the within-person SD sigma.
    let gaps: Vec<f64> = world
        .mh
        .iter()
        .map(|m| f64::from(m.distress - m.set_point))
        .collect();
    let gap_mean = mean(gaps.iter().copied());
    let gap_sd = mean(gaps.iter().map(|g| (g - gap_mean).powi(2))).sqrt();
    assert!(
        gap_mean.abs() < 0.03,
        "distress is not centred on the set point: {gap_mean}"
    );
    assert!(
        (gap_sd - f64::from(sigma)).abs() < 0.1 * f64::from(sigma),
        "within-person SD {gap_sd} vs {sigma}"
    );

    // Prevalence rises with the set point, from almost nobody well below the remission
    // threshold to almost everybody well above the onset threshold.
    let (theta_on, theta_off) = (s.dynamics.theta_on as f32, s.dynamics.theta_off as f32);
    let share_ill = |pred: &dyn Fn(f32) -> bool| {
        let group: Vec<bool> = world
            .mh
            .iter()
            .filter(|m| pred(m.set_point))
            .map(|m| m.ill)
            .collect();
        assert!(
            group.len() > 50,
            "too few people in a set-point group to test"
        );
        group.iter().filter(|&&ill| ill).count() as f64 / group.len() as f64
    };
    let low = share_ill(&|sp| sp < theta_off - 2.5 * sigma);
    let high = share_ill(&|sp| sp > theta_on + 1.5 * sigma);
    assert!(low < 0.01, "people with a low set point are ill: {low}");
    assert!(
        high > 0.8,
        "people with a high set point are not ill: {high}"
    );
    let mut set_points: Vec<f32> = world.mh.iter().map(|m| m.set_point).collect();
    set_points.sort_by(f32::total_cmp);
    let quintile_edges: Vec<f32> = (1..5)
        .map(|q| set_points[q * set_points.len() / 5])
        .collect();
    let mut by_quintile = [(0usize, 0usize); 5];
    for m in &world.mh {
        let q = quintile_edges.iter().filter(|&&e| m.set_point >= e).count();
        by_quintile[q].0 += usize::from(m.ill);
        by_quintile[q].1 += 1;
    }
    let shares: Vec<f64> = by_quintile
        .iter()
        .map(|(ill, n)| *ill as f64 / *n as f64)
        .collect();
    // Non-decreasing up to the noise of a few cases among 4,000 in the quintiles where
    // almost nobody is ill.
    assert!(
        shares.windows(2).all(|w| w[0] <= w[1] + 0.001),
        "prevalence does not rise with the set point: {shares:?}"
    );
    assert!(
        shares[4] > shares[3] + 0.1,
        "the top quintile is not the most often ill: {shares:?}"
    );

    // Without exposures, peers or kindling nothing drives a trend: the first and the second
    // recorded year have the same prevalence.
    let series = run_replicate(&s, 1);
    let all = stratum("all");
    let year =
        |from: usize| mean((from..from + 52).map(|w| series.get(Metric::Prevalence, w, all)));
    let (first, second) = (year(0), year(52));
    assert!(
        (first - second).abs() < 0.01,
        "prevalence drifts without drivers: {first} -> {second}"
    );
}

#[test]
fn the_baseline_starts_where_its_own_dynamics_settle() {
    // The initial state replays each person's past under the model's own dynamics, kindling
    // included, so a baseline without drivers has no trend of its own: adult prevalence in
    // the first two recorded years equals that of years 14-15. (With episode histories drawn
    // from a fixed rate instead, adults drifted up by 1.1 points over those years, and
    // children, whose past was not replayed, by 3; with a replay without peers, adults
    // drifted up by 0.3-0.4 points and children started about half a point low.) Care is
    // left out of the replay; peers enter its last 10 years.
    let s = baseline_with(&["people=40000", "seed=3", "weeks=832", "burn_in_weeks=52"]);
    let series = run_replicate(&s, 0);
    let years = |stratum_name: &str, from: usize| {
        let k = stratum(stratum_name);
        mean((52 * from..52 * (from + 2)).map(|w| series.get(Metric::Prevalence, w, k)))
    };
    let (adults_start, adults_end) = (years("age_16_64", 0), years("age_16_64", 14));
    assert!(
        (adults_end - adults_start).abs() < 0.006,
        "adult prevalence drifts without drivers: {adults_start} -> {adults_end}"
    );
    let (children_start, children_end) = (years("age_5_15", 0), years("age_5_15", 14));
    assert!(
        (children_end - children_start).abs() < 0.02,
        "children's prevalence drifts without drivers: {children_start} -> {children_end}"
    );
}

#[test]
fn raising_unemployment_raises_prevalence() {
    let runs = |sets: &[&str]| -> Vec<ReplicateSeries> {
        let s = baseline_with(sets);
        (0..3).map(|r| run_replicate(&s, r)).collect()
    };
    let base = ["people=6000", "weeks=104", "burn_in_weeks=52"];
    let low = runs(&[base.as_slice(), &["economy.unemployment_rate=0.03"]].concat());
    let high = runs(&[base.as_slice(), &["economy.unemployment_rate=0.15"]].concat());
    let adults = stratum("age_16_64");
    let (p_low, p_high) = (
        mean_metric(&low, Metric::Prevalence, adults),
        mean_metric(&high, Metric::Prevalence, adults),
    );
    let (u_low, u_high) = (
        mean_metric(&low, Metric::UnemploymentRate, adults),
        mean_metric(&high, Metric::UnemploymentRate, adults),
    );
    assert!(
        u_high > u_low + 0.08,
        "the unemployment rate did not rise: {u_low} -> {u_high}"
    );
    assert!(
        p_high > p_low + 0.01,
        "prevalence did not rise with unemployment: {p_low} -> {p_high}"
    );
    // The mechanism: the unemployed are more often ill than the employed.
    let (ill_unemployed, ill_employed) = (
        mean_metric(&high, Metric::Prevalence, stratum("unemployed")),
        mean_metric(&high, Metric::Prevalence, stratum("employed")),
    );
    assert!(
        ill_unemployed > 1.5 * ill_employed,
        "{ill_unemployed} vs {ill_employed}"
    );
}

#[test]
fn a_peer_multiplier_of_zero_removes_network_effects() {
    // Two very different networks. With the peer multiplier at 0 (and no support buffer)
    // nobody's distress depends on anybody else, so the trajectories are identical; with
    // peers on, they differ.
    let sparse = [
        "network.neighbourhood_degree=2",
        "network.online_degree_max=4",
        "network.weight_household=0.2",
    ];
    let dense = [
        "network.neighbourhood_degree=30",
        "network.online_degree_min=20",
        "network.weight_household=3",
    ];
    let run = |network: &[&str], peers: &str| {
        let sets = [
            &[
                "people=3000",
                "weeks=60",
                "burn_in_weeks=10",
                peers,
                "dynamics.support_buffer=0",
            ],
            network,
        ]
        .concat();
        run_replicate(&baseline_with(&sets), 0)
    };
    let off_sparse = run(&sparse, "dynamics.peer_multiplier=0");
    let off_dense = run(&dense, "dynamics.peer_multiplier=0");
    let bits = |s: &ReplicateSeries, m: Metric| {
        s.metric(m).iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    };
    for metric in [Metric::MeanDistress, Metric::Prevalence, Metric::Incidence] {
        assert!(
            bits(&off_sparse, metric) == bits(&off_dense, metric),
            "with peers off, the network still changed {}",
            metric.name()
        );
    }
    let on_sparse = run(&sparse, "dynamics.peer_multiplier=1");
    let on_dense = run(&dense, "dynamics.peer_multiplier=1");
    assert!(
        bits(&on_sparse, Metric::MeanDistress) != bits(&on_dense, Metric::MeanDistress),
        "with peers on, the network made no difference"
    );
    // Contagion is harmful on balance here: more ties, more exposure to ill ties.
    let all = stratum("all");
    let last_year = |s: &ReplicateSeries| s.mean_over_last(Metric::MeanDistress, all, 26);
    assert!(
        last_year(&on_dense) > last_year(&off_dense),
        "dense peer exposure did not raise distress"
    );
}

#[test]
fn the_healthy_friends_onset_term_raises_distress_where_well_ties_are_few() {
    // The onset term shifts the target of people with fewer well ties than sufficient: in a
    // sparse network many have too few, in a dense one almost nobody does. Each network
    // runs with the term off and on (same seed, so the same draws).
    let sparse = [
        "network.neighbourhood_degree=2",
        "network.online_degree_max=4",
        "network.weight_household=0.2",
    ];
    let dense = ["network.neighbourhood_degree=30"];
    let run = |network: &[&str], onset: &str| {
        let sets = [
            &[
                "people=3000",
                "weeks=60",
                "burn_in_weeks=10",
                "dynamics.healthy_friends_sufficient=5",
                onset,
            ],
            network,
        ]
        .concat();
        run_replicate(&baseline_with(&sets), 0)
    };
    let all = stratum("all");
    let distress =
        |s: &ReplicateSeries| mean_metric(std::slice::from_ref(s), Metric::MeanDistress, all);
    let rise = |network: &[&str]| {
        distress(&run(network, "dynamics.healthy_friends_onset=0.3"))
            - distress(&run(network, "dynamics.healthy_friends_onset=0"))
    };
    let (rise_sparse, rise_dense) = (rise(&sparse), rise(&dense));
    assert!(
        rise_sparse > 0.03,
        "too few well ties did not raise distress: {rise_sparse}"
    );
    assert!(
        rise_dense.abs() < rise_sparse / 5.0,
        "the term acted where well ties are sufficient: {rise_dense} against {rise_sparse}"
    );
}

/// Kaplan-Meier survival, by week of duration, of the episodes that began in the recorded
/// weeks, pooled over replicates: completed durations are events, episodes running at the end
/// are censored.
fn episode_survival(series: &[ReplicateSeries]) -> Vec<f64> {
    let bins = series[0].durations_completed.len();
    // Counts pooled over replicates, by duration.
    let pooled = |of: fn(&ReplicateSeries) -> &[u32]| -> Vec<f64> {
        (0..bins)
            .map(|d| series.iter().map(|s| f64::from(of(s)[d])).sum())
            .collect()
    };
    let events = pooled(|s| &s.durations_completed);
    let censored = pooled(|s| &s.durations_censored);
    let total_events: f64 = events.iter().sum();
    assert!(
        total_events > 500.0,
        "too few completed episodes to judge: {total_events}"
    );
    let mut at_risk: f64 = events.iter().sum::<f64>() + censored.iter().sum::<f64>();
    let mut survival = vec![1.0; bins];
    let mut s_now = 1.0;
    for d in 0..bins {
        if at_risk > 0.0 {
            s_now *= 1.0 - events[d] / at_risk;
        }
        survival[d] = s_now;
        at_risk -= events[d] + censored[d];
    }
    survival
}

#[test]
fn episode_durations_have_a_long_tail() {
    let s = baseline_with(&["people=8000", "weeks=312", "burn_in_weeks=104"]);
    let series: Vec<ReplicateSeries> = (0..2).map(|r| run_replicate(&s, r)).collect();
    let survival = episode_survival(&series);
    let median = survival
        .iter()
        .position(|&x| x <= 0.5)
        .expect("half of all episodes end");
    // A long tail: Spijker et al. 2002 found about 20% still ill after two years; the
    // calibrated model keeps about 13% (at the edge of the accepted range, docs/ODD.md 1.2),
    // and without persistent episodes (`persistent_episode_share` = 0) about 10%.
    assert!(
        survival[104] > 0.10,
        "share still ill after 104 weeks: {}",
        survival[104]
    );
    assert!(
        (8..=52).contains(&median),
        "median episode duration {median} weeks"
    );
}

#[test]
fn persistent_episodes_make_the_long_tail_and_end_with_their_episode() {
    // The same town with no persistent episodes and with 30% of them: the share of episodes
    // still running after two years rises by more than 7 points (about 11 at the defaults:
    // a persistent episode reverts over years, so many but not all outlast two years). The
    // persistent flag is carried only by people in an episode: it is cleared at remission.
    let run = |share: &str| -> (Vec<f64>, Vec<MentalHealth>) {
        let s = baseline_with(&[
            "people=8000",
            "weeks=312",
            "burn_in_weeks=104",
            &format!("dynamics.persistent_episode_share={share}"),
        ]);
        let series: Vec<ReplicateSeries> = (0..2).map(|r| run_replicate(&s, r)).collect();
        let mut world = World::new(&s, 0);
        for _ in 0..312 {
            world.step();
        }
        (episode_survival(&series), world.mh.clone())
    };
    let (none, world_none) = run("0");
    let (many, world_many) = run("0.3");
    assert!(
        many[104] > none[104] + 0.07,
        "still ill after 104 weeks: {:.3} with 30% persistent episodes, {:.3} without",
        many[104],
        none[104]
    );
    let flagged = |mh: &[MentalHealth]| -> Vec<MentalHealth> {
        mh.iter()
            .filter(|m| m.flags & MentalHealth::PERSISTENT != 0)
            .cloned()
            .collect()
    };
    assert!(flagged(&world_none).is_empty());
    let persistent = flagged(&world_many);
    assert!(
        persistent.iter().all(|m| m.ill),
        "a well person kept the flag"
    );
    let ordinary_ill = world_many.iter().filter(|m| m.ill && !m.chronic).count();
    let share = persistent.iter().filter(|m| !m.chronic).count() as f64 / ordinary_ill as f64;
    // Persistent episodes last longer, so they are more than 30% of those running.
    assert!(
        share > 0.3 && share < 0.95,
        "share of the running episodes of the ordinary class that are persistent: {share:.3}"
    );
}

#[test]
fn deaths_and_births_keep_the_population_and_its_age_structure() {
    // Twenty years with yearly deaths replaced by births: the population size is fixed, the
    // shares of children and of people over 65 stay near their start, newborns live with an
    // adult, start with no neighbourhood or online ties and no episode, and the tie counts
    // stay exact.
    let s = baseline_with(&["people=5000", "seed=11"]);
    let mut world = World::new(&s, 0);
    let share = |w: &World, f: &dyn Fn(u8) -> bool| {
        w.pop.age.iter().filter(|&&a| f(a)).count() as f64 / w.pop.len() as f64
    };
    let (children, older) = (share(&world, &|a| a < 16), share(&world, &|a| a >= 65));
    for _ in 0..(20 * 52) {
        world.step();
    }
    assert_eq!(world.pop.len(), 5000);
    let (children_after, older_after) = (share(&world, &|a| a < 16), share(&world, &|a| a >= 65));
    assert!(
        (children_after - children).abs() < 0.06,
        "children {children} -> {children_after}"
    );
    assert!(
        (older_after - older).abs() < 0.08,
        "65+ {older} -> {older_after}"
    );
    let newborns: Vec<usize> = (0..world.pop.len())
        .filter(|&p| world.pop.age[p] == 0)
        .collect();
    assert!(!newborns.is_empty());
    for &b in &newborns {
        let household = world
            .pop
            .households
            .members(world.pop.household[b].0 as usize);
        assert!(
            household.iter().any(|&q| world.pop.age[q as usize] >= 18),
            "newborn {b} lives without an adult"
        );
        assert!(
            world.net.neighbourhood.neighbours(b).is_empty()
                && world.net.online.neighbours(b).is_empty()
        );
        assert!(!world.mh[b].ill && world.mh[b].episodes == 0);
        assert_eq!(
            world.pop.circumstances[b].employment,
            mhsim::population::Employment::Child
        );
    }
    let mh = &world.mh;
    assert!(world.counts == PeerCounts::from_scratch(&world.pop, &world.net, |p| mh[p].ill));

    // Without turnover nobody is born and everyone ages.
    let fixed = baseline_with(&["people=2000", "population.turnover=false"]);
    let mut world = World::new(&fixed, 0);
    for _ in 0..104 {
        world.step();
    }
    assert!(world.pop.age.iter().all(|&a| a >= 2));
}

#[test]
fn slots_reused_after_suicides_keep_every_structure_equal_to_a_rebuild() {
    // A suicide rate thousands of times the real one, so that slots are reused during the
    // week almost every week (and twice in some), across two new years: households, layers,
    // tie counts, cells, household sizes and incomes must equal what a rebuild from the
    // population gives, and the population size never changes.
    use mhsim::network::{Groups, NO_GROUP};
    use mhsim::population::{HouseholdId, IncomeRules};
    let s = baseline_with(&["people=3000", "suicide.base_rate=3000", "seed=8"]);
    let mut world = World::new(&s, 0);
    let mut reborn = 0;
    let regroup = |g: &Groups| Groups::from_assignment(g.group_of.clone(), g.n_groups());
    // Slots taken by a newborn during the run (they never gain ties in 120 weeks).
    let mut newborn = vec![false; 3000];
    for week in 0..120 {
        let ages = world.pop.age.clone();
        let out = world.step();
        reborn += out.tally.cells.iter().map(|c| c.suicides).sum::<u32>();
        assert_eq!(world.pop.len(), 3000);
        for (p, &before) in ages.iter().enumerate() {
            newborn[p] |= before > 0 && world.pop.age[p] == 0;
        }
        if week % 10 != 9 {
            continue;
        }
        let (pop, net) = (&world.pop, &world.net);
        let households = Groups::from_assignment(
            pop.household.iter().map(|h| h.0).collect(),
            pop.households.n_groups(),
        );
        assert!(pop.households == households, "households in week {week}");
        assert!(
            net.household == households,
            "household layer in week {week}"
        );
        assert!(net.school == regroup(&net.school), "school in week {week}");
        assert!(
            net.workplace.teams == regroup(&net.workplace.teams),
            "teams in week {week}"
        );
        for (p, &reborn_slot) in newborn.iter().enumerate() {
            assert_eq!(
                u32::from(pop.household_size[p]),
                households.size(pop.household[p].0 as usize).min(255),
                "household size of {p} in week {week}"
            );
            assert_eq!(
                world.cells[p],
                mhsim::sim::person_cell(pop, p),
                "cell of {p}"
            );
            for layer in [&net.neighbourhood, &net.online] {
                for &q in layer.neighbours(p) {
                    assert!(
                        layer
                            .neighbours(q as usize)
                            .binary_search(&(p as u32))
                            .is_ok(),
                        "tie {p}-{q} is one-sided in week {week}"
                    );
                }
            }
            if reborn_slot {
                assert!(net.neighbourhood.neighbours(p).is_empty());
                assert!(net.online.neighbours(p).is_empty());
                assert_eq!(net.workplace.teams.group_of[p], NO_GROUP);
                assert_eq!(net.school.group_of[p], NO_GROUP);
            }
        }
        let mh = &world.mh;
        let recount = PeerCounts::from_scratch(pop, net, |p| mh[p].ill);
        assert!(world.counts == recount, "tie counts in week {week}");
        assert_eq!(
            world.below_suicide_age,
            mhsim::sim::below_suicide_age(pop, &world.cells, &s),
            "people too young for suicide, by cell, in week {week}"
        );
        let mut fresh = pop.clone();
        let rules = IncomeRules {
            week: world.week,
            effects: None,
        };
        for h in 0..fresh.households.n_groups() {
            fresh.update_household_income(HouseholdId(h as u32), &s.economy, &rules);
        }
        assert_eq!(
            fresh.household_income, pop.household_income,
            "incomes in week {week}"
        );
        assert_eq!(
            fresh.circumstances, pop.circumstances,
            "poverty in week {week}"
        );
    }
    assert!(reborn > 200, "too few suicides to test: {reborn}");
    assert!(newborn.iter().filter(|&&b| b).count() > 200);
}
