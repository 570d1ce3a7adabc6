//! Command-line interface: the clap definitions and what each command does.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use mhsim::experiment::ensemble::{EnsembleOptions, folder_name, run_ensemble};
use mhsim::experiment::progress::ProgressOptions;
use mhsim::network::Setting;
use mhsim::output::{CI_HI, CI_LO, MEAN, Q025, Q975};
use mhsim::population::Employment;
use mhsim::record::{Metric, N_STRATA};
use mhsim::scenario::Scenario;
use mhsim::sweep;

/// Agent-based simulator of community mental health under social change.
#[derive(Parser, Debug)]
#[command(name = "mhsim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run one or more scenarios (the built-in baseline when no file is given) and write
    /// results.h5 and summary.csv; several scenarios are also compared with the first.
    Run(RunArgs),
    /// Parameter sweeps: plan (a manifest, and a SLURM script with --shards), run, merge.
    #[command(subcommand)]
    Sweep(SweepCommand),
    /// Check a scenario or sweep file and report every problem.
    Validate(ScenarioArgs),
    /// Print the parameter table (Markdown): meaning, unit, default, accepted values, source.
    Params,
    /// Build one replicate's population and networks and print their statistics.
    Describe(DescribeArgs),
    /// Make a report (report.html, figures as SVG and PNG, tables as CSV) from a run's
    /// results.h5, a comparison's folder, a sweep's folder or a calibration's folder.
    Report(ReportArgs),
    /// Compare a run's results with calibration targets: a table on stdout and fit.csv
    /// (with --report, also the run's report with the fit).
    Fit(FitArgs),
    /// Estimate parameters against targets by ABC (adaptive population Monte Carlo), one
    /// sweep per generation; resumable; writes posterior.h5, best.toml, diagnostics.csv and
    /// fit.csv.
    Calibrate(CalibrateArgs),
}

#[derive(Args, Debug)]
pub struct CalibrateArgs {
    /// The calibration file (TOML).
    pub calibration: PathBuf,
    /// The calibration folder (created, or continued when it holds this calibration).
    #[arg(long)]
    pub out: PathBuf,
    /// Worker threads of the local sweeps [default: all cores].
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Plan each generation as a SLURM job array of this many shards and stop until it has
    /// run (exit code 3); run the command again to merge it and go on.
    #[arg(long)]
    pub shards: Option<u32>,
    /// CPUs per array task (with --shards).
    #[arg(long, default_value_t = 4)]
    pub cpus_per_task: u32,
    /// Time limit per array task, e.g. 02:00:00 (with --shards).
    #[arg(long)]
    pub time: Option<String>,
    /// Extra `#SBATCH` option for the job-array scripts (repeatable).
    #[arg(long = "sbatch", value_name = "OPTION", allow_hyphen_values = true)]
    pub sbatch: Vec<String>,
    /// Run up to N generations (generation 0 included) instead of the file's
    /// `abc.max_generations`. Raising it goes on with a calibration that stopped at its old
    /// maximum; the results are those of one run to N.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_generations: Option<u32>,
    /// Stop once this many generations are completed by this invocation, after planning the
    /// next one (to test resuming).
    #[arg(long, hide = true)]
    pub stop_after_generations: Option<u32>,
    /// When it finishes, also make its report (as `mhsim report DIR`) in `DIR/report`.
    #[arg(long)]
    pub report: bool,
    #[command(flatten)]
    pub progress: ProgressArgs,
}

#[derive(Args, Debug)]
pub struct FitArgs {
    /// A run's results.h5 (or its folder).
    pub results: PathBuf,
    /// The targets file (TOML), e.g. scenarios/targets/england.toml.
    #[arg(long)]
    pub targets: PathBuf,
    /// Where to write fit.csv [default: beside the results].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Exit with code 1 when a target the run covers is outside its tolerance.
    #[arg(long)]
    pub strict: bool,
    /// Also make the run's report with the section "Fit to calibration targets" (as
    /// `mhsim report RESULTS --targets FILE`), in `report/` beside the results.
    #[arg(long)]
    pub report: bool,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A run's results.h5 (or its folder), a comparison's comparison.h5 (or its folder), a
    /// sweep's folder (or its results.h5), or a calibration's folder (or its posterior.h5).
    pub path: PathBuf,
    /// Report folder [default: `report` beside the results].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Calibration targets (TOML): adds the section "Fit to calibration targets" (a run, or
    /// a comparison's baseline; not for sweeps or calibrations).
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
}

