//! Parameter sweeps: the sweep file, its design, the plan (manifest) and running, sharding,
//! resuming and merging it.
//!
//! A sweep file names a base scenario, the parameters to vary (by their key paths, with lists
//! of values or ranges) and a design: a full grid, a Latin hypercube of n points, or a CSV of
//! points. Reading it expands the design into points and builds every point's scenario
//! through the same `--set` machinery as the command line, so an unknown parameter path or an
//! out-of-range value is reported like any scenario problem — all problems at once, each with
//! the file and key path.
//!
//! * [`design`]: grid, Latin hypercube and CSV designs.
//! * [`plan`](mod@plan): the manifest (every point, its parameters and seed; its hash identifies the
//!   plan) and the SLURM job-array script.
//! * [`run`](mod@run): running points (all, or one shard's), resuming, merging shards.

pub mod design;
pub mod plan;
pub mod run;

use std::path::{Path, PathBuf};

use crate::error::ScenarioError;
use crate::params::Problem;
use crate::scenario::Scenario;

pub use design::{Design, ParamSpec, Values};
pub use plan::{Manifest, PlanOptions, PlanReport, plan};
pub use run::{MergeReport, RunOptions, RunReport, merge, run};

/// A sweep file that could not be used: every problem found, at once.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The sweep file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The base scenario could not be read (its own problems, with their files).
    #[error("{file}: base: {source}")]
    Base {
        /// The sweep file.
        file: String,
        /// What went wrong with the base scenario.
        source: ScenarioError,
    },
    /// The sweep file is not valid TOML, or its contents are invalid.
    #[error("{} problem{} in the sweep:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" },
            .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}

/// How the points' seeds are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seeds {
    /// Every point uses the base scenario's seed: common random numbers across points, so the
    /// differences between points come from the parameters, not from the noise.
    Common,
    /// Each point gets its own seed, drawn from the sweep's design stream.
    PerPoint,
}

impl Seeds {
    /// Name as written in sweep files.
    pub fn name(self) -> &'static str {
        match self {
            Seeds::Common => "common",
            Seeds::PerPoint => "per_point",
        }
    }
}

/// A validated sweep: the base scenario and every point, ready to plan.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The sweep file as named on the command line.
    pub file: String,
    /// Its text.
    pub source: String,
    /// Name of the sweep (output labels).
    pub name: String,
    /// What the sweep is about.
    pub description: String,
    /// The base scenario with the sweep's fixed `set` overrides applied.
    pub base: Scenario,
    /// Replicates per point.
    pub replicates: u32,
    /// Seed of the design stream (Latin hypercube, per-point seeds).
    pub seed: u64,
    /// How the points' seeds are chosen.
    pub seeds: Seeds,
    /// The design, as read.
    pub design: Design,
    /// Key paths of the swept parameters (the columns of the points).
    pub parameters: Vec<String>,
    /// Every point: one value per parameter.
    pub points: Vec<Vec<toml::Value>>,
    /// Every point's seed.
    pub point_seeds: Vec<u64>,
    /// Every point's people (for memory hints).
    pub point_people: Vec<u32>,
    /// Whether weekly summaries are kept per point (`false`: final-year and yearly only).
    pub weekly: bool,
}

/// Top-level keys of a sweep file.
const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "base",
    "replicates",
    "seed",
    "seeds",
    "set",
    "design",
    "parameter",
    "weekly",
];

/// Run settings a sweep may not vary: they name the run or change the shape or meaning of the
/// results (the results stack every point's weeks and discount every point's totals alike),
/// or are set by the sweep itself.
pub(crate) const NOT_SWEPT: &[(&str, &str)] = &[
    ("name", "the sweep names its points"),
    ("description", "the sweep describes its points"),
    ("weeks", "every point must record the same weeks"),
    ("replicates", "use the sweep's `replicates`"),
    ("seed", "use the sweep's `seeds`"),
    ("extends", "use the sweep's `base`"),
    (
        "valuation.discount_rate",
        "a sweep discounts every point's totals alike: set it in the base scenario",
    ),
    (
        "valuation.health_discount_rate",
        "a sweep discounts every point's totals alike: set it in the base scenario",
    ),
];

