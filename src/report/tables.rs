//! The report's content: tables (CSV and HTML) and figure data, computed from the summaries.

use std::collections::BTreeMap;

use crate::output::{CI_HI, CI_LO, Discounting, MEAN, Q025, Q975, Summary, sample_stats};
use crate::record::{Metric, N_STRATA};
use crate::scenario::Scenario;

use super::figures::{Curve, Figure, KeyMark, Line, Panel, Points, Window, colour};
use super::{ReportInput, year_of};

/// A table cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, as is.
    Text(String),
    /// A number: written in full precision to CSV, rounded for reading in HTML.
    Num(f64),
}

impl Cell {
    fn csv(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Num(v) if v.is_finite() => format!("{v}"),
            Cell::Num(_) => String::new(),
        }
    }

    /// The cell as shown in the HTML report.
    pub fn shown(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Num(v) => format_number(*v),
        }
    }
}

/// A number as shown in the report: whole numbers as they are, others with four significant
/// digits (no exponent); "-" when not finite.
pub fn format_number(v: f64) -> String {
    if !v.is_finite() {
        return "-".into();
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        // Whole numbers (counts, indices) as they are.
        return format!("{v:.0}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    if magnitude < -5 {
        // Below 0.00001 four significant digits need more than eight decimals (and a
        // difference of rounding error, -5e-18, would read -0.00000000).
        return format!("{v:.3e}");
    }
    let decimals = (3 - magnitude).clamp(0, 8) as usize;
    format!("{v:.decimals$}")
}

/// A table of the report, written as `<name>.csv` and shown in the HTML.
#[derive(Debug, Clone)]
pub struct Table {
    /// File name stem.
    pub name: String,
    /// Caption.
    pub title: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// The table as CSV text.
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing to memory cannot fail.
        let _ = w.write_record(&self.header);
        for row in &self.rows {
            let _ = w.write_record(row.iter().map(Cell::csv));
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

/// One section of the report: its figures and tables (indices into [`Built`]).
#[derive(Debug, Clone)]
pub struct Section {
    /// HTML id.
    pub id: &'static str,
    /// Heading.
    pub title: String,
    /// Text before the figures and tables.
    pub intro: String,
    /// Figures shown.
    pub figures: Vec<usize>,
    /// Tables shown.
    pub tables: Vec<usize>,
}

/// Everything computed for a report.
#[derive(Debug, Clone)]
pub struct Built {
    /// Figures.
    pub figures: Vec<Figure>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Sections in order (the methods box follows them).
    pub sections: Vec<Section>,
    /// The fit to calibration targets, when asked for: what the page shows besides its
    /// section's figures.
    pub fit: Option<super::fit::FitShown>,
}

/// The outcomes of the headline table: prevalence (of common mental disorder, and at the
/// level of a depressive episode), services, costs and wellbeing, then suicides and the
/// course of episodes (durations of the episodes that ended in the year,
/// and recurrence within 5 years of a first episode, which needs a run of 5 years or more).
pub const HEADLINE: [Metric; 19] = [
    Metric::Prevalence,
    Metric::DepressivePrevalence,
    Metric::Incidence,
    Metric::Consultations,
    Metric::TherapyStarts,
    Metric::InTherapy,
    Metric::OnMedication,
    Metric::TreatmentShare,
    Metric::Crises,
    Metric::AdmissionsVoluntary,
    Metric::AdmissionsCompulsory,
    Metric::CostTotal,
    Metric::QalysWeek,
    Metric::WellbysWeek,
    Metric::Suicides,
    Metric::RemittedWithin13w,
    Metric::RemittedWithin52w,
    Metric::EpisodesOver104w,
    Metric::Recurrence5y,
];

/// Stratum indices (see [`crate::record::strata`]).
const ALL: usize = 0;
const QUINTILE_1: usize = 11;
/// The sex and age-band strata of the sex/age figure, and their labels.
const SEX_AGE: [(usize, &str); 9] = [
    (1, "male"),
    (2, "female"),
    (3, "5-15"),
    (4, "16-24"),
    (5, "25-34"),
    (6, "35-44"),
    (7, "45-54"),
    (8, "55-64"),
    (9, "65+"),
];
const YOUNG: usize = 3;

fn index(m: Metric) -> usize {
    Metric::ALL.iter().position(|x| *x == m).unwrap_or(0)
}

fn final_value(s: &Summary, stat: usize, m: Metric, stratum: usize) -> f64 {
    s.final_stat(stat)[index(m) * N_STRATA + stratum]
}

fn weekly(s: &Summary, stat: usize, m: Metric, stratum: usize) -> Vec<f64> {
    s.weekly_stat(index(m), stat)
        .chunks(N_STRATA)
        .map(|row| row[stratum])
        .collect()
}

/// Slope of `values` on the ridit (mid-point of the cumulative share) of each group ordered
/// as given, by least squares weighted by `weights`; `None` without weight or spread.
pub fn ridit_slope(weights: &[f64], values: &[f64]) -> Option<f64> {
    if weights.len() != values.len() {
        return None;
    }
    // Groups with nobody in them (or no value) take no part.
    let (weights, values): (Vec<f64>, Vec<f64>) = weights
        .iter()
        .zip(values)
        .filter(|(w, v)| w.is_finite() && **w > 0.0 && v.is_finite())
        .map(|(w, v)| (*w, *v))
        .unzip();
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let mut cum = 0.0;
    let ridits: Vec<f64> = weights
        .iter()
        .map(|w| {
            let r = (cum + w / 2.0) / total;
            cum += w;
            r
        })
        .collect();
    let mean_r: f64 = weights.iter().zip(&ridits).map(|(w, r)| w * r).sum::<f64>() / total;
    let mean_v: f64 = weights.iter().zip(&values).map(|(w, v)| w * v).sum::<f64>() / total;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for ((w, r), v) in weights.iter().zip(&ridits).zip(&values) {
        sxy += w * (r - mean_r) * (v - mean_v);
        sxx += w * (r - mean_r) * (r - mean_r);
    }
    (sxx > 0.0 && sxy.is_finite()).then(|| sxy / sxx)
}

/// Slope index of inequality (SII) and relative index (RII = SII / population-weighted mean)
/// of a prevalence across deprivation quintiles ordered from least to most deprived, weighted
/// by their populations: the SII is the difference in prevalence between the most and the
/// least deprived ends of the population, so a positive SII means more illness where
/// deprivation is greater.
pub fn slope_index(populations: &[f64], prevalence: &[f64]) -> Option<(f64, f64)> {
    let sii = ridit_slope(populations, prevalence)?;
    let (mut total, mut sum) = (0.0, 0.0);
    for (w, p) in populations.iter().zip(prevalence) {
        if w.is_finite() && *w > 0.0 && p.is_finite() {
            total += w;
            sum += w * p;
        }
    }
    let mean = sum / total;
    Some((sii, if mean > 0.0 { sii / mean } else { f64::NAN }))
}

/// The key of a figure whose panels show every scenario in its colour: one entry per
/// scenario, drawn as `mark`.
fn scenario_key(
    input: &ReportInput,
    mark: fn(plotters::style::RGBColor) -> KeyMark,
) -> Vec<(KeyMark, String)> {
    input
        .runs
        .iter()
        .enumerate()
        .map(|(i, run)| (mark(colour(i)), run.results.name.clone()))
        .collect()
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn years(input: &ReportInput) -> (f64, f64) {
    let r = &input.runs[0].results;
    (
        year_of(r.start_year, 0.0),
        year_of(r.start_year, r.weeks.max(1) as f64),
    )
}

fn time_line(
    input: &ReportInput,
    i: usize,
    m: Metric,
    stratum: usize,
    band: bool,
    label: String,
    dashed: bool,
) -> Line {
    let run = &input.runs[i].results;
    let x = |w: usize| year_of(run.start_year, w as f64);
    let mean = weekly(&run.summary, MEAN, m, stratum);
    let (lo, hi) = (
        weekly(&run.summary, Q025, m, stratum),
        weekly(&run.summary, Q975, m, stratum),
    );
    Line {
        label,
        colour: colour(i),
        dashed,
        mean: mean.iter().enumerate().map(|(w, v)| (x(w), *v)).collect(),
        band: if band {
            (0..mean.len()).map(|w| (x(w), lo[w], hi[w])).collect()
        } else {
            Vec::new()
        },
    }
}

pub(super) fn y_label(m: Metric) -> String {
    let name = match m {
        Metric::Prevalence => "Prevalence",
        Metric::WaitingList => "Waiting list",
        Metric::WaitMedian => "Median wait",
        Metric::BedOccupancy => "Bed occupancy",
        Metric::AdmissionsVoluntary | Metric::AdmissionsCompulsory => "Admissions",
        _ => m.name(),
    };
    format!("{name}, {}", m.unit())
}

fn time_panel(
    input: &ReportInput,
    windows: &[Window],
    title: &str,
    m: Metric,
    stratum: usize,
) -> Panel {
    Panel::Time {
        title: title.into(),
        y_label: y_label(m),
        lines: (0..input.runs.len())
            .map(|i| {
                let name = input.runs[i].results.name.clone();
                time_line(input, i, m, stratum, true, name, false)
            })
            .collect(),
        windows: windows.to_vec(),
        years: years(input),
    }
}

/// Final-year cells of one metric and stratum for one scenario: mean, 2.5% and 97.5%
/// quantiles across replicates, then for a compared scenario the mean paired difference from
/// the baseline with its 95% confidence interval, and the 2.5% and 97.5% quantiles of the
/// paired differences across replicates (empty cells for the baseline).
fn final_cells(run: &super::ReportRun, m: Metric, stratum: usize) -> [Cell; 8] {
    let s = &run.results.summary;
    let own = |stat| Cell::Num(final_value(s, stat, m, stratum));
    let [d_mean, d_lo, d_hi, d_q025, d_q975] = match &run.difference {
        Some(d) => [MEAN, CI_LO, CI_HI, Q025, Q975]
            .map(|stat| Cell::Num(final_value(&d.summary, stat, m, stratum))),
        None => [(); 5].map(|()| text("")),
    };
    [
        own(MEAN),
        own(Q025),
        own(Q975),
        d_mean,
        d_lo,
        d_hi,
        d_q025,
        d_q975,
    ]
}

/// The header of a table of final-year values: the `leading` columns, then the columns of
/// `final_cells` (mean, 2.5% and 97.5% quantiles, the paired difference with its 95%
/// confidence interval, and the 2.5% and 97.5% quantiles of the paired differences).
fn final_year_header(leading: &[&str]) -> Vec<String> {
    let stats = [
        "mean",
        "lo95",
        "hi95",
        "difference_mean",
        "difference_ci95_lo",
        "difference_ci95_hi",
        "difference_lo95",
        "difference_hi95",
    ];
    leading
        .iter()
        .chain(&stats)
        .map(|c| c.to_string())
        .collect()
}

/// Rows of final-year whole-population values of `metrics`, one per metric and scenario:
/// metric, unit, scenario, mean, 2.5% and 97.5% quantiles across replicates, then for a
/// compared scenario the mean paired difference from the baseline with its 95% confidence
/// interval (empty for the baseline).
fn final_year_rows(input: &ReportInput, metrics: &[Metric]) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for &m in metrics {
        for run in &input.runs {
            let mut row = vec![
                text(m.name()),
                text(m.unit()),
                text(run.results.name.clone()),
            ];
            row.extend(final_cells(run, m, ALL));
            rows.push(row);
        }
    }
    rows
}

/// Headline table: final-year mean and 95% interval across replicates of each outcome for
/// every scenario, and for compared scenarios the mean paired difference with its 95%
/// confidence interval and the 95% interval of the paired differences across replicates.
fn headline(input: &ReportInput) -> Table {
    let rows = final_year_rows(input, &HEADLINE);
    Table {
        name: "headline".into(),
        title: "Final-year outcomes (whole population): mean and 95% interval across replicates; \
                difference from the baseline: mean paired difference and its 95% confidence interval, \
                and the 2.5% and 97.5% quantiles of the paired differences across replicates"
            .into(),
        header: final_year_header(&["metric", "unit", "scenario"]),
        rows,
    }
}

/// Final-year SII and RII of prevalence across deprivation quintiles, from the mean
/// population and prevalence of each quintile.
fn final_slope_index(s: &Summary) -> (Vec<f64>, Option<(f64, f64)>) {
    let pops: Vec<f64> = (0..5)
        .map(|q| final_value(s, MEAN, Metric::Population, QUINTILE_1 + q))
        .collect();
    let prev: Vec<f64> = (0..5)
        .map(|q| final_value(s, MEAN, Metric::Prevalence, QUINTILE_1 + q))
        .collect();
    let index = slope_index(&pops, &prev);
    (prev, index)
}

fn inequality(input: &ReportInput, windows: &[Window]) -> (Figure, Table, Table) {
    let quintiles: Vec<String> = (1..=5)
        .map(|q| match q {
            1 => "Q1 (least)".to_string(),
            5 => "Q5 (most)".to_string(),
            q => format!("Q{q}"),
        })
        .collect();
    let points = input
        .runs
        .iter()
        .enumerate()
        .map(|(i, run)| Points {
            label: run.results.name.clone(),
            colour: colour(i),
            values: (0..5)
                .map(|q| {
                    let s = &run.results.summary;
                    let m = Metric::Prevalence;
                    (
                        final_value(s, MEAN, m, QUINTILE_1 + q),
                        final_value(s, Q025, m, QUINTILE_1 + q),
                        final_value(s, Q975, m, QUINTILE_1 + q),
                    )
                })
                .collect(),
        })
        .collect();
    // Weekly SII and RII per scenario, from the weekly means of each quintile.
    let mut sii_lines = Vec::new();
    let mut rii_lines = Vec::new();
    let mut gap_lines = Vec::new();
    let mut weekly_rows = Vec::new();
    for (i, run) in input.runs.iter().enumerate() {
        let s = &run.results.summary;
        let pops: Vec<Vec<f64>> = (0..5)
            .map(|q| weekly(s, MEAN, Metric::Population, QUINTILE_1 + q))
            .collect();
        let prev: Vec<Vec<f64>> = (0..5)
            .map(|q| weekly(s, MEAN, Metric::Prevalence, QUINTILE_1 + q))
            .collect();
        let (mut sii, mut rii) = (Vec::new(), Vec::new());
        for w in 0..s.weeks {
            let p: Vec<f64> = pops.iter().map(|v| v[w]).collect();
            let v: Vec<f64> = prev.iter().map(|v| v[w]).collect();
            let (a, b) = slope_index(&p, &v).unwrap_or((f64::NAN, f64::NAN));
            let x = year_of(run.results.start_year, w as f64);
            sii.push((x, a));
            rii.push((x, b));
            weekly_rows.push(vec![
                text(run.results.name.clone()),
                Cell::Num(w as f64),
                Cell::Num(x),
                Cell::Num(a),
                Cell::Num(b),
            ]);
        }
        let line = |mean: Vec<(f64, f64)>| Line {
            label: run.results.name.clone(),
            colour: colour(i),
            dashed: false,
            mean,
            band: Vec::new(),
        };
        sii_lines.push(line(sii));
        rii_lines.push(line(rii));
        let name = &run.results.name;
        // The most and the least deprived quintiles that have people (a small town may not
        // span all five).
        let lived: Vec<usize> = (0..5)
            .filter(|&q| final_value(s, MEAN, Metric::Population, QUINTILE_1 + q) > 0.0)
            .collect();
        if let (Some(&least), Some(&most)) = (lived.first(), lived.last()) {
            gap_lines.push(time_line(
                input,
                i,
                Metric::Prevalence,
                QUINTILE_1 + most,
                false,
                format!("{name}: Q{}", most + 1),
                false,
            ));
            if least != most {
                gap_lines.push(time_line(
                    input,
                    i,
                    Metric::Prevalence,
                    QUINTILE_1 + least,
                    false,
                    format!("{name}: Q{}", least + 1),
                    true,
                ));
            }
        }
    }
    let figure = Figure {
        name: "inequality".into(),
        title: "Inequality by neighbourhood deprivation".into(),
        grid: (2, 2),
        key: scenario_key(input, KeyMark::Line),
        panels: vec![
            Panel::Categories {
                title: "Final-year prevalence by deprivation quintile".into(),
                x_label: "Deprivation quintile".into(),
                y_label: y_label(Metric::Prevalence),
                categories: quintiles,
                highlight: None,
                connect: true,
                points,
            },
            Panel::Time {
                title: "Most (solid) and least (dashed) deprived quintiles".into(),
                y_label: y_label(Metric::Prevalence),
                lines: gap_lines,
                windows: windows.to_vec(),
                years: years(input),
            },
            Panel::Time {
                title: "Slope index of inequality (SII)".into(),
                y_label: "SII, prevalence gap (share)".into(),
                lines: sii_lines,
                windows: windows.to_vec(),
                years: years(input),
            },
            Panel::Time {
                title: "Relative index of inequality (RII)".into(),
                y_label: "RII = SII / mean prevalence".into(),
                lines: rii_lines,
                windows: windows.to_vec(),
                years: years(input),
            },
        ],
    };
    let mut rows = Vec::new();
    for run in &input.runs {
        let (prev, index) = final_slope_index(&run.results.summary);
        let mut row = vec![text(run.results.name.clone())];
        row.extend(prev.into_iter().map(Cell::Num));
        let (sii, rii) = index.unwrap_or((f64::NAN, f64::NAN));
        row.extend([Cell::Num(sii), Cell::Num(rii)]);
        rows.push(row);
    }
    let table = Table {
        name: "inequality".into(),
        title: "Final-year prevalence by deprivation quintile (mean across replicates), slope \
                index (SII) and relative index (RII) of inequality"
            .into(),
        header: [
            "scenario",
            "prevalence_q1_least_deprived",
            "prevalence_q2",
            "prevalence_q3",
            "prevalence_q4",
            "prevalence_q5_most_deprived",
            "sii",
            "rii",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    };
    let weekly_table = Table {
        name: "inequality_weekly".into(),
        title: "Slope index (SII) and relative index (RII) of inequality in prevalence, week by \
                week, from the means across replicates"
            .into(),
        header: ["scenario", "week", "year", "sii", "rii"]
            .map(String::from)
            .to_vec(),
        rows: weekly_rows,
    };
    (figure, table, weekly_table)
}

fn sex_age(input: &ReportInput) -> (Figure, Table) {
    let m = Metric::Prevalence;
    let points = input
        .runs
        .iter()
        .enumerate()
        .map(|(i, run)| {
            let s = &run.results.summary;
            Points {
                label: run.results.name.clone(),
                colour: colour(i),
                values: SEX_AGE
                    .iter()
                    .map(|(k, _)| {
                        (
                            final_value(s, MEAN, m, *k),
                            final_value(s, Q025, m, *k),
                            final_value(s, Q975, m, *k),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let figure = Figure {
        name: "sex_age".into(),
        title: "Final-year prevalence by sex and age band".into(),
        grid: (1, 1),
        key: scenario_key(input, KeyMark::Interval),
        panels: vec![Panel::Categories {
            title: "Mean and 95% interval across replicates; young people (16-24) highlighted"
                .into(),
            x_label: "Sex and age band (years)".into(),
            y_label: y_label(m),
            categories: SEX_AGE.iter().map(|(_, n)| n.to_string()).collect(),
            highlight: Some((YOUNG, "young people".into())),
            connect: false,
            points,
        }],
    };
    let mut rows = Vec::new();
    for (k, name) in SEX_AGE {
        for run in &input.runs {
            let mut row = vec![text(name), text(run.results.name.clone())];
            row.extend(final_cells(run, m, k));
            rows.push(row);
        }
    }
    let table = Table {
        name: "sex_age".into(),
        title: "Final-year prevalence by sex and age band".into(),
        header: final_year_header(&["group", "scenario"]),
        rows,
    };
    (figure, table)
}

const SERVICES: [Metric; 7] = [
    Metric::WaitingList,
    Metric::WaitMedian,
    Metric::WaitWithin18,
    Metric::AdmissionsVoluntary,
    Metric::AdmissionsCompulsory,
    Metric::Inpatients,
    Metric::BedOccupancy,
];

/// Weeks of the centred moving average of the admissions panel.
const ADMISSIONS_SMOOTHING: usize = 13;

/// The centred moving average of `points` over `width` points (fewer at the ends), of the
/// finite values in each window; a window with none gives NaN (a gap).
fn moving_average(points: &[(f64, f64)], width: usize) -> Vec<(f64, f64)> {
    let half = width / 2;
    (0..points.len())
        .map(|i| {
            let window = &points[i.saturating_sub(half)..(i + half + 1).min(points.len())];
            let (sum, n) = window
                .iter()
                .filter(|p| p.1.is_finite())
                .fold((0.0, 0usize), |(s, n), p| (s + p.1, n + 1));
            (points[i].0, if n > 0 { sum / n as f64 } else { f64::NAN })
        })
        .collect()
}

fn services(input: &ReportInput, windows: &[Window]) -> (Figure, Table) {
    // Admissions are rare events: week by week they are mostly noise, so the panel shows
    // their 13-week moving average.
    let smoothed = |mut line: Line| {
        line.mean = moving_average(&line.mean, ADMISSIONS_SMOOTHING);
        line
    };
    let admissions = Panel::Time {
        title: "Admissions, 13-week average (dashed: compulsory)".into(),
        y_label: Metric::AdmissionsVoluntary.unit().into(),
        lines: (0..input.runs.len())
            .flat_map(|i| {
                let name = &input.runs[i].results.name;
                [
                    smoothed(time_line(
                        input,
                        i,
                        Metric::AdmissionsVoluntary,
                        ALL,
                        false,
                        format!("{name}: voluntary"),
                        false,
                    )),
                    smoothed(time_line(
                        input,
                        i,
                        Metric::AdmissionsCompulsory,
                        ALL,
                        false,
                        format!("{name}: compulsory"),
                        true,
                    )),
                ]
            })
            .collect(),
        windows: windows.to_vec(),
        years: years(input),
    };
    let figure = Figure {
        name: "services".into(),
        title: "Services".into(),
        grid: (2, 2),
        key: scenario_key(input, KeyMark::LineWithBand),
        panels: vec![
            time_panel(
                input,
                windows,
                "Talking-therapy waiting list",
                Metric::WaitingList,
                ALL,
            ),
            time_panel(
                input,
                windows,
                "Median wait of therapy starters",
                Metric::WaitMedian,
                ALL,
            ),
            admissions,
            time_panel(
                input,
                windows,
                "Local bed occupancy",
                Metric::BedOccupancy,
                ALL,
            ),
        ],
    };
    let rows = final_year_rows(input, &SERVICES);
    let table = Table {
        name: "services".into(),
        title: "Final-year service measures (whole population)".into(),
        header: final_year_header(&["metric", "unit", "scenario"]),
        rows,
    };
    (figure, table)
}

/// What the figure of differences shows: (metric, stratum, stratum's name, panel title).
/// The deprived group is the most deprived quintile the baseline has people in (a small town
/// may not span all five).
fn difference_measures(base: &Summary) -> [(Metric, usize, String, String); 4] {
    let most = (0..5)
        .rev()
        .find(|&q| final_value(base, MEAN, Metric::Population, QUINTILE_1 + q) > 0.0)
        .unwrap_or(4);
    let group = if most == 4 {
        "most deprived fifth"
    } else {
        "most deprived quintile with people"
    };
    [
        (
            Metric::Prevalence,
            ALL,
            "all".into(),
            "Prevalence, whole population".into(),
        ),
        (
            Metric::Prevalence,
            QUINTILE_1 + most,
            format!("imd_q{}", most + 1),
            format!("Prevalence, {group} (Q{})", most + 1),
        ),
        (
            Metric::WaitingList,
            ALL,
            "all".into(),
            "Talking-therapy waiting list".into(),
        ),
        (
            Metric::CostTotal,
            ALL,
            "all".into(),
            "Cost of services and programmes".into(),
        ),
    ]
}

/// Year labels of a category axis of `years` years from `start_year`: at most about eight,
/// on every year, or on years that are multiples of 2, 5 or 10, the others left blank.
fn year_labels(start_year: u32, years: usize) -> Vec<String> {
    let step = match years {
        0..=8 => 1,
        9..=16 => 2,
        17..=40 => 5,
        _ => 10,
    };
    (0..years)
        .map(|y| {
            let year = start_year as usize + y;
            if year.is_multiple_of(step) {
                year.to_string()
            } else {
                String::new()
            }
        })
        .collect()
}

/// For a comparison: the paired differences from the baseline, year by year (the mean over
/// each recorded year of every replicate's difference, then its mean and 95% confidence
/// interval across replicates), as a figure and a table; `None` for a single run.
/// The compared scenarios that have paired differences: (index in the report, run, the
/// differences' summary).
fn compared(input: &ReportInput) -> Vec<(usize, &super::ReportRun, &Summary)> {
    input
        .runs
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(i, run)| run.difference.as_ref().map(|d| (i, run, &d.summary)))
        .collect()
}

fn differences(input: &ReportInput) -> Option<(Figure, Table)> {
    if !input.is_comparison() {
        return None;
    }
    let base = &input.runs[0].results;
    let compared = compared(input);
    let years = compared
        .iter()
        .map(|(_, _, s)| s.years())
        .max()
        .unwrap_or(0);
    let start = base.start_year as u32;
    let yearly = |s: &Summary, stat: usize, m: Metric, stratum: usize| -> Vec<f64> {
        (0..years)
            .map(|y| {
                if y < s.years() {
                    s.yearly_stat(stat, y, index(m), stratum)
                } else {
                    f64::NAN
                }
            })
            .collect()
    };
    let measures = difference_measures(&base.summary);
    let panels = measures
        .iter()
        .map(|&(m, stratum, _, ref title)| Panel::Categories {
            title: title.clone(),
            x_label: "Year".into(),
            y_label: format!("Difference, {}", m.unit()),
            categories: year_labels(start, years),
            highlight: None,
            connect: true,
            points: compared
                .iter()
                .map(|&(i, run, s)| {
                    let (mean, lo, hi) = (
                        yearly(s, MEAN, m, stratum),
                        yearly(s, CI_LO, m, stratum),
                        yearly(s, CI_HI, m, stratum),
                    );
                    Points {
                        label: run.results.name.clone(),
                        colour: colour(i),
                        values: (0..years).map(|y| (mean[y], lo[y], hi[y])).collect(),
                    }
                })
                .collect(),
        })
        .collect();
    let figure = Figure {
        name: "difference".into(),
        title: format!(
            "Scenario minus {}, year by year: mean and 95% CI",
            base.name
        ),
        grid: (2, 2),
        key: compared
            .iter()
            .map(|&(i, run, _)| (KeyMark::Interval(colour(i)), run.results.name.clone()))
            .collect(),
        panels,
    };
    let mut rows = Vec::new();
    for &(m, stratum, ref group, _) in &measures {
        for &(_, run, s) in &compared {
            let stats = [MEAN, CI_LO, CI_HI, Q025, Q975].map(|k| yearly(s, k, m, stratum));
            for y in 0..years.min(s.years()) {
                let mut row = vec![
                    text(m.name()),
                    text(group.clone()),
                    text(m.unit()),
                    text(run.results.name.clone()),
                    Cell::Num((start as usize + y) as f64),
                ];
                row.extend(stats.iter().map(|v| Cell::Num(v[y])));
                rows.push(row);
            }
        }
    }
    let table = Table {
        name: "difference_yearly".into(),
        title: format!(
            "Paired differences from the baseline ({}) by year: mean with its 95% confidence \
             interval, and the 2.5% and 97.5% quantiles across replicates",
            base.name
        ),
        header: [
            "metric",
            "group",
            "unit",
            "scenario",
            "year",
            "difference_mean",
            "difference_ci95_lo",
            "difference_ci95_hi",
            "difference_lo95",
            "difference_hi95",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    };
    Some((figure, table))
}

/// NICE's range of willingness to pay for a QALY, GBP: 20,000 to 30,000 (NICE health
/// technology evaluations manual, 2022).
pub const NICE_THRESHOLDS: [f64; 2] = [20_000.0, 30_000.0];

/// Each replicate's incremental net monetary benefit over the run at `threshold` GBP per
/// QALY, `threshold x incremental QALYs - incremental cost`, from the discounted totals of
/// the paired differences (whole population); NaN where either is missing.
pub fn net_benefits(difference: &Summary, threshold: f64) -> Vec<f64> {
    let n = Metric::ALL.len();
    let (q, c) = (index(Metric::QalysWeek), index(Metric::CostTotal));
    difference
        .replicate_totals
        .chunks_exact(n)
        .map(|r| threshold * r[q] - r[c])
        .collect()
}

/// The share of replicates whose net benefit is positive (NaN without any finite one).
pub fn share_cost_effective(net_benefits: &[f64]) -> f64 {
    let finite: Vec<f64> = net_benefits
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    if finite.is_empty() {
        return f64::NAN;
    }
    finite.iter().filter(|x| **x > 0.0).count() as f64 / finite.len() as f64
}

/// For a comparison whose paired differences keep each replicate's discounted totals: the
/// cost-effectiveness acceptability curve of each scenario (the share of replicates in which
/// it is cost-effective against the baseline, at each willingness to pay for a QALY) and the
/// table of net monetary benefits at NICE's thresholds and the Green Book's value of a QALY.
fn net_benefit(input: &ReportInput) -> Option<(Figure, Table)> {
    let compared: Vec<_> = compared(input)
        .into_iter()
        .filter(|(_, _, d)| !d.replicate_totals.is_empty())
        .collect();
    if compared.is_empty() {
        return None;
    }
    let green_book = input.runs[0].scenario.valuation.qaly_value;
    // Up to 1.5 times the Green Book's value, at least GBP 100,000, and a quarter beyond the
    // largest cost per QALY gained (at most 10 times the Green Book's value), so that each
    // curve shows where it rises.
    let largest_ratio = compared
        .iter()
        .map(|(_, _, d)| {
            let get = |m| d.discounted_stat(MEAN)[index(m) * N_STRATA + ALL];
            get(Metric::CostTotal) / get(Metric::QalysWeek)
        })
        .filter(|r| r.is_finite() && *r > 0.0)
        .fold(0.0, f64::max);
    let top = (1.5 * green_book)
        .max(100_000.0)
        .max((1.25 * largest_ratio).min(10.0 * green_book));
    let steps = 200;
    let lines = compared
        .iter()
        .map(|&(i, run, d)| Line {
            label: run.results.name.clone(),
            colour: colour(i),
            dashed: false,
            mean: (0..=steps)
                .map(|k| {
                    let threshold = top * k as f64 / steps as f64;
                    (
                        threshold / 1000.0,
                        share_cost_effective(&net_benefits(d, threshold)),
                    )
                })
                .collect(),
            band: Vec::new(),
        })
        .collect();
    let figure = Figure {
        name: "acceptability".into(),
        title: "Cost-effectiveness acceptability over the whole run (discounted)".into(),
        grid: (1, 1),
        key: compared
            .iter()
            .map(|&(i, run, _)| (KeyMark::Line(colour(i)), run.results.name.clone()))
            .collect(),
        panels: vec![Panel::Curve(Curve {
            title: format!(
                "Share of replicates in which the scenario is cost-effective against {}",
                input.runs[0].results.name
            ),
            x_label: "Willingness to pay for a QALY (thousand GBP)".into(),
            y_label: "Share of replicates (0-1)".into(),
            x_range: (0.0, top / 1000.0),
            y_range: (0.0, 1.04),
            lines,
            marks: vec![
                ("NICE 20k".into(), NICE_THRESHOLDS[0] / 1000.0),
                ("NICE 30k".into(), NICE_THRESHOLDS[1] / 1000.0),
                ("Green Book".into(), green_book / 1000.0),
            ],
        })],
    };
    let thresholds = [
        (NICE_THRESHOLDS[0], "NICE, lower"),
        (NICE_THRESHOLDS[1], "NICE, upper"),
        (green_book, "Green Book (valuation.qaly_value)"),
    ];
    let mut rows = Vec::new();
    for &(_, run, d) in &compared {
        for (threshold, name) in thresholds {
            let values = net_benefits(d, threshold);
            let share = share_cost_effective(&values);
            let mut finite = values;
            let stats = sample_stats(&mut finite);
            rows.push(vec![
                text(run.results.name.clone()),
                text(name),
                Cell::Num(threshold),
                Cell::Num(d.weeks as f64 / 52.0),
                Cell::Num(stats[MEAN]),
                Cell::Num(stats[CI_LO]),
                Cell::Num(stats[CI_HI]),
                Cell::Num(share),
                Cell::Num(finite.len() as f64),
            ]);
        }
    }
    let table = Table {
        name: "net_benefit".into(),
        title: format!(
            "Incremental net monetary benefit against the baseline over the whole run, \
             discounted at {} (GBP): willingness to pay x incremental QALYs - incremental \
             cost, replicate by replicate from the paired totals, mean with 95% confidence \
             interval, and the share of replicates in which it is positive (cost-effective)",
            discounting(input).describe()
        ),
        header: [
            "scenario",
            "threshold",
            "gbp_per_qaly",
            "years",
            "net_benefit",
            "net_benefit_ci95_lo",
            "net_benefit_ci95_hi",
            "share_cost_effective",
            "replicates",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    };
    Some((figure, table))
}

/// The columns of a cost-effectiveness table after the scenario's: incremental cost, QALYs
/// and WELLBYs with their confidence intervals, and the cost per QALY and per WELLBY gained.
const INCREMENTS: [&str; 11] = [
    "incremental_cost",
    "incremental_cost_ci95_lo",
    "incremental_cost_ci95_hi",
    "incremental_qalys",
    "incremental_qalys_ci95_lo",
    "incremental_qalys_ci95_hi",
    "incremental_wellbys",
    "incremental_wellbys_ci95_lo",
    "incremental_wellbys_ci95_hi",
    "cost_per_qaly_gained",
    "cost_per_wellby_gained",
];

/// The cells of [`INCREMENTS`] from `get(stat, metric)`, the whole-population statistics of
/// paired differences.
fn increments(get: impl Fn(usize, Metric) -> f64) -> Vec<Cell> {
    let (dc, dq, dw) = (
        get(MEAN, Metric::CostTotal),
        get(MEAN, Metric::QalysWeek),
        get(MEAN, Metric::WellbysWeek),
    );
    let mut cells = Vec::new();
    for (mean, m) in [
        (dc, Metric::CostTotal),
        (dq, Metric::QalysWeek),
        (dw, Metric::WellbysWeek),
    ] {
        cells.extend([mean, get(CI_LO, m), get(CI_HI, m)].map(Cell::Num));
    }
    cells.push(per_gain(dc, dq, "QALYs"));
    cells.push(per_gain(dc, dw, "WELLBYs"));
    cells
}

/// Cost per unit of outcome gained, or why there is none.
fn per_gain(cost: f64, gain: f64, unit: &str) -> Cell {
    if !(cost.is_finite() && gain.is_finite()) {
        Cell::Num(f64::NAN)
    } else if gain > 0.0 && cost <= 0.0 {
        text(format!("dominant (saves money and gains {unit})"))
    } else if gain > 0.0 {
        Cell::Num(cost / gain)
    } else if gain == 0.0 {
        text(format!("no {unit} gained"))
    } else {
        text(format!("fewer {unit} than the baseline"))
    }
}

fn costs(input: &ReportInput) -> Vec<Table> {
    let mut levels = Vec::new();
    for run in &input.runs {
        let s = &run.results.summary;
        let mut row = vec![text(run.results.name.clone())];
        for m in [
            Metric::CostServices,
            Metric::CostProgrammes,
            Metric::CostTotal,
        ] {
            row.push(Cell::Num(final_value(s, MEAN, m, ALL)));
        }
        row.extend([
            Cell::Num(final_value(s, Q025, Metric::CostTotal, ALL)),
            Cell::Num(final_value(s, Q975, Metric::CostTotal, ALL)),
            Cell::Num(final_value(s, MEAN, Metric::QalysWeek, ALL)),
            Cell::Num(final_value(s, MEAN, Metric::WellbysWeek, ALL)),
        ]);
        levels.push(row);
    }
    let mut tables = vec![Table {
        name: "costs".into(),
        title: "Final-year costs (GBP per week, mean across replicates; total with its 95% \
                interval) and outcomes (QALYs and WELLBYs per week)"
            .into(),
        header: [
            "scenario",
            "cost_services",
            "cost_programmes",
            "cost_total",
            "cost_total_lo95",
            "cost_total_hi95",
            "qalys",
            "wellbys",
        ]
        .map(String::from)
        .to_vec(),
        rows: levels,
    }];
    let final_rows: Vec<Vec<Cell>> = input
        .runs
        .iter()
        .filter_map(|run| {
            let s = &run.difference.as_ref()?.summary;
            let mut row = vec![text(run.results.name.clone())];
            row.extend(increments(|stat, m| final_value(s, stat, m, ALL)));
            Some(row)
        })
        .collect();
    if !final_rows.is_empty() {
        tables.push(Table {
            name: "cost_effectiveness".into(),
            title: "Against the baseline, final year: incremental cost (GBP per week), QALYs and \
                    WELLBYs (per week), mean paired differences with 95% confidence intervals; \
                    cost per QALY and per WELLBY gained (GBP) = incremental cost / incremental \
                    QALYs (WELLBYs)"
                .into(),
            header: ["scenario"]
                .iter()
                .chain(&INCREMENTS)
                .map(|h| h.to_string())
                .collect(),
            rows: final_rows,
        });
    }
    // The same over the whole run, discounted (files written before discounted totals
    // existed have none: no table).
    let run_rows: Vec<Vec<Cell>> = input
        .runs
        .iter()
        .filter_map(|run| {
            let s = &run.difference.as_ref()?.summary;
            let get = |stat, m| s.discounted_stat(stat)[index(m) * N_STRATA + ALL];
            if !get(MEAN, Metric::CostTotal).is_finite() {
                return None;
            }
            let mut row = vec![
                text(run.results.name.clone()),
                Cell::Num(s.weeks as f64 / 52.0),
                Cell::Num(s.discounting.costs),
                Cell::Num(s.discounting.health),
            ];
            row.extend(increments(get));
            Some(row)
        })
        .collect();
    if !run_rows.is_empty() {
        tables.push(Table {
            name: "cost_effectiveness_discounted".into(),
            title: format!(
                "Against the baseline over the whole run, discounted at {} \
                 (`valuation.discount_rate` for costs, `valuation.health_discount_rate` for \
                 health effects; 3.5% for both by default, the NICE reference case): \
                 incremental cost (GBP), QALYs and WELLBYs, each replicate's discounted total \
                 of the weekly paired differences, mean with 95% confidence interval; cost per \
                 QALY and per WELLBY gained (GBP)",
                discounting(input).describe()
            ),
            header: [
                "scenario",
                "years",
                "discount_rate_costs",
                "discount_rate_health",
            ]
            .iter()
            .chain(&INCREMENTS)
            .map(|h| h.to_string())
            .collect(),
            rows: run_rows,
        });
    }
    tables
}

/// The rates of a report's discounted totals: the baseline's (a comparison's scenarios share
/// them).
fn discounting(input: &ReportInput) -> Discounting {
    input.runs[0].results.summary.discounting
}

/// Every leaf of a TOML table by key path (`section.key`, `policy[0].key`).
fn flatten(prefix: &str, value: &toml::Value, out: &mut BTreeMap<String, String>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&path, v, out);
            }
        }
        toml::Value::Array(items) if items.iter().any(|v| v.is_table()) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// The parameters of a resolved scenario that differ from the built-in defaults, as
/// (key path, default, value); a key absent on one side shows as empty there.
pub fn differing_parameters(resolved: &str) -> Vec<(String, String, String)> {
    let parse = |text: &str| {
        let mut out = BTreeMap::new();
        if let Ok(t) = text.parse::<toml::Table>() {
            flatten("", &toml::Value::Table(t), &mut out);
        }
        out
    };
    let defaults = parse(&Scenario::default().resolved_toml());
    let values = parse(resolved);
    let mut keys: Vec<&String> = defaults.keys().chain(values.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| defaults.get(*k) != values.get(*k))
        .map(|k| {
            (
                k.clone(),
                defaults.get(k).cloned().unwrap_or_default(),
                values.get(k).cloned().unwrap_or_default(),
            )
        })
        .collect()
}

fn parameters(input: &ReportInput) -> Table {
    let mut rows = Vec::new();
    for run in &input.runs {
        for (key, default, value) in differing_parameters(&run.results.scenario) {
            rows.push(vec![
                text(run.results.name.clone()),
                text(key),
                text(default),
                text(value),
            ]);
        }
    }
    Table {
        name: "parameters".into(),
        title: "Parameters that differ from the built-in defaults".into(),
        header: ["scenario", "parameter", "default", "value"]
            .map(String::from)
            .to_vec(),
        rows,
    }
}

/// Build every figure, table and section of the report.
pub fn build(input: &ReportInput, windows: &[Window]) -> Built {
    let mut figures = Vec::new();
    let mut tables = Vec::new();
    let mut sections = Vec::new();
    let comparison = input.is_comparison();
    let intervals = if comparison {
        "Levels are means across replicates with the 2.5% and 97.5% quantiles across \
         replicates (95% interval). Differences from the baseline are paired, replicate by \
         replicate (common random numbers), and given as the mean difference with its 95% \
         confidence interval (how precisely the replicates pin down the mean effect); the \
         tables also give the 2.5% and 97.5% quantiles of the paired differences across \
         replicates (how much the effect varies from one replicate to another, and, with \
         parameters drawn from a posterior, with the parameters)."
    } else {
        "Levels are means across replicates with the 2.5% and 97.5% quantiles across \
         replicates (95% interval)."
    };
    tables.push(headline(input));
    sections.push(Section {
        id: "headline",
        title: "Headline outcomes".into(),
        intro: format!(
            "Final year: the mean over the last {} recorded weeks of each replicate. {intervals}",
            input.runs[0].results.summary.final_weeks
        ),
        figures: vec![],
        tables: vec![0],
    });
    if let Some((figure, table)) = differences(input) {
        sections.push(Section {
            id: "difference",
            title: "Differences from the baseline".into(),
            intro: "What each scenario changes, year by year: the mean over each recorded year \
                    of the paired difference (scenario minus baseline, replicate by replicate, \
                    with common random numbers), with its 95% confidence interval across \
                    replicates; where the interval does not cross the line of no difference, \
                    the replicates pin down the sign of the effect. The table \
                    difference_yearly.csv also gives the 2.5% and 97.5% quantiles of the \
                    differences across replicates."
                .into(),
            figures: vec![figures.len()],
            tables: vec![tables.len()],
        });
        figures.push(figure);
        tables.push(table);
    }
    figures.push(Figure {
        name: "prevalence".into(),
        title: "Prevalence of common mental disorder over time".into(),
        grid: (1, 1),
        key: scenario_key(input, KeyMark::LineWithBand),
        panels: vec![time_panel(
            input,
            windows,
            "Whole population: mean across replicates with 95% band; shaded: policy and shock windows",
            Metric::Prevalence,
            ALL,
        )],
    });
    sections.push(Section {
        id: "prevalence",
        title: "Prevalence over time".into(),
        intro: "Share of the population in an episode of common mental disorder each week, \
                one line per scenario (mean across replicates) with its 95% band; policy \
                (blue) and shock (orange) windows are shaded and labelled."
            .into(),
        figures: vec![figures.len() - 1],
        tables: vec![],
    });
    let (figure, table, weekly_table) = inequality(input, windows);
    figures.push(figure);
    tables.push(table);
    sections.push(Section {
        id: "inequality",
        title: "Inequality".into(),
        intro: "Prevalence by neighbourhood deprivation quintile (Q1 least, Q5 most deprived). \
                The slope index of inequality (SII) is the least-squares slope of prevalence on \
                the ridit of the quintile (its mid-point in the population ordered from least \
                to most deprived), weighted by the quintiles' populations: the gap in \
                prevalence between the most and the least deprived ends; the relative index \
                (RII) is the SII divided by the mean prevalence. Both are computed from the \
                means across replicates, week by week (also in inequality_weekly.csv)."
            .into(),
        figures: vec![figures.len() - 1],
        tables: vec![tables.len() - 1],
    });
    let (figure, table) = sex_age(input);
    figures.push(figure);
    tables.push(table);
    sections.push(Section {
        id: "sex-age",
        title: "By sex and age".into(),
        intro: "Final-year prevalence by sex and age band; young people aged 16-24 are \
                highlighted."
            .into(),
        figures: vec![figures.len() - 1],
        tables: vec![tables.len() - 1],
    });
    let (figure, table) = services(input, windows);
    figures.push(figure);
    tables.push(table);
    sections.push(Section {
        id: "services",
        title: "Services".into(),
        intro: "Talking-therapy waiting list and waits, psychiatric admissions (voluntary and \
                compulsory) and local bed occupancy, week by week (means across replicates; \
                waiting list, wait and occupancy with 95% bands; admissions, rare events, as \
                a centred 13-week moving average)."
            .into(),
        figures: vec![figures.len() - 1],
        tables: vec![tables.len() - 1],
    });
    let first_cost = tables.len();
    let cost_tables = costs(input);
    tables.extend(cost_tables);
    let mut cost_figures = Vec::new();
    if let Some((figure, table)) = net_benefit(input) {
        cost_figures.push(figures.len());
        figures.push(figure);
        tables.push(table);
    }
    let n_cost = tables.len() - first_cost;
    sections.push(Section {
        id: "costs",
        title: "Costs and cost-effectiveness".into(),
        intro: if comparison {
            format!(
                "Costs of services and programmes, and for each scenario against the baseline the \
             incremental cost and outcomes and the cost per QALY and per WELLBY gained \
             (incremental cost divided by incremental QALYs or WELLBYs, from the mean paired \
             differences): in the final year, a programme's running state, and over the whole \
             run with costs and outcomes of later years discounted (year y of the run weighs \
             (1 + rate)^-y, at {}), which counts what a programme costs and gains while it \
             builds up. Over the whole run, the incremental net monetary benefit (willingness \
             to pay for a QALY x incremental QALYs - incremental cost) is computed replicate \
             by replicate, with its confidence interval, at NICE's thresholds (GBP 20,000 \
             and 30,000 per QALY) and the Green Book's value of a QALY \
             (`valuation.qaly_value`), and the acceptability curve gives the share of \
             replicates in which the scenario is cost-effective at each willingness to pay. \
             Replicates differ by chance events in the town; run with `--posterior` to add \
             the calibrated parameters' uncertainty (a probabilistic sensitivity analysis).",
                discounting(input).describe()
            )
        } else {
            "Costs of services and programmes; cost per QALY and per WELLBY gained need a \
             comparison with a baseline (`mhsim run BASELINE.toml SCENARIO.toml`)."
                .into()
        },
        figures: cost_figures,
        tables: (first_cost..first_cost + n_cost).collect(),
    });
    tables.push(parameters(input));
    tables.push(weekly_table);
    Built {
        figures,
        tables,
        sections,
        fit: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_index_of_a_linear_gradient() {
        // Equal quintiles: ridits 0.1, 0.3, ..., 0.9; prevalence rising 0.1 per quintile is
        // 0.5 per unit ridit.
        let pops = [1.0; 5];
        let prev = [0.1, 0.2, 0.3, 0.4, 0.5];
        let (sii, rii) = slope_index(&pops, &prev).unwrap();
        assert!((sii - 0.5).abs() < 1e-12, "{sii}");
        assert!((rii - 0.5 / 0.3).abs() < 1e-12, "{rii}");
        assert_eq!(slope_index(&pops, &[0.2; 5]).unwrap().0, 0.0);
        assert!(slope_index(&[0.0; 5], &prev).is_none());
        // Empty quintiles (no people, no prevalence) take no part.
        let (sii, _) = slope_index(
            &[0.0, 1.0, 0.0, 1.0, 0.0],
            &[f64::NAN, 0.1, f64::NAN, 0.3, f64::NAN],
        )
        .unwrap();
        assert!((sii - 0.4).abs() < 1e-12, "{sii}");
    }

    #[test]
    fn moving_averages_are_centred_and_skip_gaps() {
        let points: Vec<(f64, f64)> = [1.0, 2.0, f64::NAN, 4.0, 8.0]
            .iter()
            .enumerate()
            .map(|(i, v)| (i as f64, *v))
            .collect();
        let m = moving_average(&points, 3);
        let values: Vec<f64> = m.iter().map(|p| p.1).collect();
        assert_eq!(values, vec![1.5, 1.5, 3.0, 6.0, 6.0]);
        assert_eq!(m[2].0, 2.0);
        assert!(moving_average(&[(0.0, f64::NAN)], 13)[0].1.is_nan());
        assert_eq!(moving_average(&points, 1)[1].1, 2.0);
    }

    #[test]
    fn year_labels_thin_out_on_long_runs() {
        assert_eq!(year_labels(2024, 3), ["2024", "2025", "2026"]);
        let ten = year_labels(2024, 10);
        assert_eq!(ten[0], "2024");
        assert_eq!(ten[1], "");
        assert_eq!(ten.iter().filter(|l| !l.is_empty()).count(), 5);
        let long = year_labels(2005, 20);
        assert_eq!(long[0], "2005");
        assert_eq!(long[5], "2010");
        assert_eq!(long.iter().filter(|l| !l.is_empty()).count(), 4);
        assert_eq!(
            year_labels(2000, 50)
                .iter()
                .filter(|l| !l.is_empty())
                .count(),
            5
        );
    }

    #[test]
    fn numbers_are_shown_with_four_significant_digits() {
        assert_eq!(format_number(0.123456), "0.1235");
        assert_eq!(format_number(12345.678), "12346");
        assert_eq!(format_number(-0.00012346), "-0.0001235");
        assert_eq!(format_number(f64::NAN), "-");
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(-1.0), "-1");
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(0.000013604), "0.00001360");
        assert_eq!(format_number(-5.551e-18), "-5.551e-18");
        assert_eq!(format_number(2.5e-7), "2.500e-7");
    }

    #[test]
    fn dates_label_years_and_months() {
        use super::super::figures::date_label;
        assert_eq!(date_label(2024.0), "2024");
        assert_eq!(date_label(2024.5), "Jul 2024");
        assert_eq!(date_label(2030.1), "Feb 2030");
    }

    #[test]
    fn defaults_differ_in_nothing() {
        assert!(differing_parameters(&Scenario::default().resolved_toml()).is_empty());
        let s = Scenario::from_str("people = 300", "t", None, &[]).unwrap();
        let diff = differing_parameters(&s.resolved_toml());
        assert!(
            diff.iter().any(|(k, _, v)| k == "people" && v == "300"),
            "{diff:?}"
        );
    }

    #[test]
    fn cost_per_gain_says_why_there_is_none() {
        assert_eq!(per_gain(100.0, 2.0, "QALYs"), Cell::Num(50.0));
        assert!(matches!(per_gain(-1.0, 2.0, "QALYs"), Cell::Text(t) if t.starts_with("dominant")));
        assert!(matches!(per_gain(1.0, -2.0, "QALYs"), Cell::Text(t) if t.starts_with("fewer")));
    }
}
