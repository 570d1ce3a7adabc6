//! Criterion benchmarks of ensembles: replicate throughput and the cost of summaries.
//!
//! - `ensemble/<people>x<weeks>w/<threads>t`: a batch of replicates of the baseline town run
//!   on a pool of 1 or 2 threads, each streamed to an on-disk series store as `mhsim run`
//!   does; reported as replicates per second (criterion "elements"). The speed-up of 2
//!   threads over 1 is the ratio of the two rates.
//! - `summary/<replicates>x<weeks>w`: reducing stored series to the summaries across
//!   replicates (mean, SD, quantiles, confidence interval) for every metric, week and stratum.
//!
//! `MHSIM_BENCH_PEOPLE` (default 10000), `MHSIM_BENCH_WEEKS` (recorded weeks, default 520,
//! after the scenario's 104 weeks of burn-in) and `MHSIM_BENCH_REPLICATES` (replicates per
//! batch, default 4) size the town and the batch.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mhsim::Scenario;
use mhsim::experiment::{pool, run_jobs};
use mhsim::output::{SeriesStore, Summary};
use mhsim::record::{Metric, N_STRATA, ReplicateSeries};

fn env(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn ensemble(c: &mut Criterion) {
    let people = env("MHSIM_BENCH_PEOPLE", 10_000);
    let weeks = env("MHSIM_BENCH_WEEKS", 520);
    let replicates = env("MHSIM_BENCH_REPLICATES", 4);
    let scenario = Scenario::load(
        None,
        &[format!("people={people}"), format!("weeks={weeks}")],
    )
    .expect("valid baseline");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut group = c.benchmark_group("ensemble");
    group.sample_size(10);
    group.throughput(Throughput::Elements(u64::from(replicates)));
    for threads in [1, 2] {
        let pool = pool(threads);
        group.bench_function(
            BenchmarkId::new(format!("{people}x{weeks}w"), format!("{threads}t")),
            |b| {
                b.iter(|| {
                    let store = SeriesStore::scratch(
                        &dir.path().join("series.h5"),
                        replicates as usize,
                        weeks as usize,
                    )
                    .expect("scratch store");
                    run_jobs(
                        &pool,
                        std::slice::from_ref(&scenario),
                        0..replicates,
                        |_, s| store.write(s.replicate as usize, &s),
                    )
                    .expect("replicates run");
                })
            },
        );
    }
    group.finish();
}

fn summary(c: &mut Criterion) {
    let weeks = env("MHSIM_BENCH_WEEKS", 520) as usize;
    let replicates = 200;
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = SeriesStore::scratch(&dir.path().join("series.h5"), replicates, weeks)
        .expect("scratch store");
    // Synthetic series: a cheap deterministic hash spread over [0, 1).
    for r in 0..replicates {
        let mut series = ReplicateSeries::new(r as u32, weeks);
        for w in 0..weeks {
            let mut row = [[0.0; N_STRATA]; Metric::ALL.len()];
            for (m, metric_row) in row.iter_mut().enumerate() {
                for (s, v) in metric_row.iter_mut().enumerate() {
                    let x = mhsim::rng::mix64(((r * weeks + w) * 64 + m * N_STRATA + s) as u64);
                    *v = (x >> 11) as f64 / (1u64 << 53) as f64;
                }
            }
            series.set_week(w, &row);
        }
        store.write(r, &series).expect("write");
    }
    let mut group = c.benchmark_group("summary");
    group.sample_size(10);
    let pool = pool(2);
    group.bench_function(format!("{replicates}x{weeks}w"), |b| {
        b.iter(|| pool.install(|| Summary::of(&store).expect("summary")))
    });
    group.finish();
}

criterion_group!(benches, ensemble, summary);
criterion_main!(benches);
