//! The report's figures, drawn with plotters to SVG (inlined in the HTML and written as
//! files) and to PNG (for documents and slides).
//!
//! A figure is a grid of panels; a panel is a time series (years on the x-axis, one line per
//! scenario with its 95% band, policy and shock windows shaded and labelled; optionally with
//! observed values and their 95% intervals), a set of categories (one point with its 95%
//! interval per scenario and category), horizontal bars (a tornado chart), or deviations from
//! targets (a dot and a whisker per target over a shaded band from -1 to 1).

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

/// Width and height of every figure, in pixels.
pub const SIZE: (u32, u32) = (1000, 600);

/// The Okabe-Ito palette (colour-blind safe), in the order scenarios take it.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0xF0, 0xE4, 0x42), // yellow
    RGBColor(0x00, 0x00, 0x00), // black
];

/// Colour of the `i`-th scenario.
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The font bundled with mhsim (DejaVu Sans), so that PNGs render without system fonts.
const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled font is valid; a failure would show as missing text, never a panic.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
        let _ = plotters::style::register_font(FAMILY, FontStyle::Bold, FONT);
    });
}

/// A shaded time window (a policy or a shock).
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Label shown at the top of the window.
    pub label: String,
    /// First and end year (calendar years, fractional).
    pub from: f64,
    /// End of the window (exclusive).
    pub to: f64,
    /// A shock (shaded orange) rather than a policy (shaded blue).
    pub shock: bool,
}

/// One line of a time-series panel.
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend label.
    pub label: String,
    /// Colour.
    pub colour: RGBColor,
    /// Drawn dashed (to tell two quantities of one scenario apart).
    pub dashed: bool,
    /// Points (year, mean); non-finite means leave a gap.
    pub mean: Vec<(f64, f64)>,
    /// The 95% band (year, low, high), if any.
    pub band: Vec<(f64, f64, f64)>,
}

/// One scenario's values in a category panel: (mean, low, high) per category.
#[derive(Debug, Clone)]
pub struct Points {
    /// Legend label.
    pub label: String,
    /// Colour.
    pub colour: RGBColor,
    /// Per category: mean and 95% interval.
    pub values: Vec<(f64, f64, f64)>,
}

/// One panel of a figure.
#[derive(Debug, Clone)]
pub enum Panel {
    /// Values over time.
    Time {
        /// Panel title.
        title: String,
        /// Y-axis label, with the unit.
        y_label: String,
        /// Lines, one per scenario (and quantity).
        lines: Vec<Line>,
        /// Shaded windows.
        windows: Vec<Window>,
        /// X-axis range (years).
        years: (f64, f64),
    },
    /// Values by category.
    Categories {
        /// Panel title.
        title: String,
        /// X-axis label.
        x_label: String,
        /// Y-axis label, with the unit.
        y_label: String,
        /// Category names.
        categories: Vec<String>,
        /// A category to highlight (shaded) and its note.
        highlight: Option<(usize, String)>,
        /// Join a scenario's points with lines (ordered categories).
        connect: bool,
        /// One set of points per scenario.
        points: Vec<Points>,
    },
    /// Horizontal bars in [-1, 1].
    Bars(Bars),
    /// Values over time (as [`Panel::Time`]) with observed values to compare them with.
    Trend {
        /// Panel title.
        title: String,
        /// Y-axis label, with the unit.
        y_label: String,
        /// Simulated lines.
        lines: Vec<Line>,
        /// Shaded windows.
        windows: Vec<Window>,
        /// X-axis range (years).
        years: (f64, f64),
        /// The observed values.
        observed: Observed,
    },
    /// Standardised deviations from targets, one row each.
    Deviations(Deviations),
    /// A weighted histogram with marked values.
    Histogram(Histogram),
    /// Lines of y against a numeric x, with marked x values.
    Curve(Curve),
}

/// Lines of y against a numeric x (not time) over fixed axes, with vertical reference lines
/// at marked x values (e.g. a cost-effectiveness acceptability curve and its thresholds).
#[derive(Debug, Clone)]
pub struct Curve {
    /// Panel title.
    pub title: String,
    /// X-axis label, with the unit.
    pub x_label: String,
    /// Y-axis label, with the unit.
    pub y_label: String,
    /// X-axis range.
    pub x_range: (f64, f64),
    /// Y-axis range.
    pub y_range: (f64, f64),
    /// Lines (their `mean` points are (x, y); bands are not drawn).
    pub lines: Vec<Line>,
    /// Marked x values: a grey dashed vertical line each, labelled at its top.
    pub marks: Vec<(String, f64)>,
}

/// A histogram of weighted shares in equal-width bins over a range, with values marked as
/// vertical lines (a posterior marginal over its prior's range).
#[derive(Debug, Clone)]
pub struct Histogram {
    /// Panel title.
    pub title: String,
    /// X-axis label.
    pub x_label: String,
    /// The range the bins divide, in axis coordinates.
    pub range: (f64, f64),
    /// The axis is the base-10 logarithm of the value: ticks are labelled with the value.
    pub log10: bool,
    /// Share of the weight in each bin, left to right.
    pub shares: Vec<f64>,
    /// Marked values (axis coordinates): legend label, value, colour.
    pub marks: Vec<(String, f64, RGBColor)>,
}

