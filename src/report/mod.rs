//! Reports for decision makers: `report.html` (self-contained: inline SVG figures and CSS,
//! nothing loaded from the network), every figure as SVG and PNG, and the tables as CSV.
//!
//! A report is made from what a run wrote: one scenario's `results.h5`, or a comparison's
//! folder (`comparison.h5` and each scenario's `results.h5` in its subfolder). The results
//! are read through [`crate::output::read`]; this module is the only user of plotters, and
//! it writes only the report files, each under a temporary name renamed into place.

pub mod calibration;
pub mod figures;
mod fit;
mod html;
pub mod sweep;
mod tables;

use std::path::{Path, PathBuf};

use crate::calib::Targets;
use crate::experiment::ensemble::folder_name;
use crate::output::posterior::read_posterior_file;
use crate::output::read::{
    Difference, RunResults, is_sweep_results, read_comparison, read_results, read_sweep,
};
use crate::output::{FolderKind, Staged};
use crate::policy::Family;
use crate::scenario::Scenario;

pub use fit::{MAX_TRENDS, TrendGroup, trend_groups};
pub use tables::{HEADLINE, format_number, ridit_slope, slope_index};

/// What a report holds besides its standard sections.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportOptions<'a> {
    /// Calibration targets: adds the section "Fit to calibration targets" (for a
    /// comparison, the fit of its baseline; a sweep's report has none).
    pub targets: Option<&'a Targets>,
}

/// What went wrong making a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The input is not something a report can be made from (exit code 2 in the binary).
    #[error("{0}")]
    Input(String),
    /// Writing the report failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Drawing a figure failed.
    #[error("drawing figure {name}: {message}")]
    Draw {
        /// The figure.
        name: String,
        /// The cause.
        message: String,
    },
}

/// One scenario of a report: its results, its shocks and policies, and (except for the
/// baseline of a comparison) its paired differences against the baseline.
#[derive(Debug, Clone)]
pub struct ReportRun {
    /// Results read from its `results.h5`.
    pub results: RunResults,
    /// The scenario, read back from the resolved TOML stored with the results.
    pub scenario: Scenario,
    /// Paired differences against the baseline (compared scenarios only).
    pub difference: Option<Difference>,
}

/// The input of a report: one run, or a comparison (the baseline first).
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// The scenarios, the baseline first.
    pub runs: Vec<ReportRun>,
    /// Where the results came from (for the report's text).
    pub source: PathBuf,
}

impl ReportInput {
    /// Whether this is a comparison of several scenarios.
    pub fn is_comparison(&self) -> bool {
        self.runs.len() > 1
    }
}

/// What [`write_report`] wrote.
#[derive(Debug, Clone)]
pub struct ReportFiles {
    /// The report folder.
    pub dir: PathBuf,
    /// Every file written, `report.html` first.
    pub files: Vec<PathBuf>,
}

fn bad(path: &Path, what: impl std::fmt::Display) -> ReportError {
    ReportError::Input(format!("{}: {what}", path.display()))
}

fn load_run(path: &Path) -> Result<ReportRun, ReportError> {
    if !path.is_file() {
        return Err(bad(path, "no such results file"));
    }
    let results = read_results(path).map_err(|e| {
        bad(
            path,
            format!("cannot be read as an mhsim run's results file ({e})"),
        )
    })?;
    let scenario =
        Scenario::from_str(&results.scenario, &results.name, None, &[]).map_err(|e| {
            bad(
                path,
                format!("the scenario stored in the file is not valid: {e}"),
            )
        })?;
    Ok(ReportRun {
        results,
        scenario,
        difference: None,
    })
}

