//! Reports: `mhsim report` and `mhsim run --report` on a small comparison with a policy and a
//! shock window. Every section is there with the numbers of the HDF5 summaries, the PNGs are
//! valid images of the stated size, the files are the same when made again, and
//! `report.html` lays out in headless Chromium without loading anything from the network.
//!
//! The Chromium test needs Debian's `chromium` (`sh tests/install-deps.sh test` installs it);
//! `MHSIM_SKIP_CHROMIUM=1` skips it on machines where a browser cannot be installed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use mhsim::record::{Metric, N_STRATA};

use crate::common::{assert_success, read_2d, run_mhsim, stderr};

const BASE: &str = r#"name = "base"
people = 300
weeks = 20
burn_in_weeks = 0
seed = 11
replicates = 3

[population]
neighbourhood_size = 30
"#;

const POLICY: &str = r#"name = "uplift & shock"
description = "An income uplift during a recession"
people = 300
weeks = 20
burn_in_weeks = 0
seed = 11
replicates = 3

[population]
neighbourhood_size = 30

[[shock]]
kind = "recession"
start_week = 2
end_week = 8

[[policy]]
kind = "income_uplift"
label = "Income uplift"
start_week = 5
end_week = 15
adult_weekly = 50
"#;

const FIGURES: [&str; 4] = ["prevalence", "inequality", "sex_age", "services"];
/// A comparison's figures: the differences from the baseline first.
const COMPARISON_FIGURES: [&str; 6] = [
    "difference",
    "prevalence",
    "inequality",
    "sex_age",
    "services",
    "acceptability",
];
const TABLES: [&str; 7] = [
    "headline",
    "inequality",
    "sex_age",
    "services",
    "costs",
    "cost_effectiveness",
    "parameters",
];
const SECTIONS: [&str; 7] = [
    "headline",
    "prevalence",
    "inequality",
    "sex-age",
    "services",
    "costs",
    "methods",
];

/// The comparison, run once per test binary with `--report`: its folder.
pub(crate) fn comparison() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-comparison");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("base.toml"), BASE).unwrap();
        std::fs::write(dir.join("policy.toml"), POLICY).unwrap();
        let out = dir.join("cmp");
        let output = run_mhsim(&[
            "run",
            dir.join("base.toml").to_str().unwrap(),
            dir.join("policy.toml").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--report",
            "--quiet",
        ]);
        assert_success(&output);
        out
    })
}

pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A CSV file as rows of fields (the header first).
pub(crate) fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

fn metric_index(name: &str) -> usize {
    Metric::ALL
        .iter()
        .position(|m| m.name() == name)
        .unwrap_or_else(|| panic!("no metric {name}"))
}

/// `final_year_<stat>` of a group as `[metric][stratum]`.
fn finals(file: &hdf5::File, prefix: &str, stat: &str) -> Vec<f64> {
    read_2d(file, &format!("{prefix}final_year_{stat}"))
        .iter()
        .copied()
        .collect()
}

pub(crate) fn num(field: &str) -> f64 {
    field
        .parse()
        .unwrap_or_else(|e| panic!("{field:?} is not a number: {e}"))
}

/// A CSV field as a number; an empty field (a statistic with nothing to measure, e.g.
/// recurrence in a run shorter than its horizon) as NaN.
fn num_or_nan(field: &str) -> f64 {
    if field.is_empty() {
        f64::NAN
    } else {
        num(field)
    }
}

/// A CSV field holds exactly `expected`, or is empty where `expected` is not finite.
fn same_number(field: &str, expected: f64, what: &str) {
    if expected.is_finite() {
        assert_eq!(num(field).to_bits(), expected.to_bits(), "{what}: {field}");
    } else {
        assert!(field.is_empty(), "{what}: {field:?} for {expected}");
    }
}