/// Observed values drawn over a time series: points with vertical 95% intervals.
#[derive(Debug, Clone)]
pub struct Observed {
    /// Legend label.
    pub label: String,
    /// Colour.
    pub colour: RGBColor,
    /// (year, value, low, high) per observation.
    pub points: Vec<(f64, f64, f64, f64)>,
}

/// One row of a [`Deviations`] panel.
#[derive(Debug, Clone)]
pub struct Deviation {
    /// Row label.
    pub label: String,
    /// The deviation (a dot).
    pub value: f64,
    /// Lower end of its range (whisker).
    pub lo: f64,
    /// Upper end of its range (whisker).
    pub hi: f64,
    /// Inside the accepted band (drawn in the first colour, otherwise the second).
    pub inside: bool,
}

/// Deviations in units of a tolerance: a dot and a horizontal whisker per row, over a shaded
/// band from -1 to 1.
#[derive(Debug, Clone)]
pub struct Deviations {
    /// Panel title.
    pub title: String,
    /// X-axis label.
    pub x_label: String,
    /// Label of the shaded band.
    pub band_label: String,
    /// Legend labels of dots inside and outside the band.
    pub legend: (String, String),
    /// Rows, top to bottom.
    pub rows: Vec<Deviation>,
}

/// A horizontal bar chart (a tornado chart when sorted) of values in [-1, 1].
#[derive(Debug, Clone)]
pub struct Bars {
    /// Panel title.
    pub title: String,
    /// X-axis label.
    pub x_label: String,
    /// (label, value) per bar, drawn top to bottom; non-finite values are left out.
    pub bars: Vec<(String, f64)>,
}

/// A figure: panels in a grid, row by row.
#[derive(Debug, Clone)]
pub struct Figure {
    /// File name stem (`<name>.svg`, `<name>.png`) and HTML id.
    pub name: String,
    /// Title drawn at the top.
    pub title: String,
    /// Grid rows and columns.
    pub grid: (usize, usize),
    /// Panels, row by row.
    pub panels: Vec<Panel>,
    /// A key shared by every panel, drawn under the title in place of the panels' own
    /// legends, so that no legend covers data (the scenarios of a report, whose colours are
    /// the same in every panel); empty: each panel draws its own legend, except small
    /// multiples of trends, which share the key of their series (see `shared_key`).
    pub key: Vec<(KeyMark, String)>,
}

type DrawResult = Result<(), String>;

/// Draw a chart's legend (its labelled series) in the house style.
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> DrawResult {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font((FAMILY, 16))
        .draw()
        .map_err(err)
}

fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

impl Figure {
    /// The figure as SVG text.
    pub fn svg(&self) -> Result<String, String> {
        register_font();
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, SIZE).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(err)?;
        }
        Ok(text)
    }

    /// The figure as a PNG file's bytes (RGB, [`SIZE`]).
    pub fn png(&self) -> Result<Vec<u8>, String> {
        register_font();
        let (w, h) = SIZE;
        let mut pixels = vec![255u8; (w * h * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
            self.draw(&root)?;
            root.present().map_err(err)?;
        }
        let mut bytes = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut bytes, w, h);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header().map_err(err)?;
            writer.write_image_data(&pixels).map_err(err)?;
            writer.finish().map_err(err)?;
        }
        Ok(bytes)
    }

    /// The key shared by every panel, drawn under the title: the series of the first panel
    /// with observed values (small multiples of trends), if any.
    fn shared_key(&self) -> Vec<(KeyMark, String)> {
        let Some(Panel::Trend {
            lines, observed, ..
        }) = self
            .panels
            .iter()
            .find(|p| matches!(p, Panel::Trend { .. }))
        else {
            return Vec::new();
        };
        let mut key: Vec<(KeyMark, String)> = lines
            .iter()
            .map(|l| {
                let mark = if l.band.is_empty() {
                    KeyMark::Line(l.colour)
                } else {
                    KeyMark::LineWithBand(l.colour)
                };
                (mark, l.label.clone())
            })
            .collect();
        key.push((KeyMark::Interval(observed.colour), observed.label.clone()));
        key
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(err)?;
        let mut body = root
            .titled(&self.title, (FAMILY, 28).into_font().style(FontStyle::Bold))
            .map_err(err)?;
        let key = if self.key.is_empty() {
            self.shared_key()
        } else {
            self.key.clone()
        };
        // With a key of the figure, the panels' own legends would repeat it.
        let legends = self.key.is_empty();
        if !key.is_empty() {
            let (strip, rest) = body.split_vertically(KEY_HEIGHT);
            draw_key(&strip, &key)?;
            body = rest;
        }
        let areas = body.split_evenly(self.grid);
        for (panel, area) in self.panels.iter().zip(areas.iter()) {
            match panel {
                Panel::Time { .. } | Panel::Trend { .. } => draw_time(panel, area, legends)?,
                Panel::Categories { .. } => draw_categories(panel, area, legends)?,
                Panel::Bars(bars) => draw_bars(bars, area)?,
                Panel::Deviations(d) => draw_deviations(d, area)?,
                Panel::Histogram(h) => draw_histogram(h, area)?,
                Panel::Curve(c) => draw_curve(c, area, legends)?,
            }
        }
        Ok(())
    }
}

/// Height in pixels of a key drawn as a strip above the panels.
const KEY_HEIGHT: u32 = 34;

