//! Charts as inline SVG, drawn with `plotters`' SVG backend (text is escaped by the backend).

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::error::ReportError;
use crate::format::fixed;

/// A drawn chart: its title and its SVG, inline in the page.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Figure {
    pub(crate) title: String,
    pub(crate) svg: String,
}

/// Line colours, in order (colour-blind-safe Tableau 10).
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// What the x axis holds.
#[derive(Clone, Copy)]
pub(crate) enum XAxis {
    /// Milliseconds since the Unix epoch, UTC, labelled as dates.
    Time,
    /// Generations, labelled as integers.
    Generation,
}

/// How y values are labelled.
#[derive(Clone, Copy)]
pub(crate) enum YFormat {
    /// Fractions shown as percent.
    Percent,
    /// Plain numbers.
    Number,
    /// Growth multiples on a logarithmic scale: the lines' y values are given as growth (> 0) and
    /// drawn as their base-10 logarithm, labelled with the growth (points at or below zero, such as
    /// buy-and-hold through a negative oil price, are left out).
    LogGrowth,
}

/// One line of a chart.
pub(crate) struct Line {
    pub(crate) name: String,
    pub(crate) points: Vec<(f64, f64)>,
    pub(crate) color: RGBColor,
    pub(crate) width: u32,
}

/// A line chart.
pub(crate) struct LineChart<'a> {
    /// Names the chart in errors.
    pub(crate) name: &'a str,
    pub(crate) x_axis: XAxis,
    pub(crate) y_format: YFormat,
    pub(crate) y_label: &'a str,
    pub(crate) lines: Vec<Line>,
    /// Vertical lines with a label (the splits).
    pub(crate) markers: Vec<(f64, String)>,
    /// Fill each line's area down to zero (drawdown charts).
    pub(crate) fill_to_zero: bool,
    pub(crate) size: (u32, u32),
}

/// Inline SVG in HTML needs no namespace declaration: dropping it leaves the page without any
/// `http` address at all.
pub(crate) fn inline(svg: String) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

pub(crate) fn chart_error<E: std::fmt::Debug>(name: &str) -> impl Fn(E) -> ReportError + '_ {
    move |error| ReportError::Chart {
        name: name.to_string(),
        message: format!("{error:?}"),
    }
}

fn x_description(axis: XAxis) -> &'static str {
    match axis {
        XAxis::Time => "date (UTC)",
        XAxis::Generation => "generation",
    }
}

/// Legend entries laid out left to right, wrapping: (entry, column x, row) and the rows used.
fn legend_layout(entries: &[(String, RGBColor)], width: u32) -> (Vec<(usize, i32, i32)>, u32) {
    let (mut x, mut row) = (8i32, 0i32);
    let mut placed = Vec::new();
    for (index, (name, _)) in entries.iter().enumerate() {
        let entry_width = 28 + 7 * name.chars().count() as i32;
        if x > 8 && x + entry_width > width as i32 - 8 {
            x = 8;
            row += 1;
        }
        placed.push((index, x, row));
        x += entry_width + 12;
    }
    (
        placed,
        if entries.is_empty() {
            0
        } else {
            row as u32 + 1
        },
    )
}

/// Height of the legend strip above a chart of `width` pixels (0 without entries).
pub(crate) fn legend_height(entries: &[(String, RGBColor)], width: u32) -> u32 {
    legend_layout(entries, width).1 * 18 + if entries.is_empty() { 0 } else { 6 }
}

/// Draws the legend in its own strip above the plot, so it never covers data: a swatch (a line,
/// or a filled square for areas) and the name per entry.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    entries: &[(String, RGBColor)],
    filled: bool,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (width, _) = area.dim_in_pixel();
    let (placed, _) = legend_layout(entries, width);
    for (index, x, row) in placed {
        let (name, colour) = &entries[index];
        let y = 12 + row * 18;
        if filled {
            area.draw(&Rectangle::new(
                [(x, y - 5), (x + 16, y + 5)],
                colour.filled(),
            ))?;
        } else {
            area.draw(&PathElement::new(
                vec![(x, y), (x + 20, y)],
                colour.stroke_width(3),
            ))?;
        }
        area.draw(&Text::new(
            name.clone(),
            (x + 24, y - 7),
            ("sans-serif", 12).into_font().color(&RGBColor(50, 50, 50)),
        ))?;
    }
    Ok(())
}

