//! # mhsim — community mental health under social change
//!
//! An agent-based simulator of people embedded in five networks (household, school,
//! workplace, neighbourhood, online) whose mental health evolves week by week under social
//! determinants: work, income, debt, loneliness, adversity, discrimination, peers.
//!
//! Data flow:
//!
//! ```text
//! scenario file (TOML) -> scenario::Scenario (validated, immutable)
//!   [sweep file -> sweep::Sweep (points) -> sweep::plan (manifest, shards) -> sweep::run / merge]
//!   -> experiment: replicates of one or several scenarios on rayon
//!      -> per replicate: population::synthesize -> network::build -> sim::World::step per week
//!      -> record::ReplicateSeries
//!   -> output: one writer thread -> series on disk -> summaries across replicates
//!      -> results.h5 + summary.csv (comparison.h5 for several scenarios; a sweep's results.h5)
//!   -> report: report.html (inline SVG), figures as SVG and PNG, tables as CSV
//! ```
//!
//! Invariants: `population`, `network`, `dynamics`, `policy`, `record` and `sim` do no IO;
//! every random draw comes from a stream named by (seed, replicate, stream) in [`rng`];
//! results are bit-identical for any number of threads.

pub mod calib;
pub mod dynamics;
pub mod error;
pub mod experiment;
pub mod network;
pub mod output;
pub mod params;
pub mod policy;
pub mod population;
pub mod record;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod services;
pub mod sim;
pub mod sweep;

pub use scenario::Scenario;

/// Version of mhsim, recorded in every output file.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
