//! The report of a calibration (`mhsim report` on a calibration's folder or its
//! `posterior.h5`): how the tolerance, the acceptance rate and the effective sample size went
//! generation by generation, each parameter's posterior marginal over its prior's range, the
//! posterior table, the fit of the closest particle and the calibration file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::calib::calibrate::{
    degeneracy_warning, normalised, weighted_mean_sd, weighted_quantile,
};
use crate::output::posterior::{PosteriorFile, is_posterior_file};
use crate::output::sweep::Column;

use super::figures::{Deviation, Figure, Histogram, PALETTE, Panel, Points};
use super::fit::{deviation_label, deviations_figure};
use super::html::{escape, figure_html, page_head, table_html, tables_named};
use super::tables::{Cell, Table};

/// Bins of a posterior marginal over its prior's range.
pub const BINS: usize = 20;

/// Marginals per figure (a grid of 2 x 3).
const PER_FIGURE: usize = 6;

/// The grid (rows, columns) of a figure of `panels` marginals: 2 x 3 when full, and for the
/// last figure of a calibration whose parameters do not fill it, the smallest grid of the
/// figure's shape that holds them (one row of up to three, or 2 x 2), so that no figure is
/// left half empty.
pub fn marginal_grid(panels: usize) -> (usize, usize) {
    match panels {
        0..=3 => (1, panels.max(1)),
        4 => (2, 2),
        _ => (2, 3),
    }
}

/// Weighted shares of `values` in `bins` equal-width bins over `[lo, hi]`: a value at `hi`
/// falls in the last bin, values outside the range are left out (the shares then sum to less
/// than 1). Empty when the range is empty or not finite.
pub fn histogram(values: &[f64], weights: &[f64], lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && hi > lo) || bins == 0 {
        return Vec::new();
    }
    let total: f64 = weights.iter().sum();
    let mut shares = vec![0.0; bins];
    for (v, w) in values.iter().zip(weights) {
        if !(lo..=hi).contains(v) {
            continue;
        }
        let i = (((v - lo) / (hi - lo)) * bins as f64).floor() as usize;
        shares[i.min(bins - 1)] += w / total;
    }
    shares
}

/// The range (axis coordinates) and bins of a parameter's marginal: [`BINS`] equal bins over
/// the prior range (its base-10 logarithm for a log-uniform prior), or, for an integer
/// parameter on a linear scale with at most [`BINS`] values, one bin per whole number.
pub fn marginal_bins(min: f64, max: f64, integer: bool, log10: bool) -> (f64, f64, usize) {
    let values = max - min + 1.0;
    if integer && !log10 && values <= BINS as f64 {
        (min - 0.5, max + 0.5, values as usize)
    } else if log10 {
        (min.log10(), max.log10(), BINS)
    } else {
        (min, max, BINS)
    }
}

/// Weighted Pearson correlation of every pair of `columns` (one column of values per
/// parameter, `weights` normalised): `[j][k]`, NaN where a column does not vary.
pub fn weighted_correlations(columns: &[Vec<f64>], weights: &[f64]) -> Vec<Vec<f64>> {
    let means: Vec<f64> = columns
        .iter()
        .map(|c| c.iter().zip(weights).map(|(x, w)| w * x).sum())
        .collect();
    let covariance = |j: usize, k: usize| -> f64 {
        columns[j]
            .iter()
            .zip(&columns[k])
            .zip(weights)
            .map(|((a, b), w)| w * (a - means[j]) * (b - means[k]))
            .sum()
    };
    let sd: Vec<f64> = (0..columns.len())
        .map(|j| covariance(j, j).sqrt())
        .collect();
    (0..columns.len())
        .map(|j| {
            (0..columns.len())
                .map(|k| {
                    if sd[j] > 0.0 && sd[k] > 0.0 {
                        (covariance(j, k) / (sd[j] * sd[k])).clamp(-1.0, 1.0)
                    } else {
                        f64::NAN
                    }
                })
                .collect()
        })
        .collect()
}

