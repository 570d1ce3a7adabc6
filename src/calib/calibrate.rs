//! `mhsim calibrate`: the ABC driver. Every generation is a parameter sweep over its
//! candidate points, run locally or planned for a SLURM job array; the algorithm itself is in
//! [`crate::calib::abc`].
//!
//! A calibration folder:
//!
//! ```text
//! calibration.json        what the folder calibrates: the calibration file's text, the
//!                         targets' text, the base scenario (resolved) and their hash
//! base.toml               the base scenario with the fixed overrides, resolved; every
//!                         generation's sweep extends it
//! gen-NNN/points.csv      the generation's candidates (one column per parameter)
//! gen-NNN/sweep.toml      its sweep file (design = the CSV, common seeds, replicates per
//!                         candidate, no weekly summaries)
//! gen-NNN/manifest.json, points/, shards/, submit.sbatch, logs/, results.h5
//!                         the sweep folder (see `sweep::run`)
//! gen-NNN/state.json      the state after the generation: kept particles, weights,
//!                         distances, tolerance, kernel covariance, acceptance rate,
//!                         simulations so far, and why it stopped (if it did)
//! posterior.h5, best.toml, diagnostics.csv, fit.csv    the outputs, when it stops
//! submit.sbatch           while a sharded generation waits: a copy of its job-array script
//! ```
//!
//! Resuming: a generation is complete when its `state.json` is written (atomically, after its
//! sweep's results). Started again, the driver reads the complete states in order and goes
//! on from the last; a generation whose sweep was interrupted resumes through the sweep's own
//! resume (finished points are kept). The candidates of generation `t` are a function of the
//! state of generation `t − 1` and of the stream `calibration-proposals` keyed by the
//! calibration's seed and `t`, and every candidate's summaries are a function of its point
//! (common seeds), so a calibration stopped anywhere and started again ends with the same
//! posterior, bit for bit. A folder records the hash of what it calibrates and refuses to go
//! on under another calibration file, targets file, base scenario, mhsim version or format of
//! its state.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::calib::abc::{self, Generation, Stop};
use crate::calib::config::{Calibration, Initial, number};
use crate::calib::fit::{FitTable, fit_table, write_fit_csv};
use crate::experiment::progress::ProgressOptions;
use crate::experiment::{Context, Error};
use crate::output::posterior::{PosteriorFile, write_posterior};
use crate::output::read::SweepYearly;
use crate::output::sweep::Column;
use crate::rng::{Stream, StreamKey};
use crate::sweep::run::write_atomically;
use crate::sweep::{Design, Manifest, PlanOptions, RunOptions, Sweep};

/// Format of `calibration.json` and `state.json`. Format 3: particle weights under the
/// mixture of every proposal so far, each kernel renormalised by its mass inside the prior's
/// box, which the state stores ([`abc`]). Format 2 left the masses out, and format 1 kept
/// Lenormand et al.'s weights; a calibration begun under one cannot go on under another.
const FORMAT: u32 = 3;

/// How to run a calibration.
#[derive(Debug, Clone)]
pub struct CalibrateOptions {
    /// The calibration folder.
    pub out: PathBuf,
    /// Worker threads of local sweeps (0 = all cores).
    pub threads: usize,
    /// Plan each generation as a SLURM job array of this many shards instead of running it.
    pub shards: Option<u32>,
    /// CPUs per array task.
    pub cpus_per_task: u32,
    /// Time limit per array task.
    pub time: Option<String>,
    /// Extra `#SBATCH` options.
    pub sbatch: Vec<String>,
    /// Progress display of the sweeps.
    pub progress: ProgressOptions,
    /// Stop once this many generations have been completed by this invocation, after
    /// planning the next one (to test resuming).
    pub stop_after_generations: Option<u32>,
}

/// One generation, as reported while calibrating.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerationReport {
    /// Its index.
    pub index: u32,
    /// Its tolerance.
    pub epsilon: f64,
    /// Its acceptance rate.
    pub p_acc: f64,
    /// Effective sample size of the kept particles' weights.
    pub ess: f64,
    /// Simulations so far (candidates x replicates).
    pub simulations: u64,
    /// Seconds it took in this invocation (`None`: completed before).
    pub seconds: Option<f64>,
    /// Why the calibration stops after it, if it does.
    pub stop: Option<Stop>,
}

