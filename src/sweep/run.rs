//! Running a planned sweep (all points, or one shard's), resuming, and merging shards.
//!
//! A sweep folder:
//!
//! ```text
//! manifest.json             the plan
//! submit.sbatch, logs/      the SLURM job array (with --shards)
//! points/point-NNNNNN.h5    finished points (checkpoints), until gathered
//! shards/shard-NNNN.h5      a finished shard's points
//! results.h5                the sweep's results
//! ```
//!
//! Every point runs its replicates on the thread pool (several points at a time when a point
//! has fewer replicates than there are threads) and is summarised from a scratch file of its
//! series; its summary is then written atomically as a point file. A run that is
//! stopped loses at most the points in progress: started again, it finds the finished point
//! files of its plan and skips them. When all its points are done, a shard gathers them into
//! its shard file (a local run into `results.h5`) and removes the point files. Because a
//! point's summary depends only on the plan and the point (never on threads, shards or the
//! order of work), results gathered from shards are bit-identical to a run in one process.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::experiment::progress::{Progress, ProgressOptions};
use crate::experiment::{Context, Error, pool, run_jobs};
use crate::output::sweep::{
    Column, PackKind, PackReader, PackWriter, SweepInfo, SweepWriter, plan_hash_of,
};
use crate::output::{Discounting, SeriesStore, Staged, Summary};
use crate::sweep::plan::Manifest;

/// Write a small file atomically (temporary name, then rename).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let staged = Staged::new(path);
    std::fs::write(staged.path(), bytes).context(|| format!("cannot write {}", path.display()))?;
    staged
        .commit()
        .context(|| format!("cannot write {}", path.display()))
}

fn point_path(dir: &Path, point: usize) -> PathBuf {
    dir.join("points").join(format!("point-{point:06}.h5"))
}

fn shard_path(dir: &Path, shard: u32) -> PathBuf {
    dir.join("shards").join(format!("shard-{shard:04}.h5"))
}

fn results_path(dir: &Path) -> PathBuf {
    dir.join("results.h5")
}

/// Options of `mhsim sweep run`.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Run only this shard.
    pub shard: Option<u32>,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Progress display.
    pub progress: ProgressOptions,
    /// Stop after this many points finished in this invocation (to test resuming).
    pub stop_after: Option<usize>,
}

/// What a sweep run did.
#[derive(Debug)]
pub struct RunReport {
    /// The file written (or found complete).
    pub target: PathBuf,
    /// Points of this run.
    pub points: usize,
    /// Points found finished and skipped.
    pub skipped: usize,
    /// Points run now.
    pub ran: usize,
    /// The target was already complete: nothing was done.
    pub already_complete: bool,
    /// Seconds taken.
    pub seconds: f64,
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.already_complete {
            return write!(
                f,
                "{} is already complete for this plan; nothing to do",
                self.target.display()
            );
        }
        write!(
            f,
            "ran {} of {} points ({} finished before, skipped) in {:.1} s; wrote {}",
            self.ran,
            self.points,
            self.skipped,
            self.seconds,
            self.target.display()
        )
    }
}

/// Whether `path` holds finished results of the plan `hash`: `Ok(false)` when absent, an
/// error when it belongs to another plan (never overwritten) or cannot be read.
fn finished(path: &Path, hash: &str) -> Result<bool, Error> {
    if !path.exists() {
        return Ok(false);
    }
    let found = plan_hash_of(path).context(|| format!("cannot read {}", path.display()))?;
    if found == hash {
        Ok(true)
    } else {
        Err(Error::Input(format!(
            "{} holds results of another plan ({found}, this plan is {hash}); it is not overwritten: move it away or plan into another folder",
            path.display()
        )))
    }
}

/// Remove temporary files left by a killed run: those of these points (names starting with
/// `.point-NNNNNN.`) and of `target`; only the run that owns a point or a target writes them.
fn remove_leftovers(dir: &Path, points: &[usize], target: &Path) -> Result<(), Error> {
    let mut prefixes: Vec<(PathBuf, String)> = points
        .iter()
        .map(|p| (dir.join("points"), format!(".point-{p:06}.")))
        .collect();
    if let (Some(folder), Some(name)) = (target.parent(), target.file_name()) {
        prefixes.push((
            folder.to_path_buf(),
            format!(".{}.tmp-", name.to_string_lossy()),
        ));
    }
    let folders: std::collections::BTreeSet<&PathBuf> = prefixes.iter().map(|(f, _)| f).collect();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = prefixes
                .iter()
                .any(|(f, prefix)| f == folder && name.starts_with(prefix.as_str()));
            if ours && name.contains(".tmp-") {
                std::fs::remove_file(entry.path())
                    .context(|| format!("cannot remove {}", entry.path().display()))?;
            }
        }
    }
    Ok(())
}

