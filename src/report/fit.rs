//! The report's section "Fit to calibration targets" (`mhsim report --targets`): the fit
//! table of a run (of the baseline, for a comparison) with the same numbers as `mhsim fit`'s
//! `fit.csv`, the standardised deviation of every covered target, and the trends of the
//! measures with targets in several years.

use crate::calib::{self, FitTable, Targets};
use crate::output::{MEAN, Q025, Q975};
use crate::record::Metric;

use super::figures::{Deviation, Deviations, Figure, Line, Observed, PALETTE, Panel, Window};
use super::tables::{Built, Cell, Section, Table, format_number, y_label};
use super::{ReportInput, year_of};

/// At most this many trend panels (groups beyond are left out and named in the text).
pub const MAX_TRENDS: usize = 9;

/// What the page shows of the fit besides its section's figures.
#[derive(Debug, Clone)]
pub struct FitShown {
    /// The fit in one line.
    pub verdict: String,
    /// Index into the report's tables of the fit as written to `fit.csv`.
    pub csv_table: usize,
    /// The same table as shown on the page: values with their intervals in one cell.
    pub table: Table,
    /// The targets file as named.
    pub file: String,
    /// Its text, for the methods box.
    pub text: String,
}

/// A measure targeted in several periods: metric and subgroup (indices), and its targets.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendGroup {
    /// Index into [`Metric::ALL`].
    pub metric: usize,
    /// Index into [`crate::record::strata`].
    pub subgroup: usize,
    /// Indices of its targets, in file order.
    pub targets: Vec<usize>,
}

/// The measures (metric in a subgroup, ratios left out) with targets in at least two
/// different periods, at least one of them covered by the run; in the order of their first
/// target in the file.
pub fn trend_groups(targets: &Targets, fit: &FitTable) -> Vec<TrendGroup> {
    let mut groups: Vec<TrendGroup> = Vec::new();
    for (i, t) in targets.targets.iter().enumerate() {
        if t.relative_to.is_some() {
            continue;
        }
        match groups
            .iter_mut()
            .find(|g| g.metric == t.metric && g.subgroup == t.subgroup)
        {
            Some(g) => g.targets.push(i),
            None => groups.push(TrendGroup {
                metric: t.metric,
                subgroup: t.subgroup,
                targets: vec![i],
            }),
        }
    }
    groups.retain(|g| {
        let mut periods: Vec<(u32, u32)> = g
            .targets
            .iter()
            .map(|&i| targets.targets[i].years)
            .collect();
        periods.sort_unstable();
        periods.dedup();
        periods.len() >= 2 && g.targets.iter().any(|&i| fit.rows[i].simulated.is_some())
    });
    groups
}

/// A value with its interval: `0.1890 [0.1792, 0.1988]`.
fn with_interval(value: f64, lo: f64, hi: f64) -> String {
    format!(
        "{} [{}, {}]",
        format_number(value),
        format_number(lo),
        format_number(hi)
    )
}

/// The fit as written to `fit.csv`, as a report table (its CSV is `fit.csv`'s text).
fn csv_table_of(fit: &FitTable, title: &str) -> Table {
    Table {
        name: "fit".into(),
        title: title.into(),
        header: calib::CSV_HEADER.map(String::from).to_vec(),
        rows: fit
            .rows
            .iter()
            .map(|r| calib::csv_record(r).map(Cell::Text).to_vec())
            .collect(),
    }
}

