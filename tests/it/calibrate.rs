//! Calibration through the binary: ABC recovers a known parameter from targets made by a run
//! with it; a calibration stopped between generations and within one, and one run as SLURM
//! shards, end with the posterior of an uninterrupted run, bit for bit; a folder refuses
//! another calibration; bad calibration files are reported at once; `run --posterior` draws
//! each replicate's particle by weight, the same for every scenario and any thread count, and
//! the particles act.

use std::path::{Path, PathBuf};
use std::process::Output;

use mhsim::record::Metric;

use crate::common::{
    assert_success, attr_string, attr_u64, read_3d, read_strings, run_mhsim, stderr, stdout,
    stratum,
};
use crate::ensemble::contents;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn metric_index(metric: Metric) -> usize {
    Metric::ALL.iter().position(|m| *m == metric).unwrap()
}

/// `mhsim calibrate FILE --out DIR EXTRA...`, not checked.
fn calibrate(file: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["calibrate", s(file), "--out", s(out)];
    args.extend_from_slice(extra);
    run_mhsim(&args)
}

/// The particles of a posterior: samples, weights and distances, as bits.
fn posterior_bits(path: &Path) -> Vec<(String, Vec<usize>, crate::common::Content)> {
    contents(path, "/")
        .into_iter()
        .filter(|(name, _, _)| ["/samples", "/weights", "/distances"].contains(&name.as_str()))
        .collect()
}

/// Samples of the first parameter and normalised weights of a posterior.
fn samples_and_weights(path: &Path) -> (Vec<f64>, Vec<f64>) {
    let file = hdf5::File::open(path).unwrap();
    let samples = file.dataset("samples").unwrap().read_raw::<f64>().unwrap();
    let weights = file.dataset("weights").unwrap().read_raw::<f64>().unwrap();
    (samples, weights)
}

/// Weighted quantile: the smallest sample whose cumulative weight reaches `q`.
fn weighted_quantile(samples: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..samples.len()).collect();
    order.sort_by(|&a, &b| samples[a].total_cmp(&samples[b]));
    let mut acc = 0.0;
    for &i in &order {
        acc += weights[i];
        if acc >= q {
            return samples[i];
        }
    }
    samples[*order.last().unwrap()]
}

const TRUE_SET_POINT: f64 = -0.2;

