//! Calibration files: what to calibrate (parameters with their prior ranges), against what
//! (a targets file), from which scenario, and how (the ABC settings).
//!
//! ```toml
//! name = "england"
//! description = "..."
//! base = "../history.toml"            # scenario, relative to this file, or "builtin:baseline"
//! targets = "targets/england.toml"    # relative to this file
//! set = ["people=4000"]               # fixed overrides (optional)
//! replicates = 2                      # per candidate [default 1]
//! seed = 7                            # of the proposals [default: the base scenario's seed]
//!
//! [abc]
//! particles = 200       # N [default 100]
//! alpha = 0.5           # share kept per generation [default 0.5]
//! p_acc_min = 0.05      # stop below this acceptance rate [default 0.05]
//! max_generations = 10  # generation 0 included [default 10]
//! target_distance = 0.5 # optional: stop at this tolerance
//! initial = "lhs"       # generation 0: "lhs" (Latin hypercube) or "random" [default "lhs"]
//!
//! [[parameter]]
//! key = "dynamics.kappa"
//! min = 0.05
//! max = 0.3
//! scale = "log"         # optional: uniform on the log scale [default "linear"]
//! ```
//!
//! Reading reports every problem at once with the file and key path: unknown keys, wrong
//! types, out-of-range settings, and parameter key paths or bounds that the base scenario does
//! not accept (each bound is applied to the base scenario as a `--set` would be, and so are
//! the corners of the prior's box, which finds bounds that break a cross-parameter rule such
//! as `theta_off < theta_on`). Targets outside the base scenario's recorded years are
//! reported too.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::calib::abc::{Prior, Settings};
use crate::calib::targets::{Targets, TargetsError};
use crate::error::ScenarioError;
use crate::params::Problem;
use crate::scenario::Scenario;
use crate::sweep::{NOT_SWEPT, Problems};

/// A calibration file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Every problem of the file, its base scenario and its targets.
    #[error("{} problem{} in the calibration:\n{}", .0.len(), if .0.len() == 1 { "" } else { "s" },
            .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Problem>),
}

/// How a parameter's prior is spread over its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scale {
    /// Uniform between the bounds.
    Linear,
    /// Uniform on the log scale (bounds > 0).
    Log,
}

impl Scale {
    /// Name as written in calibration files.
    pub fn name(self) -> &'static str {
        match self {
            Scale::Linear => "linear",
            Scale::Log => "log",
        }
    }
}

/// A calibrated parameter and its prior.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Key path, as in `--set`.
    pub key: String,
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
    /// Prior scale.
    pub scale: Scale,
    /// The model parameter is an integer (found from the base scenario): its values are the
    /// whole numbers from `min` to `max`, each with the prior mass of a unit interval around
    /// it (see [`Parameter::internal_bounds`]).
    pub integer: bool,
}

impl Parameter {
    /// Internal coordinate of a value (the value, or its logarithm).
    pub fn internal(&self, value: f64) -> f64 {
        match self.scale {
            Scale::Linear => value,
            Scale::Log => value.ln(),
        }
    }

    /// The prior's range in internal coordinates: from `min` to `max`, widened by half a
    /// unit each way for an integer parameter, so that every whole number from `min` to
    /// `max` is the rounding of an interval of width 1 (on the log scale, of `[n − ½, n + ½]`).
    pub fn internal_bounds(&self) -> (f64, f64) {
        let half = if self.integer { 0.5 } else { 0.0 };
        (
            self.internal(self.min - half),
            self.internal(self.max + half),
        )
    }

    /// The value of an internal coordinate, kept within the bounds; rounded to the nearest
    /// whole number for an integer parameter.
    pub fn value(&self, internal: f64) -> f64 {
        let v = match self.scale {
            Scale::Linear => internal,
            Scale::Log => internal.exp(),
        };
        let v = if self.integer { v.round() } else { v };
        v.clamp(self.min, self.max)
    }

    /// `value` as scenario and CSV text: a whole number for an integer parameter, else a
    /// float that reads back exactly.
    pub fn text(&self, value: f64) -> String {
        if self.integer {
            format!("{}", value as i64)
        } else {
            number(value)
        }
    }

