//! The plan of a sweep: `manifest.json` (every point, its parameters and seed) and, for
//! clusters, `submit.sbatch` (a SLURM job array with one task per shard).
//!
//! The manifest is self-contained: it holds the base scenario fully resolved, so a sweep
//! folder can be run anywhere the mhsim binary is, without the files it was planned from.
//! Its hash (of everything but the shard count) identifies the plan: every point, shard and
//! results file records it, so work from another plan is never mixed in. Points do not depend
//! on the shard count, so re-planning with other `--shards` keeps finished points.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::experiment::{Context, Error};
use crate::output::Discounting;
use crate::scenario::Scenario;
use crate::sweep::{Sweep, point_sets};

/// Format of `manifest.json`.
pub const FORMAT: u32 = 1;

/// One point of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanPoint {
    /// Position in the sweep (0-based).
    pub index: usize,
    /// One value per parameter.
    pub values: Vec<toml::Value>,
    /// Seed of the point's scenario.
    pub seed: u64,
    /// People in the point's scenario.
    pub people: u32,
    /// The `--set` overrides that make the point's scenario from the base.
    pub sets: Vec<String>,
}

/// What identifies a plan: everything that determines its results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Format of the manifest.
    pub format: u32,
    /// mhsim version that planned it (results of another version may differ).
    pub mhsim_version: String,
    /// Name of the sweep.
    pub name: String,
    /// What the sweep is about.
    pub description: String,
    /// The sweep file as named when planning.
    pub sweep_file: String,
    /// The sweep file's text.
    pub sweep_source: String,
    /// Where the base scenario came from.
    pub base_origin: String,
    /// The base scenario (with the sweep's fixed overrides), complete, as TOML.
    pub base_scenario: String,
    /// The design, described.
    pub design: String,
    /// How seeds were chosen.
    pub seeds: String,
    /// The sweep's seed (design stream).
    pub seed: u64,
    /// Replicates per point.
    pub replicates: u32,
    /// Recorded weeks of every point.
    pub weeks: u32,
    /// First calendar year.
    pub start_year: u32,
    /// Metric names, in output order.
    pub metrics: Vec<String>,
    /// Swept parameters (key paths).
    pub parameters: Vec<String>,
    /// Every point.
    pub points: Vec<PlanPoint>,
    /// Whether weekly summaries are kept per point.
    #[serde(default = "keep_weekly")]
    pub weekly: bool,
}

fn keep_weekly() -> bool {
    true
}

/// `manifest.json`: the plan, its hash, and how it is split into shards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Hash of the plan (hex).
    pub hash: String,
    /// Number of shards; point `i` belongs to shard `i % shards`.
    pub shards: u32,
    /// The plan.
    pub plan: Plan,
}

