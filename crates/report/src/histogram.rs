//! A histogram of a null distribution with the observed value marked: the permutation test's
//! permuted statistics and the real search's (drawn with plotters, like [`crate::charts`]).

use plotters::prelude::*;

use crate::charts::{
    PALETTE, TickedAxis, chart_error, draw_legend, inline, legend_height, linear_ticks,
    padded_range,
};
use crate::error::ReportError;
use crate::format::fixed;

/// Bins for `count` values: the square-root rule (`ceil(sqrt(n))`), 5 to 40.
pub(crate) fn bin_count(count: usize) -> usize {
    ((count as f64).sqrt().ceil() as usize).clamp(5, 40)
}

/// Counts of `values` in `bins` equal bins over `low..high` (the last bin closed).
pub(crate) fn bin(values: &[f64], low: f64, high: f64, bins: usize) -> Vec<usize> {
    let mut counts = vec![0; bins];
    let width = (high - low) / bins as f64;
    for value in values.iter().filter(|value| value.is_finite()) {
        let index = ((value - low) / width).floor();
        let index = if index.is_finite() {
            (index.max(0.0) as usize).min(bins - 1)
        } else {
            0
        };
        counts[index] += 1;
    }
    counts
}

/// Draws the histogram of the finite `values` with a vertical line at `observed` (labelled by
/// `names`: the distribution's, the observed value's) into an SVG string; `None` when no value is
/// finite.
pub(crate) fn histogram_chart(
    name: &str,
    values: &[f64],
    observed: Option<f64>,
    names: (&str, &str),
    x_label: &str,
    size: (u32, u32),
) -> Result<Option<String>, ReportError> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let observed = observed.filter(|value| value.is_finite());
    let Some((low, high)) = padded_range(finite.iter().copied().chain(observed)) else {
        return Ok(None);
    };
    if finite.is_empty() {
        return Ok(None);
    }
    let bins = bin_count(finite.len());
    let counts = bin(&finite, low, high, bins);
    let tallest = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let (x_ticks, x_decimals) = linear_ticks(low, high, 6, false);
    let (y_ticks, _) = linear_ticks(0.0, tallest * 1.08, 5, false);
    let y_ticks: Vec<f64> = y_ticks
        .into_iter()
        .filter(|tick| tick.fract() == 0.0)
        .collect();
    let (bar_colour, marker_colour) = (PALETTE[7], PALETTE[3]);
    let legend = vec![
        (names.0.to_string(), bar_colour),
        (names.1.to_string(), marker_colour),
    ];
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
            .y_label_area_size(48)
            .build_cartesian_2d(
                TickedAxis::new(low, high, x_ticks),
                TickedAxis::new(0.0, tallest * 1.08, y_ticks),
            )
            .map_err(&error)?;
        context
            .configure_mesh()
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(220, 220, 220))
            .x_label_formatter(&|value| fixed(*value, x_decimals))
            .y_label_formatter(&|value| fixed(*value, 0))
            .x_desc(x_label)
            .y_desc("permutations")
            .draw()
            .map_err(&error)?;
        let width = (high - low) / bins as f64;
        context
            .draw_series(
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, count)| **count > 0)
                    .map(|(index, count)| {
                        let left = low + index as f64 * width;
                        Rectangle::new(
                            [(left, 0.0), (left + width, *count as f64)],
                            bar_colour.mix(0.7).filled(),
                        )
                    }),
            )
            .map_err(&error)?;
        if let Some(observed) = observed {
            context
                .draw_series(std::iter::once(PathElement::new(
                    vec![(observed, 0.0), (observed, tallest * 1.08)],
                    marker_colour.stroke_width(3),
                )))
                .map_err(&error)?;
        }
        root.present().map_err(&error)?;
    }
    Ok(Some(inline(svg)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fall_in_their_bins() {
        // Bins of width 0.25 over [0, 1): 0.1 -> 0, 0.3 -> 1, 0.5 and 0.55 -> 2, 1.0 -> the last.
        assert_eq!(
            bin(&[0.1, 0.3, 0.5, 0.55, 1.0], 0.0, 1.0, 4),
            vec![1, 1, 2, 1]
        );
        assert_eq!(bin_count(19), 5);
        assert_eq!(bin_count(99), 10);
        assert_eq!(bin_count(10_000), 40);
    }

    #[test]
    fn the_chart_marks_the_observed_value() {
        let values: Vec<f64> = (0..19).map(|index| index as f64 * 0.01).collect();
        let svg = histogram_chart(
            "t",
            &values,
            Some(0.4),
            ("permuted", "real"),
            "x",
            (400, 200),
        )
        .unwrap()
        .unwrap();
        assert!(svg.contains("<svg") && svg.contains("real"), "{svg}");
        assert!(
            histogram_chart("t", &[], Some(0.4), ("a", "b"), "x", (400, 200))
                .unwrap()
                .is_none()
        );
    }
}