impl fmt::Display for GenerationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "generation {}: epsilon {}, p_acc {:.3}, ESS {:.1}, {} simulations, {}",
            self.index,
            number_short(self.epsilon),
            self.p_acc,
            self.ess,
            self.simulations,
            match self.seconds {
                Some(s) => format!("{s:.1} s"),
                None => "done before".into(),
            }
        )?;
        if let Some(stop) = self.stop {
            write!(f, "; stop: {}", stop.describe())?;
        }
        Ok(())
    }
}

fn number_short(x: f64) -> String {
    crate::calib::fit::num(x)
}

/// A calibration that stopped: its outputs.
#[derive(Debug, Clone)]
pub struct Finished {
    /// Generations run (generation 0 included).
    pub generations: u32,
    /// Candidates simulated.
    pub candidates: u64,
    /// Simulations (candidates x replicates).
    pub simulations: u64,
    /// The last tolerance.
    pub epsilon: f64,
    /// Effective sample size of the posterior's weights.
    pub ess: f64,
    /// Particles kept in each generation (`N_α`).
    pub kept: usize,
    /// Why it stopped.
    pub stop: Stop,
    /// Weighted posterior mean and 95% interval (2.5% and 97.5% weighted quantiles) per
    /// parameter: (key, mean, lo, hi).
    pub estimates: Vec<(String, f64, f64, f64)>,
    /// The fit of the closest particle.
    pub fit: FitTable,
    /// The files written.
    pub files: Vec<PathBuf>,
}

impl Finished {
    /// A warning when the posterior's weights are degenerate: an effective sample size below
    /// a tenth of the particles kept, or below 5.
    pub fn degeneracy_warning(&self) -> Option<String> {
        degeneracy_warning(self.ess, self.kept)
    }
}

/// A warning when weights with effective sample size `ess` over `kept` particles are
/// degenerate: see [`Finished::degeneracy_warning`].
pub fn degeneracy_warning(ess: f64, kept: usize) -> Option<String> {
    (ess < (0.1 * kept as f64).max(5.0)).then(|| {
        format!(
            "the posterior's weights are degenerate (effective sample size {ess:.1} of {kept} particles kept): its intervals understate the uncertainty, and `mhsim run --posterior` draws almost only its heaviest particles; calibrate with more particles (abc.particles) or fewer parameters for a usable posterior"
        )
    })
}

/// A sharded generation waiting for its job array.
#[derive(Debug, Clone)]
pub struct Pending {
    /// The generation.
    pub generation: u32,
    /// Its sweep folder.
    pub dir: PathBuf,
    /// Its job-array script.
    pub script: PathBuf,
    /// The copy of the script in the calibration folder.
    pub copy: PathBuf,
    /// Shards of the plan.
    pub shards: u32,
    /// Shards not finished yet.
    pub missing: Vec<u32>,
}

impl fmt::Display for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = self.missing.len() as u32 == self.shards;
        writeln!(
            f,
            "generation {} is planned as a SLURM job array of {} shards in {}{}",
            self.generation,
            self.shards,
            self.dir.display(),
            if all {
                String::new()
            } else {
                format!(
                    "; shards not finished yet: {}",
                    self.missing
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        )?;
        if all {
            writeln!(
                f,
                "next: sbatch --wait {}   (or sbatch without --wait, and wait for the job)",
                self.script.display()
            )?;
        } else {
            writeln!(
                f,
                "next: sbatch --wait --array={} {}",
                self.missing
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
                self.script.display()
            )?;
        }
        write!(
            f,
            "then: run the same `mhsim calibrate` command again; it merges the shards and goes on (the script is also at {})",
            self.copy.display()
        )
    }
}

/// How a call of [`calibrate`] ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The calibration stopped; the outputs are written.
    Finished(Box<Finished>),
    /// A sharded generation waits for its job array.
    Pending(Pending),
}

/// `calibration.json`: what a calibration folder calibrates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Identity {
    format: u32,
    hash: String,
    name: String,
    mhsim_version: String,
    calibration_file: String,
    calibration: String,
    targets_file: String,
    targets: String,
    base_scenario: String,
}

/// `gen-NNN/state.json`: the state after a generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct State {
    format: u32,
    calibration_hash: String,
    /// Key paths of the parameters.
    parameters: Vec<String>,
    /// The algorithm's state (particles in internal coordinates).
    generation: Generation,
    /// The kept particles' values, `[particle][parameter]` (for reading).
    values: Vec<Vec<f64>>,
    /// Effective sample size of the kept weights.
    ess: f64,
    /// Replicates per candidate.
    replicates: u32,
    /// Simulations so far.
    simulations: u64,
    /// Why the calibration stopped after this generation.
    stop: Option<Stop>,
}