/// 128-bit FNV-1a (two 64-bit lanes with different offsets), hex: identifies a plan.
pub(crate) fn fingerprint(bytes: &[u8]) -> String {
    let lane = |offset: u64| {
        bytes.iter().fold(offset, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format!(
        "{:016x}{:016x}",
        lane(0xcbf2_9ce4_8422_2325),
        lane(0x6c62_272e_07bb_0142)
    )
}

impl Plan {
    /// The plan's hash.
    pub fn hash(&self) -> String {
        fingerprint(
            serde_json::to_string(self)
                .expect("a plan serialises")
                .as_bytes(),
        )
    }

    /// The scenario of point `index`.
    pub fn scenario(&self, index: usize) -> Result<Scenario, Error> {
        let point = &self.points[index];
        Scenario::from_str(
            &self.base_scenario,
            &format!("{} point {index}", self.sweep_file),
            None,
            &point.sets,
        )
        .map_err(|e| Error::Input(format!("the plan's point {index} is invalid: {e}")))
    }

    /// The rates of the sweep's discounted totals: its base scenario's (a sweep does not
    /// vary them).
    pub fn discounting(&self) -> Result<Discounting, Error> {
        Scenario::from_str(&self.base_scenario, &self.sweep_file, None, &[])
            .map(|s| Discounting::of(&s.valuation))
            .map_err(|e| Error::Input(format!("the plan's base scenario is invalid: {e}")))
    }
}

impl Manifest {
    /// The manifest of a sweep split into `shards` shards.
    pub fn new(sweep: &Sweep, shards: u32) -> Manifest {
        let points = sweep
            .points
            .iter()
            .enumerate()
            .map(|(index, values)| PlanPoint {
                index,
                values: values.clone(),
                seed: sweep.point_seeds[index],
                people: sweep.point_people[index],
                sets: point_sets(&sweep.parameters, values, sweep.point_seeds[index]),
            })
            .collect();
        let plan = Plan {
            format: FORMAT,
            mhsim_version: crate::VERSION.to_string(),
            name: sweep.name.clone(),
            description: sweep.description.clone(),
            sweep_file: sweep.file.clone(),
            sweep_source: sweep.source.clone(),
            base_origin: sweep.base.origin.clone(),
            base_scenario: sweep.base.resolved_toml(),
            design: sweep.design.describe(),
            seeds: sweep.seeds.name().to_string(),
            seed: sweep.seed,
            replicates: sweep.replicates,
            weeks: sweep.base.run.weeks,
            start_year: sweep.base.run.start_year,
            metrics: crate::record::Metric::ALL
                .iter()
                .map(|m| m.name().to_string())
                .collect(),
            parameters: sweep.parameters.clone(),
            points,
            weekly: sweep.weekly,
        };
        Manifest {
            hash: plan.hash(),
            shards,
            plan,
        }
    }

    /// Path of the manifest in a sweep folder.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join("manifest.json")
    }

    /// Read a sweep folder's manifest and check that it is intact and that this mhsim can
    /// run it.
    pub fn load(dir: &Path) -> Result<Manifest, Error> {
        let path = Manifest::path(dir);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::Input(format!(
                "{}: cannot read the plan ({e}); write it with `mhsim sweep plan SWEEP.toml --out {}`",
                path.display(),
                dir.display()
            ))
        })?;
        let manifest: Manifest = serde_json::from_str(&text)
            .map_err(|e| Error::Input(format!("{}: not a sweep manifest: {e}", path.display())))?;
        if manifest.plan.hash() != manifest.hash {
            return Err(Error::Input(format!(
                "{}: the plan was changed after planning (its hash is {}, the manifest says {}); plan again",
                path.display(),
                manifest.plan.hash(),
                manifest.hash
            )));
        }
        if manifest.plan.mhsim_version != crate::VERSION {
            return Err(Error::Input(format!(
                "{}: planned with mhsim {}, this is mhsim {}; results would not be comparable, so plan again into a new folder",
                path.display(),
                manifest.plan.mhsim_version,
                crate::VERSION
            )));
        }
        if manifest.shards == 0 {
            return Err(Error::Input(format!("{}: shards = 0", path.display())));
        }
        Ok(manifest)
    }

    /// The points of shard `shard` (all points when `None`).
    pub fn points_of(&self, shard: Option<u32>) -> Vec<usize> {
        (0..self.plan.points.len())
            .filter(|i| shard.is_none_or(|k| i % self.shards as usize == k as usize))
            .collect()
    }
}

/// Options of `mhsim sweep plan` for the SLURM script.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Number of shards (array tasks).
    pub shards: u32,
    /// Write the SLURM script (`submit.sbatch`).
    pub script: bool,
    /// CPUs per task (worker threads).
    pub cpus_per_task: u32,
    /// Time limit per task (`--time`), if any.
    pub time: Option<String>,
    /// Extra `#SBATCH` options.
    pub sbatch: Vec<String>,
    /// What to do once every task has finished, for the script's header; `None` says
    /// `mhsim sweep merge DIR`.
    pub then: Option<String>,
}

/// What `plan` wrote.
#[derive(Debug)]
pub struct PlanReport {
    /// The sweep folder.
    pub dir: PathBuf,
    /// The manifest.
    pub manifest: Manifest,
    /// The SLURM script, when sharded.
    pub sbatch: Option<PathBuf>,
    /// Memory hint per task in MiB.
    pub memory_mib: u64,
    /// Whether the folder already held this plan.
    pub existed: bool,
}