/// The fit as shown on the page.
fn shown_table(fit: &FitTable, title: &str) -> Table {
    let text = |s: String| Cell::Text(s);
    Table {
        name: "fit".into(),
        title: title.into(),
        header: [
            "target",
            "measure",
            "years",
            "observed [95% interval]",
            "accepted range",
            "simulated mean [95% range across replicates]",
            "inside",
            "source",
            "weight",
        ]
        .map(String::from)
        .to_vec(),
        rows: fit
            .rows
            .iter()
            .map(|r| {
                vec![
                    text(r.name.clone()),
                    text(r.what.clone()),
                    text(r.period.clone()),
                    text(with_interval(r.observed, r.interval.0, r.interval.1)),
                    text(format!(
                        "{} to {}",
                        format_number(r.accepted.0),
                        format_number(r.accepted.1)
                    )),
                    text(r.simulated.map_or_else(
                        || "not covered by the run".to_string(),
                        |s| with_interval(s.mean, s.lo, s.hi),
                    )),
                    text(calib::inside_text(r.inside).to_string()),
                    text(r.source.clone()),
                    text(r.weight.to_string()),
                ]
            })
            .collect(),
    }
}

/// The label of a target's row of deviations: a target the calibration distance leaves out
/// says so.
pub(super) fn deviation_label(name: &str, weight: f64) -> String {
    if weight == 0.0 {
        format!("{name} (weight 0)")
    } else {
        name.to_string()
    }
}

/// The standardised deviations of the covered targets.
fn deviations(targets: &Targets, fit: &FitTable) -> Figure {
    let rows = fit
        .rows
        .iter()
        .zip(&targets.targets)
        .filter_map(|(r, t)| {
            let s = r.simulated?;
            Some(Deviation {
                label: deviation_label(&r.name, r.weight),
                value: t.standardised(s.mean),
                lo: t.standardised(s.lo),
                hi: t.standardised(s.hi),
                inside: r.inside == Some(true),
            })
        })
        .collect();
    deviations_figure(rows)
}

/// The figure `fit_deviations` of rows of deviations.
pub(super) fn deviations_figure(rows: Vec<Deviation>) -> Figure {
    Figure {
        name: "fit_deviations".into(),
        title: "Fit to calibration targets: standardised deviations".into(),
        grid: (1, 1),
        key: Vec::new(),
        panels: vec![Panel::Deviations(Deviations {
            title: "Simulated mean (dot) and 95% range across replicates (whisker) against \
                    the observed value"
                .into(),
            x_label: "(simulated - observed) / tolerance, in units of the tolerance".into(),
            band_label: "inside the tolerance".into(),
            legend: ("inside".into(), "outside".into()),
            rows,
        })],
    }
}

/// Grid rows and columns for `n` small multiples.
fn grid(n: usize) -> (usize, usize) {
    match n {
        0 | 1 => (1, 1),
        2 => (1, 2),
        3 | 4 => (2, 2),
        5 | 6 => (2, 3),
        _ => (3, 3),
    }
}

/// The simulated yearly means of each trend group with their 95% bands, and the observed
/// targets with their 95% intervals at the middle of their years.
fn trends(
    input: &ReportInput,
    targets: &Targets,
    groups: &[TrendGroup],
    windows: &[Window],
) -> Figure {
    let results = &input.runs[0].results;
    let summary = &results.summary;
    let start = results.start_year;
    let weeks = summary.weeks;
    // Middle of each recorded year (the last may be shorter).
    let middles: Vec<f64> = (0..summary.years())
        .map(|y| {
            let len = (weeks - 52 * y).min(52);
            year_of(start, (52 * y) as f64 + len as f64 / 2.0)
        })
        .collect();
    let run_span = (year_of(start, 0.0), year_of(start, weeks.max(1) as f64));
    let grid = grid(groups.len().min(MAX_TRENDS));
    let panels = groups
        .iter()
        .take(MAX_TRENDS)
        .map(|g| {
            let stat = |k: usize, y: usize| summary.yearly_stat(k, y, g.metric, g.subgroup);
            let own: Vec<&calib::Target> = g.targets.iter().map(|&i| &targets.targets[i]).collect();
            let first = own
                .iter()
                .map(|t| f64::from(t.years.0))
                .fold(run_span.0, f64::min);
            let last = own
                .iter()
                .map(|t| f64::from(t.years.1) + 1.0)
                .fold(run_span.1, f64::max);
            Panel::Trend {
                title: own[0].describe(),
                // Three rows of panels leave room for the unit only (the title names the
                // measure).
                y_label: if grid.0 >= 3 {
                    Metric::ALL[g.metric].unit().to_string()
                } else {
                    y_label(Metric::ALL[g.metric])
                },
                lines: vec![Line {
                    label: format!("{}: simulated yearly mean, 95% band", results.name),
                    colour: PALETTE[0],
                    dashed: false,
                    mean: middles
                        .iter()
                        .enumerate()
                        .map(|(y, &x)| (x, stat(MEAN, y)))
                        .collect(),
                    band: middles
                        .iter()
                        .enumerate()
                        .map(|(y, &x)| (x, stat(Q025, y), stat(Q975, y)))
                        .collect(),
                }],
                windows: windows.to_vec(),
                years: (first, last),
                observed: Observed {
                    label: "observed, 95% interval".into(),
                    colour: PALETTE[7],
                    points: own
                        .iter()
                        .map(|t| {
                            let middle = (f64::from(t.years.0) + f64::from(t.years.1) + 1.0) / 2.0;
                            (middle, t.observed, t.lo, t.hi)
                        })
                        .collect(),
                },
            }
        })
        .collect::<Vec<_>>();
    Figure {
        name: "fit_trends".into(),
        title: "Trends against calibration targets".into(),
        grid,
        key: Vec::new(),
        panels,
    }
}

