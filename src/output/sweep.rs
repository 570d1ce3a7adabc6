//! HDF5 files of a parameter sweep: summary packs (one finished point, or a shard's points)
//! and the sweep's `results.h5`.
//!
//! A *pack* holds the summaries of some points of one plan, exactly as computed (f64 values
//! round-trip through HDF5 unchanged), so a result assembled from packs written by different
//! processes is bit-identical to one assembled in a single process:
//!
//! ```text
//! /              attributes: mhsim_version, plan_hash, kind ("point" or "shard"),
//!                shard, shards (shards only), weeks
//! /metrics       metric names
//! /points        u64 [k]: the points held, in order
//! /replicates    u64 [k]
//! /weekly        f64 [k, metric, stat, week, stratum] (0 weeks when the plan keeps no
//!                weekly summaries)
//! /final_year    f64 [k, stat, metric, stratum]
//! /yearly        f64 [k, stat, year, metric, stratum]
//! /discounted_total  f64 [k, stat, metric, stratum] (absent from packs of older mhsim
//!                versions: read as NaN)
//! ```
//!
//! The sweep's `results.h5`:
//!
//! ```text
//! /              attributes: mhsim_version, sweep_name, plan_hash, sweep (the sweep file),
//!                base_scenario (resolved TOML), design, seeds, points, replicates,
//!                weeks, start_year
//! /strata, /summary/metrics   names
//! /points/<column>            one column of the points table per dataset: index, seed,
//!                             replicates, people, and one per swept parameter (by its key
//!                             path, f64 or string); /points/parameters lists the parameters
//! /summary/final_year_<stat>       f64 [point, metric, stratum]
//! /summary/yearly_<stat>           f64 [point, year, metric, stratum]
//! /summary/discounted_total_<stat> f64 [point, metric, stratum]: each replicate's total over
//!                                  the recorded weeks, year y discounted by (1 + rate)^-y,
//!                                  costs at the attribute discount_rate of /summary, the
//!                                  other metrics at health_discount_rate
//! /summary/weekly/<metric>_<stat>  f64 [point, week, stratum] (absent when the sweep sets
//!                                  `weekly = false`)
//! ```

use std::path::Path;

use ndarray::{ArrayView2, ArrayView3, ArrayView4, s};

use crate::output::Staged;
use crate::output::h5::{
    attr_str, attr_u64, metric_names, read_attr_str, read_attr_u64, read_strings, string_array,
    write_discounting,
};
use crate::output::summary::{Block, Discounting, N_STATS, STATS, Summary, years_of};
use crate::record::{Metric, N_STRATA, strata};

fn err(e: impl std::fmt::Display) -> hdf5::Error {
    hdf5::Error::from(e.to_string())
}

/// What a pack holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackKind {
    /// One finished point (a checkpoint).
    Point,
    /// The points of shard `shard` of `shards`.
    Shard {
        /// This shard.
        shard: u64,
        /// Number of shards of the plan.
        shards: u64,
    },
}

/// Writes a pack under a temporary name.
pub struct PackWriter {
    weekly: hdf5::Dataset,
    final_year: hdf5::Dataset,
    yearly: hdf5::Dataset,
    discounted: hdf5::Dataset,
    file: hdf5::File,
    staged: Staged,
    weeks: usize,
    keep_weekly: bool,
}

