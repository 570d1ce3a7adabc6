//! Typed errors of the library, with the context a user needs to fix the input.

use std::path::PathBuf;

use crate::params::Problem;

/// Everything that can go wrong reading a scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{file}:{line}:{column}: invalid TOML: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the TOML parser said.
        message: String,
    },
    /// A chain of `extends` returns to a file already in it.
    #[error("{file}: `extends` forms a cycle: {chain}")]
    ExtendsCycle {
        /// The file where the cycle closes.
        file: String,
        /// The chain of files.
        chain: String,
    },
    /// A `--set` argument is not of the form `key.path=value`.
    #[error("--set {arg}: expected key.path=value")]
    BadSet {
        /// The argument as given.
        arg: String,
    },
    /// One or more keys are unknown, of the wrong type or out of range.
    #[error("{} problem{} in the scenario:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" },
            .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}
