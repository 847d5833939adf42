//! Reports as `key: value` lines for the terminal (`gauntlet stats` without `--json`).

use serde::Serialize;
use serde_json::Value;

/// The percentiles of a `*_percentiles` array of five values (as
/// [`crate::monte_carlo::MonteCarloSummary`] holds them).
const PERCENTILE_LABELS: [&str; 5] = ["p5", "p25", "p50", "p75", "p95"];

/// `value` as `key: value` lines in key order, one per scalar: nested objects as `outer.inner`, arrays of
/// numbers on one line (`total_return_percentiles: p5 -0.12, p25 ...` for five percentiles),
/// arrays of objects as `name[0].field`; `null` (an undefined figure) as `-`. Lines end with a
/// newline.
///
/// # Errors
/// [`crate::StatsError::Invalid`] when `value` cannot be represented as JSON.
pub fn key_value_text(value: &impl Serialize) -> Result<String, crate::StatsError> {
    let value = serde_json::to_value(value)
        .map_err(|error| crate::StatsError::Invalid(format!("cannot show the result: {error}")))?;
    let mut text = String::new();
    flatten("", &value, &mut text);
    Ok(text)
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "-".into(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn flatten(prefix: &str, value: &Value, text: &mut String) {
    let name = |key: &str| {
        if prefix.is_empty() {
            key.to_string()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Object(fields) => {
            for (key, inner) in fields {
                flatten(&name(key), inner, text);
            }
        }
        Value::Array(items)
            if items
                .iter()
                .all(|item| !item.is_object() && !item.is_array()) =>
        {
            let values: Vec<String> = items.iter().map(scalar).collect();
            let line = if prefix.ends_with("_percentiles") && values.len() == 5 {
                PERCENTILE_LABELS
                    .iter()
                    .zip(&values)
                    .map(|(label, value)| format!("{label} {value}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                values.join(", ")
            };
            text.push_str(&format!("{prefix}: {line}\n"));
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{index}]"), item, text);
            }
        }
        scalar_value => text.push_str(&format!("{prefix}: {}\n", scalar(scalar_value))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Sample {
        resampling: Resampling,
        total_return_percentiles: [f64; 5],
        splits: Vec<Split>,
        sharpe: Option<f64>,
    }

    #[derive(Serialize)]
    struct Resampling {
        method: &'static str,
    }

    #[derive(Serialize)]
    struct Split {
        logit: f64,
    }

    #[test]
    fn nested_values_are_named_and_percentiles_labelled() {
        let text = key_value_text(&Sample {
            resampling: Resampling {
                method: "bootstrap",
            },
            total_return_percentiles: [-0.1, 0.0, 0.05, 0.1, 0.2],
            splits: vec![Split { logit: 0.5 }],
            sharpe: None,
        })
        .unwrap();
        assert_eq!(
            text,
            "resampling.method: bootstrap\nsharpe: -\nsplits[0].logit: 0.5\ntotal_return_percentiles: p5 -0.1, p25 0.0, p50 0.05, p75 0.1, p95 0.2\n"
        );
    }
}
