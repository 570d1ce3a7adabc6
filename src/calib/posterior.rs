//! Running with parameter uncertainty: each replicate of `mhsim run --posterior` draws one
//! particle of a calibration's posterior by weight and runs with its values applied on top of
//! the scenario, as `--set` would.
//!
//! The draw of replicate `r` comes from the stream `posterior-draws` keyed by the scenario's
//! seed and `r`, so it does not depend on the scenario, the thread count or the order of
//! work: every scenario of a comparison runs replicate `r` with the same particle, and paired
//! differences stay paired.

use std::path::Path;

use rand::RngExt;

use crate::calib::config::number;
use crate::output::posterior::{PosteriorRecord, read_posterior};
use crate::rng::{Stream, StreamKey};

/// A posterior to draw parameters from.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    /// The file as named.
    pub file: String,
    /// Hash of its bytes.
    pub hash: String,
    /// Key paths of the parameters.
    pub parameters: Vec<String>,
    /// `[particle][parameter]` values.
    pub samples: Vec<Vec<f64>>,
    /// Weights (not necessarily normalised).
    pub weights: Vec<f64>,
    /// Whether each parameter is an integer.
    pub integer: Vec<bool>,
}

impl Posterior {
    /// Read a `posterior.h5`; every problem is a message for the user.
    pub fn load(path: &Path) -> Result<Posterior, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let read = read_posterior(path)
            .map_err(|e| format!("{}: not a calibration's posterior.h5: {e}", path.display()))?;
        let posterior = Posterior {
            file: path.display().to_string(),
            hash: crate::sweep::plan::fingerprint(&bytes),
            parameters: read.parameters,
            samples: read.samples,
            weights: read.weights,
            integer: read.integer,
        };
        if posterior.samples.is_empty() {
            return Err(format!(
                "{}: the posterior holds no particles",
                path.display()
            ));
        }
        if posterior.weights.iter().any(|w| !w.is_finite() || *w < 0.0)
            || posterior.weights.iter().sum::<f64>() <= 0.0
        {
            return Err(format!(
                "{}: expected finite, non-negative weights with a positive sum",
                path.display()
            ));
        }
        if let Some(bad) = posterior.samples.iter().flatten().find(|v| !v.is_finite()) {
            return Err(format!(
                "{}: a sample is not a finite number ({bad})",
                path.display()
            ));
        }
        for (j, key) in posterior.parameters.iter().enumerate() {
            if posterior.integer[j]
                && let Some(bad) = posterior.samples.iter().find(|s| s[j].fract() != 0.0)
            {
                return Err(format!(
                    "{}: {key} is an integer parameter, but a sample is {}",
                    path.display(),
                    bad[j]
                ));
            }
        }
        Ok(posterior)
    }

    /// The effective sample size of the weights, `(Σw)² / Σw²`.
    pub fn ess(&self) -> f64 {
        crate::calib::abc::ess(&self.weights)
    }

    /// The particle of replicate `replicate` under seed `seed`: drawn by weight.
    pub fn draw(&self, seed: u64, replicate: u64) -> usize {
        let total: f64 = self.weights.iter().sum();
        let u = StreamKey::new(seed, replicate, Stream::Posterior)
            .sequential()
            .random::<f64>()
            * total;
        let mut acc = 0.0;
        for (i, w) in self.weights.iter().enumerate() {
            acc += w;
            if u < acc {
                return i;
            }
        }
        // Rounding left u at the very top: the last particle with weight.
        self.weights
            .iter()
            .rposition(|w| *w > 0.0)
            .unwrap_or(self.weights.len() - 1)
    }

    /// The `--set` overrides of particle `particle`.
    pub fn sets(&self, particle: usize) -> Vec<String> {
        self.parameters
            .iter()
            .zip(&self.samples[particle])
            .zip(&self.integer)
            .map(|((key, value), &integer)| {
                if integer {
                    format!("{key}={}", *value as i64)
                } else {
                    format!("{key}={}", number(*value))
                }
            })
            .collect()
    }

    /// The record of the particles used by replicates `0..particles.len()`.
    pub fn record(&self, particles: &[usize]) -> PosteriorRecord {
        PosteriorRecord {
            file: self.file.clone(),
            hash: self.hash.clone(),
            parameters: self.parameters.clone(),
            particles: particles.iter().map(|&p| p as u64).collect(),
            values: particles.iter().map(|&p| self.samples[p].clone()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posterior(weights: Vec<f64>) -> Posterior {
        Posterior {
            file: "p.h5".into(),
            hash: String::new(),
            parameters: vec!["dynamics.kappa".into()],
            samples: (0..weights.len())
                .map(|i| vec![0.1 * (i + 1) as f64])
                .collect(),
            weights,
            integer: vec![false],
        }
    }

    #[test]
    fn draws_follow_the_weights_and_depend_only_on_seed_and_replicate() {
        let p = posterior(vec![1.0, 0.0, 3.0]);
        let draws: Vec<usize> = (0..4000).map(|r| p.draw(9, r)).collect();
        assert!(draws.iter().all(|&d| d != 1));
        let share = draws.iter().filter(|&&d| d == 2).count() as f64 / 4000.0;
        assert!((share - 0.75).abs() < 0.03, "{share}");
        assert_eq!(draws, (0..4000).map(|r| p.draw(9, r)).collect::<Vec<_>>());
        assert_ne!(draws, (0..4000).map(|r| p.draw(10, r)).collect::<Vec<_>>());
        assert_eq!(p.sets(2), ["dynamics.kappa=0.30000000000000004"]);
    }
}
