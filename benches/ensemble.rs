//! Criterion benchmarks of ensembles: replicate throughput and the cost of summaries.
//!
//! - `ensemble/<people>x<weeks>w/<threads>t`: a batch of replicates of the baseline town run
//!   on a pool of 1 or 2 threads, each streamed to an on-disk series store as `mhsim run`
//!   does; reported as replicates per second (criterion "elements"). The speed-up of 2
//!   threads over 1 is the ratio of the two rates.
//! - `comparison/<people>x<weeks>w/{alike,apart}/2t`: the baseline and a recession run
//!   together on 2 threads, the start of each replicate made once for both (`alike`) or for
//!   each (`apart`: the recession with a measurement-only threshold set apart).
//! - `summary/<replicates>x<weeks>w`: reducing stored series to the summaries across
//!   replicates (mean, SD, quantiles, confidence interval) for every metric, week and stratum.
//!
//! `MHSIM_BENCH_PEOPLE` (default 10000), `MHSIM_BENCH_WEEKS` (recorded weeks, default 520,
//! after the scenario's 104 weeks of burn-in) and `MHSIM_BENCH_REPLICATES` (replicates per
//! batch, default 4) size the town and the batch.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mhsim::Scenario;
use mhsim::experiment::{pool, run_jobs};
use mhsim::output::{Discounting, SeriesStore, Summary};
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

/// Two scenarios of the baseline town, run together as a comparison: the baseline and a
/// recession, which start alike (`alike`: each replicate's start is made once for both), or
/// the baseline and the same recession with a measurement threshold set apart, which does
/// the same work but makes its own start (`apart`).
fn comparison(c: &mut Criterion) {
    let people = env("MHSIM_BENCH_PEOPLE", 10_000);
    let weeks = env("MHSIM_BENCH_WEEKS", 520);
    let replicates = env("MHSIM_BENCH_REPLICATES", 4);
    let sets = [format!("people={people}"), format!("weeks={weeks}")];
    let scenario = |text: &str| {
        let text = format!("extends = \"builtin:baseline\"\n{text}");
        Scenario::from_str(&text, "bench.toml", None, &sets).expect("valid scenario")
    };
    let base = scenario("name = \"base\"");
    let recession =
        scenario("name = \"recession\"\n[[shock]]\nkind = \"recession\"\nstart_week = 52\n");
    // The recession again, with a measurement threshold a hair apart: the same work, but
    // a start of its own (`theta_depressive` only measures).
    let apart = scenario(
        "name = \"apart\"\n[dynamics]\ntheta_depressive = 2.41\n[[shock]]\nkind = \"recession\"\nstart_week = 52\n",
    );
    let dir = tempfile::tempdir().expect("a temporary folder");
    let pool = pool(2);
    let mut group = c.benchmark_group("comparison");
    group.sample_size(10);
    group.throughput(Throughput::Elements(2 * u64::from(replicates)));
    for (name, other) in [("alike", &recession), ("apart", &apart)] {
        let pair = [base.clone(), other.clone()];
        group.bench_function(
            BenchmarkId::new(format!("{people}x{weeks}w"), format!("{name}/2t")),
            |b| {
                b.iter(|| {
                    let stores: Vec<SeriesStore> = (0..2)
                        .map(|i| {
                            SeriesStore::scratch(
                                &dir.path().join(format!("series{i}.h5")),
                                replicates as usize,
                                weeks as usize,
                            )
                            .expect("scratch store")
                        })
                        .collect();
                    run_jobs(&pool, &pair, 0..replicates, |i, s| {
                        stores[i].write(s.replicate as usize, &s)
                    })
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
        b.iter(|| pool.install(|| Summary::of(&store, Discounting::REFERENCE).expect("summary")))
    });
    group.finish();
}

criterion_group!(benches, ensemble, comparison, summary);
criterion_main!(benches);
