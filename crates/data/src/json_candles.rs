//! JSON candles, as exchanges, ccxt and charting libraries return them, read by turning them into
//! the CSV the importer already checks (so every rule of [`crate::import_csv`] applies):
//!
//! - an array of arrays `[[time, open, high, low, close, volume], ...]` (ccxt's OHLCV, Binance
//!   klines: extra fields after the volume are ignored);
//! - an array of objects with `time`/`timestamp`/`date`/`datetime`/`t`/`ts`/`open_time` and
//!   `open`/`o`, `high`/`h`, `low`/`l`, `close`/`c`, optional `volume`/`v` (case-insensitive);
//! - either of these as JSON lines (one candle a line), or wrapped in an object's single
//!   `data`/`result`/`candles`/`bars`/`klines` array.
//!
//! Times may be epoch seconds or milliseconds, or date texts; prices numbers or numeric texts.

use serde_json::Value;

/// The largest JSON file read whole, bytes (512 MiB).
pub const MAX_JSON_BYTES: u64 = 512 << 20;

const TIME_KEYS: [&str; 7] = [
    "time",
    "timestamp",
    "date",
    "datetime",
    "t",
    "ts",
    "open_time",
];
const PRICE_KEYS: [(&str, &[&str]); 5] = [
    ("open", &["open", "o"]),
    ("high", &["high", "h"]),
    ("low", &["low", "l"]),
    ("close", &["close", "c"]),
    ("volume", &["volume", "v", "vol"]),
];
const WRAPPERS: [&str; 5] = ["data", "result", "candles", "bars", "klines"];

/// Whether `head` (the first bytes of a file) looks like JSON: `[` or `{` first, after blanks and
/// a byte-order mark.
pub(crate) fn looks_like_json(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    matches!(
        head.iter().find(|byte| !byte.is_ascii_whitespace()),
        Some(b'[' | b'{')
    )
}

fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// The candles in `text` as CSV (`timestamp,open,high,low,close,volume`) and a notice of what was
/// read; `Err` with a message saying what was expected.
pub(crate) fn candles_to_csv(text: &str) -> Result<(Vec<u8>, String), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (candles, shape) = match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => (items, "a JSON array"),
        Ok(Value::Object(fields)) => {
            let wrapped = WRAPPERS.iter().find_map(|key| match fields.get(*key) {
                Some(Value::Array(items)) => Some(items.clone()),
                _ => None,
            });
            match wrapped {
                Some(items) => (items, "a JSON object's candle array"),
                // One object alone: a single candle as JSON lines of one line.
                None => (vec![Value::Object(fields)], "JSON lines"),
            }
        }
        Ok(_) => return Err("expected an array of candles".into()),
        Err(whole) => {
            let mut items = Vec::new();
            for (index, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                items.push(serde_json::from_str::<Value>(line).map_err(|error| {
                    format!(
                        "not JSON ({whole}), nor JSON lines (line {}: {error})",
                        index + 1
                    )
                })?);
            }
            (items, "JSON lines")
        }
    };
    let mut records: Vec<Vec<String>> = Vec::with_capacity(candles.len());
    let mut arrays = 0;
    for (index, candle) in candles.iter().enumerate() {
        let record: Vec<String> = match candle {
            Value::Array(fields) if fields.len() >= 5 => {
                arrays += 1;
                (0..6).map(|field| cell(fields.get(field))).collect()
            }
            Value::Object(fields) => {
                let lower: Vec<(String, &Value)> = fields
                    .iter()
                    .map(|(key, value)| (key.to_ascii_lowercase(), value))
                    .collect();
                let find = |keys: &[&str]| {
                    keys.iter()
                        .find_map(|key| lower.iter().find(|(name, _)| name == key))
                        .map(|(_, value)| *value)
                };
                let time = find(&TIME_KEYS).ok_or_else(|| {
                    format!(
                        "candle {}: no time field ({})",
                        index + 1,
                        TIME_KEYS.join(", ")
                    )
                })?;
                let mut record = vec![cell(Some(time))];
                for (name, keys) in PRICE_KEYS {
                    let value = find(keys);
                    if value.is_none() && name != "volume" {
                        return Err(format!("candle {}: no {name} field", index + 1));
                    }
                    record.push(cell(value));
                }
                record
            }
            other => {
                return Err(format!(
                    "candle {}: expected [time, open, high, low, close, volume] or an object, got {other}",
                    index + 1
                ));
            }
        };
        records.push(record);
    }
    if candles.is_empty() {
        return Err("no candles".into());
    }
    // Candles without any volume: no volume column (an empty one would be a missing value).
    let with_volume = records.iter().any(|record| !record[5].is_empty());
    let columns = if with_volume { 6 } else { 5 };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = ["timestamp", "open", "high", "low", "close", "volume"];
    writer
        .write_record(&header[..columns])
        .map_err(|error| error.to_string())?;
    for record in &records {
        writer
            .write_record(&record[..columns])
            .map_err(|error| error.to_string())?;
    }
    let bytes = writer.into_inner().map_err(|error| error.to_string())?;
    let kind = if arrays == candles.len() {
        "arrays [time, open, high, low, close, volume]"
    } else {
        "objects"
    };
    Ok((
        bytes,
        format!("read {} JSON candles ({kind}, {shape})", candles.len()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> String {
        String::from_utf8(candles_to_csv(text).unwrap().0).unwrap()
    }

    #[test]
    fn arrays_objects_lines_and_wrappers_become_the_same_csv() {
        let expected = "timestamp,open,high,low,close,volume\n1609459200000,1,2,0.5,1.5,3\n";
        assert_eq!(csv("[[1609459200000, 1, 2, 0.5, 1.5, 3]]"), expected);
        assert_eq!(
            csv(r#"[{"Time": 1609459200000, "o": 1, "h": 2, "l": 0.5, "c": 1.5, "v": 3}]"#),
            expected
        );
        assert_eq!(
            csv(
                r#"{"timestamp": 1609459200000, "open": 1, "high": 2, "low": 0.5, "close": 1.5, "volume": 3}"#
            ),
            expected
        );
        assert_eq!(
            csv(r#"{"data": [[1609459200000, "1", "2", "0.5", "1.5", "3"]]}"#).replace('"', ""),
            expected
        );
        let lines = "[1609459200000,1,2,0.5,1.5,3]\n\n[1609545600000,1.5,2,1,1.8,4]\n";
        assert!(csv(lines).ends_with("1609545600000,1.5,2,1,1.8,4\n"));
    }

    #[test]
    fn what_is_not_candles_says_what_was_expected() {
        assert!(candles_to_csv("[]").unwrap_err().contains("no candles"));
        assert!(
            candles_to_csv(r#"[{"open": 1}]"#)
                .unwrap_err()
                .contains("no time field")
        );
        assert!(
            candles_to_csv("[1, 2]")
                .unwrap_err()
                .contains("expected [time")
        );
        assert!(looks_like_json(b"\xef\xbb\xbf  [[1]]"));
        assert!(!looks_like_json(b"timestamp,close\n"));
    }
}
