//! Progress reporting for long runs: an indicatif bar with rate and ETA on a terminal, and a
//! plain-text line every so often when stderr is not a terminal (e.g. a cluster job's log).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProgressOptions {
    /// Show nothing.
    pub quiet: bool,
    /// Seconds between plain-text lines when stderr is not a terminal (0 = none).
    pub every: f64,
}

impl Default for ProgressOptions {
    fn default() -> Self {
        ProgressOptions {
            quiet: false,
            every: 30.0,
        }
    }
}

/// Progress over a number of units (e.g. replicates), with an optional message (e.g. the
/// sweep point). Only the thread that consumes results calls it.
pub struct Progress {
    bar: ProgressBar,
    unit: String,
    plain: Option<Duration>,
    last_line: std::cell::Cell<Instant>,
}

impl Progress {
    /// Progress over `total` units of `unit` (e.g. "replicates").
    pub fn new(total: u64, unit: &str, options: ProgressOptions) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let visible = !options.quiet && terminal;
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
                "{{spinner}} [{{elapsed_precise}}] {{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, ETA {{eta}}) {{msg}}"
            ))
            .expect("valid progress template"),
        );
        if visible {
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        let plain = (!options.quiet && !terminal && options.every > 0.0)
            .then(|| Duration::from_secs_f64(options.every));
        Progress {
            bar,
            unit: unit.to_string(),
            plain,
            last_line: std::cell::Cell::new(Instant::now()),
        }
    }

    /// A message after the bar, e.g. "point 3/10".
    pub fn set_message(&self, message: String) {
        self.bar.set_message(message);
    }

    /// `n` more units done (e.g. finished work found on resuming).
    pub fn inc_by(&self, n: u64) {
        self.bar.inc(n);
        if let Some(every) = self.plain
            && self.last_line.get().elapsed() >= every
        {
            self.last_line.set(Instant::now());
            eprintln!("{}", self.line());
        }
    }

    /// One more unit done.
    pub fn inc(&self) {
        self.inc_by(1);
    }

    /// The plain-text progress line: done, total, rate and ETA.
    pub fn line(&self) -> String {
        let (pos, len) = (self.bar.position(), self.bar.length().unwrap_or(0));
        let elapsed = self.bar.elapsed();
        let rate = pos as f64 / elapsed.as_secs_f64().max(1e-9);
        let eta = if pos > 0 && rate > 0.0 {
            HumanDuration(Duration::from_secs_f64(
                len.saturating_sub(pos) as f64 / rate,
            ))
            .to_string()
        } else {
            "unknown".into()
        };
        let msg = self.bar.message();
        let msg = if msg.is_empty() {
            String::new()
        } else {
            format!(" {msg}")
        };
        format!(
            "progress: {pos}/{len} {} after {}, {rate:.2}/s, ETA {eta}{msg}",
            self.unit,
            HumanDuration(elapsed)
        )
    }

    /// Done: clear the bar (and print a last plain line when lines are printed).
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        if self.plain.is_some() {
            eprintln!("{}", self.line());
        }
    }
}