/// The posterior file of a calibration at `path` (its folder, a folder holding its
/// `posterior.h5`, or that file), if it is one. A calibration folder without its posterior
/// yet is an error for the user.
pub fn posterior_path(path: &Path) -> Result<Option<PathBuf>, String> {
    if path.is_dir() {
        let posterior = path.join("posterior.h5");
        if posterior.is_file() && is_posterior_file(&posterior) {
            return Ok(Some(posterior));
        }
        if crate::output::FolderKind::of(path) == Some(crate::output::FolderKind::Calibration) {
            return Err(format!(
                "{}: the calibration has not finished (no posterior.h5 yet): run the same \
                 `mhsim calibrate` command again to finish it",
                path.display()
            ));
        }
        return Ok(None);
    }
    Ok((path.is_file() && is_posterior_file(path)).then(|| path.to_path_buf()))
}

fn text<'a>(p: &'a PosteriorFile, name: &str) -> &'a str {
    p.text
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

fn number(p: &PosteriorFile, name: &str) -> Option<u64> {
    p.numbers.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
}

fn real(p: &PosteriorFile, name: &str) -> Option<f64> {
    p.reals.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
}

/// A per-generation column as numbers.
fn column(p: &PosteriorFile, name: &str) -> Vec<f64> {
    match p.generations.iter().find(|(n, _)| n == name) {
        Some((_, Column::F64(v))) => v.clone(),
        Some((_, Column::U64(v))) => v.iter().map(|x| *x as f64).collect(),
        _ => Vec::new(),
    }
}

/// The particle closest to the targets (the first of the smallest distances).
pub fn closest(p: &PosteriorFile) -> Option<usize> {
    (0..p.distances.len()).min_by(|&a, &b| p.distances[a].total_cmp(&p.distances[b]))
}

/// The posterior's effective sample size (`1 / Σ w²` of the normalised weights).
fn ess(p: &PosteriorFile) -> f64 {
    crate::calib::abc::ess(&p.weights)
}

/// Particles kept in each generation: the posterior's particles.
fn kept(p: &PosteriorFile) -> usize {
    p.samples.len()
}

/// The `fit.csv` beside a posterior, as a table (cells that read as numbers are numbers).
pub fn fit_table(posterior: &Path) -> Option<Table> {
    let path = posterior.parent()?.join("fit.csv");
    let mut reader = csv::Reader::from_path(&path).ok()?;
    let header: Vec<String> = reader.headers().ok()?.iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            r.map(|r| {
                r.iter()
                    .map(|f| match f.parse::<f64>() {
                        Ok(v) if !f.is_empty() => Cell::Num(v),
                        _ => Cell::Text(f.to_string()),
                    })
                    .collect()
            })
        })
        .collect::<Result<Vec<Vec<Cell>>, _>>()
        .ok()?;
    Some(Table {
        name: "fit".into(),
        title: "Fit of the closest particle to the calibration targets (fit.csv of the \
                calibration, as mhsim fit writes it)"
            .into(),
        header,
        rows,
    })
}

/// The standardised deviations of the fit table's covered targets (the figure `mhsim fit
/// --report` draws), computed from its columns: `(simulated - observed)` over the distance
/// from the observed value to the accepted bound on that side. `None` without such rows.
fn fit_deviations(fit: &Table) -> Option<Figure> {
    let col = |name: &str| fit.header.iter().position(|h| h == name);
    let (target, observed, lo, hi) = (
        col("target")?,
        col("observed")?,
        col("accepted_lo")?,
        col("accepted_hi")?,
    );
    let (mean, mean_lo, mean_hi, inside) = (
        col("simulated_mean")?,
        col("simulated_lo95")?,
        col("simulated_hi95")?,
        col("inside")?,
    );
    let weight = col("weight");
    let number = |row: &[Cell], c: usize| match row.get(c) {
        Some(Cell::Num(v)) => Some(*v),
        _ => None,
    };
    let rows: Vec<Deviation> = fit
        .rows
        .iter()
        .filter_map(|r| {
            let o = number(r, observed)?;
            let (below, above) = (o - number(r, lo)?, number(r, hi)? - o);
            let standardised = |x: f64| {
                let d = x - o;
                d / if d < 0.0 { below } else { above }
            };
            let weight = weight.and_then(|w| number(r, w)).unwrap_or(1.0);
            Some(Deviation {
                label: deviation_label(&r.get(target)?.shown(), weight),
                value: standardised(number(r, mean)?),
                lo: standardised(number(r, mean_lo)?),
                hi: standardised(number(r, mean_hi)?),
                inside: matches!(r.get(inside), Some(Cell::Text(t)) if t == "yes"),
            })
        })
        .collect();
    (!rows.is_empty()).then(|| deviations_figure(rows))
}