/// A scenario and overrides.
#[derive(Args, Debug)]
pub struct ScenarioArgs {
    /// Scenario file (TOML). Without one, the built-in baseline is used.
    pub scenario: Option<PathBuf>,
    /// Override a parameter, e.g. `--set dynamics.kappa=0.2` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario files (TOML). Without any, the built-in baseline. With several, each runs
    /// with the same replicates and seeds, and the others are compared with the first.
    pub scenarios: Vec<PathBuf>,
    /// Override a parameter in every scenario, e.g. `--set dynamics.kappa=0.2` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Output folder [default: outputs/<scenario name>, or outputs/<a>-vs-<b>... for several].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Number of replicates [default: the (first) scenario's `replicates`].
    #[arg(long)]
    pub replicates: Option<u32>,
    /// Worker threads [default: all cores].
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Keep only the summaries: no per-replicate series in results.h5.
    #[arg(long)]
    pub summary_only: bool,
    /// Also make the report (as `mhsim report`) in `report/` in the output folder.
    #[arg(long)]
    pub report: bool,
    /// With --report: calibration targets (TOML) for the report's section "Fit to
    /// calibration targets" (of the first scenario); read before anything runs.
    #[arg(long, value_name = "FILE", requires = "report")]
    pub targets: Option<PathBuf>,
    /// Draw each replicate's parameters from a calibration's posterior.h5 (by weight; the
    /// same particle for replicate r of every scenario), applied on top of each scenario.
    #[arg(long, value_name = "POSTERIOR.h5")]
    pub posterior: Option<PathBuf>,
    #[command(flatten)]
    pub progress: ProgressArgs,
}

/// How progress is shown.
#[derive(Args, Debug)]
pub struct ProgressArgs {
    /// No progress display and no summary on stdout.
    #[arg(long, short)]
    pub quiet: bool,
    /// Seconds between plain progress lines on stderr when it is not a terminal (cluster
    /// logs); 0 for none.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub progress_every: f64,
}

