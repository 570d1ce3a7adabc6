//! Ensembles and comparisons through the binary: the added summary statistics against the
//! series they summarise, `--summary-only` (same summaries, no series, no scratch left),
//! paired differences of several scenarios (exactly zero for an identical scenario, the
//! replicate-by-replicate difference otherwise), scenarios that cannot be compared, and
//! scenarios that share their start giving what they give alone.

use std::path::{Path, PathBuf};

use mhsim::record::{Metric, N_STRATA};

use crate::common::{
    Content, assert_success, datasets_under, read_2d, read_3d, read_content, run_mhsim, stderr,
    stratum,
};

/// Arguments that make any scenario small and quick.
const SMALL: [&str; 6] = [
    "--set",
    "people=400",
    "--set",
    "weeks=60",
    "--set",
    "burn_in_weeks=0",
];

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run(args: &[&str]) {
    let mut all = vec!["run", "--quiet"];
    all.extend_from_slice(args);
    all.extend_from_slice(&SMALL);
    assert_success(&run_mhsim(&all));
}

/// Every dataset under `group` of a file, by path, as comparable content.
pub fn contents(path: &Path, group: &str) -> Vec<(String, Vec<usize>, Content)> {
    let file = hdf5::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let group = file.group(group).unwrap();
    datasets_under(&group)
        .into_iter()
        .map(|(name, ds)| {
            if ds.dtype().unwrap().is::<u64>() {
                // Integers of the points table, compared as text.
                let values = ds.read_raw::<u64>().unwrap();
                let text = values.iter().map(u64::to_string).collect();
                return (name, ds.shape(), Content::Text(text));
            }
            let (shape, content) = read_content(&ds);
            (name, shape, content)
        })
        .collect()
}

fn baseline() -> PathBuf {
    crate::common::manifest_dir().join("scenarios/baseline.toml")
}

fn metric_index(metric: Metric) -> usize {
    Metric::ALL.iter().position(|m| *m == metric).unwrap()
}

#[test]
fn summary_statistics_match_the_series_and_summary_only_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    let (full, only) = (dir.path().join("full"), dir.path().join("only"));
    run(&["--replicates", "5", "--out", full.to_str().unwrap()]);
    run(&[
        "--replicates",
        "5",
        "--summary-only",
        "--out",
        only.to_str().unwrap(),
    ]);
    let file = hdf5::File::open(full.join("results.h5")).unwrap();
    let series = read_3d(&file, "series/prevalence");
    let all = stratum("all");
    let (median, sd, q975) = (
        read_2d(&file, "summary/weekly/prevalence_q50"),
        read_2d(&file, "summary/weekly/prevalence_sd"),
        read_2d(&file, "summary/weekly/prevalence_q975"),
    );
    for w in [0, 30, 59] {
        let mut v: Vec<f64> = (0..5).map(|r| series[[r, w, all]]).collect();
        let mean = v.iter().sum::<f64>() / 5.0;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 4.0;
        v.sort_by(f64::total_cmp);
        assert_eq!(median[[w, all]], v[2], "week {w} median");
        assert!((sd[[w, all]] - var.sqrt()).abs() < 1e-12, "week {w} sd");
        // Type-7 quantile at 97.5% of five values: between the 4th and 5th.
        let expected = v[3] + 0.9 * (v[4] - v[3]);
        assert!((q975[[w, all]] - expected).abs() < 1e-12, "week {w} q975");
    }
    let ci = (
        read_2d(&file, "summary/final_year_ci95_lo"),
        read_2d(&file, "summary/final_year_mean"),
        read_2d(&file, "summary/final_year_ci95_hi"),
    );
    let m = metric_index(Metric::Prevalence);
    assert!(ci.0[[m, all]] < ci.1[[m, all]] && ci.1[[m, all]] < ci.2[[m, all]]);

    // --summary-only: no series, the same summaries bit for bit, nothing else left behind.
    let only_file = hdf5::File::open(only.join("results.h5")).unwrap();
    assert!(only_file.group("series").is_err(), "/series written");
    assert_eq!(
        contents(&full.join("results.h5"), "summary"),
        contents(&only.join("results.h5"), "summary")
    );
    assert_eq!(
        contents(&full.join("results.h5"), "episodes"),
        contents(&only.join("results.h5"), "episodes")
    );
    let mut names: Vec<String> = std::fs::read_dir(&only)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["results.h5", "summary.csv"]);
    assert_eq!(
        std::fs::read(full.join("summary.csv")).unwrap(),
        std::fs::read(only.join("summary.csv")).unwrap()
    );
}

