//! Scenario files: reading, `extends` chains, `--set` overrides and validation.
//!
//! Two stages. First every file of the `extends` chain is parsed as TOML and merged into one
//! table, remembering which file (or `--set`) each key came from. Then the merged table is read
//! against the parameter declarations of [`crate::params`](mod@crate::params), which reports every unknown key,
//! wrong type and out-of-range value at once, followed by checks that involve several
//! parameters. Only a fully valid table becomes a [`Scenario`], the immutable value the
//! simulation sees.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::ScenarioError;
use crate::params::{
    DeterminantParams, DynamicsParams, EconomyParams, LifeParams, MeasureParams, NetworkParams,
    PopulationParams, Reader, RunParams, Section, ServiceParams, SuicideParams, ValuationParams,
};
use crate::policy::PolicySpec;

/// The built-in baseline scenario (an England-like town), identical to `scenarios/baseline.toml`.
pub const BUILTIN_BASELINE: &str = include_str!("../../scenarios/baseline.toml");

/// Label used in messages for the built-in baseline.
pub const BUILTIN_LABEL: &str = "<built-in baseline>";

/// A validated scenario: every parameter of the model, immutable.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Run settings (name, people, weeks, seed, replicates).
    pub run: RunParams,
    /// Population synthesis.
    pub population: PopulationParams,
    /// Network layers.
    pub network: NetworkParams,
    /// Work, income and debt.
    pub economy: EconomyParams,
    /// Life events and loneliness.
    pub life: LifeParams,
    /// Social determinants.
    pub determinants: DeterminantParams,
    /// Mental-health dynamics.
    pub dynamics: DynamicsParams,
    /// Suicide.
    pub suicide: SuicideParams,
    /// Links to survey measures.
    pub measures: MeasureParams,
    /// Services, capacities and unit costs.
    pub services: ServiceParams,
    /// Valuing outcomes (QALYs, WELLBYs).
    pub valuation: ValuationParams,
    /// Shocks, then policies, in the order declared.
    pub policies: Vec<PolicySpec>,
    /// Where the scenario came from (file path or the built-in label).
    pub origin: String,
    /// The top scenario file as written (for provenance).
    pub source_text: String,
}

impl Default for Scenario {
    /// The built-in baseline.
    fn default() -> Self {
        Scenario::from_str(BUILTIN_BASELINE, BUILTIN_LABEL, None, &[])
            .expect("built-in baseline is valid")
    }
}

impl Scenario {
    /// Load a scenario file (or the built-in baseline when `path` is `None`) and apply
    /// `--set key.path=value` overrides.
    pub fn load(path: Option<&Path>, sets: &[String]) -> Result<Scenario, ScenarioError> {
        match path {
            None => Scenario::from_str(BUILTIN_BASELINE, BUILTIN_LABEL, None, sets),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
                Scenario::from_str(&text, &path.display().to_string(), path.parent(), sets)
            }
        }
    }

    /// Read a scenario from text. `label` names it in messages; `dir` resolves `extends`.
    pub fn from_str(
        text: &str,
        label: &str,
        dir: Option<&Path>,
        sets: &[String],
    ) -> Result<Scenario, ScenarioError> {
        let mut merged = Merged::default();
        let mut chain = Vec::new();
        load_chain(text, label, dir, &mut merged, &mut chain)?;
        for arg in sets {
            let (key, value) = parse_set(arg)?;
            merged
                .insert_path(&key, value, "--set")
                .map_err(|p| ScenarioError::Invalid(vec![p]))?;
        }
        let mut scenario = read_table(&merged, label)?;
        scenario.source_text = text.to_string();
        Ok(scenario)
    }

    /// The complete scenario, every parameter included, as TOML text.
    pub fn resolved_toml(&self) -> String {
        let mut root = self.run.to_table();
        root.insert("population".into(), self.population.to_table().into());
        root.insert("network".into(), self.network.to_table().into());
        root.insert("economy".into(), self.economy.to_table().into());
        root.insert("life".into(), self.life.to_table().into());
        root.insert("determinants".into(), self.determinants.to_table().into());
        root.insert("dynamics".into(), self.dynamics.to_table().into());
        root.insert("suicide".into(), self.suicide.to_table().into());
        root.insert("measures".into(), self.measures.to_table().into());
        root.insert("services".into(), self.services.to_table().into());
        root.insert("valuation".into(), self.valuation.to_table().into());
        for family in crate::policy::FAMILIES {
            let list: Vec<toml::Value> = self
                .policies
                .iter()
                .filter(|p| p.family == family)
                .map(|p| p.to_table().into())
                .collect();
            if !list.is_empty() {
                root.insert(family.list().into(), list.into());
            }
        }
        toml::to_string(&root).expect("a TOML table serialises")
    }

    /// Total weeks simulated per replicate, burn-in included.
    pub fn total_weeks(&self) -> u32 {
        self.run.burn_in_weeks + self.run.weeks
    }
}

