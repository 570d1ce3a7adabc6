//! `mhsim fit`: how a run's results compare with a targets file, as a table and `fit.csv`.

use std::path::Path;

use crate::calib::targets::{Simulated, SummaryYears, Targets, YearlyStats};
use crate::output::Staged;
use crate::output::read::RunResults;

/// One row of the fit table.
#[derive(Debug, Clone, PartialEq)]
pub struct FitRow {
    /// Target name.
    pub name: String,
    /// What is measured (metric and subgroup, or a ratio).
    pub what: String,
    /// Years, as written.
    pub period: String,
    /// Observed value.
    pub observed: f64,
    /// The observation's 95% interval.
    pub interval: (f64, f64),
    /// Accepted range of the simulated mean.
    pub accepted: (f64, f64),
    /// Simulated mean and 95% range across replicates; `None` when the run does not cover
    /// the target's years.
    pub simulated: Option<Simulated>,
    /// Whether the simulated mean is in the accepted range.
    pub inside: Option<bool>,
    /// Source of the observation.
    pub source: String,
    /// Weight in the calibration distance (0: reported, not fitted).
    pub weight: f64,
}

/// The fit of a run to a targets file.
#[derive(Debug, Clone, PartialEq)]
pub struct FitTable {
    /// Targets file as named.
    pub targets_file: String,
    /// One row per target, in file order.
    pub rows: Vec<FitRow>,
    /// Calibration distance over the covered targets.
    pub distance: f64,
}

impl FitTable {
    /// Targets the run covers.
    pub fn covered(&self) -> usize {
        self.rows.iter().filter(|r| r.simulated.is_some()).count()
    }

    /// Covered targets inside their tolerance.
    pub fn inside(&self) -> usize {
        self.rows.iter().filter(|r| r.inside == Some(true)).count()
    }

    /// Covered targets with weight 0: reported, but not in the distance.
    pub fn unweighted(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.simulated.is_some() && r.weight == 0.0)
            .count()
    }

    /// The fit in one line: `N of M targets covered by the run are inside their tolerance;
    /// distance D`, and how many covered targets the distance leaves out (weight 0), or that
    /// the run covers none of them.
    pub fn verdict(&self) -> String {
        if self.covered() == 0 {
            return format!(
                "none of the {} targets is covered by the run",
                self.rows.len()
            );
        }
        let left_out = match self.unweighted() {
            0 => String::new(),
            1 => " (1 target with weight 0 is left out of it)".into(),
            n => format!(" ({n} targets with weight 0 are left out of it)"),
        };
        format!(
            "{} of {} targets covered by the run are inside their tolerance; distance {}{left_out}",
            self.inside(),
            self.covered(),
            num(self.distance)
        )
    }
}

/// Columns of `fit.csv`.
pub const CSV_HEADER: [&str; 14] = [
    "target",
    "measure",
    "years",
    "observed",
    "observed_lo95",
    "observed_hi95",
    "accepted_lo",
    "accepted_hi",
    "simulated_mean",
    "simulated_lo95",
    "simulated_hi95",
    "inside",
    "source",
    "weight",
];

/// How `inside` is written: `yes`, `no` or `not covered`.
pub fn inside_text(inside: Option<bool>) -> &'static str {
    match inside {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not covered",
    }
}

/// One row of `fit.csv`: numbers in full precision (shortest text that reads back exactly),
/// empty where there is none.
pub fn csv_record(r: &FitRow) -> [String; 14] {
    let (m, lo, hi) = r
        .simulated
        .map_or((f64::NAN, f64::NAN, f64::NAN), |s| (s.mean, s.lo, s.hi));
    let f = |x: f64| {
        if x.is_finite() {
            x.to_string()
        } else {
            String::new()
        }
    };
    [
        r.name.clone(),
        r.what.clone(),
        r.period.clone(),
        f(r.observed),
        f(r.interval.0),
        f(r.interval.1),
        f(r.accepted.0),
        f(r.accepted.1),
        f(m),
        f(lo),
        f(hi),
        inside_text(r.inside).to_string(),
        r.source.clone(),
        f(r.weight),
    ]
}

/// Fit a run's results (its yearly summaries) to `targets`.
pub fn fit_run(results: &RunResults, targets: &Targets) -> FitTable {
    let years = SummaryYears {
        summary: &results.summary,
        start_year: results.start_year as u32,
    };
    fit_table(targets, &years)
}

/// Fit yearly statistics (of a run, or of a sweep point) to `targets`.
pub fn fit_table(targets: &Targets, years: &dyn YearlyStats) -> FitTable {
    let fits = targets.fit(years);
    let rows = fits
        .iter()
        .map(|f| {
            let t = &targets.targets[f.target];
            FitRow {
                name: t.name.clone(),
                what: t.describe(),
                period: t.period(),
                observed: t.observed,
                interval: (t.lo, t.hi),
                accepted: (t.observed - t.tol_lo, t.observed + t.tol_hi),
                simulated: f.simulated,
                inside: f.inside(t),
                source: t.source.clone(),
                weight: t.weight,
            }
        })
        .collect();
    FitTable {
        targets_file: targets.file.clone(),
        rows,
        distance: targets.distance(&fits),
    }
}

/// A number with four significant digits, for tables.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "NA".into();
    }
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
    }
}

/// The fit as a plain-text table for the terminal.
pub fn format_table(table: &FitTable) -> String {
    let header = [
        "target",
        "years",
        "observed [95% interval]",
        "accepted",
        "simulated [95% range]",
        "inside",
        "weight",
    ];
    let rows: Vec<[String; 7]> = table
        .rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.period.clone(),
                format!(
                    "{} [{}, {}]",
                    num(r.observed),
                    num(r.interval.0),
                    num(r.interval.1)
                ),
                format!("{} to {}", num(r.accepted.0), num(r.accepted.1)),
                match r.simulated {
                    Some(s) => format!("{} [{}, {}]", num(s.mean), num(s.lo), num(s.hi)),
                    None => "not in the run".into(),
                },
                match r.inside {
                    Some(true) => "yes".into(),
                    Some(false) => "NO".into(),
                    None => "-".into(),
                },
                r.weight.to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(&header.map(String::from));
    out.push('\n');
    out.push_str(&line(&widths.map(|w| "-".repeat(w))));
    out.push('\n');
    for row in &rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out.push_str(&table.verdict());
    out.push('\n');
    out
}

/// The fit as CSV text (the contents of `fit.csv`).
pub fn fit_csv(table: &FitTable) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = w.write_record(CSV_HEADER);
    for r in &table.rows {
        let _ = w.write_record(csv_record(r));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Write the fit as CSV (atomically).
pub fn write_fit_csv(path: &Path, table: &FitTable) -> std::io::Result<()> {
    let staged = Staged::new(path);
    std::fs::write(staged.path(), fit_csv(table))?;
    staged.commit()
}