#[test]
fn a_comparison_report_has_every_section_with_the_numbers_of_the_summaries() {
    let cmp = comparison();
    let report = cmp.join("report");
    let html = read(&report.join("report.html"));
    for id in SECTIONS {
        assert!(
            html.contains(&format!("<section id=\"{id}\"")),
            "section {id} missing"
        );
    }
    assert!(html.contains("<section id=\"difference\""));
    for name in COMPARISON_FIGURES {
        assert!(html.contains(&format!("<figure id=\"fig-{name}\">\n<svg")));
        let svg = read(&report.join(format!("{name}.svg")));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(html.contains(svg.trim_end()), "{name}.svg is inlined as is");
    }
    for name in TABLES.iter().chain(&[
        "difference_yearly",
        "cost_effectiveness_discounted",
        "net_benefit",
    ]) {
        assert!(report.join(format!("{name}.csv")).is_file(), "{name}.csv");
    }
    // Windows are shaded and labelled in every time-series figure; young people highlighted.
    for name in ["prevalence", "services"] {
        let svg = read(&report.join(format!("{name}.svg")));
        assert!(
            svg.contains("policy: Income uplift (uplift &amp; shock)"),
            "{name}"
        );
        assert!(
            svg.contains("shock: recession (uplift &amp; shock)"),
            "{name}"
        );
        assert!(
            svg.contains("\n2024\n</text>"),
            "{name}: years on the x-axis"
        );
    }
    assert!(read(&report.join("sex_age.svg")).contains("young people"));

    // Headline table = the HDF5 summaries, exactly; differences = comparison.h5.
    let base = hdf5::File::open(cmp.join("base/results.h5")).unwrap();
    let policy = hdf5::File::open(cmp.join("uplift___shock/results.h5")).unwrap();
    let comparison = hdf5::File::open(cmp.join("comparison.h5")).unwrap();
    let diff = "difference/uplift___shock/";
    let rows = csv_rows(&report.join("headline.csv"));
    assert_eq!(
        rows[0],
        [
            "metric",
            "unit",
            "scenario",
            "mean",
            "lo95",
            "hi95",
            "difference_mean",
            "difference_ci95_lo",
            "difference_ci95_hi",
            "difference_lo95",
            "difference_hi95"
        ]
    );
    assert_eq!(rows.len(), 1 + 2 * mhsim::report::HEADLINE.len());
    for m in mhsim::report::HEADLINE {
        assert!(
            rows.iter().any(|r| r[0] == m.name()),
            "{} missing",
            m.name()
        );
    }
    for row in &rows[1..] {
        let i = metric_index(&row[0]) * N_STRATA;
        let file = if row[2] == "base" { &base } else { &policy };
        for (col, stat) in [(3, "mean"), (4, "lo95"), (5, "hi95")] {
            same_number(&row[col], finals(file, "summary/", stat)[i], &row[0]);
        }
        assert!(html.contains(&format!(
            "<td>{}</td>",
            mhsim::report::format_number(num_or_nan(&row[3]))
        )));
        if row[2] == "base" {
            assert!(row[6..].iter().all(String::is_empty));
        } else {
            assert_eq!(row[2], "uplift & shock");
            for (col, stat) in [
                (6, "mean"),
                (7, "ci95_lo"),
                (8, "ci95_hi"),
                (9, "q025"),
                (10, "q975"),
            ] {
                same_number(&row[col], finals(&comparison, diff, stat)[i], &row[0]);
            }
        }
    }

    // Inequality: quintile prevalences and the slope index from the final-year means.
    let rows = csv_rows(&report.join("inequality.csv"));
    assert_eq!(rows.len(), 3);
    for (row, file) in rows[1..].iter().zip([&base, &policy]) {
        let mean = finals(file, "summary/", "mean");
        let q = |m: Metric, k: usize| mean[metric_index(m.name()) * N_STRATA + 11 + k];
        let prev: Vec<f64> = (0..5).map(|k| q(Metric::Prevalence, k)).collect();
        let pops: Vec<f64> = (0..5).map(|k| q(Metric::Population, k)).collect();
        for k in 0..5 {
            assert_eq!(num(&row[1 + k]), prev[k]);
        }
        let (sii, rii) = mhsim::report::slope_index(&pops, &prev).unwrap();
        assert_eq!(num(&row[6]), sii);
        assert_eq!(num(&row[7]), rii);
        assert!(sii.is_finite() && rii.is_finite());
    }

    // Week by week: the SII and RII of the weekly means.
    let rows = csv_rows(&report.join("inequality_weekly.csv"));
    assert_eq!(rows[0], ["scenario", "week", "year", "sii", "rii"]);
    assert_eq!(rows.len(), 1 + 2 * 20);
    let prevalence = read_2d(&policy, "summary/weekly/prevalence_mean");
    let population = read_2d(&policy, "summary/weekly/population_mean");
    for row in rows.iter().filter(|r| r[0] == "uplift & shock") {
        let w = num(&row[1]) as usize;
        assert_eq!(num(&row[2]), 2024.0 + w as f64 / 52.0);
        let prev: Vec<f64> = (0..5).map(|k| prevalence[[w, 11 + k]]).collect();
        let pops: Vec<f64> = (0..5).map(|k| population[[w, 11 + k]]).collect();
        let (sii, rii) = mhsim::report::slope_index(&pops, &prev).unwrap();
        assert_eq!((num(&row[3]), num(&row[4])), (sii, rii), "week {w}");
    }

    // Sex and age: every group of both scenarios.
    let rows = csv_rows(&report.join("sex_age.csv"));
    assert_eq!(rows.len(), 1 + 9 * 2);
    let young = rows
        .iter()
        .find(|r| r[0] == "16-24" && r[1] == "base")
        .unwrap();
    let mean = finals(&base, "summary/", "mean");
    assert_eq!(
        num(&young[2]),
        mean[metric_index("prevalence") * N_STRATA + crate::common::stratum("age_16_24")]
    );

    // Costs and cost per QALY / WELLBY gained from the paired differences.
    let rows = csv_rows(&report.join("cost_effectiveness.csv"));
    assert_eq!(rows.len(), 2);
    let d = finals(&comparison, diff, "mean");
    let dc = d[metric_index("cost_total") * N_STRATA];
    let dq = d[metric_index("qalys") * N_STRATA];
    let dw = d[metric_index("wellbys") * N_STRATA];
    assert_eq!(num(&rows[1][1]), dc);
    assert_eq!(num(&rows[1][4]), dq);
    assert_eq!(num(&rows[1][7]), dw);
    for (col, gain, unit) in [(10, dq, "QALYs"), (11, dw, "WELLBYs")] {
        let cell = &rows[1][col];
        if gain > 0.0 && dc > 0.0 {
            assert_eq!(num(cell), dc / gain);
        } else if gain > 0.0 {
            assert!(cell.starts_with("dominant"), "{cell}");
        } else {
            assert!(cell.contains(unit), "{cell}");
        }
    }
    // Over the whole run, discounted: comparison.h5's discounted totals, exactly.
    let rows = csv_rows(&report.join("cost_effectiveness_discounted.csv"));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1][0], "uplift & shock");
    assert_eq!(num(&rows[1][1]), 20.0 / 52.0, "years");
    assert_eq!(num(&rows[1][2]), 0.035, "discount rate of costs");
    assert_eq!(num(&rows[1][3]), 0.035, "discount rate of health effects");
    for (first, name) in [(4, "cost_total"), (7, "qalys"), (10, "wellbys")] {
        for (k, stat) in ["mean", "ci95_lo", "ci95_hi"].iter().enumerate() {
            let totals = read_2d(&comparison, &format!("{diff}discounted_total_{stat}"));
            same_number(
                &rows[1][first + k],
                totals[[metric_index(name), 0]],
                &format!("{name} {stat}"),
            );
        }
    }
    // A run of 20 weeks has one recorded year, undiscounted: its total is 20 weeks of the
    // weekly mean difference.
    let weekly = read_2d(&comparison, &format!("{diff}weekly/cost_total_mean"));
    let sum: f64 = (0..20).map(|w| weekly[[w, 0]]).sum();
    assert!((num(&rows[1][4]) - sum).abs() <= 1e-9 * sum.abs().max(1.0));
    // Net monetary benefit: each replicate's paired totals of comparison.h5, at NICE's
    // thresholds and the Green Book's value of a QALY.
    let totals = read_2d(&comparison, &format!("{diff}discounted_total_replicates"));
    assert_eq!(totals.shape(), [3, mhsim::record::Metric::ALL.len()]);
    let mean = read_2d(&comparison, &format!("{diff}discounted_total_mean"));
    for name in ["cost_total", "qalys"] {
        let m = metric_index(name);
        let sum: f64 = (0..3).map(|r| totals[[r, m]]).sum();
        assert_eq!(
            sum / 3.0,
            mean[[m, 0]],
            "{name}: the replicates behind the mean"
        );
    }
    let rows = csv_rows(&report.join("net_benefit.csv"));
    assert_eq!(rows.len(), 1 + 3);
    for (row, (threshold, name)) in rows[1..].iter().zip([
        (20_000.0, "NICE, lower"),
        (30_000.0, "NICE, upper"),
        (70_000.0, "Green Book (valuation.qaly_value)"),
    ]) {
        assert_eq!((&row[0][..], &row[1][..]), ("uplift & shock", name));
        assert_eq!(num(&row[2]), threshold);
        let benefits: Vec<f64> = (0..3)
            .map(|r| {
                threshold * totals[[r, metric_index("qalys")]]
                    - totals[[r, metric_index("cost_total")]]
            })
            .collect();
        let expected = benefits.iter().sum::<f64>() / 3.0;
        same_number(&row[4], expected, &format!("net benefit at {threshold}"));
        assert!(
            num(&row[5]) <= expected && expected <= num(&row[6]),
            "{row:?}"
        );
        let positive = benefits.iter().filter(|b| **b > 0.0).count() as f64 / 3.0;
        assert_eq!(
            num(&row[7]),
            positive,
            "share cost-effective at {threshold}"
        );
        assert_eq!(num(&row[8]), 3.0, "replicates");
    }
    let svg = read(&report.join("acceptability.svg"));
    for label in [
        "NICE 20k",
        "NICE 30k",
        "Green Book",
        "Willingness to pay for a QALY",
    ] {
        assert!(svg.contains(label), "{label} in the acceptability curve");
    }
    let costs = csv_rows(&report.join("costs.csv"));
    let total = finals(&policy, "summary/", "mean")[metric_index("cost_total") * N_STRATA];
    assert_eq!(num(&costs[2][3]), total);

    // Methods: scenario text, differing parameters, replicates, seed, version.
    let params = csv_rows(&report.join("parameters.csv"));
    let has = |scenario: &str, key: &str, value: &str| {
        params
            .iter()
            .any(|r| r[0] == scenario && r[1] == key && r[3] == value)
    };
    assert!(has("base", "people", "300"));
    assert!(has("base", "population.neighbourhood_size", "30"));
    assert!(has("uplift & shock", "policy[0].start_week", "5"));
    assert!(has("uplift & shock", "shock[0].kind", "recession"));
    assert!(!params.iter().any(|r| r[1] == "dynamics.kappa"));
    let methods = &html[html.find("<section id=\"methods\"").unwrap()..];
    assert!(methods.contains("<dt>Seed</dt><dd>11</dd>"));
    assert!(methods.contains("<dt>Replicates</dt><dd>3</dd>"));
    assert!(methods.contains(&format!("<dd>{}</dd>", mhsim::VERSION)));
    assert!(methods.contains("description = &quot;An income uplift during a recession&quot;"));
    assert!(methods.contains("population.neighbourhood_size"));
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
pub(crate) fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// `<name>.png` in `report` is a whole image of the stated size, and not blank.
pub(crate) fn assert_png(report: &Path, name: &str) {
    let bytes = std::fs::read(report.join(format!("{name}.png"))).unwrap();
    assert_eq!(png_size(&bytes), mhsim::report::figures::SIZE, "{name}");
    // The whole image decodes, and it is not blank.
    let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes))
        .read_info()
        .unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((info.width, info.height), mhsim::report::figures::SIZE);
    let pixels = &pixels[..info.buffer_size()];
    let dark = pixels
        .chunks(3)
        .filter(|p| p.iter().all(|&c| c < 100))
        .count();
    assert!(
        dark > 1000,
        "{name}: text and axes are drawn ({dark} dark pixels)"
    );
}