impl PackWriter {
    /// A pack of `points` (with their replicate counts) of the plan `plan_hash`, keeping
    /// weekly summaries when `keep_weekly`.
    pub fn create(
        path: &Path,
        plan_hash: &str,
        kind: PackKind,
        points: &[u64],
        replicates: &[u64],
        weeks: usize,
        keep_weekly: bool,
    ) -> hdf5::Result<PackWriter> {
        let staged = Staged::new(path);
        let file = hdf5::File::create(staged.path())?;
        attr_str(&file, "mhsim_version", crate::VERSION)?;
        attr_str(&file, "plan_hash", plan_hash)?;
        match kind {
            PackKind::Point => attr_str(&file, "kind", "point")?,
            PackKind::Shard { shard, shards } => {
                attr_str(&file, "kind", "shard")?;
                attr_u64(&file, "shard", shard)?;
                attr_u64(&file, "shards", shards)?;
            }
        }
        attr_u64(&file, "weeks", weeks as u64)?;
        string_array(&file, "metrics", &metric_names())?;
        file.new_dataset_builder()
            .with_data(points)
            .create("points")?;
        file.new_dataset_builder()
            .with_data(replicates)
            .create("replicates")?;
        let k = points.len();
        let n_metrics = Metric::ALL.len();
        let stored = if keep_weekly { weeks } else { 0 };
        let weekly = file
            .new_dataset::<f64>()
            .shape([k, n_metrics, N_STATS, stored, N_STRATA])
            .chunk([1, 1, N_STATS, stored.max(1), N_STRATA])
            .shuffle()
            .deflate(1)
            .create("weekly")?;
        let final_year = file
            .new_dataset::<f64>()
            .shape([k, N_STATS, n_metrics, N_STRATA])
            .create("final_year")?;
        let yearly = file
            .new_dataset::<f64>()
            .shape([k, N_STATS, years_of(weeks), n_metrics, N_STRATA])
            .create("yearly")?;
        let discounted = file
            .new_dataset::<f64>()
            .shape([k, N_STATS, n_metrics, N_STRATA])
            .create("discounted_total")?;
        Ok(PackWriter {
            weekly,
            final_year,
            yearly,
            discounted,
            file,
            staged,
            weeks,
            keep_weekly,
        })
    }

    /// Write the summary of the point in position `slot`.
    pub fn write(&self, slot: usize, summary: &Summary) -> hdf5::Result<()> {
        let n_metrics = Metric::ALL.len();
        if self.keep_weekly {
            let weekly =
                ArrayView4::from_shape((n_metrics, N_STATS, self.weeks, N_STRATA), &summary.weekly)
                    .map_err(err)?;
            self.weekly.write_slice(weekly, s![slot, .., .., .., ..])?;
        }
        let yearly = ArrayView4::from_shape(
            (N_STATS, years_of(self.weeks), n_metrics, N_STRATA),
            &summary.yearly,
        )
        .map_err(err)?;
        self.yearly.write_slice(yearly, s![slot, .., .., .., ..])?;
        let final_year =
            ArrayView3::from_shape((N_STATS, n_metrics, N_STRATA), &summary.final_year)
                .map_err(err)?;
        self.final_year
            .write_slice(final_year, s![slot, .., .., ..])?;
        let discounted =
            ArrayView3::from_shape((N_STATS, n_metrics, N_STRATA), &summary.discounted)
                .map_err(err)?;
        self.discounted
            .write_slice(discounted, s![slot, .., .., ..])?;
        Ok(())
    }

    /// Close the file and move it into place. With `replace` an existing file is replaced;
    /// without, an existing file is left alone and `false` is returned.
    pub fn commit(self, replace: bool) -> hdf5::Result<bool> {
        let PackWriter {
            weekly,
            final_year,
            yearly,
            discounted,
            file,
            staged,
            ..
        } = self;
        drop((weekly, final_year, yearly, discounted));
        file.close()?;
        if replace {
            staged.commit().map_err(err)?;
            Ok(true)
        } else {
            staged.commit_new().map_err(err)
        }
    }
}

/// Reads a pack.
pub struct PackReader {
    file: hdf5::File,
    /// The plan the pack belongs to.
    pub plan_hash: String,
    /// What the pack holds.
    pub kind: PackKind,
    /// The points held, in order.
    pub points: Vec<u64>,
    replicates: Vec<u64>,
    weeks: usize,
}

