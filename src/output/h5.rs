//! The HDF5 results file, written from one thread.
//!
//! Layout of `results.h5`:
//!
//! ```text
//! /                    attributes: mhsim_version, scenario_name, scenario (resolved TOML),
//!                      scenario_source (the file as written), seed, replicates, weeks,
//!                      burn_in_weeks, start_year, people
//! /strata              names of the strata (string array)
//! /series/<metric>     f64 [replicate, week, stratum], chunked by replicate, deflate;
//!                      attributes unit, description
//! /episodes/durations_completed  u32 [replicate, duration in weeks]
//! /episodes/durations_censored   u32 [replicate, duration so far]
//! /summary/final_year_{mean,lo95,hi95}   f64 [metric, stratum]
//! /summary/weekly/<metric>_{mean,lo95,hi95}  f64 [week, stratum]
//! /summary/metrics     names of the metrics (string array), the rows of final_year_*
//! ```

use std::path::Path;
use std::str::FromStr;

use hdf5::types::VarLenUnicode;
use ndarray::{ArrayView2, s};

use crate::output::{FinalYear, Staged, quantile};
use crate::record::{Metric, N_STRATA, ReplicateSeries, strata};
use crate::scenario::Scenario;

/// Writes one run's results to a staged HDF5 file.
pub struct ResultsWriter {
    staged: Staged,
    file: hdf5::File,
    series: Vec<hdf5::Dataset>,
    completed: hdf5::Dataset,
    censored: hdf5::Dataset,
    replicates: usize,
    weeks: usize,
}

fn text(s: &str) -> hdf5::Result<VarLenUnicode> {
    VarLenUnicode::from_str(s).map_err(|e| hdf5::Error::from(e.to_string()))
}

fn attr_str(loc: &hdf5::Location, name: &str, value: &str) -> hdf5::Result<()> {
    loc.new_attr::<VarLenUnicode>()
        .shape(())
        .create(name)?
        .write_scalar(&text(value)?)
}

fn attr_u64(loc: &hdf5::Location, name: &str, value: u64) -> hdf5::Result<()> {
    loc.new_attr::<u64>()
        .shape(())
        .create(name)?
        .write_scalar(&value)
}

fn string_array(group: &hdf5::Group, name: &str, values: &[String]) -> hdf5::Result<()> {
    let data: Vec<VarLenUnicode> = values
        .iter()
        .map(|v| text(v))
        .collect::<hdf5::Result<_>>()?;
    group.new_dataset_builder().with_data(&data).create(name)?;
    Ok(())
}

