//! The HDF5 results file of a run and the comparison file of several runs, written from one
//! thread.
//!
//! Layout of `results.h5`:
//!
//! ```text
//! /                    attributes: mhsim_version, scenario_name, scenario (resolved TOML),
//!                      scenario_source (the file as written), scenario_origin, seed,
//!                      replicates, weeks, burn_in_weeks, start_year, people, summary_only
//! /strata              names of the strata (string array)
//! /series/<metric>     f64 [replicate, week, stratum], chunked by replicate, compressed;
//!                      attributes unit, description (absent with --summary-only)
//! /episodes/durations_completed  u32 [replicate, duration in weeks]
//! /episodes/durations_censored   u32 [replicate, duration so far]
//! /summary/final_year_<stat>     f64 [metric, stratum]
//! /summary/yearly_<stat>         f64 [year, metric, stratum]: statistics of each
//!                      replicate's mean over a recorded year (year 0 = start_year)
//! /summary/discounted_total_<stat>  f64 [metric, stratum]: statistics of each replicate's
//!                      total over the recorded weeks, year y discounted by
//!                      (1 + rate)^-y: costs at the attribute discount_rate of /summary,
//!                      every other metric at health_discount_rate (the scenario's
//!                      valuation.discount_rate and valuation.health_discount_rate)
//! /summary/discounted_total_replicates  f64 [replicate, metric]: each replicate's
//!                      discounted total of the whole population (the values behind
//!                      discounted_total_<stat> in the stratum "all")
//! /summary/weekly/<metric>_<stat>  f64 [week, stratum]
//! /summary/metrics     names of the metrics (string array), the rows of final_year_*
//! /posterior           with `run --posterior`: the particle each replicate used
//!                      (`output::posterior::PosteriorRecord`)
//! ```
//!
//! `<stat>` is one of mean, sd, q025, q50, q975, ci95_lo, ci95_hi, and lo95 / hi95 (hard links
//! to q025 / q975: the same datasets under a second name).
//!
//! With `--summary-only` the per-replicate series still go to disk, to a scratch file beside
//! the results that is removed when the summaries are done: exact quantiles need every
//! replicate's value, and keeping them on disk keeps memory flat in the number of replicates.

use std::path::Path;
use std::str::FromStr;

use hdf5::types::VarLenUnicode;
use ndarray::{Array3, ArrayView2, s};

use crate::output::Staged;
use crate::output::summary::{Discounting, Q025, Q975, STATS, SeriesSource, Summary};
use crate::record::{Metric, N_STRATA, ReplicateSeries, strata};
use crate::scenario::Scenario;

pub(crate) fn text(s: &str) -> hdf5::Result<VarLenUnicode> {
    VarLenUnicode::from_str(s).map_err(|e| hdf5::Error::from(e.to_string()))
}

pub(crate) fn attr_str(loc: &hdf5::Location, name: &str, value: &str) -> hdf5::Result<()> {
    loc.new_attr::<VarLenUnicode>()
        .shape(())
        .create(name)?
        .write_scalar(&text(value)?)
}

pub(crate) fn attr_u64(loc: &hdf5::Location, name: &str, value: u64) -> hdf5::Result<()> {
    loc.new_attr::<u64>()
        .shape(())
        .create(name)?
        .write_scalar(&value)
}

/// The attributes `discount_rate` (costs) and `health_discount_rate` of `loc`.
pub(crate) fn write_discounting(loc: &hdf5::Location, rates: Discounting) -> hdf5::Result<()> {
    for (name, rate) in [
        ("discount_rate", rates.costs),
        ("health_discount_rate", rates.health),
    ] {
        loc.new_attr::<f64>()
            .shape(())
            .create(name)?
            .write_scalar(&rate)?;
    }
    Ok(())
}

/// The rates written by [`write_discounting`]. Files of older versions of mhsim have only
/// `discount_rate`, for costs and health effects alike, or, before discounted totals, none
/// (their totals are NaN; the reference rates are returned).
pub(crate) fn read_discounting(loc: &hdf5::Location) -> hdf5::Result<Discounting> {
    let read = |name: &str| -> hdf5::Result<Option<f64>> {
        match loc.attr(name) {
            Ok(a) => Ok(Some(a.read_scalar::<f64>()?)),
            Err(_) => Ok(None),
        }
    };
    Ok(
        match (read("discount_rate")?, read("health_discount_rate")?) {
            (Some(costs), Some(health)) => Discounting { costs, health },
            (Some(rate), None) => Discounting {
                costs: rate,
                health: rate,
            },
            _ => Discounting::REFERENCE,
        },
    )
}

pub(crate) fn read_attr_str(loc: &hdf5::Location, name: &str) -> hdf5::Result<String> {
    Ok(loc
        .attr(name)?
        .read_scalar::<VarLenUnicode>()?
        .as_str()
        .to_string())
}