fn gen_dir(out: &Path, t: u32) -> PathBuf {
    out.join(format!("gen-{t:03}"))
}

fn state_path(out: &Path, t: u32) -> PathBuf {
    gen_dir(out, t).join("state.json")
}

/// Record what the folder calibrates, or check that it is this calibration.
fn check_identity(cal: &Calibration, out: &Path) -> Result<(), Error> {
    let identity = Identity {
        format: FORMAT,
        hash: cal.hash(),
        name: cal.name.clone(),
        mhsim_version: crate::VERSION.to_string(),
        calibration_file: cal.file.clone(),
        calibration: cal.source.clone(),
        targets_file: cal.targets.file.clone(),
        targets: cal.targets.source.clone(),
        base_scenario: cal.base.resolved_toml(),
    };
    let path = out.join("calibration.json");
    if path.exists() {
        let text =
            std::fs::read_to_string(&path).context(|| format!("cannot read {}", path.display()))?;
        let old: Identity = serde_json::from_str(&text).map_err(|e| {
            Error::Input(format!(
                "{}: not a calibration folder's record ({e}); calibrate into another folder",
                path.display()
            ))
        })?;
        if old.format != identity.format {
            return Err(Error::Input(format!(
                "{} holds calibration {:?} in format {} of an older mhsim, which weighted its particles differently; calibrate into another folder, or remove it to start again",
                out.display(),
                old.name,
                old.format
            )));
        }
        if old.hash != identity.hash {
            let mut changed = Vec::new();
            if old.calibration != identity.calibration {
                changed.push(format!("the calibration file ({})", old.calibration_file));
            }
            if old.targets != identity.targets {
                changed.push(format!("the targets ({})", old.targets_file));
            }
            if old.base_scenario != identity.base_scenario {
                changed.push("the base scenario".to_string());
            }
            if old.mhsim_version != identity.mhsim_version {
                changed.push(format!("mhsim's version (was {})", old.mhsim_version));
            }
            return Err(Error::Input(format!(
                "{} holds calibration {:?} ({}), not this one ({}): {} differ{}; calibrate into another folder, or remove it to start again",
                out.display(),
                old.name,
                old.hash,
                identity.hash,
                if changed.is_empty() {
                    "its inputs".to_string()
                } else {
                    changed.join(", ")
                },
                if changed.len() == 1 { "s" } else { "" }
            )));
        }
        return Ok(());
    }
    let text = serde_json::to_string_pretty(&identity).expect("an identity serialises");
    write_atomically(&path, text.as_bytes())
}

fn load_state(cal: &Calibration, path: &Path) -> Result<State, Error> {
    let text =
        std::fs::read_to_string(path).context(|| format!("cannot read {}", path.display()))?;
    let state: State = serde_json::from_str(&text).map_err(|e| {
        Error::Input(format!(
            "{}: not a calibration state ({e}); remove it and its generation's folder to redo the generation",
            path.display()
        ))
    })?;
    if state.format != FORMAT {
        return Err(Error::Input(format!(
            "{}: a calibration state in format {}, expected {FORMAT}; calibrate into another folder",
            path.display(),
            state.format
        )));
    }
    let keys: Vec<String> = cal.parameters.iter().map(|p| p.key.clone()).collect();
    if state.calibration_hash != cal.hash() || state.parameters != keys {
        return Err(Error::Input(format!(
            "{}: belongs to another calibration ({}, this one is {})",
            path.display(),
            state.calibration_hash,
            cal.hash()
        )));
    }
    Ok(state)
}

/// The sweep file of generation `t`.
fn sweep_text(cal: &Calibration, t: u32) -> String {
    format!(
        "# Generation {t} of calibration {name:?}: its candidate points (written by mhsim calibrate).\n\
         name = {sweep:?}\n\
         description = {description:?}\n\
         base = \"../base.toml\"\n\
         replicates = {replicates}\n\
         seeds = \"common\"\n\
         seed = {seed}\n\
         weekly = false\n\
         \n\
         [design]\n\
         kind = \"csv\"\n\
         file = \"points.csv\"\n",
        name = cal.name,
        sweep = format!("{} gen-{t:03}", cal.name),
        description = format!("calibration {:?}, generation {t}", cal.name),
        replicates = cal.replicates,
        seed = cal.seed,
    )
}

