//! Calibration targets: observed values with their uncertainty and source, and how a run's
//! yearly summaries compare with them.
//!
//! A targets file lists `[[target]]` tables:
//!
//! ```toml
//! name = "england"
//! description = "England's calibration targets"
//!
//! [[target]]
//! name = "cmd_16_64_2014"            # unique, used in tables
//! metric = "prevalence"              # a metric of `mhsim describe`
//! subgroup = "age_16_64"             # a stratum of the results (default "all")
//! years = [2014]                     # one calendar year, or [first, last]
//! observed = 0.189
//! interval = [0.179, 0.199]          # 95% interval of the observation, or `se = 0.005`
//! tolerance = 0.02                   # optional: accepted |simulated - observed|
//! weight = 1.0                       # optional: weight in the calibration distance
//! source = "APMS 2014 (McManus et al. 2016)"
//! relative_to = { metric = "prevalence", subgroup = "imd_q1" }   # optional: a ratio
//! ```
//!
//! With `relative_to` the target is the ratio of the metric in `subgroup` to the metric named
//! there (in its subgroup, by default the same one), over the same years.
//!
//! The *simulated* value of a target is the mean across replicates of each replicate's mean
//! over the target's years (from the results' yearly summaries), and its 95% interval is the
//! 2.5% to 97.5% quantile range across replicates. Over several years the quantiles are
//! averaged, which widens the interval slightly (conservative). For a ratio the interval comes
//! from the delta method with the replicates' SDs, ignoring covariance (conservative when the
//! two parts move together).
//!
//! A target is *inside* when the simulated mean lies within `observed ± tolerance`. The
//! tolerance defaults to the observation's own 95% interval; a stated tolerance adds the
//! model's discrepancy (a simulator of one town is not the survey) and must be at least as
//! wide as the interval.

use std::path::Path;

use crate::output::{MEAN, Q025, Q975, SD, Summary};
use crate::params::{Problem, render_value};
use crate::record::{Metric, strata};

/// A targets file that could not be used: every problem found, at once.
#[derive(Debug, thiserror::Error)]
pub enum TargetsError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or its contents are invalid.
    #[error("{} problem{} in the targets:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" },
            .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}

/// One observed quantity.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Unique name.
    pub name: String,
    /// Index into [`Metric::ALL`].
    pub metric: usize,
    /// Index into [`strata`].
    pub subgroup: usize,
    /// First and last calendar year (inclusive).
    pub years: (u32, u32),
    /// Observed value.
    pub observed: f64,
    /// Lower end of the observation's 95% interval.
    pub lo: f64,
    /// Upper end of the observation's 95% interval.
    pub hi: f64,
    /// Accepted distance below the observed value.
    pub tol_lo: f64,
    /// Accepted distance above the observed value.
    pub tol_hi: f64,
    /// Weight in the calibration distance.
    pub weight: f64,
    /// Where the observation comes from.
    pub source: String,
    /// Denominator of a ratio target: (metric, stratum).
    pub relative_to: Option<(usize, usize)>,
}

impl Target {
    /// What the target measures, e.g. `prevalence in age_16_64` or
    /// `prevalence in imd_q5 / prevalence in imd_q1`.
    pub fn describe(&self) -> String {
        let strata = strata();
        let part = |m: usize, s: usize| format!("{} in {}", Metric::ALL[m].name(), strata[s]);
        match self.relative_to {
            None => part(self.metric, self.subgroup),
            Some((m, s)) => format!("{} / {}", part(self.metric, self.subgroup), part(m, s)),
        }
    }

    /// The years as written in tables: `2014` or `2023-2024`.
    pub fn period(&self) -> String {
        if self.years.0 == self.years.1 {
            self.years.0.to_string()
        } else {
            format!("{}-{}", self.years.0, self.years.1)
        }
    }

    /// Whether a simulated mean is within the tolerance.
    pub fn accepts(&self, simulated: f64) -> bool {
        simulated >= self.observed - self.tol_lo && simulated <= self.observed + self.tol_hi
    }