pub(crate) fn read_attr_u64(loc: &hdf5::Location, name: &str) -> hdf5::Result<u64> {
    loc.attr(name)?.read_scalar::<u64>()
}

pub(crate) fn string_array(group: &hdf5::Group, name: &str, values: &[String]) -> hdf5::Result<()> {
    let data: Vec<VarLenUnicode> = values
        .iter()
        .map(|v| text(v))
        .collect::<hdf5::Result<_>>()?;
    group.new_dataset_builder().with_data(&data).create(name)?;
    Ok(())
}

pub(crate) fn read_strings(ds: &hdf5::Dataset) -> hdf5::Result<Vec<String>> {
    Ok(ds
        .read_raw::<VarLenUnicode>()?
        .iter()
        .map(|s| s.as_str().to_string())
        .collect())
}

/// Names of [`Metric::ALL`], in order.
pub(crate) fn metric_names() -> Vec<String> {
    Metric::ALL.iter().map(|m| m.name().to_string()).collect()
}

fn shape_error(e: impl std::fmt::Display) -> hdf5::Error {
    hdf5::Error::from(e.to_string())
}

/// Per-replicate weekly series of every metric: datasets `[replicate, week, stratum]`, one
/// chunk per replicate, either inside a results file or in a scratch file of their own that
/// is removed when the store is dropped.
pub struct SeriesStore {
    datasets: Vec<hdf5::Dataset>,
    replicates: usize,
    weeks: usize,
    // Dropped after the datasets: the scratch file is closed, then removed.
    _scratch: Option<(hdf5::File, Staged)>,
}

impl SeriesStore {
    /// Series datasets in `group` (one per metric, with unit and description attributes).
    fn in_group(group: &hdf5::Group, replicates: usize, weeks: usize) -> hdf5::Result<Self> {
        let mut datasets = Vec::new();
        for metric in Metric::ALL {
            // Byte shuffling before deflate packs f64 series about twice as well and costs
            // little; level 1 keeps the single writer ahead of the workers.
            let ds = group
                .new_dataset::<f64>()
                .shape([replicates, weeks, N_STRATA])
                .chunk([1, weeks.max(1), N_STRATA])
                .shuffle()
                .deflate(1)
                .create(metric.name())?;
            attr_str(&ds, "unit", metric.unit())?;
            attr_str(&ds, "description", metric.description())?;
            attr_str(&ds, "dimensions", "replicate, week, stratum")?;
            datasets.push(ds);
        }
        Ok(SeriesStore {
            datasets,
            replicates,
            weeks,
            _scratch: None,
        })
    }

    /// A scratch store in a file of its own at a temporary name beside `near` (removed when
    /// the store is dropped, also after a failure).
    pub fn scratch(near: &Path, replicates: usize, weeks: usize) -> hdf5::Result<Self> {
        let staged = Staged::new(near);
        let file = hdf5::File::create(staged.path())?;
        let mut store = SeriesStore::in_group(&file, replicates, weeks)?;
        store._scratch = Some((file, staged));
        Ok(store)
    }

    /// Write one replicate's series at position `index`.
    pub fn write(&self, index: usize, r: &ReplicateSeries) -> hdf5::Result<()> {
        for (ds, metric) in self.datasets.iter().zip(Metric::ALL) {
            let view = ArrayView2::from_shape((self.weeks, N_STRATA), r.metric(metric))
                .map_err(shape_error)?;
            ds.write_slice(view, s![index, .., ..])?;
        }
        Ok(())
    }
}

impl SeriesSource for SeriesStore {
    fn replicates(&self) -> usize {
        self.replicates
    }

    fn weeks(&self) -> usize {
        self.weeks
    }

    fn read(
        &self,
        metric: usize,
        replicates: std::ops::Range<usize>,
        weeks: std::ops::Range<usize>,
    ) -> hdf5::Result<Array3<f64>> {
        self.datasets[metric].read_slice(s![replicates, weeks, ..])
    }
}

