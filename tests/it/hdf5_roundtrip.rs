//! results.h5 and summary.csv as written by `mhsim run`: provenance attributes, strata,
//! dataset shapes, chunking and compression, consistency of the series, summaries that can
//! be recomputed from the series, and a clean output folder.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use hdf5::filters::Filter;
use mhsim::Scenario;
use mhsim::record::{Metric, N_STRATA, strata};

use crate::common::{
    attr_string, attr_u64, data, read_2d, read_3d, read_strings, run_mhsim, stratum,
};

const REPLICATES: usize = 3;
const WEEKS: usize = 60;

/// One run shared by the tests of this module: the small scenario with 3 replicates and 60
/// recorded weeks (so that the final year is the last 52 of them). It is written under
/// Cargo's temporary folder for integration tests (inside `target/`), replacing the previous
/// test run's, because a static is never dropped and a temporary folder would be left behind.
static RUN: LazyLock<PathBuf> = LazyLock::new(|| {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hdf5_roundtrip");
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("remove the previous test run");
    }
    let scenario = data("small.toml");
    let result = run_mhsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--replicates",
        &REPLICATES.to_string(),
        "--set",
        &format!("weeks={WEEKS}"),
        // Health effects at the Green Book's 1.5% a year, costs at the default 3.5%.
        "--set",
        "valuation.health_discount_rate=0.015",
        "--quiet",
    ]);
    crate::common::assert_success(&result);
    out
});

fn open() -> hdf5::File {
    hdf5::File::open(RUN.join("results.h5")).expect("results.h5 opens")
}

fn metric_index(metric: Metric) -> usize {
    Metric::ALL.iter().position(|m| *m == metric).unwrap()
}

