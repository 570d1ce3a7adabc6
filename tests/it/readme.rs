//! The README's Python snippet runs against a real results file: the block after the marker
//! line in README.md is extracted, a small baseline run writes `outputs/baseline/results.h5`
//! in a temporary folder, and the snippet is run there with python3 (h5py and numpy needed).

use std::path::Path;
use std::process::Command;

use crate::common::{assert_success, manifest_dir, run_mhsim_in};

/// The line that introduces the tested block in README.md.
const MARKER: &str = "<!-- tested by tests/it/readme.rs: keep the block below runnable -->";

/// The first ```python block after the marker line.
fn python_block_after_marker(readme: &str) -> Option<String> {
    let mut lines = readme.lines().skip_while(|l| l.trim() != MARKER).skip(1);
    let fence = lines.find(|l| l.trim().starts_with("```"))?;
    if !fence.trim().starts_with("```python") {
        return None;
    }
    let mut block = String::new();
    for line in lines {
        if line.trim_start().starts_with("```") {
            return Some(block);
        }
        block.push_str(line);
        block.push('\n');
    }
    None // unterminated block
}

/// Fail with a clear message when python3, h5py or numpy is missing.
fn require_python_with_h5py() {
    let check = Command::new("python3")
        .args(["-c", "import h5py, numpy"])
        .output();
    match check {
        Err(e) => panic!("python3 is needed to test the README snippet but could not be run: {e}"),
        Ok(out) if !out.status.success() => panic!(
            "python3 needs h5py and numpy to test the README snippet (pip install h5py numpy):\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Ok(_) => {}
    }
}

/// Run `snippet` with python3 in `cwd`; returns its standard output.
fn run_python(snippet: &str, cwd: &Path) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(snippet)
        .current_dir(cwd)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "the README snippet failed:\n--- snippet\n{snippet}\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn marker_block_is_extracted() {
    let readme = format!(
        "# Title\n\n```python\nignored()\n```\n{MARKER}\n\n```python\nprint(1)\nprint(2)\n```\n"
    );
    assert_eq!(
        python_block_after_marker(&readme).as_deref(),
        Some("print(1)\nprint(2)\n")
    );
    assert_eq!(
        python_block_after_marker("no marker\n```python\nx\n```\n"),
        None
    );
    assert_eq!(
        python_block_after_marker(&format!("{MARKER}\n```python\nx\n")),
        None
    );
    assert_eq!(
        python_block_after_marker(&format!("{MARKER}\n```sh\nx\n```\n")),
        None
    );
}

#[test]
fn readme_python_snippet_reads_the_results_file() {
    let path = manifest_dir().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (this test runs the README's Python snippet)",
            path.display()
        )
    });
    let snippet = python_block_after_marker(&readme)
        .unwrap_or_else(|| panic!("README.md has no ```python block after the line {MARKER:?}"));
    require_python_with_h5py();

    let dir = tempfile::tempdir().unwrap();
    let run = run_mhsim_in(
        dir.path(),
        &[
            "run",
            "--set",
            "people=800",
            "--set",
            "weeks=30",
            "--set",
            "burn_in_weeks=0",
            "--replicates",
            "2",
            "--quiet",
        ],
    );
    assert_success(&run);
    assert!(
        dir.path().join("outputs/baseline/results.h5").is_file(),
        "the default output folder is outputs/<name>"
    );

    let printed = run_python(&snippet, dir.path());
    assert!(
        printed.contains("final-week prevalence"),
        "unexpected output of the README snippet:\n{printed}"
    );
}
