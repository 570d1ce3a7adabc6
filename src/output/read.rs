//! Reading results back for reports: a run's `results.h5` and a comparison's
//! `comparison.h5`, as summaries and provenance attributes.

use std::path::Path;

use crate::output::h5::{read_attr_str, read_attr_u64, read_discounting, read_strings};
use crate::output::summary::{Discounting, N_STATS, STATS, Summary};
use crate::record::{Metric, N_STRATA};

/// A run's results as written by `mhsim run`: provenance and summaries.
#[derive(Debug, Clone)]
pub struct RunResults {
    /// The scenario's name.
    pub name: String,
    /// The resolved scenario (every parameter) as TOML text.
    pub scenario: String,
    /// The top scenario file as written.
    pub scenario_source: String,
    /// Where the scenario came from.
    pub scenario_origin: String,
    /// The version of mhsim that wrote the file.
    pub mhsim_version: String,
    /// Seed, replicates, recorded weeks, burn-in weeks, first calendar year, people.
    pub seed: u64,
    /// Replicates summarised.
    pub replicates: u64,
    /// Recorded weeks.
    pub weeks: u64,
    /// Burn-in weeks before the recorded ones.
    pub burn_in_weeks: u64,
    /// Calendar year of the first recorded week.
    pub start_year: u64,
    /// People simulated.
    pub people: u64,
    /// Summaries across replicates.
    pub summary: Summary,
}

/// Paired differences of one compared scenario against the baseline.
#[derive(Debug, Clone)]
pub struct Difference {
    /// The compared scenario's name.
    pub name: String,
    /// Its output folder name (beside `comparison.h5`).
    pub folder: String,
    /// Summaries of the paired differences (scenario minus baseline).
    pub summary: Summary,
}

/// A comparison file: the baseline's name and the differences of every other scenario.
#[derive(Debug, Clone)]
pub struct ComparisonResults {
    /// The baseline scenario's name.
    pub baseline: String,
    /// Per compared scenario, in the order they were run.
    pub differences: Vec<Difference>,
}

fn check_layout(file: &hdf5::File, what: &str) -> hdf5::Result<()> {
    let metrics = read_strings(&file.dataset(what)?)?;
    let expected: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
    if metrics != expected {
        let first = metrics
            .iter()
            .map(String::as_str)
            .zip(&expected)
            .position(|(a, b)| a != *b)
            .unwrap_or(metrics.len().min(expected.len()));
        let at = |names: &[&str]| {
            names
                .get(first)
                .map_or("none".to_string(), |n| format!("`{n}`"))
        };
        let found: Vec<&str> = metrics.iter().map(String::as_str).collect();
        return Err(hdf5::Error::from(format!(
            "the file's metrics differ from this version of mhsim: {} metrics against {}, the first difference at position {} ({} against {}); it was written by another version, so run the scenario again",
            metrics.len(),
            expected.len(),
            first + 1,
            at(&found),
            at(&expected)
        )));
    }
    let strata = read_strings(&file.dataset("strata")?)?;
    if strata.len() != N_STRATA {
        return Err(hdf5::Error::from(
            "the file's strata differ from this version of mhsim",
        ));
    }
    Ok(())
}