/// Write the statistics of a summary into `group`: `final_year_<stat>` `[metric, stratum]`,
/// `yearly_<stat>` `[year, metric, stratum]`, `discounted_total_<stat>` `[metric, stratum]`
/// (with the attributes `discount_rate` and `health_discount_rate` on `group`),
/// `discounted_total_replicates` `[replicate, metric]` (when the summary keeps them) and
/// `weekly/<metric>_<stat>`
/// `[week, stratum]`;
/// with `aliases`, also `lo95` and `hi95`, hard links to the `q025` and `q975` datasets (the
/// same data under a second name, stored once).
fn write_summary(group: &hdf5::Group, summary: &Summary, aliases: bool) -> hdf5::Result<()> {
    let aliases: &[(&str, &str)] = if aliases {
        &[("lo95", STATS[Q025]), ("hi95", STATS[Q975])]
    } else {
        &[]
    };
    // A `[metric, stratum]` dataset.
    let matrix = |name: String, values: &[f64]| -> hdf5::Result<()> {
        let arr = ndarray::Array2::from_shape_vec((Metric::ALL.len(), N_STRATA), values.to_vec())
            .map_err(shape_error)?;
        group
            .new_dataset_builder()
            .with_data(&arr)
            .create(name.as_str())?;
        Ok(())
    };
    for (k, name) in STATS.iter().enumerate() {
        matrix(format!("final_year_{name}"), summary.final_stat(k))?;
        matrix(
            format!("discounted_total_{name}"),
            summary.discounted_stat(k),
        )?;
        let years = summary.years();
        let len = years * Metric::ALL.len() * N_STRATA;
        let arr = ndarray::Array3::from_shape_vec(
            (years, Metric::ALL.len(), N_STRATA),
            summary.yearly[k * len..(k + 1) * len].to_vec(),
        )
        .map_err(shape_error)?;
        group
            .new_dataset_builder()
            .with_data(&arr)
            .create(format!("yearly_{name}").as_str())?;
    }
    write_discounting(group, summary.discounting)?;
    if !summary.replicate_totals.is_empty() {
        let arr = ndarray::Array2::from_shape_vec(
            (summary.replicates, Metric::ALL.len()),
            summary.replicate_totals.clone(),
        )
        .map_err(shape_error)?;
        group
            .new_dataset_builder()
            .with_data(&arr)
            .create("discounted_total_replicates")?;
    }
    let weekly = group.create_group("weekly")?;
    for (m, metric) in Metric::ALL.iter().enumerate() {
        for (k, name) in STATS.iter().enumerate() {
            let arr = ndarray::Array2::from_shape_vec(
                (summary.weeks, N_STRATA),
                summary.weekly_stat(m, k).to_vec(),
            )
            .map_err(shape_error)?;
            weekly
                .new_dataset_builder()
                .with_data(&arr)
                .chunk([summary.weeks.max(1), N_STRATA])
                .shuffle()
                .deflate(4)
                .create(format!("{}_{name}", metric.name()).as_str())?;
        }
    }
    for (alias, stat) in aliases {
        for prefix in ["final_year", "yearly", "discounted_total"] {
            group.link_hard(&format!("{prefix}_{stat}"), &format!("{prefix}_{alias}"))?;
        }
        for metric in Metric::ALL {
            let name = metric.name();
            weekly.link_hard(&format!("{name}_{stat}"), &format!("{name}_{alias}"))?;
        }
    }
    Ok(())
}

/// Provenance attributes of a scenario run.
fn scenario_attrs(
    loc: &hdf5::Location,
    scenario: &Scenario,
    replicates: usize,
) -> hdf5::Result<()> {
    attr_str(loc, "mhsim_version", crate::VERSION)?;
    attr_str(loc, "scenario_name", &scenario.run.name)?;
    attr_str(loc, "scenario", &scenario.resolved_toml())?;
    attr_str(loc, "scenario_source", &scenario.source_text)?;
    attr_str(loc, "scenario_origin", &scenario.origin)?;
    attr_u64(loc, "seed", scenario.run.seed)?;
    attr_u64(loc, "replicates", replicates as u64)?;
    attr_u64(loc, "weeks", u64::from(scenario.run.weeks))?;
    attr_u64(loc, "burn_in_weeks", u64::from(scenario.run.burn_in_weeks))?;
    attr_u64(loc, "start_year", u64::from(scenario.run.start_year))?;
    attr_u64(loc, "people", u64::from(scenario.run.people))?;
    Ok(())
}

/// Writes one run's results to a staged HDF5 file.
pub struct ResultsWriter {
    series: SeriesStore,
    completed: hdf5::Dataset,
    censored: hdf5::Dataset,
    file: hdf5::File,
    staged: Staged,
}