/// Collects the problems of a sweep file.
pub(crate) struct Problems<'a> {
    pub(crate) file: &'a str,
    pub(crate) list: Vec<Problem>,
}

impl Problems<'_> {
    pub(crate) fn add(
        &mut self,
        path: &str,
        value: Option<&toml::Value>,
        expected: impl Into<String>,
    ) {
        self.list.push(Problem {
            file: self.file.to_string(),
            path: path.to_string(),
            value: value.map(crate::params::render_value),
            expected: expected.into(),
        });
    }

    /// An unknown key, with the closest known one suggested.
    pub(crate) fn unknown(&mut self, path: &str, key: &str, known: &[&str]) {
        let origin = |_: &str| self.file.to_string();
        let mut reader = crate::params::Reader::new(&origin);
        reader.unknown(path, key, known);
        self.list.extend(reader.problems);
    }

    pub(crate) fn add_text(
        &mut self,
        path: &str,
        value: Option<String>,
        expected: impl Into<String>,
    ) {
        self.list.push(Problem {
            file: self.file.to_string(),
            path: path.to_string(),
            value,
            expected: expected.into(),
        });
    }

    /// The base scenario of a sweep or calibration file, loaded with the file's `set`
    /// overrides: its own problems are taken in, naming its files (an override's as
    /// "LABEL (set)"), and a malformed override is reported at `set`; any other error is
    /// handed back.
    pub(crate) fn base_scenario(
        &mut self,
        loaded: Result<Scenario, ScenarioError>,
        label: &str,
    ) -> Result<Option<Scenario>, ScenarioError> {
        match loaded {
            Ok(s) => Ok(Some(s)),
            Err(ScenarioError::Invalid(list)) => {
                for p in list {
                    let file = if p.file == "--set" {
                        format!("{label} (set)")
                    } else {
                        p.file
                    };
                    self.list.push(Problem { file, ..p });
                }
                Ok(None)
            }
            Err(ScenarioError::BadSet { arg }) => {
                self.add_text(
                    "set",
                    Some(format!("{arg:?}")),
                    "expected \"key.path=value\"",
                );
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// The optional list `set` of "key.path=value" strings of a sweep or calibration file.
    pub(crate) fn set_list(&mut self, table: &toml::Table) -> Vec<String> {
        let mut sets = Vec::new();
        match table.get("set") {
            None => {}
            Some(toml::Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(s) if s.contains('=') => sets.push(s.to_string()),
                        _ => self.add(
                            &format!("set[{i}]"),
                            Some(item),
                            "expected \"key.path=value\"",
                        ),
                    }
                }
            }
            Some(other) => self.add(
                "set",
                Some(other),
                "expected a list of \"key.path=value\" strings",
            ),
        }
        sets
    }
}

fn parse_toml(text: &str, label: &str) -> Result<toml::Table, SweepError> {
    text.parse::<toml::Table>().map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start).min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        SweepError::Invalid(vec![Problem {
            file: format!("{label}:{line}:{column}"),
            path: "(syntax)".into(),
            value: None,
            expected: format!("valid TOML: {}", e.message().trim()),
        }])
    })
}

