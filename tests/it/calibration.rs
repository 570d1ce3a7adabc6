//! The outputs that measure the calibration targets (MODEL.md section 9) and the suicide
//! mechanism: each asserts a level, a direction or an identity that a mistake would break.

use mhsim::dynamics::Transition;
use mhsim::record::{Metric, ReplicateSeries};
use mhsim::sim::{World, run_replicate};

use crate::common::{baseline_with, stratum};

/// Replicates `0..n` of the baseline with `--set` overrides.
fn runs(sets: &[&str], n: u64) -> Vec<ReplicateSeries> {
    let s = baseline_with(sets);
    (0..n).map(|r| run_replicate(&s, r)).collect()
}

/// Pooled rate of a per-person-year metric: the weekly values weighted by the stratum's
/// population over all weeks and replicates (weeks with no one in the stratum count as 0).
fn pooled_rate(series: &[ReplicateSeries], metric: Metric, stratum_name: &str) -> f64 {
    let s = stratum(stratum_name);
    let (mut events, mut people) = (0.0, 0.0);
    for r in series {
        for w in 0..r.weeks {
            let n = r.get(Metric::Population, w, s);
            let v = r.get(metric, w, s);
            if v.is_finite() {
                events += v * n;
            }
            people += n;
        }
    }
    events / people
}

#[test]
fn suicide_rate_is_plausible_and_higher_in_men() {
    // Two replicates of 20,000 people over ten years: about 360,000 person-years at ages
    // 10+, so about 40 suicides at the ONS rate of 11.2 per 100,000.
    let series = runs(&["people=20000", "burn_in_weeks=52"], 2);
    let all = pooled_rate(&series, Metric::Suicides, "all");
    assert!(
        (5.0..20.0).contains(&all),
        "suicides per 100,000 person-years: {all}"
    );
    let (male, female) = (
        pooled_rate(&series, Metric::Suicides, "male"),
        pooled_rate(&series, Metric::Suicides, "female"),
    );
    assert!(male > female, "men {male} vs women {female}");
}

#[test]
fn suicide_rises_with_its_relative_risks_and_vanishes_without_a_base_rate() {
    // A base rate 100 times the default makes hundreds of suicides in a small town.
    let base = [
        "people=5000",
        "weeks=104",
        "burn_in_weeks=26",
        "suicide.base_rate=117",
    ];
    let run = |extra: &[&str]| runs(&[base.as_slice(), extra].concat(), 1);
    let reference = run(&[]);
    let (male, female) = (
        pooled_rate(&reference, Metric::Suicides, "male"),
        pooled_rate(&reference, Metric::Suicides, "female"),
    );
    // At the default rate men's is about 3 times women's; at 100 times it, men in an episode
    // die fast enough (8% a year) to thin their own numbers, and the ratio falls to about 2
    // (1.97-2.26 in three seeds).
    assert!(
        male > 1.5 * female,
        "men {male} vs women {female} per 100,000"
    );
    let all = pooled_rate(&reference, Metric::Suicides, "all");
    let higher = pooled_rate(&run(&["suicide.rr_episode=40"]), Metric::Suicides, "all");
    assert!(
        higher > 1.3 * all,
        "doubling rr_episode: {all} -> {higher} per 100,000"
    );
    let none = run(&["suicide.base_rate=0"]);
    for name in ["all", "male", "female", "age_16_64"] {
        let s = stratum(name);
        assert!(
            none[0].metric(Metric::Suicides)[s..]
                .iter()
                .step_by(mhsim::record::N_STRATA)
                .all(|&v| v == 0.0),
            "suicides without a base rate in {name}"
        );
    }
}

#[test]
fn suicides_keep_the_population_size() {
    let s = baseline_with(&["people=2000", "suicide.base_rate=5000"]);
    let mut world = World::new(&s, 0);
    let mut deaths = 0;
    for _ in 0..60 {
        let out = world.step();
        deaths += out.tally.cells.iter().map(|c| c.suicides).sum::<u32>();
        assert_eq!(world.pop.len(), 2000);
        assert_eq!(world.mh.len(), 2000);
        assert_eq!(world.counts.ties.len(), 2000);
    }
    assert!(deaths > 50, "deaths {deaths}");
}

