//! Criterion benchmarks of the ABC step between two generations of a calibration (the work
//! `mhsim calibrate` does besides simulating), at the size of the shipped England calibration:
//! 20 parameters, 120 particles, 60 kept.
//!
//! - `abc/kernel_masses/20d`: each kept particle's kernel mass inside the prior's box (Genz's
//!   separation of variables on 2,048 lattice points), done once per generation.
//! - `abc/advance/20d/<t>gen`: one generation's step after `t` generations: pool, keep the
//!   closest, weigh them against the mixture of every proposal so far, and compute the next
//!   kernel and its masses.
//!
//! The particles come from a noisy toy distance (not a simulation), so the figures are those
//! of the algorithm alone.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mhsim::calib::abc::{self, Generation, Prior, Settings};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

const DIM: usize = 20;

fn distance(theta: &[f64], rng: &mut Xoshiro256PlusPlus) -> f64 {
    let sq: f64 = theta
        .iter()
        .map(|t| {
            let noise: f64 = StandardNormal.sample(rng);
            (t + 0.1 * noise - 0.3).powi(2)
        })
        .sum();
    (sq / theta.len() as f64).sqrt()
}

/// The generations of a toy calibration, and the candidates and distances of the next.
fn history(generations: usize) -> (Settings, Prior, Vec<Generation>, Vec<Vec<f64>>, Vec<f64>) {
    let settings = Settings {
        particles: 120,
        alpha: 0.5,
        p_acc_min: 0.0,
        max_generations: 100,
        target_distance: None,
    };
    let prior = Prior {
        lo: vec![0.0; DIM],
        hi: vec![1.0; DIM],
    };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let candidates = prior.latin_hypercube(settings.particles, &mut rng);
    let distances: Vec<f64> = candidates.iter().map(|t| distance(t, &mut rng)).collect();
    let mut done = vec![abc::first(&settings, &prior, &candidates, &distances)];
    loop {
        let last = done.last().expect("a generation");
        let proposals = abc::propose(last, &prior, settings.candidates(1), &mut rng);
        let distances: Vec<f64> = proposals.iter().map(|t| distance(t, &mut rng)).collect();
        if done.len() == generations {
            return (settings, prior, done, proposals, distances);
        }
        let refs: Vec<&Generation> = done.iter().collect();
        let next = abc::advance(&settings, &prior, &refs, &proposals, &distances);
        done.push(next);
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("abc");
    group.sample_size(10);
    let (_, prior, done, _, _) = history(1);
    let g = &done[0];
    group.bench_function(format!("kernel_masses/{DIM}d"), |b| {
        b.iter(|| abc::kernel_masses(&g.covariance, &g.kept, &prior))
    });
    for generations in [1, 13] {
        let (settings, prior, done, proposals, distances) = history(generations);
        let refs: Vec<&Generation> = done.iter().collect();
        group.bench_function(
            BenchmarkId::new(format!("advance/{DIM}d"), format!("{generations}gen")),
            |b| b.iter(|| abc::advance(&settings, &prior, &refs, &proposals, &distances)),
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
