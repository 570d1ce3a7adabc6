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
use crate::output::h5::{attr_str, attr_u64, read_strings, string_array};
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
