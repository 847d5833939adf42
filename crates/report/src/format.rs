//! How numbers are shown: every numeric cell carries its exact value (for sorting and for tools
//! that read the page) beside its rounded text.

use serde::Serialize;

/// One table cell.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Cell {
    /// What is shown.
    pub(crate) text: String,
    /// The exact value (Rust's shortest round-trip form), empty for a missing value; `None` for a
    /// text cell.
    pub(crate) value: Option<String>,
}

/// How a number is shown.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Style {
    /// A fraction shown as percent with two decimals.
    Percent,
    /// Four decimals.
    Decimal,
    /// Two decimals.
    Money,
    /// No decimals.
    Whole,
}

/// The rounded text of a value; `–` when missing or not finite.
pub(crate) fn show(value: Option<f64>, style: Style) -> String {
    match value {
        Some(value) if value.is_finite() => match style {
            Style::Percent => format!("{:.2}%", value * 100.0),
            Style::Decimal => format!("{value:.4}"),
            Style::Money => format!("{value:.2}"),
            Style::Whole => format!("{value:.0}"),
        },
        Some(value) if value.is_infinite() => if value > 0.0 { "∞" } else { "-∞" }.to_string(),
        _ => "–".to_string(),
    }
}

/// A numeric cell.
pub(crate) fn number(value: Option<f64>, style: Style) -> Cell {
    Cell {
        text: show(value, style),
        value: Some(
            value
                .filter(|value| !value.is_nan())
                .map(|value| format!("{value}"))
                .unwrap_or_default(),
        ),
    }
}

/// A text cell.
pub(crate) fn text(value: impl Into<String>) -> Cell {
    Cell {
        text: value.into(),
        value: None,
    }
}

/// A UTC date (and time, when not midnight) from milliseconds since the Unix epoch.
pub(crate) fn date_time(millis: i64) -> String {
    match chrono::DateTime::from_timestamp_millis(millis) {
        Some(time) if time.format("%H:%M").to_string() == "00:00" => {
            time.format("%Y-%m-%d").to_string()
        }
        Some(time) => time.format("%Y-%m-%d %H:%M").to_string(),
        None => millis.to_string(),
    }
}

/// A heat-map cell colour for a monthly return: green for gains, red for losses, full strength
/// at ±10%.
pub(crate) fn heat_colour(value: f64) -> String {
    let strength = (value.abs() / 0.10).min(1.0);
    let fade = |full: f64| (255.0 - (255.0 - full) * strength).round() as u8;
    if value >= 0.0 {
        format!("rgb({},{},{})", fade(46.0), fade(160.0), fade(67.0))
    } else {
        format!("rgb({},{},{})", fade(214.0), fade(48.0), fade(49.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_values_round_trip() {
        let value = 0.1 + 0.2;
        let cell = number(Some(value), Style::Percent);
        assert_eq!(cell.text, "30.00%");
        assert_eq!(cell.value.unwrap().parse::<f64>().unwrap(), value);
        assert_eq!(number(None, Style::Decimal).value.as_deref(), Some(""));
        assert_eq!(show(Some(f64::INFINITY), Style::Decimal), "∞");
    }

    #[test]
    fn dates_drop_midnight() {
        // 2020-03-16T00:00Z and 2020-03-16T14:00Z.
        assert_eq!(date_time(1_584_316_800_000), "2020-03-16");
        assert_eq!(
            date_time(1_584_316_800_000 + 14 * 3_600_000),
            "2020-03-16 14:00"
        );
    }

    #[test]
    fn heat_colours_saturate() {
        assert_eq!(heat_colour(0.0), "rgb(255,255,255)");
        assert_eq!(heat_colour(0.5), "rgb(46,160,67)");
        assert_eq!(heat_colour(-0.1), "rgb(214,48,49)");
    }
}
