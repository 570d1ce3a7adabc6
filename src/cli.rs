//! Command-line interface: the clap definitions and what each command does.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use mhsim::experiment::{progress::Progress, run_replicates};
use mhsim::network::Setting;
use mhsim::output::{FinalYear, ResultsWriter, write_summary_csv};
use mhsim::population::Employment;
use mhsim::record::{Metric, strata};
use mhsim::scenario::Scenario;

/// Agent-based simulator of community mental health under social change.
#[derive(Parser, Debug)]
#[command(name = "mhsim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario (the built-in baseline when no file is given) and write results.h5 and summary.csv.
    Run(RunArgs),
    /// Check a scenario file and report every problem.
    Validate(ScenarioArgs),
    /// Print the parameter table (Markdown): meaning, unit, default, accepted values, source.
    Params,
    /// Build one replicate's population and networks and print their statistics.
    Describe(DescribeArgs),
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
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Output folder [default: outputs/<scenario name>].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Number of replicates [default: the scenario's `replicates`].
    #[arg(long)]
    pub replicates: Option<u32>,
    /// Worker threads [default: all cores].
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// No progress bar and no summary on stdout.
    #[arg(long, short)]
    pub quiet: bool,
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

fn load(args: &ScenarioArgs) -> anyhow::Result<Scenario> {
    Scenario::load(args.scenario.as_deref(), &args.set).map_err(|e| BadInput(e.to_string()).into())
}

pub fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Validate(args) => {
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
            Ok(())
        }
        Command::Params => emit(&mhsim::params::markdown_table()),
        Command::Describe(args) => describe(args),
    }
}

fn run(args: RunArgs) -> anyhow::Result<()> {
    let scenario = load(&args.scenario)?;
    let replicates = args.replicates.unwrap_or(scenario.run.replicates);
    if replicates == 0 {
        return Err(BadInput("--replicates: expected at least 1".into()).into());
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("outputs").join(folder_name(&scenario.run.name)));
    std::fs::create_dir_all(&out)
        .with_context(|| format!("cannot create output folder {}", out.display()))?;
    let results = out.join("results.h5");
    let started = std::time::Instant::now();
    let mut writer = ResultsWriter::create(&results, &scenario, replicates as usize)
        .with_context(|| format!("cannot create {}", results.display()))?;
    let mut final_year = FinalYear::new(replicates as usize, 52.min(scenario.run.weeks as usize));
    let progress = Progress::new(u64::from(replicates), "replicates", args.quiet);
    run_replicates(
        &scenario,
        0..replicates,
        args.threads,
        |series| -> anyhow::Result<()> {
            let index = series.replicate as usize;
            writer.write(index, &series).context("writing results.h5")?;
            final_year.add(index, &series);
            progress.inc();
            Ok(())
        },
    )?;
    progress.finish();
    writer.finish(&final_year).context("finishing results.h5")?;
    let last = scenario.run.start_year + scenario.run.weeks.div_ceil(52) - 1;
    let period = format!(
        "final year ({last}, last {} weeks)",
        52.min(scenario.run.weeks)
    );
    write_summary_csv(&out.join("summary.csv"), &final_year, &period)
        .map_err(|e| anyhow::anyhow!("writing summary.csv: {e}"))?;
    if !args.quiet {
        let [mean, lo, hi] = final_year.summarise();
        let names = strata();
        println!(
            "{}: {} replicates of {} people over {} weeks in {:.1} s",
            scenario.run.name,
            replicates,
            scenario.run.people,
            scenario.run.weeks,
            started.elapsed().as_secs_f64()
        );
        println!("{period}, mean [95% interval] across replicates:");
        for metric in [
            Metric::Prevalence,
            Metric::Incidence,
            Metric::Ghq12Caseness,
            Metric::Wemwbs,
        ] {
            let m = Metric::ALL.iter().position(|x| *x == metric).unwrap_or(0);
            let i = m * names.len();
            println!(
                "  {:<16} {:>9.4} [{:.4}, {:.4}] {}",
                metric.name(),
                mean[i],
                lo[i],
                hi[i],
                metric.unit()
            );
        }
        println!(
            "wrote {} and {}",
            results.display(),
            out.join("summary.csv").display()
        );
    }
    Ok(())
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

/// A folder name made from a scenario name: letters, digits, `-`, `_` and `.` are kept, any
/// other character becomes `_`, so that a name can never point outside `outputs/`.
fn folder_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match safe.trim_matches('.') {
        "" => "scenario".to_string(),
        _ => safe,
    }
}

#[cfg(test)]
mod tests {
    use super::folder_name;

    #[test]
    fn folder_names_stay_inside_outputs() {
        assert_eq!(folder_name("baseline"), "baseline");
        assert_eq!(folder_name("../../etc"), ".._.._etc");
        assert_eq!(folder_name("a b/c"), "a_b_c");
        assert_eq!(folder_name(".."), "scenario");
        assert_eq!(folder_name(""), "scenario");
    }
}