impl ProgressArgs {
    fn options(&self) -> ProgressOptions {
        ProgressOptions {
            quiet: self.quiet,
            every: self.progress_every,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum SweepCommand {
    /// Check a sweep file, expand its design and write the plan (manifest.json; with
    /// --shards also submit.sbatch, a SLURM job array).
    Plan(PlanArgs),
    /// Run a planned sweep, or one shard of it; finished points are kept and skipped when
    /// started again.
    Run(SweepRunArgs),
    /// Combine the shards of a plan into results.h5.
    Merge(MergeArgs),
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The sweep file (TOML).
    pub sweep: PathBuf,
    /// The sweep folder to create.
    #[arg(long)]
    pub out: PathBuf,
    /// Split the points into this many shards (one SLURM array task each) and write
    /// submit.sbatch [default: 1 shard, no script].
    #[arg(long)]
    pub shards: Option<u32>,
    /// CPUs per array task (worker threads of each shard).
    #[arg(long, default_value_t = 4)]
    pub cpus_per_task: u32,
    /// Time limit per array task, e.g. 02:00:00 (SLURM's default when not given).
    #[arg(long)]
    pub time: Option<String>,
    /// Extra `#SBATCH` option for submit.sbatch, e.g. `--sbatch=--partition=short` (repeatable).
    #[arg(long = "sbatch", value_name = "OPTION", allow_hyphen_values = true)]
    pub sbatch: Vec<String>,
}

#[derive(Args, Debug)]
pub struct SweepRunArgs {
    /// The sweep folder written by `mhsim sweep plan`.
    pub dir: PathBuf,
    /// Run only this shard (0-based) and write shards/shard-NNNN.h5.
    #[arg(long)]
    pub shard: Option<u32>,
    /// Worker threads [default: all cores].
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Stop after this many points have been finished in this invocation (to test resuming).
    #[arg(long, hide = true)]
    pub stop_after: Option<usize>,
    #[command(flatten)]
    pub progress: ProgressArgs,
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// The sweep folder whose shards are all done.
    pub dir: PathBuf,
}

#[derive(Args, Debug)]
pub struct DescribeArgs {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Which replicate's population to build.
    #[arg(long, default_value_t = 0)]
    pub replicate: u32,
    /// People sampled for the clustering coefficient.
    #[arg(long, default_value_t = 2000)]
    pub sample: usize,
}

/// Input the user must fix (exit code 2), as opposed to a failure while running.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// A calibration waits for a submitted job array (exit code 3): run it, then run again.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Pending(pub String);

fn load(args: &ScenarioArgs) -> anyhow::Result<Scenario> {
    Scenario::load(args.scenario.as_deref(), &args.set).map_err(|e| BadInput(e.to_string()).into())
}

pub fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Validate(args) => {
            if let Some(path) = args.scenario.as_deref().filter(|p| is_calibration_file(p)) {
                let c =
                    mhsim::calib::Calibration::load(path).map_err(|e| BadInput(e.to_string()))?;
                println!(
                    "{}: valid calibration ({} parameter{}, {} target{}, {} particles, {} replicate{} per candidate)",
                    path.display(),
                    c.parameters.len(),
                    if c.parameters.len() == 1 { "" } else { "s" },
                    c.targets.targets.len(),
                    if c.targets.targets.len() == 1 {
                        ""
                    } else {
                        "s"
                    },
                    c.settings.particles,
                    c.replicates,
                    if c.replicates == 1 { "" } else { "s" }
                );
                return Ok(());
            }
            if let Some(path) = args.scenario.as_deref().filter(|p| is_sweep_file(p)) {
                let plan = sweep::Sweep::load(path).map_err(|e| BadInput(e.to_string()))?;
                println!(
                    "{}: valid sweep ({} points x {} replicates, {})",
                    path.display(),
                    plan.points.len(),
                    plan.replicates,
                    plan.design.describe()
                );
                return Ok(());
            }
            let s = load(&args)?;
            println!(
                "{}: valid ({} people, {} weeks after {} weeks of burn-in, {} replicates, seed {})",
                s.origin,
                s.run.people,
                s.run.weeks,
                s.run.burn_in_weeks,
                s.run.replicates,
                s.run.seed
            );
            for p in &s.policies {
                println!("  {}", describe_policy(p));
            }
            Ok(())
        }
        Command::Params => emit(&mhsim::params::markdown_table()),
        Command::Describe(args) => describe(args),
        Command::Sweep(command) => sweep_command(command),
        Command::Report(args) => {
            let targets = load_targets(args.targets.as_deref())?;
            report(&args.path, args.out.as_deref(), false, targets.as_ref())
        }
        Command::Fit(args) => fit(&args),
        Command::Calibrate(args) => calibrate(&args),
    }
}

/// A calibration file names `targets`, which no scenario or sweep file does.
fn is_calibration_file(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .is_some_and(|t| t.contains_key("targets") && !t.contains_key("design"))
}

/// `mhsim calibrate`.
fn calibrate(args: &CalibrateArgs) -> anyhow::Result<()> {
    use mhsim::calib::{CalibrateOptions, Outcome};
    let mut cal =
        mhsim::calib::Calibration::load(&args.calibration).map_err(|e| BadInput(e.to_string()))?;
    if let Some(n) = args.max_generations {
        cal.settings.max_generations = n;
    }
    let options = CalibrateOptions {
        out: args.out.clone(),
        threads: args.threads,
        shards: args.shards,
        cpus_per_task: args.cpus_per_task,
        time: args.time.clone(),
        sbatch: args.sbatch.clone(),
        progress: args.progress.options(),
        stop_after_generations: args.stop_after_generations,
    };
    let quiet = args.progress.quiet;
    if !quiet {
        println!(
            "calibration {:?}: {} parameter{}, {} targets, {} particles (keeping {}), {} replicate{} per candidate, in {}",
            cal.name,
            cal.parameters.len(),
            if cal.parameters.len() == 1 { "" } else { "s" },
            cal.targets.targets.len(),
            cal.settings.particles,
            cal.settings.kept(),
            cal.replicates,
            if cal.replicates == 1 { "" } else { "s" },
            args.out.display()
        );
    }
    let mut line = |g: &mhsim::calib::calibrate::GenerationReport| {
        if !quiet {
            println!("{g}");
        }
    };
    match mhsim::calib::calibrate(&cal, &options, &mut line).map_err(lift)? {
        Outcome::Pending(pending) => {
            println!("{pending}");
            Err(Pending(format!(
                "generation {} waits for its job array",
                pending.generation
            ))
            .into())
        }
        Outcome::Finished(done) => {
            if let Some(warning) = done.degeneracy_warning() {
                eprintln!("warning: {warning}");
            }
            if quiet {
                if args.report {
                    report(&args.out, None, true, None)?;
                }
                return Ok(());
            }
            println!(
                "stopped after {} generations ({} simulations; {}): epsilon {}, ESS {:.1}",
                done.generations,
                done.simulations,
                done.stop.describe(),
                mhsim::calib::fit::num(done.epsilon),
                done.ess
            );
            println!("posterior: weighted mean [95% interval]");
            for (key, mean, lo, hi) in &done.estimates {
                println!(
                    "  {key:<32} {} [{}, {}]",
                    mhsim::calib::fit::num(*mean),
                    mhsim::calib::fit::num(*lo),
                    mhsim::calib::fit::num(*hi)
                );
            }
            println!("fit of the closest particle:");
            print!("{}", mhsim::calib::format_table(&done.fit));
            for file in &done.files {
                println!("wrote {}", file.display());
            }
            if args.report {
                report(&args.out, None, false, None)?;
            }
            Ok(())
        }
    }
}

/// One line about a shock or policy: list, kind, label and window.
fn describe_policy(p: &mhsim::policy::PolicySpec) -> String {
    let mut window = format!("from week {}", p.start_week);
    if p.ramp_weeks > 0 {
        window += &format!(", reaching full strength over {} weeks", p.ramp_weeks);
    }
    if let Some(end) = p.end_week {
        window += &format!(", until week {end}");
        if p.fade_weeks > 0 {
            window += &format!(" then fading over {} weeks", p.fade_weeks);
        }
    }
    let label = if p.label == p.kind.name() {
        String::new()
    } else {
        format!(" \"{}\"", p.label)
    };
    format!(
        "{}[{}] {}{label}: {window}",
        p.family.list(),
        p.index,
        p.kind.name()
    )
}

/// A sweep file has a `[design]` table, which no scenario has.
fn is_sweep_file(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .is_some_and(|t| t.contains_key("design"))
}

/// Library errors the user must fix become [`BadInput`] (exit code 2).
fn lift(e: mhsim::experiment::Error) -> anyhow::Error {
    match e {
        mhsim::experiment::Error::Input(message) => BadInput(message).into(),
        other => other.into(),
    }
}

/// Read a targets file, if one is given; its problems are input to fix (exit code 2).
fn load_targets(path: Option<&Path>) -> anyhow::Result<Option<mhsim::calib::Targets>> {
    path.map(|p| mhsim::calib::Targets::load(p).map_err(|e| BadInput(e.to_string()).into()))
        .transpose()
}

fn run(args: RunArgs) -> anyhow::Result<()> {
    let scenarios: Vec<Scenario> = if args.scenarios.is_empty() {
        vec![Scenario::load(None, &args.set).map_err(|e| BadInput(e.to_string()))?]
    } else {
        // Every file is read before anything runs, and every file's problems are reported.
        let mut loaded = Vec::new();
        let mut problems = Vec::new();
        for path in &args.scenarios {
            match Scenario::load(Some(path), &args.set) {
                Ok(s) => loaded.push(s),
                Err(e) => problems.push(e.to_string()),
            }
        }
        if !problems.is_empty() {
            return Err(BadInput(problems.join("\n")).into());
        }
        loaded
    };
    // Targets are checked before anything runs.
    let targets = load_targets(args.targets.as_deref())?;
    let replicates = args.replicates.unwrap_or(scenarios[0].run.replicates);
    if replicates == 0 {
        return Err(BadInput("--replicates: expected at least 1".into()).into());
    }
    let out = args.out.clone().unwrap_or_else(|| {
        let names: Vec<String> = scenarios.iter().map(|s| folder_name(&s.run.name)).collect();
        Path::new("outputs").join(names.join("-vs-"))
    });
    let posterior = match &args.posterior {
        Some(path) => {
            let posterior = mhsim::calib::Posterior::load(path).map_err(BadInput)?;
            let warning = mhsim::calib::calibrate::degeneracy_warning(
                posterior.ess(),
                posterior.samples.len(),
            );
            if let Some(warning) = warning {
                eprintln!("warning: {}: {warning}", path.display());
            }
            Some(posterior)
        }
        None => None,
    };
    let spread = posterior.as_ref().map(|p| (p.ess(), p.samples.len()));
    let options = EnsembleOptions {
        out,
        replicates,
        replicates_given: args.replicates.is_some(),
        threads: args.threads,
        summary_only: args.summary_only,
        progress: args.progress.options(),
        posterior,
    };
    let out = options.out.clone();
    let report = run_ensemble(&scenarios, &options).map_err(lift)?;
    if args.progress.quiet {
        if args.report {
            self::report(&out, None, true, targets.as_ref())?;
        }
        return Ok(());
    }
    let first = &scenarios[0];
    println!(
        "{} scenario{} x {} replicates of {} people over {} weeks in {:.1} s",
        scenarios.len(),
        if scenarios.len() == 1 { "" } else { "s" },
        replicates,
        first.run.people,
        first.run.weeks,
        report.seconds
    );
    if let (Some(particles), Some(path), Some((ess, n))) =
        (&report.particles, &args.posterior, spread)
    {
        let mut distinct = particles.clone();
        distinct.sort_unstable();
        distinct.dedup();
        println!(
            "parameters drawn from {} (effective sample size {ess:.1} of {n} particles): {} distinct particles over {} replicates (recorded in /posterior of results.h5)",
            path.display(),
            distinct.len(),
            particles.len()
        );
    }
    let shown = [
        Metric::Prevalence,
        Metric::Incidence,
        Metric::Ghq12Caseness,
        Metric::Wemwbs,
        Metric::TreatmentShare,
        Metric::WaitMedian,
        Metric::Crises,
        Metric::CostTotal,
    ];
    let index = |metric: Metric| Metric::ALL.iter().position(|x| *x == metric).unwrap_or(0);
    for (name, folder, summary) in &report.runs {
        println!(
            "{name}: {}, mean [95% interval] across replicates:",
            summary.period(first.run.start_year)
        );
        let (mean, lo, hi) = (
            summary.final_stat(MEAN),
            summary.final_stat(Q025),
            summary.final_stat(Q975),
        );
        for metric in shown {
            let i = index(metric) * N_STRATA;
            println!(
                "  {:<16} {:>11.4} [{:.4}, {:.4}] {}",
                metric.name(),
                mean[i],
                lo[i],
                hi[i],
                metric.unit()
            );
        }
        println!(
            "  wrote {} and {}",
            folder.join("results.h5").display(),
            folder.join("summary.csv").display()
        );
    }
    for (name, diff) in &report.differences {
        println!(
            "{name} minus {}: mean paired difference [95% confidence interval], and the 95% \
             range of the replicates' paired differences:",
            first.run.name
        );
        let (mean, lo, hi, q025, q975) = (
            diff.final_stat(MEAN),
            diff.final_stat(CI_LO),
            diff.final_stat(CI_HI),
            diff.final_stat(Q025),
            diff.final_stat(Q975),
        );
        for metric in shown {
            let i = index(metric) * N_STRATA;
            println!(
                "  {:<16} {:>+9.4} [{:+.4}, {:+.4}] range {:+.4} to {:+.4} {}",
                metric.name(),
                mean[i],
                lo[i],
                hi[i],
                q025[i],
                q975[i],
                metric.unit()
            );
        }
        println!("  {}:", diff.run_period(first.run.start_year));
        let (mean, lo, hi) = (
            diff.discounted_stat(MEAN),
            diff.discounted_stat(CI_LO),
            diff.discounted_stat(CI_HI),
        );
        for (metric, unit) in [
            (Metric::CostTotal, "GBP"),
            (Metric::QalysWeek, "QALYs"),
            (Metric::WellbysWeek, "WELLBYs"),
        ] {
            let i = index(metric) * N_STRATA;
            println!(
                "  {:<16} {:>+9.4} [{:+.4}, {:+.4}] {unit}",
                metric.name(),
                mean[i],
                lo[i],
                hi[i],
            );
        }
    }
    if let Some((h5, csv)) = &report.comparison {
        println!("wrote {} and {}", h5.display(), csv.display());
    }
    if args.report {
        self::report(&out, None, false, targets.as_ref())?;
    }
    Ok(())
}

/// Outside targets under `mhsim fit --strict` (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Outside(pub String);

/// What a folder without a run's `results.h5` is, and what to fit instead, if it is the
/// folder of a comparison, a sweep or a calibration.
fn not_a_run(dir: &Path) -> Option<&'static str> {
    use mhsim::output::FolderKind;
    match FolderKind::of(dir) {
        Some(FolderKind::Run) => None,
        Some(FolderKind::Sweep) => {
            Some("a sweep's folder, not a run: fit one point's run (`mhsim run` with its values)")
        }
        Some(FolderKind::Comparison) => Some(
            "a comparison's folder: fit one scenario's run (its subfolder), or make the \
             comparison's report with the fit of its baseline (`mhsim report DIR --targets FILE`)",
        ),
        Some(FolderKind::Calibration) => Some(
            "a calibration's folder: the fit of its closest particle is fit.csv in it, and \
             `mhsim report DIR` shows it; to fit its best.toml, run it and fit that run",
        ),
        None => Some("no results.h5 in this folder: give a run's results.h5 or its folder"),
    }
}