/// Write generation `t`'s sweep folder (points, sweep file, plan) for the candidates
/// `values` (`[candidate][parameter]`).
fn plan_generation(
    cal: &Calibration,
    options: &CalibrateOptions,
    t: u32,
    values: &[Vec<f64>],
) -> Result<Manifest, Error> {
    let dir = gen_dir(&options.out, t);
    std::fs::create_dir_all(&dir).context(|| format!("cannot create {}", dir.display()))?;
    let mut csv = cal
        .parameters
        .iter()
        .map(|p| p.key.clone())
        .collect::<Vec<_>>()
        .join(",");
    csv.push('\n');
    for row in values {
        let cells: Vec<String> = cal
            .parameters
            .iter()
            .zip(row)
            .map(|(p, v)| p.text(*v))
            .collect();
        csv.push_str(&cells.join(","));
        csv.push('\n');
    }
    write_atomically(&dir.join("points.csv"), csv.as_bytes())?;
    let text = sweep_text(cal, t);
    write_atomically(&dir.join("sweep.toml"), text.as_bytes())?;
    let label = format!("gen-{t:03}/sweep.toml");
    let mut sweep = Sweep::from_str(&text, &label, Some(&dir))
        .map_err(|e| Error::Input(format!("generation {t}'s sweep is invalid: {e}")))?;
    // Name files relative to the folder, so that the plan does not depend on where the
    // calibration folder is or how it was named.
    sweep.file = label;
    sweep.base.origin = "base.toml".into();
    if let Design::Csv { file, .. } = &mut sweep.design {
        *file = PathBuf::from("points.csv");
    }
    let exact = sweep.points.len() == values.len()
        && sweep.points.iter().zip(values).all(|(point, row)| {
            point.iter().zip(row).all(|(v, x)| {
                v.as_float()
                    .or(v.as_integer().map(|i| i as f64))
                    .is_some_and(|f| f.to_bits() == x.to_bits())
            })
        });
    if !exact {
        return Err(Error::Input(format!(
            "generation {t}: the candidates do not read back exactly from {}",
            dir.join("points.csv").display()
        )));
    }
    let plan_options = PlanOptions {
        shards: options.shards.unwrap_or(1),
        script: options.shards.is_some(),
        cpus_per_task: options.cpus_per_task,
        time: options.time.clone(),
        sbatch: options.sbatch.clone(),
        then: Some(
            "run the same `mhsim calibrate` command again: it merges the shards and goes on".into(),
        ),
    };
    let report = crate::sweep::plan(&sweep, &dir, &plan_options)?;
    Ok(report.manifest)
}

/// Distances of every point of generation `t`'s sweep results.
fn distances(cal: &Calibration, out: &Path, t: u32, expected: usize) -> Result<Vec<f64>, Error> {
    let path = gen_dir(out, t).join("results.h5");
    let results = SweepYearly::open(&path).context(|| format!("cannot read {}", path.display()))?;
    if results.points != expected {
        return Err(Error::Input(format!(
            "{}: holds {} points, expected {expected}",
            path.display(),
            results.points
        )));
    }
    (0..expected)
        .map(|p| {
            let yearly = results
                .point(p)
                .context(|| format!("cannot read point {p} of {}", path.display()))?;
            Ok(cal.targets.distance(&cal.targets.fit(&yearly)))
        })
        .collect()
}

/// The candidates of generation `t` after `prev` (none before generation 0), in internal
/// coordinates.
fn candidates(cal: &Calibration, t: u32, prev: Option<&Generation>) -> Vec<Vec<f64>> {
    let prior = cal.prior();
    let mut rng = StreamKey::new(cal.seed, u64::from(t), Stream::Calibration).sequential();
    match prev {
        None => {
            let n = cal.settings.particles;
            match cal.initial {
                Initial::Lhs => prior.latin_hypercube(n, &mut rng),
                Initial::Random => prior.draws(n, &mut rng),
            }
        }
        Some(prev) => abc::propose(prev, &prior, cal.settings.candidates(t), &mut rng),
    }
}

