//! Calibration: targets (observed values with uncertainty and source), the fit of a run to
//! them, and approximate Bayesian computation of the parameters that reproduce them.
//!
//! * [`targets`]: targets files and the distance of a run to them.
//! * [`fit`]: the fit table (`mhsim fit`).
//! * [`abc`]: the adaptive population Monte Carlo ABC algorithm (APMC), pure.
//! * [`config`]: calibration files.

pub mod abc;
pub mod config;
pub mod fit;
pub mod targets;

pub use config::{Calibration, CalibrationError};
pub use fit::{FitRow, FitTable, fit_run, format_table, write_fit_csv};
pub use targets::{Fit, Simulated, SummaryYears, Target, Targets, TargetsError, YearlyStats};
