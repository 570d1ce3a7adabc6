//! Progress reporting for long runs: an indicatif bar on a terminal, nothing otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar over replicates that is silent when stderr is not a terminal or when
/// the user asked for quiet.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for `total` units of `unit` (e.g. "replicates").
    pub fn new(total: u64, unit: &str, quiet: bool) -> Progress {
        let visible = !quiet && std::io::stderr().is_terminal();
        let bar = ProgressBar::with_draw_target(
            Some(total),
            if visible {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} [{{elapsed_precise}}] {{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, ETA {{eta}})"
            ))
            .expect("valid progress template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Progress { bar }
    }

    /// One more unit done.
    pub fn inc(&self) {
        self.bar.inc(1);
    }

    /// Done: clear the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
