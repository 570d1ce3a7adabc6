//! Calibration: targets (observed values with uncertainty and source), the fit of a run to
//! them, and approximate Bayesian computation of the parameters that reproduce them.
//!
//! * [`targets`]: targets files and the distance of a run to them.
//! * [`fit`]: the fit table (`mhsim fit`, and the best particle of a calibration).
//! * [`abc`]: the adaptive population Monte Carlo ABC algorithm (APMC), pure.
//! * [`config`]: calibration files.
//! * [`calibrate`](mod@calibrate): the driver — one parameter sweep per generation, resumable, and the
//!   outputs (`posterior.h5`, `best.toml`, `diagnostics.csv`, `fit.csv`).
//! * [`posterior`]: drawing a posterior's particles for the replicates of a run.

pub mod abc;
pub mod calibrate;
pub mod config;
pub mod fit;
pub mod posterior;
pub mod targets;

pub use calibrate::{CalibrateOptions, Outcome, calibrate};
pub use config::{Calibration, CalibrationError};
pub use fit::{
    CSV_HEADER, FitRow, FitTable, csv_record, fit_csv, fit_run, fit_table, format_table,
    inside_text, write_fit_csv,
};
pub use posterior::Posterior;
pub use targets::{Fit, Simulated, SummaryYears, Target, Targets, TargetsError, YearlyStats};