/// `mhsim fit`: the fit table of a run against a targets file.
fn fit(args: &FitArgs) -> anyhow::Result<()> {
    let targets =
        mhsim::calib::Targets::load(&args.targets).map_err(|e| BadInput(e.to_string()))?;
    let path = if args.results.is_dir() {
        if let Some(kind) = not_a_run(&args.results) {
            return Err(BadInput(format!("{}: {kind}", args.results.display())).into());
        }
        args.results.join("results.h5")
    } else {
        args.results.clone()
    };
    let results = mhsim::output::read::read_results(&path).map_err(|e| {
        BadInput(format!(
            "{}: cannot read a run's results: {e}",
            path.display()
        ))
    })?;
    let table = mhsim::calib::fit_run(&results, &targets);
    print!("{}", mhsim::calib::format_table(&table));
    let dir = match &args.out {
        Some(d) => d.clone(),
        None => path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    };
    std::fs::create_dir_all(&dir)?;
    let csv = dir.join("fit.csv");
    mhsim::calib::write_fit_csv(&csv, &table)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", csv.display()))?;
    println!("wrote {}", csv.display());
    if args.report {
        report(&path, None, false, Some(&targets))?;
    }
    if table.covered() == 0 {
        return Err(BadInput(format!(
            "the run ({}, {} weeks from {}) covers none of the targets' years",
            results.name, results.weeks, results.start_year
        ))
        .into());
    }
    if args.strict && table.inside() < table.covered() {
        return Err(Outside(format!(
            "{} of {} covered targets are outside their tolerance",
            table.covered() - table.inside(),
            table.covered()
        ))
        .into());
    }
    Ok(())
}