/// Run (or go on with) a calibration in `options.out`.
pub fn calibrate(
    cal: &Calibration,
    options: &CalibrateOptions,
    on_generation: &mut dyn FnMut(&GenerationReport),
) -> Result<Outcome, Error> {
    let out = &options.out;
    if let Some(k) = options.shards {
        let most = cal.settings.candidates(1);
        if k == 0 || k as usize > most {
            return Err(Error::Input(format!(
                "--shards {k}: expected 1 to {most} (the candidates of a generation after the first: particles - alpha x particles)"
            )));
        }
    }
    std::fs::create_dir_all(out).context(|| format!("cannot create {}", out.display()))?;
    check_identity(cal, out)?;
    let base = format!(
        "# The base scenario of calibration {:?}, with its fixed overrides, resolved.\n# Every generation's sweep extends it. Written by mhsim calibrate.\n{}",
        cal.name,
        cal.base.resolved_toml()
    );
    let base_path = out.join("base.toml");
    if std::fs::read_to_string(&base_path).ok().as_deref() != Some(base.as_str()) {
        write_atomically(&base_path, base.as_bytes())?;
    }
    let mut states: Vec<State> = Vec::new();
    while state_path(out, states.len() as u32).exists() {
        let mut state = load_state(cal, &state_path(out, states.len() as u32))?;
        // Whether to stop is decided again under this invocation's settings, so that a
        // raised `max_generations` goes on from a calibration that stopped at the old one.
        state.stop = abc::stop(&cal.settings, &state.generation);
        on_generation(&report_of(&state, None));
        let stopped = state.stop.is_some();
        states.push(state);
        if stopped {
            break;
        }
    }
    let copy = out.join("submit.sbatch");
    let mut completed_now = 0u32;
    loop {
        if let Some(state) = states.last()
            && let Some(stop) = state.stop
        {
            if copy.exists() {
                std::fs::remove_file(&copy)
                    .context(|| format!("cannot remove {}", copy.display()))?;
            }
            return finish(cal, out, &states, stop).map(|f| Outcome::Finished(Box::new(f)));
        }
        let started = Instant::now();
        let t = states.len() as u32;
        let prev = states.last().map(|s| &s.generation);
        let proposals = candidates(cal, t, prev);
        let values: Vec<Vec<f64>> = proposals.iter().map(|theta| cal.values(theta)).collect();
        let manifest = plan_generation(cal, options, t, &values)?;
        if options.stop_after_generations == Some(completed_now) {
            return Err(Error::Stopped(format!(
                "stopped after {completed_now} generation{} as asked; generation {t} is planned; run again to go on",
                if completed_now == 1 { "" } else { "s" }
            )));
        }
        let dir = gen_dir(out, t);
        let results = dir.join("results.h5");
        match options.shards {
            None => {
                let run = RunOptions {
                    shard: None,
                    threads: options.threads,
                    progress: options.progress,
                    stop_after: None,
                };
                crate::sweep::run(&dir, &run)?;
            }
            Some(_) if results.exists() => {}
            Some(_) => {
                let missing: Vec<u32> = (0..manifest.shards)
                    .filter(|k| !dir.join("shards").join(format!("shard-{k:04}.h5")).exists())
                    .collect();
                if missing.is_empty() {
                    crate::sweep::merge(&dir)?;
                } else {
                    let script = dir.join("submit.sbatch");
                    let text = std::fs::read(&script)
                        .context(|| format!("cannot read {}", script.display()))?;
                    write_atomically(&copy, &text)?;
                    return Ok(Outcome::Pending(Pending {
                        generation: t,
                        dir,
                        script,
                        copy,
                        shards: manifest.shards,
                        missing,
                    }));
                }
            }
        }
        let distances = distances(cal, out, t, proposals.len())?;
        let generation = if states.is_empty() {
            abc::first(&cal.settings, &cal.prior(), &proposals, &distances)
        } else {
            let history: Vec<&Generation> = states.iter().map(|s| &s.generation).collect();
            abc::advance(
                &cal.settings,
                &cal.prior(),
                &history,
                &proposals,
                &distances,
            )
        };
        let stop = abc::stop(&cal.settings, &generation);
        let state = State {
            format: FORMAT,
            calibration_hash: cal.hash(),
            parameters: cal.parameters.iter().map(|p| p.key.clone()).collect(),
            values: generation
                .kept
                .iter()
                .map(|p| cal.values(&p.theta))
                .collect(),
            ess: generation.ess(),
            replicates: cal.replicates,
            simulations: generation.candidates * u64::from(cal.replicates),
            stop,
            generation,
        };
        let text = serde_json::to_string_pretty(&state).expect("a state serialises");
        write_atomically(&state_path(out, t), text.as_bytes())?;
        on_generation(&report_of(&state, Some(started.elapsed().as_secs_f64())));
        states.push(state);
        completed_now += 1;
    }
}

