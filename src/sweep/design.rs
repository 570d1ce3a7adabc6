//! Designs of a sweep: which parameter values make up its points.
//!
//! * `grid`: every combination of every parameter's values (a list, or a range with `steps`
//!   evenly spaced values, both ends included); the first parameter varies slowest.
//! * `lhs`: a Latin hypercube of `points` points: each parameter's range (or list) is cut into
//!   `points` equal strata, each stratum is used once, and the strata are paired at random.
//!   The draws come from the design stream of the sweep's seed, so a plan is reproducible.
//! * `csv`: the points of a CSV file whose header names the parameters' key paths.

use std::path::{Path, PathBuf};

use rand::RngExt;

use crate::rng::{Stream, StreamKey};
use crate::sweep::Problems;

/// Most points a sweep may have.
pub const MAX_POINTS: usize = 1_000_000;

/// The design of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub enum Design {
    /// Every combination of the parameters' values.
    Grid,
    /// A Latin hypercube of this many points.
    Lhs {
        /// Number of points.
        points: usize,
    },
    /// Points read from a CSV file.
    Csv {
        /// The file (resolved against the sweep file's folder).
        file: PathBuf,
        /// Its header: the parameters' key paths.
        columns: Vec<String>,
        /// Its rows: one value per column.
        rows: Vec<Vec<toml::Value>>,
    },
}

impl Design {
    /// A short description for the manifest and results, e.g. `lhs (20 points)`.
    pub fn describe(&self) -> String {
        match self {
            Design::Grid => "grid".into(),
            Design::Lhs { points } => format!("lhs ({points} points)"),
            Design::Csv { file, rows, .. } => {
                format!("csv ({}, {} points)", file.display(), rows.len())
            }
        }
    }
}

/// The values one parameter takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// These values.
    List(Vec<toml::Value>),
    /// A range `[lo, hi]` (integers when both bounds are), with `steps` values on a grid.
    Range {
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
        /// Both bounds were written as integers: values are integers.
        integer: bool,
        /// Grid values (both ends included).
        steps: Option<usize>,
    },
}

/// One swept parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    /// Its key path, e.g. `economy.unemployment_rate`.
    pub path: String,
    /// The values it takes.
    pub values: Values,
}

/// The key path, in the sweep file, of parameter `j`'s values (for messages).
pub fn value_key(design: &Design, specs: &[ParamSpec], j: usize) -> String {
    match (design, specs.get(j).map(|s| &s.values)) {
        (Design::Csv { file, .. }, _) => format!("{} column {}", file.display(), j + 1),
        (_, Some(Values::Range { .. })) => format!("parameter[{j}].range"),
        _ => format!("parameter[{j}].values"),
    }
}

/// Read the `[design]` table.
pub(crate) fn read_design(
    table: &toml::Table,
    dir: Option<&Path>,
    problems: &mut Problems,
) -> Option<Design> {
    let expected_kind = "expected \"grid\", \"lhs\" (Latin hypercube) or \"csv\"";
    let design = match table.get("design") {
        Some(toml::Value::Table(t)) => t,
        Some(other) => {
            problems.add(
                "design",
                Some(other),
                "expected a table: [design] with kind = ...",
            );
            return None;
        }
        None => {
            problems.add(
                "design",
                None,
                format!(
                    "expected a [design] table with kind = {}",
                    &expected_kind[9..]
                ),
            );
            return None;
        }
    };
    for key in design.keys() {
        if !["kind", "points", "file"].contains(&key.as_str()) {
            problems.unknown(&format!("design.{key}"), key, &["kind", "points", "file"]);
        }
    }
    let kind = match design.get("kind") {
        Some(toml::Value::String(k)) if ["grid", "lhs", "csv"].contains(&k.as_str()) => k.as_str(),
        Some(other) => {
            problems.add("design.kind", Some(other), expected_kind);
            return None;
        }
        None => {
            problems.add("design.kind", None, expected_kind);
            return None;
        }
    };
    let only = |problems: &mut Problems, key: &str, for_kind: &str| {
        if let Some(v) = design.get(key) {
            problems.add(
                &format!("design.{key}"),
                Some(v),
                format!("expected no `{key}`: it is only for kind = \"{for_kind}\""),
            );
        }
    };
    match kind {
        "grid" => {
            only(problems, "points", "lhs");
            only(problems, "file", "csv");
            Some(Design::Grid)
        }
        "lhs" => {
            only(problems, "file", "csv");
            match design.get("points") {
                Some(toml::Value::Integer(n)) if *n >= 1 && (*n as usize) <= MAX_POINTS => {
                    Some(Design::Lhs {
                        points: *n as usize,
                    })
                }
                other => {
                    problems.add(
                        "design.points",
                        other,
                        format!("expected the number of points, an integer in [1, {MAX_POINTS}]"),
                    );
                    None
                }
            }
        }
        _ => {
            only(problems, "points", "lhs");
            let Some(name) = design.get("file").and_then(toml::Value::as_str) else {
                problems.add(
                    "design.file",
                    design.get("file"),
                    "expected the CSV file of points (relative to the sweep file)",
                );
                return None;
            };
            let file = dir.map_or_else(|| PathBuf::from(name), |d| d.join(name));
            read_csv(&file, problems)
        }
    }
}