/// Read the results at `path`: a run's `results.h5` (or its folder), or a comparison's
/// `comparison.h5` (or its folder).
pub fn load(path: &Path) -> Result<ReportInput, ReportError> {
    let comparison = if path.is_dir() {
        match FolderKind::of(path) {
            Some(FolderKind::Comparison) => Some(path.join("comparison.h5")),
            Some(FolderKind::Run) => None,
            _ => {
                return Err(bad(
                    path,
                    format!(
                        "not a run's, comparison's, sweep's or calibration's folder: none of {} is in it",
                        FolderKind::MARKERS
                    ),
                ));
            }
        }
    } else if !path.exists() {
        return Err(bad(path, "no such file or folder"));
    } else if path.file_name().is_some_and(|n| n == "comparison.h5") {
        Some(path.to_path_buf())
    } else {
        None
    };
    let Some(comparison) = comparison else {
        let file = if path.is_dir() {
            path.join("results.h5")
        } else {
            path.to_path_buf()
        };
        return Ok(ReportInput {
            runs: vec![load_run(&file)?],
            source: file,
        });
    };
    let dir = comparison.parent().unwrap_or(Path::new("."));
    let read = read_comparison(&comparison).map_err(|e| {
        bad(
            &comparison,
            format!("cannot be read as an mhsim comparison file ({e})"),
        )
    })?;
    let mut runs = vec![load_run(
        &dir.join(folder_name(&read.baseline)).join("results.h5"),
    )?];
    for difference in read.differences {
        let mut run = load_run(&dir.join(&difference.folder).join("results.h5"))?;
        run.difference = Some(difference);
        runs.push(run);
    }
    Ok(ReportInput {
        runs,
        source: comparison,
    })
}

/// Write `bytes` to `path` under a temporary name, then rename it into place.
/// Write each figure as SVG and PNG and each table as CSV into `dir`: the files written, and
/// the figures' SVG text (for the page), in order.
fn write_figures_and_tables(
    dir: &Path,
    figures: &[figures::Figure],
    tables: &[tables::Table],
) -> Result<(Vec<PathBuf>, Vec<String>), ReportError> {
    let mut files = Vec::new();
    let mut svgs = Vec::new();
    for figure in figures {
        let draw = |message| ReportError::Draw {
            name: figure.name.clone(),
            message,
        };
        let svg = figure.svg().map_err(draw)?;
        let png = figure.png().map_err(draw)?;
        for (ext, bytes) in [("svg", svg.as_bytes()), ("png", png.as_slice())] {
            let path = dir.join(format!("{}.{ext}", figure.name));
            write_file(&path, bytes)?;
            files.push(path);
        }
        svgs.push(svg);
    }
    for table in tables {
        let path = dir.join(format!("{}.csv", table.name));
        write_file(&path, table.csv().as_bytes())?;
        files.push(path);
    }
    Ok((files, svgs))
}

