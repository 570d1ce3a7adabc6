//! The report of a parameter sweep: how each outcome responds to each swept parameter
//! (partial rank correlation coefficients, as a tornado chart per outcome) and the table of
//! points with their final-year outcomes.

use std::fmt::Write as _;

use crate::output::read::{SweepResults, SweptValues};
use crate::record::{Metric, N_STRATA};

use super::figures::{Bars, Figure, Panel};
use super::html::{escape, figure_html, page_head, table_html, tables_named};
use super::tables::{Cell, Table, differing_parameters};

/// The outcomes analysed (whole population, final year).
pub const OUTCOMES: [Metric; 6] = [
    Metric::Prevalence,
    Metric::Incidence,
    Metric::Crises,
    Metric::CostTotal,
    Metric::QalysWeek,
    Metric::WellbysWeek,
];

/// The outcomes analysed over the whole run, as discounted totals (whole population), when
/// the sweep's file has them.
pub const RUN_OUTCOMES: [Metric; 2] = [Metric::CostTotal, Metric::QalysWeek];

/// One outcome of the report: its name in the tables, the panel title, and where its mean,
/// 2.5% and 97.5% quantiles are.
struct Outcome<'a> {
    name: String,
    title: String,
    metric: Metric,
    stats: [&'a [f64]; 3],
}

/// The outcomes of a sweep: the final-year ones, then the discounted totals over the run
/// (from files that have them).
fn outcomes(r: &SweepResults) -> Vec<Outcome<'_>> {
    let final_year = OUTCOMES.iter().map(|&m| Outcome {
        name: m.name().into(),
        title: format!("{} ({})", m.name(), m.unit()),
        metric: m,
        stats: [&r.final_mean, &r.final_q025, &r.final_q975],
    });
    let has_run = (0..r.points).any(|p| value(&r.run_mean, p, Metric::CostTotal).is_finite());
    let run = RUN_OUTCOMES.iter().filter(|_| has_run).map(|&m| {
        let unit = m.unit().strip_suffix(" per week").unwrap_or(m.unit());
        Outcome {
            name: format!("{}_run", m.name()),
            title: format!("{}, whole run discounted ({unit})", m.name()),
            metric: m,
            stats: [&r.run_mean, &r.run_q025, &r.run_q975],
        }
    });
    final_year.chain(run).collect()
}

/// Ranks (1-based; ties take their average rank).
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut out = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = rank;
        }
        i = j + 1;
    }
    out
}

/// Residuals of `y` after least squares on `xs` with an intercept.
fn residuals(y: &[f64], xs: &[&[f64]]) -> Vec<f64> {
    let n = y.len();
    let k = xs.len() + 1;
    let column = |j: usize, i: usize| if j == 0 { 1.0 } else { xs[j - 1][i] };
    // Normal equations [X'X | X'y], solved by Gaussian elimination with partial pivoting.
    let mut a: Vec<Vec<f64>> = (0..k)
        .map(|r| {
            let mut row: Vec<f64> = (0..k)
                .map(|c| (0..n).map(|i| column(r, i) * column(c, i)).sum())
                .collect();
            row.push((0..n).map(|i| column(r, i) * y[i]).sum());
            row
        })
        .collect();
    let mut usable = vec![true; k];
    for c in 0..k {
        let pivot = (c..k)
            .max_by(|&p, &q| a[p][c].abs().total_cmp(&a[q][c].abs()))
            .unwrap_or(c);
        a.swap(c, pivot);
        if a[c][c].abs() < 1e-12 {
            usable[c] = false;
            continue;
        }
        let pivot_row = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != c {
                let f = row[c] / pivot_row[c];
                for (x, p) in row.iter_mut().zip(&pivot_row).skip(c) {
                    *x -= f * p;
                }
            }
        }
    }
    let beta: Vec<f64> = (0..k)
        .map(|c| if usable[c] { a[c][k] / a[c][c] } else { 0.0 })
        .collect();
    (0..n)
        .map(|i| y[i] - (0..k).map(|j| beta[j] * column(j, i)).sum::<f64>())
        .collect()
}

fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa <= 1e-12 * n || sbb <= 1e-12 * n {
        f64::NAN
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Partial rank correlation coefficient of `outcome` with each of `parameters`: the
/// correlation of the ranks of the parameter and of the outcome after removing, by least
/// squares, what the ranks of the other parameters explain (Spearman's correlation when there
/// is one parameter). NaN where a rank has no spread left.
pub fn prcc(parameters: &[Vec<f64>], outcome: &[f64]) -> Vec<f64> {
    let ranked: Vec<Vec<f64>> = parameters.iter().map(|p| ranks(p)).collect();
    let y = ranks(outcome);
    (0..ranked.len())
        .map(|j| {
            let others: Vec<&[f64]> = ranked
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != j)
                .map(|(_, r)| r.as_slice())
                .collect();
            correlation(&residuals(&ranked[j], &others), &residuals(&y, &others))
        })
        .collect()
}

fn value(stat: &[f64], point: usize, m: Metric) -> f64 {
    let i = Metric::ALL.iter().position(|x| *x == m).unwrap_or(0);
    stat[(point * Metric::ALL.len() + i) * N_STRATA]
}

fn short(path: &str) -> String {
    path.rsplit('.').next().unwrap_or(path).to_string()
}

/// Figures and tables of a sweep's report.
pub fn build(r: &SweepResults) -> (Vec<Figure>, Vec<Table>) {
    let numeric: Vec<(&String, &Vec<f64>)> = r
        .parameters
        .iter()
        .filter_map(|(name, v)| match v {
            SweptValues::Numbers(values) => Some((name, values)),
            SweptValues::Text(_) => None,
        })
        .collect();
    let columns: Vec<Vec<f64>> = numeric.iter().map(|(_, v)| (*v).clone()).collect();
    let mut sensitivity = Vec::new();
    let mut panels = Vec::new();
    let outcomes = outcomes(r);
    for o in &outcomes {
        let outcome: Vec<f64> = (0..r.points)
            .map(|p| value(o.stats[0], p, o.metric))
            .collect();
        let coefficients = prcc(&columns, &outcome);
        let mut bars: Vec<(String, f64)> = numeric
            .iter()
            .zip(&coefficients)
            .map(|((name, _), c)| (short(name), *c))
            .collect();
        // Tornado order: the strongest on top.
        bars.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        for ((name, _), c) in numeric.iter().zip(&coefficients) {
            sensitivity.push(vec![
                Cell::Text(o.name.clone()),
                Cell::Text((*name).clone()),
                Cell::Num(*c),
            ]);
        }
        panels.push(Panel::Bars(Bars {
            title: o.title.clone(),
            x_label: "PRCC".into(),
            bars,
        }));
    }
    let figure = Figure {
        name: "sensitivity".into(),
        title: "How each outcome responds to each swept parameter".into(),
        grid: (panels.len().div_ceil(2), 2),
        key: Vec::new(),
        panels,
    };
    let mut header = vec!["point".to_string()];
    header.extend(r.parameters.iter().map(|(n, _)| n.clone()));
    for o in &outcomes {
        for suffix in ["mean", "lo95", "hi95"] {
            header.push(format!("{}_{suffix}", o.name));
        }
    }
    let rows = (0..r.points)
        .map(|p| {
            let mut row = vec![Cell::Num(p as f64)];
            for (_, v) in &r.parameters {
                row.push(match v {
                    SweptValues::Numbers(v) => Cell::Num(v[p]),
                    SweptValues::Text(v) => Cell::Text(v[p].clone()),
                });
            }
            for o in &outcomes {
                for stat in o.stats {
                    row.push(Cell::Num(value(stat, p, o.metric)));
                }
            }
            row
        })
        .collect();
    let discounted = r.discounting.describe();
    let tables = vec![
        Table {
            name: "sensitivity".into(),
            title: format!(
                "Partial rank correlation coefficients (PRCC) of each outcome (whole \
                 population, mean across the point's replicates; final year, and `_run`: the \
                 total over the run, discounted at {discounted}) with each numeric swept \
                 parameter"
            ),
            header: ["outcome", "parameter", "prcc"].map(String::from).to_vec(),
            rows: sensitivity,
        },
        Table {
            name: "points".into(),
            title: format!(
                "Points of the sweep: parameter values and outcomes (whole population; final \
                 year, and `_run`: the total over the run, discounted at {discounted}): mean \
                 and 95% interval across the point's replicates"
            ),
            header,
            rows,
        },
    ];
    (vec![figure], tables)
}