    /// Signed deviation of a simulated mean in units of the tolerance on its side.
    pub fn standardised(&self, simulated: f64) -> f64 {
        let d = simulated - self.observed;
        let tol = if d < 0.0 { self.tol_lo } else { self.tol_hi };
        d / tol
    }
}

/// A validated targets file.
#[derive(Debug, Clone)]
pub struct Targets {
    /// The file as named.
    pub file: String,
    /// Its text.
    pub source: String,
    /// Name of the set.
    pub name: String,
    /// What the set is.
    pub description: String,
    /// The targets, in file order.
    pub targets: Vec<Target>,
}

/// Yearly statistics of one run (or one sweep point).
pub trait YearlyStats {
    /// Calendar year of the first recorded year.
    fn start_year(&self) -> u32;
    /// Number of recorded years.
    fn years(&self) -> usize;
    /// Statistic `stat` (index into `STATS`) of metric `metric` in stratum `stratum` in
    /// recorded year `year`.
    fn stat(&self, stat: usize, year: usize, metric: usize, stratum: usize) -> f64;
}

/// A summary with the calendar year of its first recorded week.
pub struct SummaryYears<'a> {
    /// The summary.
    pub summary: &'a Summary,
    /// Calendar year of its first recorded week.
    pub start_year: u32,
}

impl YearlyStats for SummaryYears<'_> {
    fn start_year(&self) -> u32 {
        self.start_year
    }
    fn years(&self) -> usize {
        self.summary.years()
    }
    fn stat(&self, stat: usize, year: usize, metric: usize, stratum: usize) -> f64 {
        self.summary.yearly_stat(stat, year, metric, stratum)
    }
}

impl YearlyStats for crate::output::read::YearlySummary {
    fn start_year(&self) -> u32 {
        self.start_year
    }
    fn years(&self) -> usize {
        self.years
    }
    fn stat(&self, stat: usize, year: usize, metric: usize, stratum: usize) -> f64 {
        crate::output::read::YearlySummary::stat(self, stat, year, metric, stratum)
    }
}

/// A target's simulated value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Simulated {
    /// Mean across replicates.
    pub mean: f64,
    /// Lower end of the 95% range across replicates.
    pub lo: f64,
    /// Upper end of the 95% range across replicates.
    pub hi: f64,
}

/// How one target fares in a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Index of the target.
    pub target: usize,
    /// The simulated value; `None` when the run does not cover the target's years.
    pub simulated: Option<Simulated>,
}

impl Fit {
    /// Whether the simulated mean is within the target's tolerance (`None`: not covered).
    pub fn inside(&self, target: &Target) -> Option<bool> {
        self.simulated.map(|s| target.accepts(s.mean))
    }
}

/// Mean, SD and quantiles of one (metric, stratum) averaged over the recorded years `ys`.
fn averaged(
    y: &dyn YearlyStats,
    ys: &std::ops::Range<usize>,
    metric: usize,
    stratum: usize,
) -> [f64; 4] {
    let n = ys.len() as f64;
    let avg = |stat: usize| {
        ys.clone()
            .map(|i| y.stat(stat, i, metric, stratum))
            .sum::<f64>()
            / n
    };
    [avg(MEAN), avg(SD), avg(Q025), avg(Q975)]
}

