//! The posterior of a calibration, `posterior.h5`, written from one thread and staged:
//!
//! ```text
//! /                       attributes: mhsim_version, calibration_name, calibration (the
//!                         calibration file's text), calibration_file, targets (the targets
//!                         file's text), targets_file, base_scenario (resolved TOML),
//!                         base_origin, calibration_hash, stop (why it stopped), seed,
//!                         generations, candidates, simulations, particles, replicates,
//!                         epsilon (f64)
//! /parameters             the calibrated parameters' key paths
//! /scale                  "linear" or "log" per parameter
//! /integer                u8 [parameter]: 1 for an integer parameter (whole-number values)
//! /prior_min, /prior_max  f64 [parameter]: the prior's bounds
//! /samples                f64 [particle, parameter]: the kept particles' values
//! /weights                f64 [particle]: normalised importance weights (sum 1)
//! /distances              f64 [particle]
//! /generations/<column>   one value per generation: generation, epsilon, p_acc, ess,
//!                         kernel_mass_median, candidates, simulations, mean_<key>,
//!                         sd_<key> (weighted, per parameter)
//! ```

use std::path::Path;

use ndarray::Array2;

use crate::output::Staged;
use crate::output::h5::{attr_str, attr_u64, read_attr_str, read_strings, string_array};
use crate::output::sweep::Column;

fn err(e: impl std::fmt::Display) -> hdf5::Error {
    hdf5::Error::from(e.to_string())
}

/// Everything `posterior.h5` holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PosteriorFile {
    /// String attributes of the file.
    pub text: Vec<(String, String)>,
    /// Integer attributes of the file.
    pub numbers: Vec<(String, u64)>,
    /// Real attributes of the file.
    pub reals: Vec<(String, f64)>,
    /// Key paths of the parameters.
    pub parameters: Vec<String>,
    /// Prior scale of each parameter ("linear" or "log").
    pub scale: Vec<String>,
    /// Whether each parameter is an integer.
    pub integer: Vec<bool>,
    /// Lower bounds of the prior.
    pub prior_min: Vec<f64>,
    /// Upper bounds of the prior.
    pub prior_max: Vec<f64>,
    /// `[particle][parameter]` values.
    pub samples: Vec<Vec<f64>>,
    /// Normalised weights.
    pub weights: Vec<f64>,
    /// Distances.
    pub distances: Vec<f64>,
    /// Per-generation diagnostics, one column each.
    pub generations: Vec<(String, Column)>,
}

/// Write `posterior.h5` (staged, then renamed into place, replacing an older one).
pub fn write_posterior(path: &Path, p: &PosteriorFile) -> hdf5::Result<()> {
    let staged = Staged::new(path);
    let file = hdf5::File::create(staged.path())?;
    attr_str(&file, "mhsim_version", crate::VERSION)?;
    for (name, value) in &p.text {
        attr_str(&file, name, value)?;
    }
    for (name, value) in &p.numbers {
        attr_u64(&file, name, *value)?;
    }
    for (name, value) in &p.reals {
        file.new_attr::<f64>()
            .shape(())
            .create(name.as_str())?
            .write_scalar(value)?;
    }
    string_array(&file, "parameters", &p.parameters)?;
    string_array(&file, "scale", &p.scale)?;
    // One flag per parameter; none given means no integer parameters.
    let integer: Vec<u8> = (0..p.parameters.len())
        .map(|j| u8::from(p.integer.get(j).copied().unwrap_or(false)))
        .collect();
    file.new_dataset_builder()
        .with_data(&integer)
        .create("integer")?;
    file.new_dataset_builder()
        .with_data(&p.prior_min)
        .create("prior_min")?;
    file.new_dataset_builder()
        .with_data(&p.prior_max)
        .create("prior_max")?;
    let d = p.parameters.len();
    let flat: Vec<f64> = p.samples.iter().flatten().copied().collect();
    let samples = Array2::from_shape_vec((p.samples.len(), d), flat).map_err(err)?;
    file.new_dataset_builder()
        .with_data(&samples)
        .create("samples")?;
    file.new_dataset_builder()
        .with_data(&p.weights)
        .create("weights")?;
    file.new_dataset_builder()
        .with_data(&p.distances)
        .create("distances")?;
    let group = file.create_group("generations")?;
    for (name, column) in &p.generations {
        match column {
            Column::U64(v) => {
                group
                    .new_dataset_builder()
                    .with_data(v)
                    .create(name.as_str())?;
            }
            Column::F64(v) => {
                group
                    .new_dataset_builder()
                    .with_data(v)
                    .create(name.as_str())?;
            }
            Column::Text(v) => string_array(&group, name, v)?,
        }
    }
    drop(group);
    file.close()?;
    staged.commit().map_err(err)
}