impl PackReader {
    /// Open a pack and read its table of contents; fails when it was written with another
    /// set of metrics than this mhsim's.
    pub fn open(path: &Path) -> hdf5::Result<PackReader> {
        let file = hdf5::File::open(path)?;
        let plan_hash = read_attr_str(&file, "plan_hash")?;
        let kind = match read_attr_str(&file, "kind")?.as_str() {
            "point" => PackKind::Point,
            _ => PackKind::Shard {
                shard: read_attr_u64(&file, "shard")?,
                shards: read_attr_u64(&file, "shards")?,
            },
        };
        let metrics = read_strings(&file.dataset("metrics")?)?;
        if metrics != metric_names() {
            return Err(err(format!(
                "written by an mhsim with other metrics ({})",
                metrics.join(", ")
            )));
        }
        let points = file.dataset("points")?.read_raw::<u64>()?;
        let replicates = file.dataset("replicates")?.read_raw::<u64>()?;
        let weeks = read_attr_u64(&file, "weeks")? as usize;
        Ok(PackReader {
            file,
            plan_hash,
            kind,
            points,
            replicates,
            weeks,
        })
    }

    /// The summary of the point in position `slot`, whose totals were discounted at
    /// `discounting` (the sweep's rates: its plan fixes them).
    /// Weekly statistics are NaN when the pack keeps none.
    pub fn read(&self, slot: usize, discounting: Discounting) -> hdf5::Result<Summary> {
        let mut summary = Summary::empty(self.replicates[slot] as usize, self.weeks, discounting);
        let weekly = self.file.dataset("weekly")?;
        if weekly.shape().get(3).copied().unwrap_or(0) == self.weeks {
            let weekly: ndarray::Array4<f64> = weekly.read_slice(s![slot, .., .., .., ..])?;
            summary.weekly = weekly.into_iter().collect();
        }
        let final_year: ndarray::Array3<f64> =
            self.file
                .dataset("final_year")?
                .read_slice(s![slot, .., .., ..])?;
        summary.final_year = final_year.into_iter().collect();
        let yearly: ndarray::Array4<f64> =
            self.file
                .dataset("yearly")?
                .read_slice(s![slot, .., .., .., ..])?;
        summary.yearly = yearly.into_iter().collect();
        if let Ok(ds) = self.file.dataset("discounted_total") {
            let discounted: ndarray::Array3<f64> = ds.read_slice(s![slot, .., .., ..])?;
            summary.discounted = discounted.into_iter().collect();
        }
        Ok(summary)
    }
}

/// One column of the points table.
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Integers (index, seed, replicates, people).
    U64(Vec<u64>),
    /// Numbers.
    F64(Vec<f64>),
    /// Anything else, as written in TOML.
    Text(Vec<String>),
}