impl Targets {
    /// Read and validate a targets file.
    pub fn load(path: &Path) -> Result<Targets, TargetsError> {
        let text = std::fs::read_to_string(path).map_err(|source| TargetsError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Targets::from_str(&text, &path.display().to_string())
    }

    /// Validate a targets file's text; `label` names it in messages.
    pub fn from_str(text: &str, label: &str) -> Result<Targets, TargetsError> {
        let mut problems: Vec<Problem> = Vec::new();
        let mut add = |path: &str, value: Option<&toml::Value>, expected: &str| {
            problems.push(Problem {
                file: label.to_string(),
                path: path.to_string(),
                value: value.map(render_value),
                expected: expected.to_string(),
            });
        };
        let table = match text.parse::<toml::Table>() {
            Ok(t) => t,
            Err(e) => {
                let offset = e.span().map_or(0, |s| s.start).min(text.len());
                let before = &text[..offset];
                let line = before.matches('\n').count() + 1;
                return Err(TargetsError::Invalid(vec![Problem {
                    file: format!("{label}:{line}"),
                    path: "(syntax)".into(),
                    value: None,
                    expected: format!("valid TOML: {}", e.message().trim()),
                }]));
            }
        };
        let text_of = |key: &str, add: &mut dyn FnMut(&str, Option<&toml::Value>, &str)| match table
            .get(key)
        {
            None => String::new(),
            Some(toml::Value::String(s)) => s.clone(),
            Some(other) => {
                add(key, Some(other), "expected a string");
                String::new()
            }
        };
        let name = text_of("name", &mut add);
        let description = text_of("description", &mut add);
        for key in table.keys() {
            if !["name", "description", "target"].contains(&key.as_str()) {
                add(
                    key,
                    None,
                    "unknown key: expected name, description or [[target]]",
                );
            }
        }
        let metric_names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        let strata = strata();
        let metric_index = |v: Option<&toml::Value>| -> Option<usize> {
            v.and_then(|v| v.as_str())
                .and_then(|s| metric_names.iter().position(|m| *m == s))
        };
        let stratum_index = |v: Option<&toml::Value>| -> Option<usize> {
            v.and_then(|v| v.as_str())
                .and_then(|s| strata.iter().position(|m| m == s))
        };
        let metric_list = metric_names.join(", ");
        let strata_list = strata.join(", ");
        let mut targets = Vec::new();
        let list: &[toml::Value] = match table.get("target") {
            None => {
                add("target", None, "expected at least one [[target]]");
                &[]
            }
            Some(toml::Value::Array(a)) => a,
            Some(other) => {
                add("target", Some(other), "expected [[target]] tables");
                &[]
            }
        };
        const KEYS: &[&str] = &[
            "name",
            "metric",
            "subgroup",
            "years",
            "observed",
            "se",
            "interval",
            "tolerance",
            "weight",
            "source",
            "relative_to",
        ];
        let mut names: Vec<String> = Vec::new();
        for (i, item) in list.iter().enumerate() {
            let at = |key: &str| format!("target[{i}].{key}");
            let Some(t) = item.as_table() else {
                add(&format!("target[{i}]"), Some(item), "expected a table");
                continue;
            };
            for key in t.keys() {
                if !KEYS.contains(&key.as_str()) {
                    add(
                        &at(key),
                        None,
                        &format!("unknown key: expected one of {}", KEYS.join(", ")),
                    );
                }
            }
            let name = match t.get("name") {
                Some(toml::Value::String(s)) if !s.is_empty() => {
                    if names.contains(s) {
                        add(&at("name"), t.get("name"), "expected a name used once");
                    }
                    names.push(s.clone());
                    s.clone()
                }
                other => {
                    add(&at("name"), other, "expected a non-empty string");
                    format!("target {i}")
                }
            };
            let metric = metric_index(t.get("metric"));
            if metric.is_none() {
                add(
                    &at("metric"),
                    t.get("metric"),
                    &format!("expected a metric name, one of: {metric_list}"),
                );
            }
            let subgroup = match t.get("subgroup") {
                None => Some(0),
                v => stratum_index(v),
            };
            if subgroup.is_none() {
                add(
                    &at("subgroup"),
                    t.get("subgroup"),
                    &format!("expected a subgroup, one of: {strata_list}"),
                );
            }
            let year = |v: &toml::Value| {
                v.as_integer()
                    .filter(|y| (1900..=2200).contains(y))
                    .map(|y| y as u32)
            };
            let years = match t.get("years") {
                Some(toml::Value::Array(a)) => match a.as_slice() {
                    [y] => year(y).map(|y| (y, y)),
                    [a, b] => match (year(a), year(b)) {
                        (Some(a), Some(b)) if a <= b => Some((a, b)),
                        _ => None,
                    },
                    _ => None,
                },
                Some(v) => year(v).map(|y| (y, y)),
                None => None,
            };
            if years.is_none() {
                add(
                    &at("years"),
                    t.get("years"),
                    "expected a calendar year or [first, last] (1900-2200, first <= last)",
                );
            }
            let number = |key: &str| {
                t.get(key)
                    .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
            };
            let observed = number("observed").filter(|x| x.is_finite());
            if observed.is_none() {
                add(&at("observed"), t.get("observed"), "expected a number");
            }
            let obs = observed.unwrap_or(0.0);
            let interval = match (t.get("se"), t.get("interval")) {
                (Some(_), Some(_)) => {
                    add(&at("se"), None, "expected either se or interval, not both");
                    None
                }
                (Some(v), None) => match number("se") {
                    Some(se) if se > 0.0 => Some((obs - 1.96 * se, obs + 1.96 * se)),
                    _ => {
                        add(&at("se"), Some(v), "expected a number > 0");
                        None
                    }
                },
                (None, Some(v)) => match v.as_array().map(|a| {
                    a.iter()
                        .map(|x| x.as_float().or(x.as_integer().map(|i| i as f64)))
                        .collect::<Vec<_>>()
                }) {
                    Some(xs) if xs.len() == 2 => match (xs[0], xs[1]) {
                        (Some(lo), Some(hi)) if lo <= obs && obs <= hi && lo < hi => Some((lo, hi)),
                        _ => {
                            add(
                                &at("interval"),
                                Some(v),
                                "expected [low, high] with low <= observed <= high and low < high",
                            );
                            None
                        }
                    },
                    _ => {
                        add(&at("interval"), Some(v), "expected [low, high]");
                        None
                    }
                },
                (None, None) => {
                    add(
                        &at("se"),
                        None,
                        "expected the observation's uncertainty: se = ... or interval = [low, high]",
                    );
                    None
                }
            };
            let (lo, hi) = interval.unwrap_or((obs, obs));
            let (mut tol_lo, mut tol_hi) = (obs - lo, hi - obs);
            if let Some(v) = t.get("tolerance") {
                match number("tolerance") {
                    Some(tol) if tol > 0.0 => {
                        if interval.is_some() && (tol < tol_lo - 1e-12 || tol < tol_hi - 1e-12) {
                            add(
                                &at("tolerance"),
                                Some(v),
                                &format!(
                                    "expected at least the observation's interval half-width ({:.4})",
                                    tol_lo.max(tol_hi)
                                ),
                            );
                        }
                        (tol_lo, tol_hi) = (tol, tol);
                    }
                    _ => add(&at("tolerance"), Some(v), "expected a number > 0"),
                }
            }
            let weight = match t.get("weight") {
                None => 1.0,
                Some(v) => match number("weight") {
                    Some(w) if w >= 0.0 && w.is_finite() => w,
                    _ => {
                        add(&at("weight"), Some(v), "expected a number >= 0");
                        1.0
                    }
                },
            };
            let source = match t.get("source") {
                Some(toml::Value::String(s)) if !s.trim().is_empty() => s.clone(),
                other => {
                    add(
                        &at("source"),
                        other,
                        "expected the observation's source (a string)",
                    );
                    String::new()
                }
            };
            let relative_to = match t.get("relative_to") {
                None => None,
                Some(toml::Value::Table(r)) => {
                    for key in r.keys() {
                        if key != "metric" && key != "subgroup" {
                            add(
                                &format!("target[{i}].relative_to.{key}"),
                                None,
                                "unknown key: expected metric or subgroup",
                            );
                        }
                    }
                    let m = match r.get("metric") {
                        None => metric,
                        v => metric_index(v),
                    };
                    let s = match r.get("subgroup") {
                        None => subgroup,
                        v => stratum_index(v),
                    };
                    if m.is_none() && r.contains_key("metric") {
                        add(
                            &format!("target[{i}].relative_to.metric"),
                            r.get("metric"),
                            &format!("expected a metric name, one of: {metric_list}"),
                        );
                    }
                    if s.is_none() && r.contains_key("subgroup") {
                        add(
                            &format!("target[{i}].relative_to.subgroup"),
                            r.get("subgroup"),
                            &format!("expected a subgroup, one of: {strata_list}"),
                        );
                    }
                    // Only when both sides are known (an unknown name is reported once).
                    if m.is_some() && s.is_some() && m == metric && s == subgroup {
                        add(
                            &at("relative_to"),
                            None,
                            "expected another metric or subgroup than the target's own",
                        );
                    }
                    m.zip(s)
                }
                Some(other) => {
                    add(
                        &at("relative_to"),
                        Some(other),
                        "expected { metric = \"...\", subgroup = \"...\" }",
                    );
                    None
                }
            };
            if let (Some(metric), Some(subgroup), Some(years), Some(observed)) =
                (metric, subgroup, years, observed)
            {
                targets.push(Target {
                    name,
                    metric,
                    subgroup,
                    years,
                    observed,
                    lo,
                    hi,
                    tol_lo,
                    tol_hi,
                    weight,
                    source,
                    relative_to,
                });
            }
        }
        if !problems.is_empty() {
            return Err(TargetsError::Invalid(problems));
        }
        Ok(Targets {
            file: label.to_string(),
            source: text.to_string(),
            name,
            description,
            targets,
        })
    }

    /// The simulated value of target `i`, or `None` when the run records none of its years.
    /// Only the years the run covers count.
    pub fn simulate(&self, i: usize, y: &dyn YearlyStats) -> Option<Simulated> {
        let t = &self.targets[i];
        let start = y.start_year();
        let last = start + y.years() as u32; // exclusive
        let (a, b) = (t.years.0.max(start), (t.years.1 + 1).min(last));
        if a >= b {
            return None;
        }
        let ys = (a - start) as usize..(b - start) as usize;
        let [mean, sd, q025, q975] = averaged(y, &ys, t.metric, t.subgroup);
        let out = match t.relative_to {
            None => Simulated {
                mean,
                lo: q025,
                hi: q975,
            },
            Some((m, s)) => {
                let [d_mean, d_sd, ..] = averaged(y, &ys, m, s);
                let ratio = mean / d_mean;
                let rel = ((sd / mean).powi(2) + (d_sd / d_mean).powi(2)).sqrt();
                let half = 1.96 * ratio.abs() * if rel.is_finite() { rel } else { 0.0 };
                Simulated {
                    mean: ratio,
                    lo: ratio - half,
                    hi: ratio + half,
                }
            }
        };
        out.mean.is_finite().then_some(out)
    }

    /// Every target's fit in a run.
    pub fn fit(&self, y: &dyn YearlyStats) -> Vec<Fit> {
        (0..self.targets.len())
            .map(|i| Fit {
                target: i,
                simulated: self.simulate(i, y),
            })
            .collect()
    }

    /// The calibration distance of a run: the root of the weighted mean of squared deviations
    /// in units of each target's tolerance, over the targets the run covers (1 means targets
    /// are on average at the edge of their tolerance). Infinite when a covered target has no
    /// finite value or no target is covered.
    pub fn distance(&self, fits: &[Fit]) -> f64 {
        let (mut sum, mut weights) = (0.0, 0.0);
        for f in fits {
            let t = &self.targets[f.target];
            if let Some(s) = f.simulated {
                let z = t.standardised(s.mean);
                if !z.is_finite() {
                    return f64::INFINITY;
                }
                sum += t.weight * z * z;
                weights += t.weight;
            }
        }
        if weights > 0.0 {
            (sum / weights).sqrt()
        } else {
            f64::INFINITY
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
name = "t"
[[target]]
name = "a"
metric = "prevalence"
subgroup = "age_16_64"
years = [2010, 2011]
observed = 0.2
se = 0.01
source = "x"
[[target]]
name = "b"
metric = "prevalence"
subgroup = "imd_q5"
years = 2010
observed = 2.0
interval = [1.8, 2.2]
tolerance = 0.5
source = "y"
relative_to = { subgroup = "imd_q1" }
"#;

    struct Fake;
    impl YearlyStats for Fake {
        fn start_year(&self) -> u32 {
            2010
        }
        fn years(&self) -> usize {
            3
        }
        fn stat(&self, stat: usize, year: usize, _metric: usize, stratum: usize) -> f64 {
            let base = if stratum == 15 { 0.3 } else { 0.15 } + 0.01 * year as f64;
            match stat {
                MEAN => base,
                SD => 0.01,
                Q025 => base - 0.02,
                Q975 => base + 0.02,
                _ => f64::NAN,
            }
        }
    }

    #[test]
    fn reads_and_fits() {
        let t = Targets::from_str(GOOD, "t.toml").unwrap();
        assert_eq!(t.targets.len(), 2);
        assert!((t.targets[0].tol_lo - 0.0196).abs() < 1e-12);
        assert_eq!(t.targets[1].tol_hi, 0.5);
        let fits = t.fit(&Fake);
        // Years 2010 and 2011: (0.15 + 0.16) / 2.
        let a = fits[0].simulated.unwrap();
        assert!((a.mean - 0.155).abs() < 1e-12);
        assert!(!t.targets[0].accepts(a.mean));
        let b = fits[1].simulated.unwrap();
        assert!((b.mean - 2.0).abs() < 1e-12, "{b:?}");
        assert!(t.targets[1].accepts(b.mean));
        let d = t.distance(&fits);
        let za: f64 = (0.155 - 0.2) / 0.0196;
        assert!((d - (za * za / 2.0).sqrt()).abs() < 1e-9);
    }

    #[test]
    fn every_problem_at_once() {
        let bad = r#"
colour = 1
[[target]]
name = "a"
metric = "prevalance"
subgroup = "age_99"
years = [2020, 2010]
observed = "high"
se = 0.01
interval = [0.1, 0.2]
tolerance = -1
extra = 2
"#;
        let Err(TargetsError::Invalid(p)) = Targets::from_str(bad, "bad.toml") else {
            panic!("expected problems")
        };
        let paths: Vec<&str> = p.iter().map(|p| p.path.as_str()).collect();
        for expected in [
            "colour",
            "target[0].metric",
            "target[0].subgroup",
            "target[0].years",
            "target[0].observed",
            "target[0].se",
            "target[0].tolerance",
            "target[0].extra",
            "target[0].source",
        ] {
            assert!(
                paths.contains(&expected),
                "{expected} missing from {paths:?}"
            );
        }
        assert!(p.iter().all(|p| p.file == "bad.toml"));
    }

    #[test]
    fn an_unknown_subgroup_is_one_problem_per_key() {
        let bad = GOOD
            .replace("subgroup = \"imd_q5\"", "subgroup = \"imd_q9\"")
            .replace(
                "relative_to = { subgroup = \"imd_q1\" }",
                "relative_to = { subgroup = \"imd_q0\" }",
            );
        let Err(TargetsError::Invalid(p)) = Targets::from_str(&bad, "t.toml") else {
            panic!("expected problems")
        };
        let paths: Vec<&str> = p.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            ["target[1].subgroup", "target[1].relative_to.subgroup"]
        );
    }

    #[test]
    fn uncovered_years_are_none() {
        let t = Targets::from_str(&GOOD.replace("years = 2010", "years = 2030"), "t").unwrap();
        let fits = t.fit(&Fake);
        assert!(fits[1].simulated.is_none());
        assert!(fits[1].inside(&t.targets[1]).is_none());
    }
}