/// Read everything a `posterior.h5` holds (what [`write_posterior`] wrote, its
/// `mhsim_version` attribute among the text). Attributes are sorted into text, integers and
/// reals by their type; the per-generation columns come in the order the calibration writes
/// them (`generation`, `epsilon`, `p_acc`, `ess`, `kernel_mass_median`, `candidates`,
/// `simulations`, then `mean_<key>` and `sd_<key>` per parameter), any others after them.
pub fn read_posterior_file(path: &Path) -> hdf5::Result<PosteriorFile> {
    use hdf5::types::{FloatSize, IntSize, TypeDescriptor};
    let file = hdf5::File::open(path)?;
    let particles = read_posterior(path)?;
    let mut p = PosteriorFile {
        parameters: particles.parameters,
        integer: particles.integer,
        samples: particles.samples,
        weights: particles.weights,
        ..PosteriorFile::default()
    };
    let mut names = file.attr_names()?;
    names.sort();
    for name in names {
        let attr = file.attr(&name)?;
        match attr.dtype()?.to_descriptor()? {
            TypeDescriptor::VarLenUnicode | TypeDescriptor::VarLenAscii => {
                p.text.push((name.clone(), read_attr_str(&file, &name)?));
            }
            TypeDescriptor::Unsigned(IntSize::U8) => {
                p.numbers.push((name, attr.read_scalar::<u64>()?));
            }
            TypeDescriptor::Float(FloatSize::U8) => p.reals.push((name, attr.read_scalar()?)),
            _ => {} // not one of ours
        }
    }
    p.scale = read_strings(&file.dataset("scale")?)?;
    p.prior_min = file.dataset("prior_min")?.read_raw()?;
    p.prior_max = file.dataset("prior_max")?.read_raw()?;
    p.distances = file.dataset("distances")?.read_raw()?;
    let d = p.parameters.len();
    let n = p.samples.len();
    for (what, len, want) in [
        ("scale", p.scale.len(), d),
        ("prior_min", p.prior_min.len(), d),
        ("prior_max", p.prior_max.len(), d),
        ("distances", p.distances.len(), n),
    ] {
        if len != want {
            return Err(err(format!("{what} has {len} entries, expected {want}")));
        }
    }
    let group = file.group("generations")?;
    let mut order: Vec<String> = [
        "generation",
        "epsilon",
        "p_acc",
        "ess",
        "kernel_mass_median",
        "candidates",
        "simulations",
    ]
    .map(String::from)
    .to_vec();
    for key in &p.parameters {
        order.push(format!("mean_{key}"));
        order.push(format!("sd_{key}"));
    }
    let mut members = group.member_names()?;
    members.sort_by_key(|m| order.iter().position(|o| o == m).unwrap_or(usize::MAX));
    for name in members {
        let ds = group.dataset(&name)?;
        let column = match ds.dtype()?.to_descriptor()? {
            TypeDescriptor::Unsigned(_) | TypeDescriptor::Integer(_) => {
                Column::U64(ds.read_raw::<u64>()?)
            }
            TypeDescriptor::Float(_) => Column::F64(ds.read_raw::<f64>()?),
            _ => Column::Text(read_strings(&ds)?),
        };
        p.generations.push((name, column));
    }
    Ok(p)
}

/// The particles of a posterior: what `mhsim run --posterior` draws from.
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorSamples {
    /// Key paths of the parameters.
    pub parameters: Vec<String>,
    /// `[particle][parameter]` values.
    pub samples: Vec<Vec<f64>>,
    /// Weights (as stored).
    pub weights: Vec<f64>,
    /// Whether each parameter is an integer (none in files written before `/integer`).
    pub integer: Vec<bool>,
}

/// Whether the file at `path` is a calibration's `posterior.h5` (it opens as HDF5 and holds
/// the datasets and the group of one).
pub fn is_posterior_file(path: &Path) -> bool {
    hdf5::File::open(path).is_ok_and(|f| {
        ["samples", "weights", "prior_min", "prior_max", "distances"]
            .iter()
            .all(|d| f.dataset(d).is_ok())
            && f.group("generations").is_ok()
    })
}

