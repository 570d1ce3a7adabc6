//! Ensembles: many replicates of one or several scenarios, their summaries across replicates,
//! and paired differences against a baseline scenario.
//!
//! Replicate `r` of every scenario uses the same replicate index and seed, so the scenarios
//! share common random numbers and the per-replicate difference isolates what the scenarios
//! change. Series stream to disk as replicates finish (the results file, or a scratch file
//! with `summary_only`); summaries are then reduced from disk in replicate order, in blocks,
//! so memory does not grow with the number of replicates and nothing depends on the order
//! in which replicates finished.

use std::path::{Path, PathBuf};

use crate::calib::Posterior;
use crate::experiment::progress::{Progress, ProgressOptions};
use crate::experiment::{Context, Error, pool, run_jobs_by};
use crate::output::{
    Discounting, ResultsWriter, Summary, write_comparison, write_comparison_csv, write_summary_csv,
};
use crate::scenario::Scenario;

/// How to run an ensemble.
#[derive(Debug, Clone)]
pub struct EnsembleOptions {
    /// Output folder. One scenario writes `results.h5` and `summary.csv` there; several write
    /// one subfolder each (named after the scenario) plus `comparison.h5` and `comparison.csv`.
    pub out: PathBuf,
    /// Replicates per scenario.
    pub replicates: u32,
    /// The replicate count was set for the run (`--replicates`), overriding the scenarios';
    /// otherwise compared scenarios must agree on it.
    pub replicates_given: bool,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Keep only summaries (the per-replicate series go to a scratch file, then away).
    pub summary_only: bool,
    /// Progress display.
    pub progress: ProgressOptions,
    /// Draw each replicate's parameters from this posterior (the same particle for replicate
    /// `r` of every scenario), applied on top of each scenario as `--set` would.
    pub posterior: Option<Posterior>,
}

/// What an ensemble wrote.
#[derive(Debug)]
pub struct EnsembleReport {
    /// Per scenario: its name, output folder and summary.
    pub runs: Vec<(String, PathBuf, Summary)>,
    /// Per compared scenario (all but the first): its name and the paired differences.
    pub differences: Vec<(String, Summary)>,
    /// The comparison files, when several scenarios were run.
    pub comparison: Option<(PathBuf, PathBuf)>,
    /// With a posterior: the particle each replicate used.
    pub particles: Option<Vec<usize>>,
    /// Seconds taken.
    pub seconds: f64,
}

/// The scenarios a posterior's particles make of `scenarios`: for each replicate, its
/// particle (drawn with the first scenario's seed, which compared scenarios share), the
/// distinct particles in order, and for each scenario one scenario per distinct particle.
#[allow(clippy::type_complexity)]
fn posterior_scenarios(
    scenarios: &[Scenario],
    posterior: &Posterior,
    replicates: u32,
) -> Result<(Vec<usize>, Vec<usize>, Vec<Vec<Scenario>>), Error> {
    let seed = scenarios[0].run.seed;
    let particles: Vec<usize> = (0..u64::from(replicates))
        .map(|r| posterior.draw(seed, r))
        .collect();
    let mut distinct = particles.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let mut variants = Vec::new();
    let mut problems = Vec::new();
    for s in scenarios {
        let text = s.resolved_toml();
        let mut list = Vec::new();
        for &p in &distinct {
            match Scenario::from_str(&text, &s.origin, None, &posterior.sets(p)) {
                Ok(mut v) => {
                    v.source_text = s.source_text.clone();
                    list.push(v);
                }
                Err(e) => {
                    problems.push(format!(
                        "  {}: particle {p} of {} ({}): {e}",
                        s.origin,
                        posterior.file,
                        posterior.sets(p).join(", ")
                    ));
                    break;
                }
            }
        }
        variants.push(list);
    }
    if !problems.is_empty() {
        return Err(Error::Input(format!(
            "the posterior's parameters do not apply to the scenario{}:\n{}",
            if scenarios.len() == 1 { "" } else { "s" },
            problems.join("\n")
        )));
    }
    Ok((particles, distinct, variants))
}

