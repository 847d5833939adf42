//! Reading back floats that JSON could not hold. JSON has no `NaN` or infinity, so `serde_json`
//! writes both as `null`; a type with `f64` fields that may be undefined (a Sharpe ratio without
//! trades, a profit factor without a losing trade) reads such a `null` back as `NaN` with
//! `#[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]`.
//!
//! A missing field is still an error (serde names it); only an explicit `null` becomes `NaN`.

use serde::{Deserialize, Deserializer};

/// Reads a number, or `null` as `NaN`.
///
/// # Errors
/// The deserializer's error when the value is neither a number nor `null`.
pub fn nan_if_null<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
}

/// Reads an array of numbers, each `null` as `NaN`.
///
/// # Errors
/// The deserializer's error when the value is not an array of `N` numbers or `null`s.
pub fn nan_if_null_array<'de, D: Deserializer<'de>, const N: usize>(
    deserializer: D,
) -> Result<[f64; N], D::Error> {
    let values = Vec::<Option<f64>>::deserialize(deserializer)?;
    let count = values.len();
    let values: Vec<f64> = values
        .into_iter()
        .map(|value| value.unwrap_or(f64::NAN))
        .collect();
    values.try_into().map_err(|_| {
        serde::de::Error::invalid_length(count, &format!("an array of {N} numbers").as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Sample {
        #[serde(deserialize_with = "nan_if_null")]
        value: f64,
        #[serde(deserialize_with = "nan_if_null_array")]
        values: [f64; 2],
    }

    #[test]
    fn null_reads_as_nan_and_numbers_as_themselves() {
        let sample: Sample = serde_json::from_str(r#"{"value": null, "values": [1.5, null]}"#)
            .expect("valid sample");
        assert!(sample.value.is_nan());
        assert_eq!(sample.values[0], 1.5);
        assert!(sample.values[1].is_nan());
        let sample: Sample =
            serde_json::from_str(r#"{"value": -2.25, "values": [0, 3]}"#).expect("valid sample");
        assert_eq!(sample.value, -2.25);
        assert_eq!(sample.values, [0.0, 3.0]);
    }

    #[test]
    fn a_missing_field_or_a_string_is_still_an_error() {
        let missing = serde_json::from_str::<Sample>(r#"{"values": [1, 2]}"#).unwrap_err();
        assert!(
            missing.to_string().contains("missing field `value`"),
            "{missing}"
        );
        assert!(serde_json::from_str::<Sample>(r#"{"value": "1", "values": [1, 2]}"#).is_err());
    }
}