    /// The `--set` override giving this parameter `value` (written so that it reads back
    /// as exactly the same number).
    pub fn set(&self, value: f64) -> String {
        format!("{}={}", self.key, self.text(value))
    }
}

/// A number as TOML and CSV text that reads back exactly: the shortest round-trip form,
/// always with a decimal point or exponent so that it is read as a float.
pub fn number(value: f64) -> String {
    format!("{value:?}")
}

/// How generation 0 draws from the prior.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initial {
    /// A Latin hypercube of N points.
    Lhs,
    /// N plain draws.
    Random,
}

/// A validated calibration.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// The file as named.
    pub file: String,
    /// Its text.
    pub source: String,
    /// Name (output labels).
    pub name: String,
    /// What it is.
    pub description: String,
    /// The base scenario as written (`base`).
    pub base_name: String,
    /// The base scenario's file, resolved against the calibration file (None: built in).
    pub base_path: Option<PathBuf>,
    /// The base scenario with the fixed overrides applied.
    pub base: Scenario,
    /// The fixed `--set` overrides.
    pub sets: Vec<String>,
    /// The targets.
    pub targets: Targets,
    /// Replicates per candidate.
    pub replicates: u32,
    /// Seed of the proposal stream.
    pub seed: u64,
    /// The ABC settings.
    pub settings: Settings,
    /// How generation 0 draws.
    pub initial: Initial,
    /// The calibrated parameters, in file order.
    pub parameters: Vec<Parameter>,
}

const TOP_KEYS: &[&str] = &[
    "name",
    "description",
    "base",
    "targets",
    "set",
    "replicates",
    "seed",
    "abc",
    "parameter",
];
const ABC_KEYS: &[&str] = &[
    "particles",
    "alpha",
    "p_acc_min",
    "max_generations",
    "target_distance",
    "initial",
];
const PARAMETER_KEYS: &[&str] = &["key", "min", "max", "scale"];

/// Most corners of the prior's box checked against the base scenario (2^12).
const MAX_CORNER_PARAMETERS: usize = 12;

fn float(v: &toml::Value) -> Option<f64> {
    v.as_float()
        .or(v.as_integer().map(|i| i as f64))
        .filter(|x| x.is_finite())
}