#[test]
fn abc_recovers_a_known_set_point() {
    let dir = tempfile::tempdir().unwrap();
    let town = [
        "people=1000",
        "weeks=104",
        "burn_in_weeks=26",
        "dynamics.sigma=0.5",
    ];
    // The "observations": one replicate at the known set point; its yearly prevalence.
    let truth = dir.path().join("truth");
    let mut args = vec!["run", "--quiet", "--replicates", "1", "--out", s(&truth)];
    let known = format!("dynamics.baseline_set_point={TRUE_SET_POINT}");
    for set in town.iter().copied().chain([known.as_str()]) {
        args.extend_from_slice(&["--set", set]);
    }
    assert_success(&run_mhsim(&args));
    let file = hdf5::File::open(truth.join("results.h5")).unwrap();
    let yearly = read_3d(&file, "summary/yearly_mean");
    let prevalence = metric_index(Metric::Prevalence);
    let observed: Vec<f64> = (0..2)
        .map(|y| yearly[[y, prevalence, stratum("all")]])
        .collect();
    write(
        dir.path(),
        "targets.toml",
        &format!(
            r#"
name = "known"
[[target]]
name = "prevalence_2024"
metric = "prevalence"
years = 2024
observed = {:?}
se = 0.006
source = "a run at the known set point"
[[target]]
name = "prevalence_2025"
metric = "prevalence"
years = 2025
observed = {:?}
se = 0.006
source = "a run at the known set point"
"#,
            observed[0], observed[1]
        ),
    );
    let cal = write(
        dir.path(),
        "known.toml",
        r#"
name = "known"
base = "builtin:baseline"
targets = "targets.toml"
set = ["people=1000", "weeks=104", "burn_in_weeks=26", "dynamics.sigma=0.5"]
replicates = 1
seed = 11
[abc]
particles = 30
alpha = 0.5
max_generations = 4
[[parameter]]
key = "dynamics.baseline_set_point"
min = -1.5
max = 0.5
"#,
    );
    let out = dir.path().join("cal");
    let run = calibrate(&cal, &out, &["--threads", "2"]);
    assert_success(&run);
    let text = stdout(&run);
    for g in 0..4 {
        assert!(text.contains(&format!("generation {g}: epsilon")), "{text}");
    }
    assert!(text.contains("ESS") && text.contains("p_acc"), "{text}");
    assert!(text.contains("fit of the closest particle"), "{text}");

    let posterior = out.join("posterior.h5");
    let (samples, weights) = samples_and_weights(&posterior);
    assert_eq!(samples.len(), 15);
    assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let (lo, hi) = (
        weighted_quantile(&samples, &weights, 0.025),
        weighted_quantile(&samples, &weights, 0.975),
    );
    assert!(
        lo <= TRUE_SET_POINT && TRUE_SET_POINT <= hi,
        "95% range [{lo}, {hi}] misses {TRUE_SET_POINT}"
    );
    assert!(
        hi - lo < 0.5 * 2.0,
        "95% range [{lo}, {hi}] is not narrower than the prior"
    );

    // Provenance and per-generation diagnostics.
    let file = hdf5::File::open(&posterior).unwrap();
    assert_eq!(attr_u64(&file, "generations"), 4);
    assert_eq!(attr_u64(&file, "simulations"), 30 + 3 * 15);
    assert_eq!(attr_u64(&file, "seed"), 11);
    assert!(attr_string(&file, "calibration").contains("baseline_set_point"));
    assert!(attr_string(&file, "targets").contains("prevalence_2025"));
    assert!(attr_string(&file, "base_scenario").contains("people = 1000"));
    assert_eq!(
        read_strings(&file.dataset("parameters").unwrap()),
        ["dynamics.baseline_set_point"]
    );
    let epsilon = file
        .dataset("generations/epsilon")
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    assert_eq!(epsilon.len(), 4);
    assert!(epsilon.windows(2).all(|w| w[1] <= w[0]), "{epsilon:?}");
    let masses = file
        .dataset("generations/kernel_mass_median")
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    assert!(
        masses.iter().all(|m| *m > 0.0 && *m <= 1.0 + 1e-12),
        "{masses:?}"
    );
    for column in [
        "p_acc",
        "ess",
        "simulations",
        "mean_dynamics.baseline_set_point",
    ] {
        assert!(
            file.dataset(&format!("generations/{column}")).is_ok(),
            "{column}"
        );
    }
    let diagnostics = std::fs::read_to_string(out.join("diagnostics.csv")).unwrap();
    assert_eq!(diagnostics.lines().count(), 5, "{diagnostics}");
    assert!(diagnostics.starts_with("generation,epsilon,p_acc,ess,kernel_mass_median,"));
    let fit = std::fs::read_to_string(out.join("fit.csv")).unwrap();
    assert!(fit.contains("prevalence_2024"), "{fit}");

    // best.toml extends the base and can be extended; it holds the fixed model parameter and
    // the closest particle.
    let best = std::fs::read_to_string(out.join("best.toml")).unwrap();
    assert!(best.contains("extends = \"builtin:baseline\""), "{best}");
    assert!(best.contains("#   people = 1000"), "{best}");
    let scenario = write(
        dir.path(),
        "with_best.toml",
        "extends = \"cal/best.toml\"\nname = \"with_best\"\n",
    );
    let loaded = mhsim::Scenario::load(Some(&scenario), &[]).unwrap();
    assert_eq!(loaded.dynamics.sigma, 0.5);
    assert_eq!(
        loaded.dynamics.baseline_set_point.to_bits(),
        samples[0].to_bits()
    );
    assert_eq!(loaded.run.people, 10_000);
}