/// A merged TOML table and the file each key path came from.
#[derive(Default)]
struct Merged {
    table: toml::Table,
    origin: BTreeMap<String, String>,
}

impl Merged {
    /// Merge `over` into the table; keys in `over` win. Records `file` as their origin.
    fn merge(&mut self, over: toml::Table, file: &str) {
        fn go(
            into: &mut toml::Table,
            over: toml::Table,
            prefix: &str,
            file: &str,
            origin: &mut BTreeMap<String, String>,
        ) {
            for (key, value) in over {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                match (into.get_mut(&key), value) {
                    (Some(toml::Value::Table(existing)), toml::Value::Table(sub)) => {
                        go(existing, sub, &path, file, origin);
                    }
                    // Shocks and policies accumulate along an `extends` chain.
                    (Some(toml::Value::Array(existing)), toml::Value::Array(more))
                        if prefix.is_empty() && is_list(&key) =>
                    {
                        for item in more {
                            let at = format!("{key}[{}]", existing.len());
                            record_origins(&item, &at, file, origin);
                            existing.push(item);
                        }
                    }
                    (None, toml::Value::Array(items)) if prefix.is_empty() && is_list(&key) => {
                        for (i, item) in items.iter().enumerate() {
                            record_origins(item, &format!("{key}[{i}]"), file, origin);
                        }
                        into.insert(key, toml::Value::Array(items));
                    }
                    (_, value) => {
                        origin.retain(|k, _| !(k == &path || k.starts_with(&format!("{path}."))));
                        record_origins(&value, &path, file, origin);
                        into.insert(key, value);
                    }
                }
            }
        }
        fn record_origins(
            value: &toml::Value,
            path: &str,
            file: &str,
            origin: &mut BTreeMap<String, String>,
        ) {
            origin.insert(path.to_string(), file.to_string());
            if let toml::Value::Table(t) = value {
                for (k, v) in t {
                    record_origins(v, &format!("{path}.{k}"), file, origin);
                }
            }
        }
        go(&mut self.table, over, "", file, &mut self.origin);
    }

    /// Set `a.b.c = value`, creating tables on the way. `policy.N.key` (or `policy[N].key`)
    /// sets a key of the N-th policy (likewise for `shock`).
    fn insert_path(
        &mut self,
        key: &str,
        value: toml::Value,
        file: &str,
    ) -> Result<(), crate::params::Problem> {
        if let Some((list, index, rest)) = list_path(key) {
            let count = self
                .table
                .get(list)
                .and_then(|v| v.as_array())
                .map_or(0, |a| a.len());
            let element = self
                .table
                .get_mut(list)
                .and_then(|v| v.as_array_mut())
                .and_then(|a| a.get_mut(index))
                .and_then(|v| v.as_table_mut());
            let Some(element) = element else {
                return Err(crate::params::Problem {
                    file: file.to_string(),
                    path: format!("{list}[{index}]"),
                    value: None,
                    expected: format!(
                        "no such {list}: the scenario declares {count} (numbered from 0)"
                    ),
                });
            };
            let mut node = element;
            let parts: Vec<&str> = rest.split('.').collect();
            for part in &parts[..parts.len() - 1] {
                let entry = node
                    .entry(part.to_string())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                if !entry.is_table() {
                    *entry = toml::Value::Table(toml::Table::new());
                }
                node = entry.as_table_mut().expect("just made a table");
            }
            node.insert(parts[parts.len() - 1].to_string(), value);
            self.origin
                .insert(format!("{list}[{index}].{rest}"), file.to_string());
            return Ok(());
        }
        let mut over = toml::Table::new();
        let parts: Vec<&str> = key.split('.').collect();
        let mut leaf = value;
        for part in parts.iter().skip(1).rev() {
            let mut t = toml::Table::new();
            t.insert((*part).to_string(), leaf);
            leaf = toml::Value::Table(t);
        }
        over.insert(parts[0].to_string(), leaf);
        self.merge(over, file);
        Ok(())
    }

    /// The file a key path came from: the longest recorded prefix, else `fallback`.
    fn origin_of(&self, path: &str, fallback: &str) -> String {
        let mut probe = path;
        loop {
            if let Some(file) = self.origin.get(probe) {
                return file.clone();
            }
            match probe.rfind('.') {
                Some(i) => probe = &probe[..i],
                None => return fallback.to_string(),
            }
        }
    }
}