#[test]
fn sex_by_age_strata_add_up_to_their_age_band() {
    let series = runs(&["people=3000", "weeks=60", "burn_in_weeks=0"], 1);
    let r = &series[0];
    for band in ["16_24", "16_64"] {
        let (m, f, both) = (
            stratum(&format!("male_{band}")),
            stratum(&format!("female_{band}")),
            stratum(&format!("age_{band}")),
        );
        for w in 0..r.weeks {
            let pop = |s| r.get(Metric::Population, w, s);
            assert!(pop(m) > 0.0 && pop(f) > 0.0);
            assert_eq!(pop(m) + pop(f), pop(both), "{band}, week {w}");
            // Onsets and episodes add up too: the sexes' prevalences average to the band's.
            let ill = |s| r.get(Metric::Prevalence, w, s) * pop(s);
            assert!(
                (ill(m) + ill(f) - ill(both)).abs() < 1e-6,
                "{band}, week {w}"
            );
        }
    }
}

#[test]
fn each_episode_is_recorded_at_most_once_and_only_when_recognised() {
    // Every new recorded case is a distinct episode: one under way at the start or one
    // that began since. So the cases recorded over a run are at most the episodes at the
    // start plus the onsets.
    let s = baseline_with(&["people=4000", "seed=3"]);
    let mut world = World::new(&s, 0);
    let at_start = world.n_ill() as u32;
    let (mut recorded, mut onsets) = (0, 0);
    for _ in 0..156 {
        let out = world.step();
        recorded += out.tally.services.iter().map(|c| c.recorded).sum::<u32>();
        onsets += out.tally.cells.iter().map(|c| c.onsets).sum::<u32>();
    }
    assert!(recorded > 100, "recorded cases {recorded}");
    assert!(
        recorded <= at_start + onsets,
        "{recorded} recorded cases from {at_start} episodes at the start and {onsets} onsets"
    );
    // Recorded incidence is positive, below the incidence of all onsets, and zero when
    // consultations never recognise a disorder.
    let series = runs(&["people=4000", "weeks=104", "burn_in_weeks=52"], 1);
    let recorded = pooled_rate(&series, Metric::RecordedIncidence, "all");
    let all_onsets = pooled_rate(&series, Metric::Incidence, "all");
    assert!(
        recorded > 0.0 && recorded < all_onsets,
        "recorded {recorded} vs all onsets {all_onsets} per 1,000"
    );
    let none = runs(
        &[
            "people=4000",
            "weeks=104",
            "burn_in_weeks=52",
            "services.recognition=0",
        ],
        1,
    );
    assert_eq!(pooled_rate(&none, Metric::RecordedIncidence, "all"), 0.0);
    assert!(pooled_rate(&none, Metric::Consultations, "all") > 0.0);
}

/// Pooled shares of the episodes whose two-year course became known in weeks
/// `burn_in..burn_in + weeks` (remitted within 104 weeks, or passed 104 weeks) that remitted
/// within 13 and 52 weeks and that passed 104, checking every weekly value on the way.
fn episode_shares(sets: &[&str], burn_in: u32, weeks: u32) -> [f64; 3] {
    let s = baseline_with(sets);
    let mut world = World::new(&s, 0);
    let all = stratum("all");
    let (mut known, mut counts) = (0u32, [0u32; 3]);
    for week in 0..burn_in + weeks {
        let out = world.step();
        if week < burn_in {
            continue;
        }
        for c in &out.tally.cells {
            let (all, dep) = (&c.courses, &c.depressive_courses);
            known += all.known();
            counts[0] += all.remitted_13w;
            counts[1] += all.remitted_52w;
            counts[2] += all.prolonged;
            assert!(all.remitted_104w <= c.remissions && all.remitted_52w <= all.remitted_104w);
            // Depressive-level episodes are some of the episodes, and depressive-level
            // prevalence counts some of the people in one.
            assert!(dep.remitted_13w <= all.remitted_13w && dep.remitted_52w <= all.remitted_52w);
            assert!(dep.remitted_104w <= all.remitted_104w && dep.prolonged <= all.prolonged);
            assert!(c.depressive <= c.ill);
        }
        let m = out.tally.metrics(&s.measures, &s.valuation);
        let get = |metric: Metric| m[Metric::ALL.iter().position(|x| *x == metric).unwrap()][all];
        let (a, b, c) = (
            get(Metric::RemittedWithin13w),
            get(Metric::RemittedWithin52w),
            get(Metric::EpisodesOver104w),
        );
        if a.is_finite() {
            assert!((0.0..=1.0).contains(&a) && (0.0..=1.0).contains(&c));
            assert!(a <= b && b + c <= 1.0, "{a} {b} {c} in week {week}");
        } else {
            assert!(b.is_nan() && c.is_nan(), "shares without outcomes");
        }
    }
    assert!(known > 300, "too few episodes with a known course: {known}");
    counts.map(|x| f64::from(x) / f64::from(known))
}