/// How an entry of a key is drawn.
#[derive(Debug, Clone, Copy)]
pub enum KeyMark {
    /// A line.
    Line(RGBColor),
    /// A line over its (lighter) band.
    LineWithBand(RGBColor),
    /// A dot.
    Dot(RGBColor),
    /// A dot with a vertical interval.
    Interval(RGBColor),
    /// A shaded area.
    Swatch(RGBColor),
}

/// Draw a key in one line, centred in `area`.
fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(KeyMark, String)],
) -> DrawResult {
    let font = (FAMILY, 16).into_font().color(&BLACK);
    let (mark_w, gap, spacing) = (28, 8, 28);
    let (w, h) = area.dim_in_pixel();
    let width_of = |text: &str| {
        area.estimate_text_size(text, &font)
            .map_or(text.chars().count() as i32 * 9, |(w, _)| w as i32)
    };
    let n = items.len().max(1) as i32;
    let total_of =
        |widths: &[i32]| widths.iter().map(|w| mark_w + gap + w).sum::<i32>() + spacing * (n - 1);
    // A key wider than the figure (many scenarios, long names) shortens every name to an
    // equal share of the width.
    let mut texts: Vec<String> = items.iter().map(|(_, t)| t.clone()).collect();
    let mut widths: Vec<i32> = texts.iter().map(|t| width_of(t)).collect();
    if total_of(&widths) > w as i32 - 8 {
        let share = (w as i32 - 8 - spacing * (n - 1)) / n - mark_w - gap;
        let chars = (share.max(36) / 9) as usize;
        texts = texts.iter().map(|t| fit(t, chars)).collect();
        widths = texts.iter().map(|t| width_of(t)).collect();
    }
    let total = total_of(&widths);
    let mut x = ((w as i32 - total) / 2).max(4);
    let y = h as i32 / 2;
    for (((mark, _), text), tw) in items.iter().zip(&texts).zip(&widths) {
        match *mark {
            KeyMark::Line(c) => {
                area.draw(&PathElement::new(
                    vec![(x, y), (x + mark_w, y)],
                    c.stroke_width(2),
                ))
                .map_err(err)?;
            }
            KeyMark::LineWithBand(c) => {
                area.draw(&Rectangle::new(
                    [(x, y - 7), (x + mark_w, y + 7)],
                    c.mix(0.15).filled(),
                ))
                .map_err(err)?;
                area.draw(&PathElement::new(
                    vec![(x, y), (x + mark_w, y)],
                    c.stroke_width(2),
                ))
                .map_err(err)?;
            }
            KeyMark::Dot(c) => {
                area.draw(&Circle::new((x + mark_w / 2, y), 5, c.filled()))
                    .map_err(err)?;
            }
            KeyMark::Interval(c) => {
                let m = x + mark_w / 2;
                area.draw(&PathElement::new(
                    vec![(m, y - 9), (m, y + 9)],
                    c.stroke_width(2),
                ))
                .map_err(err)?;
                area.draw(&Circle::new((m, y), 5, c.filled()))
                    .map_err(err)?;
            }
            KeyMark::Swatch(c) => {
                area.draw(&Rectangle::new(
                    [(x, y - 8), (x + mark_w, y + 8)],
                    c.mix(0.18).filled(),
                ))
                .map_err(err)?;
            }
        }
        area.draw(&Text::new(
            text.clone(),
            (x + mark_w + gap, y),
            font.pos(plotters::style::text_anchor::Pos::new(
                plotters::style::text_anchor::HPos::Left,
                plotters::style::text_anchor::VPos::Center,
            )),
        ))
        .map_err(err)?;
        x += mark_w + gap + tw + spacing;
    }
    Ok(())
}

/// A y range holding every finite value, from 0 when all are positive, with headroom.
fn y_range(values: impl Iterator<Item = f64>, headroom: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let lo = lo.min(0.0);
    let hi = hi.max(0.0);
    let span = if hi > lo { hi - lo } else { hi.abs().max(1.0) };
    (
        if lo < 0.0 { lo - 0.05 * span } else { 0.0 },
        hi + headroom * span,
    )
}