/// The report folder: `out`, or `report` beside `source`; created.
fn report_dir(source: &Path, out: Option<&Path>) -> Result<PathBuf, ReportError> {
    let dir = out.map_or_else(
        || source.parent().unwrap_or(Path::new(".")).join("report"),
        Path::to_path_buf,
    );
    std::fs::create_dir_all(&dir).map_err(|source| ReportError::Io {
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}

/// Write `report.html` into `dir`; it heads the list of the report's files.
fn write_page(
    dir: PathBuf,
    mut files: Vec<PathBuf>,
    page: &str,
) -> Result<ReportFiles, ReportError> {
    let path = dir.join("report.html");
    write_file(&path, page.as_bytes())?;
    files.insert(0, path);
    Ok(ReportFiles { dir, files })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let io = |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let staged = Staged::new(path);
    std::fs::write(staged.path(), bytes).map_err(io)?;
    staged.commit().map_err(io)
}

/// Calendar year of recorded week `week` (weeks of 52 from 1 January of the start year).
pub fn year_of(start_year: u64, week: f64) -> f64 {
    start_year as f64 + week / 52.0
}

/// The shaded windows of the shocks and policies of every scenario in `runs` (one entry per
/// distinct window; a window that not every scenario has names its scenario).
fn windows(runs: &[ReportRun]) -> Vec<figures::Window> {
    let first = &runs[0].results;
    let mut out: Vec<figures::Window> = Vec::new();
    let mut owners: Vec<Vec<String>> = Vec::new();
    for run in runs {
        let weeks = run.results.weeks as f64;
        for p in &run.scenario.policies {
            let end = p.end_week.map_or(weeks, |e| f64::from(e).min(weeks));
            let w = figures::Window {
                label: p.label.clone(),
                from: year_of(first.start_year, f64::from(p.start_week)),
                to: year_of(first.start_year, end),
                shock: p.family == Family::Shock,
            };
            match out.iter().position(|o| *o == w) {
                Some(i) => owners[i].push(run.results.name.clone()),
                None => {
                    out.push(w);
                    owners.push(vec![run.results.name.clone()]);
                }
            }
        }
    }
    for (w, names) in out.iter_mut().zip(owners) {
        if names.len() < runs.len() {
            w.label = format!("{} ({})", w.label, names.join(", "));
        }
    }
    out
}

/// The sweep results file at `path` (a sweep's folder or its `results.h5`), if it is one.
fn sweep_results(path: &Path) -> Result<Option<PathBuf>, ReportError> {
    if path.is_dir() && FolderKind::of(path) == Some(FolderKind::Sweep) {
        let results = path.join("results.h5");
        if !results.is_file() {
            return Err(bad(
                path,
                "the sweep has no results.h5 yet: finish it with `mhsim sweep run` (or `mhsim sweep merge`)",
            ));
        }
        return Ok(Some(results));
    }
    Ok((path.is_file() && is_sweep_results(path)).then(|| path.to_path_buf()))
}

fn write_sweep_report(results: &Path, out: Option<&Path>) -> Result<ReportFiles, ReportError> {
    let r = read_sweep(results)
        .map_err(|e| bad(results, format!("not a readable sweep results file ({e})")))?;
    let dir = report_dir(results, out)?;
    let (figures, tables) = sweep::build(&r);
    let (files, svgs) = write_figures_and_tables(&dir, &figures, &tables)?;
    let page = sweep::page(
        &r,
        &results.display().to_string(),
        &figures[0],
        &svgs[0],
        &tables,
    );
    write_page(dir, files, &page)
}

fn write_calibration_report(
    posterior: &Path,
    out: Option<&Path>,
) -> Result<ReportFiles, ReportError> {
    let p = read_posterior_file(posterior).map_err(|e| {
        bad(
            posterior,
            format!("not a readable calibration posterior ({e})"),
        )
    })?;
    let dir = report_dir(posterior, out)?;
    let (figures, tables) = calibration::build(&p, calibration::fit_table(posterior));
    let (files, svgs) = write_figures_and_tables(&dir, &figures, &tables)?;
    let page = calibration::page(
        &p,
        &posterior.display().to_string(),
        &figures,
        &svgs,
        &tables,
    );
    write_page(dir, files, &page)
}

/// Make the report for the results at `input` into `out` (default: a `report` folder beside
/// the results): a run's `results.h5`, a comparison's folder or `comparison.h5`, a sweep's
/// folder or `results.h5`, or a calibration's folder or `posterior.h5`.
pub fn write_report(input: &Path, out: Option<&Path>) -> Result<ReportFiles, ReportError> {
    write_report_with(input, out, &ReportOptions::default())
}

/// [`write_report`] with options: with targets, the report of a run or a comparison also has
/// the section "Fit to calibration targets" (`fit.csv`, `fit_deviations`, `fit_trends`); a
/// sweep with targets is refused (`ReportError::Input`) before anything is written.
pub fn write_report_with(
    input: &Path,
    out: Option<&Path>,
    options: &ReportOptions,
) -> Result<ReportFiles, ReportError> {
    if let Some(results) = sweep_results(input)? {
        if options.targets.is_some() {
            return Err(bad(
                input,
                "a sweep's report has no fit to calibration targets: leave out --targets, \
                 or fit a run's results (`mhsim fit RESULTS.h5 --targets FILE`)",
            ));
        }
        return write_sweep_report(&results, out);
    }
    if let Some(posterior) = calibration::posterior_path(input).map_err(ReportError::Input)? {
        if options.targets.is_some() {
            return Err(bad(
                input,
                "a calibration's report shows the fit of its closest particle to its own \
                 targets: leave out --targets",
            ));
        }
        return write_calibration_report(&posterior, out);
    }
    let data = load(input)?;
    let dir = report_dir(&data.source, out)?;
    let mut built = tables::build(&data, &windows(&data.runs));
    if let Some(targets) = options.targets {
        // The fit is the baseline's: its own shocks and policies are shaded.
        fit::add(&mut built, &data, targets, &windows(&data.runs[..1]));
    }
    let (files, svgs) = write_figures_and_tables(&dir, &built.figures, &built.tables)?;
    let page = html::page(&data, &built, &svgs);
    write_page(dir, files, &page)
}
