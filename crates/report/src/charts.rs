//! Charts as inline SVG, drawn with `plotters`' SVG backend (text is escaped by the backend).

use plotters::prelude::*;

use crate::error::ReportError;

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
fn inline(svg: String) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

fn chart_error<E: std::fmt::Debug>(name: &str) -> impl Fn(E) -> ReportError + '_ {
    move |error| ReportError::Chart {
        name: name.to_string(),
        message: format!("{error:?}"),
    }
}

fn x_text(axis: XAxis, value: f64) -> String {
    match axis {
        XAxis::Time => chrono::DateTime::from_timestamp_millis(value as i64)
            .map(|time| time.format("%Y-%m").to_string())
            .unwrap_or_default(),
        XAxis::Generation => format!("{value:.0}"),
    }
}

fn y_text(format: YFormat, value: f64) -> String {
    match format {
        YFormat::Percent => format!("{:.0}%", value * 100.0 + 0.0),
        YFormat::Number => plain(value),
        YFormat::LogGrowth => plain(10f64.powf(value)),
    }
}

fn plain(value: f64) -> String {
    if value.abs() >= 100.0 {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// The range of finite values, widened when flat, with a 4% margin.
fn padded_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
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
    let error = chart_error(chart.name);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size).into_drawing_area();
        root.fill(&WHITE).map_err(&error)?;
        let mut context = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(56)
            .build_cartesian_2d(x_low..x_high, y_low..y_high)
            .map_err(&error)?;
        let axis = chart.x_axis;
        let format = chart.y_format;
        context
            .configure_mesh()
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(220, 220, 220))
            .x_labels(7)
            .y_labels(6)
            .x_label_formatter(&|value| x_text(axis, *value))
            .y_label_formatter(&|value| y_text(format, *value))
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
                .map_err(&error)?
                .label(line.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
        }
        if chart.lines.len() > 1 {
            context
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(200, 200, 200))
                .label_font(("sans-serif", 12))
                .draw()
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
    let error = chart_error(name);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(&error)?;
        let mut context = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(56)
            .build_cartesian_2d(x_low..x_high, 0.0..y_high)
            .map_err(&error)?;
        context
            .configure_mesh()
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(220, 220, 220))
            .x_labels(8)
            .x_label_formatter(&|value| x_text(XAxis::Generation, *value))
            .y_label_formatter(&|value| y_text(YFormat::Percent, *value))
            .y_desc(y_label)
            .draw()
            .map_err(&error)?;
        // Tallest first, so each lower layer is painted over the ones above it.
        for (index, ((label, _), top)) in layers.iter().zip(&tops).enumerate().rev() {
            let color = PALETTE[index % PALETTE.len()];
            context
                .draw_series(AreaSeries::new(
                    x.iter().copied().zip(top.iter().copied()),
                    0.0,
                    color.mix(0.85),
                ))
                .map_err(&error)?
                .label(label.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
        }
        context
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", 11))
            .draw()
            .map_err(&error)?;
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
    // Room below the points for the legend (lower left), so it hides none of them.
    let legend_pixels = (groups.len() * 18 + 24) as f64;
    let plot_pixels = (f64::from(size.1) - 60.0).max(legend_pixels + 40.0);
    let y_low = y_low - (y_high - y_low) * legend_pixels / (plot_pixels - legend_pixels);
    let error = chart_error(name);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(&error)?;
        let mut context = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(x_low..x_high, y_low..y_high)
            .map_err(&error)?;
        context
            .configure_mesh()
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(220, 220, 220))
            .x_labels(7)
            .y_labels(6)
            .x_label_formatter(&|value| plain(*value))
            .y_label_formatter(&|value| plain(*value))
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
                .map_err(&error)?
                .label(group.name.clone())
                .legend(move |(x, y)| Circle::new((x + 6, y), 4, color.filled()));
        }
        context
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(200, 200, 200))
            .label_font(("sans-serif", 11))
            .draw()
            .map_err(&error)?;
        root.present().map_err(&error)?;
    }
    Ok(Some(inline(svg)))
}