/// Runs of consecutive finite points.
fn segments(points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for &(x, y) in points {
        if y.is_finite() {
            out.last_mut().expect("never empty").push((x, y));
        } else if !out.last().expect("never empty").is_empty() {
            out.push(Vec::new());
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn tick_label(v: f64) -> String {
    let a = v.abs();
    let text = if a == 0.0 {
        return "0".into();
    } else if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// `text` cut to at most `chars` characters (with an ellipsis when cut).
fn fit(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars.max(4) {
        text.to_string()
    } else {
        let mut out: String = text.chars().take(chars.max(4) - 1).collect();
        out.push('…');
        out
    }
}

/// Rows of window labels at most, at the top of a time-series panel.
const WINDOW_LABEL_ROWS: usize = 4;

/// Shortest label worth drawing, in characters (a shorter space leaves the window unlabelled).
const MIN_LABEL_CHARS: usize = 10;

/// Where each window's label goes: `Some((row, text))`, or `None` when there is no room.
/// Positions are in characters of about 9 pixels, `chars` across the panel. Windows are
/// taken in order of their start; each goes in the first row whose labels end before it
/// starts, else in the row where it has most room; each label is then cut to end before the
/// next label of its row (and the panel's edge), and left out below [`MIN_LABEL_CHARS`].
fn window_labels(
    windows: &[Window],
    (x0, x1): (f64, f64),
    chars: usize,
) -> Vec<Option<(usize, String)>> {
    let rows = windows.len().min(WINDOW_LABEL_ROWS);
    let text = |w: &Window| format!("{} {}", if w.shock { "shock:" } else { "policy:" }, w.label);
    let at = |w: &Window| {
        (((w.from.max(x0) - x0) / (x1 - x0)).clamp(0.0, 1.0) * chars as f64).round() as usize
    };
    let mut order: Vec<usize> = (0..windows.len())
        .filter(|&i| windows[i].to.min(x1) > windows[i].from.max(x0))
        .collect();
    order.sort_by(|&a, &b| at(&windows[a]).cmp(&at(&windows[b])).then(a.cmp(&b)));
    // Per row: the windows placed in it, and where its last label would end in full.
    let mut placed: Vec<Vec<usize>> = vec![Vec::new(); rows];
    let mut ends = vec![0usize; rows];
    for &i in &order {
        let start = at(&windows[i]);
        let row = (0..rows).find(|&r| ends[r] <= start).unwrap_or_else(|| {
            // No row is free: the one whose last label starts earliest leaves most room.
            (0..rows)
                .min_by_key(|&r| placed[r].last().map_or(0, |&j| at(&windows[j])))
                .unwrap_or(0)
        });
        placed[row].push(i);
        ends[row] = start + text(&windows[i]).chars().count() + 2;
    }
    let mut labels = vec![None; windows.len()];
    for (row, in_row) in placed.iter().enumerate() {
        for (k, &i) in in_row.iter().enumerate() {
            let start = at(&windows[i]);
            let next = in_row.get(k + 1).map_or(chars, |&j| at(&windows[j]));
            let room = next
                .saturating_sub(start + 2)
                .min(chars.saturating_sub(start));
            if room >= MIN_LABEL_CHARS {
                labels[i] = Some((row, fit(&text(&windows[i]), room)));
            }
        }
    }
    labels
}

/// A calendar label for a fractional year: the year at whole years, else month and year.
pub fn date_label(x: f64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let year = (x + 1e-9).floor();
    let month = (((x - year) * 12.0 + 1e-6).floor() as usize).min(11);
    if (x - x.round()).abs() < 1e-6 {
        format!("{:.0}", x.round())
    } else {
        format!("{} {year:.0}", MONTHS[month])
    }
}

fn draw_time<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, Shift>,
    legend: bool,
) -> DrawResult {
    let (title, y_label, lines, windows, years, observed) = match panel {
        Panel::Time {
            title,
            y_label,
            lines,
            windows,
            years,
        } => (title, y_label, lines, windows, years, None),
        Panel::Trend {
            title,
            y_label,
            lines,
            windows,
            years,
            observed,
        } => (title, y_label, lines, windows, years, Some(observed)),
        _ => return Ok(()),
    };
    let values = lines
        .iter()
        .flat_map(|l| {
            l.mean
                .iter()
                .map(|p| p.1)
                .chain(l.band.iter().flat_map(|b| [b.1, b.2]))
        })
        .chain(
            observed
                .iter()
                .flat_map(|o| o.points.iter().flat_map(|p| [p.1, p.2, p.3])),
        );
    // Small multiples of trends shade the windows without labels (too narrow to read them;
    // the report's prevalence figure labels them).
    let labelled_windows = observed.is_none();
    // Room above the data for the window labels.
    let label_rows = if labelled_windows {
        windows.len().min(WINDOW_LABEL_ROWS)
    } else {
        0
    };
    let headroom = 0.08 + 0.1 * label_rows as f64;
    let (y0, y1) = y_range(values, headroom);
    let (x0, x1) = if years.1 > years.0 {
        *years
    } else {
        (years.0, years.0 + 1.0)
    };
    // About one date label per 70 pixels; window labels cut to fit the panel.
    let width = area.dim_in_pixel().0;
    let max_labels = (f64::from(width) / 70.0).clamp(2.0, 11.0).floor();
    let max_chars = (width as usize / 9).max(12);
    // Small multiples of trends: about one value label per 35 pixels of height; elsewhere
    // plotters' default (11).
    let y_labels = if observed.is_some() {
        (area.dim_in_pixel().1 as usize / 35).clamp(3, 11)
    } else {
        11
    };
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FAMILY, 21))
        .margin(8)
        .margin_right(24)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_desc("Year")
        .y_desc(y_label.as_str())
        .axis_desc_style((FAMILY, 18))
        .label_style((FAMILY, 16))
        .x_labels(((x1 - x0) * 10.0).floor().clamp(1.0, max_labels) as usize + 1)
        .y_labels(y_labels)
        .x_label_formatter(&|x| date_label(*x))
        .y_label_formatter(&|y| tick_label(*y))
        .draw()
        .map_err(err)?;
    let labels = if labelled_windows {
        window_labels(windows, (x0, x1), max_chars)
    } else {
        vec![None; windows.len()]
    };
    for (w, label) in windows.iter().zip(labels) {
        let fill = if w.shock {
            RGBColor(0xE6, 0x9F, 0x00).mix(0.18)
        } else {
            RGBColor(0x56, 0xB4, 0xE9).mix(0.18)
        };
        let (a, b) = (w.from.max(x0), w.to.min(x1));
        if b <= a {
            continue;
        }
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(a, y0), (b, y1)],
                fill.filled(),
            )))
            .map_err(err)?;
        let Some((row, text)) = label else {
            continue;
        };
        let y = y1 - (y1 - y0) * (0.02 + 0.1 * row as f64);
        chart
            .draw_series(std::iter::once(Text::new(
                text,
                (a, y),
                (FAMILY, 16).into_font().color(&BLACK),
            )))
            .map_err(err)?;
    }
    for line in lines {
        let band: Vec<(f64, f64, f64)> = line
            .band
            .iter()
            .copied()
            .filter(|b| b.1.is_finite() && b.2.is_finite())
            .collect();
        if band.len() > 1 {
            let mut outline: Vec<(f64, f64)> = band.iter().map(|b| (b.0, b.2)).collect();
            outline.extend(band.iter().rev().map(|b| (b.0, b.1)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    line.colour.mix(0.15).filled(),
                )))
                .map_err(err)?;
        }
    }
    let mut labelled = false;
    for line in lines {
        let style = ShapeStyle::from(&line.colour).stroke_width(2);
        let mut first = true;
        for seg in segments(&line.mean) {
            if seg.len() == 1 {
                // A lone value between gaps: a dot.
                chart
                    .draw_series(std::iter::once(Circle::new(
                        seg[0],
                        3,
                        line.colour.filled(),
                    )))
                    .map_err(err)?;
            }
            let drawn = if line.dashed {
                chart.draw_series(DashedLineSeries::new(seg, 8, 5, style))
            } else {
                chart.draw_series(LineSeries::new(seg, style))
            }
            .map_err(err)?;
            if first {
                let (colour, dashed) = (line.colour, line.dashed);
                drawn.label(line.label.as_str()).legend(move |(x, y)| {
                    let s = ShapeStyle::from(&colour).stroke_width(2);
                    if dashed {
                        PathElement::new(vec![(x, y), (x + 8, y)], s)
                    } else {
                        PathElement::new(vec![(x, y), (x + 20, y)], s)
                    }
                });
                first = false;
                labelled = true;
            }
        }
    }
    if let Some(o) = observed {
        let style = ShapeStyle::from(&o.colour).stroke_width(2);
        let cap = (x1 - x0) / 150.0;
        let shown: Vec<(f64, f64, f64, f64)> = o
            .points
            .iter()
            .copied()
            .filter(|p| p.1.is_finite() && (x0..=x1).contains(&p.0))
            .collect();
        chart
            .draw_series(
                shown
                    .iter()
                    .filter(|p| p.2.is_finite() && p.3.is_finite())
                    .flat_map(|&(x, _, lo, hi)| {
                        [
                            PathElement::new(vec![(x, lo), (x, hi)], style),
                            PathElement::new(vec![(x - cap, lo), (x + cap, lo)], style),
                            PathElement::new(vec![(x - cap, hi), (x + cap, hi)], style),
                        ]
                    }),
            )
            .map_err(err)?;
        let colour = o.colour;
        chart
            .draw_series(
                shown
                    .iter()
                    .map(|&(x, v, ..)| Circle::new((x, v), 5, colour.filled())),
            )
            .map_err(err)?
            .label(o.label.as_str());
        // The figure's key names the series (shared by its small multiples).
        return Ok(());
    }
    if !labelled || !legend {
        return Ok(());
    }
    draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
}