impl Calibration {
    /// Read and validate a calibration file.
    pub fn load(path: &Path) -> Result<Calibration, CalibrationError> {
        let text = std::fs::read_to_string(path).map_err(|source| CalibrationError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let stem = path.file_stem().map_or_else(
            || "calibration".into(),
            |s| s.to_string_lossy().into_owned(),
        );
        Calibration::from_str(&text, &path.display().to_string(), path.parent(), &stem)
    }

    /// Read a calibration from text; `label` names it in messages, `dir` resolves `base` and
    /// `targets`, `default_name` names it when it has no `name`.
    pub fn from_str(
        text: &str,
        label: &str,
        dir: Option<&Path>,
        default_name: &str,
    ) -> Result<Calibration, CalibrationError> {
        let table = text.parse::<toml::Table>().map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start).min(text.len());
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            CalibrationError::Invalid(vec![Problem {
                file: format!("{label}:{line}:{column}"),
                path: "(syntax)".into(),
                value: None,
                expected: format!("valid TOML: {}", e.message().trim()),
            }])
        })?;
        let mut problems = Problems {
            file: label,
            list: Vec::new(),
        };
        for key in table.keys() {
            if !TOP_KEYS.contains(&key.as_str()) {
                problems.unknown(key, key, TOP_KEYS);
            }
        }
        let text_key = |problems: &mut Problems, key: &str, required: &str| -> Option<String> {
            match table.get(key) {
                None if !required.is_empty() => {
                    problems.add(key, None, required);
                    None
                }
                None => None,
                Some(toml::Value::String(s)) if !s.is_empty() => Some(s.clone()),
                Some(other) => {
                    problems.add(key, Some(other), "expected a non-empty string");
                    None
                }
            }
        };
        let name = text_key(&mut problems, "name", "").unwrap_or_else(|| default_name.into());
        let description = text_key(&mut problems, "description", "").unwrap_or_default();
        let base_name = text_key(
            &mut problems,
            "base",
            "expected the base scenario: a file relative to the calibration file, or \"builtin:baseline\"",
        );
        let targets_name = text_key(
            &mut problems,
            "targets",
            "expected the targets file, relative to the calibration file",
        );
        let sets = problems.set_list(&table);
        let replicates = match table.get("replicates") {
            None => 1,
            Some(toml::Value::Integer(n)) if (1..=100_000).contains(n) => *n as u32,
            Some(other) => {
                problems.add(
                    "replicates",
                    Some(other),
                    "expected an integer in [1, 100000] (replicates per candidate)",
                );
                1
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
        let (settings, initial) = read_abc(&table, &mut problems);
        let mut numbered = read_parameters(&table, &mut problems);

        // The base scenario with the fixed overrides; its own problems name its files.
        let resolve = |name: &str| dir.map_or_else(|| PathBuf::from(name), |d| d.join(name));
        let base_path = base_name
            .as_deref()
            .filter(|n| *n != "builtin:baseline")
            .map(resolve);
        let base = match &base_name {
            None => None,
            Some(_) => {
                let loaded = Scenario::load(base_path.as_deref(), &sets);
                problems
                    .base_scenario(loaded, label)
                    .unwrap_or_else(|other| {
                        problems.add_text(
                            "base",
                            base_name.clone(),
                            format!("expected a readable, valid scenario: {other}"),
                        );
                        None
                    })
            }
        };
        let targets = match &targets_name {
            None => None,
            Some(name) => match Targets::load(&resolve(name)) {
                Ok(t) => Some(t),
                Err(TargetsError::Invalid(list)) => {
                    problems.list.extend(list);
                    None
                }
                Err(e @ TargetsError::Io { .. }) => {
                    problems.add_text(
                        "targets",
                        Some(format!("{name:?}")),
                        format!("expected a readable targets file: {e}"),
                    );
                    None
                }
            },
        };
        if let Some(base) = &base {
            check_parameters(base, &mut numbered, &mut problems);
            if let Some(targets) = &targets {
                check_years(base, targets, &mut problems);
            }
        }
        if !problems.list.is_empty() {
            return Err(CalibrationError::Invalid(problems.list));
        }
        let parameters = numbered.into_iter().map(|(_, p)| p).collect();
        let (Some(base), Some(targets), Some(base_name)) = (base, targets, base_name) else {
            return Err(CalibrationError::Invalid(problems.list));
        };
        Ok(Calibration {
            file: label.to_string(),
            source: text.to_string(),
            name,
            description,
            base_name,
            base_path,
            seed: seed.unwrap_or(base.run.seed),
            base,
            sets,
            targets,
            replicates,
            settings,
            initial,
            parameters,
        })
    }

    /// The prior in internal coordinates.
    pub fn prior(&self) -> Prior {
        Prior {
            lo: self
                .parameters
                .iter()
                .map(|p| p.internal_bounds().0)
                .collect(),
            hi: self
                .parameters
                .iter()
                .map(|p| p.internal_bounds().1)
                .collect(),
        }
    }

    /// Parameter values of internal coordinates.
    pub fn values(&self, theta: &[f64]) -> Vec<f64> {
        self.parameters
            .iter()
            .zip(theta)
            .map(|(p, z)| p.value(*z))
            .collect()
    }

    /// Everything that determines the calibration's results: the calibration file, the
    /// targets file, the base scenario (resolved) and the mhsim version. A calibration folder
    /// records it and refuses to continue under another.
    pub fn hash(&self) -> String {
        let identity = serde_json::json!({
            "mhsim_version": crate::VERSION,
            "calibration": self.source,
            "targets": self.targets.source,
            "base_scenario": self.base.resolved_toml(),
        });
        crate::sweep::plan::fingerprint(identity.to_string().as_bytes())
    }
}