/// Read the particles of a `posterior.h5`.
pub fn read_posterior(path: &Path) -> hdf5::Result<PosteriorSamples> {
    let file = hdf5::File::open(path)?;
    let parameters = read_strings(&file.dataset("parameters")?)?;
    let samples = file.dataset("samples")?;
    let shape = samples.shape();
    let values = samples.read_raw::<f64>()?;
    let (n, d) = match shape[..] {
        [n, d] => (n, d),
        _ => return Err(err("samples is not a [particle, parameter] table")),
    };
    if d != parameters.len() {
        return Err(err(format!(
            "samples has {d} columns for {} parameters",
            parameters.len()
        )));
    }
    let weights = file.dataset("weights")?.read_raw::<f64>()?;
    if weights.len() != n {
        return Err(err(format!("{} weights for {n} particles", weights.len())));
    }
    let integer = match file.dataset("integer") {
        Ok(ds) => ds.read_raw::<u8>()?.into_iter().map(|i| i != 0).collect(),
        Err(_) => vec![false; d],
    };
    if integer.len() != d {
        return Err(err(format!(
            "integer has {} entries for {d} parameters",
            integer.len()
        )));
    }
    Ok(PosteriorSamples {
        integer,
        parameters,
        samples: values
            .chunks(d.max(1))
            .map(<[f64]>::to_vec)
            .take(n)
            .collect(),
        weights,
    })
}

/// Which particle of a posterior each replicate of a run used: `/posterior` in `results.h5`.
///
/// ```text
/// /posterior              attributes: file (the posterior file as named), hash (of its
///                         bytes)
/// /posterior/parameters   key paths
/// /posterior/particle     u64 [replicate]: the particle's row in the posterior's /samples
/// /posterior/values       f64 [replicate, parameter]: the values the replicate ran with
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PosteriorRecord {
    /// The posterior file as named.
    pub file: String,
    /// Hash of its bytes.
    pub hash: String,
    /// Key paths of the parameters.
    pub parameters: Vec<String>,
    /// Per replicate: the particle used.
    pub particles: Vec<u64>,
    /// Per replicate: the parameter values used.
    pub values: Vec<Vec<f64>>,
}

/// Write the record into `file` (a results file being written).
pub(crate) fn write_record(file: &hdf5::File, record: &PosteriorRecord) -> hdf5::Result<()> {
    let group = file.create_group("posterior")?;
    attr_str(&group, "file", &record.file)?;
    attr_str(&group, "hash", &record.hash)?;
    string_array(&group, "parameters", &record.parameters)?;
    group
        .new_dataset_builder()
        .with_data(&record.particles)
        .create("particle")?;
    let d = record.parameters.len();
    let flat: Vec<f64> = record.values.iter().flatten().copied().collect();
    let values = Array2::from_shape_vec((record.values.len(), d), flat).map_err(err)?;
    group
        .new_dataset_builder()
        .with_data(&values)
        .create("values")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posterior_file_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("posterior.h5");
        let written = PosteriorFile {
            text: vec![
                ("calibration_name".into(), "test".into()),
                ("stop".into(), "why".into()),
            ],
            numbers: vec![("generations".into(), 2), ("seed".into(), 7)],
            reals: vec![("alpha".into(), 0.5), ("epsilon".into(), 0.25)],
            parameters: vec!["a.x".into(), "b.y".into()],
            scale: vec!["linear".into(), "log".into()],
            integer: vec![false, true],
            prior_min: vec![0.0, 1.0],
            prior_max: vec![1.0, 10.0],
            samples: vec![vec![0.5, 2.0], vec![0.25, 3.0], vec![0.75, 4.0]],
            weights: vec![0.5, 0.25, 0.25],
            distances: vec![0.1, 0.2, 0.3],
            generations: vec![
                ("generation".into(), Column::U64(vec![0, 1])),
                ("epsilon".into(), Column::F64(vec![1.0, 0.25])),
                ("ess".into(), Column::F64(vec![3.0, 2.5])),
                ("mean_a.x".into(), Column::F64(vec![0.4, 0.5])),
                ("sd_a.x".into(), Column::F64(vec![0.2, 0.1])),
                ("mean_b.y".into(), Column::F64(vec![4.0, 3.0])),
            ],
        };
        write_posterior(&path, &written).unwrap();
        let read = read_posterior_file(&path).unwrap();
        // The version attribute comes with the text, attributes sorted by name.
        let mut text = written.text.clone();
        text.push(("mhsim_version".into(), crate::VERSION.into()));
        text.sort();
        assert_eq!(read, PosteriorFile { text, ..written });
    }
}
