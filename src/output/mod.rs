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
    CI_HI, CI_LO, MEAN, N_STATS, Q025, Q50, Q975, SD, STATS, SeriesSource, Summary, quantile,
    sample_stats, write_comparison_csv, write_summary_csv, years_of,
};

use std::path::{Path, PathBuf};

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
