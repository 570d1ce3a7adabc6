//! Scenario input errors: every kind of mistake gives its own message naming the file and the
//! key, all problems are reported at once, `extends` chains and `--set` attribute problems to
//! the right place, invalid input writes nothing, and the shipped scenarios are valid.

use std::path::Path;

use mhsim::Scenario;
use mhsim::error::ScenarioError;
use mhsim::params::{DynamicsParams, Problem, Section};

use crate::common::{assert_success, data, manifest_dir, run_mhsim, stderr, stdout};

/// The problems of an `Invalid` error, as displayed; panics on any other outcome.
fn problems(result: Result<Scenario, ScenarioError>) -> Vec<String> {
    match result {
        Err(ScenarioError::Invalid(problems)) => problems.iter().map(Problem::to_string).collect(),
        Err(other) => panic!("expected ScenarioError::Invalid, got {other:?}"),
        Ok(_) => panic!("expected ScenarioError::Invalid, got a valid scenario"),
    }
}

fn load(path: &Path, sets: &[&str]) -> Result<Scenario, ScenarioError> {
    let sets: Vec<String> = sets.iter().map(|s| (*s).to_string()).collect();
    Scenario::load(Some(path), &sets)
}

fn assert_has(messages: &[String], expected: &str) {
    assert!(
        messages.iter().any(|m| m == expected),
        "missing message:\n  {expected}\nin:\n  {}",
        messages.join("\n  ")
    );
}

#[test]
fn every_problem_in_a_file_is_reported_at_once_with_file_and_key() {
    let path = data("invalid.toml");
    let file = path.display().to_string();
    let messages = problems(load(&path, &[]));
    let dynamics_keys: Vec<&str> = DynamicsParams::meta().iter().map(|m| m.name).collect();

    assert_has(
        &messages,
        &format!("{file}: people = \"many\": expected an integer in [100, 50000000]"),
    );
    assert_has(
        &messages,
        &format!("{file}: weeks = 0: expected an integer in [1, 5200]"),
    );
    assert_has(
        &messages,
        &format!(
            "{file}: population.household_size_shares = [0.5, 0.5]: expected a list of 6 non-negative numbers summing to 1"
        ),
    );
    assert_has(
        &messages,
        &format!(
            "{file}: population.ethnicity_shares = [0.5, 0.2, 0.2, 0.1, 0.1]: expected a list of 5 non-negative numbers summing to 1"
        ),
    );
    assert_has(
        &messages,
        &format!(
            "{file}: dynamics.kapa: unknown key (did you mean `kappa`?); expected one of: {}",
            dynamics_keys.join(", ")
        ),
    );
    assert_has(
        &messages,
        &format!(
            "{file}: dynamics.theta_off = 0.8: expected a number below dynamics.theta_on (0.5)"
        ),
    );
    assert_has(
        &messages,
        &format!(
            "{file}: dynamics.theta_depressive = 0.4: expected a number above dynamics.theta_on (0.5)"
        ),
    );
    assert_has(
        &messages,
        &format!(
            "{file}: netwrk: unknown key (did you mean `network`?); expected one of: population, network, economy, life, determinants, dynamics, suicide, measures, services, valuation"
        ),
    );
    assert_eq!(messages.len(), 8, "{messages:#?}");

    // The error as a whole counts the problems and lists each on its own line.
    let text = load(&path, &[]).unwrap_err().to_string();
    assert!(text.starts_with("8 problems in the scenario:\n"), "{text}");
    assert_eq!(text.lines().count(), 9, "{text}");
}

#[test]
fn a_single_problem_is_counted_in_the_singular() {
    let err = Scenario::from_str("[dynamics]\nkappa = 0\n", "one.toml", None, &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "1 problem in the scenario:\n  one.toml: dynamics.kappa = 0: expected a number in (0, 1]"
    );
}

#[test]
fn a_section_given_as_a_value_is_reported() {
    let messages = problems(Scenario::from_str("dynamics = 3\n", "s.toml", None, &[]));
    assert_eq!(
        messages,
        ["s.toml: dynamics = 3: expected a table (a [section])"]
    );
}

#[test]
fn other_cross_field_checks_are_reported() {
    let text = "[network]\nteam_size_min = 30\nteam_size_max = 10\nonline_degree_min = 9\nonline_degree_max = 3\n";
    let messages = problems(Scenario::from_str(text, "c.toml", None, &[]));
    assert_has(
        &messages,
        "c.toml: network.team_size_min = 30: expected at most network.team_size_max (10)",
    );
    assert_has(
        &messages,
        "c.toml: network.online_degree_min = 9: expected at most network.online_degree_max (3)",
    );
    assert_eq!(messages.len(), 2, "{messages:#?}");
}

