//! Summaries across replicates (mean, SD, quantiles, confidence interval of the mean) and the
//! CSV summary file.
//!
//! Summaries are reduced from per-replicate series kept on disk ([`SeriesSource`]), read back
//! in blocks in replicate order, so that memory does not grow with the number of replicates
//! beyond one block and the result does not depend on the order replicates finished in.
//! Every statistic of one cell (metric, week, stratum) is computed from that cell's values
//! alone, so the cells can be reduced in parallel with bit-identical results.

use std::ops::Range;
use std::path::Path;

use ndarray::Array3;
use rayon::prelude::*;

use crate::output::Staged;
use crate::params::ValuationParams;
use crate::record::{Metric, N_STRATA, strata};

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

/// The statistics of a summary, in storage order; dataset suffixes use these names.
pub const STATS: [&str; 7] = ["mean", "sd", "q025", "q50", "q975", "ci95_lo", "ci95_hi"];
/// Number of statistics.
pub const N_STATS: usize = STATS.len();
/// Index of the mean in [`STATS`].
pub const MEAN: usize = 0;
/// Index of the SD in [`STATS`].
pub const SD: usize = 1;
/// Index of the 2.5% quantile in [`STATS`].
pub const Q025: usize = 2;
/// Index of the median in [`STATS`].
pub const Q50: usize = 3;
/// Index of the 97.5% quantile in [`STATS`].
pub const Q975: usize = 4;
/// Index of the lower end of the 95% confidence interval of the mean in [`STATS`].
pub const CI_LO: usize = 5;
/// Index of the upper end of the 95% confidence interval of the mean in [`STATS`].
pub const CI_HI: usize = 6;

/// Discount rates of a run's discounted totals, per year (`valuation.discount_rate` and
/// `valuation.health_discount_rate`): costs of services and programmes at one rate, every
/// other metric (health effects, their monetary values, events and levels) at the other.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Discounting {
    /// Rate of the cost metrics ([`Metric::is_cost`]), per year.
    pub costs: f64,
    /// Rate of every other metric, per year.
    pub health: f64,
}

impl Discounting {
    /// The NICE reference case (NICE health technology evaluations manual, 2022), 3.5% a year
    /// for costs and health effects alike, the Green Book's social time preference rate; the
    /// defaults of `valuation.discount_rate` and `valuation.health_discount_rate`.
    pub const REFERENCE: Discounting = Discounting {
        costs: 0.035,
        health: 0.035,
    };

    /// The rates of a scenario's valuation parameters.
    pub fn of(valuation: &ValuationParams) -> Discounting {
        Discounting {
            costs: valuation.discount_rate,
            health: valuation.health_discount_rate,
        }
    }

    /// The rate of `metric`, per year.
    pub fn rate(&self, metric: Metric) -> f64 {
        if metric.is_cost() {
            self.costs
        } else {
            self.health
        }
    }

    /// The discount factor of `metric` in recorded year `year` (0 = the first, undiscounted).
    pub fn factor(&self, metric: Metric, year: usize) -> f64 {
        discount_factor(self.rate(metric), year)
    }

    /// The rates in words, e.g. "3.5% a year" or "3.5% a year (costs) and 1.5% (health
    /// effects)".
    pub fn describe(&self) -> String {
        if self.costs == self.health {
            format!("{} a year", percent(self.costs))
        } else {
            format!(
                "{} a year (costs) and {} (health effects)",
                percent(self.costs),
                percent(self.health)
            )
        }
    }
}

/// A rate as a percentage with as many decimals as it needs (up to 3): 0.035 -> "3.5%".
fn percent(rate: f64) -> String {
    let text = format!("{:.3}", rate * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

/// The discount factor at `rate` a year of recorded year `year` (0 = the first,
/// undiscounted): `(1 + rate)^-year`.
pub fn discount_factor(rate: f64, year: usize) -> f64 {
    (1.0 + rate).powi(-(year as i32))
}

/// The 97.5% quantile of Student's t distribution with `df` degrees of freedom.
fn t975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df - 1],
        _ => {
            // Cornish-Fisher expansion around the normal quantile; error < 1e-4 beyond 30 df.
            let z: f64 = 1.959_963_984_540_054;
            let n = df as f64;
            z + (z.powi(3) + z) / (4.0 * n)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
                + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z)
                    / (384.0 * n * n * n)
        }
    }
}