fn read_abc(table: &toml::Table, problems: &mut Problems) -> (Settings, Initial) {
    let mut settings = Settings {
        particles: 100,
        alpha: 0.5,
        p_acc_min: 0.05,
        max_generations: 10,
        target_distance: None,
    };
    let mut initial = Initial::Lhs;
    let abc = match table.get("abc") {
        None => return (settings, initial),
        Some(toml::Value::Table(t)) => t,
        Some(other) => {
            problems.add("abc", Some(other), "expected a table: [abc]");
            return (settings, initial);
        }
    };
    for key in abc.keys() {
        if !ABC_KEYS.contains(&key.as_str()) {
            problems.unknown(&format!("abc.{key}"), key, ABC_KEYS);
        }
    }
    match abc.get("particles") {
        None => {}
        Some(toml::Value::Integer(n)) if (4..=1_000_000).contains(n) => {
            settings.particles = *n as usize;
        }
        Some(other) => problems.add(
            "abc.particles",
            Some(other),
            "expected an integer in [4, 1000000]",
        ),
    }
    let mut alpha_ok = true;
    match abc.get("alpha") {
        None => {}
        Some(v) => match float(v) {
            Some(a) if a > 0.0 && a < 1.0 => settings.alpha = a,
            _ => {
                alpha_ok = false;
                problems.add("abc.alpha", Some(v), "expected a number in (0, 1)");
            }
        },
    }
    if alpha_ok && (settings.kept() < 2 || settings.kept() >= settings.particles) {
        problems.add_text(
            "abc.alpha",
            Some(number(settings.alpha)),
            format!(
                "expected alpha x particles ({} x {}) to keep at least 2 particles and fewer than all",
                number(settings.alpha),
                settings.particles
            ),
        );
    }
    match abc.get("p_acc_min") {
        None => {}
        Some(v) => match float(v) {
            Some(p) if (0.0..=1.0).contains(&p) => settings.p_acc_min = p,
            _ => problems.add("abc.p_acc_min", Some(v), "expected a number in [0, 1]"),
        },
    }
    match abc.get("max_generations") {
        None => {}
        Some(toml::Value::Integer(n)) if (1..=1000).contains(n) => {
            settings.max_generations = *n as u32;
        }
        Some(other) => problems.add(
            "abc.max_generations",
            Some(other),
            "expected an integer in [1, 1000] (generation 0 included)",
        ),
    }
    match abc.get("target_distance") {
        None => {}
        Some(v) => match float(v) {
            Some(d) if d >= 0.0 => settings.target_distance = Some(d),
            _ => problems.add("abc.target_distance", Some(v), "expected a number >= 0"),
        },
    }
    match abc.get("initial") {
        None => {}
        Some(toml::Value::String(s)) if s == "lhs" => initial = Initial::Lhs,
        Some(toml::Value::String(s)) if s == "random" => initial = Initial::Random,
        Some(other) => problems.add(
            "abc.initial",
            Some(other),
            "expected \"lhs\" (Latin hypercube) or \"random\"",
        ),
    }
    (settings, initial)
}