#[test]
fn malformed_toml_gives_file_line_and_column() {
    let path = data("malformed.toml");
    match load(&path, &[]) {
        Err(ScenarioError::Syntax {
            file,
            line,
            column,
            message,
        }) => {
            assert_eq!(file, path.display().to_string());
            // `kappa = = 0.2` on line 5: the second `=` is in column 9.
            assert_eq!((line, column), (5, 9), "{message}");
            assert!(!message.is_empty());
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    let text = load(&path, &[]).unwrap_err().to_string();
    assert!(
        text.starts_with(&format!("{}:5:9: invalid TOML: ", path.display())),
        "{text}"
    );
}

#[test]
fn syntax_error_on_the_first_line_is_line_one() {
    let err = Scenario::from_str("people = \n", "first.toml", None, &[]).unwrap_err();
    let ScenarioError::Syntax { line, column, .. } = err else {
        panic!("expected a syntax error, got {err:?}")
    };
    assert_eq!(line, 1);
    assert!(column >= 9, "column {column} is before the missing value");
}

#[test]
fn child_overrides_its_parent_and_inherits_the_rest() {
    let child = load(&data("child.toml"), &[]).expect("child.toml is valid");
    assert_eq!(child.run.name, "child");
    assert_eq!(child.dynamics.kappa, 0.3, "the child's kappa wins");
    assert_eq!(child.dynamics.sigma, 0.5, "sigma comes from the parent");
    assert_eq!(
        (child.run.people, child.run.weeks, child.run.seed),
        (800, 20, 7)
    );
    // A default untouched by either file.
    assert_eq!(child.dynamics.theta_on, DynamicsParams::default().theta_on);
}

#[test]
fn extends_is_resolved_relative_to_the_extending_file() {
    // nested/grandchild.toml -> ../child.toml -> parent.toml
    let grandchild = load(&data("nested/grandchild.toml"), &[]).expect("grandchild.toml is valid");
    assert_eq!(grandchild.run.name, "grandchild");
    assert_eq!(grandchild.run.weeks, 25);
    assert_eq!(grandchild.dynamics.kappa, 0.3);
    assert_eq!(grandchild.dynamics.sigma, 0.5);
    assert_eq!(grandchild.run.people, 800);
}

#[test]
fn extends_builtin_baseline_uses_the_builtin_scenario() {
    let text = "extends = \"builtin:baseline\"\nname = \"variant\"\n[dynamics]\nkappa = 0.25\n";
    let s = Scenario::from_str(text, "variant.toml", None, &[]).expect("valid");
    let baseline = Scenario::default();
    assert_eq!(s.run.name, "variant");
    assert_eq!(s.dynamics.kappa, 0.25);
    assert_eq!(s.run.people, baseline.run.people);
    assert_eq!(s.population, baseline.population);
    // A problem in the extending text names it, not the built-in baseline.
    let bad = "extends = \"builtin:baseline\"\n[dynamics]\nkappa = 7\n";
    assert_eq!(
        problems(Scenario::from_str(bad, "variant.toml", None, &[])),
        ["variant.toml: dynamics.kappa = 7: expected a number in (0, 1]"]
    );
}

#[test]
fn a_problem_in_the_parent_names_the_parent_file() {
    let messages = problems(load(&data("child_of_bad_parent.toml"), &[]));
    assert_eq!(
        messages,
        [format!(
            "{}: dynamics.sigma = -1: expected a number in [0, 5]",
            data("bad_parent.toml").display()
        )]
    );
}

#[test]
fn a_problem_overriding_the_parent_names_the_child_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(data("parent.toml"), dir.path().join("parent.toml")).unwrap();
    let child = dir.path().join("child.toml");
    std::fs::write(&child, "extends = \"parent.toml\"\n[dynamics]\nsigma = 9\n").unwrap();
    assert_eq!(
        problems(load(&child, &[])),
        [format!(
            "{}: dynamics.sigma = 9: expected a number in [0, 5]",
            child.display()
        )]
    );
}

#[test]
fn an_extends_cycle_is_reported() {
    let a = data("cycle_a.toml");
    let b = data("cycle_b.toml");
    match load(&a, &[]) {
        Err(ScenarioError::ExtendsCycle { file, chain }) => {
            assert_eq!(file, a.display().to_string());
            assert_eq!(
                chain,
                format!("{} -> {} -> {}", a.display(), b.display(), a.display())
            );
        }
        other => panic!("expected an extends cycle, got {other:?}"),
    }
    let text = load(&a, &[]).unwrap_err().to_string();
    assert!(text.contains("`extends` forms a cycle"), "{text}");
}

#[test]
fn a_file_extending_itself_is_a_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("self.toml");
    std::fs::write(&path, "extends = \"self.toml\"\n").unwrap();
    let err = load(&path, &[]).unwrap_err();
    assert!(matches!(err, ScenarioError::ExtendsCycle { .. }), "{err:?}");
}