fn draw_categories<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, Shift>,
    legend: bool,
) -> DrawResult {
    let Panel::Categories {
        title,
        x_label,
        y_label,
        categories,
        highlight,
        connect,
        points,
    } = panel
    else {
        return Ok(());
    };
    let n = categories.len().max(1);
    let values = points
        .iter()
        .flat_map(|p| p.values.iter().flat_map(|v| [v.0, v.1, v.2]));
    let (y0, y1) = y_range(values, 0.15);
    let (x0, x1) = (-0.5, n as f64 - 0.5);
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FAMILY, 21))
        .margin(8)
        .margin_right(24)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    let names = categories.clone();
    let label = move |x: &f64| -> String {
        let i = x.round();
        if (x - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < names.len() {
            names[i as usize].clone()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_labels(n + 1)
        .x_desc(x_label.as_str())
        .y_desc(y_label.as_str())
        .axis_desc_style((FAMILY, 18))
        .label_style((FAMILY, 16))
        .x_label_formatter(&label)
        .y_label_formatter(&|y| tick_label(*y))
        .draw()
        .map_err(err)?;
    if let Some((i, note)) = highlight {
        let c = *i as f64;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(c - 0.5, y0), (c + 0.5, y1)],
                RGBColor(0xF0, 0xE4, 0x42).mix(0.3).filled(),
            )))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                note.clone(),
                (c - 0.45, y1 - (y1 - y0) * 0.03),
                (FAMILY, 16).into_font().style(FontStyle::Bold),
            )))
            .map_err(err)?;
    }
    if y0 < 0.0 && y1 > 0.0 {
        // Values of both signs (differences): the line of no difference.
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x0, 0.0), (x1, 0.0)],
                BLACK.mix(0.7).stroke_width(1),
            )))
            .map_err(err)?;
    }
    let k = points.len().max(1) as f64;
    let step = (0.6 / k).min(0.15);
    for (s, p) in points.iter().enumerate() {
        let dx = (s as f64 - (k - 1.0) / 2.0) * step;
        let style = ShapeStyle::from(&p.colour).stroke_width(2);
        let at: Vec<(f64, (f64, f64, f64))> = p
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.0.is_finite())
            .map(|(c, v)| (c as f64 + dx, *v))
            .collect();
        if *connect && at.len() > 1 {
            chart
                .draw_series(LineSeries::new(
                    at.iter().map(|(x, v)| (*x, v.0)),
                    p.colour.mix(0.6).stroke_width(1),
                ))
                .map_err(err)?;
        }
        chart
            .draw_series(
                at.iter()
                    .filter(|(_, v)| v.1.is_finite() && v.2.is_finite())
                    .map(|(x, v)| PathElement::new(vec![(*x, v.1), (*x, v.2)], style)),
            )
            .map_err(err)?;
        let colour = p.colour;
        let dots = chart
            .draw_series(
                at.iter()
                    .map(|(x, v)| Circle::new((*x, v.0), 5, colour.filled())),
            )
            .map_err(err)?;
        if !p.label.is_empty() {
            dots.label(p.label.as_str())
                .legend(move |(x, y)| Circle::new((x + 10, y), 5, colour.filled()));
        }
    }
    if !legend || points.iter().all(|p| p.label.is_empty()) {
        return Ok(());
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
}