/// Figures and tables of a calibration's report; `fit` is the closest particle's fit table.
pub fn build(p: &PosteriorFile, fit: Option<Table>) -> (Vec<Figure>, Vec<Table>) {
    let generations: Vec<String> = column(p, "generation")
        .iter()
        .map(|g| format!("{g:.0}"))
        .collect();
    let panel = |title: &str, y_label: &str, name: &str| {
        let values = column(p, name);
        values
            .iter()
            .any(|v| v.is_finite())
            .then(|| Panel::Categories {
                title: title.into(),
                x_label: "generation".into(),
                y_label: y_label.into(),
                categories: generations.clone(),
                highlight: None,
                connect: true,
                points: vec![Points {
                    label: String::new(),
                    colour: PALETTE[0],
                    values: values.iter().map(|v| (*v, *v, *v)).collect(),
                }],
            })
    };
    // A posterior written before a diagnostic existed has no column for it: no panel.
    let panels: Vec<Panel> = [
        panel("Tolerance (epsilon)", "distance", "epsilon"),
        panel("Acceptance rate (p_acc)", "share of candidates", "p_acc"),
        panel(
            "Effective sample size of the kept particles",
            "particles",
            "ess",
        ),
        panel(
            "Kernel mass inside the priors (median)",
            "share",
            "kernel_mass_median",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    let convergence = Figure {
        name: "convergence".into(),
        title: "Convergence by generation".into(),
        grid: if panels.len() > 2 { (2, 2) } else { (1, 2) },
        key: Vec::new(),
        panels,
    };

    let weights = normalised(&p.weights);
    let best = closest(p);
    let moments = weighted_mean_sd(&p.samples, &weights);
    let mut marginals = Vec::new();
    let mut rows = Vec::new();
    let mut axes = Vec::new();
    for (j, key) in p.parameters.iter().enumerate() {
        let values: Vec<f64> = p.samples.iter().map(|s| s[j]).collect();
        let log10 = p.scale.get(j).is_some_and(|s| s == "log");
        let axis = |v: f64| if log10 { v.log10() } else { v };
        let integer = p.integer.get(j).copied().unwrap_or(false);
        let (lo, hi, bins) = marginal_bins(p.prior_min[j], p.prior_max[j], integer, log10);
        let on_axis: Vec<f64> = values.iter().map(|v| axis(*v)).collect();
        axes.push(on_axis.clone());
        let (mean, sd) = moments[j];
        let best_value = best.map_or(f64::NAN, |b| values[b]);
        marginals.push(Panel::Histogram(Histogram {
            title: key.clone(),
            x_label: if log10 {
                "value (log scale)".into()
            } else {
                "value".into()
            },
            range: (lo, hi),
            log10,
            shares: histogram(&on_axis, &weights, lo, hi, bins),
            marks: vec![
                ("weighted mean".into(), axis(mean), PALETTE[1]),
                ("closest particle".into(), axis(best_value), PALETTE[2]),
            ],
        }));
        rows.push(vec![
            Cell::Text(key.clone()),
            Cell::Text(p.scale.get(j).cloned().unwrap_or_default()),
            Cell::Num(p.prior_min[j]),
            Cell::Num(p.prior_max[j]),
            Cell::Num(mean),
            Cell::Num(sd),
            Cell::Num(weighted_quantile(&values, &weights, 0.025)),
            Cell::Num(weighted_quantile(&values, &weights, 0.5)),
            Cell::Num(weighted_quantile(&values, &weights, 0.975)),
            Cell::Num(best_value),
        ]);
    }
    let parts = marginals.len().div_ceil(PER_FIGURE);
    let mut figures = vec![convergence];
    for (i, chunk) in marginals.chunks(PER_FIGURE).enumerate() {
        let part = if parts > 1 {
            format!(" ({} of {parts})", i + 1)
        } else {
            String::new()
        };
        figures.push(Figure {
            name: format!("posterior_{}", i + 1),
            title: format!("Posterior marginals over the priors' ranges{part}"),
            grid: marginal_grid(chunk.len()),
            key: Vec::new(),
            panels: chunk.to_vec(),
        });
    }

    figures.extend(fit.as_ref().and_then(fit_deviations));

    let mut tables = vec![Table {
        name: "posterior".into(),
        title: "Posterior of each parameter: prior range, weighted mean and SD, weighted \
                2.5%, 50% and 97.5% quantiles of the kept particles, and the closest \
                particle's value"
            .into(),
        header: [
            "parameter",
            "scale",
            "prior_min",
            "prior_max",
            "mean",
            "sd",
            "q025",
            "q50",
            "q975",
            "closest",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }];
    let mut header = vec!["parameter".to_string()];
    header.extend(p.parameters.iter().cloned());
    tables.push(Table {
        name: "correlations".into(),
        title: "Weighted correlations of the parameters over the kept particles (of their \
                logarithms for a log-uniform prior)"
            .into(),
        header,
        rows: weighted_correlations(&axes, &weights)
            .into_iter()
            .zip(&p.parameters)
            .map(|(row, key)| {
                std::iter::once(Cell::Text(key.clone()))
                    .chain(row.into_iter().map(Cell::Num))
                    .collect()
            })
            .collect(),
    });
    if let Some(fit) = fit {
        tables.push(fit);
    }
    let header: Vec<String> = p.generations.iter().map(|(n, _)| n.clone()).collect();
    let n = p.generations.first().map_or(0, |(_, c)| column_len(c));
    tables.push(Table {
        name: "generations".into(),
        title: "Diagnostics per generation (as diagnostics.csv): tolerance, acceptance rate, \
                effective sample size, median kernel mass inside the priors, candidates and \
                simulations so far, and the weighted mean and SD of each parameter"
            .into(),
        header,
        rows: (0..n)
            .map(|g| {
                p.generations
                    .iter()
                    .map(|(_, c)| match c {
                        Column::U64(v) => Cell::Num(v[g] as f64),
                        Column::F64(v) => Cell::Num(v[g]),
                        Column::Text(v) => Cell::Text(v[g].clone()),
                    })
                    .collect()
            })
            .collect(),
    });
    (figures, tables)
}

fn column_len(c: &Column) -> usize {
    match c {
        Column::U64(v) => v.len(),
        Column::F64(v) => v.len(),
        Column::Text(v) => v.len(),
    }
}

/// The calibration report page. `svgs[i]` is `figures[i]` as SVG text.
pub fn page(
    p: &PosteriorFile,
    source: &str,
    figures: &[Figure],
    svgs: &[String],
    tables: &[Table],
) -> String {
    let name = text(p, "calibration_name");
    let title = format!("mhsim report: calibration {name}");
    let ess = ess(p);
    let mut out = String::new();
    page_head(&mut out, &title);
    let _ = writeln!(
        out,
        "<h1>{}</h1>\n\
         <p class=\"meta\">{}. Made by mhsim {} from <code>{}</code> (written by mhsim {}).</p>",
        escape(&title),
        escape(text(p, "description")),
        escape(crate::VERSION),
        escape(source),
        escape(text(p, "mhsim_version")),
    );
    let count = |n: Option<u64>| n.map_or_else(|| "-".to_string(), |n| n.to_string());
    let _ = writeln!(
        out,
        "<section id=\"summary\">\n<h2>Summary</h2>\n<p class=\"verdict\">{} generations, {} \
         simulations ({} candidates, replicates per candidate: {}); it stopped because {}. The last \
         tolerance is {}; the {} kept particles have an effective sample size of {:.1}.</p>",
        count(number(p, "generations")),
        count(number(p, "simulations")),
        count(number(p, "candidates")),
        count(number(p, "replicates")),
        escape(text(p, "stop")),
        real(p, "epsilon").map_or_else(|| "-".into(), super::tables::format_number),
        kept(p),
        ess
    );
    if let Some(warning) = degeneracy_warning(ess, kept(p)) {
        let _ = writeln!(
            out,
            "<p><strong>Warning:</strong> {}.</p>",
            escape(&warning)
        );
    }
    out.push_str("</section>\n");
    let _ = writeln!(
        out,
        "<section id=\"convergence\">\n<h2>Convergence</h2>\n<p>Each generation keeps the \
         particles closest to the targets: the tolerance is the largest distance kept, the \
         acceptance rate the share of the generation's candidates closer than the previous \
         tolerance (the calibration stops when it falls below <code>abc.p_acc_min</code>), \
         and the effective sample size measures how evenly the kept particles' weights are \
         spread (the number of particles kept when all weigh the same). The kernel mass is \
         the share of a moved particle's proposal kernel that falls inside the priors' ranges \
         (small when the kernels are much wider than the ranges).</p>"
    );
    for (figure, svg) in figures
        .iter()
        .zip(svgs)
        .filter(|(f, _)| f.name == "convergence")
    {
        figure_html(&mut out, figure, svg);
    }
    out.push_str("</section>\n");
    let _ = writeln!(
        out,
        "<section id=\"posterior\">\n<h2>Posterior</h2>\n<p>Each panel spreads the weight \
         of the kept particles over the parameter's prior range ({} equal bins; in logarithms \
         for a log-uniform prior), with the weighted mean and the closest particle (the one \
         <code>best.toml</code> holds) marked; an integer parameter has a bar per whole \
         number. A narrow marginal with a low effective sample \
         size shows few heavy particles, not a well-identified parameter.</p>",
        BINS
    );
    for (figure, svg) in figures
        .iter()
        .zip(svgs)
        .filter(|(f, _)| f.name.starts_with("posterior_"))
    {
        figure_html(&mut out, figure, svg);
    }
    tables_named(&mut out, tables, "posterior");
    out.push_str(
        "<p>Parameters the targets cannot tell apart trade off against each other across the \
         kept particles: a strong correlation (near +1 or -1) says that one can stand in for \
         the other, so each is less certain alone than together.</p>\n",
    );
    tables_named(&mut out, tables, "correlations");
    out.push_str("</section>\n");
    if let Some(t) = tables.iter().find(|t| t.name == "fit") {
        let _ = writeln!(
            out,
            "<section id=\"fit\">\n<h2>Fit of the closest particle</h2>\n<p>Targets file: \
             <code>{}</code>. The figure gives each covered target's deviation in units of \
             its tolerance (inside the shaded band: inside the tolerance), the whisker the \
             range across the candidate's replicates.</p>",
            escape(text(p, "targets_file"))
        );
        for (figure, svg) in figures
            .iter()
            .zip(svgs)
            .filter(|(f, _)| f.name == "fit_deviations")
        {
            figure_html(&mut out, figure, svg);
        }
        table_html(&mut out, t);
        out.push_str("</section>\n");
    }
    out.push_str("<section id=\"generations\">\n<h2>Generations</h2>\n");
    tables_named(&mut out, tables, "generations");
    let _ = writeln!(
        out,
        "</section>\n<section id=\"methods\" class=\"methods\">\n<h2>Methods</h2>\n\
         <p>Adaptive population Monte Carlo ABC (Lenormand, Jabot &amp; Deffuant 2013), as \
         <code>mhsim calibrate</code> runs it (README, \"Calibration\").</p>\n\
         <dl class=\"facts\">\n<dt>Calibration file</dt><dd><code>{}</code></dd>\n\
         <dt>Targets file</dt><dd><code>{}</code></dd>\n<dt>Base scenario</dt><dd>{}</dd>\n\
         <dt>Particles</dt><dd>{}</dd>\n<dt>Share kept (alpha)</dt><dd>{}</dd>\n\
         <dt>Replicates per candidate</dt><dd>{}</dd>\n<dt>Seed</dt><dd>{}</dd>\n</dl>\n\
         <p>Calibration file as written:</p>\n<pre>{}</pre>\n</section>\n</body>\n</html>",
        escape(text(p, "calibration_file")),
        escape(text(p, "targets_file")),
        escape(text(p, "base_origin")),
        count(number(p, "particles")),
        real(p, "alpha").map_or_else(|| "-".into(), super::tables::format_number),
        count(number(p, "replicates")),
        count(number(p, "seed")),
        escape(text(p, "calibration"))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_shares_follow_the_weights_and_keep_the_upper_bound() {
        let shares = histogram(
            &[0.0, 0.24, 0.5, 1.0, 1.5],
            &[1.0, 1.0, 2.0, 4.0, 2.0],
            0.0,
            1.0,
            4,
        );
        assert_eq!(shares, vec![0.2, 0.0, 0.2, 0.4]);
        // Out of range values are left out; an empty range gives nothing.
        assert!((shares.iter().sum::<f64>() - 0.8).abs() < 1e-12);
        assert!(histogram(&[1.0], &[1.0], 1.0, 1.0, 4).is_empty());
    }

    #[test]
    fn correlations_are_weighted_and_undefined_without_spread() {
        let w = [0.25; 4];
        let a = vec![1.0, 2.0, 3.0, 4.0];
        let c = weighted_correlations(&[a.clone(), vec![8.0, 6.0, 4.0, 2.0], vec![5.0; 4]], &w);
        assert!((c[0][0] - 1.0).abs() < 1e-12 && (c[0][1] + 1.0).abs() < 1e-12);
        assert!(c[0][2].is_nan() && c[2][2].is_nan());
        // Weight on two points only: a perfect correlation, whatever the others are.
        let c = weighted_correlations(&[a, vec![0.0, 9.0, -3.0, 1.0]], &[0.5, 0.0, 0.0, 0.5]);
        assert!((c[0][1] - 1.0).abs() < 1e-12, "{c:?}");
    }

    #[test]
    fn marginal_figures_leave_no_row_empty() {
        assert_eq!(marginal_grid(6), (2, 3));
        assert_eq!(marginal_grid(5), (2, 3));
        assert_eq!(marginal_grid(4), (2, 2));
        assert_eq!(marginal_grid(3), (1, 3));
        assert_eq!(marginal_grid(1), (1, 1));
        for n in 1..=PER_FIGURE {
            let (rows, cols) = marginal_grid(n);
            assert!(
                rows * cols >= n && (rows - 1) * cols < n,
                "{n}: {rows} x {cols}"
            );
        }
    }

    #[test]
    fn whole_numbers_get_a_bin_each() {
        assert_eq!(marginal_bins(1.0, 4.0, true, false), (0.5, 4.5, 4));
        assert_eq!(marginal_bins(0.0, 100.0, true, false), (0.0, 100.0, BINS));
        assert_eq!(marginal_bins(0.1, 10.0, false, true), (-1.0, 1.0, BINS));
        assert_eq!(marginal_bins(0.2, 0.6, false, false), (0.2, 0.6, BINS));
        let shares = histogram(&[1.0, 2.0, 2.0, 4.0], &[1.0; 4], 0.5, 4.5, 4);
        assert_eq!(shares, vec![0.25, 0.5, 0.0, 0.25]);
    }
}
