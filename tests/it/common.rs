//! Helpers shared by the integration tests: running the `mhsim` binary, finding the test
//! fixtures, building small scenarios and reading results files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hdf5::types::VarLenUnicode;
use mhsim::Scenario;

/// The crate's root folder.
pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture in `tests/data`.
pub fn data(name: &str) -> PathBuf {
    manifest_dir().join("tests").join("data").join(name)
}

/// A `mhsim` command, not yet run.
pub fn mhsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mhsim"))
}

/// Run `mhsim` with `args` in the current folder and wait for it.
pub fn run_mhsim(args: &[&str]) -> Output {
    mhsim().args(args).output().expect("the mhsim binary runs")
}

/// Run `mhsim` with `args` in folder `cwd` and wait for it.
pub fn run_mhsim_in(cwd: &Path, args: &[&str]) -> Output {
    mhsim()
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the mhsim binary runs")
}

/// Standard output of a finished command, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Standard error of a finished command, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Panic with both output streams unless the command succeeded.
pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "mhsim failed with {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

/// Run the small test scenario (`tests/data/small.toml`) into `out` with extra arguments,
/// and check that it succeeded.
pub fn run_small(out: &Path, extra: &[&str]) -> Output {
    let scenario = data("small.toml");
    let mut args = vec![
        "run",
        scenario.to_str().expect("UTF-8 path"),
        "--out",
        out.to_str().expect("UTF-8 path"),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let output = run_mhsim(&args);
    assert_success(&output);
    output
}

/// The built-in baseline with `--set` overrides, e.g. `&["people=2000", "weeks=20"]`.
pub fn baseline_with(sets: &[&str]) -> Scenario {
    let sets: Vec<String> = sets.iter().map(|s| (*s).to_string()).collect();
    Scenario::load(None, &sets).unwrap_or_else(|e| panic!("test scenario is invalid: {e}"))
}

/// Contents of one dataset in a comparable form: floats as their bits, so that NaN equals
/// NaN and any other difference, however small, shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// f64 values, as bits.
    F64(Vec<u64>),
    /// u32 values (u8 values widened).
    U32(Vec<u32>),
    /// Strings.
    Text(Vec<String>),
}

/// Shape and contents of a dataset.
pub fn read_content(ds: &hdf5::Dataset) -> (Vec<usize>, Content) {
    let dtype = ds.dtype().expect("dataset has a type");
    let content = if dtype.is::<f64>() {
        Content::F64(
            ds.read_raw::<f64>()
                .expect("read f64")
                .into_iter()
                .map(f64::to_bits)
                .collect(),
        )
    } else if dtype.is::<u32>() {
        Content::U32(ds.read_raw::<u32>().expect("read u32"))
    } else if dtype.is::<u8>() {
        Content::U32(
            ds.read_raw::<u8>()
                .expect("read u8")
                .into_iter()
                .map(u32::from)
                .collect(),
        )
    } else {
        Content::Text(read_strings(ds))
    };
    (ds.shape(), content)
}

/// Every dataset under `group`, recursively, by full path (e.g. `/series/prevalence`).
pub fn datasets_under(group: &hdf5::Group) -> Vec<(String, hdf5::Dataset)> {
    let mut out: Vec<(String, hdf5::Dataset)> = group
        .datasets()
        .expect("list datasets")
        .into_iter()
        .map(|d| (d.name(), d))
        .collect();
    for sub in group.groups().expect("list groups") {
        out.extend(datasets_under(&sub));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A string dataset's values.
pub fn read_strings(ds: &hdf5::Dataset) -> Vec<String> {
    ds.read_raw::<VarLenUnicode>()
        .expect("read strings")
        .iter()
        .map(|s| s.as_str().to_string())
        .collect()
}

/// A string attribute of the file.
pub fn attr_string(file: &hdf5::File, name: &str) -> String {
    let attr = file
        .attr(name)
        .unwrap_or_else(|e| panic!("attribute {name}: {e}"));
    attr.read_scalar::<VarLenUnicode>()
        .expect("string attribute")
        .as_str()
        .to_string()
}

/// An integer attribute of the file.
pub fn attr_u64(file: &hdf5::File, name: &str) -> u64 {
    let attr = file
        .attr(name)
        .unwrap_or_else(|e| panic!("attribute {name}: {e}"));
    attr.read_scalar::<u64>().expect("u64 attribute")
}

/// A 3-D f64 dataset, e.g. `series/prevalence` as `[replicate, week, stratum]`.
pub fn read_3d(file: &hdf5::File, name: &str) -> ndarray::Array3<f64> {
    file.dataset(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read::<f64, ndarray::Ix3>()
        .expect("3-D f64")
}

/// A 2-D f64 dataset, e.g. `summary/final_year_mean` as `[metric, stratum]`.
pub fn read_2d(file: &hdf5::File, name: &str) -> ndarray::Array2<f64> {
    file.dataset(name)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .read::<f64, ndarray::Ix2>()
        .expect("2-D f64")
}

/// Index of a stratum by name.
pub fn stratum(name: &str) -> usize {
    mhsim::record::strata()
        .iter()
        .position(|s| s == name)
        .unwrap_or_else(|| panic!("no stratum {name}"))
}

/// Number of dependent children (under 16, or students aged 16-17) in household `h`.
pub fn dependent_children(pop: &mhsim::population::Population, h: usize) -> usize {
    pop.households
        .members(h)
        .iter()
        .filter(|&&m| mhsim::population::dependent_child(pop, m as usize))
        .count()
}