fn draw_bars<DB: DrawingBackend>(bars: &Bars, area: &DrawingArea<DB, Shift>) -> DrawResult {
    let n = bars.bars.len().max(1);
    let longest = bars.bars.iter().map(|b| b.0.len()).max().unwrap_or(4);
    let mut chart = ChartBuilder::on(area)
        .caption(&bars.title, (FAMILY, 19))
        .margin(8)
        .x_label_area_size(44)
        .y_label_area_size((longest as u32 * 9 + 12).min(260))
        .build_cartesian_2d(-1.0..1.0, -0.5..(n as f64 - 0.5))
        .map_err(err)?;
    let label = row_labels(bars.bars.iter().map(|b| b.0.clone()).collect());
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE.mix(0.0))
        .y_labels(n + 1)
        .x_labels(5)
        .x_desc(bars.x_label.as_str())
        .axis_desc_style((FAMILY, 15))
        .label_style((FAMILY, 14))
        .y_label_formatter(&label)
        .x_label_formatter(&|x| tick_label(*x))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            BLACK.stroke_width(1),
        )))
        .map_err(err)?;
    if bars.bars.iter().all(|b| !b.1.is_finite()) {
        chart
            .draw_series(std::iter::once(Text::new(
                "no variation across points",
                (-0.95, n as f64 / 2.0 - 0.5),
                (FAMILY, 15),
            )))
            .map_err(err)?;
    }
    for (i, (_, v)) in bars.bars.iter().enumerate() {
        if !v.is_finite() {
            continue;
        }
        let y = (n - 1 - i) as f64;
        let fill = if *v >= 0.0 { PALETTE[1] } else { PALETTE[0] };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, y - 0.35), (*v, y + 0.35)],
                fill.filled(),
            )))
            .map_err(err)?;
    }
    Ok(())
}

fn draw_histogram<DB: DrawingBackend>(h: &Histogram, area: &DrawingArea<DB, Shift>) -> DrawResult {
    let (x0, x1) = h.range;
    // Headroom above the tallest bar for the legend.
    let top = h.shares.iter().copied().fold(0.0_f64, f64::max).max(0.05) * 1.6;
    let mut chart = ChartBuilder::on(area)
        .caption(&h.title, (FAMILY, 17))
        .margin(6)
        .margin_right(16)
        .x_label_area_size(40)
        .y_label_area_size(52)
        .build_cartesian_2d(x0..x1, 0.0..top)
        .map_err(err)?;
    let log10 = h.log10;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_labels(5)
        .y_labels(4)
        .x_desc(h.x_label.as_str())
        .y_desc("share of weight")
        .axis_desc_style((FAMILY, 14))
        .label_style((FAMILY, 13))
        .x_label_formatter(&|x| tick_label(if log10 { 10f64.powf(*x) } else { *x }))
        .y_label_formatter(&|y| tick_label(*y))
        .draw()
        .map_err(err)?;
    let width = (x1 - x0) / h.shares.len().max(1) as f64;
    chart
        .draw_series(
            h.shares
                .iter()
                .enumerate()
                .filter(|(_, s)| **s > 0.0)
                .map(|(i, s)| {
                    let left = x0 + i as f64 * width;
                    Rectangle::new(
                        [(left, 0.0), (left + width, *s)],
                        PALETTE[0].mix(0.55).filled(),
                    )
                }),
        )
        .map_err(err)?;
    for (label, value, colour) in &h.marks {
        if !value.is_finite() {
            continue;
        }
        let colour = *colour;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(*value, 0.0), (*value, top)],
                colour.stroke_width(3),
            )))
            .map_err(err)?
            .label(label.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3))
            });
    }
    if h.marks.is_empty() {
        return Ok(());
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
}

