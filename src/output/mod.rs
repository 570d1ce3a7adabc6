//! Everything that touches files: the HDF5 results files, the CSV summaries, atomic writes.
//!
//! Files are written under a temporary name in the destination folder and renamed into
//! place only when complete, so a reader never sees a half-written file and an interrupted
//! run leaves the previous result intact.

mod h5;
pub mod posterior;
pub mod read;
mod summary;
pub mod sweep;

pub use h5::{ResultsWriter, SeriesStore, write_comparison};
pub use summary::{
    CI_HI, CI_LO, Discounting, MEAN, N_STATS, Q025, Q50, Q975, SD, STATS, SeriesSource, Summary,
    discount_factor, quantile, sample_stats, write_comparison_csv, write_summary_csv, years_of,
};

use std::path::{Path, PathBuf};

/// The kinds of folder mhsim writes, told apart by the file that marks each: every command
/// that takes a folder asks here, so that they agree on what a folder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderKind {
    /// A sweep (or a calibration generation): `manifest.json`. Checked first, as a finished
    /// sweep also holds a `results.h5` of its own.
    Sweep,
    /// One scenario's run: `results.h5`.
    Run,
    /// A comparison of scenarios: `comparison.h5`, with a run in a subfolder for each.
    Comparison,
    /// A calibration: `calibration.json` from its start, `posterior.h5` once finished.
    Calibration,
}

impl FolderKind {
    /// The marking files, for messages about a folder that is none of the kinds.
    pub const MARKERS: &'static str = "results.h5 (a run), comparison.h5 (a comparison), \
        manifest.json (a sweep) or calibration.json and posterior.h5 (a calibration)";

    /// The kind of the folder `dir`, or `None` when it is not a folder of any kind.
    pub fn of(dir: &Path) -> Option<FolderKind> {
        let has = |name: &str| dir.join(name).is_file();
        if has("manifest.json") {
            Some(FolderKind::Sweep)
        } else if has("results.h5") {
            Some(FolderKind::Run)
        } else if has("comparison.h5") {
            Some(FolderKind::Comparison)
        } else if has("calibration.json") || has("posterior.h5") {
            Some(FolderKind::Calibration)
        } else {
            None
        }
    }
}

/// A file being written under a temporary name; [`Staged::commit`] renames it into place,
/// dropping it uncommitted removes it.
pub struct Staged {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staged {
    /// Stage `target`: the temporary file lives beside it.
    pub fn new(target: &Path) -> Staged {
        let name = target
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let temp = target.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        Staged {
            temp,
            target: target.to_path_buf(),
            committed: false,
        }
    }

    /// Where to write now.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Move the finished file into place.
    pub fn commit(mut self) -> std::io::Result<()> {
        std::fs::rename(&self.temp, &self.target)?;
        self.committed = true;
        Ok(())
    }

    /// Move the finished file into place unless something is already there: an existing
    /// file is never replaced. Returns `false` (and removes the temporary file) in that case.
    pub fn commit_new(mut self) -> std::io::Result<bool> {
        // A hard link fails when the target exists, atomically; the temporary name is then
        // dropped either way.
        match std::fs::hard_link(&self.temp, &self.target) {
            Ok(()) => {
                let _ = std::fs::remove_file(&self.temp);
                self.committed = true;
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(e),
        }
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}