impl ResultsWriter {
    /// Create the file for `replicates` replicates of `scenario` (written under a temporary
    /// name until [`ResultsWriter::finish`]). With `summary_only` the per-replicate series go
    /// to a scratch file instead of `/series`.
    pub fn create(
        path: &Path,
        scenario: &Scenario,
        replicates: usize,
        summary_only: bool,
    ) -> hdf5::Result<ResultsWriter> {
        let staged = Staged::new(path);
        let file = hdf5::File::create(staged.path())?;
        let weeks = scenario.run.weeks as usize;
        scenario_attrs(&file, scenario, replicates)?;
        attr_u64(&file, "summary_only", u64::from(summary_only))?;
        string_array(&file, "strata", &strata())?;
        let series = if summary_only {
            SeriesStore::scratch(&path.with_extension("series.h5"), replicates, weeks)?
        } else {
            SeriesStore::in_group(&file.create_group("series")?, replicates, weeks)?
        };
        let episodes = file.create_group("episodes")?;
        let hist = |name: &str, what: &str| -> hdf5::Result<hdf5::Dataset> {
            let ds = episodes
                .new_dataset::<u32>()
                .shape([replicates, weeks + 1])
                .chunk([1, weeks + 1])
                .deflate(4)
                .create(name)?;
            attr_str(&ds, "description", what)?;
            Ok(ds)
        };
        let completed = hist(
            "durations_completed",
            "episodes that began and ended in the recorded weeks, by duration in weeks",
        )?;
        let censored = hist(
            "durations_censored",
            "episodes that began in the recorded weeks and were still running at the end, by symptomatic duration so far (as the completed ones)",
        )?;
        Ok(ResultsWriter {
            series,
            completed,
            censored,
            file,
            staged,
        })
    }

    /// Write one replicate at position `index`.
    pub fn write(&mut self, index: usize, r: &ReplicateSeries) -> hdf5::Result<()> {
        self.series.write(index, r)?;
        self.completed
            .write_slice(&r.durations_completed, s![index, ..])?;
        self.censored
            .write_slice(&r.durations_censored, s![index, ..])?;
        Ok(())
    }

    /// Record which particle of a posterior each replicate used (`/posterior`).
    pub fn write_posterior(
        &self,
        record: &crate::output::posterior::PosteriorRecord,
    ) -> hdf5::Result<()> {
        crate::output::posterior::write_record(&self.file, record)
    }

    /// The per-replicate series written so far, to summarise.
    pub fn series(&self) -> &SeriesStore {
        &self.series
    }

    /// Write the summaries, close the file and move it into place (a scratch series file
    /// is removed).
    pub fn finish(self, summary: &Summary) -> hdf5::Result<()> {
        let ResultsWriter {
            series,
            completed,
            censored,
            file,
            staged,
        } = self;
        let group = file.create_group("summary")?;
        string_array(&group, "metrics", &metric_names())?;
        write_summary(&group, summary, true)?;
        drop((series, completed, censored, group));
        file.close()?;
        staged
            .commit()
            .map_err(|e| hdf5::Error::from(e.to_string()))
    }
}

/// Write `comparison.h5`: the paired differences of each scenario against the baseline.
///
/// ```text
/// /                     attributes: mhsim_version, baseline, seed, replicates, weeks,
///                       burn_in_weeks, start_year, people
/// /strata, /metrics     names
/// /scenarios            the compared scenarios' names (baseline excluded)
/// /difference/<folder>/final_year_<stat>       f64 [metric, stratum]
/// /difference/<folder>/yearly_<stat>           f64 [year, metric, stratum]
/// /difference/<folder>/discounted_total_<stat> f64 [metric, stratum]
/// /difference/<folder>/discounted_total_replicates f64 [replicate, metric] (paired, whole population)
/// /difference/<folder>/weekly/<metric>_<stat>  f64 [week, stratum]
/// ```
///
/// `<folder>` is the scenario's output folder name (attribute `scenario_name` holds the name).
pub fn write_comparison(
    path: &Path,
    baseline: &Scenario,
    replicates: usize,
    differences: &[(String, String, Summary)],
) -> hdf5::Result<()> {
    let staged = Staged::new(path);
    let file = hdf5::File::create(staged.path())?;
    attr_str(&file, "mhsim_version", crate::VERSION)?;
    attr_str(&file, "baseline", &baseline.run.name)?;
    attr_str(
        &file,
        "description",
        "paired differences (scenario minus baseline) per replicate, summarised across replicates",
    )?;
    attr_u64(&file, "seed", baseline.run.seed)?;
    attr_u64(&file, "replicates", replicates as u64)?;
    attr_u64(&file, "weeks", u64::from(baseline.run.weeks))?;
    attr_u64(
        &file,
        "burn_in_weeks",
        u64::from(baseline.run.burn_in_weeks),
    )?;
    attr_u64(&file, "start_year", u64::from(baseline.run.start_year))?;
    attr_u64(&file, "people", u64::from(baseline.run.people))?;
    string_array(&file, "strata", &strata())?;
    string_array(&file, "metrics", &metric_names())?;
    let names: Vec<String> = differences
        .iter()
        .map(|(name, _, _)| name.clone())
        .collect();
    string_array(&file, "scenarios", &names)?;
    let group = file.create_group("difference")?;
    for (name, folder, summary) in differences {
        let sub = group.create_group(folder)?;
        attr_str(&sub, "scenario_name", name)?;
        write_summary(&sub, summary, false)?;
    }
    drop(group);
    file.close()?;
    staged
        .commit()
        .map_err(|e| hdf5::Error::from(e.to_string()))
}