/// The yearly differences of a comparison's report are the paired differences of
/// `comparison.h5`, bit for bit, for every year, and the figure keys them by scenario.
#[test]
fn a_comparison_report_shows_the_yearly_differences_of_comparison_h5() {
    let cmp = comparison();
    let report = cmp.join("report");
    let comparison = hdf5::File::open(cmp.join("comparison.h5")).unwrap();
    let yearly = |stat: &str| {
        comparison
            .dataset(&format!("difference/uplift___shock/yearly_{stat}"))
            .unwrap()
            .read::<f64, ndarray::Ix3>()
            .unwrap()
    };
    let stats = ["mean", "ci95_lo", "ci95_hi", "q025", "q975"].map(yearly);
    let years = stats[0].shape()[0];
    let start = comparison
        .attr("start_year")
        .unwrap()
        .read_scalar::<u64>()
        .unwrap();
    let rows = csv_rows(&report.join("difference_yearly.csv"));
    assert_eq!(
        rows[0],
        [
            "metric",
            "group",
            "unit",
            "scenario",
            "year",
            "difference_mean",
            "difference_ci95_lo",
            "difference_ci95_hi",
            "difference_lo95",
            "difference_hi95"
        ]
    );
    // Four measures, every year of the one compared scenario.
    assert_eq!(rows.len(), 1 + 4 * years);
    let mut measures = std::collections::BTreeSet::new();
    for row in &rows[1..] {
        assert_eq!(row[3], "uplift & shock");
        let (m, st) = (metric_index(&row[0]), crate::common::stratum(&row[1]));
        let y = (num(&row[4]) as u64 - start) as usize;
        for (col, stat) in stats.iter().enumerate() {
            same_number(&row[5 + col], stat[[y, m, st]], &row[0]);
        }
        measures.insert((row[0].clone(), row[1].clone()));
    }
    assert_eq!(measures.len(), 4, "{measures:?}");
    assert!(measures.contains(&("prevalence".into(), "imd_q5".into())));
    let svg = read(&report.join("difference.svg"));
    assert!(svg.contains("Scenario minus base, year by year: mean and 95% CI"));
    assert!(
        svg.contains(">uplift &amp; shock</text>") || svg.contains("\nuplift &amp; shock\n</text>")
    );
    assert!(svg.contains("Prevalence, most deprived fifth (Q5)"));
}