/// A small calibration for the resume and shard tests: 16 particles, 3 generations.
const QUICK: &str = r#"
name = "quick"
base = "builtin:baseline"
targets = "targets.toml"
set = ["people=400", "weeks=52", "burn_in_weeks=13"]
replicates = 1
seed = 5
[abc]
particles = 16
alpha = 0.5
p_acc_min = 0.0
max_generations = 3
[[parameter]]
key = "dynamics.baseline_set_point"
min = -1.5
max = 0.5
[[parameter]]
key = "dynamics.kappa"
min = 0.2
max = 0.8
scale = "log"
"#;

const QUICK_TARGETS: &str = r#"
[[target]]
name = "prevalence"
metric = "prevalence"
years = 2024
observed = 0.17
se = 0.01
source = "made up"
"#;

#[test]
fn stopped_resumed_and_sharded_calibrations_end_with_the_same_posterior() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "targets.toml", QUICK_TARGETS);
    let cal = write(dir.path(), "quick.toml", QUICK);

    let whole = dir.path().join("whole");
    assert_success(&calibrate(&cal, &whole, &["--threads", "2", "--quiet"]));
    let reference = posterior_bits(&whole.join("posterior.h5"));
    assert_eq!(reference.len(), 3);

    // Stopped between generations, then within one (a partly run sweep), then finished.
    let resumed = dir.path().join("resumed");
    let stopped = calibrate(
        &cal,
        &resumed,
        &["--threads", "1", "--quiet", "--stop-after-generations", "1"],
    );
    assert_eq!(stopped.status.code(), Some(1), "{}", stderr(&stopped));
    assert!(stderr(&stopped).contains("stopped after 1 generation"));
    assert!(resumed.join("gen-000/state.json").exists());
    assert!(resumed.join("gen-001/manifest.json").exists());
    assert!(!resumed.join("gen-001/state.json").exists());
    assert!(!resumed.join("posterior.h5").exists());
    let partial = run_mhsim(&[
        "sweep",
        "run",
        s(&resumed.join("gen-001")),
        "--stop-after",
        "3",
        "--threads",
        "1",
        "--quiet",
    ]);
    assert!(!partial.status.success());
    assert_eq!(
        std::fs::read_dir(resumed.join("gen-001/points"))
            .unwrap()
            .count(),
        3
    );
    let again = calibrate(&cal, &resumed, &["--threads", "1"]);
    assert_success(&again);
    assert!(stdout(&again).contains("generation 0: epsilon"));
    assert!(stdout(&again).contains("done before"));
    assert_eq!(posterior_bits(&resumed.join("posterior.h5")), reference);
    for name in ["diagnostics.csv", "best.toml", "fit.csv"] {
        assert_eq!(
            std::fs::read(whole.join(name)).unwrap(),
            std::fs::read(resumed.join(name)).unwrap(),
            "{name}"
        );
    }
    // Stopped at a lower maximum, then extended to the file's: the same posterior.
    let extended = dir.path().join("extended");
    let short = calibrate(&cal, &extended, &["--quiet", "--max-generations", "2"]);
    assert_success(&short);
    assert!(!extended.join("gen-002").exists());
    let two = posterior_bits(&extended.join("posterior.h5"));
    assert_ne!(two, reference, "two generations should differ from three");
    assert_success(&calibrate(&cal, &extended, &["--quiet"]));
    assert!(extended.join("gen-002/state.json").exists());
    assert_eq!(posterior_bits(&extended.join("posterior.h5")), reference);
    // Lowered again: the posterior of the first two generations, nothing simulated.
    let lowered = calibrate(&cal, &extended, &["--max-generations", "2"]);
    assert_success(&lowered);
    assert!(!stdout(&lowered).contains(" s\n"), "{}", stdout(&lowered));
    assert_eq!(posterior_bits(&extended.join("posterior.h5")), two);

    // Run again on a finished folder: the same outputs, nothing simulated.
    let finished = calibrate(&cal, &resumed, &[]);
    assert_success(&finished);
    assert!(!stdout(&finished).contains(" s\n"), "{}", stdout(&finished));

    // Sharded: every generation waits (exit code 3) until its shards are run.
    let sharded = dir.path().join("sharded");
    let mut waits = 0;
    loop {
        let out = calibrate(&cal, &sharded, &["--shards", "2", "--quiet"]);
        if out.status.success() {
            break;
        }
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        let text = stdout(&out);
        let gen_dir = sharded.join(format!("gen-{waits:03}"));
        assert!(text.contains("sbatch --wait"), "{text}");
        assert!(text.contains(s(&gen_dir.join("submit.sbatch"))), "{text}");
        let script = std::fs::read_to_string(sharded.join("submit.sbatch")).unwrap();
        assert!(
            script.contains("# Then:    run the same `mhsim calibrate` command again"),
            "{script}"
        );
        assert!(!script.contains("sweep merge"), "{script}");
        for k in ["1", "0"] {
            assert_success(&run_mhsim(&[
                "sweep",
                "run",
                s(&gen_dir),
                "--shard",
                k,
                "--quiet",
            ]));
        }
        waits += 1;
        assert!(waits <= 3, "more generations than max_generations");
    }
    assert_eq!(waits, 3);
    assert!(!sharded.join("submit.sbatch").exists());
    assert_eq!(posterior_bits(&sharded.join("posterior.h5")), reference);

    // Another calibration file is refused in a folder of this one.
    let other = write(
        dir.path(),
        "other.toml",
        &QUICK.replace("particles = 16", "particles = 20"),
    );
    let refused = calibrate(&other, &whole, &["--quiet"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("the calibration file")
            && stderr(&refused).contains("holds calibration"),
        "{}",
        stderr(&refused)
    );

    // A folder begun by an mhsim that weighted particles otherwise (state format 2, without
    // the kernels' masses) is refused rather than continued under the other weights.
    let record = whole.join("calibration.json");
    let text = std::fs::read_to_string(&record).unwrap();
    assert!(text.contains("\"format\": 3"), "{text}");
    std::fs::write(&record, text.replace("\"format\": 3", "\"format\": 2")).unwrap();
    let refused = calibrate(&cal, &whole, &["--quiet"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("format 2"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn bad_calibration_files_are_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "targets.toml", QUICK_TARGETS);
    let bad = write(
        dir.path(),
        "bad.toml",
        r#"
base = "builtin:baseline"
targets = "targets.toml"
replicates = "two"
colour = "red"
[abc]
particles = 3
alpha = 0.5
[[parameter]]
key = "dynamics.kapa"
min = 0.1
max = 0.3
[[parameter]]
key = "dynamics.kappa"
min = 0.5
max = 0.2
[[parameter]]
key = "dynamics.sigma"
min = 0.1
max = 9.0
"#,
    );
    let out = dir.path().join("out");
    for output in [
        calibrate(&bad, &out, &[]),
        run_mhsim(&["validate", s(&bad)]),
    ] {
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let err = stderr(&output);
        assert!(err.contains("problems in the calibration"), "{err}");
        for expected in [
            "bad.toml: replicates = \"two\"",
            "bad.toml: colour",
            "bad.toml: abc.particles = 3",
            "bad.toml: parameter[0].key = \"dynamics.kapa\"",
            "did you mean `kappa`",
            "bad.toml: parameter[1].max",
            "bad.toml: parameter[2].max = 9.0: dynamics.sigma: expected a number in [0, 5]",
        ] {
            assert!(err.contains(expected), "{expected} missing from\n{err}");
        }
    }
    assert!(!out.exists());
    let missing = write(dir.path(), "missing.toml", "targets = \"nowhere.toml\"\n");
    let output = calibrate(&missing, &out, &[]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("missing.toml: base"), "{err}");
    assert!(err.contains("missing.toml: targets"), "{err}");
    assert!(err.contains("missing.toml: parameter"), "{err}");
}

#[test]
fn run_with_a_posterior_draws_particles_by_weight_alike_for_every_scenario() {
    let dir = tempfile::tempdir().unwrap();
    // A posterior concentrated at two set points: a calm town (weight 1) and a distressed
    // one (weight 3).
    let posterior = dir.path().join("posterior.h5");
    mhsim::output::posterior::write_posterior(
        &posterior,
        &mhsim::output::posterior::PosteriorFile {
            parameters: vec!["dynamics.baseline_set_point".into()],
            scale: vec!["linear".into()],
            prior_min: vec![-2.0],
            prior_max: vec![1.0],
            samples: vec![vec![-1.5], vec![0.5]],
            weights: vec![0.25, 0.75],
            distances: vec![0.0, 0.0],
            ..Default::default()
        },
    )
    .unwrap();
    let a = write(
        dir.path(),
        "a.toml",
        "extends = \"builtin:baseline\"\nname = \"a\"\npeople = 300\nweeks = 26\nburn_in_weeks = 13\n",
    );
    let b = write(
        dir.path(),
        "b.toml",
        "extends = \"a.toml\"\nname = \"b\"\n[economy]\nunemployment_rate = 0.1\n",
    );
    let run = |out: &Path, threads: &str| {
        let output = run_mhsim(&[
            "run",
            s(&a),
            s(&b),
            "--replicates",
            "32",
            "--posterior",
            s(&posterior),
            "--threads",
            threads,
            "--out",
            s(out),
        ]);
        assert_success(&output);
        output
    };
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let printed = run(&one, "1");
    assert!(
        stdout(&printed).contains(
            "(effective sample size 1.6 of 2 particles): 2 distinct particles over 32 replicates"
        ),
        "{}",
        stdout(&printed)
    );
    // Weights of 1/4 and 3/4 (an effective sample size of 1.6) are degenerate.
    assert!(
        stderr(&printed).contains("warning: ")
            && stderr(&printed).contains("weights are degenerate (effective sample size 1.6"),
        "{}",
        stderr(&printed)
    );
    run(&two, "2");
    for file in ["a/results.h5", "b/results.h5", "comparison.h5"] {
        assert!(
            contents(&one.join(file), "/") == contents(&two.join(file), "/"),
            "{file} differs between 1 and 2 threads"
        );
    }
    let particles = |scenario: &str| -> Vec<u64> {
        let file = hdf5::File::open(one.join(scenario).join("results.h5")).unwrap();
        file.dataset("posterior/particle")
            .unwrap()
            .read_raw::<u64>()
            .unwrap()
    };
    let drawn = particles("a");
    assert_eq!(drawn, particles("b"), "scenarios drew different particles");
    assert_eq!(drawn.len(), 32);
    let share = drawn.iter().filter(|&&p| p == 1).count() as f64 / 32.0;
    assert!(
        (0.5..=0.95).contains(&share),
        "share of particle 1: {share}"
    );
    let file = hdf5::File::open(one.join("a/results.h5")).unwrap();
    let values = file
        .dataset("posterior/values")
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    for (p, v) in drawn.iter().zip(&values) {
        assert_eq!(*v, if *p == 0 { -1.5 } else { 0.5 });
    }
    let group = file.group("posterior").unwrap();
    let attr = group
        .attr("hash")
        .unwrap()
        .read_scalar::<hdf5::types::VarLenUnicode>()
        .unwrap();
    assert_eq!(attr.as_str().len(), 32);
    // The particles act: every distressed replicate has a higher prevalence than every calm one.
    let series = read_3d(&file, "series/prevalence");
    let mean = |r: usize| {
        let weeks = series.shape()[1];
        (0..weeks)
            .map(|w| series[[r, w, stratum("all")]])
            .sum::<f64>()
            / weeks as f64
    };
    let calm = (0..32)
        .filter(|&r| drawn[r] == 0)
        .map(mean)
        .fold(0.0, f64::max);
    let distressed = (0..32)
        .filter(|&r| drawn[r] == 1)
        .map(mean)
        .fold(f64::INFINITY, f64::min);
    assert!(distressed > calm, "distressed {distressed} vs calm {calm}");

    // A file that is not a posterior is refused before anything runs.
    let not = run_mhsim(&[
        "run",
        s(&a),
        "--posterior",
        s(&a),
        "--out",
        s(&dir.path().join("x")),
    ]);
    assert_eq!(not.status.code(), Some(2), "{}", stderr(&not));
    assert!(!dir.path().join("x").exists());
}

#[test]
fn an_integer_parameter_is_calibrated_on_whole_numbers() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "targets.toml",
        "[[target]]\nname = \"prevalence\"\nmetric = \"prevalence\"\nyears = 2024\nobserved = 0.17\nse = 0.01\nsource = \"made up\"\n",
    );
    let cal = write(
        dir.path(),
        "whole.toml",
        "base = \"builtin:baseline\"\ntargets = \"targets.toml\"\nset = [\"people=300\", \"weeks=52\", \"burn_in_weeks=13\"]\nseed = 3\n[abc]\nparticles = 8\nalpha = 0.5\np_acc_min = 0.0\nmax_generations = 2\n[[parameter]]\nkey = \"dynamics.onset_weeks\"\nmin = 1\nmax = 4\n[[parameter]]\nkey = \"dynamics.baseline_set_point\"\nmin = -1.0\nmax = 0.0\n",
    );
    let out = dir.path().join("cal");
    assert_success(&calibrate(&cal, &out, &["--quiet"]));
    // The sweeps' points give the integer as a whole number in its range.
    for t in 0..2 {
        let points = std::fs::read_to_string(out.join(format!("gen-{t:03}/points.csv"))).unwrap();
        for row in points.lines().skip(1) {
            let weeks: i64 =
                row.split(',').next().unwrap().parse().unwrap_or_else(|_| {
                    panic!("not a whole number in gen-{t:03}/points.csv: {row}")
                });
            assert!((1..=4).contains(&weeks), "{row}");
        }
    }
    let best: toml::Table = std::fs::read_to_string(out.join("best.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert!(best["dynamics"]["onset_weeks"].is_integer(), "{best}");
    assert!(best["dynamics"]["baseline_set_point"].is_float(), "{best}");
    let posterior = out.join("posterior.h5");
    let file = hdf5::File::open(&posterior).unwrap();
    let integer = file.dataset("integer").unwrap().read_raw::<u8>().unwrap();
    assert_eq!(integer, [1, 0]);
    let samples = file.dataset("samples").unwrap().read_raw::<f64>().unwrap();
    assert!(
        samples.chunks(2).all(|s| s[0].fract() == 0.0),
        "{samples:?}"
    );
    // Its report draws the integer parameter's marginal (a bar per whole number).
    assert_success(&run_mhsim(&["report", s(&out)]));
    let svg = std::fs::read_to_string(out.join("report/posterior_1.svg")).unwrap();
    assert!(svg.contains("dynamics.onset_weeks"), "the integer's panel");
    // A run drawing from it applies the integer as such.
    let run = dir.path().join("run");
    let scenario = write(
        dir.path(),
        "small.toml",
        "extends = \"builtin:baseline\"\nname = \"small\"\npeople = 200\nweeks = 8\nburn_in_weeks = 4\n",
    );
    assert_success(&run_mhsim(&[
        "run",
        s(&scenario),
        "--replicates",
        "3",
        "--posterior",
        s(&posterior),
        "--quiet",
        "--out",
        s(&run),
    ]));
}

/// The QUICK calibration, run once with `--report`: its folder.
pub(crate) fn calibration_with_report() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-calibration");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        write(&dir, "targets.toml", QUICK_TARGETS);
        let cal = write(&dir, "quick.toml", QUICK);
        let out = dir.join("quick");
        let output = calibrate(&cal, &out, &["--report"]);
        assert_success(&output);
        assert!(
            stdout(&output).contains("report.html"),
            "{}",
            stdout(&output)
        );
        out
    })
}