/// Run a planned sweep (one shard of it with `options.shard`), skipping finished points, and
/// write the shard file or `results.h5`.
pub fn run(dir: &Path, options: &RunOptions) -> Result<RunReport, Error> {
    let started = std::time::Instant::now();
    let manifest = Manifest::load(dir)?;
    let plan = &manifest.plan;
    let discounting = plan.discounting()?;
    if let Some(k) = options.shard
        && k >= manifest.shards
    {
        return Err(Error::Input(format!(
            "--shard {k}: the plan has {} shard{} (0 to {})",
            manifest.shards,
            if manifest.shards == 1 { "" } else { "s" },
            manifest.shards - 1
        )));
    }
    let target = match options.shard {
        Some(k) => shard_path(dir, k),
        None => results_path(dir),
    };
    let points = manifest.points_of(options.shard);
    if finished(&target, &manifest.hash)? {
        return Ok(RunReport {
            target,
            points: points.len(),
            skipped: points.len(),
            ran: 0,
            already_complete: true,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    for folder in ["points", "shards"] {
        std::fs::create_dir_all(dir.join(folder))
            .context(|| format!("cannot create {}", dir.join(folder).display()))?;
    }
    let mut todo = Vec::new();
    for &p in &points {
        if !finished(&point_path(dir, p), &manifest.hash)? {
            todo.push(p);
        }
    }
    remove_leftovers(dir, &todo, &target)?;
    let skipped = points.len() - todo.len();
    let replicates = u64::from(plan.replicates);
    let progress = Progress::new(
        points.len() as u64 * replicates,
        "replicates",
        options.progress,
    );
    progress.inc_by(skipped as u64 * replicates);
    let pool = pool(options.threads);
    let weeks = plan.weeks as usize;
    // Points with fewer replicates than threads run several at a time, so that no thread
    // idles; each point's replicates still go to its own store and its summary depends on
    // nothing else.
    let batch = pool
        .current_num_threads()
        .div_ceil(plan.replicates.max(1) as usize)
        .max(1);
    let mut done = 0;
    while done < todo.len() {
        if options.stop_after == Some(done) {
            progress.finish();
            return Err(Error::Stopped(format!(
                "stopped after {done} points as asked; {} of {} points are finished, run again to finish",
                skipped + done,
                points.len()
            )));
        }
        let mut end = (done + batch).min(todo.len());
        if let Some(stop) = options.stop_after {
            end = end.min(stop.max(done + 1));
        }
        let ids = &todo[done..end];
        progress.set_message(match ids {
            [p] => format!(
                "point {} of {} (index {p})",
                skipped + done + 1,
                points.len()
            ),
            _ => format!(
                "points {}-{} of {}",
                skipped + done + 1,
                skipped + end,
                points.len()
            ),
        });
        let scenarios = ids
            .iter()
            .map(|&p| plan.scenario(p))
            .collect::<Result<Vec<_>, Error>>()?;
        let stores = ids
            .iter()
            .map(|&p| {
                SeriesStore::scratch(
                    &point_path(dir, p).with_extension("series.h5"),
                    plan.replicates as usize,
                    weeks,
                )
                .context(|| format!("cannot create a scratch file for point {p}"))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        run_jobs(&pool, &scenarios, 0..plan.replicates, |i, series| {
            stores[i]
                .write(series.replicate as usize, &series)
                .context(|| format!("writing the series of point {}", ids[i]))?;
            progress.inc();
            Ok::<(), Error>(())
        })?;
        for (&p, store) in ids.iter().zip(stores) {
            let summary = pool
                .install(|| Summary::of(&store, discounting))
                .context(|| format!("summarising point {p}"))?;
            drop(store);
            let path = point_path(dir, p);
            let writer = PackWriter::create(
                &path,
                &manifest.hash,
                PackKind::Point,
                &[p as u64],
                &[replicates],
                weeks,
                plan.weekly,
            )
            .context(|| format!("cannot create {}", path.display()))?;
            writer
                .write(0, &summary)
                .context(|| format!("writing {}", path.display()))?;
            // Another run of the same point may have finished first: its result is the same.
            writer
                .commit(false)
                .context(|| format!("writing {}", path.display()))?;
        }
        done = end;
    }
    progress.finish();
    let read_point = |p: usize| -> Result<Summary, Error> {
        let path = point_path(dir, p);
        let pack = PackReader::open(&path).context(|| format!("cannot read {}", path.display()))?;
        pack.read(0, discounting)
            .context(|| format!("cannot read {}", path.display()))
    };
    let written = match options.shard {
        Some(k) => {
            let replicate_counts = vec![replicates; points.len()];
            let ids: Vec<u64> = points.iter().map(|&p| p as u64).collect();
            let writer = PackWriter::create(
                &target,
                &manifest.hash,
                PackKind::Shard {
                    shard: u64::from(k),
                    shards: u64::from(manifest.shards),
                },
                &ids,
                &replicate_counts,
                weeks,
                plan.weekly,
            )
            .context(|| format!("cannot create {}", target.display()))?;
            for (slot, &p) in points.iter().enumerate() {
                writer
                    .write(slot, &read_point(p)?)
                    .context(|| format!("writing {}", target.display()))?;
            }
            writer
                .commit(false)
                .context(|| format!("writing {}", target.display()))?
        }
        None => write_results(&target, &manifest, discounting, read_point)?,
    };
    if !written {
        // Finished meanwhile by another run: keep that file, but only if it is this plan's.
        finished(&target, &manifest.hash)?;
    }
    for &p in &points {
        let path = point_path(dir, p);
        std::fs::remove_file(&path).context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(RunReport {
        target,
        points: points.len(),
        skipped,
        ran: todo.len(),
        already_complete: false,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The provenance and points table of a sweep's results.
fn sweep_info(manifest: &Manifest, discounting: Discounting) -> SweepInfo {
    let plan = &manifest.plan;
    let n = plan.points.len();
    let mut columns = vec![
        ("index".to_string(), Column::U64((0..n as u64).collect())),
        (
            "seed".to_string(),
            Column::U64(plan.points.iter().map(|p| p.seed).collect()),
        ),
        (
            "replicates".to_string(),
            Column::U64(vec![u64::from(plan.replicates); n]),
        ),
    ];
    // The people of each point, unless swept (then the parameter's column says it).
    if !plan.parameters.iter().any(|p| p == "people") {
        columns.push((
            "people".to_string(),
            Column::U64(plan.points.iter().map(|p| u64::from(p.people)).collect()),
        ));
    }
    for (j, name) in plan.parameters.iter().enumerate() {
        let values: Vec<&toml::Value> = plan.points.iter().map(|p| &p.values[j]).collect();
        let numbers: Option<Vec<f64>> = values
            .iter()
            .map(|v| match v {
                toml::Value::Float(x) => Some(*x),
                toml::Value::Integer(i) => Some(*i as f64),
                _ => None,
            })
            .collect();
        let column = match numbers {
            Some(v) => Column::F64(v),
            None => Column::Text(values.iter().map(|v| v.to_string()).collect()),
        };
        columns.push((name.clone(), column));
    }
    SweepInfo {
        text: vec![
            ("sweep_name", plan.name.clone()),
            ("description", plan.description.clone()),
            ("plan_hash", manifest.hash.clone()),
            ("sweep", plan.sweep_source.clone()),
            ("sweep_file", plan.sweep_file.clone()),
            ("base_scenario", plan.base_scenario.clone()),
            ("base_origin", plan.base_origin.clone()),
            ("design", plan.design.clone()),
            ("seeds", plan.seeds.clone()),
        ],
        numbers: vec![
            ("points", n as u64),
            ("replicates", u64::from(plan.replicates)),
            ("weeks", u64::from(plan.weeks)),
            ("start_year", u64::from(plan.start_year)),
            ("seed", plan.seed),
        ],
        parameters: plan.parameters.clone(),
        columns,
        points: n,
        weeks: plan.weeks as usize,
        weekly: plan.weekly,
        discounting,
    }
}

/// Write a sweep's `results.h5` from every point's summary, in point order. Returns `false`
/// when a results file appeared meanwhile (it is not replaced).
fn write_results(
    target: &Path,
    manifest: &Manifest,
    discounting: Discounting,
    summary_of: impl Fn(usize) -> Result<Summary, Error>,
) -> Result<bool, Error> {
    let writer = SweepWriter::create(target, &sweep_info(manifest, discounting))
        .context(|| format!("cannot create {}", target.display()))?;
    for p in 0..manifest.plan.points.len() {
        writer
            .write(p, &summary_of(p)?)
            .context(|| format!("writing {}", target.display()))?;
    }
    writer
        .commit_new()
        .context(|| format!("writing {}", target.display()))
}

/// What a merge did.
#[derive(Debug)]
pub struct MergeReport {
    /// The results file.
    pub target: PathBuf,
    /// Shards merged.
    pub shards: u32,
    /// Points.
    pub points: usize,
    /// It was already there for this plan: nothing was done.
    pub already_complete: bool,
}

impl fmt::Display for MergeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.already_complete {
            write!(
                f,
                "{} is already complete for this plan; nothing to do",
                self.target.display()
            )
        } else {
            write!(
                f,
                "merged {} shards ({} points) into {}",
                self.shards,
                self.points,
                self.target.display()
            )
        }
    }
}

/// Combine every shard of a plan into `results.h5`. Refuses, naming everything that is
/// wrong at once, when shards are missing, incomplete or from another plan or sharding.
pub fn merge(dir: &Path) -> Result<MergeReport, Error> {
    let manifest = Manifest::load(dir)?;
    let target = results_path(dir);
    let n = manifest.plan.points.len();
    if finished(&target, &manifest.hash)? {
        return Ok(MergeReport {
            target,
            shards: manifest.shards,
            points: n,
            already_complete: true,
        });
    }
    remove_leftovers(dir, &[], &target)?;
    let mut readers = Vec::new();
    let mut problems = Vec::new();
    for k in 0..manifest.shards {
        let path = shard_path(dir, k);
        let expected: Vec<u64> = manifest
            .points_of(Some(k))
            .iter()
            .map(|&p| p as u64)
            .collect();
        if !path.exists() {
            let finished_points = expected
                .iter()
                .filter(|&&p| point_path(dir, p as usize).exists())
                .count();
            problems.push(format!(
                "  {}: missing (shard {k}: {} points, {finished_points} finished so far); run `mhsim sweep run {} --shard {k}`",
                path.display(),
                expected.len(),
                dir.display()
            ));
            continue;
        }
        match PackReader::open(&path) {
            Err(e) => problems.push(format!("  {}: cannot read: {e}", path.display())),
            Ok(pack) => {
                if pack.plan_hash != manifest.hash {
                    problems.push(format!(
                        "  {}: comes from another plan ({}, this plan is {})",
                        path.display(),
                        pack.plan_hash,
                        manifest.hash
                    ));
                } else if pack.kind
                    != (PackKind::Shard {
                        shard: u64::from(k),
                        shards: u64::from(manifest.shards),
                    })
                {
                    problems.push(format!(
                        "  {}: holds {:?}, expected shard {k} of {}",
                        path.display(),
                        pack.kind,
                        manifest.shards
                    ));
                } else if pack.points != expected {
                    problems.push(format!(
                        "  {}: holds points {:?}, expected {:?}",
                        path.display(),
                        pack.points,
                        expected
                    ));
                } else {
                    readers.push(pack);
                }
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input(format!(
            "cannot merge {}: {} problem{}:\n{}",
            dir.display(),
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            problems.join("\n")
        )));
    }
    let shards = manifest.shards as usize;
    let discounting = manifest.plan.discounting()?;
    let written = write_results(&target, &manifest, discounting, |p| {
        let path = shard_path(dir, (p % shards) as u32);
        readers[p % shards]
            .read(p / shards, discounting)
            .context(|| format!("cannot read {}", path.display()))
    })?;
    if !written {
        finished(&target, &manifest.hash)?;
    }
    Ok(MergeReport {
        target,
        shards: manifest.shards,
        points: n,
        already_complete: false,
    })
}