/// Add the section "Fit to calibration targets" (figures, the `fit` table and what the page
/// shows of it) to `built`, for the first run of `input`.
pub fn add(built: &mut Built, input: &ReportInput, targets: &Targets, windows: &[Window]) {
    let results = &input.runs[0].results;
    let fit = calib::fit_run(results, targets);
    let csv_table = built.tables.len();
    let title = "Fit to calibration targets: observed value with its 95% interval, accepted \
                 range of the simulated mean (observed value ± tolerance), simulated mean \
                 with its 95% range across replicates";
    built.tables.push(csv_table_of(&fit, title));
    let mut figures = Vec::new();
    let mut notes = Vec::new();
    if fit.covered() > 0 {
        figures.push(built.figures.len());
        built.figures.push(deviations(targets, &fit));
    }
    let groups = trend_groups(targets, &fit);
    if groups.is_empty() {
        notes.push(
            "No measure has targets in two or more periods that the run reaches, so there is \
             no figure of trends."
                .to_string(),
        );
    } else {
        figures.push(built.figures.len());
        built.figures.push(trends(input, targets, &groups, windows));
        if groups.len() > MAX_TRENDS {
            let left: Vec<String> = groups[MAX_TRENDS..]
                .iter()
                .map(|g| targets.targets[g.targets[0]].describe())
                .collect();
            notes.push(format!(
                "The figure of trends shows the first {MAX_TRENDS} measures; left out: {}.",
                left.join("; ")
            ));
        }
    }
    let uncovered: Vec<&str> = fit
        .rows
        .iter()
        .filter(|r| r.simulated.is_none())
        .map(|r| r.name.as_str())
        .collect();
    if !uncovered.is_empty() {
        let last_year = results.start_year + results.weeks.div_ceil(52).max(1) - 1;
        notes.push(format!(
            "Not covered by the run ({} to {last_year}): {}.",
            results.start_year,
            uncovered.join(", ")
        ));
    }
    let described = if targets.description.is_empty() {
        targets.name.clone()
    } else if targets.name.is_empty() {
        targets.description.clone()
    } else {
        format!("{}: {}", targets.name, targets.description)
    };
    let whose = if input.is_comparison() {
        format!(
            "the baseline scenario, {} (the compared scenarios are not fitted)",
            results.name
        )
    } else {
        results.name.clone()
    };
    let mut intro = format!(
        "How {whose} compares with the calibration targets in {}{}. Simulated: the mean \
         across replicates of each replicate's mean over the target's years (the years the \
         run records), with the 2.5% to 97.5% quantile range across replicates (averaged over \
         the years; for a ratio, from the replicates' SDs by the delta method). A target is \
         inside when the simulated mean lies in its accepted range, the observed value ± its \
         tolerance (by default the observation's own 95% interval). The distance is the root \
         of the weighted mean of the squared standardised deviations, (simulated - observed) \
         / tolerance, over the covered targets (1: on average at the edge of the tolerance). \
         The first figure shows each covered target's standardised deviation with the \
         simulated 95% range in the same units (shaded: inside); the second, each measure \
         with targets in several years: the simulated yearly mean with its 95% band and the \
         observed values with their 95% intervals at the middle of their years. The table \
         has the numbers of `mhsim fit` (fit.csv).",
        targets.file,
        if described.is_empty() {
            String::new()
        } else {
            format!(" ({described})")
        },
    );
    for note in notes {
        intro.push(' ');
        intro.push_str(&note);
    }
    built.sections.push(Section {
        id: "fit",
        title: "Fit to calibration targets".into(),
        intro,
        figures,
        tables: vec![csv_table],
    });
    let verdict = fit.verdict();
    built.fit = Some(FitShown {
        verdict: format!("{}{}.", verdict[..1].to_uppercase(), &verdict[1..]),
        csv_table,
        table: shown_table(&fit, title),
        file: targets.file.clone(),
        text: targets.source.clone(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGETS: &str = r#"
[[target]]
name = "a"
metric = "prevalence"
years = 2024
observed = 0.2
se = 0.01
source = "s"
[[target]]
name = "b"
metric = "prevalence"
years = [2025, 2026]
observed = 0.2
se = 0.01
source = "s"
[[target]]
name = "c"
metric = "prevalence"
subgroup = "female"
years = 2024
observed = 0.2
se = 0.01
source = "s"
[[target]]
name = "d"
metric = "prevalence"
subgroup = "female"
relative_to = { subgroup = "male" }
years = 2025
observed = 1.5
se = 0.1
source = "s"
[[target]]
name = "e"
metric = "prevalence"
subgroup = "female"
years = 2024
observed = 0.21
se = 0.01
source = "t"
"#;

    fn fit_with(covered: &[bool]) -> FitTable {
        FitTable {
            targets_file: "t".into(),
            rows: covered
                .iter()
                .map(|&c| calib::FitRow {
                    name: String::new(),
                    what: String::new(),
                    period: String::new(),
                    observed: 0.0,
                    interval: (0.0, 0.0),
                    accepted: (0.0, 0.0),
                    simulated: c.then_some(calib::Simulated {
                        mean: 0.0,
                        lo: 0.0,
                        hi: 0.0,
                    }),
                    inside: None,
                    source: String::new(),
                    weight: 1.0,
                })
                .collect(),
            distance: 0.0,
        }
    }

    #[test]
    fn trends_need_two_periods_of_one_measure_and_a_covered_target() {
        let targets = Targets::from_str(TARGETS, "t").unwrap();
        let groups = trend_groups(&targets, &fit_with(&[true; 5]));
        // `prevalence in all`: 2024 and 2025-2026; `female` has two targets in one year;
        // the ratio is no trend.
        assert_eq!(groups.len(), 1);
        assert_eq!((groups[0].metric, groups[0].subgroup), (1, 0));
        assert_eq!(groups[0].targets, vec![0, 1]);
        assert!(trend_groups(&targets, &fit_with(&[false; 5])).is_empty());
    }

    #[test]
    fn the_csv_table_is_fit_csv() {
        let targets = Targets::from_str(TARGETS, "t").unwrap();
        let mut fit = fit_with(&[true, false, true, true, false]);
        for (r, t) in fit.rows.iter_mut().zip(&targets.targets) {
            r.name = t.name.clone();
            r.what = t.describe();
            r.observed = 0.1 + 1e-17;
            r.source = "a, \"quoted\" source".into();
        }
        assert_eq!(csv_table_of(&fit, "").csv(), calib::fit_csv(&fit));
    }
}