#[test]
fn pngs_are_valid_images_of_the_stated_size() {
    let report = comparison().join("report");
    for name in COMPARISON_FIGURES {
        assert_png(&report, name);
    }
}

pub(crate) fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn mhsim_report_makes_the_same_files_again_and_reports_single_runs() {
    let cmp = comparison();
    let work = tempfile::tempdir().unwrap();
    let again = work.path().join("again");
    let output = run_mhsim(&[
        "report",
        cmp.join("comparison.h5").to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_success(&output);
    let first = files_of(&cmp.join("report"));
    let second = files_of(&again);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        if name == "report.html" {
            // Only the source path in the page's header differs.
            let strip = |b: &[u8]| {
                String::from_utf8_lossy(b)
                    .lines()
                    .filter(|l| !l.contains("Made by mhsim"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            assert_eq!(strip(bytes), strip(&second[name]));
        } else {
            assert!(*bytes == second[name], "{name} differs when made again");
        }
    }
    // One scenario: its folder, report beside the results by default; no comparison table.
    let single = work.path().join("single");
    std::fs::create_dir_all(&single).unwrap();
    std::fs::copy(cmp.join("base/results.h5"), single.join("results.h5")).unwrap();
    assert_success(&run_mhsim(&["report", single.to_str().unwrap()]));
    let html = read(&single.join("report/report.html"));
    assert!(html.contains("<title>mhsim report: base</title>"));
    for id in SECTIONS {
        assert!(html.contains(&format!("<section id=\"{id}\"")), "{id}");
    }
    assert!(single.join("report/headline.csv").is_file());
    assert!(!single.join("report/cost_effectiveness.csv").exists());
    assert!(
        !single
            .join("report/cost_effectiveness_discounted.csv")
            .exists()
    );
    assert!(!single.join("report/net_benefit.csv").exists());
    assert!(!single.join("report/acceptability.svg").exists());
    // Differences need a baseline to differ from.
    assert!(!html.contains("<section id=\"difference\""));
    assert!(!single.join("report/difference_yearly.csv").exists());
    assert!(!single.join("report/difference.svg").exists());
}

#[test]
fn report_inputs_that_are_not_results_exit_with_code_2() {
    let work = tempfile::tempdir().unwrap();
    let not_h5 = work.path().join("results.h5");
    std::fs::write(&not_h5, "not HDF5").unwrap();
    let empty = work.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let planned = work.path().join("planned");
    let file = crate::sweep::write(work.path(), "grid.toml", crate::sweep::GRID);
    crate::sweep::plan(&file, &planned, 1);
    for (path, message) in [
        (work.path().join("missing.h5"), "no such file or folder"),
        (not_h5, "cannot be read as an mhsim run's results file"),
        (
            empty,
            "not a run's, comparison's, sweep's or calibration's folder",
        ),
        (planned, "the sweep has no results.h5 yet"),
    ] {
        let output = run_mhsim(&["report", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    }
}

#[test]
fn a_results_file_of_another_version_is_refused_with_its_first_difference() {
    // The same file with its last metric renamed, as a version with other metrics wrote it.
    let cmp = comparison();
    let work = tempfile::tempdir().unwrap();
    let old = work.path().join("results.h5");
    std::fs::copy(cmp.join("base/results.h5"), &old).unwrap();
    {
        let file = hdf5::File::open_rw(&old).unwrap();
        let summary = file.group("summary").unwrap();
        let mut names: Vec<hdf5::types::VarLenUnicode> =
            summary.dataset("metrics").unwrap().read_raw().unwrap();
        let last = names.len() - 1;
        names[last] = "a_metric_of_another_version".parse().unwrap();
        summary.unlink("metrics").unwrap();
        summary
            .new_dataset_builder()
            .with_data(&names)
            .create("metrics")
            .unwrap();
    }
    let output = run_mhsim(&["report", old.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let last = Metric::ALL[Metric::ALL.len() - 1].name();
    let expected = format!(
        "cannot be read as an mhsim run's results file (the file's metrics differ from this version of mhsim: {n} metrics against {n}, the first difference at position {n} (`a_metric_of_another_version` against `{last}`); it was written by another version, so run the scenario again)",
        n = Metric::ALL.len()
    );
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
}

#[test]
fn the_report_lays_out_in_headless_chromium_without_the_network() {
    if std::env::var_os("MHSIM_SKIP_CHROMIUM").is_some() {
        eprintln!("MHSIM_SKIP_CHROMIUM is set: the Chromium test is skipped");
        return;
    }
    let found = Command::new("chromium").arg("--version").output().is_ok();
    assert!(
        found,
        "chromium not found: run `sh tests/install-deps.sh test` (Debian: chromium), or set MHSIM_SKIP_CHROMIUM=1"
    );
    let report = comparison().join("report");
    let figures: Vec<String> = COMPARISON_FIGURES
        .iter()
        .map(|f| format!("fig-{f}"))
        .collect();
    let tables: Vec<String> = TABLES
        .iter()
        .chain(&[
            "difference_yearly",
            "cost_effectiveness_discounted",
            "net_benefit",
        ])
        .map(|t| format!("table-{t}"))
        .collect();
    lays_out_without_the_network(&report, &figures, &tables);
    let sweep = sweep_report();
    lays_out_without_the_network(
        sweep,
        &["fig-sensitivity".to_string()],
        &["table-sensitivity".to_string(), "table-points".to_string()],
    );
    // A run's report with the fit to calibration targets.
    let fitted: Vec<String> = FIGURES
        .iter()
        .chain(&["fit_deviations", "fit_trends"])
        .map(|f| format!("fig-{f}"))
        .collect();
    lays_out_without_the_network(
        crate::fit::fitted_report(),
        &fitted,
        &["table-headline".to_string(), "table-fit".to_string()],
    );
    // A calibration's report.
    lays_out_without_the_network(
        &crate::calibrate::calibration_with_report().join("report"),
        &["convergence", "posterior_1", "fit_deviations"].map(|f| format!("fig-{f}")),
        &["posterior", "correlations", "fit", "generations"].map(|t| format!("table-{t}")),
    );
}

/// `report.html` in `report` refers to nothing elsewhere, and in headless Chromium (with every
/// host name failing to resolve) every figure and table is laid out and no resource is loaded.
fn lays_out_without_the_network(
    report: &Path,
    expected_figures: &[String],
    expected_tables: &[String],
) {
    let html = read(&report.join("report.html"));
    // Nothing refers to a resource elsewhere: no scripts, stylesheets, images or fonts by URL.
    let lower = html.to_lowercase();
    for pattern in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "url(http",
        "url(\"http",
        "@import",
        "<script",
        "<link",
        "<img",
        "<iframe",
    ] {
        assert!(!lower.contains(pattern), "report.html contains {pattern}");
    }
    // A copy with a script that measures every figure, table and the text inside each figure,
    // and counts the resources the page loaded.
    let probe = r#"<pre id="layout"></pre><script>
(function () {
  var out = [];
  document.querySelectorAll('figure').forEach(function (f) {
    var svg = f.querySelector('svg');
    var r = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    var texts = 0;
    if (svg) svg.querySelectorAll('text').forEach(function (t) {
      var b = t.getBoundingClientRect(); if (b.width > 0 && b.height > 0) texts++;
    });
    out.push('figure ' + f.id + ' ' + r.width + ' ' + r.height + ' ' + texts);
  });
  document.querySelectorAll('table').forEach(function (t) {
    var r = t.getBoundingClientRect();
    out.push('table ' + t.id + ' ' + r.width + ' ' + r.height + ' 0');
  });
  out.push('resources ' + performance.getEntriesByType('resource').length);
  document.getElementById('layout').textContent = out.join('\n');
})();
</script>"#;
    // Written elsewhere: other tests read the report folder meanwhile.
    let probe_dir = tempfile::tempdir().unwrap();
    let check = probe_dir.path().join("layout-check.html");
    std::fs::write(&check, html.replace("</body>", &format!("{probe}</body>"))).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new("timeout")
        .args([
            "120",
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        // Any host name fails to resolve: a page that needed the network would show it.
        .arg("--host-resolver-rules=MAP * ~NOTFOUND")
        .args([
            "--virtual-time-budget=5000",
            "--window-size=1280,1000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", check.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout);
    let start = dom.find("<pre id=\"layout\">").unwrap_or_else(|| {
        panic!(
            "no layout in Chromium's DOM ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
    }) + "<pre id=\"layout\">".len();
    let layout = &dom[start..start + dom[start..].find("</pre>").unwrap()];
    let mut figures = Vec::new();
    let mut tables = Vec::new();
    let mut resources = None;
    for line in layout.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields[0] {
            "resources" => resources = Some(num(fields[1])),
            kind => {
                let (id, w, h, texts) = (fields[1], num(fields[2]), num(fields[3]), num(fields[4]));
                assert!(w > 100.0 && h > 50.0, "{kind} {id} is laid out: {w} x {h}");
                if kind == "figure" {
                    // Width follows the page; the aspect ratio of the figure is kept.
                    let (fw, fh) = mhsim::report::figures::SIZE;
                    let ratio = (w / h) / (f64::from(fw) / f64::from(fh));
                    assert!((ratio - 1.0).abs() < 0.02, "{id}: {w} x {h}");
                    assert!(texts >= 10.0, "{id}: {texts} texts with a size");
                    figures.push(id.to_string());
                } else {
                    tables.push(id.to_string());
                }
            }
        }
    }
    assert_eq!(figures, expected_figures);
    for name in expected_tables {
        assert!(tables.contains(name), "{name} in {}", report.display());
    }
    assert_eq!(resources, Some(0.0), "resources loaded by the page");
}

/// A small grid sweep (`crate::sweep::GRID`), planned, run and reported once: its report folder.
pub(crate) fn sweep_report() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-sweep");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = crate::sweep::write(&dir, "grid.toml", crate::sweep::GRID);
        let out = dir.join("grid");
        crate::sweep::plan(&file, &out, 1);
        crate::sweep::sweep(&["run", out.to_str().unwrap(), "--quiet"]);
        assert_success(&run_mhsim(&["report", out.to_str().unwrap()]));
        out.join("report")
    })
}

#[test]
fn a_sweep_report_shows_how_each_outcome_responds_to_each_parameter() {
    let report = sweep_report();
    let results = hdf5::File::open(report.parent().unwrap().join("results.h5")).unwrap();
    let html = read(&report.join("report.html"));
    for id in ["sensitivity", "points", "methods"] {
        assert!(html.contains(&format!("<section id=\"{id}\"")), "{id}");
    }
    assert!(html.contains("<figure id=\"fig-sensitivity\">\n<svg"));
    assert!(
        html.contains("name = &quot;tiny grid&quot;"),
        "the sweep file"
    );
    let bytes = std::fs::read(report.join("sensitivity.png")).unwrap();
    assert_eq!(png_size(&bytes), mhsim::report::figures::SIZE);
    // The points table: parameter values and final-year outcomes from the results file.
    let mean = f64s(&results, "summary/final_year_mean");
    let q025 = f64s(&results, "summary/final_year_q025");
    let run_mean = f64s(&results, "summary/discounted_total_mean");
    let at = |stat: &[f64], point: usize, metric: &str| {
        stat[(point * Metric::ALL.len() + metric_index(metric)) * N_STRATA]
    };
    let points = csv_rows(&report.join("points.csv"));
    assert_eq!(points.len(), 1 + 6);
    assert_eq!(
        points[0][1..3],
        ["economy.unemployment_rate", "dynamics.kappa"]
    );
    let unemployment = f64s(&results, "points/economy.unemployment_rate");
    let kappa = f64s(&results, "points/dynamics.kappa");
    for (p, row) in points[1..].iter().enumerate() {
        assert_eq!(num(&row[0]), p as f64);
        assert_eq!(num(&row[1]), unemployment[p]);
        assert_eq!(num(&row[2]), kappa[p]);
        let col = |name: &str| points[0].iter().position(|h| h == name).unwrap();
        for metric in ["prevalence", "cost_total", "qalys"] {
            assert_eq!(
                num(&row[col(&format!("{metric}_mean"))]),
                at(&mean, p, metric)
            );
            assert_eq!(
                num(&row[col(&format!("{metric}_lo95"))]),
                at(&q025, p, metric)
            );
        }
        // And the discounted totals over the run.
        for metric in ["cost_total", "qalys"] {
            assert_eq!(
                num(&row[col(&format!("{metric}_run_mean"))]),
                at(&run_mean, p, metric)
            );
        }
    }
    // The sensitivity table: PRCC of each outcome with each parameter, from those values.
    let rows = csv_rows(&report.join("sensitivity.csv"));
    // Six final-year outcomes and two totals over the run, each with two parameters.
    assert_eq!(rows.len(), 1 + 8 * 2);
    for row in &rows[1..] {
        let outcome: Vec<f64> = match row[0].strip_suffix("_run") {
            Some(metric) => (0..6).map(|p| at(&run_mean, p, metric)).collect(),
            None => (0..6).map(|p| at(&mean, p, &row[0])).collect(),
        };
        let expected = mhsim::report::sweep::prcc(&[unemployment.clone(), kappa.clone()], &outcome);
        let j = usize::from(row[1] == "dynamics.kappa");
        if expected[j].is_finite() {
            assert_eq!(num(&row[2]), expected[j], "{} ~ {}", row[0], row[1]);
            assert!((-1.0..=1.0).contains(&expected[j]));
        } else {
            assert!(row[2].is_empty());
        }
    }
    // The sweep's results.h5 gives the same report as its folder.
    let work = tempfile::tempdir().unwrap();
    let again = work.path().join("again");
    let results_file = report.parent().unwrap().join("results.h5");
    assert_success(&run_mhsim(&[
        "report",
        results_file.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]));
    let (first, second) = (files_of(report), files_of(&again));
    assert_eq!(first.len(), second.len());
    for (name, bytes) in first.iter().filter(|(n, _)| n.as_str() != "report.html") {
        assert!(*bytes == second[name], "{name} differs");
    }
    // Unemployment raises prevalence across the grid (4% against 30%: in a town of 300 over 20
    // weeks a smaller contrast is within the noise).
    let prevalence = rows
        .iter()
        .find(|r| r[0] == "prevalence" && r[1] == "economy.unemployment_rate")
        .unwrap();
    assert!(num(&prevalence[2]) > 0.0);
}

/// A dataset of f64 values, flat.
fn f64s(file: &hdf5::File, name: &str) -> Vec<f64> {
    file.dataset(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read_raw::<f64>()
        .unwrap()
}