/// A folder name made from a scenario name: letters, digits, `-`, `_` and `.` are kept, any
/// other character becomes `_`, so that a name can never point outside its parent folder.
pub fn folder_name(name: &str) -> String {
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

/// Check that scenarios can be compared replicate by replicate: same people, weeks, burn-in
/// and seed, the same `replicates` unless the run sets one count for all
/// (`replicates_given`), the same discount rates (the paired differences of the totals over
/// the run are discounted once), and distinct output names. Every mismatch is reported at
/// once.
pub fn check_comparable(scenarios: &[Scenario], replicates_given: bool) -> Result<(), Error> {
    let Some(base) = scenarios.first() else {
        return Err(Error::Input("no scenario to run".into()));
    };
    let mut problems = Vec::new();
    for other in &scenarios[1..] {
        let fields: [(&str, u64, u64); 4] = [
            (
                "people",
                u64::from(base.run.people),
                u64::from(other.run.people),
            ),
            (
                "weeks",
                u64::from(base.run.weeks),
                u64::from(other.run.weeks),
            ),
            (
                "burn_in_weeks",
                u64::from(base.run.burn_in_weeks),
                u64::from(other.run.burn_in_weeks),
            ),
            ("seed", base.run.seed, other.run.seed),
        ];
        let replicates = (
            "replicates",
            u64::from(base.run.replicates),
            u64::from(other.run.replicates),
        );
        let fields = fields
            .into_iter()
            .chain((!replicates_given).then_some(replicates));
        for (key, a, b) in fields {
            if a != b {
                problems.push(format!(
                    "  {}: {key} = {b}: expected {a}, as in the baseline {} (paired comparisons need the same {key})",
                    other.origin, base.origin
                ));
            }
        }
        for (key, a, b) in [
            (
                "valuation.discount_rate",
                base.valuation.discount_rate,
                other.valuation.discount_rate,
            ),
            (
                "valuation.health_discount_rate",
                base.valuation.health_discount_rate,
                other.valuation.health_discount_rate,
            ),
        ] {
            if a != b {
                problems.push(format!(
                    "  {}: {key} = {b}: expected {a}, as in the baseline {} (a comparison discounts every scenario's totals alike)",
                    other.origin, base.origin
                ));
            }
        }
    }
    let mut seen: Vec<(String, &str)> = Vec::new();
    for s in scenarios {
        let folder = folder_name(&s.run.name);
        if let Some((_, first)) = seen.iter().find(|(f, _)| *f == folder) {
            problems.push(format!(
                "  {}: name = {:?}: expected a name different from that of {first} (each scenario's results go to a folder named after it)",
                s.origin, s.run.name
            ));
        } else {
            seen.push((folder, &s.origin));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Input(format!(
            "{} problem{} comparing the scenarios:\n{}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            problems.join("\n")
        )))
    }
}

/// Run `options.replicates` replicates of every scenario, write each scenario's results and,
/// with several scenarios, the paired differences of each against the first (the baseline).
pub fn run_ensemble(
    scenarios: &[Scenario],
    options: &EnsembleOptions,
) -> Result<EnsembleReport, Error> {
    check_comparable(scenarios, options.replicates_given)?;
    if options.replicates == 0 {
        return Err(Error::Input("--replicates: expected at least 1".into()));
    }
    let started = std::time::Instant::now();
    let replicates = options.replicates as usize;
    let drawn = match &options.posterior {
        Some(posterior) => Some(posterior_scenarios(
            scenarios,
            posterior,
            options.replicates,
        )?),
        None => None,
    };
    let several = scenarios.len() > 1;
    let folders: Vec<PathBuf> = scenarios
        .iter()
        .map(|s| {
            if several {
                options.out.join(folder_name(&s.run.name))
            } else {
                options.out.clone()
            }
        })
        .collect();
    let mut writers = Vec::new();
    for (scenario, folder) in scenarios.iter().zip(&folders) {
        std::fs::create_dir_all(folder)
            .context(|| format!("cannot create output folder {}", folder.display()))?;
        let path = folder.join("results.h5");
        let writer = ResultsWriter::create(&path, scenario, replicates, options.summary_only)
            .context(|| format!("cannot create {}", path.display()))?;
        if let (Some(posterior), Some((particles, _, _))) = (&options.posterior, &drawn) {
            writer
                .write_posterior(&posterior.record(particles))
                .context(|| format!("writing {}", path.display()))?;
        }
        writers.push(writer);
    }
    let pool = pool(options.threads);
    let progress = Progress::new(
        (replicates * scenarios.len()) as u64,
        "replicates",
        options.progress,
    );
    // Replicate r of scenario s: the scenario itself, or its variant with r's particle.
    let slot: Vec<usize> = match &drawn {
        Some((particles, distinct, _)) => particles
            .iter()
            .map(|p| distinct.binary_search(p).expect("a drawn particle"))
            .collect(),
        None => Vec::new(),
    };
    let scenario_of = |s: usize, r: u64| -> &Scenario {
        match &drawn {
            Some((_, _, variants)) => &variants[s][slot[r as usize]],
            None => &scenarios[s],
        }
    };
    run_jobs_by(
        &pool,
        scenarios.len(),
        0..options.replicates,
        scenario_of,
        |s, series| {
            writers[s]
                .write(series.replicate as usize, &series)
                .context(|| format!("writing {}", folders[s].join("results.h5").display()))?;
            progress.inc();
            Ok::<(), Error>(())
        },
    )?;
    progress.finish();
    let summaries: Vec<Summary> = pool.install(|| {
        writers
            .iter()
            .zip(&folders)
            .zip(scenarios)
            .map(|((w, folder), s)| {
                Summary::of(w.series(), Discounting::of(&s.valuation))
                    .context(|| format!("summarising {}", folder.join("results.h5").display()))
            })
            .collect::<Result<_, Error>>()
    })?;
    let differences: Vec<(String, Summary)> = pool.install(|| {
        writers
            .iter()
            .zip(scenarios)
            .skip(1)
            .map(|(w, s)| {
                Summary::of_difference(
                    writers[0].series(),
                    w.series(),
                    Discounting::of(&s.valuation),
                )
                .map(|d| (s.run.name.clone(), d))
                .context(|| format!("paired differences of {}", s.run.name))
            })
            .collect::<Result<_, Error>>()
    })?;
    let mut runs = Vec::new();
    for (((writer, scenario), folder), summary) in writers
        .into_iter()
        .zip(scenarios)
        .zip(&folders)
        .zip(summaries)
    {
        let path = folder.join("results.h5");
        writer
            .finish(&summary)
            .context(|| format!("finishing {}", path.display()))?;
        let csv = folder.join("summary.csv");
        write_summary_csv(&csv, &summary, scenario.run.start_year).map_err(|e| Error::Io {
            context: format!("writing {}", csv.display()),
            source: std::io::Error::other(e),
        })?;
        runs.push((scenario.run.name.clone(), folder.clone(), summary));
    }
    let comparison = if several {
        Some(write_comparisons(
            &options.out,
            scenarios,
            replicates,
            &differences,
        )?)
    } else {
        None
    };
    Ok(EnsembleReport {
        runs,
        differences,
        comparison,
        particles: drawn.map(|(particles, _, _)| particles),
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn write_comparisons(
    out: &Path,
    scenarios: &[Scenario],
    replicates: usize,
    differences: &[(String, Summary)],
) -> Result<(PathBuf, PathBuf), Error> {
    let h5 = out.join("comparison.h5");
    let named: Vec<(String, String, Summary)> = differences
        .iter()
        .map(|(name, d)| (name.clone(), folder_name(name), d.clone()))
        .collect();
    write_comparison(&h5, &scenarios[0], replicates, &named)
        .context(|| format!("writing {}", h5.display()))?;
    let csv = out.join("comparison.csv");
    write_comparison_csv(
        &csv,
        &scenarios[0].run.name,
        differences,
        scenarios[0].run.start_year,
    )
    .map_err(|e| Error::Io {
        context: format!("writing {}", csv.display()),
        source: std::io::Error::other(e),
    })?;
    Ok((h5, csv))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_stay_inside_their_parent() {
        assert_eq!(folder_name("baseline"), "baseline");
        assert_eq!(folder_name("../../etc"), ".._.._etc");
        assert_eq!(folder_name("a b/c"), "a_b_c");
        assert_eq!(folder_name(".."), "scenario");
        assert_eq!(folder_name(""), "scenario");
    }

    #[test]
    fn mismatched_scenarios_are_rejected_all_at_once() {
        let base = Scenario::default();
        let other = Scenario::from_str(
            "extends = \"builtin:baseline\"\nname = \"baseline\"\npeople = 2000\nseed = 3\n",
            "other.toml",
            None,
            &[],
        )
        .unwrap();
        let err = check_comparable(&[base.clone(), other.clone()], true)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("3 problems"), "{err}");
        assert!(
            err.contains("other.toml: people = 2000: expected 10000"),
            "{err}"
        );
        assert!(err.contains("other.toml: seed = 3"), "{err}");
        assert!(err.contains("name = \"baseline\""), "{err}");
        let fewer = Scenario::from_str(
            "extends = \"builtin:baseline\"\nname = \"fewer\"\nreplicates = 3\n",
            "fewer.toml",
            None,
            &[],
        )
        .unwrap();
        let err = check_comparable(&[base.clone(), fewer.clone()], false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("fewer.toml: replicates = 3: expected 20"),
            "{err}"
        );
        assert!(check_comparable(&[base.clone(), fewer], true).is_ok());
        // Discounted at other rates, the paired totals would mean nothing.
        let rates = Scenario::from_str(
            "extends = \"builtin:baseline\"\nname = \"rates\"\n[valuation]\nhealth_discount_rate = 0.015\n",
            "rates.toml",
            None,
            &[],
        )
        .unwrap();
        let err = check_comparable(&[base, rates], true)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("1 problem "), "{err}");
        assert!(
            err.contains("rates.toml: valuation.health_discount_rate = 0.015: expected 0.035"),
            "{err}"
        );
    }
}
