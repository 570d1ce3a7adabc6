//! Experiments: replicates of one or several scenarios on rayon, streamed to one consumer;
//! ensembles with summaries and paired comparisons ([`ensemble`]); progress reporting.
//!
//! Replicates are independent jobs on a local thread pool (the global pool is never
//! configured). Each finished [`ReplicateSeries`] is sent over a bounded channel to the
//! caller's consumer, which runs on the calling thread — so the HDF5 writer is always a single
//! thread, and memory holds at most a few replicates at a time, however many are run.

pub mod ensemble;
pub mod progress;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use rayon::prelude::*;

use crate::record::ReplicateSeries;
use crate::scenario::Scenario;
use crate::sim::run_replicate;

/// What can go wrong running an experiment.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input the user must fix (scenarios that cannot be compared, a bad sweep, a plan
    /// that does not match its shards, ...).
    #[error("{0}")]
    Input(String),
    /// Reading or writing a file failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Reading or writing an HDF5 file failed.
    #[error("{context}: {source}")]
    Hdf5 {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: hdf5::Error,
    },
    /// The run stopped early as asked (a test hook); finished work is kept.
    #[error("{0}")]
    Stopped(String),
}

/// Attach context to IO and HDF5 errors.
pub(crate) trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Error>;
}

impl<T> Context<T> for Result<T, hdf5::Error> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Error> {
        self.map_err(|source| Error::Hdf5 {
            context: what(),
            source,
        })
    }
}

impl<T> Context<T> for Result<T, std::io::Error> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Error> {
        self.map_err(|source| Error::Io {
            context: what(),
            source,
        })
    }
}

/// A local thread pool of `threads` workers (0 = all cores).
pub fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("mhsim-worker-{i}"))
        .build()
        .expect("a thread pool can be built")
}

/// Run replicates `replicates` of every scenario in `scenarios` on `pool`, passing each
/// result with its scenario's position to `consume` on the calling thread as soon as it is
/// done (in any order). Replicate `r` of every scenario uses the same replicate index, hence
/// the same random numbers where the scenarios agree. Jobs are started replicate by
/// replicate, so all scenarios advance together. Stops early and returns the consumer's
/// error if it fails.
pub fn run_jobs<E: Send>(
    pool: &rayon::ThreadPool,
    scenarios: &[Scenario],
    replicates: std::ops::Range<u32>,
    consume: impl FnMut(usize, ReplicateSeries) -> Result<(), E>,
) -> Result<(), E> {
    run_jobs_by(
        pool,
        scenarios.len(),
        replicates,
        |s, _| &scenarios[s],
        consume,
    )
}

/// As [`run_jobs`], for `n` scenarios whose replicates may differ: replicate `r` of scenario
/// `s` runs `scenario_of(s, r)` (e.g. the scenario with a posterior particle's parameters).
pub fn run_jobs_by<'a, E: Send>(
    pool: &rayon::ThreadPool,
    n: usize,
    replicates: std::ops::Range<u32>,
    scenario_of: impl Fn(usize, u64) -> &'a Scenario + Sync,
    mut consume: impl FnMut(usize, ReplicateSeries) -> Result<(), E>,
) -> Result<(), E> {
    let scenarios = n as u64;
    let jobs = u64::from(replicates.start) * scenarios..u64::from(replicates.end) * scenarios;
    let (sender, receiver) =
        mpsc::sync_channel::<(usize, ReplicateSeries)>(2 * pool.current_num_threads().max(1));
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let stop = &stop;
        let scenario_of = &scenario_of;
        scope.spawn(move || {
            pool.install(|| {
                jobs.into_par_iter().for_each_with(sender, |sender, job| {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let (replicate, s) = (job / scenarios, (job % scenarios) as usize);
                    let series = run_replicate(scenario_of(s, replicate), replicate);
                    let _ = sender.send((s, series));
                });
            });
        });
        for (s, series) in receiver {
            if let Err(e) = consume(s, series) {
                stop.store(true, Ordering::Relaxed);
                return Err(e);
            }
        }
        Ok(())
    })
}

/// Run `replicates` replicates of `scenario` on `threads` threads (0 = all cores), passing
/// each result to `consume` on the calling thread as soon as it is done (in any order).
/// Stops early and returns the consumer's error if it fails.
pub fn run_replicates<E: Send>(
    scenario: &Scenario,
    replicates: std::ops::Range<u32>,
    threads: usize,
    mut consume: impl FnMut(ReplicateSeries) -> Result<(), E>,
) -> Result<(), E> {
    run_jobs(
        &pool(threads),
        std::slice::from_ref(scenario),
        replicates,
        |_, series| consume(series),
    )
}