#[test]
fn each_episode_passes_two_years_at_most_once_and_then_is_not_counted_at_remission() {
    // Per person: a `Prolonged` transition only during an episode, at most once in it, and,
    // for episodes that began in the run, a remission after one always lasted more than 104
    // weeks (so it is not booked again) and one without never did.
    let s = baseline_with(&["people=3000", "seed=4", "dynamics.chronic_kappa_ratio=0.02"]);
    let mut world = World::new(&s, 0);
    let mut prolonged = vec![false; world.pop.len()];
    let mut began = vec![false; world.pop.len()];
    let (mut passed, mut long_remissions) = (0u32, 0u32);
    for _ in 0..6 * 52 {
        let out = world.step();
        for &(p, t, _) in out.transitions.iter() {
            let p = p as usize;
            match t {
                Transition::Prolonged => {
                    assert!(
                        !prolonged[p],
                        "person {p} passed two years twice in one episode"
                    );
                    assert!(world.mh[p].ill);
                    prolonged[p] = true;
                    passed += 1;
                }
                Transition::Remission(weeks) => {
                    if began[p] {
                        assert_eq!(prolonged[p], weeks > 104, "person {p}: {weeks} weeks");
                        long_remissions += u32::from(prolonged[p]);
                    }
                    prolonged[p] = false;
                }
                Transition::Onset => {
                    assert!(!prolonged[p]);
                    began[p] = true;
                }
                Transition::None => {}
            }
        }
    }
    assert!(
        passed > 20 && long_remissions > 0,
        "{passed} {long_remissions}"
    );
}

#[test]
fn ended_episodes_are_longer_when_remission_is_harder() {
    // A lower remission threshold (0.95 -> 0.7 SD): distress must fall further before the
    // weeks that confirm a remission can count, so episodes last longer. (A smaller kappa is
    // no such test: it also smooths the weekly noise, so runs of weeks below the threshold
    // are interrupted less often and episodes can end sooner.)
    let base = ["people=4000", "seed=5"];
    let usual = episode_shares(&base, 104, 156);
    let harder = episode_shares(
        &[base.as_slice(), &["dynamics.theta_off=0.7"]].concat(),
        104,
        156,
    );
    assert!(usual[0] > 0.0 && usual[2] > 0.0, "{usual:?}");
    assert!(
        harder[0] < usual[0] && harder[1] < usual[1] && harder[2] > usual[2],
        "theta_off 0.95: {usual:?}; 0.7: {harder:?}"
    );
}