impl fmt::Display for PlanReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plan = &self.manifest.plan;
        writeln!(
            f,
            "{}planned sweep {:?}: {} points x {} replicates ({}, seeds {}), {} shard{}, plan {}",
            if self.existed { "re-" } else { "" },
            plan.name,
            plan.points.len(),
            plan.replicates,
            plan.design,
            plan.seeds,
            self.manifest.shards,
            if self.manifest.shards == 1 { "" } else { "s" },
            self.manifest.hash
        )?;
        writeln!(f, "wrote {}", Manifest::path(&self.dir).display())?;
        match &self.sbatch {
            Some(script) => {
                writeln!(
                    f,
                    "wrote {} (memory hint {} MiB per task)",
                    script.display(),
                    self.memory_mib
                )?;
                writeln!(f, "next: sbatch {}", script.display())?;
                write!(f, "then: mhsim sweep merge {}", self.dir.display())
            }
            None => write!(f, "next: mhsim sweep run {}", self.dir.display()),
        }
    }
}

/// Memory per task in MiB: each worker thread holds one replicate's world (about 300 bytes
/// per person, with margin) and one replicate's series; the summaries read back blocks of
/// up to 96 MiB; plus a fixed allowance for the program and HDF5. Rounded up to 256 MiB.
pub fn memory_hint_mib(people: u32, weeks: u32, threads: u32) -> u64 {
    let series = crate::record::Metric::ALL.len() as u64
        * u64::from(weeks)
        * crate::record::N_STRATA as u64
        * 8;
    let per_thread = 300 * u64::from(people) + 2 * series;
    let bytes = u64::from(threads.max(1)) * per_thread + 96 * 1024 * 1024 + 256 * 1024 * 1024;
    bytes.div_ceil(256 * 1024 * 1024) * 256
}

/// Quote a string for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The SLURM job-array script of a plan.
pub fn sbatch_script(
    dir: &Path,
    manifest: &Manifest,
    options: &PlanOptions,
    mhsim: &Path,
    memory_mib: u64,
) -> String {
    let plan = &manifest.plan;
    let dir_text = dir.display().to_string();
    let mut s = String::new();
    let mut line = |l: String| {
        s.push_str(&l);
        s.push('\n');
    };
    line("#!/bin/bash".into());
    line(format!(
        "# mhsim sweep {:?}: {} points x {} replicates in {} shards (plan {}).",
        plan.name,
        plan.points.len(),
        plan.replicates,
        manifest.shards,
        manifest.hash
    ));
    line(format!(
        "# Submit:  sbatch {}",
        shell_quote(&format!("{dir_text}/submit.sbatch"))
    ));
    line(match &options.then {
        Some(then) => format!("# Then:    {then}"),
        None => format!("# Then:    mhsim sweep merge {}", shell_quote(&dir_text)),
    });
    line("# Each task runs one shard (points i with i % shards = task id) and writes".into());
    line("# shards/shard-NNNN.h5; a task killed and submitted again skips finished points".into());
    line(
        "# (resubmit only failed tasks with --array=ID,...). Set MHSIM to use another binary."
            .into(),
    );
    line(format!(
        "#SBATCH --job-name=mhsim-{}",
        crate::experiment::ensemble::folder_name(&plan.name)
    ));
    line(format!("#SBATCH --array=0-{}", manifest.shards - 1));
    line("#SBATCH --ntasks=1".into());
    line(format!(
        "#SBATCH --cpus-per-task={}",
        options.cpus_per_task.max(1)
    ));
    line(format!("#SBATCH --mem={memory_mib}M"));
    if let Some(time) = &options.time {
        line(format!("#SBATCH --time={time}"));
    }
    line(format!("#SBATCH --output={dir_text}/logs/shard-%a.log"));
    for extra in &options.sbatch {
        line(format!("#SBATCH {extra}"));
    }
    line("set -euo pipefail".into());
    line(format!(
        "MHSIM=\"${{MHSIM:-{}}}\"",
        mhsim.display().to_string().replace('"', "\\\"")
    ));
    line(format!(
        "exec \"$MHSIM\" sweep run {} --shard \"$SLURM_ARRAY_TASK_ID\" --threads \"${{SLURM_CPUS_PER_TASK:-1}}\" --progress-every 60",
        shell_quote(&dir_text)
    ));
    s
}