/// Parse one CSV cell as a TOML value (a number, boolean, string in quotes or list); a bare
/// word is taken as a string.
fn cell_value(cell: &str) -> Option<toml::Value> {
    let cell = cell.trim();
    if cell.is_empty() {
        return None;
    }
    Some(
        format!("v = {cell}")
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(cell.to_string())),
    )
}

fn read_csv(file: &Path, problems: &mut Problems) -> Option<Design> {
    let shown = toml::Value::String(file.display().to_string());
    let mut reader = match csv::Reader::from_path(file) {
        Ok(r) => r,
        Err(e) => {
            problems.add(
                "design.file",
                Some(&shown),
                format!("expected a readable CSV file: {e}"),
            );
            return None;
        }
    };
    let columns: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => {
            problems.add(
                "design.file",
                Some(&shown),
                format!("expected a CSV header: {e}"),
            );
            return None;
        }
    };
    if columns.is_empty() || columns.iter().any(String::is_empty) {
        problems.add(
            "design.file",
            Some(&shown),
            "expected a header naming a parameter key path in every column",
        );
        return None;
    }
    let mut rows = Vec::new();
    let before = problems.list.len();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        match record {
            Err(e) => problems.add_text(
                &format!("{} line {line}", file.display()),
                None,
                format!("expected {} cells: {e}", columns.len()),
            ),
            Ok(record) => {
                let mut row = Vec::new();
                for (j, cell) in record.iter().enumerate() {
                    match cell_value(cell) {
                        Some(v) => row.push(v),
                        None => problems.add_text(
                            &format!("{} line {line} column {}", file.display(), j + 1),
                            Some(String::new()),
                            format!("expected a value for {}", columns[j]),
                        ),
                    }
                }
                rows.push(row);
            }
        }
    }
    if rows.is_empty() && problems.list.len() == before {
        problems.add(
            "design.file",
            Some(&shown),
            "expected at least one row of values",
        );
    }
    if rows.len() > MAX_POINTS {
        problems.add(
            "design.file",
            Some(&shown),
            format!("expected at most {MAX_POINTS} rows"),
        );
    }
    (problems.list.len() == before).then_some(Design::Csv {
        file: file.to_path_buf(),
        columns,
        rows,
    })
}

/// Read the `[[parameter]]` tables.
pub(crate) fn read_parameters(
    table: &toml::Table,
    design: &Option<Design>,
    problems: &mut Problems,
) -> Vec<ParamSpec> {
    const KEYS: &[&str] = &["path", "values", "range", "steps"];
    let items = match (table.get("parameter"), design) {
        (Some(v), Some(Design::Csv { .. })) => {
            problems.add(
                "parameter",
                Some(v),
                "expected no [[parameter]] tables with design.kind = \"csv\" (the CSV header names the parameters)",
            );
            return Vec::new();
        }
        (None, Some(Design::Csv { .. })) => return Vec::new(),
        (None, _) => {
            problems.add(
                "parameter",
                None,
                "expected at least one [[parameter]] table with a path and values or a range",
            );
            return Vec::new();
        }
        (Some(toml::Value::Array(items)), _) if !items.is_empty() => items,
        (Some(other), _) => {
            problems.add(
                "parameter",
                Some(other),
                "expected [[parameter]] tables with a path and values or a range",
            );
            return Vec::new();
        }
    };
    let grid = matches!(design, Some(Design::Grid));
    let mut specs = Vec::new();
    for (j, item) in items.iter().enumerate() {
        let at = |key: &str| format!("parameter[{j}].{key}");
        let Some(t) = item.as_table() else {
            problems.add(&format!("parameter[{j}]"), Some(item), "expected a table");
            continue;
        };
        for key in t.keys() {
            if !KEYS.contains(&key.as_str()) {
                problems.unknown(&at(key), key, KEYS);
            }
        }
        let path = match t.get("path") {
            Some(toml::Value::String(p)) if !p.is_empty() => Some(p.clone()),
            other => {
                problems.add(
                    &at("path"),
                    other,
                    "expected the parameter's key path, e.g. \"economy.unemployment_rate\"",
                );
                None
            }
        };
        let steps = match t.get("steps") {
            None => None,
            Some(toml::Value::Integer(n)) if *n >= 2 && (*n as usize) <= MAX_POINTS => {
                Some(*n as usize)
            }
            Some(other) => {
                problems.add(&at("steps"), Some(other), "expected an integer >= 2");
                None
            }
        };
        let values = match (t.get("values"), t.get("range")) {
            (Some(_), Some(_)) | (None, None) => {
                problems.add(
                    &format!("parameter[{j}]"),
                    None,
                    "expected either `values = [...]` or `range = [low, high]`",
                );
                None
            }
            (Some(v), None) => {
                if let Some(s) = t.get("steps") {
                    problems.add(
                        &at("steps"),
                        Some(s),
                        "expected no `steps` with a list of values",
                    );
                }
                match v {
                    toml::Value::Array(list) if !list.is_empty() => {
                        Some(Values::List(list.clone()))
                    }
                    toml::Value::Array(_) => {
                        problems.add(
                            &at("values"),
                            Some(v),
                            "expected a non-empty list of values",
                        );
                        None
                    }
                    other => {
                        problems.add(&at("values"), Some(other), "expected a list of values");
                        None
                    }
                }
            }
            (None, Some(r)) => read_range(r, steps, grid, design, &at, problems),
        };
        if let (Some(path), Some(values)) = (path, values) {
            specs.push(ParamSpec { path, values });
        }
    }
    specs
}