impl ResultsWriter {
    /// Create the file for `replicates` replicates of `scenario` (written under a temporary
    /// name until [`ResultsWriter::finish`]).
    pub fn create(
        path: &Path,
        scenario: &Scenario,
        replicates: usize,
    ) -> hdf5::Result<ResultsWriter> {
        let staged = Staged::new(path);
        let file = hdf5::File::create(staged.path())?;
        let weeks = scenario.run.weeks as usize;
        attr_str(&file, "mhsim_version", crate::VERSION)?;
        attr_str(&file, "scenario_name", &scenario.run.name)?;
        attr_str(&file, "scenario", &scenario.resolved_toml())?;
        attr_str(&file, "scenario_source", &scenario.source_text)?;
        attr_str(&file, "scenario_origin", &scenario.origin)?;
        attr_u64(&file, "seed", scenario.run.seed)?;
        attr_u64(&file, "replicates", replicates as u64)?;
        attr_u64(&file, "weeks", weeks as u64)?;
        attr_u64(
            &file,
            "burn_in_weeks",
            u64::from(scenario.run.burn_in_weeks),
        )?;
        attr_u64(&file, "start_year", u64::from(scenario.run.start_year))?;
        attr_u64(&file, "people", u64::from(scenario.run.people))?;
        string_array(&file, "strata", &strata())?;
        let group = file.create_group("series")?;
        let mut series = Vec::new();
        for metric in Metric::ALL {
            let ds = group
                .new_dataset::<f64>()
                .shape([replicates, weeks, N_STRATA])
                .chunk([1, weeks, N_STRATA])
                .deflate(4)
                .create(metric.name())?;
            attr_str(&ds, "unit", metric.unit())?;
            attr_str(&ds, "description", metric.description())?;
            attr_str(&ds, "dimensions", "replicate, week, stratum")?;
            series.push(ds);
        }
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
            "episodes that began in the recorded weeks and were still running at the end, by duration so far",
        )?;
        Ok(ResultsWriter {
            staged,
            file,
            series,
            completed,
            censored,
            replicates,
            weeks,
        })
    }

    /// Write one replicate at position `index`.
    pub fn write(&mut self, index: usize, r: &ReplicateSeries) -> hdf5::Result<()> {
        for (ds, metric) in self.series.iter().zip(Metric::ALL) {
            let view = ArrayView2::from_shape((self.weeks, N_STRATA), r.metric(metric))
                .map_err(|e| hdf5::Error::from(e.to_string()))?;
            ds.write_slice(view, s![index, .., ..])?;
        }
        self.completed
            .write_slice(&r.durations_completed, s![index, ..])?;
        self.censored
            .write_slice(&r.durations_censored, s![index, ..])?;
        Ok(())
    }

    /// Write the summaries, close the file and move it into place.
    pub fn finish(self, final_year: &FinalYear) -> hdf5::Result<()> {
        let summary = self.file.create_group("summary")?;
        let names: Vec<String> = Metric::ALL.iter().map(|m| m.name().to_string()).collect();
        string_array(&summary, "metrics", &names)?;
        let [mean, lo, hi] = final_year.summarise();
        for (name, values) in [
            ("final_year_mean", mean),
            ("final_year_lo95", lo),
            ("final_year_hi95", hi),
        ] {
            let arr = ndarray::Array2::from_shape_vec((Metric::ALL.len(), N_STRATA), values)
                .map_err(|e| hdf5::Error::from(e.to_string()))?;
            summary.new_dataset_builder().with_data(&arr).create(name)?;
        }
        // Weekly mean and 95% interval across replicates, read back in replicate order so the
        // sums do not depend on the order replicates finished in.
        let weekly = summary.create_group("weekly")?;
        let block = (64 * 1024 * 1024 / (8 * N_STRATA * self.replicates.max(1)))
            .clamp(1, self.weeks.max(1));
        for (ds, metric) in self.series.iter().zip(Metric::ALL) {
            let mut stats = [
                ndarray::Array2::<f64>::from_elem((self.weeks, N_STRATA), f64::NAN),
                ndarray::Array2::<f64>::from_elem((self.weeks, N_STRATA), f64::NAN),
                ndarray::Array2::<f64>::from_elem((self.weeks, N_STRATA), f64::NAN),
            ];
            let mut w0 = 0;
            while w0 < self.weeks {
                let w1 = (w0 + block).min(self.weeks);
                let data: ndarray::Array3<f64> = ds.read_slice(s![.., w0..w1, ..])?;
                for w in w0..w1 {
                    for st in 0..N_STRATA {
                        let mut v: Vec<f64> = data
                            .slice(s![.., w - w0, st])
                            .iter()
                            .copied()
                            .filter(|x| x.is_finite())
                            .collect();
                        if v.is_empty() {
                            continue;
                        }
                        stats[0][[w, st]] = v.iter().sum::<f64>() / v.len() as f64;
                        v.sort_by(f64::total_cmp);
                        stats[1][[w, st]] = quantile(&v, 0.025);
                        stats[2][[w, st]] = quantile(&v, 0.975);
                    }
                }
                w0 = w1;
            }
            for (suffix, arr) in ["mean", "lo95", "hi95"].iter().zip(stats) {
                weekly
                    .new_dataset_builder()
                    .with_data(&arr)
                    .chunk([self.weeks.max(1), N_STRATA])
                    .deflate(4)
                    .create(format!("{}_{suffix}", metric.name()).as_str())?;
            }
        }
        let ResultsWriter {
            staged,
            file,
            series,
            completed,
            censored,
            ..
        } = self;
        drop((series, completed, censored, summary, weekly));
        file.close()?;
        staged
            .commit()
            .map_err(|e| hdf5::Error::from(e.to_string()))
    }
}