/// Write the plan of `sweep` into the folder `dir`: `manifest.json`, and with
/// `options.script` also `submit.sbatch` and `logs/`. A folder that holds another plan is refused; one that
/// holds the same plan keeps its finished work (the shard count may change).
pub fn plan(sweep: &Sweep, dir: &Path, options: &PlanOptions) -> Result<PlanReport, Error> {
    if options.shards == 0 {
        return Err(Error::Input("--shards: expected at least 1".into()));
    }
    if options.shards as usize > sweep.points.len() {
        return Err(Error::Input(format!(
            "--shards {}: expected at most the number of points ({})",
            options.shards,
            sweep.points.len()
        )));
    }
    let manifest = Manifest::new(sweep, options.shards);
    let path = Manifest::path(dir);
    let mut existed = false;
    if path.exists() {
        let old = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<Manifest>(&t).ok());
        match old {
            Some(old) if old.hash == manifest.hash => existed = true,
            Some(old) => {
                return Err(Error::Input(format!(
                    "{} already holds the plan {} of sweep {:?}, not this one ({}); plan into another folder or remove it",
                    dir.display(),
                    old.hash,
                    old.plan.name,
                    manifest.hash
                )));
            }
            None => {
                return Err(Error::Input(format!(
                    "{}: exists but is not a sweep manifest; plan into another folder",
                    path.display()
                )));
            }
        }
    }
    std::fs::create_dir_all(dir).context(|| format!("cannot create {}", dir.display()))?;
    // Absolute paths, so that the script works from any folder on the cluster.
    let dir = std::fs::canonicalize(dir).context(|| format!("cannot resolve {}", dir.display()))?;
    let text = serde_json::to_string_pretty(&manifest).expect("a manifest serialises");
    crate::sweep::run::write_atomically(&path, text.as_bytes())?;
    let people = manifest
        .plan
        .points
        .iter()
        .map(|p| p.people)
        .max()
        .unwrap_or(0);
    let memory_mib = memory_hint_mib(people, manifest.plan.weeks, options.cpus_per_task);
    let script = dir.join("submit.sbatch");
    let sbatch = if options.script {
        std::fs::create_dir_all(dir.join("logs"))
            .context(|| format!("cannot create {}", dir.join("logs").display()))?;
        let mhsim = std::env::current_exe()
            .and_then(std::fs::canonicalize)
            .context(|| "cannot find the mhsim binary".into())?;
        let text = sbatch_script(&dir, &manifest, options, &mhsim, memory_mib);
        crate::sweep::run::write_atomically(&script, text.as_bytes())?;
        Some(script)
    } else {
        if script.exists() {
            // A script for another plan or shard count would run the wrong shards.
            std::fs::remove_file(&script)
                .context(|| format!("cannot remove {}", script.display()))?;
        }
        None
    };
    Ok(PlanReport {
        dir,
        manifest,
        sbatch,
        memory_mib,
        existed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_differ_for_different_text() {
        assert_eq!(fingerprint(b"abc"), fingerprint(b"abc"));
        assert_ne!(fingerprint(b"abc"), fingerprint(b"abd"));
        assert_eq!(fingerprint(b"").len(), 32);
    }

    #[test]
    fn memory_hints_grow_with_people_and_threads() {
        let small = memory_hint_mib(10_000, 520, 1);
        assert_eq!(small % 256, 0);
        assert!(memory_hint_mib(1_000_000, 520, 1) > small);
        assert!(memory_hint_mib(1_000_000, 520, 4) > memory_hint_mib(1_000_000, 520, 1));
    }

    #[test]
    fn shell_quoting_survives_quotes() {
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