/// Read the summaries stored under `group` (`final_year_<stat>`, `yearly_<stat>`,
/// `discounted_total_<stat>` and `weekly/<metric>_<stat>`).
fn read_summary(group: &hdf5::Group, replicates: usize) -> hdf5::Result<Summary> {
    let n_metrics = Metric::ALL.len();
    let first = group.dataset(&format!("weekly/{}_mean", Metric::ALL[0].name()))?;
    let weeks = first.shape().first().copied().unwrap_or(0);
    let mut summary = Summary::empty(replicates, weeks, read_discounting(group)?);
    for (k, stat) in STATS.iter().enumerate() {
        let data = group
            .dataset(&format!("final_year_{stat}"))?
            .read_raw::<f64>()?;
        if data.len() != n_metrics * N_STRATA {
            return Err(hdf5::Error::from(format!(
                "final_year_{stat} has an unexpected shape"
            )));
        }
        summary.final_year[k * n_metrics * N_STRATA..(k + 1) * n_metrics * N_STRATA]
            .copy_from_slice(&data);
        // Files written before yearly summaries existed lack them; they stay NaN.
        if let Ok(ds) = group.dataset(&format!("yearly_{stat}")) {
            let data = ds.read_raw::<f64>()?;
            let len = summary.years() * n_metrics * N_STRATA;
            if data.len() != len {
                return Err(hdf5::Error::from(format!(
                    "yearly_{stat} has an unexpected shape"
                )));
            }
            summary.yearly[k * len..(k + 1) * len].copy_from_slice(&data);
        }
        // Files written before discounted totals existed lack them; they stay NaN.
        if let Ok(ds) = group.dataset(&format!("discounted_total_{stat}")) {
            let data = ds.read_raw::<f64>()?;
            let len = n_metrics * N_STRATA;
            if data.len() != len {
                return Err(hdf5::Error::from(format!(
                    "discounted_total_{stat} has an unexpected shape"
                )));
            }
            summary.discounted[k * len..(k + 1) * len].copy_from_slice(&data);
        }
    }
    // Files written before per-replicate totals were kept lack them; they stay empty.
    if let Ok(ds) = group.dataset("discounted_total_replicates") {
        let data = ds.read_raw::<f64>()?;
        if data.len() != replicates * n_metrics {
            return Err(hdf5::Error::from(
                "discounted_total_replicates has an unexpected shape",
            ));
        }
        summary.replicate_totals = data;
    }
    let len = weeks * N_STRATA;
    for (m, metric) in Metric::ALL.iter().enumerate() {
        for (k, stat) in STATS.iter().enumerate() {
            let data = group
                .dataset(&format!("weekly/{}_{stat}", metric.name()))?
                .read_raw::<f64>()?;
            if data.len() != len {
                return Err(hdf5::Error::from(format!(
                    "weekly/{}_{stat} has an unexpected shape",
                    metric.name()
                )));
            }
            let start = (m * N_STATS + k) * len;
            summary.weekly[start..start + len].copy_from_slice(&data);
        }
    }
    Ok(summary)
}

/// Read a run's `results.h5`.
pub fn read_results(path: &Path) -> hdf5::Result<RunResults> {
    let file = hdf5::File::open(path)?;
    if file.attr("sweep_name").is_ok() {
        return Err(hdf5::Error::from(
            "it is a sweep's results file; reports are made from runs and comparisons",
        ));
    }
    check_layout(&file, "summary/metrics")?;
    let replicates = read_attr_u64(&file, "replicates")?;
    let summary = read_summary(&file.group("summary")?, replicates as usize)?;
    Ok(RunResults {
        name: read_attr_str(&file, "scenario_name")?,
        scenario: read_attr_str(&file, "scenario")?,
        scenario_source: read_attr_str(&file, "scenario_source")?,
        scenario_origin: read_attr_str(&file, "scenario_origin")?,
        mhsim_version: read_attr_str(&file, "mhsim_version")?,
        seed: read_attr_u64(&file, "seed")?,
        replicates,
        weeks: read_attr_u64(&file, "weeks")?,
        burn_in_weeks: read_attr_u64(&file, "burn_in_weeks")?,
        start_year: read_attr_u64(&file, "start_year")?,
        people: read_attr_u64(&file, "people")?,
        summary,
    })
}

