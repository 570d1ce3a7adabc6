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
use crate::sim::{Start, run_from, run_replicate};

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
    let jobs = plan_jobs(
        pool.current_num_threads().max(1),
        n,
        replicates,
        &scenario_of,
    );
    let (sender, receiver) =
        mpsc::sync_channel::<(usize, ReplicateSeries)>(2 * pool.current_num_threads().max(1));
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let stop = &stop;
        let scenario_of = &scenario_of;
        scope.spawn(move || {
            pool.install(|| {
                jobs.into_par_iter()
                    .for_each_with(sender, |sender, (replicate, group)| {
                        // The scenarios of a group start alike: the start is made once, kept
                        // while another scenario of the group needs it, and moved into the
                        // last one.
                        let mut start = None;
                        for (i, &s) in group.iter().enumerate() {
                            if stop.load(Ordering::Relaxed) {
                                return;
                            }
                            let scenario = scenario_of(s, replicate);
                            let series = if group.len() == 1 {
                                run_replicate(scenario, replicate)
                            } else {
                                let made =
                                    start.get_or_insert_with(|| Start::new(scenario, replicate));
                                let this = if i + 1 == group.len() {
                                    start.take().expect("the start of the group")
                                } else {
                                    made.clone()
                                };
                                run_from(scenario, replicate, this)
                            };
                            let _ = sender.send((s, series));
                        }
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

/// The jobs of [`run_jobs_by`], replicate by replicate: (replicate, scenarios). The scenarios
/// of a replicate that start alike ([`Start::identity`]: they differ only in shocks, policies,
/// name and description) form one job, which makes their start once; when that would leave
/// fewer than two jobs a thread, the largest jobs are halved until there are two a thread
/// (or every job is one scenario), so that the threads stay busy and the scenarios still
/// share as many starts as that allows. Either way each replicate of each scenario gives the
/// same series.
fn plan_jobs<'a>(
    threads: usize,
    n: usize,
    replicates: std::ops::Range<u32>,
    scenario_of: &(impl Fn(usize, u64) -> &'a Scenario + Sync),
) -> Vec<(u64, Vec<usize>)> {
    if n < 2 {
        return replicates
            .flat_map(|r| (0..n).map(move |s| (u64::from(r), vec![s])))
            .collect();
    }
    // One identity per distinct scenario (a posterior's variants are distinct scenarios).
    let mut known: std::collections::HashMap<*const Scenario, usize> = Default::default();
    let mut identities: std::collections::HashMap<String, usize> = Default::default();
    let mut identity_of = |scenario: &Scenario| -> usize {
        *known
            .entry(std::ptr::from_ref(scenario))
            .or_insert_with(|| {
                let next = identities.len();
                *identities.entry(Start::identity(scenario)).or_insert(next)
            })
    };
    let mut grouped = Vec::new();
    for r in replicates {
        let r = u64::from(r);
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
        for s in 0..n {
            let id = identity_of(scenario_of(s, r));
            match groups.iter_mut().find(|(g, _)| *g == id) {
                Some((_, members)) => members.push(s),
                None => groups.push((id, vec![s])),
            }
        }
        grouped.extend(groups.into_iter().map(|(_, members)| (r, members)));
    }
    // Too few jobs to keep the threads busy: halve the largest groups (the earliest first)
    // until there are enough, or every job is one scenario.
    while grouped.len() < 2 * threads {
        let Some(i) = (0..grouped.len())
            .filter(|&i| grouped[i].1.len() > 1)
            .max_by_key(|&i| (grouped[i].1.len(), std::cmp::Reverse(i)))
        else {
            break;
        };
        let half = grouped[i].1.len() / 2;
        let rest = grouped[i].1.split_off(half);
        grouped.insert(i + 1, (grouped[i].0, rest));
    }
    grouped
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

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(text: &str) -> Scenario {
        let text = format!("extends = \"builtin:baseline\"\n{text}");
        Scenario::from_str(&text, "test.toml", None, &[]).unwrap()
    }

    #[test]
    fn scenarios_that_differ_only_in_policies_share_a_job_when_the_threads_stay_busy() {
        let scenarios = [
            scenario("name = \"a\""),
            scenario(
                "name = \"b\"\ndescription = \"other\"\n[[shock]]\nkind = \"recession\"\nstart_week = 52\n",
            ),
            scenario("name = \"c\"\n[economy]\nunemployment_rate = 0.1\n"),
        ];
        let of = |s: usize, _: u64| &scenarios[s];
        // a and b start alike; c does not.
        let jobs = plan_jobs(2, 3, 0..4, &of);
        assert_eq!(jobs.len(), 8);
        assert_eq!(jobs[0], (0, vec![0, 1]));
        assert_eq!(jobs[1], (0, vec![2]));
        assert_eq!(jobs[7], (3, vec![2]));
        // Two replicates give 4 jobs, fewer than two a thread on 4 threads: one job each.
        let jobs = plan_jobs(4, 3, 0..2, &of);
        assert_eq!(jobs.len(), 6);
        assert!(jobs.iter().all(|(_, g)| g.len() == 1));
        assert_eq!(jobs[5], (1, vec![2]));
        // One scenario: one job a replicate.
        assert_eq!(plan_jobs(2, 1, 3..5, &of), [(3, vec![0]), (4, vec![0])]);
        // Eight scenarios that start alike, one replicate, two threads (a sweep's batch over
        // policy settings): four jobs of two, four starts instead of eight.
        let alike: Vec<Scenario> = (0..8)
            .map(|i| scenario(&format!("name = \"p{i}\"")))
            .collect();
        let of = |s: usize, _: u64| &alike[s];
        let jobs = plan_jobs(2, 8, 0..1, &of);
        assert_eq!(
            jobs,
            [
                (0, vec![0, 1]),
                (0, vec![2, 3]),
                (0, vec![4, 5]),
                (0, vec![6, 7])
            ]
        );
        // Three alike on four threads: as many jobs as scenarios.
        let jobs = plan_jobs(4, 3, 0..1, &of);
        assert_eq!(jobs, [(0, vec![0]), (0, vec![1]), (0, vec![2])]);
    }
}