fn report_of(state: &State, seconds: Option<f64>) -> GenerationReport {
    GenerationReport {
        index: state.generation.index,
        epsilon: state.generation.epsilon,
        p_acc: state.generation.p_acc,
        ess: state.ess,
        simulations: state.simulations,
        seconds,
        stop: state.stop,
    }
}

/// Weighted mean and SD of each parameter (values, normalised weights).
pub(crate) fn weighted_mean_sd(values: &[Vec<f64>], weights: &[f64]) -> Vec<(f64, f64)> {
    let d = values.first().map_or(0, Vec::len);
    (0..d)
        .map(|j| {
            let mean: f64 = values.iter().zip(weights).map(|(v, w)| w * v[j]).sum();
            let var: f64 = values
                .iter()
                .zip(weights)
                .map(|(v, w)| w * (v[j] - mean) * (v[j] - mean))
                .sum();
            (mean, var.sqrt())
        })
        .collect()
}

/// Weighted quantile `q` (normalised weights): the smallest value whose cumulative weight
/// reaches `q`.
pub(crate) fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> f64 {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut acc = 0.0;
    for &i in &order {
        acc += weights[i];
        if acc >= q {
            return values[i];
        }
    }
    order.last().map_or(f64::NAN, |&i| values[i])
}

/// Weights scaled to sum to 1.
pub(crate) fn normalised(weights: &[f64]) -> Vec<f64> {
    let total: f64 = weights.iter().sum();
    weights.iter().map(|w| w / total).collect()
}

/// Write the outputs of a calibration that stopped after the last of `states`.
/// The median of `xs` (the mean of the middle two for an even count; NaN for none).
fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => 0.5 * (v[n / 2 - 1] + v[n / 2]),
    }
}