/// Read a comparison's `comparison.h5`.
pub fn read_comparison(path: &Path) -> hdf5::Result<ComparisonResults> {
    let file = hdf5::File::open(path)?;
    check_layout(&file, "metrics")?;
    let replicates = read_attr_u64(&file, "replicates")? as usize;
    let group = file.group("difference")?;
    let mut differences = Vec::new();
    for folder in group.member_names()? {
        let sub = group.group(&folder)?;
        differences.push(Difference {
            name: read_attr_str(&sub, "scenario_name")?,
            folder,
            summary: read_summary(&sub, replicates)?,
        });
    }
    // In the order the scenarios were run.
    let order = read_strings(&file.dataset("scenarios")?)?;
    differences.sort_by_key(|d| {
        order
            .iter()
            .position(|n| *n == d.name)
            .unwrap_or(usize::MAX)
    });
    Ok(ComparisonResults {
        baseline: read_attr_str(&file, "baseline")?,
        differences,
    })
}

/// A swept parameter's values, one per point.
#[derive(Debug, Clone, PartialEq)]
pub enum SweptValues {
    /// Numbers.
    Numbers(Vec<f64>),
    /// Other values, as written in TOML.
    Text(Vec<String>),
}

/// A sweep's `results.h5`: provenance, the points and their final-year summaries.
#[derive(Debug, Clone)]
pub struct SweepResults {
    /// The sweep's name.
    pub name: String,
    /// The sweep file as written.
    pub sweep: String,
    /// The base scenario, resolved, as TOML.
    pub base_scenario: String,
    /// The design, in words.
    pub design: String,
    /// How seeds are set per point.
    pub seeds: String,
    /// The version of mhsim that wrote the file.
    pub mhsim_version: String,
    /// Replicates per point.
    pub replicates: u64,
    /// The sweep's seed.
    pub seed: u64,
    /// Recorded weeks.
    pub weeks: u64,
    /// Calendar year of the first recorded week.
    pub start_year: u64,
    /// Swept parameters (key paths) and their values per point.
    pub parameters: Vec<(String, SweptValues)>,
    /// Number of points.
    pub points: usize,
    /// Final-year statistics `[point][metric][stratum]`: mean, 2.5% and 97.5% quantiles.
    pub final_mean: Vec<f64>,
    /// 2.5% quantile across the point's replicates.
    pub final_q025: Vec<f64>,
    /// 97.5% quantile across the point's replicates.
    pub final_q975: Vec<f64>,
    /// Discounted totals over the run `[point][metric][stratum]`: mean, 2.5% and 97.5%
    /// quantiles across the point's replicates (NaN in files written before they existed).
    pub run_mean: Vec<f64>,
    /// 2.5% quantile of the discounted totals.
    pub run_q025: Vec<f64>,
    /// 97.5% quantile of the discounted totals.
    pub run_q975: Vec<f64>,
    /// The rates of the discounted totals.
    pub discounting: Discounting,
}

/// Whether `path` is a sweep's results file.
pub fn is_sweep_results(path: &Path) -> bool {
    hdf5::File::open(path).is_ok_and(|f| f.attr("sweep_name").is_ok())
}

