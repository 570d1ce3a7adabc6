//! The seam where policies and social-change shocks act on the model.
//!
//! At the start of every week the simulation asks for the week's [`Effects`]: multipliers on
//! hazards and tie weights that the dynamics read. Effects compose by multiplication, so
//! several policies never overwrite each other, and no policy ever writes a parameter. The
//! engine has no policies yet: every week's effects are [`Effects::NEUTRAL`].

use crate::network::Setting;

/// What the active policies and shocks do to one week, as multipliers (1 = no change).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effects {
    /// Multiplier on the weekly job-loss hazard.
    pub job_loss: f64,
    /// Multiplier on the weekly re-employment hazard.
    pub job_finding: f64,
    /// Multiplier on the weekly hazard of becoming lonely.
    pub loneliness_onset: f64,
    /// Multiplier on each layer's weight, indexed as [`Setting::ALL`].
    pub layer_weight: [f64; 5],
}

impl Effects {
    /// No policy, no shock.
    pub const NEUTRAL: Effects = Effects {
        job_loss: 1.0,
        job_finding: 1.0,
        loneliness_onset: 1.0,
        layer_weight: [1.0; 5],
    };

    /// Compose two sets of effects (both apply).
    pub fn compose(self, other: Effects) -> Effects {
        let mut layer_weight = self.layer_weight;
        for (w, o) in layer_weight.iter_mut().zip(other.layer_weight) {
            *w *= o;
        }
        Effects {
            job_loss: self.job_loss * other.job_loss,
            job_finding: self.job_finding * other.job_finding,
            loneliness_onset: self.loneliness_onset * other.loneliness_onset,
            layer_weight,
        }
    }

    /// Multiplier on the weight of one layer.
    pub fn layer(&self, setting: Setting) -> f64 {
        self.layer_weight[Setting::ALL.iter().position(|s| *s == setting).unwrap_or(0)]
    }
}

impl Default for Effects {
    fn default() -> Self {
        Effects::NEUTRAL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effects_compose_multiplicatively_and_commute() {
        let a = Effects {
            job_loss: 2.0,
            layer_weight: [1.0, 0.5, 1.0, 1.0, 1.0],
            ..Effects::NEUTRAL
        };
        let b = Effects {
            job_loss: 1.5,
            layer_weight: [1.0, 0.5, 1.0, 1.0, 2.0],
            ..Effects::NEUTRAL
        };
        assert_eq!(a.compose(b), b.compose(a));
        assert_eq!(a.compose(b).job_loss, 3.0);
        assert_eq!(a.compose(b).layer(Setting::School), 0.25);
        assert_eq!(a.compose(Effects::NEUTRAL), a);
    }
}