/// Make the report for the results at `path`, with the fit to `targets` when given.
fn report(
    path: &Path,
    out: Option<&Path>,
    quiet: bool,
    targets: Option<&mhsim::calib::Targets>,
) -> anyhow::Result<()> {
    let options = mhsim::report::ReportOptions { targets };
    let files = mhsim::report::write_report_with(path, out, &options).map_err(|e| match e {
        mhsim::report::ReportError::Input(message) => anyhow::Error::from(BadInput(message)),
        other => other.into(),
    })?;
    if !quiet {
        println!(
            "wrote {} ({} files in {})",
            files.files[0].display(),
            files.files.len(),
            files.dir.display()
        );
    }
    Ok(())
}

fn sweep_command(command: SweepCommand) -> anyhow::Result<()> {
    match command {
        SweepCommand::Plan(args) => {
            let plan = sweep::Sweep::load(&args.sweep).map_err(|e| BadInput(e.to_string()))?;
            let options = sweep::PlanOptions {
                shards: args.shards.unwrap_or(1),
                script: args.shards.is_some(),
                cpus_per_task: args.cpus_per_task,
                time: args.time,
                sbatch: args.sbatch,
                then: None,
            };
            let report = sweep::plan(&plan, &args.out, &options).map_err(lift)?;
            println!("{report}");
            Ok(())
        }
        SweepCommand::Run(args) => {
            let options = sweep::RunOptions {
                shard: args.shard,
                threads: args.threads,
                progress: args.progress.options(),
                stop_after: args.stop_after,
            };
            let report = sweep::run(&args.dir, &options).map_err(lift)?;
            if !args.progress.quiet {
                println!("{report}");
            }
            Ok(())
        }
        SweepCommand::Merge(args) => {
            let report = sweep::merge(&args.dir).map_err(lift)?;
            println!("{report}");
            Ok(())
        }
    }
}