fn draw_curve<DB: DrawingBackend>(
    c: &Curve,
    area: &DrawingArea<DB, Shift>,
    legend: bool,
) -> DrawResult {
    let (x0, x1) = c.x_range;
    let (y0, y1) = c.y_range;
    // Headroom above the range for the marks' labels (no ticks there).
    let top = y1 + 0.13 * (y1 - y0);
    let mut chart = ChartBuilder::on(area)
        .caption(&c.title, (FAMILY, 21))
        .margin(8)
        .margin_right(24)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..top)
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_desc(c.x_label.as_str())
        .y_desc(c.y_label.as_str())
        .axis_desc_style((FAMILY, 18))
        .label_style((FAMILY, 16))
        .x_labels(11)
        .y_labels(11)
        .x_label_formatter(&|x| tick_label(*x))
        .y_label_formatter(&|y| {
            if *y <= y1 + 1e-9 * (y1 - y0).abs() {
                tick_label(*y)
            } else {
                String::new()
            }
        })
        .draw()
        .map_err(err)?;
    let grey = RGBColor(0x60, 0x60, 0x60);
    // Marks in order of x, their labels in the headroom, alternating between two rows so
    // that near ones do not overlap.
    let mut marks: Vec<&(String, f64)> = c
        .marks
        .iter()
        .filter(|(_, x)| x.is_finite() && (x0..=x1).contains(x))
        .collect();
    marks.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (k, (label, x)) in marks.iter().enumerate() {
        chart
            .draw_series(DashedLineSeries::new(
                [(*x, y0), (*x, y1)],
                6,
                4,
                ShapeStyle::from(&grey).stroke_width(1),
            ))
            .map_err(err)?;
        let y = top - (y1 - y0) * (0.01 + 0.06 * (k % 2) as f64);
        chart
            .draw_series(std::iter::once(Text::new(
                format!(" {label}"),
                (*x, y),
                (FAMILY, 15).into_font().color(&grey),
            )))
            .map_err(err)?;
    }
    let mut labelled = false;
    for line in &c.lines {
        let style = ShapeStyle::from(&line.colour).stroke_width(2);
        let mut first = true;
        for seg in segments(&line.mean) {
            let drawn = chart
                .draw_series(LineSeries::new(seg, style))
                .map_err(err)?;
            if first {
                let colour = line.colour;
                drawn.label(line.label.as_str()).legend(move |(x, y)| {
                    PathElement::new(
                        vec![(x, y), (x + 20, y)],
                        ShapeStyle::from(&colour).stroke_width(2),
                    )
                });
                first = false;
                labelled = true;
            }
        }
    }
    if !labelled || !legend {
        return Ok(());
    }
    draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
}

/// Half-width of a deviations panel's x-axis: room for every value, at least 2 (so that the
/// band from -1 to 1 is half the axis at most) and at most 6 (values beyond are drawn at the
/// edge, as a triangle pointing outwards with the value written beside it).
fn deviation_limit(rows: &[Deviation]) -> f64 {
    let largest = rows
        .iter()
        .flat_map(|r| [r.value, r.lo, r.hi])
        .filter(|v| v.is_finite())
        .fold(0.0_f64, |a, v| a.max(v.abs()));
    (largest * 1.08).clamp(2.0, 6.0)
}

fn draw_deviations<DB: DrawingBackend>(
    d: &Deviations,
    area: &DrawingArea<DB, Shift>,
) -> DrawResult {
    let n = d.rows.len().max(1);
    let limit = deviation_limit(&d.rows);
    let label_chars = 34;
    let longest = d
        .rows
        .iter()
        .map(|r| r.label.chars().count().min(label_chars))
        .max()
        .unwrap_or(4);
    let font = if n > 24 { 12 } else { 15 };
    let colour_of = |inside: bool| if inside { PALETTE[0] } else { PALETTE[1] };
    let band = PALETTE[2];
    // Title, then the key (band and the kinds of dot present), then the chart.
    let body = area.titled(&d.title, (FAMILY, 19)).map_err(err)?;
    let (strip, plot) = body.split_vertically(KEY_HEIGHT);
    let mut key = vec![(KeyMark::Swatch(band), d.band_label.clone())];
    for (inside, text) in [(true, &d.legend.0), (false, &d.legend.1)] {
        if d.rows.iter().any(|r| r.inside == inside) {
            key.push((KeyMark::Dot(colour_of(inside)), text.clone()));
        }
    }
    draw_key(&strip, &key)?;
    let top = n as f64 - 0.5;
    let mut chart = ChartBuilder::on(&plot)
        .margin(8)
        .margin_right(24)
        .x_label_area_size(50)
        .y_label_area_size((longest as u32 * 9 + 16).min(320))
        .build_cartesian_2d(-limit..limit, -0.5..top)
        .map_err(err)?;
    let label = row_labels(d.rows.iter().map(|r| fit(&r.label, label_chars)).collect());
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE.mix(0.0))
        // One label per row: as many as there are whole numbers in the range.
        .y_labels(n)
        .x_labels(9)
        .x_desc(d.x_label.as_str())
        .axis_desc_style((FAMILY, 18))
        .label_style((FAMILY, font))
        .y_label_formatter(&label)
        .x_label_formatter(&|x| tick_label(*x))
        .draw()
        .map_err(err)?;
    // The accepted band and the zero line.
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(-1.0, -0.5), (1.0, top)],
            band.mix(0.18).filled(),
        )))
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, top)],
            BLACK.mix(0.6).stroke_width(1),
        )))
        .map_err(err)?;
    let clip = |v: f64| v.clamp(-limit, limit);
    for (i, r) in d.rows.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let colour = colour_of(r.inside);
        if !r.lo.is_nan() && !r.hi.is_nan() {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(clip(r.lo), y), (clip(r.hi), y)],
                    colour.stroke_width(2),
                )))
                .map_err(err)?;
        }
        if r.value.is_nan() {
            continue;
        }
        if r.value.abs() <= limit {
            chart
                .draw_series(std::iter::once(Circle::new(
                    (r.value, y),
                    5,
                    colour.filled(),
                )))
                .map_err(err)?;
            continue;
        }
        // Off the scale: a triangle at the edge pointing outwards, and the value beside it.
        let x = clip(r.value);
        let inward = if r.value > 0.0 { -1.0 } else { 1.0 };
        let w = limit / 30.0;
        chart
            .draw_series(std::iter::once(Polygon::new(
                vec![
                    (x, y),
                    (x + inward * w, y + 0.25),
                    (x + inward * w, y - 0.25),
                ],
                colour.filled(),
            )))
            .map_err(err)?;
        let text = if r.value.is_finite() {
            tick_label(r.value)
        } else {
            "off the scale".to_string()
        };
        let anchor = if r.value > 0.0 {
            plotters::style::text_anchor::HPos::Right
        } else {
            plotters::style::text_anchor::HPos::Left
        };
        chart
            .draw_series(std::iter::once(Text::new(
                text,
                (x + inward * 1.5 * w, y),
                (FAMILY, 15).into_font().color(&colour).pos(
                    plotters::style::text_anchor::Pos::new(
                        anchor,
                        plotters::style::text_anchor::VPos::Center,
                    ),
                ),
            )))
            .map_err(err)?;
    }
    Ok(())
}

