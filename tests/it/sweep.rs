//! Parameter sweeps through the binary: the same plan gives bit-identical results in one
//! process on one or two threads and split into shards that are merged; a run stopped
//! midway (by the test hook or by SIGKILL) resumes without redoing finished points and ends
//! identical; merge refuses missing or foreign shards; bad sweep files are reported with file
//! and key path, all at once; Latin-hypercube and CSV designs fill the points table.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::{assert_success, mhsim, run_mhsim, stderr, stdout};
use crate::ensemble::contents;

/// A small grid sweep: 2 x 3 = 6 points of a tiny town, 3 replicates each; unemployment at 4%
/// and 30%, a contrast large enough for its effect on prevalence to show in so small a town.
pub const GRID: &str = r#"
name = "tiny grid"
base = "builtin:baseline"
replicates = 3
set = ["people=300", "weeks=20", "burn_in_weeks=0"]

[design]
kind = "grid"

[[parameter]]
path = "economy.unemployment_rate"
values = [0.04, 0.3]

[[parameter]]
path = "dynamics.kappa"
range = [0.2, 0.4]
steps = 3
"#;

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// `mhsim sweep ARGS...`, checked to succeed.
pub fn sweep(args: &[&str]) -> Output {
    let mut all = vec!["sweep"];
    all.extend_from_slice(args);
    let out = run_mhsim(&all);
    assert_success(&out);
    out
}

/// Plan `sweep_file` into `dir` with `shards` shards.
pub fn plan(sweep_file: &Path, dir: &Path, shards: u32) {
    sweep(&[
        "plan",
        s(sweep_file),
        "--out",
        s(dir),
        "--shards",
        &shards.to_string(),
    ]);
}

/// Shape and contents of datasets, by path.
pub type Datasets = Vec<(String, Vec<usize>, crate::common::Content)>;

/// Every dataset and every attribute of a file, comparable.
pub fn everything(path: &Path) -> (Datasets, Vec<String>) {
    let file = hdf5::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut attrs: Vec<String> = file
        .attr_names()
        .unwrap()
        .into_iter()
        .map(|name| {
            let attr = file.attr(&name).unwrap();
            let value = attr
                .read_scalar::<hdf5::types::VarLenUnicode>()
                .map(|v| v.as_str().to_string())
                .or_else(|_| attr.read_scalar::<u64>().map(|v| v.to_string()))
                .unwrap();
            format!("{name}={value}")
        })
        .collect();
    attrs.sort();
    (contents(path, "/"), attrs)
}

fn assert_identical(a: &Path, b: &Path) {
    let (x, y) = (everything(a), everything(b));
    assert_eq!(
        x.1,
        y.1,
        "attributes differ: {} vs {}",
        a.display(),
        b.display()
    );
    let names: Vec<&str> = x.0.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        y.0.iter().map(|(n, _, _)| n.as_str()).collect::<Vec<_>>()
    );
    assert!(names.contains(&"/summary/final_year_mean"), "{names:?}");
    assert!(
        names.contains(&"/summary/discounted_total_mean"),
        "{names:?}"
    );
    assert!(
        names.contains(&"/summary/weekly/prevalence_q50"),
        "{names:?}"
    );
    assert!(names.contains(&"/points/dynamics.kappa"), "{names:?}");
    for ((name, shape, content), (_, other_shape, other_content)) in x.0.iter().zip(&y.0) {
        assert_eq!(shape, other_shape, "{name}: shape");
        assert!(content == other_content, "{name}: values differ");
    }
}

