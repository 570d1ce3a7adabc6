//! Criterion benchmarks of the real simulation path.
//!
//! - `tick/<n>/<threads>t`: one weekly step of a built world (all five layers), reported as
//!   agent-weeks per second (criterion "elements");
//! - `tick_policies/<n>/<threads>t`: the same with services busy and eight shocks and
//!   policies acting at once, five of them on people (their targeting and person-level
//!   effects are recomputed every week);
//! - `build/<n>`: population synthesis, all network layers and the initial state (2 threads);
//! - `initial_state/<n>/<threads>t`: the initial mental-health state alone
//!   (`dynamics::initialise`: each person's past replayed week by week from age 5);
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

/// The baseline with many shocks and policies active from the first week.
fn policy_scenario(people: u32) -> Scenario {
    let text = format!(
        r#"
extends = "builtin:baseline"
name = "bench-policies"
people = {people}
burn_in_weeks = 0
[[shock]]
kind = "recession"
[[shock]]
kind = "social_media_growth"
[[policy]]
kind = "universal_credit"
[[policy]]
kind = "thrive"
target = {{ quintiles = [4, 5] }}
[[policy]]
kind = "gatekeepers"
target = {{ sex = "male", reach = 0.5 }}
[[policy]]
kind = "school_programme"
[[policy]]
kind = "income_uplift"
child_weekly = 25.0
[[policy]]
kind = "trieste"
"#
    );
    Scenario::from_str(&text, "bench", None, &[]).expect("valid policy scenario")
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
}

fn tick(c: &mut Criterion) {
    tick_group(c, "tick", scenario);
    tick_group(c, "tick_policies", policy_scenario);
}

fn tick_group(c: &mut Criterion, name: &str, make: fn(u32) -> Scenario) {
    let mut group = c.benchmark_group(name);
    group.sample_size(20);
    for people in sizes() {
        let s = make(people);
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

fn initial_state(c: &mut Criterion) {
    let mut group = c.benchmark_group("initial_state");
    group.sample_size(10);
    for people in sizes() {
        let s = scenario(people);
        let world = World::new(&s, 0);
        group.throughput(Throughput::Elements(u64::from(people)));
        for threads in [1, 2] {
            let pool = pool(threads);
            group.bench_function(
                BenchmarkId::new(people.to_string(), format!("{threads}t")),
                |b| {
                    b.iter(|| {
                        pool.install(|| mhsim::dynamics::initialise(&world.pop, &world.net, &s, 0))
                    })
                },
            );
        }
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

criterion_group!(benches, tick, build, initial_state, replicate);
criterion_main!(benches);