fn x_text(axis: XAxis, value: f64) -> String {
    match axis {
        XAxis::Time => chrono::DateTime::from_timestamp_millis(value as i64)
            .map(|time| time.format("%Y-%m").to_string())
            .unwrap_or_default(),
        XAxis::Generation => format!("{value:.0}"),
    }
}

/// The y axis' tick text: `decimals` decimals (of the percent for [`YFormat::Percent`]), never a
/// negative zero.
fn y_text(format: YFormat, value: f64, decimals: usize) -> String {
    match format {
        YFormat::Percent => format!("{}%", fixed(value * 100.0, decimals)),
        YFormat::Number => fixed(value, decimals),
        YFormat::LogGrowth => {
            // Each round growth value with the decimals it needs: 0.5, 1, 2, 20.
            let growth = 10f64.powf(value);
            let places = (0..decimals)
                .find(|places| {
                    let shown: f64 = fixed(growth, *places).parse().unwrap_or(f64::NAN);
                    (shown - growth).abs() <= growth.abs() * 1e-9
                })
                .unwrap_or(decimals);
            fixed(growth, places)
        }
    }
}

/// A numeric axis with the ticks we chose (round values from [`linear_ticks`] or [`log_ticks`])
/// instead of plotters' own.
pub(crate) struct TickedAxis {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl TickedAxis {
    pub(crate) fn new(low: f64, high: f64, ticks: Vec<f64>) -> Self {
        Self {
            inner: (low..high).into(),
            ticks,
        }
    }
}

impl Ranged for TickedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// A round step (1, 2 or 5 times a power of ten) that cuts `span` into about `count` pieces.
fn nice_step(span: f64, count: usize) -> f64 {
    let raw = span / count.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|factor| factor * power)
        .find(|step| *step >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * power);
    if step.is_finite() && step > 0.0 {
        step
    } else {
        1.0
    }
}

/// Decimals that tell ticks `step` apart (0 for a step of 1 or more).
fn decimals_for(step: f64) -> usize {
    (-step.log10().floor()).clamp(0.0, 8.0) as usize
}

/// Ticks at round values (multiples of a 1-2-5 step) inside `low..=high`, and their decimals; the
/// same in percent points for [`YFormat::Percent`].
pub(crate) fn linear_ticks(low: f64, high: f64, count: usize, percent: bool) -> (Vec<f64>, usize) {
    let scale = if percent { 100.0 } else { 1.0 };
    let step = nice_step((high - low) * scale, count);
    // A tick within a billionth of a step of an end is on it (0.98 / 0.01 is 97.99999...).
    let slack = 1e-9;
    let first = (low * scale / step - slack).ceil() as i64;
    let last = (high * scale / step + slack).floor() as i64;
    let tolerance = step / scale * slack;
    let ticks = (first..=last.max(first))
        .map(|index| index as f64 * step / scale)
        .filter(|value| *value >= low - tolerance && *value <= high + tolerance)
        .map(|value| if value == 0.0 { 0.0 } else { value })
        .collect();
    (ticks, decimals_for(step))
}

/// Ticks of a log-scale axis (`low` and `high` are log10 of growth): round growth values, 1-2-5 per
/// decade when the range spans decades, finer round values (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8) when
/// it spans less, evenly stepped growth when even those are too few; returned as log10 values with
/// the decimals their text needs.
pub(crate) fn log_ticks(low: f64, high: f64) -> (Vec<f64>, usize) {
    let inside = |mantissas: &[f64]| -> Vec<f64> {
        let mut ticks = Vec::new();
        for decade in (low.floor() as i32 - 1)..=(high.ceil() as i32) {
            for mantissa in mantissas {
                let growth = mantissa * 10f64.powi(decade);
                let log = growth.log10();
                if log >= low && log <= high {
                    ticks.push(growth);
                }
            }
        }
        ticks
    };
    let decimals = |ticks: &[f64]| {
        ticks
            .iter()
            .map(|growth| {
                (0..=6)
                    .find(|places| {
                        let shown: f64 = fixed(*growth, *places).parse().unwrap_or(f64::NAN);
                        (shown - growth).abs() <= growth.abs() * 1e-9
                    })
                    .unwrap_or(6)
            })
            .max()
            .unwrap_or(0)
    };
    for mantissas in [
        &[1.0, 2.0, 5.0][..],
        &[1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0][..],
    ] {
        let ticks = inside(mantissas);
        if ticks.len() >= 3 {
            let places = decimals(&ticks);
            return (ticks.iter().map(|growth| growth.log10()).collect(), places);
        }
    }
    let (ticks, places) = linear_ticks(10f64.powf(low), 10f64.powf(high), 5, false);
    (
        ticks
            .into_iter()
            .filter(|growth| *growth > 0.0)
            .map(f64::log10)
            .collect(),
        places,
    )
}

