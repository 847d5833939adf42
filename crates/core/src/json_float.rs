//! Reading back floats that JSON could not hold. JSON has no `NaN` or infinity, so `serde_json`
//! writes both as `null`; a type with `f64` fields that may be undefined (a Sharpe ratio without
//! trades, a profit factor without a losing trade) reads such a `null` back as `NaN` with
//! `#[serde(deserialize_with = "gauntlet_core::json_float::nan_if_null")]`.
//!
//! A missing field is still an error (serde names it); only an explicit `null` becomes `NaN`.
//!
//! Where infinity is a real answer (a profit factor without a losing trade), the [`infinite`],
//! [`infinite_list`] and [`infinite_map`] modules write `Option<f64>` values with infinities as the
//! strings `"inf"` and `"-inf"` (as Python's `float("inf")` reads them), `NaN` and `None` as `null`,
//! and read all of these back.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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

/// One figure that may be infinite: a number, `"inf"`, `"-inf"` or `null`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Figure(Option<f64>);

#[derive(Deserialize)]
#[serde(untagged)]
enum FigureText {
    Number(f64),
    Text(String),
    Null(()),
}

impl Serialize for Figure {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(value) if value == f64::INFINITY => serializer.serialize_str("inf"),
            Some(value) if value == f64::NEG_INFINITY => serializer.serialize_str("-inf"),
            Some(value) if !value.is_nan() => serializer.serialize_f64(value),
            _ => serializer.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for Figure {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match FigureText::deserialize(deserializer)? {
            FigureText::Number(value) => Ok(Figure(Some(value))),
            FigureText::Null(()) => Ok(Figure(None)),
            FigureText::Text(text) => match text.as_str() {
                "inf" => Ok(Figure(Some(f64::INFINITY))),
                "-inf" => Ok(Figure(Some(f64::NEG_INFINITY))),
                other => Err(D::Error::custom(format!(
                    "expected a number, \"inf\", \"-inf\" or null, got \"{other}\""
                ))),
            },
        }
    }
}

/// `#[serde(with = "gauntlet_core::json_float::infinite")]` for an `Option<f64>` that may be
/// infinite (see the module's text). `NaN` is written as `null` and read back as `None`.
pub mod infinite {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Figure;

    /// Writes the value.
    ///
    /// # Errors
    /// The serializer's.
    pub fn serialize<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
        Figure(*value).serialize(serializer)
    }

    /// Reads the value.
    ///
    /// # Errors
    /// When it is not a number, `"inf"`, `"-inf"` or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<f64>, D::Error> {
        Ok(Figure::deserialize(deserializer)?.0)
    }
}

/// As [`infinite`], for a `Vec<Option<f64>>`.
pub mod infinite_list {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::Figure;

    /// Writes the values.
    ///
    /// # Errors
    /// The serializer's.
    pub fn serialize<S: Serializer>(
        values: &[Option<f64>],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(values.iter().map(|value| Figure(*value)))
    }

    /// Reads the values.
    ///
    /// # Errors
    /// When one is not a number, `"inf"`, `"-inf"` or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Option<f64>>, D::Error> {
        Ok(Vec::<Figure>::deserialize(deserializer)?
            .into_iter()
            .map(|figure| figure.0)
            .collect())
    }
}

/// As [`infinite`], for a `BTreeMap<String, Option<f64>>`.
pub mod infinite_map {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};

    use super::Figure;

    /// Writes the values, keys in order.
    ///
    /// # Errors
    /// The serializer's.
    pub fn serialize<S: Serializer>(
        values: &BTreeMap<String, Option<f64>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_map(values.iter().map(|(key, value)| (key, Figure(*value))))
    }

    /// Reads the values.
    ///
    /// # Errors
    /// When one is not a number, `"inf"`, `"-inf"` or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, Option<f64>>, D::Error> {
        Ok(BTreeMap::<String, Figure>::deserialize(deserializer)?
            .into_iter()
            .map(|(key, figure)| (key, figure.0))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Figures {
        #[serde(with = "infinite")]
        one: Option<f64>,
        #[serde(with = "infinite_list")]
        list: Vec<Option<f64>>,
        #[serde(with = "infinite_map")]
        map: BTreeMap<String, Option<f64>>,
    }

    #[test]
    fn infinities_are_written_as_text_and_read_back() {
        let figures = Figures {
            one: Some(f64::INFINITY),
            list: vec![Some(1.5), Some(f64::NEG_INFINITY), None, Some(f64::NAN)],
            map: BTreeMap::from([("profit_factor".to_string(), Some(f64::INFINITY))]),
        };
        let text = serde_json::to_string(&figures).expect("serialisable");
        assert_eq!(
            text,
            r#"{"one":"inf","list":[1.5,"-inf",null,null],"map":{"profit_factor":"inf"}}"#
        );
        let back: Figures = serde_json::from_str(&text).expect("readable");
        assert_eq!(back.one, Some(f64::INFINITY));
        assert_eq!(
            back.list,
            vec![Some(1.5), Some(f64::NEG_INFINITY), None, None]
        );
        assert_eq!(back.map["profit_factor"], Some(f64::INFINITY));
        let wrong = serde_json::from_str::<Figures>(r#"{"one":"many","list":[],"map":{}}"#)
            .unwrap_err()
            .to_string();
        assert!(wrong.contains("inf"), "{wrong}");
    }

    use super::*;
    use std::collections::BTreeMap;

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