#[test]
fn one_process_any_threads_and_merged_shards_give_identical_results() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "grid.toml", GRID);
    let (one, two, sharded) = (
        dir.path().join("one"),
        dir.path().join("two"),
        dir.path().join("sharded"),
    );
    plan(&file, &one, 1);
    sweep(&["run", s(&one), "--threads", "1", "--quiet"]);
    plan(&file, &two, 1);
    sweep(&["run", s(&two), "--threads", "2", "--quiet"]);
    // More threads than a point has replicates: points run two at a time.
    let four = dir.path().join("four");
    plan(&file, &four, 1);
    sweep(&["run", s(&four), "--threads", "4", "--quiet"]);
    plan(&file, &sharded, 3);
    assert!(sharded.join("submit.sbatch").exists());
    for k in ["2", "0", "1"] {
        sweep(&[
            "run",
            s(&sharded),
            "--shard",
            k,
            "--threads",
            "2",
            "--quiet",
        ]);
    }
    let merged = sweep(&["merge", s(&sharded)]);
    assert!(
        stdout(&merged).contains("merged 3 shards (6 points)"),
        "{}",
        stdout(&merged)
    );
    assert_identical(&one.join("results.h5"), &two.join("results.h5"));
    assert_identical(&one.join("results.h5"), &sharded.join("results.h5"));
    assert_identical(&one.join("results.h5"), &four.join("results.h5"));

    // The points table and summaries are what the plan says.
    let results = hdf5::File::open(one.join("results.h5")).unwrap();
    let kappa = results
        .dataset("points/dynamics.kappa")
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    assert_eq!(
        kappa,
        [0.2, 0.30000000000000004, 0.4, 0.2, 0.30000000000000004, 0.4]
    );
    let mean = results
        .dataset("summary/final_year_mean")
        .unwrap()
        .read::<f64, ndarray::Ix3>()
        .unwrap();
    assert_eq!(mean.shape()[0], 6);
    let unemployment = mhsim::record::Metric::ALL
        .iter()
        .position(|m| *m == mhsim::record::Metric::UnemploymentRate)
        .unwrap();
    assert!(
        mean[[5, unemployment, 0]] > mean[[0, unemployment, 0]],
        "12% unemployment point below the 4% point"
    );
    // Each point's discounted total cost over its 20 weeks (one recorded year, undiscounted)
    // is the sum of its weekly mean costs.
    let cost = mhsim::record::Metric::ALL
        .iter()
        .position(|m| *m == mhsim::record::Metric::CostTotal)
        .unwrap();
    let totals = results
        .dataset("summary/discounted_total_mean")
        .unwrap()
        .read::<f64, ndarray::Ix3>()
        .unwrap();
    let weekly = results
        .dataset("summary/weekly/cost_total_mean")
        .unwrap()
        .read::<f64, ndarray::Ix3>()
        .unwrap();
    // At the base scenario's rates (the defaults).
    let summary = results.group("summary").unwrap();
    for name in ["discount_rate", "health_discount_rate"] {
        let rate = summary.attr(name).unwrap().read_scalar::<f64>().unwrap();
        assert_eq!(rate, 0.035, "{name}");
    }
    for p in 0..6 {
        let sum: f64 = (0..20).map(|w| weekly[[p, w, 0]]).sum();
        assert!(
            sum > 0.0 && (totals[[p, cost, 0]] - sum).abs() <= 1e-9 * sum,
            "point {p}: {} vs {sum}",
            totals[[p, cost, 0]]
        );
    }

    // Merging again, or running again, changes nothing and says so.
    let again = sweep(&["merge", s(&sharded)]);
    assert!(
        stdout(&again).contains("already complete"),
        "{}",
        stdout(&again)
    );
    let again = sweep(&["run", s(&one)]);
    assert!(
        stdout(&again).contains("already complete"),
        "{}",
        stdout(&again)
    );
}

fn point_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("points"))
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("point-"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_stopped_sweep_resumes_without_redoing_finished_points() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "grid.toml", GRID);
    let (whole, stopped) = (dir.path().join("whole"), dir.path().join("stopped"));
    plan(&file, &whole, 1);
    sweep(&["run", s(&whole), "--quiet"]);

    plan(&file, &stopped, 1);
    let out = run_mhsim(&["sweep", "run", s(&stopped), "--stop-after", "2", "--quiet"]);
    assert!(!out.status.success(), "the hook did not stop the run");
    assert!(
        stderr(&out).contains("stopped after 2 points"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        point_files(&stopped),
        ["point-000000.h5", "point-000001.h5"]
    );
    assert!(!stopped.join("results.h5").exists());
    // A shard of the same points in the same folder skips them too.
    let resumed = sweep(&["run", s(&stopped)]);
    assert!(
        stdout(&resumed).contains("ran 4 of 6 points (2 finished before, skipped)"),
        "{}",
        stdout(&resumed)
    );
    assert_identical(&whole.join("results.h5"), &stopped.join("results.h5"));
    assert!(
        point_files(&stopped).is_empty(),
        "point files left after gathering"
    );
}