fn finish(cal: &Calibration, out: &Path, states: &[State], stop: Stop) -> Result<Finished, Error> {
    let last = states
        .last()
        .expect("a stopped calibration has a generation");
    let g = &last.generation;
    let weights = normalised(&g.kept.iter().map(|p| p.weight).collect::<Vec<_>>());
    let samples = last.values.clone();
    let distances: Vec<f64> = g.kept.iter().map(|p| p.distance).collect();
    let keys: Vec<String> = cal.parameters.iter().map(|p| p.key.clone()).collect();

    // Diagnostics per generation.
    let mut columns: Vec<(String, Column)> = vec![
        (
            "generation".into(),
            Column::U64(
                states
                    .iter()
                    .map(|s| u64::from(s.generation.index))
                    .collect(),
            ),
        ),
        (
            "epsilon".into(),
            Column::F64(states.iter().map(|s| s.generation.epsilon).collect()),
        ),
        (
            "p_acc".into(),
            Column::F64(states.iter().map(|s| s.generation.p_acc).collect()),
        ),
        (
            "ess".into(),
            Column::F64(states.iter().map(|s| s.ess).collect()),
        ),
        (
            "kernel_mass_median".into(),
            Column::F64(
                states
                    .iter()
                    .map(|s| median(&s.generation.kernel_mass))
                    .collect(),
            ),
        ),
        (
            "candidates".into(),
            Column::U64(states.iter().map(|s| s.generation.candidates).collect()),
        ),
        (
            "simulations".into(),
            Column::U64(states.iter().map(|s| s.simulations).collect()),
        ),
    ];
    let moments: Vec<Vec<(f64, f64)>> = states
        .iter()
        .map(|s| {
            let w = normalised(
                &s.generation
                    .kept
                    .iter()
                    .map(|p| p.weight)
                    .collect::<Vec<_>>(),
            );
            weighted_mean_sd(&s.values, &w)
        })
        .collect();
    for (j, key) in keys.iter().enumerate() {
        columns.push((
            format!("mean_{key}"),
            Column::F64(moments.iter().map(|m| m[j].0).collect()),
        ));
        columns.push((
            format!("sd_{key}"),
            Column::F64(moments.iter().map(|m| m[j].1).collect()),
        ));
    }
    let generations = states.len() as u32;
    let posterior = PosteriorFile {
        text: vec![
            ("calibration_name".into(), cal.name.clone()),
            ("description".into(), cal.description.clone()),
            ("calibration".into(), cal.source.clone()),
            ("calibration_file".into(), cal.file.clone()),
            ("targets".into(), cal.targets.source.clone()),
            ("targets_file".into(), cal.targets.file.clone()),
            ("base_scenario".into(), cal.base.resolved_toml()),
            ("base_origin".into(), cal.base_name.clone()),
            ("calibration_hash".into(), cal.hash()),
            ("stop".into(), stop.describe().into()),
        ],
        numbers: vec![
            ("seed".into(), cal.seed),
            ("generations".into(), u64::from(generations)),
            ("candidates".into(), g.candidates),
            ("simulations".into(), last.simulations),
            ("particles".into(), cal.settings.particles as u64),
            ("replicates".into(), u64::from(cal.replicates)),
        ],
        reals: vec![
            ("epsilon".into(), g.epsilon),
            ("alpha".into(), cal.settings.alpha),
        ],
        parameters: keys.clone(),
        integer: cal.parameters.iter().map(|p| p.integer).collect(),
        scale: cal
            .parameters
            .iter()
            .map(|p| p.scale.name().to_string())
            .collect(),
        prior_min: cal.parameters.iter().map(|p| p.min).collect(),
        prior_max: cal.parameters.iter().map(|p| p.max).collect(),
        samples: samples.clone(),
        weights: weights.clone(),
        distances: distances.clone(),
        generations: columns.clone(),
    };
    let posterior_path = out.join("posterior.h5");
    write_posterior(&posterior_path, &posterior)
        .context(|| format!("writing {}", posterior_path.display()))?;

    let diagnostics = out.join("diagnostics.csv");
    write_columns_csv(&diagnostics, &columns)?;

    // The closest particle (kept closest first) and its fit.
    let best = &g.kept[0];
    let results = gen_dir(out, best.generation).join("results.h5");
    let yearly = SweepYearly::open(&results)
        .and_then(|r| r.point(best.point as usize))
        .context(|| format!("cannot read point {} of {}", best.point, results.display()))?;
    let fit = fit_table(&cal.targets, &yearly);
    let fit_path = out.join("fit.csv");
    write_fit_csv(&fit_path, &fit).map_err(|e| Error::Io {
        context: format!("writing {}", fit_path.display()),
        source: std::io::Error::other(e),
    })?;
    let best_path = out.join("best.toml");
    let text = best_toml(
        cal,
        out,
        &samples[0],
        best.distance,
        generations,
        last.simulations,
    );
    write_atomically(&best_path, text.as_bytes())?;

    let estimates = keys
        .iter()
        .enumerate()
        .map(|(j, key)| {
            let column: Vec<f64> = samples.iter().map(|s| s[j]).collect();
            (
                key.clone(),
                moments.last().expect("a generation")[j].0,
                weighted_quantile(&column, &weights, 0.025),
                weighted_quantile(&column, &weights, 0.975),
            )
        })
        .collect();
    Ok(Finished {
        generations,
        candidates: g.candidates,
        simulations: last.simulations,
        epsilon: g.epsilon,
        ess: last.ess,
        kept: cal.settings.kept(),
        stop,
        estimates,
        fit,
        files: vec![posterior_path, best_path, diagnostics, fit_path],
    })
}

fn write_columns_csv(path: &Path, columns: &[(String, Column)]) -> Result<(), Error> {
    let mut text = columns
        .iter()
        .map(|(n, _)| n.clone())
        .collect::<Vec<_>>()
        .join(",");
    text.push('\n');
    let rows = match columns.first() {
        Some((_, Column::U64(v))) => v.len(),
        Some((_, Column::F64(v))) => v.len(),
        Some((_, Column::Text(v))) => v.len(),
        None => 0,
    };
    for i in 0..rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|(_, c)| match c {
                Column::U64(v) => v[i].to_string(),
                Column::F64(v) => v[i].to_string(),
                Column::Text(v) => v[i].clone(),
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    write_atomically(path, text.as_bytes())
}

/// The path of `to` relative to the folder `from` (both made absolute), for `extends`.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let (Ok(from), Ok(to)) = (std::fs::canonicalize(from), std::fs::canonicalize(to)) else {
        return to.to_path_buf();
    };
    let a: Vec<_> = from.components().collect();
    let b: Vec<_> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut path = PathBuf::new();
    for _ in common..a.len() {
        path.push("..");
    }
    for part in &b[common..] {
        path.push(part);
    }
    path
}

/// Run settings: top-level keys of a scenario, which a fragment leaves to the scenario.
fn is_run_setting(key: &str) -> bool {
    !key.contains('.')
}