/// The sweep report page. `svg` is the sensitivity figure.
pub fn page(
    r: &SweepResults,
    source: &str,
    figure: &Figure,
    svg: &str,
    tables: &[Table],
) -> String {
    let title = format!("mhsim report: sweep {}", r.name);
    let mut out = String::new();
    page_head(&mut out, &title);
    let _ = writeln!(
        out,
        "<h1>{}</h1>\n\
         <p class=\"meta\">{} points x {} replicates, {} weeks from {}; {}. Made by mhsim {} \
         from <code>{}</code>.</p>",
        escape(&title),
        r.points,
        r.replicates,
        r.weeks,
        r.start_year,
        escape(&r.design),
        escape(crate::VERSION),
        escape(source)
    );
    let _ = writeln!(
        out,
        "<section id=\"sensitivity\">\n<h2>Sensitivity</h2>\n<p>For each outcome, the partial \
         rank correlation coefficient (PRCC) with each numeric swept parameter: the \
         correlation between the ranks of the parameter and of the outcome across points once \
         the other swept parameters are accounted for (+1: the outcome rises with the \
         parameter, -1: it falls). Bars are sorted by strength (a tornado chart).</p>"
    );
    figure_html(&mut out, figure, svg);
    tables_named(&mut out, tables, "sensitivity");
    out.push_str("</section>\n<section id=\"points\">\n<h2>Points</h2>\n");
    tables_named(&mut out, tables, "points");
    let _ = writeln!(
        out,
        "</section>\n<section id=\"methods\" class=\"methods\">\n<h2>Methods</h2>\n\
         <dl class=\"facts\">\n<dt>Design</dt><dd>{}</dd>\n<dt>Seeds</dt><dd>{}</dd>\n\
         <dt>Replicates per point</dt><dd>{}</dd>\n<dt>Seed</dt><dd>{}</dd>\n\
         <dt>mhsim version</dt><dd>{}</dd>\n</dl>\n<p>Sweep file as written:</p>\n<pre>{}</pre>",
        escape(&r.design),
        escape(&r.seeds),
        r.replicates,
        r.seed,
        escape(&r.mhsim_version),
        escape(&r.sweep)
    );
    let differing = differing_parameters(&r.base_scenario);
    if differing.is_empty() {
        out.push_str("<p>The base scenario has every parameter at its built-in default.</p>\n");
    } else {
        let table = Table {
            name: "base_parameters".into(),
            title: "Parameters of the base scenario that differ from the built-in defaults".into(),
            header: ["parameter", "default", "value"].map(String::from).to_vec(),
            rows: differing
                .into_iter()
                .map(|(k, d, v)| vec![Cell::Text(k), Cell::Text(d), Cell::Text(v)])
                .collect(),
        };
        table_html(&mut out, &table);
    }
    out.push_str("</section>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn prcc_finds_monotone_effects_and_removes_the_others() {
        // A 3 x 3 grid; the outcome rises with a, falls with b (non-linearly).
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut y = Vec::new();
        for i in 0..3 {
            for j in 0..3 {
                a.push(f64::from(i));
                b.push(f64::from(j));
                y.push(f64::from(i).exp() - 0.1 * f64::from(j));
            }
        }
        let c = prcc(&[a.clone(), b.clone()], &y);
        assert!(c[0] > 0.9 && c[1] < -0.9, "{c:?}");
        // One parameter: Spearman's correlation.
        let s = prcc(&[vec![1.0, 2.0, 3.0, 4.0]], &[10.0, 20.0, 15.0, 40.0]);
        assert!((s[0] - 0.8).abs() < 1e-12, "{s:?}");
        // No spread in the outcome: undefined.
        assert!(prcc(&[a], &[1.0; 9])[0].is_nan());
    }
}