/// Read a sweep's `results.h5`.
pub fn read_sweep(path: &Path) -> hdf5::Result<SweepResults> {
    let file = hdf5::File::open(path)?;
    check_layout(&file, "summary/metrics")?;
    let table = file.group("points")?;
    let names = read_strings(&table.dataset("parameters")?)?;
    let mut parameters = Vec::new();
    let mut points = 0;
    for name in names {
        let ds = table.dataset(&name)?;
        let values = if ds.dtype()?.is::<f64>() {
            SweptValues::Numbers(ds.read_raw::<f64>()?)
        } else {
            SweptValues::Text(read_strings(&ds)?)
        };
        points = match &values {
            SweptValues::Numbers(v) => v.len(),
            SweptValues::Text(v) => v.len(),
        };
        parameters.push((name, values));
    }
    let stat = |name: &str| -> hdf5::Result<Vec<f64>> {
        file.dataset(&format!("summary/final_year_{name}"))?
            .read_raw::<f64>()
    };
    let final_mean = stat("mean")?;
    let len = points * Metric::ALL.len() * N_STRATA;
    if final_mean.len() != len {
        return Err(hdf5::Error::from(
            "the final-year summaries do not match the points table",
        ));
    }
    let run = |name: &str| -> hdf5::Result<Vec<f64>> {
        match file.dataset(&format!("summary/discounted_total_{name}")) {
            Ok(ds) => {
                let values = ds.read_raw::<f64>()?;
                if values.len() == len {
                    Ok(values)
                } else {
                    Err(hdf5::Error::from(
                        "the discounted totals do not match the points table",
                    ))
                }
            }
            Err(_) => Ok(vec![f64::NAN; len]),
        }
    };
    Ok(SweepResults {
        discounting: read_discounting(&*file.group("summary")?)?,
        name: read_attr_str(&file, "sweep_name")?,
        sweep: read_attr_str(&file, "sweep")?,
        base_scenario: read_attr_str(&file, "base_scenario")?,
        design: read_attr_str(&file, "design")?,
        seeds: read_attr_str(&file, "seeds")?,
        mhsim_version: read_attr_str(&file, "mhsim_version")?,
        replicates: read_attr_u64(&file, "replicates")?,
        seed: read_attr_u64(&file, "seed")?,
        weeks: read_attr_u64(&file, "weeks")?,
        start_year: read_attr_u64(&file, "start_year")?,
        parameters,
        points,
        final_mean,
        final_q025: stat("q025")?,
        final_q975: stat("q975")?,
        run_mean: run("mean")?,
        run_q025: run("q025")?,
        run_q975: run("q975")?,
    })
}

/// The yearly statistics of one point of a sweep (or of one run): `[stat][year][metric][stratum]`.
#[derive(Debug, Clone, PartialEq)]
pub struct YearlySummary {
    /// Calendar year of the first recorded year.
    pub start_year: u32,
    /// Number of recorded years.
    pub years: usize,
    /// `[stat][year][metric][stratum]`, stats in [`STATS`] order.
    pub values: Vec<f64>,
}

impl YearlySummary {
    /// Statistic `stat` of metric `metric` in stratum `stratum` in recorded year `year`.
    pub fn stat(&self, stat: usize, year: usize, metric: usize, stratum: usize) -> f64 {
        let n_metrics = Metric::ALL.len();
        self.values[((stat * self.years + year) * n_metrics + metric) * N_STRATA + stratum]
    }
}

/// A sweep's `results.h5`, open to read the yearly statistics of its points one at a time.
pub struct SweepYearly {
    file: hdf5::File,
    /// Calendar year of the first recorded year.
    pub start_year: u32,
    /// Number of recorded years.
    pub years: usize,
    /// Number of points.
    pub points: usize,
}

impl SweepYearly {
    /// Open a sweep's results file.
    pub fn open(path: &Path) -> hdf5::Result<SweepYearly> {
        let file = hdf5::File::open(path)?;
        check_layout(&file, "summary/metrics")?;
        let shape = file.dataset("summary/yearly_mean")?.shape();
        let [points, years, metrics, strata] = shape[..] else {
            return Err(hdf5::Error::from(
                "summary/yearly_mean is not 4-dimensional",
            ));
        };
        if metrics != Metric::ALL.len() || strata != N_STRATA {
            return Err(hdf5::Error::from(
                "summary/yearly_mean has an unexpected shape",
            ));
        }
        Ok(SweepYearly {
            start_year: read_attr_u64(&file, "start_year")? as u32,
            file,
            years,
            points,
        })
    }

    /// The yearly statistics of point `point`.
    pub fn point(&self, point: usize) -> hdf5::Result<YearlySummary> {
        let mut values = Vec::with_capacity(N_STATS * self.years * Metric::ALL.len() * N_STRATA);
        for stat in STATS {
            let block: ndarray::Array3<f64> = self
                .file
                .dataset(&format!("summary/yearly_{stat}"))?
                .read_slice(ndarray::s![point, .., .., ..])?;
            values.extend(block.iter());
        }
        Ok(YearlySummary {
            start_year: self.start_year,
            years: self.years,
            values,
        })
    }
}