fn read_range(
    r: &toml::Value,
    steps: Option<usize>,
    grid: bool,
    design: &Option<Design>,
    at: &dyn Fn(&str) -> String,
    problems: &mut Problems,
) -> Option<Values> {
    let bounds = match r.as_array().map(Vec::as_slice) {
        Some([lo, hi]) => match (lo, hi) {
            (toml::Value::Integer(a), toml::Value::Integer(b)) => {
                Some((*a as f64, *b as f64, true))
            }
            _ => match (
                lo.as_float().or(lo.as_integer().map(|i| i as f64)),
                hi.as_float().or(hi.as_integer().map(|i| i as f64)),
            ) {
                (Some(a), Some(b)) if a.is_finite() && b.is_finite() => Some((a, b, false)),
                _ => None,
            },
        },
        _ => None,
    };
    let Some((lo, hi, integer)) = bounds else {
        problems.add(
            &at("range"),
            Some(r),
            "expected [low, high], two finite numbers",
        );
        return None;
    };
    if lo == hi {
        problems.add(
            &at("range"),
            Some(r),
            "expected low < high (the range is empty; use `values = [x]` for a single value)",
        );
        return None;
    }
    if lo > hi {
        problems.add(
            &at("range"),
            Some(r),
            "expected low < high (the bounds are reversed)",
        );
        return None;
    }
    match (grid, steps) {
        (true, None) => {
            problems.add(
                &at("steps"),
                None,
                "expected the number of grid values in the range (an integer >= 2)",
            );
            return None;
        }
        (true, Some(n)) if integer && n as f64 > hi - lo + 1.0 => {
            problems.add(
                &at("steps"),
                Some(&toml::Value::Integer(n as i64)),
                format!(
                    "expected at most {} steps for the integer range",
                    hi - lo + 1.0
                ),
            );
            return None;
        }
        (false, Some(n)) if design.is_some() => {
            problems.add(
                &at("steps"),
                Some(&toml::Value::Integer(n as i64)),
                "expected no `steps`: they are only for design.kind = \"grid\"",
            );
            return None;
        }
        _ => {}
    }
    Some(Values::Range {
        lo,
        hi,
        integer,
        steps,
    })
}

/// A value at position `t` in [0, 1] of a range.
fn in_range(lo: f64, hi: f64, integer: bool, t: f64) -> toml::Value {
    if integer {
        toml::Value::Integer((lo + t * (hi - lo)).round() as i64)
    } else {
        // Written so that t = 0 and t = 1 give the bounds exactly.
        toml::Value::Float(lo * (1.0 - t) + hi * t)
    }
}

/// The grid values of one parameter.
fn grid_values(values: &Values) -> Vec<toml::Value> {
    match values {
        Values::List(list) => list.clone(),
        Values::Range {
            lo,
            hi,
            integer,
            steps,
        } => {
            let n = steps.unwrap_or(2);
            (0..n)
                .map(|k| in_range(*lo, *hi, *integer, k as f64 / (n - 1) as f64))
                .collect()
        }
    }
}

/// The seed of point `point` when every point has its own.
pub fn point_seed(seed: u64, point: u64) -> u64 {
    StreamKey::new(seed, point, Stream::Design)
        .derive(1)
        .sequential()
        .random::<u64>()
        >> 1
}