impl Sweep {
    /// Read and validate a sweep file, expand its design and build every point's scenario.
    pub fn load(path: &Path) -> Result<Sweep, SweepError> {
        let text = std::fs::read_to_string(path).map_err(|source| SweepError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Sweep::from_str(&text, &path.display().to_string(), path.parent())
    }

    /// Read a sweep from text; `label` names it in messages, `dir` resolves `base` and CSV files.
    pub fn from_str(text: &str, label: &str, dir: Option<&Path>) -> Result<Sweep, SweepError> {
        let table = parse_toml(text, label)?;
        let mut problems = Problems {
            file: label,
            list: Vec::new(),
        };
        for key in table.keys() {
            if !TOP_KEYS.contains(&key.as_str()) {
                problems.unknown(key, key, TOP_KEYS);
            }
        }
        let text_key = |problems: &mut Problems, key: &str| -> Option<String> {
            match table.get(key) {
                None => None,
                Some(toml::Value::String(s)) => Some(s.clone()),
                Some(other) => {
                    problems.add(key, Some(other), "expected a string");
                    None
                }
            }
        };
        let name = text_key(&mut problems, "name");
        let description = text_key(&mut problems, "description").unwrap_or_default();
        let base_name = text_key(&mut problems, "base");
        if base_name.is_none() && !table.contains_key("base") {
            problems.add(
                "base",
                None,
                "expected the base scenario: a file relative to the sweep file, or \"builtin:baseline\"",
            );
        }
        let fixed = problems.set_list(&table);
        let replicates = match table.get("replicates") {
            None => None,
            Some(toml::Value::Integer(n)) if (1..=1_000_000).contains(n) => Some(*n as u32),
            Some(other) => {
                problems.add(
                    "replicates",
                    Some(other),
                    "expected an integer in [1, 1000000]",
                );
                None
            }
        };
        let weekly = match table.get("weekly") {
            None => true,
            Some(toml::Value::Boolean(b)) => *b,
            Some(other) => {
                problems.add(
                    "weekly",
                    Some(other),
                    "expected true (keep weekly summaries per point) or false (final-year and yearly only)",
                );
                true
            }
        };
        let seed = match table.get("seed") {
            None => None,
            Some(toml::Value::Integer(n)) if *n >= 0 => Some(*n as u64),
            Some(other) => {
                problems.add("seed", Some(other), "expected an integer >= 0");
                None
            }
        };
        let seeds = match table.get("seeds") {
            None => Seeds::Common,
            Some(toml::Value::String(s)) if s == "common" => Seeds::Common,
            Some(toml::Value::String(s)) if s == "per_point" => Seeds::PerPoint,
            Some(other) => {
                problems.add("seeds", Some(other), "expected \"common\" or \"per_point\"");
                Seeds::Common
            }
        };

        // The base scenario with the fixed overrides; its own problems name its files.
        let base = match &base_name {
            None => None,
            Some(name) => {
                let loaded = if name == "builtin:baseline" {
                    Scenario::load(None, &fixed)
                } else {
                    let path = dir.map_or_else(|| PathBuf::from(name), |d| d.join(name));
                    Scenario::load(Some(&path), &fixed)
                };
                problems
                    .base_scenario(loaded, label)
                    .map_err(|source| SweepError::Base {
                        file: label.to_string(),
                        source,
                    })?
            }
        };

        let design = design::read_design(&table, dir, &mut problems);
        let specs = design::read_parameters(&table, &design, &mut problems);

        // Parameter paths must name model parameters of the base scenario.
        let mut parameters: Vec<String> = Vec::new();
        match &design {
            Some(Design::Csv { columns, .. }) => parameters.extend(columns.iter().cloned()),
            _ => parameters.extend(specs.iter().map(|s| s.path.clone())),
        }
        if let Some(base) = &base {
            check_paths(base, &parameters, &design, &mut problems);
        }
        if !problems.list.is_empty() {
            return Err(SweepError::Invalid(problems.list));
        }
        let (Some(base), Some(design)) = (base, design) else {
            return Err(SweepError::Invalid(problems.list));
        };
        let seed = seed.unwrap_or(base.run.seed);
        let points = design::expand(&design, &specs, seed, &mut problems);
        let point_seeds: Vec<u64> = (0..points.len())
            .map(|i| match seeds {
                Seeds::Common => base.run.seed,
                Seeds::PerPoint => design::point_seed(seed, i as u64),
            })
            .collect();
        // Build every point's scenario: out-of-range values are reported with the point.
        let base_text = base.resolved_toml();
        let mut point_people = Vec::with_capacity(points.len());
        let mut seen = std::collections::BTreeSet::new();
        let mut hidden = 0usize;
        for (i, values) in points.iter().enumerate() {
            let sets = point_sets(&parameters, values, point_seeds[i]);
            match Scenario::from_str(&base_text, label, None, &sets) {
                Ok(s) => point_people.push(s.run.people),
                Err(ScenarioError::Invalid(list)) => {
                    point_people.push(0);
                    for p in list {
                        let column = parameters.iter().position(|c| *c == p.path).map_or_else(
                            || p.path.clone(),
                            |j| design::value_key(&design, &specs, j),
                        );
                        let key = (column.clone(), p.value.clone());
                        if !seen.insert(key) {
                            continue;
                        }
                        if seen.len() > 20 {
                            hidden += 1;
                            continue;
                        }
                        problems.add_text(
                            &format!("{column} ({}) at point {i}", p.path),
                            p.value,
                            p.expected,
                        );
                    }
                }
                Err(other) => {
                    point_people.push(0);
                    problems.add_text(&format!("point {i}"), None, other.to_string());
                }
            }
        }
        if hidden > 0 {
            problems.add_text(
                "(more)",
                None,
                format!("{hidden} more points have problems like those above"),
            );
        }
        if !problems.list.is_empty() {
            return Err(SweepError::Invalid(problems.list));
        }
        Ok(Sweep {
            file: label.to_string(),
            source: text.to_string(),
            name: name.unwrap_or_else(|| base.run.name.clone()),
            description,
            replicates: replicates.unwrap_or(base.run.replicates),
            seed,
            seeds,
            design,
            parameters,
            points,
            point_seeds,
            point_people,
            weekly,
            base,
        })
    }
}

/// The `--set` overrides that turn the base scenario into one point's scenario.
pub fn point_sets(parameters: &[String], values: &[toml::Value], seed: u64) -> Vec<String> {
    parameters
        .iter()
        .zip(values)
        .map(|(path, value)| format!("{path}={value}"))
        .chain(std::iter::once(format!("seed={seed}")))
        .collect()
}

/// Every swept path must be a model parameter of the base scenario, not a run setting that
/// the sweep controls, and appear once.
fn check_paths(
    base: &Scenario,
    parameters: &[String],
    design: &Option<Design>,
    problems: &mut Problems,
) {
    let resolved: toml::Table = base
        .resolved_toml()
        .parse()
        .expect("resolved scenario is valid TOML");
    for (j, path) in parameters.iter().enumerate() {
        let key = match design {
            Some(Design::Csv { file, .. }) => format!("{} column {}", file.display(), j + 1),
            _ => format!("parameter[{j}].path"),
        };
        let shown = toml::Value::String(path.clone());
        if parameters[..j].contains(path) {
            problems.add(&key, Some(&shown), "expected each parameter once");
            continue;
        }
        if let Some((_, why)) = NOT_SWEPT.iter().find(|(k, _)| k == path) {
            problems.add(
                &key,
                Some(&shown),
                format!("expected a model parameter, not a run setting ({why})"),
            );
            continue;
        }
        let mut node = Some(&resolved);
        let mut leaf = None;
        for (k, part) in path.split('.').enumerate() {
            let last = k == path.split('.').count() - 1;
            match node.and_then(|t| t.get(part)) {
                Some(toml::Value::Table(sub)) if !last => node = Some(sub),
                Some(v) if last && !v.is_table() => leaf = Some(v),
                _ => {
                    node = None;
                }
            }
        }
        if leaf.is_some() {
            continue;
        }
        // Ask the scenario reader why (it suggests near names).
        let why = match Scenario::from_str(
            &base.resolved_toml(),
            "sweep",
            None,
            &[format!("{path}=0")],
        ) {
            Err(ScenarioError::Invalid(list)) => list
                .into_iter()
                .find(|p| {
                    p.path
                        .starts_with(path.split('.').next().unwrap_or_default())
                })
                .map(|p| format!("{}: {}", p.path, p.expected)),
            Err(other) => Some(other.to_string()),
            Ok(_) => None,
        };
        problems.add(
            &key,
            Some(&shown),
            format!(
                "expected the key path of a model parameter (see `mhsim params`){}",
                why.map(|w| format!("; {w}")).unwrap_or_default()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolved_scenarios_read_back_identically() {
        let base = Scenario::load(None, &["dynamics.kappa=0.1234567890123".into()]).unwrap();
        let mut again = Scenario::from_str(&base.resolved_toml(), "x", None, &[]).unwrap();
        again.origin = base.origin.clone();
        again.source_text = base.source_text.clone();
        assert_eq!(again, base);
        // Scenarios with shocks and policies, too: a plan holds only the resolved text.
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let base = Scenario::load(Some(&path), &[]).unwrap();
            let mut again = Scenario::from_str(&base.resolved_toml(), "x", None, &[]).unwrap();
            again.origin = base.origin.clone();
            again.source_text = base.source_text.clone();
            assert_eq!(again, base, "{}", path.display());
        }
    }
}