fn describe(args: DescribeArgs) -> anyhow::Result<()> {
    let mut out = String::new();
    macro_rules! outln {
        ($($arg:tt)*) => {{
            use std::fmt::Write as _;
            let _ = writeln!(out, $($arg)*);
        }};
    }
    let scenario = load(&args.scenario)?;
    let t0 = std::time::Instant::now();
    let world = mhsim::sim::World::new(&scenario, u64::from(args.replicate));
    let built = t0.elapsed().as_secs_f64();
    let pop = &world.pop;
    let n = pop.len() as f64;
    let share = |f: &dyn Fn(usize) -> bool| (0..pop.len()).filter(|&p| f(p)).count() as f64 / n;
    outln!("# {} (replicate {})\n", scenario.run.name, args.replicate);
    outln!("Built population and networks in {built:.2} s.\n");
    outln!("## Population\n");
    outln!("| quantity | value |\n|---|---|");
    outln!("| people | {} |", pop.len());
    outln!(
        "| households | {} (mean size {:.2}) |",
        pop.households.n_groups(),
        n / pop.households.n_groups() as f64
    );
    outln!("| neighbourhoods | {} |", pop.deprivation_decile.len());
    outln!(
        "| female | {:.3} |",
        share(&|p| pop.sex[p] == mhsim::population::Sex::Female)
    );
    outln!(
        "| aged 0-15 / 16-64 / 65+ | {:.3} / {:.3} / {:.3} |",
        share(&|p| pop.age[p] < 16),
        share(&|p| (16..65).contains(&pop.age[p])),
        share(&|p| pop.age[p] >= 65)
    );
    outln!(
        "| marginalised group | {:.3} |",
        share(&|p| pop.marginalised(p))
    );
    for e in Employment::ADULT {
        outln!(
            "| {} | {:.3} |",
            e.name(),
            share(&|p| pop.circumstances[p].employment == e)
        );
    }
    outln!("| in poverty | {:.3} |", share(&|p| pop.poor(p)));
    outln!(
        "| problem debt | {:.3} |",
        share(&|p| pop.circumstances[p].problem_debt)
    );
    outln!(
        "| arrears | {:.3} |",
        share(&|p| pop.circumstances[p].arrears)
    );
    outln!(
        "| often lonely | {:.3} |",
        share(&|p| pop.circumstances[p].lonely)
    );
    outln!("| 4+ ACEs | {:.3} |", share(&|p| pop.aces[p] >= 4));
    outln!(
        "| in an episode at the start | {:.3} |",
        world.n_ill() as f64 / n
    );
    outln!("\n## Network layers\n");
    outln!(
        "| layer | weight | people with ties | mean degree | mean degree (connected) | max degree | clustering | largest component |"
    );
    outln!("|---|---|---|---|---|---|---|---|");
    let mut contacts = 0.0;
    for setting in Setting::ALL {
        let st = world.net.layer_stats(pop, setting, args.sample);
        contacts += st.mean_degree;
        outln!(
            "| {} | {:.2} | {} | {:.2} | {:.2} | {} | {:.3} | {} |",
            setting.name(),
            st.weight,
            st.people_with_ties,
            st.mean_degree,
            st.mean_degree_connected,
            st.max_degree,
            st.clustering,
            st.largest_component
        );
    }
    outln!("\nMean contacts per person over all layers: {contacts:.2}");
    emit(&out)
}

/// Write text to stdout; a closed pipe (e.g. `mhsim params | head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