#[test]
fn recurrence_after_a_first_episode_accumulates_with_time() {
    // Thirty years of a small town: first episodes that ended in the first 25, 20 and 10
    // years reach their 5-, 10- and 20-year follow-up within the run.
    let s = baseline_with(&["people=3000", "seed=9"]);
    let mut world = World::new(&s, 0);
    let all = stratum("all");
    let metrics = [
        Metric::Recurrence5y,
        Metric::Recurrence10y,
        Metric::Recurrence20y,
    ]
    .map(|m| Metric::ALL.iter().position(|x| *x == m).unwrap());
    let (mut followed, mut recurred) = ([0u32; 3], [0u32; 3]);
    for week in 0..30 * 52 {
        let out = world.step();
        for c in &out.tally.cells {
            for h in 0..3 {
                followed[h] += c.followed_up[h];
                recurred[h] += c.recurred[h];
            }
        }
        let m = out.tally.metrics(&s.measures, &s.valuation);
        for (h, &i) in metrics.iter().enumerate() {
            let v = m[i][all];
            assert!(v.is_nan() || (0.0..=1.0).contains(&v), "{v} in week {week}");
            if week < 52 * [5, 10, 20][h] {
                assert!(v.is_nan(), "a {h} follow-up before its time in week {week}");
            }
        }
    }
    assert!(
        followed[1] > 100,
        "too few followed up for 10 years: {followed:?}"
    );
    let share: Vec<f64> = (0..3)
        .map(|h| f64::from(recurred[h]) / f64::from(followed[h]))
        .collect();
    assert!(share[0] > 0.0, "{share:?}");
    assert!(
        share[0] <= share[1],
        "5 years {} vs 10 years {}",
        share[0],
        share[1]
    );
}

#[test]
fn the_depressive_threshold_measures_without_changing_the_dynamics() {
    // theta_depressive is a measurement threshold: raising it leaves every other metric
    // bit-identical, and lowers depressive-level prevalence and the count of
    // depressive-level episodes.
    let base = ["people=3000", "seed=11", "weeks=156", "burn_in_weeks=52"];
    let at = |theta: &str| runs(&[base.as_slice(), &[theta]].concat(), 1).remove(0);
    let (low, high) = (
        at("dynamics.theta_depressive=1.6"),
        at("dynamics.theta_depressive=2.4"),
    );
    let depressive = [
        Metric::DepressivePrevalence,
        Metric::DepressiveRemittedWithin13w,
        Metric::DepressiveRemittedWithin52w,
        Metric::DepressiveEpisodesOver104w,
    ];
    for m in Metric::ALL.iter().filter(|m| !depressive.contains(m)) {
        for s in 0..mhsim::record::N_STRATA {
            for w in 0..low.weeks {
                let (a, b) = (low.get(*m, w, s), high.get(*m, w, s));
                assert!(
                    a.to_bits() == b.to_bits(),
                    "{} week {w}: {a} vs {b}",
                    m.name()
                );
            }
        }
    }
    let (prev_low, prev_high) = (
        pooled_rate(
            std::slice::from_ref(&low),
            Metric::DepressivePrevalence,
            "age_16_64",
        ),
        pooled_rate(
            std::slice::from_ref(&high),
            Metric::DepressivePrevalence,
            "age_16_64",
        ),
    );
    let all = pooled_rate(&[low], Metric::Prevalence, "age_16_64");
    assert!(
        0.0 < prev_high && prev_high < prev_low && prev_low < all,
        "depressive 2.4: {prev_high}, 1.6: {prev_low}, all episodes: {all}"
    );
}

#[test]
fn therapy_completion_falls_when_drop_out_rises() {
    // Completion share pooled from the weekly counts of completed and abandoned courses.
    let completion = |sets: &[&str]| {
        let series = runs(
            &[&["people=6000", "weeks=104", "burn_in_weeks=26"], sets].concat(),
            1,
        );
        let all = stratum("all");
        let r = &series[0];
        let (mut done, mut left) = (0.0, 0.0);
        for w in 0..r.weeks {
            let (c, d) = (
                r.get(Metric::TherapyCompletions, w, all),
                r.get(Metric::TherapyDropouts, w, all),
            );
            let share = r.get(Metric::TherapyCompletion, w, all);
            if c + d > 0.0 {
                assert!((share - c / (c + d)).abs() < 1e-12, "week {w}");
            } else {
                assert!(share.is_nan());
            }
            done += c;
            left += d;
        }
        assert!(
            done + left > 100.0,
            "too few courses ended: {}",
            done + left
        );
        done / (done + left)
    };
    let usual = completion(&[]);
    assert!(usual > 0.0 && usual < 1.0, "{usual}");
    // The default drop-out chance is meant to give NHS Talking Therapies' ~37%.
    assert!((0.25..0.5).contains(&usual), "{usual}");
    let more = completion(&["services.therapy_dropout_rate=0.25"]);
    assert!(more < usual - 0.1, "drop-out 0.132: {usual}; 0.25: {more}");
}
