//! Calibration targets: `mhsim fit` (the table, `fit.csv`, `--strict`, bad targets files) and
//! the report's section "Fit to calibration targets" (`mhsim report --targets`, `mhsim run
//! --report --targets`, `mhsim fit --report`) on a small three-year run with two replicates.
//!
//! The targets are written after the run, from its yearly means, so that which targets are
//! inside their tolerance is known: `inside.toml` has covered targets (one a ratio, one
//! partly before the run), all inside, and one target before the run; `mixed.toml` adds one
//! far outside.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use mhsim::record::Metric;

use crate::common::{assert_success, read_3d, run_mhsim, stderr, stdout, stratum};
use crate::report::{assert_png, csv_rows, files_of, num, read};

const SCENARIO: &str = r#"name = "fittown"
people = 600
weeks = 156
burn_in_weeks = 0
start_year = 2020
seed = 5
replicates = 2

[population]
neighbourhood_size = 60
"#;

/// The run's folder, and its targets files `inside.toml` and `mixed.toml`.
struct Fixture {
    dir: PathBuf,
    run: PathBuf,
}

impl Fixture {
    fn results(&self) -> PathBuf {
        self.run.join("results.h5")
    }
    fn targets(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

fn metric(name: &str) -> usize {
    Metric::ALL
        .iter()
        .position(|m| m.name() == name)
        .unwrap_or_else(|| panic!("no metric {name}"))
}

/// `summary/yearly_<stat>` of the run at [year (0 = 2020), metric, stratum].
fn yearly(results: &Path, stat: &str, year: usize, m: &str, s: &str) -> f64 {
    let file = hdf5::File::open(results).unwrap();
    read_3d(&file, &format!("summary/yearly_{stat}"))[[year, metric(m), stratum(s)]]
}

fn target(name: &str, what: &str, years: &str, observed: f64, spread: &str) -> String {
    format!(
        "[[target]]\nname = \"{name}\"\n{what}\nyears = {years}\nobserved = {observed}\n\
         {spread}\nsource = \"test: {name}\"\n\n"
    )
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fit");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("town.toml"), SCENARIO).unwrap();
        let run = dir.join("town");
        assert_success(&run_mhsim(&[
            "run",
            dir.join("town.toml").to_str().unwrap(),
            "--out",
            run.to_str().unwrap(),
            "--quiet",
        ]));
        let results = run.join("results.h5");
        let y = |year, m, s| yearly(&results, "mean", year, m, s);
        let adults = "metric = \"prevalence\"\nsubgroup = \"age_16_64\"";
        let children = "metric = \"prevalence\"\nsubgroup = \"age_5_15\"";
        let mut inside =
            String::from("name = \"test\"\ndescription = \"targets from the run itself\"\n\n");
        inside += &target(
            "adults_2020",
            adults,
            "2020",
            y(0, "prevalence", "age_16_64") + 0.001,
            "se = 0.005\ntolerance = 0.05",
        );
        inside += &target(
            "adults_2021_2022",
            adults,
            "[2021, 2022]",
            y(1, "prevalence", "age_16_64"),
            "se = 0.005\ntolerance = 0.05",
        );
        let ratio = y(1, "prevalence", "female") / y(1, "prevalence", "male");
        inside += &target(
            "women_to_men_2021",
            "metric = \"prevalence\"\nsubgroup = \"female\"\nrelative_to = { subgroup = \"male\" }",
            "2021",
            ratio,
            &format!(
                "interval = [{}, {}]\ntolerance = 0.5",
                ratio - 0.1,
                ratio + 0.1
            ),
        );
        inside += &target(
            "children_2019_2020",
            children,
            "[2019, 2020]",
            y(0, "prevalence", "age_5_15"),
            "se = 0.01\ntolerance = 0.08",
        );
        inside += &target(
            "children_2022",
            children,
            "2022",
            y(2, "prevalence", "age_5_15"),
            "se = 0.01\ntolerance = 0.08\nweight = 0.0",
        );
        inside += &target(
            "treatment_2021",
            "metric = \"treatment_share\"\nsubgroup = \"age_16_64\"",
            "2021",
            y(1, "treatment_share", "age_16_64"),
            "se = 0.01\ntolerance = 0.3",
        );
        inside += &target(
            "everyone_2010",
            "metric = \"prevalence\"",
            "2010",
            0.15,
            "se = 0.01",
        );
        let mut mixed = inside.clone();
        mixed += &target(
            "far_off_2021",
            "metric = \"prevalence\"",
            "2021",
            y(1, "prevalence", "all") + 0.3,
            "se = 0.01",
        );
        std::fs::write(dir.join("inside.toml"), inside).unwrap();
        std::fs::write(dir.join("mixed.toml"), mixed).unwrap();
        Fixture { dir, run }
    })
}