#[test]
fn attributes_record_the_provenance() {
    let file = open();
    assert_eq!(
        attr_string(&file, "mhsim_version"),
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(attr_string(&file, "scenario_name"), "small");
    assert_eq!(attr_u64(&file, "seed"), 424_242);
    assert_eq!(attr_u64(&file, "replicates"), REPLICATES as u64);
    assert_eq!(attr_u64(&file, "weeks"), WEEKS as u64);
    assert_eq!(attr_u64(&file, "burn_in_weeks"), 6);
    assert_eq!(attr_u64(&file, "people"), 1200);
    let source = std::fs::read_to_string(data("small.toml")).unwrap();
    assert_eq!(
        attr_string(&file, "scenario_source"),
        source,
        "the scenario file as written"
    );
    let resolved = attr_string(&file, "scenario");
    assert!(
        resolved.contains("[dynamics]") && resolved.contains("kappa"),
        "{resolved}"
    );
}

#[test]
fn the_resolved_scenario_reproduces_the_run() {
    let resolved = attr_string(&open(), "scenario");
    let reread = Scenario::from_str(&resolved, "resolved", None, &[])
        .expect("the resolved scenario is valid");
    let original = Scenario::load(
        Some(&data("small.toml")),
        &[
            format!("weeks={WEEKS}"),
            "valuation.health_discount_rate=0.015".into(),
        ],
    )
    .expect("small.toml is valid");
    assert_eq!(
        Scenario {
            origin: original.origin.clone(),
            source_text: original.source_text.clone(),
            ..reread
        },
        original
    );
}

#[test]
fn strata_are_named() {
    let file = open();
    let names = read_strings(&file.dataset("strata").unwrap());
    assert_eq!(names.len(), 26);
    assert_eq!(names[0], "all");
    // Strata added later come last, so the indices of the earlier ones keep their meaning.
    assert_eq!(names[21], "carer");
    assert_eq!(
        names[22..],
        ["male_16_24", "female_16_24", "male_16_64", "female_16_64"]
    );
    assert_eq!(names, strata());
    let metrics = read_strings(&file.dataset("summary/metrics").unwrap());
    let expected: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
    assert_eq!(metrics, expected);
}

#[test]
fn series_are_chunked_compressed_and_complete() {
    let file = open();
    let series = file.group("series").unwrap();
    let mut names = series.member_names().unwrap();
    names.sort();
    let mut expected: Vec<String> = Metric::ALL.iter().map(|m| m.name().to_string()).collect();
    expected.sort();
    assert_eq!(names, expected);
    for name in &names {
        let ds = series.dataset(name).unwrap();
        assert_eq!(ds.shape(), [REPLICATES, WEEKS, N_STRATA], "{name}");
        assert!(ds.is_chunked(), "{name} is not chunked");
        assert_eq!(
            ds.chunk(),
            Some(vec![1, WEEKS, N_STRATA]),
            "{name}: chunk by replicate"
        );
        assert!(
            ds.filters().iter().any(|f| matches!(f, Filter::Deflate(_))),
            "{name}: {:?}",
            ds.filters()
        );
        assert!(!attr_of(&ds, "unit").is_empty(), "{name}: unit");
        assert!(
            !attr_of(&ds, "description").is_empty(),
            "{name}: description"
        );
        // The whole population is observed every week: no value of `all` is missing, except
        // for ratios whose denominator is a week's events (remissions per person ill at the
        // start; waits and recovery of the week's therapy starters and completers; durations
        // of the week's ended episodes, all or depressive-level; completion of the week's ended
        // courses; recurrence
        // among the people whose first episode ended 5, 10 or 20 years before the week), and
        // bed occupancy, which has no denominator in a town too small for one local bed.
        let values = read_3d(&file, &format!("series/{name}"));
        let event_ratio = [
            "remission",
            "wait_median",
            "wait_within_6",
            "wait_within_18",
            "recovery_rate",
            "bed_occupancy",
            "remitted_within_13w",
            "remitted_within_52w",
            "episodes_over_104w",
            "recurrence_5y",
            "recurrence_10y",
            "recurrence_20y",
            "depressive_remitted_within_13w",
            "depressive_remitted_within_52w",
            "depressive_episodes_over_104w",
            "therapy_completion",
        ];
        if !event_ratio.contains(&name.as_str()) {
            assert!(
                values
                    .slice(ndarray::s![.., .., 0])
                    .iter()
                    .all(|v| v.is_finite()),
                "{name}: missing values in `all`"
            );
        }
    }
    for name in ["durations_completed", "durations_censored"] {
        let ds = file.dataset(&format!("episodes/{name}")).unwrap();
        assert_eq!(ds.shape(), [REPLICATES, WEEKS + 1], "{name}");
        assert!(ds.dtype().unwrap().is::<u32>(), "{name} is not u32");
    }
}

fn attr_of(ds: &hdf5::Dataset, name: &str) -> String {
    ds.attr(name)
        .unwrap()
        .read_scalar::<hdf5::types::VarLenUnicode>()
        .unwrap()
        .as_str()
        .to_string()
}

#[test]
fn series_values_are_consistent() {
    let file = open();
    let prevalence = read_3d(&file, "series/prevalence");
    for &v in prevalence.iter().filter(|v| v.is_finite()) {
        assert!((0.0..=1.0).contains(&v), "prevalence {v}");
    }
    let population = read_3d(&file, "series/population");
    let (all, male, female) = (stratum("all"), stratum("male"), stratum("female"));
    let ages = [
        "age_5_15",
        "age_16_24",
        "age_25_34",
        "age_35_44",
        "age_45_54",
        "age_55_64",
        "age_65_plus",
    ]
    .map(stratum);
    let quintiles = ["imd_q1", "imd_q2", "imd_q3", "imd_q4", "imd_q5"].map(stratum);
    for r in 0..REPLICATES {
        for w in 0..WEEKS {
            let n = population[[r, w, all]];
            assert!(n > 0.0 && n <= 1200.0, "population {n}");
            assert_eq!(
                n,
                population[[r, w, male]] + population[[r, w, female]],
                "replicate {r} week {w}: sexes"
            );
            assert_eq!(
                n,
                ages.iter().map(|&s| population[[r, w, s]]).sum::<f64>(),
                "replicate {r} week {w}: ages"
            );
            assert_eq!(
                n,
                quintiles
                    .iter()
                    .map(|&s| population[[r, w, s]])
                    .sum::<f64>(),
                "replicate {r} week {w}: IMD"
            );
        }
    }
    // Episode counts: somebody fell ill during the recorded weeks in some replicate.
    let completed = file
        .dataset("episodes/durations_completed")
        .unwrap()
        .read_raw::<u32>()
        .unwrap();
    let censored = file
        .dataset("episodes/durations_censored")
        .unwrap()
        .read_raw::<u32>()
        .unwrap();
    assert!(
        completed.iter().chain(&censored).any(|&c| c > 0),
        "no episodes recorded"
    );
    // Running episodes are censored at their known (symptomatic) duration, as completed ones
    // are counted: at least the 2 onset weeks, even for an onset in the last week.
    for r in 0..REPLICATES {
        let row = &censored[r * (WEEKS + 1)..(r + 1) * (WEEKS + 1)];
        assert_eq!(row[..2], [0, 0], "replicate {r}: censored under 2 weeks");
    }
    assert!(
        censored.iter().any(|&c| c > 0),
        "no episode running at the end"
    );
}

#[test]
fn final_year_summary_is_the_mean_of_the_last_52_weeks() {
    let file = open();
    let prevalence = read_3d(&file, "series/prevalence");
    let all = stratum("all");
    let per_replicate: Vec<f64> = (0..REPLICATES)
        .map(|r| {
            (WEEKS - 52..WEEKS)
                .map(|w| prevalence[[r, w, all]])
                .sum::<f64>()
                / 52.0
        })
        .collect();
    let expected = per_replicate.iter().sum::<f64>() / REPLICATES as f64;
    let mean = read_2d(&file, "summary/final_year_mean");
    assert_eq!(mean.shape(), [Metric::ALL.len(), N_STRATA]);
    let got = mean[[metric_index(Metric::Prevalence), all]];
    assert!(
        (got - expected).abs() < 1e-12,
        "final-year prevalence {got}, recomputed {expected}"
    );
    let (lo, hi) = (
        read_2d(&file, "summary/final_year_lo95"),
        read_2d(&file, "summary/final_year_hi95"),
    );
    let (lo, hi) = (
        lo[[metric_index(Metric::Prevalence), all]],
        hi[[metric_index(Metric::Prevalence), all]],
    );
    let (min, max) = per_replicate
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    assert!(
        min <= lo && lo <= got && got <= hi && hi <= max,
        "interval [{lo}, {hi}] around {got} within [{min}, {max}]"
    );
}

/// Each replicate's total of a weekly quantity over the run, year y discounted by
/// (1 + rate)^-y (costs at 3.5%, health effects at 1.5% in this run), summarised across
/// replicates: recomputed from the series, in the same order of sums.
#[test]
fn discounted_totals_discount_the_weekly_series_by_year() {
    let file = open();
    let summary = file.group("summary").unwrap();
    let attr = |name: &str| summary.attr(name).unwrap().read_scalar::<f64>().unwrap();
    assert_eq!(attr("discount_rate"), 0.035);
    assert_eq!(attr("health_discount_rate"), 0.015);
    let all = stratum("all");
    for (metric, rate) in [
        (Metric::CostTotal, 0.035),
        (Metric::QalysWeek, 0.015),
        (Metric::QalyValue, 0.015),
    ] {
        let series = read_3d(&file, &format!("series/{}", metric.name()));
        let per_replicate: Vec<f64> = (0..REPLICATES)
            .map(|r| {
                (0..WEEKS.div_ceil(52))
                    .map(|y| {
                        let year: f64 = (52 * y..(52 * (y + 1)).min(WEEKS))
                            .map(|w| series[[r, w, all]])
                            .sum();
                        mhsim::output::discount_factor(rate, y) * year
                    })
                    .sum()
            })
            .collect();
        let expected = per_replicate.iter().sum::<f64>() / REPLICATES as f64;
        // Each replicate's total of the whole population is kept beside the statistics.
        let kept = read_2d(&file, "summary/discounted_total_replicates");
        assert_eq!(kept.shape(), [REPLICATES, Metric::ALL.len()]);
        for (r, total) in per_replicate.iter().enumerate() {
            let got = kept[[r, metric_index(metric)]];
            assert!(
                (got - total).abs() <= 1e-12 * total.abs().max(1.0),
                "{} replicate {r}: {got} against {total}",
                metric.name()
            );
        }
        let mean = read_2d(&file, "summary/discounted_total_mean");
        assert_eq!(mean.shape(), [Metric::ALL.len(), N_STRATA]);
        let got = mean[[metric_index(metric), all]];
        assert!(
            (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
            "{}: discounted total {got}, recomputed {expected}",
            metric.name()
        );
        // Discounting lowers the total below the plain sum of a positive quantity.
        let plain: f64 = (0..REPLICATES)
            .map(|r| (0..WEEKS).map(|w| series[[r, w, all]]).sum::<f64>())
            .sum::<f64>()
            / REPLICATES as f64;
        assert!(
            got > 0.0 && (WEEKS <= 52 || got < plain),
            "{got} vs {plain}"
        );
    }
}

#[test]
fn weekly_summary_is_the_mean_over_replicates() {
    let file = open();
    let prevalence = read_3d(&file, "series/prevalence");
    let weekly = read_2d(&file, "summary/weekly/prevalence_mean");
    assert_eq!(weekly.shape(), [WEEKS, N_STRATA]);
    let all = stratum("all");
    for w in 0..WEEKS {
        let expected = (0..REPLICATES)
            .map(|r| prevalence[[r, w, all]])
            .sum::<f64>()
            / REPLICATES as f64;
        assert!(
            (weekly[[w, all]] - expected).abs() < 1e-12,
            "week {w}: {} vs {expected}",
            weekly[[w, all]]
        );
    }
    for suffix in ["lo95", "hi95"] {
        let ds = file
            .dataset(&format!("summary/weekly/prevalence_{suffix}"))
            .unwrap();
        assert_eq!(ds.shape(), [WEEKS, N_STRATA]);
    }
    // `lo95` and `hi95` are the 2.5% and 97.5% quantiles' datasets under a second name (hard
    // links: one object, stored once), in every summary.
    let group = file.group("summary").unwrap();
    for (alias, stat) in [("lo95", "q025"), ("hi95", "q975")] {
        for (a, q) in [
            (format!("final_year_{alias}"), format!("final_year_{stat}")),
            (format!("yearly_{alias}"), format!("yearly_{stat}")),
            (
                format!("discounted_total_{alias}"),
                format!("discounted_total_{stat}"),
            ),
            (
                format!("weekly/prevalence_{alias}"),
                format!("weekly/prevalence_{stat}"),
            ),
        ] {
            let (ia, iq) = (
                group.loc_info_by_name(&a).unwrap(),
                group.loc_info_by_name(&q).unwrap(),
            );
            assert_eq!(ia.token, iq.token, "{a} is not {q}");
            assert_eq!(ia.num_links, 2, "{a}");
        }
    }
}

#[test]
fn summary_csv_matches_the_hdf5_summary() {
    let file = open();
    let mut reader = csv::Reader::from_path(RUN.join("summary.csv")).expect("summary.csv opens");
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        [
            "metric",
            "stratum",
            "unit",
            "period",
            "replicates",
            "mean",
            "lo95",
            "hi95"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a CSV row")).collect();
    // Final-year rows of every metric, then the discounted totals of those counted per week.
    let per_week: Vec<&Metric> = Metric::ALL
        .iter()
        .filter(|m| m.unit().ends_with(" per week"))
        .collect();
    assert!(per_week.contains(&&Metric::CostTotal) && per_week.contains(&&Metric::QalysWeek));
    assert_eq!(rows.len(), (Metric::ALL.len() + per_week.len()) * N_STRATA);
    let (final_rows, total_rows) = rows.split_at(Metric::ALL.len() * N_STRATA);
    let totals = read_2d(&file, "summary/discounted_total_mean");
    for row in total_rows {
        let m = Metric::ALL
            .iter()
            .position(|m| m.name() == &row[0])
            .unwrap();
        // Each metric at its own rate: costs at 3.5% a year, health effects at 1.5%.
        let rate = if Metric::ALL[m].is_cost() {
            "3.5"
        } else {
            "1.5"
        };
        assert_eq!(
            &row[3],
            format!("whole run (2024-2025, {WEEKS} weeks), discounted at {rate}% a year").as_str()
        );
        assert_eq!(
            format!("{} per week", &row[2]),
            Metric::ALL[m].unit(),
            "unit of a total"
        );
        let s = strata().iter().position(|s| s == &row[1]).unwrap();
        if !row[5].is_empty() {
            let mean: f64 = row[5].parse().unwrap();
            assert!((mean - totals[[m, s]]).abs() <= 1e-6, "{row:?}");
        }
    }
    let hdf5_mean = read_2d(&file, "summary/final_year_mean");
    let names = strata();
    let mut found = false;
    for row in final_rows {
        assert_eq!(
            &row[4],
            REPLICATES.to_string().as_str(),
            "replicates column"
        );
        let m = Metric::ALL
            .iter()
            .position(|m| m.name() == &row[0])
            .unwrap_or_else(|| panic!("metric {}", &row[0]));
        let s = names
            .iter()
            .position(|s| s == &row[1])
            .unwrap_or_else(|| panic!("stratum {}", &row[1]));
        assert_eq!(&row[2], Metric::ALL[m].unit());
        if row[5].is_empty() {
            assert!(
                !hdf5_mean[[m, s]].is_finite(),
                "{} {}: empty in CSV but {} in HDF5",
                &row[0],
                &row[1],
                hdf5_mean[[m, s]]
            );
            continue;
        }
        let parse = |i: usize| {
            row[i]
                .parse::<f64>()
                .unwrap_or_else(|e| panic!("{:?}: {e}", &row[i]))
        };
        let (mean, lo, hi) = (parse(5), parse(6), parse(7));
        assert!(
            (mean - hdf5_mean[[m, s]]).abs() <= 1e-6,
            "{} {}: CSV {mean}, HDF5 {}",
            &row[0],
            &row[1],
            hdf5_mean[[m, s]]
        );
        assert!(
            lo <= mean + 1e-6 && mean <= hi + 1e-6,
            "{} {}: {lo} {mean} {hi}",
            &row[0],
            &row[1]
        );
        if &row[0] == "prevalence" && &row[1] == "all" {
            found = true;
            assert!(row[3].contains("final year"), "period {:?}", &row[3]);
        }
    }
    assert!(found, "no row for prevalence/all");
}

#[test]
fn output_folder_holds_only_the_results() {
    let mut names: Vec<String> = std::fs::read_dir(&*RUN)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        names.iter().all(|n| !n.starts_with('.')),
        "temporary files left: {names:?}"
    );
    assert_eq!(names, ["results.h5", "summary.csv"]);
}

#[test]
fn a_second_run_replaces_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let out: &Path = dir.path();
    crate::common::run_small(out, &["--replicates", "1"]);
    crate::common::run_small(out, &["--replicates", "2"]);
    let file = hdf5::File::open(out.join("results.h5")).unwrap();
    assert_eq!(attr_u64(&file, "replicates"), 2);
    assert_eq!(file.dataset("series/prevalence").unwrap().shape()[0], 2);
    let leftovers: Vec<_> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}