#[test]
fn an_identical_scenario_differs_from_the_baseline_by_exactly_zero() {
    let dir = tempfile::tempdir().unwrap();
    let same = write(
        dir.path(),
        "same.toml",
        "extends = \"builtin:baseline\"\nname = \"same\"\n",
    );
    let out = dir.path().join("out");
    run(&[
        "--replicates",
        "4",
        "--out",
        out.to_str().unwrap(),
        "--summary-only",
        baseline().to_str().unwrap(),
        same.to_str().unwrap(),
    ]);
    let file = hdf5::File::open(out.join("comparison.h5")).unwrap();
    let mut checked = 0;
    for (name, ds) in datasets_under(&file.group("difference/same").unwrap()) {
        let values = ds.read_raw::<f64>().unwrap();
        for v in values.iter().filter(|v| !v.is_nan()) {
            assert_eq!(v.to_bits(), 0.0f64.to_bits(), "{name}: {v}");
            checked += 1;
        }
    }
    // Every metric in every stratum with people has a difference, except the recurrence
    // follow-ups, which a 60-week run is too short to reach (5 years at the least), and the
    // courses of depressive-level episodes, which may have none in the final year of so
    // small a town (then no value, else a difference of exactly 0).
    let mean = read_2d(&file, "difference/same/final_year_mean");
    assert_eq!(mean.shape(), [Metric::ALL.len(), N_STRATA]);
    let follow_ups = [
        Metric::Recurrence5y,
        Metric::Recurrence10y,
        Metric::Recurrence20y,
    ];
    let rare = [
        Metric::DepressiveRemittedWithin13w,
        Metric::DepressiveRemittedWithin52w,
        Metric::DepressiveEpisodesOver104w,
    ];
    for (m, metric) in Metric::ALL.iter().enumerate() {
        if follow_ups.contains(metric) {
            assert!(mean[[m, stratum("all")]].is_nan(), "{}", metric.name());
            continue;
        }
        if rare.contains(metric) && mean[[m, stratum("all")]].is_nan() {
            continue;
        }
        assert_eq!(
            mean[[m, stratum("all")]],
            0.0,
            "{}: no difference for everybody",
            metric.name()
        );
    }
    assert!(checked > 10_000, "only {checked} values checked");
    let mut reader = csv::Reader::from_path(out.join("comparison.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let per_week = Metric::ALL
        .iter()
        .filter(|m| m.unit().ends_with(" per week"))
        .count();
    assert_eq!(rows.len(), (Metric::ALL.len() + per_week) * N_STRATA);
    for row in &rows {
        assert_eq!(&row[0], "same");
        assert_eq!(&row[1], "baseline");
        for i in 7..12 {
            assert!(
                row[i].is_empty() || row[i].parse::<f64>().unwrap() == 0.0,
                "{row:?}"
            );
        }
    }
}

#[test]
fn paired_differences_are_differences_of_the_same_replicates() {
    let dir = tempfile::tempdir().unwrap();
    let high = write(
        dir.path(),
        "high.toml",
        "extends = \"builtin:baseline\"\nname = \"high unemployment\"\n[economy]\nunemployment_rate = 0.15\n",
    );
    let out = dir.path().join("out");
    run(&[
        "--replicates",
        "3",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
        baseline().to_str().unwrap(),
        high.to_str().unwrap(),
    ]);
    let base = hdf5::File::open(out.join("baseline/results.h5")).unwrap();
    let other = hdf5::File::open(out.join("high_unemployment/results.h5")).unwrap();
    let comparison = hdf5::File::open(out.join("comparison.h5")).unwrap();
    let all = stratum("all");
    for metric in Metric::ALL {
        let (a, b) = (
            read_3d(&base, &format!("series/{}", metric.name())),
            read_3d(&other, &format!("series/{}", metric.name())),
        );
        let mean = read_2d(
            &comparison,
            &format!("difference/high_unemployment/weekly/{}_mean", metric.name()),
        );
        for w in [0, 59] {
            // Replicates whose difference is not finite (e.g. a share of no ended episodes)
            // are left out, as in every summary.
            let finite: Vec<f64> = (0..3)
                .map(|r| b[[r, w, all]] - a[[r, w, all]])
                .filter(|d| d.is_finite())
                .collect();
            let expected = if finite.is_empty() {
                f64::NAN
            } else {
                finite.iter().sum::<f64>() / finite.len() as f64
            };
            assert_eq!(
                mean[[w, all]].to_bits(),
                expected.to_bits(),
                "{} week {w}",
                metric.name()
            );
        }
    }
    let m = metric_index(Metric::UnemploymentRate);
    let diff = read_2d(&comparison, "difference/high_unemployment/final_year_mean");
    assert!(
        diff[[m, all]] > 0.05,
        "unemployment rate rose by {}",
        diff[[m, all]]
    );
}

#[test]
fn scenarios_that_cannot_be_paired_are_rejected_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let other = write(
        dir.path(),
        "other.toml",
        "extends = \"builtin:baseline\"\nname = \"other\"\npeople = 500\nseed = 9\n",
    );
    let out = dir.path().join("out");
    let output = run_mhsim(&[
        "run",
        baseline().to_str().unwrap(),
        other.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("2 problems comparing the scenarios"),
        "{message}"
    );
    assert!(
        message.contains("other.toml: people = 500: expected 10000"),
        "{message}"
    );
    assert!(
        message.contains("other.toml: seed = 9: expected 20250101"),
        "{message}"
    );
    assert!(!out.exists(), "output written for a rejected comparison");
}

#[test]
fn scenarios_that_start_alike_give_in_a_comparison_what_they_give_alone() {
    // The baseline and a recession start alike (a shared start per replicate); higher
    // unemployment does not. Four replicates on two threads: enough jobs to share.
    let dir = tempfile::tempdir().unwrap();
    let recession = write(
        dir.path(),
        "recession.toml",
        "extends = \"builtin:baseline\"\nname = \"recession\"\n[[shock]]\nkind = \"recession\"\nstart_week = 10\nunemployment_rise = 0.05\n",
    );
    let high = write(
        dir.path(),
        "high.toml",
        "extends = \"builtin:baseline\"\nname = \"high\"\n[economy]\nunemployment_rate = 0.15\n",
    );
    let together = dir.path().join("together");
    let files = [baseline(), recession, high];
    let names = ["baseline", "recession", "high"];
    let mut args = vec!["--replicates", "4", "--threads", "2", "--out"];
    args.push(together.to_str().unwrap());
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    run(&args);
    for (file, name) in files.iter().zip(names) {
        let alone = dir.path().join(format!("alone-{name}"));
        run(&[
            "--replicates",
            "4",
            "--threads",
            "1",
            "--out",
            alone.to_str().unwrap(),
            file.to_str().unwrap(),
        ]);
        let (a, b) = (
            contents(&together.join(name).join("results.h5"), "/"),
            contents(&alone.join("results.h5"), "/"),
        );
        assert!(!a.is_empty());
        assert!(
            a == b,
            "{name}: results differ between the comparison and a run alone"
        );
    }
    // The recession changes something (so the shared start did not hide it).
    let diff = read_2d(
        &hdf5::File::open(together.join("comparison.h5")).unwrap(),
        "difference/recession/final_year_mean",
    );
    let m = metric_index(Metric::UnemploymentRate);
    assert!(diff[[m, stratum("all")]] > 0.0);
}
