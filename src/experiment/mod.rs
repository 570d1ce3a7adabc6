//! Replicates of a scenario on rayon, streamed to one consumer.
//!
//! Replicates are independent jobs on a local thread pool (the global pool is never
//! configured). Each finished [`ReplicateSeries`] is sent over a bounded channel to the
//! caller's consumer, which runs on the calling thread — so the HDF5 writer is always a single
//! thread, and memory holds at most a few replicates at a time, however many are run.

pub mod progress;

use std::sync::mpsc;

use rayon::prelude::*;

use crate::record::ReplicateSeries;
use crate::scenario::Scenario;
use crate::sim::run_replicate;

/// Run `replicates` replicates of `scenario` on `threads` threads (0 = all cores), passing
/// each result to `consume` on the calling thread as soon as it is done (in any order).
/// Stops early and returns the consumer's error if it fails.
pub fn run_replicates<E: Send>(
    scenario: &Scenario,
    replicates: std::ops::Range<u32>,
    threads: usize,
    mut consume: impl FnMut(ReplicateSeries) -> Result<(), E>,
) -> Result<(), E> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("mhsim-worker-{i}"))
        .build()
        .expect("a thread pool can be built");
    let (sender, receiver) =
        mpsc::sync_channel::<ReplicateSeries>(2 * pool.current_num_threads().max(1));
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let stop = &stop;
        scope.spawn(move || {
            pool.install(|| {
                replicates
                    .into_par_iter()
                    .for_each_with(sender, |sender, r| {
                        if stop.load(std::sync::atomic::Ordering::Relaxed) {
                            return;
                        }
                        let series = run_replicate(scenario, u64::from(r));
                        let _ = sender.send(series);
                    });
            });
        });
        for series in receiver {
            if let Err(e) = consume(series) {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                return Err(e);
            }
        }
        Ok(())
    })
}
