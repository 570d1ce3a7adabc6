//! The report's figures, drawn with plotters to SVG (inlined in the HTML and written as
//! files) and to PNG (for documents and slides).
//!
//! A figure is a grid of panels; a panel is either a time series (years on the x-axis, one
//! line per scenario with its 95% band, policy and shock windows shaded and labelled) or a
//! set of categories (one point with its 95% interval per scenario and category).

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

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        root.fill(&WHITE).map_err(err)?;
        let body = root
            .titled(&self.title, (FAMILY, 28).into_font().style(FontStyle::Bold))
            .map_err(err)?;
        let areas = body.split_evenly(self.grid);
        for (panel, area) in self.panels.iter().zip(areas.iter()) {
            match panel {
                Panel::Time { .. } => draw_time(panel, area)?,
                Panel::Categories { .. } => draw_categories(panel, area)?,
                Panel::Bars(bars) => draw_bars(bars, area)?,
            }
        }
        Ok(())
    }
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

fn draw_time<DB: DrawingBackend>(panel: &Panel, area: &DrawingArea<DB, Shift>) -> DrawResult {
    let Panel::Time {
        title,
        y_label,
        lines,
        windows,
        years,
    } = panel
    else {
        return Ok(());
    };
    let values = lines.iter().flat_map(|l| {
        l.mean
            .iter()
            .map(|p| p.1)
            .chain(l.band.iter().flat_map(|b| [b.1, b.2]))
    });
    // Room above the data for the window labels.
    let headroom = 0.08 + 0.1 * windows.len().min(4) as f64;
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
        .x_label_formatter(&|x| date_label(*x))
        .y_label_formatter(&|y| tick_label(*y))
        .draw()
        .map_err(err)?;
    for (i, w) in windows.iter().enumerate() {
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
        let y = y1 - (y1 - y0) * (0.02 + 0.1 * (i % 4) as f64);
        chart
            .draw_series(std::iter::once(Text::new(
                fit(
                    &format!("{} {}", if w.shock { "shock:" } else { "policy:" }, w.label),
                    max_chars.saturating_sub(((a - x0) / (x1 - x0) * max_chars as f64) as usize),
                ),
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
    if !labelled {
        return Ok(());
    }
    draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
}

fn draw_categories<DB: DrawingBackend>(panel: &Panel, area: &DrawingArea<DB, Shift>) -> DrawResult {
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
        chart
            .draw_series(
                at.iter()
                    .map(|(x, v)| Circle::new((*x, v.0), 5, colour.filled())),
            )
            .map_err(err)?
            .label(p.label.as_str())
            .legend(move |(x, y)| Circle::new((x + 10, y), 5, colour.filled()));
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
    let names: Vec<String> = bars.bars.iter().map(|b| b.0.clone()).collect();
    let label = move |y: &f64| -> String {
        let i = y.round();
        if (y - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < names.len() {
            // Top to bottom.
            names[names.len() - 1 - i as usize].clone()
        } else {
            String::new()
        }
    };
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