#[test]
fn an_extends_cycle_through_a_parent_folder_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("nested")).unwrap();
    let path = dir.path().join("nested").join("loop.toml");
    std::fs::write(&path, "extends = \"../nested/loop.toml\"\n").unwrap();
    let err = load(&path, &[]).unwrap_err();
    assert!(matches!(err, ScenarioError::ExtendsCycle { .. }), "{err}");
}

#[test]
fn a_missing_parent_is_an_io_error_naming_its_path() {
    let missing = data("no_such_parent.toml");
    match load(&data("child_of_missing.toml"), &[]) {
        Err(ScenarioError::Io { path, source }) => {
            assert_eq!(path, missing);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected an Io error, got {other:?}"),
    }
    let text = load(&data("child_of_missing.toml"), &[])
        .unwrap_err()
        .to_string();
    assert!(
        text.starts_with(&format!("{}: cannot read: ", missing.display())),
        "{text}"
    );
}

#[test]
fn extends_must_be_a_string() {
    assert_eq!(
        problems(Scenario::from_str("extends = 3\n", "e.toml", None, &[])),
        ["e.toml: extends = 3: expected a file name (string), e.g. \"baseline.toml\""]
    );
}

#[test]
fn set_overrides_file_values() {
    let s = load(
        &data("child.toml"),
        &[
            "dynamics.kappa=0.45",
            "people=900",
            "name=town",
            "population.female_share=0.5",
        ],
    )
    .expect("valid overrides");
    assert_eq!(s.dynamics.kappa, 0.45);
    assert_eq!(s.run.people, 900);
    assert_eq!(s.run.name, "town", "a bare word is taken as a string");
    assert_eq!(s.population.female_share, 0.5);
    assert_eq!(
        s.dynamics.sigma, 0.5,
        "keys not overridden keep the file's values"
    );
    // Lists can be set too.
    let s = load(
        &data("child.toml"),
        &["population.household_size_shares=[0.2, 0.3, 0.2, 0.2, 0.05, 0.05]"],
    )
    .unwrap();
    assert_eq!(
        s.population.household_size_shares,
        [0.2, 0.3, 0.2, 0.2, 0.05, 0.05]
    );
}

#[test]
fn set_problems_name_set() {
    let messages = problems(load(
        &data("child.toml"),
        &["dynamics.kappa=2", "dynamics.kapa=0.1", "people=5"],
    ));
    assert_has(
        &messages,
        "--set: dynamics.kappa = 2: expected a number in (0, 1]",
    );
    assert_has(
        &messages,
        "--set: people = 5: expected an integer in [100, 50000000]",
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("--set: dynamics.kapa: unknown key (did you mean `kappa`?)")),
        "{messages:#?}"
    );
    assert_eq!(messages.len(), 3, "{messages:#?}");
}

#[test]
fn bad_set_syntax_is_reported() {
    for arg in [
        "dynamics.kappa",
        "=0.3",
        "dynamics..kappa=0.3",
        ".kappa=1",
        "dynamics.=1",
    ] {
        match Scenario::load(None, &[arg.to_string()]) {
            Err(ScenarioError::BadSet { arg: reported }) => assert_eq!(reported, arg),
            other => panic!("--set {arg}: expected BadSet, got {other:?}"),
        }
        let text = Scenario::load(None, &[arg.to_string()])
            .unwrap_err()
            .to_string();
        assert_eq!(text, format!("--set {arg}: expected key.path=value"));
    }
}