#[test]
fn a_killed_shard_resumes_and_merges_identically() {
    let dir = tempfile::tempdir().unwrap();
    // Bigger points, so that the kill lands while the shard is busy.
    let text = GRID
        .replace("people=300", "people=1500")
        .replace("weeks=20", "weeks=60");
    let file = write(dir.path(), "grid.toml", &text);
    let (whole, killed) = (dir.path().join("whole"), dir.path().join("killed"));
    plan(&file, &whole, 1);
    sweep(&["run", s(&whole), "--quiet"]);
    plan(&file, &killed, 2);
    let mut child = mhsim()
        .args([
            "sweep",
            "run",
            s(&killed),
            "--shard",
            "0",
            "--threads",
            "1",
            "--quiet",
        ])
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while point_files(&killed).is_empty() && Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: no cleanup at all
    child.wait().unwrap();
    let finished_before = point_files(&killed).len();
    assert!(
        killed.join("shards/shard-0000.h5").exists() || finished_before >= 1,
        "nothing finished before the kill"
    );
    for k in ["0", "1"] {
        sweep(&["run", s(&killed), "--shard", k, "--quiet"]);
    }
    sweep(&["merge", s(&killed)]);
    assert_identical(&whole.join("results.h5"), &killed.join("results.h5"));
    let leftovers: Vec<String> = std::fs::read_dir(killed.join("points"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(leftovers.is_empty(), "files left in points/: {leftovers:?}");
}

#[test]
fn merge_refuses_missing_and_foreign_shards() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "grid.toml", GRID);
    let other = write(
        dir.path(),
        "other.toml",
        &GRID.replace("values = [0.04, 0.3]", "values = [0.05, 0.3]"),
    );
    let (ours, theirs) = (dir.path().join("ours"), dir.path().join("theirs"));
    plan(&file, &ours, 3);
    plan(&other, &theirs, 3);
    sweep(&["run", s(&ours), "--shard", "0", "--quiet"]);
    sweep(&["run", s(&theirs), "--shard", "1", "--quiet"]);
    std::fs::copy(
        theirs.join("shards/shard-0001.h5"),
        ours.join("shards/shard-0001.h5"),
    )
    .unwrap();
    let out = run_mhsim(&["sweep", "merge", s(&ours)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(message.contains("2 problems"), "{message}");
    assert!(
        message.contains("shard-0001.h5: comes from another plan"),
        "{message}"
    );
    assert!(message.contains("shard-0002.h5: missing"), "{message}");
    assert!(message.contains("--shard 2"), "{message}");
    assert!(!ours.join("results.h5").exists());

    // A folder holding another plan is not re-planned, and a foreign result is not replaced.
    let out = run_mhsim(&["sweep", "plan", s(&other), "--out", s(&ours)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("already holds the plan"),
        "{}",
        stderr(&out)
    );
    std::fs::copy(theirs.join("shards/shard-0001.h5"), ours.join("results.h5")).unwrap();
    let before = std::fs::read(ours.join("results.h5")).unwrap();
    let out = run_mhsim(&["sweep", "run", s(&ours), "--quiet"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds results of another plan"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(ours.join("results.h5")).unwrap(), before);
}

#[test]
fn bad_sweep_files_are_reported_all_at_once_with_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "bad.toml",
        r#"
base = "builtin:baseline"
replicates = 0
[design]
kind = "factorial"
[[parameter]]
path = "dynamics.kapa"
values = [0.1]
[[parameter]]
path = "economy.unemployment_rate"
range = [0.1, 0.1]
[[parameter]]
path = "dynamics.peer_multiplier"
range = [2.0, 0.5]
[[parameter]]
path = "weeks"
values = []
"#,
    );
    let out_dir = dir.path().join("out");
    let out = run_mhsim(&["sweep", "plan", s(&file), "--out", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    let name = s(&file);
    for expected in [
        format!("{name}: replicates = 0: expected an integer in [1, 1000000]"),
        format!("{name}: design.kind = \"factorial\": expected \"grid\", \"lhs\""),
        format!("{name}: parameter[1].range = [0.1, 0.1]: expected low < high (the range is empty"),
        format!(
            "{name}: parameter[2].range = [2.0, 0.5]: expected low < high (the bounds are reversed)"
        ),
        format!("{name}: parameter[3].values = []: expected a non-empty list of values"),
    ] {
        assert!(
            message.contains(&expected),
            "missing {expected:?} in\n{message}"
        );
    }
    assert!(
        message.contains("parameter[0].path = \"dynamics.kapa\""),
        "{message}"
    );
    assert!(
        message.starts_with("error: 6 problems in the sweep"),
        "{message}"
    );
    assert!(!out_dir.exists(), "a plan was written for a bad sweep");

    // With the design fixed, parameter paths are checked against the model.
    let file = write(
        dir.path(),
        "paths.toml",
        r#"
base = "builtin:baseline"
[design]
kind = "lhs"
points = 4
[[parameter]]
path = "dynamics.kapa"
range = [0.1, 0.2]
[[parameter]]
path = "weeks"
range = [10, 20]
[[parameter]]
path = "dynamics.kappa"
range = [0.5, 1.5]
[[parameter]]
path = "valuation.discount_rate"
range = [0.0, 0.05]
"#,
    );
    let out = run_mhsim(&["sweep", "plan", s(&file), "--out", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    let name = s(&file);
    assert!(
        message.contains(&format!("{name}: parameter[0].path = \"dynamics.kapa\": expected the key path of a model parameter")),
        "{message}"
    );
    assert!(message.contains("did you mean `kappa`"), "{message}");
    assert!(
        message.contains(&format!(
            "{name}: parameter[1].path = \"weeks\": expected a model parameter, not a run setting"
        )),
        "{message}"
    );
    assert!(
        message.contains(&format!(
            "{name}: parameter[3].path = \"valuation.discount_rate\": expected a model parameter, not a run setting (a sweep discounts every point's totals alike"
        )),
        "{message}"
    );
    assert!(!out_dir.exists());

    // Values outside a parameter's accepted range are found at the points that use them.
    let file = write(
        dir.path(),
        "values.toml",
        r#"
base = "builtin:baseline"
[design]
kind = "grid"
[[parameter]]
path = "dynamics.kappa"
values = [0.3, 1.5]
"#,
    );
    let out = run_mhsim(&["sweep", "plan", s(&file), "--out", s(&out_dir)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "parameter[0].values (dynamics.kappa) at point 1 = 1.5: expected a number in (0, 1]"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn latin_hypercube_and_csv_designs_fill_the_points_table() {
    let dir = tempfile::tempdir().unwrap();
    let lhs = write(
        dir.path(),
        "lhs.toml",
        r#"
base = "builtin:baseline"
replicates = 2
seed = 11
seeds = "per_point"
set = ["people=200", "weeks=8", "burn_in_weeks=0"]
[design]
kind = "lhs"
points = 5
[[parameter]]
path = "dynamics.kappa"
range = [0.1, 0.6]
[[parameter]]
path = "people"
range = [200, 400]
"#,
    );
    let out = dir.path().join("lhs");
    plan(&lhs, &out, 1);
    sweep(&["run", s(&out), "--quiet"]);
    let file = hdf5::File::open(out.join("results.h5")).unwrap();
    let read_f64 = |name: &str| file.dataset(name).unwrap().read_raw::<f64>().unwrap();
    let read_u64 = |name: &str| file.dataset(name).unwrap().read_raw::<u64>().unwrap();
    let mut strata: Vec<usize> = read_f64("points/dynamics.kappa")
        .iter()
        .map(|k| ((k - 0.1) / 0.5 * 5.0) as usize)
        .collect();
    strata.sort_unstable();
    assert_eq!(strata, [0, 1, 2, 3, 4], "one point per stratum");
    let people = read_f64("points/people");
    assert!(
        people
            .iter()
            .all(|p| (200.0..=400.0).contains(p) && p.fract() == 0.0)
    );
    let seeds = read_u64("points/seed");
    assert_eq!(seeds.len(), 5);
    assert!(
        seeds.windows(2).all(|w| w[0] != w[1]),
        "per-point seeds: {seeds:?}"
    );

    write(
        dir.path(),
        "points.csv",
        "economy.unemployment_rate,dynamics.kappa\n0.05,0.3\n0.10,0.25\n",
    );
    let csv = write(
        dir.path(),
        "csv.toml",
        r#"
base = "builtin:baseline"
replicates = 2
set = ["people=200", "weeks=8", "burn_in_weeks=0"]
[design]
kind = "csv"
file = "points.csv"
"#,
    );
    let out = dir.path().join("csv");
    plan(&csv, &out, 2);
    for k in ["0", "1"] {
        sweep(&["run", s(&out), "--shard", k, "--quiet"]);
    }
    sweep(&["merge", s(&out)]);
    let file = hdf5::File::open(out.join("results.h5")).unwrap();
    let rate = file
        .dataset("points/economy.unemployment_rate")
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    assert_eq!(rate, [0.05, 0.10]);
    let parameters = crate::common::read_strings(&file.dataset("points/parameters").unwrap());
    assert_eq!(parameters, ["economy.unemployment_rate", "dynamics.kappa"]);
}

#[test]
fn every_shipped_sweep_validates() {
    let folder = crate::common::manifest_dir().join("scenarios/sweeps");
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let out = run_mhsim(&["validate", s(&path)]);
            assert_success(&out);
            assert!(stdout(&out).contains("valid sweep"), "{}", stdout(&out));
            checked += 1;
        }
    }
    assert!(
        checked >= 2,
        "only {checked} sweep files in {}",
        folder.display()
    );
}