/// The range of finite values, widened when flat, with a 4% margin.
pub(crate) fn padded_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (low, high) = values
        .filter(|value| value.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), value| {
            (low.min(value), high.max(value))
        });
    if low > high {
        return None;
    }
    let (low, high) = if high - low < 1e-12 {
        (
            low - 0.5_f64.max(low.abs() * 0.01),
            high + 0.5_f64.max(high.abs() * 0.01),
        )
    } else {
        (low, high)
    };
    let margin = (high - low) * 0.04;
    Some((low - margin, high + margin))
}

/// Draws a line chart into an SVG string; `None` when it has no finite point.
pub(crate) fn line_chart(chart: &LineChart<'_>) -> Result<Option<String>, ReportError> {
    let transformed: Vec<Vec<(f64, f64)>> = chart
        .lines
        .iter()
        .map(|line| match chart.y_format {
            YFormat::LogGrowth => line
                .points
                .iter()
                .filter(|point| point.1 > 0.0)
                .map(|point| (point.0, point.1.log10()))
                .collect(),
            _ => line.points.clone(),
        })
        .collect();
    let points = || transformed.iter().flat_map(|points| points.iter());
    let Some((x_low, x_high)) = padded_range(points().map(|point| point.0)) else {
        return Ok(None);
    };
    let extra = if chart.fill_to_zero { Some(0.0) } else { None };
    let Some((y_low, y_high)) = padded_range(points().map(|point| point.1).chain(extra)) else {
        return Ok(None);
    };
    let (y_ticks, decimals) = match chart.y_format {
        YFormat::LogGrowth => log_ticks(y_low, y_high),
        YFormat::Percent => linear_ticks(y_low, y_high, 5, true),
        YFormat::Number => linear_ticks(y_low, y_high, 5, false),
    };
    let error = chart_error(chart.name);
    let mut svg = String::new();
    {
        let legend: Vec<(String, RGBColor)> = if chart.lines.len() > 1 {
            chart
                .lines
                .iter()
                .map(|line| (line.name.clone(), line.color))
                .collect()
        } else {
            Vec::new()
        };
        let strip = legend_height(&legend, chart.size.0);
        let root = SVGBackend::with_string(&mut svg, (chart.size.0, chart.size.1 + strip))
            .into_drawing_area();
        root.fill(&WHITE).map_err(&error)?;
        let (legend_area, plot_area) = root.split_vertically(strip);
        draw_legend(&legend_area, &legend, false).map_err(&error)?;
        let mut context = ChartBuilder::on(&plot_area)
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x_low..x_high, TickedAxis::new(y_low, y_high, y_ticks))
            .map_err(&error)?;
        let axis = chart.x_axis;
        let format = chart.y_format;
        context
            .configure_mesh()
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(220, 220, 220))
            .x_labels(7)
            .x_label_formatter(&|value| x_text(axis, *value))
            .y_label_formatter(&|value| y_text(format, *value, decimals))
            .x_desc(x_description(axis))
            .y_desc(chart.y_label)
            .draw()
            .map_err(&error)?;
        for (x, label) in &chart.markers {
            context
                .draw_series(LineSeries::new(
                    [(*x, y_low), (*x, y_high)],
                    RGBColor(90, 90, 90).stroke_width(1),
                ))
                .map_err(&error)?;
            context
                .draw_series(std::iter::once(Text::new(
                    label.clone(),
                    (*x, y_high),
                    ("sans-serif", 12).into_font().color(&RGBColor(60, 60, 60)),
                )))
                .map_err(&error)?;
        }
        for (line, points) in chart.lines.iter().zip(&transformed) {
            let color = line.color;
            if chart.fill_to_zero {
                context
                    .draw_series(AreaSeries::new(
                        points.iter().copied(),
                        0.0,
                        color.mix(0.25),
                    ))
                    .map_err(&error)?;
            }
            context
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    color.stroke_width(line.width),
                ))
                .map_err(&error)?;
        }
        root.present().map_err(&error)?;
    }
    Ok(Some(inline(svg)))
}