/// `best.toml`: the closest particle as a scenario that extends the base.
fn best_toml(
    cal: &Calibration,
    out: &Path,
    values: &[f64],
    distance: f64,
    generations: u32,
    simulations: u64,
) -> String {
    let mut table = toml::Table::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut insert = |key: &str, value: toml::Value, skipped: &mut Vec<String>| {
        if is_run_setting(key) {
            skipped.push(format!("{key} = {value}"));
            return;
        }
        let parts: Vec<&str> = key.split('.').collect();
        if crate::policy::FAMILIES.iter().any(|f| f.list() == parts[0]) {
            // An element of a list: a table here would add an element.
            skipped.push(format!("--set {key}={value}"));
            return;
        }
        let mut node = &mut table;
        for part in &parts[..parts.len() - 1] {
            node = node
                .entry(part.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .expect("sections are tables");
        }
        node.insert(parts[parts.len() - 1].to_string(), value);
    };
    for set in &cal.sets {
        let Some((key, raw)) = set.split_once('=') else {
            continue;
        };
        let value = format!("v = {}", raw.trim())
            .parse::<toml::Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(raw.trim().to_string()));
        insert(key.trim(), value, &mut skipped);
    }
    for (p, v) in cal.parameters.iter().zip(values) {
        let value = if p.integer {
            toml::Value::Integer(*v as i64)
        } else {
            toml::Value::Float(*v)
        };
        insert(&p.key, value, &mut skipped);
    }
    let extends = match &cal.base_path {
        None => "builtin:baseline".to_string(),
        Some(path) => relative(out, path).display().to_string(),
    };
    let mut text = String::new();
    text.push_str(&format!(
        "# Calibration {:?} ({}): the particle closest to the targets {:?} ({}),\n",
        cal.name, cal.file, cal.targets.name, cal.targets.file
    ));
    text.push_str(&format!(
        "# at distance {} (root weighted mean squared deviation in tolerance units), among the\n# {} particles kept after {} generations ({} simulations of {} replicate{} per candidate).\n",
        number(distance),
        cal.settings.kept(),
        generations,
        simulations,
        cal.replicates,
        if cal.replicates == 1 { "" } else { "s" }
    ));
    text.push_str(
        "# It extends the calibration's base scenario; a scenario can extend this file, or copy\n# the tables below. The posterior (posterior.h5) holds the uncertainty: `mhsim run --posterior`.\n",
    );
    if !skipped.is_empty() {
        text.push_str("# Left out (run settings and list elements, set them where needed):\n");
        for s in &skipped {
            text.push_str(&format!("#   {s}\n"));
        }
    }
    let quoted = |s: String| toml::Value::String(s).to_string();
    text.push_str(&format!("extends = {}\n", quoted(extends)));
    text.push_str(&format!(
        "name = {}\n",
        quoted(format!("{}_best", cal.name))
    ));
    text.push_str(&format!(
        "description = {}\n\n",
        quoted(format!(
            "{} with the closest particle of calibration {:?}",
            cal.base.run.name, cal.name
        ))
    ));
    text.push_str(&toml::to_string(&table).expect("a table serialises"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_weights_are_warned_about() {
        assert!(degeneracy_warning(1.2, 60).unwrap().contains("1.2 of 60"));
        assert!(degeneracy_warning(5.9, 60).is_some());
        assert!(degeneracy_warning(6.0, 60).is_none());
        assert!(degeneracy_warning(4.9, 10).is_some());
        assert!(degeneracy_warning(5.0, 10).is_none());
    }

    #[test]
    fn weighted_quantiles_and_moments() {
        let values = [3.0, 1.0, 2.0];
        let weights = [0.25, 0.5, 0.25];
        assert_eq!(weighted_quantile(&values, &weights, 0.025), 1.0);
        assert_eq!(weighted_quantile(&values, &weights, 0.6), 2.0);
        assert_eq!(weighted_quantile(&values, &weights, 0.975), 3.0);
        let m = weighted_mean_sd(&[vec![1.0], vec![3.0]], &[0.5, 0.5]);
        assert_eq!(m, [(2.0, 1.0)]);
    }

    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a/b");
        let c = dir.path().join("c");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&c).unwrap();
        std::fs::write(c.join("x.toml"), "").unwrap();
        assert_eq!(
            relative(&a, &c.join("x.toml")),
            PathBuf::from("../../c/x.toml")
        );
    }
}