/// The valid `[[parameter]]` tables, each with its position in the file.
fn read_parameters(table: &toml::Table, problems: &mut Problems) -> Vec<(usize, Parameter)> {
    let items = match table.get("parameter") {
        Some(toml::Value::Array(items)) if !items.is_empty() => items,
        other => {
            problems.add(
                "parameter",
                other,
                "expected at least one [[parameter]] table with key, min and max",
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = |key: &str| format!("parameter[{i}].{key}");
        let Some(t) = item.as_table() else {
            problems.add(&format!("parameter[{i}]"), Some(item), "expected a table");
            continue;
        };
        for key in t.keys() {
            if !PARAMETER_KEYS.contains(&key.as_str()) {
                problems.unknown(&at(key), key, PARAMETER_KEYS);
            }
        }
        let key = match t.get("key") {
            Some(toml::Value::String(k)) if k.contains('.') && !k.split('.').any(str::is_empty) => {
                if keys.contains(k) {
                    problems.add(&at("key"), t.get("key"), "expected each parameter once");
                    None
                } else if let Some((_, why)) = NOT_SWEPT.iter().find(|(n, _)| n == k) {
                    problems.add(
                        &at("key"),
                        t.get("key"),
                        format!("expected a model parameter, not a run setting ({why})"),
                    );
                    None
                } else {
                    keys.push(k.clone());
                    Some(k.clone())
                }
            }
            other => {
                problems.add(
                    &at("key"),
                    other,
                    "expected the key path of a model parameter, e.g. \"dynamics.kappa\" (see `mhsim params`)",
                );
                None
            }
        };
        let bound = |problems: &mut Problems, name: &str| match t.get(name) {
            Some(v) => match float(v) {
                Some(x) => Some(x),
                None => {
                    problems.add(&at(name), Some(v), "expected a finite number");
                    None
                }
            },
            None => {
                problems.add(&at(name), None, "expected the prior's bound, a number");
                None
            }
        };
        let (min, max) = (bound(problems, "min"), bound(problems, "max"));
        let scale = match t.get("scale") {
            None => Some(Scale::Linear),
            Some(toml::Value::String(s)) if s == "linear" => Some(Scale::Linear),
            Some(toml::Value::String(s)) if s == "log" => Some(Scale::Log),
            Some(other) => {
                problems.add(
                    &at("scale"),
                    Some(other),
                    "expected \"linear\" or \"log\" (uniform on the log scale)",
                );
                None
            }
        };
        let mut ok = true;
        if let (Some(lo), Some(hi)) = (min, max)
            && lo >= hi
        {
            problems.add(
                &at("max"),
                t.get("max"),
                format!("expected a number above min ({})", number(lo)),
            );
            ok = false;
        }
        if let (Some(Scale::Log), Some(lo)) = (scale, min)
            && lo <= 0.0
        {
            problems.add(
                &at("min"),
                t.get("min"),
                "expected a number > 0 with scale = \"log\"",
            );
            ok = false;
        }
        if let (Some(key), Some(min), Some(max), Some(scale), true) = (key, min, max, scale, ok) {
            out.push((
                i,
                Parameter {
                    key,
                    min,
                    max,
                    scale,
                    integer: false,
                },
            ));
        }
    }
    out
}

/// Whether `key` names a value of the resolved scenario `table` (a list element's key, such
/// as `policy.0.x`, is left to the scenario reader).
fn names_a_value(table: &toml::Table, key: &str) -> bool {
    let first = key.split('.').next().unwrap_or_default();
    crate::policy::FAMILIES.iter().any(|f| f.list() == first)
        || value_at(table, key).is_some_and(|v| !v.is_table())
}

/// The value that `key` names in the resolved scenario `table`, if it is a plain value.
fn value_at<'t>(table: &'t toml::Table, key: &str) -> Option<&'t toml::Value> {
    let mut node = table;
    let parts: Vec<&str> = key.split('.').collect();
    for (k, part) in parts.iter().enumerate() {
        match node.get(*part)? {
            toml::Value::Table(sub) if k + 1 < parts.len() => node = sub,
            v if k + 1 == parts.len() => return Some(v),
            _ => return None,
        }
    }
    None
}