fn fit(args: &[&str]) -> std::process::Output {
    let mut all = vec!["fit"];
    all.extend_from_slice(args);
    run_mhsim(&all)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_fit_table_has_the_yearly_means_of_the_results() {
    let f = fixture();
    let out = tempfile::tempdir().unwrap();
    let output = fit(&[
        s(&f.results()),
        "--targets",
        s(&f.targets("inside.toml")),
        "--out",
        s(out.path()),
    ]);
    assert_success(&output);
    assert!(
        stdout(&output)
            .contains("6 of 6 targets covered by the run are inside their tolerance; distance "),
        "{}",
        stdout(&output)
    );
    // children_2022 has weight 0: reported, inside, and left out of the distance.
    assert!(
        stdout(&output).contains("(1 target with weight 0 is left out of it)"),
        "{}",
        stdout(&output)
    );
    let rows = csv_rows(&out.path().join("fit.csv"));
    assert_eq!(rows[0], mhsim::calib::CSV_HEADER);
    assert_eq!(rows.len(), 1 + 7);
    let row = |name: &str| rows.iter().find(|r| r[0] == name).unwrap().clone();
    for r in &rows[1..] {
        let weight = if r[0] == "children_2022" { "0" } else { "1" };
        assert_eq!(r[13], weight, "{}", r[0]);
    }
    let results = f.results();
    let y = |stat, year, m, s| yearly(&results, stat, year, m, s);
    let bits = |field: &str| num(field).to_bits();
    // One covered year: the yearly mean and quantiles across replicates, exactly.
    let adults = row("adults_2020");
    assert_eq!(adults[1], "prevalence in age_16_64");
    assert_eq!(adults[2], "2020");
    assert_eq!(
        bits(&adults[8]),
        y("mean", 0, "prevalence", "age_16_64").to_bits()
    );
    assert_eq!(
        bits(&adults[9]),
        y("q025", 0, "prevalence", "age_16_64").to_bits()
    );
    assert_eq!(
        bits(&adults[10]),
        y("q975", 0, "prevalence", "age_16_64").to_bits()
    );
    assert_eq!(adults[11], "yes");
    // Two years: the mean of the yearly means.
    let two = row("adults_2021_2022");
    let expected =
        (y("mean", 1, "prevalence", "age_16_64") + y("mean", 2, "prevalence", "age_16_64")) / 2.0;
    assert_eq!(bits(&two[8]), expected.to_bits());
    assert_eq!(two[2], "2021-2022");
    // A ratio: of the yearly means.
    let ratio = row("women_to_men_2021");
    assert_eq!(ratio[1], "prevalence in female / prevalence in male");
    assert_eq!(
        bits(&ratio[8]),
        (y("mean", 1, "prevalence", "female") / y("mean", 1, "prevalence", "male")).to_bits()
    );
    // Partly before the run: only 2020 counts.
    assert_eq!(
        bits(&row("children_2019_2020")[8]),
        y("mean", 0, "prevalence", "age_5_15").to_bits()
    );
    assert_eq!(
        bits(&row("treatment_2021")[8]),
        y("mean", 1, "treatment_share", "age_16_64").to_bits()
    );
    // Before the run: not covered, no simulated value.
    let before = row("everyone_2010");
    assert_eq!(before[11], "not covered");
    assert!(before[8..11].iter().all(String::is_empty));
    assert_eq!(before[12], "test: everyone_2010");
    // Observed values and their intervals as written.
    assert_eq!(num(&before[3]), 0.15);
    assert!((num(&before[4]) - (0.15 - 1.96 * 0.01)).abs() < 1e-12);
}

#[test]
fn strict_fails_only_when_a_covered_target_is_outside() {
    let f = fixture();
    let out = tempfile::tempdir().unwrap();
    let strict = |targets: &str| {
        fit(&[
            s(&f.results()),
            "--targets",
            s(&f.targets(targets)),
            "--out",
            s(out.path()),
            "--strict",
        ])
    };
    let all_inside = strict("inside.toml");
    assert_eq!(all_inside.status.code(), Some(0), "{}", stderr(&all_inside));
    let one_outside = strict("mixed.toml");
    assert_eq!(
        one_outside.status.code(),
        Some(1),
        "{}",
        stderr(&one_outside)
    );
    assert!(
        stderr(&one_outside).contains("1 of 7 covered targets are outside their tolerance"),
        "{}",
        stderr(&one_outside)
    );
    // The table and fit.csv are written all the same.
    assert!(stdout(&one_outside).contains("far_off_2021"));
    let rows = csv_rows(&out.path().join("fit.csv"));
    let far = rows.iter().find(|r| r[0] == "far_off_2021").unwrap();
    assert_eq!(far[11], "no");
    // Without --strict an outside target is no failure.
    let plain = fit(&[
        s(&f.results()),
        "--targets",
        s(&f.targets("mixed.toml")),
        "--out",
        s(out.path()),
    ]);
    assert_eq!(plain.status.code(), Some(0));
}

const BAD: &str = r#"name = "bad"
colour = "blue"

[[target]]
name = "a"
metric = "prevalance"
years = 2020
observed = 0.2
se = 0.01
source = "x"

[[target]]
name = "b"
metric = "prevalence"
subgroup = "age_99"
years = [2022, 2020]
observed = 0.2
source = "y"
"#;

#[test]
fn a_bad_targets_file_exits_with_code_2_listing_every_problem() {
    let f = fixture();
    let work = tempfile::tempdir().unwrap();
    let bad = work.path().join("bad.toml");
    std::fs::write(&bad, BAD).unwrap();
    let out = work.path().join("out");
    let output = fit(&[s(&f.results()), "--targets", s(&bad), "--out", s(&out)]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    for path in [
        "colour",
        "target[0].metric",
        "target[1].subgroup",
        "target[1].years",
        "target[1].se",
    ] {
        assert!(
            err.contains(&format!("{}: {path}", bad.display())),
            "{path} missing from:\n{err}"
        );
    }
    assert!(err.contains("5 problems in the targets"), "{err}");
    assert!(!out.exists(), "nothing is written");
    // The same for a report, and for a run, which then does not start.
    let report_out = work.path().join("report");
    let output = run_mhsim(&[
        "report",
        s(&f.results()),
        "--targets",
        s(&bad),
        "--out",
        s(&report_out),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("target[0].metric"));
    assert!(!report_out.exists());
    let run_out = work.path().join("run");
    let output = run_mhsim(&[
        "run",
        s(&f.dir.join("town.toml")),
        "--out",
        s(&run_out),
        "--report",
        "--targets",
        s(&bad),
        "--quiet",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("target[1].years"));
    assert!(!run_out.exists(), "the run did not start");
    // A file that is not there.
    let output = fit(&[
        s(&f.results()),
        "--targets",
        s(&work.path().join("missing.toml")),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("missing.toml: cannot read"));
}

/// `mhsim fit --report` with `mixed.toml`, once: the report folder.
pub(crate) fn fitted_report() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let f = fixture();
        let out = f.dir.join("fit-out");
        let output = fit(&[
            s(&f.results()),
            "--targets",
            s(&f.targets("mixed.toml")),
            "--out",
            s(&out),
            "--report",
        ]);
        assert_success(&output);
        assert!(stdout(&output).contains("wrote "));
        f.run.join("report")
    })
}

#[test]
fn the_report_has_the_fit_section_with_the_numbers_of_fit_csv() {
    let f = fixture();
    let report = fitted_report();
    let html = read(&report.join("report.html"));
    let section = &html[html.find("<section id=\"fit\">").expect("the fit section")..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("<h2>Fit to calibration targets</h2>"));
    assert!(
        section.contains(
            "<p class=\"verdict\"><strong>6 of 7 targets covered by the run are inside their \
             tolerance; distance "
        ),
        "{section}"
    );
    assert!(section.contains("Not covered by the run (2020 to 2022): everyone_2010."));
    assert!(html.contains("<li><a href=\"#fit\">Fit to calibration targets</a></li>"));
    // Both figures, inline and as files.
    for name in ["fit_deviations", "fit_trends"] {
        assert!(section.contains(&format!("<figure id=\"fig-{name}\">\n<svg")));
        let svg = read(&report.join(format!("{name}.svg")));
        assert!(section.contains(svg.trim_end()), "{name}.svg is inlined");
        assert_png(report, name);
    }
    // Deviations: every covered target named (one with weight 0 says so), the outside one in
    // vermillion.
    let deviations = read(&report.join("fit_deviations.svg"));
    for name in [
        "adults_2020",
        "women_to_men_2021",
        "children_2022 (weight 0)",
        "far_off_2021",
    ] {
        assert!(deviations.contains(&format!("{name}\n</text>")), "{name}");
    }
    assert!(!deviations.contains("everyone_2010"), "not covered: no row");
    assert!(
        deviations.contains("fill=\"#D55E00\""),
        "outside in vermillion"
    );
    assert!(deviations.contains("inside the tolerance"));
    // Trends: a panel for each measure with targets in two periods; calendar years.
    let trends = read(&report.join("fit_trends.svg"));
    for title in ["prevalence in age_16_64", "prevalence in age_5_15"] {
        assert!(trends.contains(&format!("{title}\n</text>")), "{title}");
    }
    assert!(!trends.contains("treatment_share in age_16_64\n</text>"));
    assert!(trends.contains("\n2021\n</text>"), "years on the x-axis");
    assert!(
        trends.contains("Prevalence, share (0-1)"),
        "y-axis with unit"
    );
    assert!(trends.contains("observed, 95% interval"));
    // The table: fit.csv, byte for byte, and shown rounded with intervals.
    let fit_csv = std::fs::read(f.dir.join("fit-out/fit.csv")).unwrap();
    assert_eq!(std::fs::read(report.join("fit.csv")).unwrap(), fit_csv);
    let rows = csv_rows(&report.join("fit.csv"));
    assert_eq!(rows.len(), 1 + 8);
    for row in &rows[1..] {
        let shown = mhsim::report::format_number;
        let cells: Vec<String> = if row[8].is_empty() {
            vec!["not covered by the run".into(), "not covered".into()]
        } else {
            vec![
                format!(
                    "{} [{}, {}]",
                    shown(num(&row[8])),
                    shown(num(&row[9])),
                    shown(num(&row[10]))
                ),
                row[11].clone(),
            ]
        };
        let expected = format!(
            "<tr><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td>\
             <td class=\"text\">{} [{}, {}]</td><td class=\"text\">{} to {}</td>\
             <td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td>\
             <td class=\"text\">{}</td></tr>",
            row[0],
            row[1],
            row[2],
            shown(num(&row[3])),
            shown(num(&row[4])),
            shown(num(&row[5])),
            shown(num(&row[6])),
            shown(num(&row[7])),
            cells[0],
            cells[1],
            row[12],
            row[13]
        );
        assert!(section.contains(&expected), "{expected}\nnot in\n{section}");
    }
    // The targets file as written, in the methods box.
    let methods = &html[html.find("<section id=\"methods\"").unwrap()..];
    assert!(methods.contains("name = &quot;far_off_2021&quot;"));
}

#[test]
fn fit_reports_are_the_same_made_again_and_from_a_run() {
    let f = fixture();
    let first = files_of(fitted_report());
    let work = tempfile::tempdir().unwrap();
    // `mhsim report` with the same results and targets: the same files, byte for byte.
    let again = work.path().join("again");
    assert_success(&run_mhsim(&[
        "report",
        s(&f.results()),
        "--targets",
        s(&f.targets("mixed.toml")),
        "--out",
        s(&again),
    ]));
    let second = files_of(&again);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &first {
        assert!(*bytes == second[name], "{name} differs when made again");
    }
    for name in [
        "fit.csv",
        "fit_deviations.svg",
        "fit_deviations.png",
        "fit_trends.svg",
        "fit_trends.png",
    ] {
        assert!(first.contains_key(name), "{name}");
    }
    // `mhsim run --report --targets`: the same run, so the same fit.
    let run = work.path().join("run");
    assert_success(&run_mhsim(&[
        "run",
        s(&f.dir.join("town.toml")),
        "--out",
        s(&run),
        "--report",
        "--targets",
        s(&f.targets("mixed.toml")),
        "--quiet",
    ]));
    let from_run = files_of(&run.join("report"));
    assert!(from_run["fit.csv"] == first["fit.csv"]);
    assert!(from_run["fit_trends.svg"] == first["fit_trends.svg"]);
    // --targets needs --report.
    let output = run_mhsim(&[
        "run",
        s(&f.dir.join("town.toml")),
        "--out",
        s(&work.path().join("no-report")),
        "--targets",
        s(&f.targets("mixed.toml")),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--report"));
}

#[test]
fn a_comparison_is_fitted_by_its_baseline_and_a_sweep_not_at_all() {
    let cmp = crate::report::comparison();
    let work = tempfile::tempdir().unwrap();
    // The comparison runs 20 weeks from 2024.
    let targets = work.path().join("t.toml");
    std::fs::write(
        &targets,
        target(
            "prevalence_2024",
            "metric = \"prevalence\"",
            "2024",
            0.15,
            "se = 0.01\ntolerance = 0.5",
        ),
    )
    .unwrap();
    let out = work.path().join("report");
    assert_success(&run_mhsim(&[
        "report",
        s(cmp),
        "--targets",
        s(&targets),
        "--out",
        s(&out),
    ]));
    let html = read(&out.join("report.html"));
    assert!(
        html.contains("How the baseline scenario, base (the compared scenarios are not fitted)")
    );
    assert!(html.contains("1 of 1 targets covered by the run are inside their tolerance"));
    assert!(html.contains("no figure of trends"));
    assert!(out.join("fit_deviations.png").is_file());
    assert!(!out.join("fit_trends.png").exists());
    let rows = csv_rows(&out.join("fit.csv"));
    let base = cmp.join("base/results.h5");
    assert_eq!(
        num(&rows[1][8]).to_bits(),
        yearly(&base, "mean", 0, "prevalence", "all").to_bits()
    );
    // A sweep's report has no fit: refused before anything is written.
    let sweep = crate::report::sweep_report().parent().unwrap();
    let refused = work.path().join("sweep-report");
    let output = run_mhsim(&[
        "report",
        s(sweep),
        "--targets",
        s(&targets),
        "--out",
        s(&refused),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("a sweep's report has no fit to calibration targets"),
        "{}",
        stderr(&output)
    );
    assert!(!refused.exists());
    // `mhsim fit` takes a run: other folders are named as what they are.
    let calibration = crate::calibrate::calibration_with_report();
    for (folder, message) in [
        (cmp, "a comparison's folder: fit one scenario's run"),
        (sweep, "a sweep's folder, not a run"),
        (
            calibration,
            "a calibration's folder: the fit of its closest particle is fit.csv",
        ),
        (work.path(), "no results.h5 in this folder"),
    ] {
        let output = fit(&[s(folder), "--targets", s(&targets)]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    }
}

/// Targets of `scenarios/targets/england.toml` that the shipped defaults miss, with the
/// reason; docs/ODD.md section 8 explains each. Every other target must be inside; a known
/// miss that comes inside is reported, not failed (some sit at the edge of their tolerance).
const KNOWN_MISSES: &[(&str, &str)] = &[
    (
        "prevalence_16_64_2007",
        "at the top edge: the history raises adult prevalence by about 1 point from 2007 to 2023/4 (its drivers about 0.65 of it, the rest the model settling after its start, docs/ODD.md 5.8), against 5 observed; 0.197 to 0.199 against at most 0.196",
    ),
    (
        "prevalence_16_64_2023",
        "near the lower edge, for the same reason: 0.205 to 0.209 against at least 0.206",
    ),
    (
        "prevalence_16_24_2007",
        "at the top edge: the history raises young people's prevalence by about 2 points from 2007 to 2023/4, against 8 observed; 0.209 to 0.216 against at most 0.21",
    ),
    (
        "children_2017",
        "near the top edge: 0.147 to 0.150 against at most 0.151; children's prevalence moves about 1 point from 2017 to 2022, against 6 observed",
    ),
    (
        "episodes_over_24_months",
        "at the lower edge: with persistent episodes (calibrated), 0.129 to 0.133 of new episodes last over two years against 0.20 (accepted from 0.13)",
    ),
    (
        "recurrence_5_years",
        "structural: a fluctuating CIS-R-level state recurs far more often (0.45 to 0.47, after 26 weeks in remission) than NEMESIS major depression (0.13)",
    ),
    (
        "recurrence_10_years",
        "structural, as recurrence_5_years: 0.59 to 0.60 against 0.23",
    ),
    (
        "recorded_incidence_2019",
        "near the lower edge of its tolerance: 65.0 to 66.0 per 1,000 at 50,000 people (seeds 7, 8 and the default; 65.7 at 200,000) against at least 63.6",
    ),
    (
        "prevalence_unemployed",
        "near the top edge of its tolerance: 0.392 to 0.405 against at most 0.40",
    ),
    (
        "suicide_men_to_women",
        "too few suicides for a ratio: 50,000 people over 2 replicates gave 1.6 to 3.5 (seeds 8 and 7; 2.1 with the default seed), 200,000 people 2.9 (0.9 to 4.9); weight 0",
    ),
];

/// The shipped history (2005-2024) against England's targets: every target is covered, and
/// every target not listed in `KNOWN_MISSES` is inside its tolerance. The calibration ran at
/// 12,000 people with one replicate per candidate; this runs 50,000 people (enough for the
/// suicide rate, about 30 suicides a replicate in 2019-2024) with two replicates.
#[test]
fn the_shipped_history_fits_englands_targets() {
    let root = crate::common::manifest_dir();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("history");
    let history = root.join("scenarios/history.toml");
    let run = run_mhsim(&[
        "run",
        s(&history),
        "--set",
        "people=50000",
        "--replicates",
        "2",
        "--summary-only",
        "--quiet",
        "--out",
        s(&out),
    ]);
    assert_success(&run);
    let targets = root.join("scenarios/targets/england.toml");
    let output = fit(&[s(&out), "--targets", s(&targets)]);
    assert_success(&output);
    let table = stdout(&output);
    let rows = csv_rows(&out.join("fit.csv"));
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut outside = Vec::new();
    for row in &rows[1..] {
        let name = row[col("target")].as_str();
        let inside = row[col("inside")].as_str();
        assert_ne!(
            inside, "not covered",
            "{name} is not covered by the history\n{table}"
        );
        if inside == "no" && !KNOWN_MISSES.iter().any(|(m, _)| *m == name) {
            outside.push(name.to_string());
        }
    }
    for (name, why) in KNOWN_MISSES {
        let row = rows[1..].iter().find(|row| row[col("target")] == *name);
        let row = row.unwrap_or_else(|| panic!("known miss {name} is not a target"));
        if row[col("inside")] == "yes" {
            eprintln!("known miss {name} is inside in this run ({why})");
        }
    }
    assert!(
        outside.is_empty(),
        "targets outside their tolerance: {outside:?}\n{table}"
    );
}