#[test]
fn a_calibration_report_shows_convergence_marginals_and_the_fit() {
    use crate::report::{assert_png, csv_rows, files_of, num, read};
    let out = calibration_with_report();
    let report = out.join("report");
    let html = read(&report.join("report.html"));
    for id in [
        "summary",
        "convergence",
        "posterior",
        "fit",
        "generations",
        "methods",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\"")), "{id}");
    }
    for figure in ["convergence", "posterior_1", "fit_deviations"] {
        assert!(html.contains(&format!("<figure id=\"fig-{figure}\">\n<svg")));
        assert_png(&report, figure);
    }
    assert!(
        html.contains("name = &quot;quick&quot;"),
        "the calibration file"
    );
    assert!(html.contains("3 generations"), "the summary");

    // The posterior table: weighted moments and quantiles of the kept particles, and the
    // closest particle, from posterior.h5.
    let posterior = out.join("posterior.h5");
    let file = hdf5::File::open(&posterior).unwrap();
    let samples = file.dataset("samples").unwrap().read_raw::<f64>().unwrap();
    let weights = file.dataset("weights").unwrap().read_raw::<f64>().unwrap();
    let distances = file
        .dataset("distances")
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    let closest = (0..distances.len())
        .min_by(|&a, &b| distances[a].total_cmp(&distances[b]))
        .unwrap();
    let rows = csv_rows(&report.join("posterior.csv"));
    assert_eq!(rows.len(), 1 + 2);
    assert_eq!(rows[0][..3], ["parameter", "scale", "prior_min"]);
    for (j, (key, scale)) in [
        ("dynamics.baseline_set_point", "linear"),
        ("dynamics.kappa", "log"),
    ]
    .into_iter()
    .enumerate()
    {
        let row = &rows[1 + j];
        assert_eq!((row[0].as_str(), row[1].as_str()), (key, scale));
        let column: Vec<f64> = samples.iter().skip(j).step_by(2).copied().collect();
        let mean: f64 = column.iter().zip(&weights).map(|(v, w)| v * w).sum();
        assert!((num(&row[4]) - mean).abs() < 1e-12, "{key} mean");
        assert_eq!(num(&row[6]), weighted_quantile(&column, &weights, 0.025));
        assert_eq!(num(&row[8]), weighted_quantile(&column, &weights, 0.975));
        assert_eq!(num(&row[9]), column[closest], "{key} closest");
        assert!(num(&row[6]) <= num(&row[7]) && num(&row[7]) <= num(&row[8]));
    }
    // Correlations: symmetric, 1 on the diagonal, computed on the log of a log-scale one.
    let correlations = csv_rows(&report.join("correlations.csv"));
    assert_eq!(
        correlations[0],
        ["parameter", "dynamics.baseline_set_point", "dynamics.kappa"]
    );
    let r = |j: usize, k: usize| num(&correlations[1 + j][1 + k]);
    assert!((r(0, 0) - 1.0).abs() < 1e-9 && (r(1, 1) - 1.0).abs() < 1e-9);
    assert!((r(0, 1) - r(1, 0)).abs() < 1e-12 && (-1.0..=1.0).contains(&r(0, 1)));
    let level: Vec<f64> = samples.iter().step_by(2).copied().collect();
    let log_kappa: Vec<f64> = samples
        .iter()
        .skip(1)
        .step_by(2)
        .map(|k| k.log10())
        .collect();
    let mean = |x: &[f64]| x.iter().zip(&weights).map(|(v, w)| v * w).sum::<f64>();
    let (ml, mk) = (mean(&level), mean(&log_kappa));
    let cov = |a: &[f64], ma: f64, b: &[f64], mb: f64| {
        a.iter()
            .zip(b)
            .zip(&weights)
            .map(|((x, y), w)| w * (x - ma) * (y - mb))
            .sum::<f64>()
    };
    let expected = cov(&level, ml, &log_kappa, mk)
        / (cov(&level, ml, &level, ml) * cov(&log_kappa, mk, &log_kappa, mk)).sqrt();
    assert!(
        (r(0, 1) - expected).abs() < 1e-9,
        "{} against {expected}",
        r(0, 1)
    );
    // One row per generation, with the file's tolerances.
    let epsilon = file
        .group("generations")
        .unwrap()
        .dataset("epsilon")
        .unwrap()
        .read_raw::<f64>()
        .unwrap();
    let generations = csv_rows(&report.join("generations.csv"));
    assert_eq!(
        generations[0][..4],
        ["generation", "epsilon", "p_acc", "ess"]
    );
    assert_eq!(generations.len(), 1 + 3);
    for (g, row) in generations[1..].iter().enumerate() {
        assert_eq!(num(&row[0]), g as f64);
        assert_eq!(num(&row[1]), epsilon[g]);
    }
    // The fit table is the calibration's fit.csv.
    assert_eq!(
        csv_rows(&report.join("fit.csv")),
        csv_rows(&out.join("fit.csv"))
    );

    // `mhsim report` on the folder or on posterior.h5 makes the same files.
    let work = tempfile::tempdir().unwrap();
    for (input, name) in [(out, "folder"), (posterior.as_path(), "file")] {
        let again = work.path().join(name);
        assert_success(&run_mhsim(&["report", s(input), "--out", s(&again)]));
        let (first, second) = (files_of(&report), files_of(&again));
        assert_eq!(first.len(), second.len());
        for (name, bytes) in first.iter().filter(|(n, _)| n.as_str() != "report.html") {
            assert!(*bytes == second[name], "{name} differs");
        }
    }
    // Targets are refused; so is a calibration folder that has not finished.
    let refused = run_mhsim(&[
        "report",
        s(out),
        "--targets",
        "scenarios/targets/england.toml",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("leave out --targets"),
        "{}",
        stderr(&refused)
    );
    let unfinished = work.path().join("unfinished");
    std::fs::create_dir_all(&unfinished).unwrap();
    std::fs::copy(
        out.join("calibration.json"),
        unfinished.join("calibration.json"),
    )
    .unwrap();
    let early = run_mhsim(&["report", s(&unfinished)]);
    assert_eq!(early.status.code(), Some(2));
    assert!(
        stderr(&early).contains("has not finished"),
        "{}",
        stderr(&early)
    );
}

#[test]
fn the_shipped_core_posterior_is_usable_and_matches_its_calibration_file() {
    let path = Path::new("scenarios/calibration/england_core/posterior.h5");
    let posterior = mhsim::calib::Posterior::load(path).unwrap();
    assert_eq!(posterior.parameters.len(), 9);
    // Spread weights: an effective sample size of at least half the particles.
    let n = posterior.samples.len() as f64;
    assert!(posterior.ess() >= 0.5 * n, "ESS {} of {n}", posterior.ess());
    // It is the posterior of the calibration file shipped beside it.
    let file = hdf5::File::open(path).unwrap();
    assert_eq!(
        attr_string(&file, "calibration"),
        std::fs::read_to_string("scenarios/calibration/england_core.toml").unwrap()
    );
    // Its parameters apply to the baseline: a small run draws from it.
    let dir = tempfile::tempdir().unwrap();
    let output = run_mhsim(&[
        "run",
        "--set",
        "people=300",
        "--set",
        "weeks=26",
        "--replicates",
        "4",
        "--posterior",
        s(path),
        "--quiet",
        "--out",
        s(dir.path()),
    ]);
    assert_success(&output);
    assert!(!stderr(&output).contains("warning"), "{}", stderr(&output));
}