/// Whether a top-level key is a list of shocks or policies.
fn is_list(key: &str) -> bool {
    crate::policy::FAMILIES.iter().any(|f| f.list() == key)
}

/// Split `policy.2.rest` or `policy[2].rest` into ("policy", 2, "rest").
fn list_path(key: &str) -> Option<(&'static str, usize, &str)> {
    for family in crate::policy::FAMILIES {
        let list = family.list();
        let Some(after) = key.strip_prefix(list) else {
            continue;
        };
        let (index, rest) = if let Some(a) = after.strip_prefix('[') {
            let (i, r) = a.split_once(']')?;
            (i, r.strip_prefix('.')?)
        } else {
            after.strip_prefix('.')?.split_once('.')?
        };
        return Some((list, index.parse().ok()?, rest));
    }
    None
}

fn load_chain(
    text: &str,
    label: &str,
    dir: Option<&Path>,
    merged: &mut Merged,
    chain: &mut Vec<String>,
) -> Result<(), ScenarioError> {
    // Files are compared by canonical path, so `a/../a/x.toml` and `./x.toml` are recognised.
    let identity = |l: &str| {
        std::fs::canonicalize(l).map_or_else(|_| l.to_string(), |p| p.display().to_string())
    };
    let me = identity(label);
    if chain.iter().any(|c| identity(c) == me) {
        chain.push(label.to_string());
        return Err(ScenarioError::ExtendsCycle {
            file: label.to_string(),
            chain: chain.join(" -> "),
        });
    }
    chain.push(label.to_string());
    let mut table = parse_toml(text, label)?;
    if let Some(parent) = table.remove("extends") {
        let Some(name) = parent.as_str() else {
            return Err(ScenarioError::Invalid(vec![crate::params::Problem {
                file: label.to_string(),
                path: "extends".into(),
                value: Some(crate::params::render_value(&parent)),
                expected: "expected a file name (string), e.g. \"baseline.toml\"".into(),
            }]));
        };
        if name == "builtin:baseline" {
            load_chain(BUILTIN_BASELINE, BUILTIN_LABEL, None, merged, chain)?;
        } else {
            let path: PathBuf = dir.map_or_else(|| PathBuf::from(name), |d| d.join(name));
            let parent_text =
                std::fs::read_to_string(&path).map_err(|source| ScenarioError::Io {
                    path: path.clone(),
                    source,
                })?;
            load_chain(
                &parent_text,
                &path.display().to_string(),
                path.parent(),
                merged,
                chain,
            )?;
        }
    }
    merged.merge(table, label);
    Ok(())
}

fn parse_toml(text: &str, label: &str) -> Result<toml::Table, ScenarioError> {
    text.parse::<toml::Table>().map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start).min(text.len());
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ScenarioError::Syntax {
            file: label.to_string(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })
}

fn parse_set(arg: &str) -> Result<(String, toml::Value), ScenarioError> {
    let Some((key, raw)) = arg.split_once('=') else {
        return Err(ScenarioError::BadSet {
            arg: arg.to_string(),
        });
    };
    let key = key.trim();
    if key.is_empty() || key.split('.').any(|p| p.is_empty()) {
        return Err(ScenarioError::BadSet {
            arg: arg.to_string(),
        });
    }
    // Parse the value as TOML; a bare word is taken as a string.
    let value = format!("v = {}", raw.trim())
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.trim().to_string()));
    Ok((key.to_string(), value))
}