/// Draws stacked areas: `layers[k][i]` is layer k's value at `x[i]` (non-negative), stacked in
/// order from the bottom. `None` when there is nothing to draw.
pub(crate) fn stacked_area(
    name: &str,
    x: &[f64],
    layers: &[(String, Vec<f64>)],
    y_label: &str,
    size: (u32, u32),
) -> Result<Option<String>, ReportError> {
    if x.is_empty() || layers.is_empty() {
        return Ok(None);
    }
    let mut tops: Vec<Vec<f64>> = Vec::with_capacity(layers.len());
    let mut running = vec![0.0; x.len()];
    for (_, values) in layers {
        for (total, value) in running.iter_mut().zip(values) {
            *total += value.max(0.0);
        }
        tops.push(running.clone());
    }
    let Some((x_low, x_high)) = padded_range(x.iter().copied()) else {
        return Ok(None);
    };
    let y_high = running.iter().copied().fold(0.0, f64::max).max(1e-9) * 1.04;
    let (y_ticks, decimals) = linear_ticks(0.0, y_high, 5, true);
    let legend: Vec<(String, RGBColor)> = layers
        .iter()
        .enumerate()
        .map(|(index, (label, _))| (label.clone(), PALETTE[index % PALETTE.len()]))
        .collect();
    let strip = legend_height(&legend, size.0);
    let error = chart_error(name);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (size.0, size.1 + strip)).into_drawing_area();
        root.fill(&WHITE).map_err(&error)?;
        let (legend_area, plot_area) = root.split_vertically(strip);
        draw_legend(&legend_area, &legend, true).map_err(&error)?;
        let mut context = ChartBuilder::on(&plot_area)
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(x_low..x_high, TickedAxis::new(0.0, y_high, y_ticks))
            .map_err(&error)?;
        context
            .configure_mesh()
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(220, 220, 220))
            .x_labels(8)
            .x_label_formatter(&|value| x_text(XAxis::Generation, *value))
            .y_label_formatter(&|value| y_text(YFormat::Percent, *value, decimals))
            .x_desc(x_description(XAxis::Generation))
            .y_desc(y_label)
            .draw()
            .map_err(&error)?;
        // Tallest first, so each lower layer is painted over the ones above it.
        for (index, top) in tops.iter().enumerate().rev() {
            let color = PALETTE[index % PALETTE.len()];
            context
                .draw_series(AreaSeries::new(
                    x.iter().copied().zip(top.iter().copied()),
                    0.0,
                    color.mix(0.85),
                ))
                .map_err(&error)?;
        }
        root.present().map_err(&error)?;
    }
    Ok(Some(inline(svg)))
}

/// One group of points of a scatter chart.
pub(crate) struct PointGroup {
    pub(crate) name: String,
    pub(crate) points: Vec<(f64, f64)>,
    pub(crate) color: RGBColor,
    /// Dot radius, pixels.
    pub(crate) radius: u32,
}

/// Draws groups of points (later groups on top) into an SVG string with plain-number axes; `None`
/// when there is no finite point.
pub(crate) fn scatter_chart(
    name: &str,
    groups: &[PointGroup],
    labels: (&str, &str),
    size: (u32, u32),
) -> Result<Option<String>, ReportError> {
    let finite = |point: &&(f64, f64)| point.0.is_finite() && point.1.is_finite();
    let points = || {
        groups
            .iter()
            .flat_map(|group| group.points.iter().filter(finite))
    };
    let Some((x_low, x_high)) = padded_range(points().map(|point| point.0)) else {
        return Ok(None);
    };
    let Some((y_low, y_high)) = padded_range(points().map(|point| point.1)) else {
        return Ok(None);
    };
    let (x_ticks, x_decimals) = linear_ticks(x_low, x_high, 6, false);
    let (y_ticks, y_decimals) = linear_ticks(y_low, y_high, 5, false);
    let legend: Vec<(String, RGBColor)> = groups
        .iter()
        .map(|group| (group.name.clone(), group.color))
        .collect();
    let strip = legend_height(&legend, size.0);
    let error = chart_error(name);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (size.0, size.1 + strip)).into_drawing_area();
        root.fill(&WHITE).map_err(&error)?;
        let (legend_area, plot_area) = root.split_vertically(strip);
        draw_legend(&legend_area, &legend, true).map_err(&error)?;
        let mut context = ChartBuilder::on(&plot_area)
            .margin(8)
            .x_label_area_size(40)
            .y_label_area_size(64)
            .build_cartesian_2d(
                TickedAxis::new(x_low, x_high, x_ticks),
                TickedAxis::new(y_low, y_high, y_ticks),
            )
            .map_err(&error)?;
        context
            .configure_mesh()
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(220, 220, 220))
            .x_label_formatter(&|value| fixed(*value, x_decimals))
            .y_label_formatter(&|value| fixed(*value, y_decimals))
            .x_desc(labels.0)
            .y_desc(labels.1)
            .draw()
            .map_err(&error)?;
        for group in groups {
            let (color, radius) = (group.color, group.radius);
            context
                .draw_series(
                    group
                        .points
                        .iter()
                        .filter(finite)
                        .map(|&(x, y)| Circle::new((x, y), radius, color.mix(0.8).filled())),
                )
                .map_err(&error)?;
        }
        root.present().map_err(&error)?;
    }
    Ok(Some(inline(svg)))
}