#[test]
fn invalid_scenario_writes_nothing_and_exits_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let invalid = data("invalid.toml");
    let result = run_mhsim(&[
        "run",
        invalid.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(result.status.code(), Some(2), "stderr: {}", stderr(&result));
    let err = stderr(&result);
    assert!(err.contains("8 problems in the scenario"), "{err}");
    assert!(
        err.contains(&format!(
            "{}: weeks = 0: expected an integer in [1, 5200]",
            invalid.display()
        )),
        "{err}"
    );
    assert!(err.contains("did you mean `kappa`?"), "{err}");
    assert!(
        !out.exists(),
        "the output folder was created for an invalid scenario"
    );
}

#[test]
fn bad_input_on_the_command_line_writes_nothing_and_exits_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out_arg = out.to_str().unwrap();
    let small = data("small.toml");
    let missing = dir.path().join("missing.toml");
    let (malformed, cycle) = (data("malformed.toml"), data("cycle_a.toml"));
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["run", small.to_str().unwrap(), "--set", "dynamics.kappa=2"],
            "--set: dynamics.kappa = 2: expected a number in (0, 1]".into(),
        ),
        (
            vec!["run", small.to_str().unwrap(), "--set", "kappa"],
            "--set kappa: expected key.path=value".into(),
        ),
        (
            vec!["run", small.to_str().unwrap(), "--replicates", "0"],
            "--replicates".into(),
        ),
        (
            vec!["run", missing.to_str().unwrap()],
            format!("{}: cannot read", missing.display()),
        ),
        (
            vec!["run", malformed.to_str().unwrap()],
            "malformed.toml:5:9: invalid TOML".into(),
        ),
        (
            vec!["run", cycle.to_str().unwrap()],
            "`extends` forms a cycle".into(),
        ),
    ];
    for (mut args, expected) in cases {
        args.extend(["--out", out_arg, "--quiet"]);
        let result = run_mhsim(&args);
        assert_eq!(
            result.status.code(),
            Some(2),
            "{args:?}: stderr: {}",
            stderr(&result)
        );
        assert!(
            stderr(&result).contains(&expected),
            "{args:?}: stderr lacks {expected:?}: {}",
            stderr(&result)
        );
        assert!(!out.exists(), "{args:?}: the output folder was created");
    }
}

#[test]
fn validate_reports_problems_with_exit_code_2() {
    let result = run_mhsim(&[
        "validate",
        data("child_of_bad_parent.toml").to_str().unwrap(),
    ]);
    assert_eq!(result.status.code(), Some(2));
    assert!(stderr(&result).contains(&format!(
        "{}: dynamics.sigma = -1",
        data("bad_parent.toml").display()
    )));
    let result = run_mhsim(&[
        "validate",
        data("child.toml").to_str().unwrap(),
        "--set",
        "dynamics.sigma=-2",
    ]);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        stderr(&result).contains("--set: dynamics.sigma = -2: expected a number in [0, 5]"),
        "{}",
        stderr(&result)
    );
}

#[test]
fn every_shipped_scenario_validates() {
    let dir = manifest_dir().join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(
        files.iter().any(|p| p.ends_with("baseline.toml")),
        "scenarios/baseline.toml is missing"
    );
    for file in &files {
        let result = run_mhsim(&["validate", file.to_str().unwrap()]);
        assert_success(&result);
        assert!(
            stdout(&result).contains(": valid ("),
            "{}: {}",
            file.display(),
            stdout(&result)
        );
    }
}

#[test]
fn builtin_baseline_equals_scenarios_baseline_toml() {
    let file =
        load(&manifest_dir().join("scenarios/baseline.toml"), &[]).expect("baseline.toml is valid");
    let builtin = Scenario::default();
    assert_eq!(
        Scenario {
            origin: builtin.origin.clone(),
            ..file
        },
        builtin
    );
}

#[test]
fn params_prints_a_row_for_every_parameter_with_its_source() {
    let result = run_mhsim(&["params"]);
    assert_success(&result);
    let table = stdout(&result);
    let kappa = table
        .lines()
        .find(|l| l.starts_with("| `dynamics.kappa` |"))
        .expect("a row for dynamics.kappa");
    let meta = DynamicsParams::meta()
        .into_iter()
        .find(|m| m.name == "kappa")
        .unwrap();
    assert!(
        kappa.contains(meta.source),
        "row {kappa:?} lacks the source {:?}",
        meta.source
    );
    assert!(
        kappa.contains(&format!("`{}`", meta.default)),
        "row {kappa:?} lacks the default"
    );
    assert!(kappa.contains(meta.unit), "row {kappa:?} lacks the unit");
    // Every declared parameter has exactly one row.
    for (section, _, metas) in mhsim::params::all_sections() {
        for m in metas {
            let key = if section.is_empty() {
                m.name.to_string()
            } else {
                format!("{section}.{}", m.name)
            };
            let rows = table
                .lines()
                .filter(|l| l.starts_with(&format!("| `{key}` |")))
                .count();
            assert_eq!(rows, 1, "rows for {key}");
        }
    }
}
