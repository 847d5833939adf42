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

/// `value` with `decimals` decimals, never "-0.00": a value that rounds to zero is shown without
/// a sign.
pub(crate) fn fixed(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    match text.strip_prefix('-') {
        Some(unsigned) if unsigned.chars().all(|c| c == '0' || c == '.') => unsigned.to_string(),
        _ => text,
    }
}

/// The rounded text of a value: `n/a` when missing or undefined, `∞` / `-∞` when infinite (a
/// profit factor without a losing trade), never a negative zero.
pub(crate) fn show(value: Option<f64>, style: Style) -> String {
    match value {
        Some(value) if value.is_finite() => match style {
            Style::Percent => format!("{}%", fixed(value * 100.0, 2)),
            Style::Decimal => fixed(value, 4),
            Style::Money => fixed(value, 2),
            Style::Whole => fixed(value, 0),
        },
        Some(value) if value.is_infinite() => if value > 0.0 { "∞" } else { "-∞" }.to_string(),
        _ => "n/a".to_string(),
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
        assert_eq!(show(Some(f64::NAN), Style::Decimal), "n/a");
        assert_eq!(show(None, Style::Percent), "n/a");
    }

    #[test]
    fn no_negative_zero() {
        assert_eq!(show(Some(-0.00001), Style::Decimal), "0.0000");
        assert_eq!(show(Some(-0.0), Style::Money), "0.00");
        assert_eq!(show(Some(-0.00004), Style::Percent), "0.00%");
        assert_eq!(show(Some(-0.0001), Style::Percent), "-0.01%");
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(fixed(-0.05, 1), "-0.1");
        assert_eq!(fixed(-12.5, 0), "-12");
        // Tiny and huge values keep their digits.
        assert_eq!(show(Some(1e-9), Style::Decimal), "0.0000");
        assert_eq!(show(Some(1.5e12), Style::Money), "1500000000000.00");
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
