//! Integration tests of mhsim, as one test binary (one link, shared helpers in `common`).
//!
//! Run with `cargo test --release --locked --test it`.

mod calibrate;
mod calibration;
mod common;
mod determinism;
mod dynamics;
mod ensemble;
mod fit;
mod hdf5_roundtrip;
mod policies;
mod population_network;
mod readme;
mod report;
mod scenario_errors;
mod slurm;
mod sweep;
