//! Calibration: targets (observed values with uncertainty and source), the fit of a run to
//! them, and approximate Bayesian computation of the parameters that reproduce them.

pub mod fit;
pub mod targets;

pub use fit::{
    CSV_HEADER, FitRow, FitTable, csv_record, fit_csv, fit_run, format_table, inside_text,
    write_fit_csv,
};
pub use targets::{Fit, Simulated, SummaryYears, Target, Targets, TargetsError, YearlyStats};