fn read_table(merged: &Merged, label: &str) -> Result<Scenario, ScenarioError> {
    let origin = |path: &str| merged.origin_of(path, label);
    let mut reader = Reader::new(&origin);
    let mut run = RunParams::default();
    let mut population = PopulationParams::default();
    let mut network = NetworkParams::default();
    let mut economy = EconomyParams::default();
    let mut life = LifeParams::default();
    let mut determinants = DeterminantParams::default();
    let mut dynamics = DynamicsParams::default();
    let mut suicide = SuicideParams::default();
    let mut measures = MeasureParams::default();
    let mut services = ServiceParams::default();
    let mut valuation = ValuationParams::default();

    const SECTIONS: &[&str] = &[
        "population",
        "network",
        "economy",
        "life",
        "determinants",
        "dynamics",
        "suicide",
        "measures",
        "services",
        "valuation",
    ];
    let mut top = toml::Table::new();
    for (key, value) in &merged.table {
        match (key.as_str(), value) {
            (name, toml::Value::Table(t)) if SECTIONS.contains(&name) => match name {
                "population" => population.read(t, name, &mut reader),
                "network" => network.read(t, name, &mut reader),
                "economy" => economy.read(t, name, &mut reader),
                "life" => life.read(t, name, &mut reader),
                "determinants" => determinants.read(t, name, &mut reader),
                "dynamics" => dynamics.read(t, name, &mut reader),
                "suicide" => suicide.read(t, name, &mut reader),
                "services" => services.read(t, name, &mut reader),
                "valuation" => valuation.read(t, name, &mut reader),
                _ => measures.read(t, name, &mut reader),
            },
            (name, value) if SECTIONS.contains(&name) => {
                reader.problem(name, Some(value), "expected a table (a [section])");
            }
            (name, toml::Value::Table(_)) => {
                let known: Vec<&str> = SECTIONS.to_vec();
                reader.unknown(name, name, &known);
            }
            (name, _) if is_list(name) => {}
            _ => {
                top.insert(key.clone(), value.clone());
            }
        }
    }
    run.read(&top, "", &mut reader);
    let policies = crate::policy::read_policies(&merged.table, run.weeks, &mut reader);

    // Checks that involve more than one parameter.
    if dynamics.theta_off >= dynamics.theta_on {
        reader.problem(
            "dynamics.theta_off",
            Some(&toml::Value::Float(dynamics.theta_off)),
            format!(
                "expected a number below dynamics.theta_on ({})",
                dynamics.theta_on
            ),
        );
    }
    if dynamics.theta_depressive <= dynamics.theta_on {
        reader.problem(
            "dynamics.theta_depressive",
            Some(&toml::Value::Float(dynamics.theta_depressive)),
            format!(
                "expected a number above dynamics.theta_on ({})",
                dynamics.theta_on
            ),
        );
    }
    let mut at_most = |low: (&str, u32), high: (&str, u32)| {
        if low.1 > high.1 {
            let expected = format!("expected at most {} ({})", high.0, high.1);
            reader.problem(low.0, Some(&toml::Value::Integer(low.1.into())), expected);
        }
    };
    at_most(
        ("network.team_size_min", network.team_size_min),
        ("network.team_size_max", network.team_size_max),
    );
    at_most(
        ("network.online_degree_min", network.online_degree_min),
        ("network.online_degree_max", network.online_degree_max),
    );
    at_most(
        ("population.mother_age_min", population.mother_age_min),
        ("population.mother_age_max", population.mother_age_max),
    );
    at_most(
        (
            "population.leave_home_min_age",
            population.leave_home_min_age,
        ),
        (
            "population.leave_home_max_age",
            population.leave_home_max_age,
        ),
    );

    if !reader.problems.is_empty() {
        return Err(ScenarioError::Invalid(reader.problems));
    }
    Ok(Scenario {
        run,
        population,
        network,
        economy,
        life,
        determinants,
        dynamics,
        suicide,
        measures,
        services,
        valuation,
        policies,
        origin: label.to_string(),
        source_text: String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_baseline_is_valid() {
        let s = Scenario::default();
        assert_eq!(s.run.name, "baseline");
    }

    #[test]
    fn reports_every_problem_at_once() {
        let text = "people = \"many\"\n[dynamics]\nkappa = -0.2\nkapa = 1\n[nonsense]\nx = 1\n";
        let err = Scenario::from_str(text, "x.toml", None, &[]).unwrap_err();
        let ScenarioError::Invalid(problems) = err else {
            panic!("expected Invalid")
        };
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            messages.contains(
                &"x.toml: dynamics.kappa = -0.2: expected a number in (0, 1]".to_string()
            )
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("dynamics.kapa") && m.contains("did you mean `kappa`"))
        );
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("x.toml: people = \"many\": expected an integer"))
        );
        assert!(messages.iter().any(|m| m.contains("nonsense")));
        assert_eq!(problems.len(), 4, "{messages:?}");
    }

    #[test]
    fn ordered_pairs_are_checked() {
        let sets = [
            "population.mother_age_min=50".to_string(),
            "population.mother_age_max=30".to_string(),
        ];
        let err = Scenario::from_str("", "x.toml", None, &sets).unwrap_err();
        assert!(
            err.to_string().contains("--set: population.mother_age_min = 50: expected at most population.mother_age_max (30)"),
            "{err}"
        );
    }

    #[test]
    fn set_overrides_and_is_validated() {
        let s = Scenario::from_str("", "x.toml", None, &["dynamics.kappa=0.3".into()]).unwrap();
        assert_eq!(s.dynamics.kappa, 0.3);
        let err = Scenario::from_str("", "x.toml", None, &["dynamics.kappa=2".into()]).unwrap_err();
        assert!(
            err.to_string()
                .contains("--set: dynamics.kappa = 2: expected a number in (0, 1]"),
            "{err}"
        );
    }
}