/// Expand a design into points (one value per parameter each).
pub(crate) fn expand(
    design: &Design,
    specs: &[ParamSpec],
    seed: u64,
    problems: &mut Problems,
) -> Vec<Vec<toml::Value>> {
    match design {
        Design::Csv { rows, .. } => rows.clone(),
        Design::Grid => {
            let axes: Vec<Vec<toml::Value>> =
                specs.iter().map(|s| grid_values(&s.values)).collect();
            let total = axes
                .iter()
                .try_fold(1usize, |acc, a| acc.checked_mul(a.len()))
                .filter(|&n| n <= MAX_POINTS);
            let Some(total) = total else {
                problems.add_text(
                    "parameter",
                    None,
                    format!("expected a grid of at most {MAX_POINTS} points"),
                );
                return Vec::new();
            };
            (0..total)
                .map(|mut i| {
                    // The last parameter varies fastest.
                    let mut point = vec![toml::Value::Integer(0); axes.len()];
                    for (j, axis) in axes.iter().enumerate().rev() {
                        point[j] = axis[i % axis.len()].clone();
                        i /= axis.len();
                    }
                    point
                })
                .collect()
        }
        Design::Lhs { points } => {
            let n = *points;
            let key = StreamKey::new(seed, 0, Stream::Design);
            let columns: Vec<Vec<toml::Value>> = specs
                .iter()
                .enumerate()
                .map(|(j, spec)| {
                    let mut rng = key.derive(2 + j as u64).sequential();
                    // A random permutation of the strata (Fisher-Yates), then a uniform
                    // position within each stratum.
                    let mut strata: Vec<usize> = (0..n).collect();
                    for i in (1..n).rev() {
                        let k = rng.random_range(0..=i);
                        strata.swap(i, k);
                    }
                    strata
                        .iter()
                        .map(|&s| {
                            let u = (s as f64 + rng.random::<f64>()) / n as f64;
                            lhs_value(&spec.values, u)
                        })
                        .collect()
                })
                .collect();
            (0..n)
                .map(|i| columns.iter().map(|c| c[i].clone()).collect())
                .collect()
        }
    }
}

/// The value at uniform position `u` in [0, 1) of a parameter's values.
fn lhs_value(values: &Values, u: f64) -> toml::Value {
    match values {
        Values::List(list) => list[((u * list.len() as f64) as usize).min(list.len() - 1)].clone(),
        Values::Range {
            lo, hi, integer, ..
        } => {
            if *integer {
                let width = hi - lo + 1.0;
                toml::Value::Integer((lo + (u * width).floor()).min(*hi) as i64)
            } else {
                toml::Value::Float(lo + u * (hi - lo))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems() -> Problems<'static> {
        Problems {
            file: "t.toml",
            list: Vec::new(),
        }
    }

    fn range(lo: f64, hi: f64) -> ParamSpec {
        ParamSpec {
            path: "x".into(),
            values: Values::Range {
                lo,
                hi,
                integer: false,
                steps: Some(3),
            },
        }
    }

    #[test]
    fn grids_combine_every_value_first_parameter_slowest() {
        let specs = [
            range(0.0, 1.0),
            ParamSpec {
                path: "y".into(),
                values: Values::List(vec![toml::Value::Integer(7), toml::Value::Integer(8)]),
            },
        ];
        let points = expand(&Design::Grid, &specs, 1, &mut problems());
        let flat: Vec<String> = points
            .iter()
            .map(|p| format!("{} {}", p[0], p[1]))
            .collect();
        assert_eq!(flat, ["0.0 7", "0.0 8", "0.5 7", "0.5 8", "1.0 7", "1.0 8"]);
    }

    #[test]
    fn latin_hypercubes_use_every_stratum_once_and_are_reproducible() {
        let specs = [range(0.0, 10.0), range(-1.0, 1.0)];
        let design = Design::Lhs { points: 10 };
        let points = expand(&design, &specs, 42, &mut problems());
        assert_eq!(points, expand(&design, &specs, 42, &mut problems()));
        assert_ne!(points, expand(&design, &specs, 43, &mut problems()));
        for (j, (lo, hi)) in [(0.0, 10.0), (-1.0, 1.0)].into_iter().enumerate() {
            let mut strata: Vec<usize> = points
                .iter()
                .map(|p| {
                    let v = p[j].as_float().unwrap();
                    assert!((lo..hi).contains(&v));
                    ((v - lo) / (hi - lo) * 10.0) as usize
                })
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
    }

    #[test]
    fn per_point_seeds_differ_and_are_valid_seeds() {
        let a = point_seed(5, 0);
        assert_eq!(a, point_seed(5, 0));
        assert_ne!(a, point_seed(5, 1));
        assert_ne!(a, point_seed(6, 0));
        assert!(a <= i64::MAX as u64);
    }
}