/// The statistics of one sample. `values` are in replicate order (the order of the sums);
/// non-finite values (e.g. a rate in an empty stratum) are left out. The vector is reordered.
pub fn sample_stats(values: &mut Vec<f64>) -> [f64; N_STATS] {
    values.retain(|x| x.is_finite());
    let mut out = [f64::NAN; N_STATS];
    let n = values.len();
    if n == 0 {
        return out;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    out[MEAN] = mean;
    if n > 1 {
        let sd =
            (values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt();
        out[SD] = sd;
        let half = t975(n - 1) * sd / (n as f64).sqrt();
        out[CI_LO] = mean - half;
        out[CI_HI] = mean + half;
    }
    values.sort_by(f64::total_cmp);
    out[Q025] = quantile(values, 0.025);
    out[Q50] = quantile(values, 0.5);
    out[Q975] = quantile(values, 0.975);
    out
}

/// Per-replicate weekly series of a run, kept on disk and read back in blocks.
pub trait SeriesSource {
    /// Number of replicates.
    fn replicates(&self) -> usize;
    /// Number of recorded weeks.
    fn weeks(&self) -> usize;
    /// Metric `metric` (index into [`Metric::ALL`]) for replicates `replicates` and weeks
    /// `weeks`, as `[replicate, week, stratum]`.
    fn read(
        &self,
        metric: usize,
        replicates: Range<usize>,
        weeks: Range<usize>,
    ) -> hdf5::Result<Array3<f64>>;
}

/// Summaries across replicates of every metric, week and stratum, and of the final-year means.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Replicates summarised.
    pub replicates: usize,
    /// Recorded weeks.
    pub weeks: usize,
    /// Length of the final period in weeks (the last year, or all weeks when shorter).
    pub final_weeks: usize,
    /// `[metric][stat][week][stratum]`, stats in [`STATS`] order.
    pub weekly: Vec<f64>,
    /// `[stat][metric][stratum]`: statistics of the per-replicate final-period means.
    pub final_year: Vec<f64>,
    /// `[stat][year][metric][stratum]`: statistics of the per-replicate means of each
    /// recorded year (weeks `52 y .. 52 (y + 1)`; the last year may be shorter). Non-finite
    /// weeks are left out of a replicate's mean, as for the final period.
    pub yearly: Vec<f64>,
    /// `[stat][metric][stratum]`: statistics of each replicate's discounted total over the
    /// recorded weeks, the sum over recorded years of the year's sum of weekly values times
    /// the factor of its metric's rate in [`Discounting`] (non-finite weeks left out; NaN without any finite week). For a
    /// quantity per week (costs, QALYs, WELLBYs, events) it is its discounted total over the
    /// run; for a share or a level it has no meaning.
    pub discounted: Vec<f64>,
    /// `[replicate][metric]`: each replicate's discounted total of the whole population (the
    /// first stratum), the values behind [`Summary::discounted`]'s statistics there, so that
    /// quantities of several metrics (a net monetary benefit) can be summarised replicate by
    /// replicate; empty where they are not kept (a sweep's points, files of older versions).
    pub replicate_totals: Vec<f64>,
    /// The rates of the discounted totals.
    pub discounting: Discounting,
}

/// Bytes of series read at once while summarising (per source).
const BLOCK_BYTES: usize = 96 * 1024 * 1024;

impl Summary {
    /// An empty summary (every statistic NaN) of the given shape.
    pub fn empty(replicates: usize, weeks: usize, discounting: Discounting) -> Summary {
        Summary {
            replicates,
            weeks,
            final_weeks: 52.min(weeks),
            weekly: vec![f64::NAN; Metric::ALL.len() * N_STATS * weeks * N_STRATA],
            final_year: vec![f64::NAN; N_STATS * Metric::ALL.len() * N_STRATA],
            yearly: vec![f64::NAN; N_STATS * years_of(weeks) * Metric::ALL.len() * N_STRATA],
            discounted: vec![f64::NAN; N_STATS * Metric::ALL.len() * N_STRATA],
            replicate_totals: Vec::new(),
            discounting,
        }
    }

    /// Number of recorded years (a last, shorter year counts).
    pub fn years(&self) -> usize {
        years_of(self.weeks)
    }

    /// Yearly statistic `stat` of metric `metric` in recorded year `year` (0 = the first) and
    /// stratum `stratum`.
    pub fn yearly_stat(&self, stat: usize, year: usize, metric: usize, stratum: usize) -> f64 {
        let n_metrics = Metric::ALL.len();
        self.yearly[((stat * self.years() + year) * n_metrics + metric) * N_STRATA + stratum]
    }

    /// Summarise a run's series, its totals discounted at `discounting`. Runs on the current
    /// rayon pool.
    pub fn of(source: &dyn SeriesSource, discounting: Discounting) -> hdf5::Result<Summary> {
        Summary::reduce(&[source], discounting)
    }

    /// Summarise the paired differences `other - base`, replicate by replicate (both runs
    /// used the same replicate indices, hence common random numbers).
    pub fn of_difference(
        base: &dyn SeriesSource,
        other: &dyn SeriesSource,
        discounting: Discounting,
    ) -> hdf5::Result<Summary> {
        if base.replicates() != other.replicates() || base.weeks() != other.weeks() {
            return Err(hdf5::Error::from(
                "paired differences need runs of the same replicates and weeks",
            ));
        }
        Summary::reduce(&[base, other], discounting)
    }

    /// One source: its summaries; two: the summaries of `second - first`.
    fn reduce(sources: &[&dyn SeriesSource], discounting: Discounting) -> hdf5::Result<Summary> {
        let (replicates, weeks) = (sources[0].replicates(), sources[0].weeks());
        let mut summary = Summary::empty(replicates, weeks, discounting);
        if replicates == 0 || weeks == 0 {
            return Ok(summary);
        }
        let read = |m: usize, reps: Range<usize>, w: Range<usize>| -> hdf5::Result<Array3<f64>> {
            let first = sources[0].read(m, reps.clone(), w.clone())?;
            match sources.get(1) {
                None => Ok(first),
                Some(second) => Ok(second.read(m, reps, w)? - first),
            }
        };
        let per_week = 8 * N_STRATA * replicates;
        let block = (BLOCK_BYTES / per_week).clamp(1, weeks);
        let n_metrics = Metric::ALL.len();
        let last = weeks - summary.final_weeks..weeks;
        summary.replicate_totals = vec![f64::NAN; replicates * n_metrics];
        for m in 0..n_metrics {
            // Per-replicate final-period means, when one block of a single run holds them.
            let mut from_block: Option<Vec<f64>> = None;
            // Per-replicate sums and counts of finite weeks, `[replicate][year][stratum]`.
            let years = summary.years();
            let mut year_sum = vec![0.0; replicates * years * N_STRATA];
            let mut year_n = vec![0u32; replicates * years * N_STRATA];
            let mut w0 = 0;
            while w0 < weeks {
                let w1 = (w0 + block).min(weeks);
                let data = read(m, 0..replicates, w0..w1)?;
                if sources.len() == 1 && w0 <= last.start && w1 == weeks {
                    from_block = Some(final_means(&data.slice(ndarray::s![
                        ..,
                        last.start - w0..,
                        ..
                    ])));
                }
                for r in 0..replicates {
                    for w in 0..w1 - w0 {
                        let y = (w0 + w) / 52;
                        for st in 0..N_STRATA {
                            let v = data[[r, w, st]];
                            if v.is_finite() {
                                year_sum[(r * years + y) * N_STRATA + st] += v;
                                year_n[(r * years + y) * N_STRATA + st] += 1;
                            }
                        }
                    }
                }
                // One task per week of the block; results come back in week order.
                let stats: Vec<Vec<[f64; N_STATS]>> = (0..w1 - w0)
                    .into_par_iter()
                    .map(|w| {
                        let mut values = Vec::with_capacity(replicates);
                        (0..N_STRATA)
                            .map(|s| {
                                values.clear();
                                values.extend((0..replicates).map(|r| data[[r, w, s]]));
                                sample_stats(&mut values)
                            })
                            .collect()
                    })
                    .collect();
                for (w, row) in stats.iter().enumerate() {
                    for (s, st) in row.iter().enumerate() {
                        for (k, value) in st.iter().enumerate() {
                            summary.weekly[((m * N_STATS + k) * weeks + w0 + w) * N_STRATA + s] =
                                *value;
                        }
                    }
                }
                w0 = w1;
            }
            for y in 0..years {
                let mut values = Vec::with_capacity(replicates);
                for st in 0..N_STRATA {
                    values.clear();
                    values.extend((0..replicates).map(|r| {
                        let i = (r * years + y) * N_STRATA + st;
                        if year_n[i] == 0 {
                            f64::NAN
                        } else {
                            year_sum[i] / f64::from(year_n[i])
                        }
                    }));
                    let stats = sample_stats(&mut values);
                    for (k, value) in stats.iter().enumerate() {
                        summary.yearly[((k * years + y) * n_metrics + m) * N_STRATA + st] = *value;
                    }
                }
            }
            // Discounted totals: each replicate's yearly sums, discounted and added up.
            let mut values = Vec::with_capacity(replicates);
            for st in 0..N_STRATA {
                values.clear();
                values.extend((0..replicates).map(|r| {
                    let cells = (0..years).map(|y| (r * years + y) * N_STRATA + st);
                    if cells.clone().all(|i| year_n[i] == 0) {
                        f64::NAN
                    } else {
                        cells
                            .enumerate()
                            .map(|(y, i)| discounting.factor(Metric::ALL[m], y) * year_sum[i])
                            .sum()
                    }
                }));
                if st == 0 {
                    for (r, total) in values.iter().enumerate() {
                        summary.replicate_totals[r * n_metrics + m] = *total;
                    }
                }
                let stats = sample_stats(&mut values);
                for (k, value) in stats.iter().enumerate() {
                    summary.discounted[(k * n_metrics + m) * N_STRATA + st] = *value;
                }
            }
            // Final period: each replicate's mean over the last weeks (of each run, then the
            // difference), then statistics across replicates. Read again unless the last
            // block held them (a difference needs each run's means, not the mean difference).
            let rep_block = (BLOCK_BYTES / (8 * N_STRATA * summary.final_weeks)).max(1);
            let mut per_replicate = from_block.unwrap_or_default();
            let mut r0 = if per_replicate.is_empty() {
                per_replicate = vec![f64::NAN; replicates * N_STRATA];
                0
            } else {
                replicates
            };
            while r0 < replicates {
                let r1 = (r0 + rep_block).min(replicates);
                let means: Vec<Vec<f64>> = sources
                    .iter()
                    .map(|src| Ok(final_means(&src.read(m, r0..r1, last.clone())?.view())))
                    .collect::<hdf5::Result<_>>()?;
                for i in 0..(r1 - r0) * N_STRATA {
                    per_replicate[r0 * N_STRATA + i] = match means.as_slice() {
                        [a] => a[i],
                        [a, b] => b[i] - a[i],
                        _ => unreachable!("one or two sources"),
                    };
                }
                r0 = r1;
            }
            let mut values = Vec::with_capacity(replicates);
            for s in 0..N_STRATA {
                values.clear();
                values.extend((0..replicates).map(|r| per_replicate[r * N_STRATA + s]));
                let st = sample_stats(&mut values);
                for (k, value) in st.iter().enumerate() {
                    summary.final_year[(k * n_metrics + m) * N_STRATA + s] = *value;
                }
            }
        }
        Ok(summary)
    }

    /// Weekly statistic `stat` of metric `metric` (index into [`Metric::ALL`]), `[week][stratum]`.
    pub fn weekly_stat(&self, metric: usize, stat: usize) -> &[f64] {
        let len = self.weeks * N_STRATA;
        let start = (metric * N_STATS + stat) * len;
        &self.weekly[start..start + len]
    }

    /// Statistic `stat` of the discounted totals over the run, `[metric][stratum]`.
    pub fn discounted_stat(&self, stat: usize) -> &[f64] {
        let len = Metric::ALL.len() * N_STRATA;
        &self.discounted[stat * len..(stat + 1) * len]
    }

    /// Final-period statistic `stat`, `[metric][stratum]`.
    pub fn final_stat(&self, stat: usize) -> &[f64] {
        let len = Metric::ALL.len() * N_STRATA;
        &self.final_year[stat * len..(stat + 1) * len]
    }

    /// A description of the discounted totals for tables, e.g. "whole run (2024-2033, 520
    /// weeks), discounted at 3.5% a year" (with both rates where they differ).
    pub fn run_period(&self, start_year: u32) -> String {
        self.whole_run(start_year, &self.discounting.describe())
    }

    /// The same for one metric, at its own rate: "whole run (2024-2033, 520 weeks),
    /// discounted at 1.5% a year".
    pub fn metric_run_period(&self, start_year: u32, metric: Metric) -> String {
        self.whole_run(
            start_year,
            &format!("{} a year", percent(self.discounting.rate(metric))),
        )
    }

    fn whole_run(&self, start_year: u32, rates: &str) -> String {
        format!(
            "whole run ({start_year}-{}, {} weeks), discounted at {rates}",
            self.last_year(start_year),
            self.weeks,
        )
    }

    /// The calendar year of the last recorded week.
    fn last_year(&self, start_year: u32) -> u32 {
        start_year + (self.weeks as u32).div_ceil(52).max(1) - 1
    }

    /// A description of the final period for tables, e.g. "final year (2033, last 52 weeks)".
    pub fn period(&self, start_year: u32) -> String {
        format!(
            "final year ({}, last {} weeks)",
            self.last_year(start_year),
            self.final_weeks
        )
    }
}

/// Number of recorded years of `weeks` recorded weeks (a last, shorter year counts).
pub fn years_of(weeks: usize) -> usize {
    weeks.div_ceil(52)
}

/// Per-replicate means over the weeks of a `[replicate, week, stratum]` block, laid out
/// `[replicate][stratum]`; non-finite weeks are left out (as an empty stratum has no rate).
fn final_means(block: &ndarray::ArrayView3<f64>) -> Vec<f64> {
    let (reps, weeks, strata) = block.dim();
    let mut out = vec![f64::NAN; reps * strata];
    for r in 0..reps {
        for s in 0..strata {
            let (mut sum, mut n) = (0.0, 0usize);
            for w in 0..weeks {
                let v = block[[r, w, s]];
                if v.is_finite() {
                    sum += v;
                    n += 1;
                }
            }
            if n > 0 {
                out[r * strata + s] = sum / n as f64;
            }
        }
    }
    out
}

/// Statistic `k` of a block of a summary, `[metric][stratum]` (`Summary::final_stat`,
/// `Summary::discounted_stat`).
pub type Block = fn(&Summary, usize) -> &[f64];

/// One block of rows of a CSV summary: a metric, the unit of the values, the period and
/// where the statistics are.
struct Rows {
    metric: usize,
    name: &'static str,
    unit: &'static str,
    period: String,
    block: Block,
}

/// The rows of a CSV summary, in order: every metric's final-year statistics, then the
/// discounted totals over the run of the metrics counted per week (costs, QALYs, WELLBYs,
/// events: those whose weekly values add up), in the unit of a total.
fn csv_blocks(summary: &Summary, start_year: u32) -> Vec<Rows> {
    let period = summary.period(start_year);
    let final_year = Metric::ALL.iter().enumerate().map(|(m, metric)| Rows {
        metric: m,
        name: metric.name(),
        unit: metric.unit(),
        period: period.clone(),
        block: Summary::final_stat,
    });
    let totals = Metric::ALL.iter().enumerate().filter_map(|(m, metric)| {
        Some(Rows {
            metric: m,
            name: metric.name(),
            unit: metric.unit().strip_suffix(" per week")?,
            period: summary.metric_run_period(start_year, *metric),
            block: Summary::discounted_stat,
        })
    });
    final_year.chain(totals).collect()
}

/// Write `summary.csv`: the mean and 95% interval (2.5% and 97.5% quantiles) across
/// replicates of every metric in every stratum in the final year, then of the discounted
/// totals over the run of the metrics counted per week.
pub fn write_summary_csv(
    path: &Path,
    summary: &Summary,
    start_year: u32,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
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
        let names = strata();
        let reps = summary.replicates.to_string();
        for rows in csv_blocks(summary, start_year) {
            let stat = |k: usize| (rows.block)(summary, k);
            let (mean, lo, hi) = (stat(MEAN), stat(Q025), stat(Q975));
            for (s, stratum) in names.iter().enumerate() {
                let i = rows.metric * N_STRATA + s;
                w.write_record([
                    rows.name,
                    stratum,
                    rows.unit,
                    &rows.period,
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

/// Write a comparison CSV: for each scenario against the baseline, the paired differences
/// of every metric in every stratum in the final year, then of the discounted totals over
/// the run of the metrics counted per week.
pub fn write_comparison_csv(
    path: &Path,
    baseline: &str,
    differences: &[(String, Summary)],
    start_year: u32,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let staged = Staged::new(path);
    {
        let mut w = csv::Writer::from_path(staged.path())?;
        w.write_record([
            "scenario",
            "baseline",
            "metric",
            "stratum",
            "unit",
            "period",
            "replicates",
            "mean_difference",
            "ci95_lo",
            "ci95_hi",
            "q025",
            "q975",
        ])?;
        let names = strata();
        for (scenario, diff) in differences {
            let reps = diff.replicates.to_string();
            for rows in csv_blocks(diff, start_year) {
                for (s, stratum) in names.iter().enumerate() {
                    let i = rows.metric * N_STRATA + s;
                    let stat = |k: usize| fmt((rows.block)(diff, k)[i]);
                    w.write_record([
                        scenario.as_str(),
                        baseline,
                        rows.name,
                        stratum,
                        rows.unit,
                        &rows.period,
                        &reps,
                        &stat(MEAN),
                        &stat(CI_LO),
                        &stat(CI_HI),
                        &stat(Q025),
                        &stat(Q975),
                    ])?;
                }
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
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert!((quantile(&v, 0.025) - 1.1).abs() < 1e-12);
    }

    #[test]
    fn sample_statistics() {
        let mut v = vec![3.0, 1.0, f64::NAN, 2.0, 4.0, 5.0];
        let st = sample_stats(&mut v);
        assert_eq!(st[MEAN], 3.0);
        assert!((st[SD] - 2.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(st[Q50], 3.0);
        let half = 2.776 * 2.5f64.sqrt() / 5f64.sqrt();
        assert!((st[CI_LO] - (3.0 - half)).abs() < 1e-12);
        assert!((st[CI_HI] - (3.0 + half)).abs() < 1e-12);
        let mut zeros = vec![0.0; 7];
        assert!(sample_stats(&mut zeros).iter().all(|&x| x == 0.0));
        assert!(sample_stats(&mut vec![]).iter().all(|x| x.is_nan()));
    }

    /// Series held in memory: `value(metric, replicate, week, stratum)`.
    struct Memory {
        replicates: usize,
        weeks: usize,
        value: fn(usize, usize, usize, usize) -> f64,
    }

    impl SeriesSource for Memory {
        fn replicates(&self) -> usize {
            self.replicates
        }
        fn weeks(&self) -> usize {
            self.weeks
        }
        fn read(
            &self,
            metric: usize,
            replicates: Range<usize>,
            weeks: Range<usize>,
        ) -> hdf5::Result<Array3<f64>> {
            Ok(Array3::from_shape_fn(
                (replicates.len(), weeks.len(), N_STRATA),
                |(r, w, st)| (self.value)(metric, replicates.start + r, weeks.start + w, st),
            ))
        }
    }

    #[test]
    fn discounted_totals_discount_each_recorded_year() {
        // Two replicates over 60 weeks: a full year and 8 weeks of the second. Replicate r
        // has r + 1 a week; stratum 1 of replicate 0 has no finite week (left out).
        let base = Memory {
            replicates: 2,
            weeks: 60,
            value: |_, r, _, st| {
                if st == 1 && r == 0 {
                    f64::NAN
                } else {
                    (r + 1) as f64
                }
            },
        };
        let s = Summary::of(&base, Discounting::REFERENCE).unwrap();
        let per_unit = 52.0 + 8.0 / 1.035;
        assert_eq!(discount_factor(0.035, 0), 1.0);
        assert!((discount_factor(0.035, 2) - 1.0 / 1.035f64.powi(2)).abs() < 1e-15);
        let mean = s.discounted_stat(MEAN);
        assert!((mean[0] - 1.5 * per_unit).abs() < 1e-9, "{}", mean[0]);
        assert!((mean[1] - 2.0 * per_unit).abs() < 1e-9, "{}", mean[1]);
        assert!((s.discounted_stat(Q975)[0] - (1.0 + 0.975) * per_unit).abs() < 1e-9);
        // Paired differences: one more a week in every replicate.
        let other = Memory {
            replicates: 2,
            weeks: 60,
            value: |_, r, _, _| (r + 2) as f64,
        };
        let d = Summary::of_difference(&base, &other, Discounting::REFERENCE).unwrap();
        assert!((d.discounted_stat(MEAN)[0] - per_unit).abs() < 1e-9);
        assert!(d.discounted_stat(SD)[0].abs() < 1e-9);
        // Stratum 1: replicate 0 has nothing to pair, replicate 1 a difference of 1 a week.
        assert!((d.discounted_stat(MEAN)[1] - per_unit).abs() < 1e-9);
    }

    #[test]
    fn costs_and_health_effects_have_their_own_rates() {
        // 1 a week for 2 years and 4 weeks: costs at 3.5% a year, everything else at 1.5%.
        let ones = Memory {
            replicates: 3,
            weeks: 108,
            value: |_, _, _, _| 1.0,
        };
        let rates = Discounting {
            costs: 0.035,
            health: 0.015,
        };
        let s = Summary::of(&ones, rates).unwrap();
        let total = |r: f64| 52.0 + 52.0 / (1.0 + r) + 4.0 / (1.0 + r).powi(2);
        let mean = s.discounted_stat(MEAN);
        let n = Metric::ALL.len();
        for (m, metric) in Metric::ALL.iter().enumerate() {
            let expected = total(if metric.is_cost() { 0.035 } else { 0.015 });
            let got = mean[m * N_STRATA];
            assert!(
                (got - expected).abs() < 1e-9,
                "{}: {got} against {expected}",
                metric.name()
            );
            // Each replicate's total of the whole population is kept.
            for r in 0..3 {
                let kept = s.replicate_totals[r * n + m];
                assert!((kept - expected).abs() < 1e-9, "{}: {kept}", metric.name());
            }
        }
        assert_eq!(s.replicate_totals.len(), 3 * n);
        assert!(Metric::CostTotal.is_cost() && !Metric::QalyValue.is_cost());
        assert_eq!(
            rates.describe(),
            "3.5% a year (costs) and 1.5% (health effects)"
        );
        assert_eq!(Discounting::REFERENCE.describe(), "3.5% a year");
        assert_eq!(
            s.run_period(2024),
            "whole run (2024-2026, 108 weeks), discounted at 3.5% a year (costs) and 1.5% (health effects)"
        );
        assert_eq!(
            s.metric_run_period(2024, Metric::CostTotal),
            "whole run (2024-2026, 108 weeks), discounted at 3.5% a year"
        );
        assert_eq!(
            s.metric_run_period(2024, Metric::WellbyValue),
            "whole run (2024-2026, 108 weeks), discounted at 1.5% a year"
        );
        let none = Discounting {
            costs: 0.0,
            health: 0.0,
        };
        assert_eq!(none.describe(), "0% a year");
        assert_eq!(
            Discounting {
                costs: 0.0125,
                health: 0.0125
            }
            .describe(),
            "1.25% a year"
        );
    }

    #[test]
    fn t_quantiles_join_smoothly() {
        assert!((t975(30) - 2.042).abs() < 1e-3);
        assert!((t975(31) - 2.0395).abs() < 1e-3);
        assert!((t975(120) - 1.9799).abs() < 1e-3);
        assert!((t975(100_000) - 1.96).abs() < 1e-3);
    }
}