/// The y-axis labels of a chart with one row per name at the whole numbers 0, 1, ...,
/// the first name at the top; nothing between rows.
fn row_labels(names: Vec<String>) -> impl Fn(&f64) -> String {
    move |y: &f64| {
        let i = y.round();
        if (y - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < names.len() {
            names[names.len() - 1 - i as usize].clone()
        } else {
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A figure whose key names `n` series called `name 0`, `name 1`, ...
    fn keyed(n: usize, name: &str) -> Figure {
        let lines = (0..n)
            .map(|i| Line {
                label: format!("{name} {i}"),
                colour: colour(i),
                dashed: false,
                mean: vec![(2024.0, i as f64), (2025.0, i as f64 + 1.0)],
                band: Vec::new(),
            })
            .collect();
        Figure {
            name: "keyed".into(),
            title: "A key".into(),
            grid: (1, 1),
            panels: vec![Panel::Time {
                title: "lines".into(),
                y_label: "value".into(),
                lines,
                windows: Vec::new(),
                years: (2024.0, 2025.0),
            }],
            key: (0..n)
                .map(|i| (KeyMark::Line(colour(i)), format!("{name} {i}")))
                .collect(),
        }
    }

    /// The x coordinates of the SVG's text elements.
    fn text_xs(svg: &str) -> Vec<f64> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let x = t.split("x=\"").nth(1)?.split('"').next()?;
                x.parse().ok()
            })
            .collect()
    }

    fn window(label: &str, from: f64, shock: bool) -> Window {
        Window {
            label: label.into(),
            from,
            to: from + 1.0,
            shock,
        }
    }

    #[test]
    fn window_labels_share_rows_without_overlapping() {
        // 100 characters across 2000-2010: 10 a year.
        let windows = [
            window("recession", 2001.0, true),
            window("a long policy that needs room", 2002.0, false),
            window("late", 2008.0, false),
            window("outside", 2030.0, false),
        ];
        let labels = window_labels(&windows, (2000.0, 2010.0), 100);
        // The first two overlap: two rows; the third fits after the first in row 0.
        assert_eq!(labels[0], Some((0, "shock: recession".into())));
        assert_eq!(
            labels[1],
            Some((1, "policy: a long policy that needs room".into()))
        );
        assert_eq!(labels[2], Some((0, "policy: late".into())));
        assert_eq!(labels[3], None, "a window outside the panel has no label");
        // Crowded: every label ends before the next one of its row starts.
        let crowded: Vec<Window> = (0..12)
            .map(|i| {
                window(
                    "a label of some length",
                    2000.0 + 0.5 * f64::from(i),
                    i % 3 == 0,
                )
            })
            .collect();
        let labels = window_labels(&crowded, (2000.0, 2010.0), 100);
        for row in 0..WINDOW_LABEL_ROWS {
            let mut spans: Vec<(usize, usize)> = labels
                .iter()
                .zip(&crowded)
                .filter_map(|(l, w)| {
                    let (r, text) = l.as_ref()?;
                    let start = ((w.from - 2000.0) * 10.0) as usize;
                    (*r == row).then(|| (start, start + text.chars().count()))
                })
                .collect();
            spans.sort();
            assert!(
                spans.windows(2).all(|p| p[0].1 < p[1].0),
                "row {row}: {spans:?}"
            );
            assert!(spans.iter().all(|s| s.1 - s.0 >= MIN_LABEL_CHARS.min(4)));
        }
        assert!(labels.iter().flatten().all(|(r, _)| *r < WINDOW_LABEL_ROWS));
    }

    #[test]
    fn a_figure_key_replaces_the_legend_and_fits_the_width() {
        // A short key: every name in full, once (no legend in the panel repeats it).
        let svg = keyed(3, "scenario").svg().unwrap();
        for i in 0..3 {
            assert_eq!(svg.matches(&format!("scenario {i}")).count(), 1, "{i}");
        }
        // Eight long names: each is shortened to its share of the width, and every one
        // begins inside the figure.
        let long = "a scenario with a very long name indeed";
        let svg = keyed(8, long).svg().unwrap();
        assert!(!svg.contains(long));
        assert_eq!(svg.matches('…').count(), 8);
        assert!(text_xs(&svg).iter().all(|&x| x < f64::from(SIZE.0)));
    }
}
