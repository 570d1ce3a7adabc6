//! `report.html`: one self-contained page (inline CSS and SVG; no scripts, no external
//! resources).

use std::fmt::Write as _;

use super::ReportInput;
use super::tables::{Built, Table};

pub(super) const STYLE: &str = r#"
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; font-size: 15px; line-height: 1.45;
       color: #1a1a1a; max-width: 1100px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; }
h2 { font-size: 1.35em; border-bottom: 2px solid #0072B2; padding-bottom: 0.2em; margin-top: 2em; }
p.meta { color: #444; margin-top: 0; }
p.verdict { font-size: 1.1em; }
nav ol { columns: 2; }
figure { margin: 1em 0; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.9em; color: #444; margin-top: 0.3em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.88em; }
p.table-title { font-weight: bold; font-size: 0.88em; margin: 1em 0 0.4em; }
.table-wrap table { margin-top: 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; }
th { background: #eef4fa; }
td.text, th.text { text-align: left; }
.table-wrap { overflow-x: auto; }
.methods { background: #f6f6f6; border: 1px solid #bbb; padding: 0.5em 1.2em 1em; margin-top: 2em; }
.methods pre { background: #fff; border: 1px solid #ddd; padding: 0.6em; max-height: 24em;
               overflow: auto; font-size: 0.85em; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
"#;

/// Escape text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn table_html(out: &mut String, table: &Table) {
    let _ = writeln!(
        out,
        "<p class=\"table-title\" id=\"title-{0}\">{1}</p>\n<div class=\"table-wrap\">\
         <table id=\"table-{0}\" aria-labelledby=\"title-{0}\">",
        table.name,
        escape(&table.title)
    );
    let text_columns: Vec<bool> = (0..table.header.len())
        .map(|c| {
            table
                .rows
                .iter()
                .all(|r| matches!(r.get(c), Some(super::tables::Cell::Text(_))))
        })
        .collect();
    let class = |c: usize| {
        if text_columns.get(c).copied().unwrap_or(false) {
            " class=\"text\""
        } else {
            ""
        }
    };
    out.push_str("<thead><tr>");
    for (c, h) in table.header.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", class(c), escape(&h.replace('_', " ")));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for (c, cell) in row.iter().enumerate() {
            let _ = write!(out, "<td{}>{}</td>", class(c), escape(&cell.shown()));
        }
        out.push_str("</tr>\n");
    }
    let _ = writeln!(
        out,
        "</tbody></table></div>\n<p class=\"meta\">Table file: <code>{}.csv</code></p>",
        table.name
    );
}

/// The start of a page titled `title`: the document's head (with the style) and `<body>`.
pub(super) fn page_head(out: &mut String, title: &str) {
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        escape(title)
    );
}

/// A figure of the page: its SVG inline, and a caption naming its files.
pub(super) fn figure_html(out: &mut String, figure: &super::figures::Figure, svg: &str) {
    let _ = writeln!(
        out,
        "<figure id=\"fig-{}\">\n{svg}\n<figcaption>Figure: {}. Files: <code>{}.svg</code>, \
         <code>{}.png</code>.</figcaption>\n</figure>",
        figure.name,
        escape(&figure.title),
        figure.name,
        figure.name
    );
}

/// The tables of `tables` named `name`.
pub(super) fn tables_named(out: &mut String, tables: &[Table], name: &str) {
    for t in tables.iter().filter(|t| t.name == name) {
        table_html(out, t);
    }
}

/// The report page. `svgs[i]` is figure `i` of `built` as SVG text.
pub fn page(input: &ReportInput, built: &Built, svgs: &[String]) -> String {
    let first = &input.runs[0].results;
    let names: Vec<&str> = input.runs.iter().map(|r| r.results.name.as_str()).collect();
    let title = if input.is_comparison() {
        format!(
            "mhsim report: {} compared with {}",
            names[1..].join(", "),
            names[0]
        )
    } else {
        format!("mhsim report: {}", names[0])
    };
    let mut out = String::new();
    page_head(&mut out, &title);
    let last_year = first.start_year + first.weeks.div_ceil(52).max(1) - 1;
    let _ = writeln!(
        out,
        "<h1>{}</h1>\n<p class=\"meta\">{} people, {} replicates, {} to {} ({} weeks); \
         baseline: {}. Made by mhsim {} from <code>{}</code>.</p>",
        escape(&title),
        first.people,
        first.replicates,
        first.start_year,
        last_year,
        first.weeks,
        escape(names[0]),
        escape(crate::VERSION),
        escape(&input.source.display().to_string())
    );
    out.push_str("<nav><ol>\n");
    for s in &built.sections {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            s.id,
            escape(&s.title)
        );
    }
    out.push_str("<li><a href=\"#methods\">Methods</a></li>\n</ol></nav>\n");
    for s in &built.sections {
        let _ = writeln!(
            out,
            "<section id=\"{}\">\n<h2>{}</h2>",
            s.id,
            escape(&s.title),
        );
        if let Some(fit) = built.fit.as_ref().filter(|_| s.id == "fit") {
            let _ = writeln!(
                out,
                "<p class=\"verdict\"><strong>{}</strong></p>",
                escape(&fit.verdict)
            );
        }
        let _ = writeln!(out, "<p>{}</p>", escape(&s.intro));
        for &f in &s.figures {
            figure_html(&mut out, &built.figures[f], &svgs[f]);
        }
        for &t in &s.tables {
            match &built.fit {
                Some(fit) if fit.csv_table == t => table_html(&mut out, &fit.table),
                _ => table_html(&mut out, &built.tables[t]),
            }
        }
        out.push_str("</section>\n");
    }
    methods(&mut out, input, built);
    out.push_str("</body>\n</html>\n");
    out
}

fn methods(out: &mut String, input: &ReportInput, built: &Built) {
    out.push_str(
        "<section id=\"methods\" class=\"methods\">\n<h2>Methods</h2>\n\
         <p>mhsim is an agent-based simulation of a synthetic community: each replicate is one \
         possible history of the same town under the scenario, and replicates of compared \
         scenarios share their random numbers (common random numbers), so differences between \
         scenarios are paired replicate by replicate.</p>\n",
    );
    for run in &input.runs {
        let r = &run.results;
        let _ = writeln!(
            out,
            "<h3>{}</h3>\n<dl class=\"facts\">\n\
             <dt>Scenario file</dt><dd><code>{}</code></dd>\n\
             <dt>People</dt><dd>{}</dd>\n<dt>Replicates</dt><dd>{}</dd>\n\
             <dt>Seed</dt><dd>{}</dd>\n<dt>Weeks recorded</dt><dd>{} (after {} weeks of burn-in), from {}</dd>\n\
             <dt>Shocks and policies</dt><dd>{}</dd>\n\
             <dt>mhsim version</dt><dd>{}</dd>\n</dl>",
            escape(&r.name),
            escape(&r.scenario_origin),
            r.people,
            r.replicates,
            r.seed,
            r.weeks,
            r.burn_in_weeks,
            r.start_year,
            if run.scenario.policies.is_empty() {
                "none".to_string()
            } else {
                run.scenario
                    .policies
                    .iter()
                    .map(|p| {
                        let end = p
                            .end_week
                            .map_or("the end".to_string(), |e| format!("week {e}"));
                        escape(&format!(
                            "{} ({}, weeks {} to {end})",
                            p.label,
                            p.kind.name(),
                            p.start_week
                        ))
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            },
            escape(&r.mhsim_version)
        );
        let _ = writeln!(
            out,
            "<p>Scenario text as written:</p>\n<pre>{}</pre>",
            escape(&r.scenario_source)
        );
    }
    if let Some(table) = built.tables.iter().find(|t| t.name == "parameters") {
        if table.rows.is_empty() {
            out.push_str("<p>Every parameter has its built-in default value.</p>\n");
        } else {
            table_html(out, table);
        }
    }
    if let Some(fit) = &built.fit {
        let _ = writeln!(
            out,
            "<h3>Calibration targets</h3>\n<p>Targets file <code>{}</code> as written:</p>\n<pre>{}</pre>",
            escape(&fit.file),
            escape(&fit.text)
        );
    }
    out.push_str("</section>\n");
}