/// Provenance of a sweep's results file.
#[derive(Debug, Clone)]
pub struct SweepInfo {
    /// String attributes of the file.
    pub text: Vec<(&'static str, String)>,
    /// Integer attributes of the file.
    pub numbers: Vec<(&'static str, u64)>,
    /// Names of the swept parameters (key paths), the columns after the fixed ones.
    pub parameters: Vec<String>,
    /// The points table: (column name, values), one row per point.
    pub columns: Vec<(String, Column)>,
    /// Number of points.
    pub points: usize,
    /// Recorded weeks.
    pub weeks: usize,
    /// Whether weekly summaries are kept.
    pub weekly: bool,
    /// The rates of the discounted totals (the base scenario's: a sweep does not vary them).
    pub discounting: Discounting,
}

/// Writes a sweep's `results.h5` point by point.
pub struct SweepWriter {
    final_year: Vec<hdf5::Dataset>,
    yearly: Vec<hdf5::Dataset>,
    discounted: Vec<hdf5::Dataset>,
    weekly: Vec<hdf5::Dataset>,
    file: hdf5::File,
    staged: Staged,
    weeks: usize,
}

impl SweepWriter {
    /// Create the file (under a temporary name) with its attributes and points table.
    pub fn create(path: &Path, info: &SweepInfo) -> hdf5::Result<SweepWriter> {
        let staged = Staged::new(path);
        let file = hdf5::File::create(staged.path())?;
        attr_str(&file, "mhsim_version", crate::VERSION)?;
        for (name, value) in &info.text {
            attr_str(&file, name, value)?;
        }
        for (name, value) in &info.numbers {
            attr_u64(&file, name, *value)?;
        }
        string_array(&file, "strata", &strata())?;
        let table = file.create_group("points")?;
        string_array(&table, "parameters", &info.parameters)?;
        for (name, column) in &info.columns {
            match column {
                Column::U64(v) => {
                    table
                        .new_dataset_builder()
                        .with_data(v)
                        .create(name.as_str())?;
                }
                Column::F64(v) => {
                    table
                        .new_dataset_builder()
                        .with_data(v)
                        .create(name.as_str())?;
                }
                Column::Text(v) => string_array(&table, name, v)?,
            }
        }
        let summary = file.create_group("summary")?;
        string_array(&summary, "metrics", &metric_names())?;
        let n_metrics = Metric::ALL.len();
        // One dataset per statistic, `<prefix>_<stat>`, of the given shape.
        let per_stat = |prefix: &str, shape: &[usize]| -> hdf5::Result<Vec<hdf5::Dataset>> {
            STATS
                .iter()
                .map(|stat| {
                    summary
                        .new_dataset::<f64>()
                        .shape(shape)
                        .create(format!("{prefix}_{stat}").as_str())
                })
                .collect()
        };
        let final_year = per_stat("final_year", &[info.points, n_metrics, N_STRATA])?;
        let yearly = per_stat(
            "yearly",
            &[info.points, years_of(info.weeks), n_metrics, N_STRATA],
        )?;
        let discounted = per_stat("discounted_total", &[info.points, n_metrics, N_STRATA])?;
        write_discounting(&summary, info.discounting)?;
        let mut weekly = Vec::new();
        let weekly_group = summary.create_group("weekly")?;
        for metric in Metric::ALL.iter().filter(|_| info.weekly) {
            for stat in STATS {
                weekly.push(
                    weekly_group
                        .new_dataset::<f64>()
                        .shape([info.points, info.weeks, N_STRATA])
                        .chunk([1, info.weeks.max(1), N_STRATA])
                        .shuffle()
                        .deflate(4)
                        .create(format!("{}_{stat}", metric.name()).as_str())?,
                );
            }
        }
        Ok(SweepWriter {
            final_year,
            yearly,
            discounted,
            weekly,
            file,
            staged,
            weeks: info.weeks,
        })
    }

    /// Write the summaries of point `point`.
    pub fn write(&self, point: usize, summary: &Summary) -> hdf5::Result<()> {
        let blocks: [(&[hdf5::Dataset], Block); 2] = [
            (&self.final_year, Summary::final_stat),
            (&self.discounted, Summary::discounted_stat),
        ];
        for (datasets, stat) in blocks {
            for (k, ds) in datasets.iter().enumerate() {
                let view = ArrayView2::from_shape((Metric::ALL.len(), N_STRATA), stat(summary, k))
                    .map_err(err)?;
                ds.write_slice(view, s![point, .., ..])?;
            }
        }
        let years = summary.years();
        let len = years * Metric::ALL.len() * N_STRATA;
        for (k, ds) in self.yearly.iter().enumerate() {
            let view = ArrayView3::from_shape(
                (years, Metric::ALL.len(), N_STRATA),
                &summary.yearly[k * len..(k + 1) * len],
            )
            .map_err(err)?;
            ds.write_slice(view, s![point, .., .., ..])?;
        }
        for (m, _) in Metric::ALL
            .iter()
            .enumerate()
            .filter(|_| !self.weekly.is_empty())
        {
            for k in 0..N_STATS {
                let view =
                    ArrayView2::from_shape((self.weeks, N_STRATA), summary.weekly_stat(m, k))
                        .map_err(err)?;
                self.weekly[m * N_STATS + k].write_slice(view, s![point, .., ..])?;
            }
        }
        Ok(())
    }

    /// Close the file and move it into place unless a file is already there (then `false`).
    pub fn commit_new(self) -> hdf5::Result<bool> {
        let SweepWriter {
            final_year,
            yearly,
            discounted,
            weekly,
            file,
            staged,
            ..
        } = self;
        drop((final_year, yearly, discounted, weekly));
        file.close()?;
        staged.commit_new().map_err(err)
    }
}

/// The plan hash recorded in a results, shard or point file (to recognise finished work).
pub fn plan_hash_of(path: &Path) -> hdf5::Result<String> {
    let file = hdf5::File::open(path)?;
    read_attr_str(&file, "plan_hash")
}