/// One cell of a heat map.
pub(crate) struct HeatCell {
    /// What the colour shows; `None` is drawn grey.
    pub(crate) value: Option<f64>,
    /// The text written in the cell (one or two lines, `\n` between them).
    pub(crate) label: String,
    /// Drawn with a thick dark border (a passing cell).
    pub(crate) outlined: bool,
}

/// The colour of `value` on a diverging red-white-green scale symmetric about 0, saturated at
/// `|value| = scale`.
fn diverging(value: f64, scale: f64) -> RGBColor {
    let share = (value / scale).clamp(-1.0, 1.0);
    let (red, green, blue) = if share >= 0.0 {
        (
            255.0 - share * (255.0 - 44.0),
            255.0 - share * (255.0 - 160.0),
            255.0 - share * (255.0 - 44.0),
        )
    } else {
        let share = -share;
        (
            255.0 - share * (255.0 - 214.0),
            255.0 - share * (255.0 - 39.0),
            255.0 - share * (255.0 - 40.0),
        )
    };
    RGBColor(red.round() as u8, green.round() as u8, blue.round() as u8)
}

/// Draws a heat map into an SVG string: `cells[row][column]`, rows top to bottom labelled
/// `rows`, columns left to right labelled `columns`, `titles` naming the row and column axes.
/// Colours diverge about 0 (red below, green above, white at 0), scaled by the largest magnitude
/// among the values. `None` when there is no cell.
pub(crate) fn heat_map(
    name: &str,
    cells: &[Vec<HeatCell>],
    rows: &[String],
    columns: &[String],
    titles: (&str, &str),
    cell_size: (u32, u32),
) -> Result<Option<String>, ReportError> {
    let column_count = cells.first().map_or(0, Vec::len);
    if cells.is_empty() || column_count == 0 {
        return Ok(None);
    }
    let scale = cells
        .iter()
        .flatten()
        .filter_map(|cell| cell.value)
        .filter(|value| value.is_finite())
        .fold(0.0f64, |largest, value| largest.max(value.abs()))
        .max(1e-12);
    let (left, top) = (150i32, 48i32);
    let (width, height) = (cell_size.0 as i32, cell_size.1 as i32);
    let size = (
        (left + width * column_count as i32 + 16) as u32,
        (top + height * cells.len() as i32 + 16) as u32,
    );
    let error = chart_error(name);
    let ink = RGBColor(50, 50, 50);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(&error)?;
        root.draw(&Text::new(
            titles.1.to_string(),
            (left, 6),
            ("sans-serif", 13).into_font().color(&ink),
        ))
        .map_err(&error)?;
        root.draw(&Text::new(
            titles.0.to_string(),
            (4, 6),
            ("sans-serif", 13).into_font().color(&ink),
        ))
        .map_err(&error)?;
        for (index, label) in columns.iter().enumerate() {
            root.draw(&Text::new(
                label.clone(),
                (left + width * index as i32 + 6, top - 20),
                ("sans-serif", 12).into_font().color(&ink),
            ))
            .map_err(&error)?;
        }
        for (row, cells_of_row) in cells.iter().enumerate() {
            let y = top + height * row as i32;
            if let Some(label) = rows.get(row) {
                root.draw(&Text::new(
                    label.clone(),
                    (4, y + height / 2 - 7),
                    ("sans-serif", 12).into_font().color(&ink),
                ))
                .map_err(&error)?;
            }
            for (column, cell) in cells_of_row.iter().enumerate() {
                let x = left + width * column as i32;
                let fill = match cell.value {
                    Some(value) if value.is_finite() => diverging(value, scale),
                    _ => RGBColor(220, 220, 220),
                };
                root.draw(&Rectangle::new(
                    [(x, y), (x + width, y + height)],
                    fill.filled(),
                ))
                .map_err(&error)?;
                let border = if cell.outlined {
                    ShapeStyle::from(&ink).stroke_width(3)
                } else {
                    ShapeStyle::from(&WHITE).stroke_width(1)
                };
                root.draw(&Rectangle::new(
                    [(x + 1, y + 1), (x + width - 1, y + height - 1)],
                    border,
                ))
                .map_err(&error)?;
                for (line, text) in cell.label.lines().enumerate() {
                    root.draw(&Text::new(
                        text.to_string(),
                        (x + 8, y + 8 + 16 * line as i32),
                        ("sans-serif", 12).into_font().color(&ink),
                    ))
                    .map_err(&error)?;
                }
            }
        }
        root.present().map_err(&error)?;
    }
    Ok(Some(inline(svg)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heat_map_colours_diverge_about_zero() {
        // 0 is white; the scale's ends are the palette's green (44, 160, 44) and red (214, 39, 40);
        // half way to the green end is (255 - 105.5, 255 - 47.5, 255 - 105.5), rounded.
        assert_eq!(diverging(0.0, 1.0), RGBColor(255, 255, 255));
        assert_eq!(diverging(2.0, 2.0), RGBColor(44, 160, 44));
        assert_eq!(diverging(-5.0, 2.0), RGBColor(214, 39, 40));
        assert_eq!(diverging(0.5, 1.0), RGBColor(150, 208, 150));
    }

    fn texts(format: YFormat, (ticks, decimals): (Vec<f64>, usize)) -> Vec<String> {
        ticks
            .iter()
            .map(|tick| y_text(format, *tick, decimals))
            .collect()
    }

    #[test]
    fn a_shallow_drawdown_gets_distinct_round_ticks() {
        // 0 to -1.2%: a step of 0.5 percent points (1.2 / 5 = 0.24, rounded up to 0.5).
        let ticks = linear_ticks(-0.012, 0.0, 5, true);
        assert_eq!(texts(YFormat::Percent, ticks), ["-1.0%", "-0.5%", "0.0%"]);
        // 0 to -35%: steps of 10.
        let ticks = linear_ticks(-0.35, 0.0, 5, true);
        assert_eq!(
            texts(YFormat::Percent, ticks),
            ["-30%", "-20%", "-10%", "0%"]
        );
    }

    #[test]
    fn tiny_and_huge_ranges() {
        let ticks = linear_ticks(1.0e-6, 5.0e-6, 4, false);
        assert_eq!(
            texts(YFormat::Number, ticks),
            ["0.000001", "0.000002", "0.000003", "0.000004", "0.000005"]
        );
        let ticks = linear_ticks(0.0, 3.0e9, 3, false);
        assert_eq!(
            texts(YFormat::Number, ticks),
            ["0", "1000000000", "2000000000", "3000000000"]
        );
    }

    #[test]
    fn log_ticks_land_on_round_growth() {
        // Within a decade: the finer round values (0.6, 0.8, 1, 1.2, 1.5), not 0.63 or 1.58.
        let ticks = log_ticks(0.6f64.log10(), 1.7f64.log10());
        assert_eq!(
            texts(YFormat::LogGrowth, ticks),
            ["0.6", "0.8", "1", "1.2", "1.5"]
        );
        // Over decades: 1-2-5.
        let ticks = log_ticks(0.4f64.log10(), 30f64.log10());
        assert_eq!(
            texts(YFormat::LogGrowth, ticks),
            ["0.5", "1", "2", "5", "10", "20"]
        );
        // A flat curve (0.98 to 1.03): evenly stepped growth.
        let ticks = log_ticks(0.98f64.log10(), 1.03f64.log10());
        assert_eq!(
            texts(YFormat::LogGrowth, ticks),
            ["0.98", "0.99", "1", "1.01", "1.02", "1.03"]
        );
    }
}
