//! Criterion benchmarks of the real simulation path.
//!
//! - `tick/<n>/<threads>t`: one weekly step of a built world (all five layers), reported as
//!   agent-weeks per second (criterion "elements");
//! - `build/<n>`: population synthesis plus all network layers;
//! - `replicate/10k_520w`: a whole replicate of the 10,000-person baseline town
//!   (104 weeks of burn-in plus 520 recorded weeks) on one thread.
//!
//! Population sizes are taken from `MHSIM_BENCH_PEOPLE` (comma-separated, default
//! `100000,1000000`).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mhsim::Scenario;
use mhsim::sim::{World, run_replicate};

fn sizes() -> Vec<u32> {
    std::env::var("MHSIM_BENCH_PEOPLE")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 1_000_000])
}

fn scenario(people: u32) -> Scenario {
    Scenario::load(None, &[format!("people={people}")]).expect("valid baseline")
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

fn tick(c: &mut Criterion) {
    let mut group = c.benchmark_group("tick");
    group.sample_size(20);
    for people in sizes() {
        let s = scenario(people);
        group.throughput(Throughput::Elements(u64::from(people)));
        for threads in [1, 2] {
            let pool = pool(threads);
            let mut world = pool.install(|| World::new(&s, 0));
            // Settle past the initial state so that the tick measured is a typical one.
            pool.install(|| (0..4).for_each(|_| drop(world.step())));
            group.bench_function(
                BenchmarkId::new(format!("{people}"), format!("{threads}t")),
                |b| b.iter(|| pool.install(|| world.step())),
            );
        }
    }
    group.finish();
}

fn build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    group.sample_size(10);
    for people in sizes() {
        let s = scenario(people);
        group.throughput(Throughput::Elements(u64::from(people)));
        let pool = pool(2);
        group.bench_function(BenchmarkId::from_parameter(people), |b| {
            b.iter(|| pool.install(|| World::new(&s, 0)))
        });
    }
    group.finish();
}

fn replicate(c: &mut Criterion) {
    let mut group = c.benchmark_group("replicate");
    group.sample_size(10);
    let s = scenario(10_000);
    group.throughput(Throughput::Elements(u64::from(s.total_weeks()) * 10_000));
    let pool = pool(1);
    group.bench_function("10k_520w", |b| {
        b.iter(|| pool.install(|| run_replicate(&s, 0)))
    });
    group.finish();
}

criterion_group!(benches, tick, build, replicate);
criterion_main!(benches);