/// Every parameter must name a value of the base scenario, each bound must give a valid
/// scenario when applied to the base (as `--set`), and so must every corner of the box
/// (cross-parameter rules). A parameter whose value in the base is an integer is marked as
/// one, and its bounds must be whole numbers. `parameters` carry their positions in the file.
fn check_parameters(
    base: &Scenario,
    parameters: &mut [(usize, Parameter)],
    problems: &mut Problems,
) {
    let base_text = base.resolved_toml();
    let resolved: toml::Table = base_text
        .parse()
        .expect("a resolved scenario is valid TOML");
    let mut whole = true;
    for (i, p) in parameters.iter_mut() {
        p.integer = matches!(value_at(&resolved, &p.key), Some(toml::Value::Integer(_)));
        if p.integer {
            for (name, value) in [("min", p.min), ("max", p.max)] {
                if value.fract() != 0.0 {
                    whole = false;
                    problems.add_text(
                        &format!("parameter[{i}].{name}"),
                        Some(number(value)),
                        format!("expected a whole number: {} is an integer", p.key),
                    );
                }
            }
        }
    }
    if !whole {
        return;
    }
    let parameters: &[(usize, Parameter)] = parameters;
    let apply = |sets: &[String]| Scenario::from_str(&base_text, "base", None, sets);
    let why = |e: ScenarioError| match e {
        ScenarioError::Invalid(list) => list
            .iter()
            .map(|q| format!("{}: {}", q.path, q.expected))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    let mut all_ok = true;
    for (i, p) in parameters {
        if !names_a_value(&resolved, &p.key) {
            all_ok = false;
            // The scenario reader says why, with the nearest names.
            let reason = apply(&[p.set(p.min)])
                .err()
                .map_or_else(|| "not a model parameter".to_string(), why);
            problems.add_text(
                &format!("parameter[{i}].key"),
                Some(format!("{:?}", p.key)),
                format!(
                    "expected the key path of a model parameter (see `mhsim params`): {reason}"
                ),
            );
            continue;
        }
        for (name, value) in [("min", p.min), ("max", p.max)] {
            match apply(&[p.set(value)]) {
                Ok(_) => {}
                Err(ScenarioError::Invalid(list)) => {
                    all_ok = false;
                    for q in list {
                        let shown = if q.path == p.key {
                            q.expected
                        } else {
                            format!("{}: {}", q.path, q.expected)
                        };
                        problems.add_text(
                            &format!("parameter[{i}].{name}"),
                            Some(number(value)),
                            format!("{}: {shown}", p.key),
                        );
                    }
                }
                Err(other) => {
                    all_ok = false;
                    problems.add_text(
                        &format!("parameter[{i}].{name}"),
                        Some(number(value)),
                        other.to_string(),
                    );
                }
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    if all_ok && parameters.len() <= MAX_CORNER_PARAMETERS && parameters.len() > 1 {
        for corner in 0..1usize << parameters.len() {
            let sets: Vec<String> = parameters
                .iter()
                .enumerate()
                .map(|(j, (_, p))| p.set(if corner >> j & 1 == 1 { p.max } else { p.min }))
                .collect();
            if let Err(e) = apply(&sets) {
                let reason = why(e);
                if seen.insert(reason.clone()) {
                    problems.add_text(
                        "parameter",
                        Some(
                            sets.iter()
                                .map(|s| s.replace('=', " = "))
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                        format!(
                            "expected every corner of the prior's ranges to be a valid scenario: {reason}"
                        ),
                    );
                }
            }
        }
    }
}

/// Every target must lie (at least partly) in the recorded years of the base scenario.
fn check_years(base: &Scenario, targets: &Targets, problems: &mut Problems) {
    let first = base.run.start_year;
    let last = first + crate::output::years_of(base.run.weeks as usize) as u32 - 1;
    for t in &targets.targets {
        if t.years.1 < first || t.years.0 > last {
            problems.add_text(
                "targets",
                Some(format!("{:?}", t.name)),
                format!(
                    "expected every target within the base scenario's recorded years ({first}-{last}); {} is in {}",
                    t.name,
                    t.period()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    const TARGETS: &str = r#"
[[target]]
name = "prevalence"
metric = "prevalence"
years = 2024
observed = 0.17
se = 0.005
source = "test"
"#;

    #[test]
    fn reads_a_calibration_and_maps_scales() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "t.toml", TARGETS);
        let path = write(
            dir.path(),
            "c.toml",
            r#"
base = "builtin:baseline"
targets = "t.toml"
set = ["people=500", "weeks=52"]
replicates = 2
[abc]
particles = 20
[[parameter]]
key = "dynamics.kappa"
min = 0.05
max = 0.5
scale = "log"
"#,
        );
        let c = Calibration::load(&path).unwrap();
        assert_eq!(c.name, "c");
        assert_eq!(c.base.run.people, 500);
        assert_eq!(c.seed, c.base.run.seed);
        assert_eq!(c.settings.kept(), 10);
        let prior = c.prior();
        assert!((prior.lo[0] - 0.05f64.ln()).abs() < 1e-15);
        assert_eq!(c.values(&[0.5f64.ln()]), [0.5]);
        assert_eq!(c.hash(), c.hash());
        let value = 0.1 + 1e-17;
        assert_eq!(number(value).parse::<f64>().unwrap(), value);
        assert_eq!(number(2.0), "2.0");
    }

    #[test]
    fn integer_parameters_take_whole_numbers_with_equal_prior_mass() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "t.toml", TARGETS);
        let text = |min: &str, max: &str| {
            format!(
                r#"
base = "builtin:baseline"
targets = "t.toml"
set = ["people=500", "weeks=52"]
[[parameter]]
key = "dynamics.remission_weeks"
min = {min}
max = {max}
[[parameter]]
key = "dynamics.kappa"
min = 0.1
max = 0.5
"#
            )
        };
        let path = write(dir.path(), "c.toml", &text("4", "12"));
        let c = Calibration::load(&path).unwrap();
        let (weeks, kappa) = (&c.parameters[0], &c.parameters[1]);
        assert!(weeks.integer && !kappa.integer);
        // Each whole number from 4 to 12 is the rounding of a unit interval.
        let prior = c.prior();
        assert_eq!((prior.lo[0], prior.hi[0]), (3.5, 12.5));
        assert_eq!((prior.lo[1], prior.hi[1]), (0.1, 0.5));
        assert_eq!(c.values(&[3.5, 0.25]), [4.0, 0.25]);
        assert_eq!(c.values(&[7.49, 0.25]), [7.0, 0.25]);
        assert_eq!(c.values(&[12.5, 0.25]), [12.0, 0.25]);
        assert_eq!(weeks.set(7.0), "dynamics.remission_weeks=7");
        assert_eq!(kappa.set(0.25), "dynamics.kappa=0.25");
        // Bounds that are not whole numbers are refused, both at once.
        let path = write(dir.path(), "c.toml", &text("4.5", "12.2"));
        let Err(CalibrationError::Invalid(problems)) = Calibration::load(&path) else {
            panic!("expected problems")
        };
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            ["parameter[0].min", "parameter[0].max"],
            "{problems:?}"
        );
        assert!(
            problems[0]
                .expected
                .contains("whole number: dynamics.remission_weeks is an integer"),
            "{problems:?}"
        );
    }

    #[test]
    fn every_problem_at_once() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "t.toml", TARGETS);
        let path = write(
            dir.path(),
            "bad.toml",
            r#"
base = "builtin:baseline"
targets = "t.toml"
set = ["weeks=52", "start_year=2030"]
replicates = 0
colour = "red"
[abc]
particles = 10
alpha = 1.5
max_generations = 0
speed = 2
[[parameter]]
key = "dynamics.kapa"
min = 0.1
max = 0.3
[[parameter]]
key = "dynamics.sigma"
min = 0.5
max = 0.2
[[parameter]]
key = "dynamics.kappa"
min = 0.1
max = 2.0
[[parameter]]
key = "dynamics.theta_on"
min = -1.0
max = 0.0
scale = "log"
[[parameter]]
key = "valuation.health_discount_rate"
min = 0.0
max = 0.05
"#,
        );
        let Err(CalibrationError::Invalid(problems)) = Calibration::load(&path) else {
            panic!("expected problems")
        };
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        for expected in [
            "colour",
            "replicates",
            "abc.alpha",
            "abc.max_generations",
            "abc.speed",
            "parameter[0].key",
            "parameter[1].max",
            "parameter[2].max",
            "parameter[3].min",
            "parameter[4].key",
            "targets",
        ] {
            assert!(
                paths.contains(&expected),
                "{expected} missing from {problems:#?}"
            );
        }
        let text = CalibrationError::Invalid(problems).to_string();
        assert!(text.contains("did you mean `kappa`"), "{text}");
        assert!(
            text.contains(
                "\"valuation.health_discount_rate\": expected a model parameter, not a run setting"
            ),
            "{text}"
        );
        assert!(
            text.contains("dynamics.kappa: expected a number in (0, 1]"),
            "{text}"
        );
    }

    #[test]
    fn corners_that_break_cross_parameter_rules_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "t.toml", TARGETS);
        let path = write(
            dir.path(),
            "c.toml",
            r#"
base = "builtin:baseline"
targets = "t.toml"
[[parameter]]
key = "dynamics.theta_on"
min = 1.2
max = 1.5
[[parameter]]
key = "dynamics.theta_off"
min = 0.5
max = 1.25
"#,
        );
        let err = Calibration::load(&path).unwrap_err().to_string();
        assert!(err.contains("every corner"), "{err}");
        assert!(err.contains("theta_off"), "{err}");
    }
}
