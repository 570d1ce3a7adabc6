//! Summaries across replicates and the CSV summary file.

use std::path::Path;

use crate::output::Staged;
use crate::record::{Metric, N_STRATA, ReplicateSeries, strata};

/// Quantile `q` (0-1) of sorted values, linear interpolation between order statistics
/// (Hyndman & Fan type 7, the default of R and numpy).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - h.floor()) * (sorted[hi] - sorted[lo])
}

/// Final-year means of every metric and stratum, one row per replicate, placed by replicate
/// index so that the summary does not depend on the order replicates finish in.
#[derive(Debug, Clone)]
pub struct FinalYear {
    weeks: usize,
    rows: Vec<Option<Vec<f64>>>,
}

impl FinalYear {
    /// Room for `replicates` replicates; the final year is the last `weeks` recorded weeks.
    pub fn new(replicates: usize, weeks: usize) -> Self {
        FinalYear {
            weeks,
            rows: vec![None; replicates],
        }
    }

    /// Add one replicate (at position `index` among the replicates of this run).
    pub fn add(&mut self, index: usize, series: &ReplicateSeries) {
        let row = Metric::ALL
            .iter()
            .flat_map(|&m| (0..N_STRATA).map(move |s| (m, s)))
            .map(|(m, s)| series.mean_over_last(m, s, self.weeks))
            .collect();
        self.rows[index] = Some(row);
    }

    /// Mean, 2.5% and 97.5% quantiles across replicates, laid out `[metric][stratum]`.
    pub fn summarise(&self) -> [Vec<f64>; 3] {
        let n = Metric::ALL.len() * N_STRATA;
        let mut out = [vec![f64::NAN; n], vec![f64::NAN; n], vec![f64::NAN; n]];
        for i in 0..n {
            let mut v: Vec<f64> = self
                .rows
                .iter()
                .flatten()
                .map(|r| r[i])
                .filter(|x| x.is_finite())
                .collect();
            if v.is_empty() {
                continue;
            }
            v.sort_by(f64::total_cmp);
            out[0][i] = v.iter().sum::<f64>() / v.len() as f64;
            out[1][i] = quantile(&v, 0.025);
            out[2][i] = quantile(&v, 0.975);
        }
        out
    }

    /// Number of replicates added.
    pub fn count(&self) -> usize {
        self.rows.iter().flatten().count()
    }
}

/// Write `summary.csv`: final-year mean and 95% interval across replicates of every metric
/// in every stratum.
pub fn write_summary_csv(
    path: &Path,
    final_year: &FinalYear,
    period: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let staged = Staged::new(path);
    {
        let mut w = csv::Writer::from_path(staged.path())?;
        w.write_record([
            "metric",
            "stratum",
            "unit",
            "period",
            "replicates",
            "mean",
            "lo95",
            "hi95",
        ])?;
        let [mean, lo, hi] = final_year.summarise();
        let names = strata();
        let reps = final_year.count().to_string();
        for (m, metric) in Metric::ALL.iter().enumerate() {
            for (s, stratum) in names.iter().enumerate() {
                let i = m * N_STRATA + s;
                w.write_record([
                    metric.name(),
                    stratum,
                    metric.unit(),
                    period,
                    &reps,
                    &fmt(mean[i]),
                    &fmt(lo[i]),
                    &fmt(hi[i]),
                ])?;
            }
        }
        w.flush()?;
    }
    staged.commit()?;
    Ok(())
}

fn fmt(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.6}")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert!((quantile(&v, 0.025) - 1.1).abs() < 1e-12);
    }
}
