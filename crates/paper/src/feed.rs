//! Feeds: bars one per line, as CSV (with a header naming the columns) or JSON lines, from a file or
//! standard input; or a Parquet dataset file. A line that cannot be read as a bar becomes a
//! [`FeedItem::Bad`] carrying its line number and why, never an error that stops the feed.

use std::io::{BufRead, Read};

use gauntlet_core::{Bar, BarSeries, Timestamp};
use serde::Deserialize;

/// One line of a feed.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedItem {
    /// A bar (checks beyond parsing are the engine's).
    Bar {
        /// 1-based line number in the feed (data lines of a Parquet file count from 1).
        line: usize,
        /// The symbol, when the feed names one.
        symbol: Option<String>,
        /// The bar.
        bar: Bar,
    },
    /// A line that is not a bar.
    Bad {
        /// 1-based line number.
        line: usize,
        /// The line as read (cut at 200 characters).
        text: String,
        /// Why it is not a bar.
        reason: String,
    },
    /// A CSV feed's header line: nothing to trade, but it counts as a line of the stream.
    Header {
        /// 1-based line number.
        line: usize,
    },
    /// An empty line: nothing to trade, but it counts as a line of the stream.
    Blank {
        /// 1-based line number.
        line: usize,
    },
}

impl FeedItem {
    /// Its line number.
    pub fn line(&self) -> usize {
        match self {
            FeedItem::Bar { line, .. }
            | FeedItem::Bad { line, .. }
            | FeedItem::Header { line }
            | FeedItem::Blank { line } => *line,
        }
    }
}

/// The layouts a line-based feed can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineFormat {
    /// CSV with a header line: `timestamp` (or `time`, `date`, `datetime`), `close` and optionally
    /// `open`, `high`, `low`, `volume`, `symbol`, in any order, case-insensitive.
    Csv,
    /// One JSON object per line: `timestamp`, `close`, optionally `open`, `high`, `low`, `volume`,
    /// `symbol`.
    JsonLines,
}

/// Reads a timestamp: an integer count since the epoch in seconds, milliseconds, microseconds or
/// nanoseconds (told apart by magnitude, [`gauntlet_data::EpochUnit::of_magnitude`]), RFC 3339
/// (`2020-03-16T14:30:00Z`), `YYYY-MM-DD HH:MM[:SS]` or `YYYY-MM-DDTHH:MM[:SS]` (UTC), or a date
/// `YYYY-MM-DD` (midnight UTC); in every form within the years 1900-2200
/// ([`Timestamp::is_plausible`]).
///
/// # Errors
/// A message naming the text when it is none of these, or a time outside those years (a
/// placeholder date such as 9999-12-31 is refused here, never traded).
pub fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    let text = text.trim();
    let timestamp = parse_time_text(text)?;
    if !timestamp.is_plausible() {
        return Err(format!(
            "'{}' is outside the years {}",
            cut(text),
            gauntlet_core::PLAUSIBLE_YEARS
        ));
    }
    Ok(timestamp)
}

fn parse_time_text(text: &str) -> Result<Timestamp, String> {
    if let Ok(value) = text.parse::<i64>() {
        return gauntlet_data::epoch_millis(value, None).map(Timestamp);
    }
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(Timestamp(time.timestamp_millis()));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(time) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return Ok(Timestamp(time.and_utc().timestamp_millis()));
        }
    }
    if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let midnight = date.and_hms_opt(0, 0, 0).ok_or("no midnight")?;
        return Ok(Timestamp(midnight.and_utc().timestamp_millis()));
    }
    Err(format!(
        "'{}' is not a timestamp (epoch s/ms/us/ns, RFC 3339 or YYYY-MM-DD[ HH:MM[:SS]])",
        cut(text)
    ))
}

fn cut(text: &str) -> String {
    text.chars().take(200).collect()
}

fn number(field: &str, text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .map_err(|_| format!("{field} '{}' is not a number", cut(text)))
}

/// The columns of a CSV feed.
struct CsvColumns {
    timestamp: usize,
    open: Option<usize>,
    high: Option<usize>,
    low: Option<usize>,
    close: usize,
    volume: Option<usize>,
    symbol: Option<usize>,
}

impl CsvColumns {
    fn from_header(header: &csv::StringRecord) -> Result<Self, String> {
        let find = |names: &[&str]| {
            header
                .iter()
                .position(|field| names.contains(&field.trim().to_ascii_lowercase().as_str()))
        };
        Ok(Self {
            timestamp: find(&["timestamp", "time", "date", "datetime"])
                .ok_or("the header has no timestamp column")?,
            open: find(&["open"]),
            high: find(&["high"]),
            low: find(&["low"]),
            close: find(&["close"]).ok_or("the header has no close column")?,
            volume: find(&["volume"]),
            symbol: find(&["symbol"]),
        })
    }

    fn bar(&self, record: &csv::StringRecord) -> Result<(Option<String>, Bar), String> {
        let field = |index: usize, name: &str| {
            record
                .get(index)
                .ok_or_else(|| format!("no {name} field ({} fields)", record.len()))
        };
        let timestamp = parse_timestamp(field(self.timestamp, "timestamp")?)?;
        let close = number("close", field(self.close, "close")?)?;
        let optional = |index: Option<usize>, name: &str| -> Result<Option<f64>, String> {
            index
                .map(|index| number(name, field(index, name)?))
                .transpose()
        };
        let open = optional(self.open, "open")?.unwrap_or(close);
        let high = optional(self.high, "high")?.unwrap_or(close.max(open));
        let low = optional(self.low, "low")?.unwrap_or(close.min(open));
        let volume = optional(self.volume, "volume")?.unwrap_or(0.0);
        let symbol = self
            .symbol
            .map(|index| field(index, "symbol").map(|text| text.trim().to_string()))
            .transpose()?;
        Ok((
            symbol,
            Bar {
                timestamp,
                open,
                high,
                low,
                close,
                volume,
            },
        ))
    }
}

/// A JSON-lines bar.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonBar {
    #[serde(default)]
    symbol: Option<String>,
    timestamp: serde_json::Value,
    #[serde(default)]
    open: Option<f64>,
    #[serde(default)]
    high: Option<f64>,
    #[serde(default)]
    low: Option<f64>,
    close: f64,
    #[serde(default)]
    volume: Option<f64>,
}

fn json_bar(text: &str) -> Result<(Option<String>, Bar), String> {
    let raw: JsonBar = serde_json::from_str(text).map_err(|error| error.to_string())?;
    let timestamp = match &raw.timestamp {
        serde_json::Value::Number(number) => parse_timestamp(
            &number
                .as_i64()
                .ok_or_else(|| format!("timestamp {number} is not a whole epoch count"))?
                .to_string(),
        )?,
        serde_json::Value::String(text) => parse_timestamp(text)?,
        other => {
            return Err(format!(
                "timestamp {other} is neither a number nor a string"
            ));
        }
    };
    let close = raw.close;
    let open = raw.open.unwrap_or(close);
    Ok((
        raw.symbol,
        Bar {
            timestamp,
            open,
            high: raw.high.unwrap_or(close.max(open)),
            low: raw.low.unwrap_or(close.min(open)),
            close,
            volume: raw.volume.unwrap_or(0.0),
        },
    ))
}

/// A line-based feed over any reader (a file or standard input), read lazily line by line, so bars
/// arriving on a pipe are processed as they come.
pub struct LineFeed<R: BufRead> {
    reader: R,
    format: LineFormat,
    columns: Option<CsvColumns>,
    line: usize,
    buffer: Vec<u8>,
}

impl<R: BufRead> LineFeed<R> {
    /// A feed of `format` lines from `reader`.
    pub fn new(reader: R, format: LineFormat) -> Self {
        Self {
            reader,
            format,
            columns: None,
            line: 0,
            buffer: Vec::new(),
        }
    }

    fn parse(&mut self, text: &str) -> Result<(Option<String>, Bar), String> {
        match self.format {
            LineFormat::JsonLines => json_bar(text),
            LineFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(text.as_bytes());
                let record = reader
                    .records()
                    .next()
                    .ok_or("an empty line")?
                    .map_err(|error| error.to_string())?;
                match &self.columns {
                    Some(columns) => columns.bar(&record),
                    None => Err("no header".into()),
                }
            }
        }
    }
}

impl<R: BufRead> Iterator for LineFeed<R> {
    type Item = Result<FeedItem, std::io::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let limit = gauntlet_data::MAX_LINE_BYTES;
        self.buffer.clear();
        // At most `limit` bytes of a line are kept: a feed that never sends a newline must not
        // take the trader down.
        match (&mut self.reader)
            .take(limit as u64 + 1)
            .read_until(b'\n', &mut self.buffer)
        {
            Ok(0) => return None,
            Ok(_) => {}
            Err(error) => return Some(Err(error)),
        }
        self.line += 1;
        if self.buffer.len() > limit && !self.buffer.ends_with(b"\n") {
            // Skip the rest of the line in bounded pieces, then report it.
            let mut rest = Vec::new();
            loop {
                rest.clear();
                match (&mut self.reader)
                    .take(limit as u64)
                    .read_until(b'\n', &mut rest)
                {
                    Ok(0) => break,
                    Ok(_) if rest.ends_with(b"\n") => break,
                    Ok(_) => {}
                    Err(error) => return Some(Err(error)),
                }
            }
            return Some(Ok(FeedItem::Bad {
                line: self.line,
                text: cut(&String::from_utf8_lossy(&self.buffer)),
                reason: format!("the line is longer than {limit} bytes"),
            }));
        }
        // A line that is not UTF-8 (a torn multi-byte character, a binary blob) is one bad
        // line, not the end of the feed.
        let Ok(decoded) = std::str::from_utf8(&self.buffer) else {
            return Some(Ok(FeedItem::Bad {
                line: self.line,
                text: cut(&String::from_utf8_lossy(&self.buffer)),
                reason: "the line is not UTF-8 text".into(),
            }));
        };
        let text = decoded
            .trim_end_matches(['\n', '\r'])
            .trim_start_matches('\u{feff}')
            .to_string();
        if text.trim().is_empty() {
            return Some(Ok(FeedItem::Blank { line: self.line }));
        }
        if self.format == LineFormat::Csv && self.columns.is_none() {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes());
            let header = reader.records().next().and_then(Result::ok);
            match header.map(|header| CsvColumns::from_header(&header)) {
                Some(Ok(columns)) => {
                    self.columns = Some(columns);
                    return Some(Ok(FeedItem::Header { line: self.line }));
                }
                Some(Err(reason)) => {
                    return Some(Ok(FeedItem::Bad {
                        line: self.line,
                        text: cut(&text),
                        reason: format!("expected a header line: {reason}"),
                    }));
                }
                None => {
                    return Some(Ok(FeedItem::Bad {
                        line: self.line,
                        text: cut(&text),
                        reason: "expected a header line".into(),
                    }));
                }
            }
        }
        let line = self.line;
        Some(Ok(match self.parse(&text) {
            Ok((symbol, bar)) => FeedItem::Bar { line, symbol, bar },
            Err(reason) => FeedItem::Bad {
                line,
                text: cut(&text),
                reason,
            },
        }))
    }
}

/// The bars of a series as feed items (a Parquet dataset replayed), numbered from 1.
pub fn series_feed(
    series: &BarSeries,
) -> impl Iterator<Item = Result<FeedItem, std::io::Error>> + '_ {
    series.bars().enumerate().map(|(index, bar)| {
        Ok(FeedItem::Bar {
            line: index + 1,
            symbol: None,
            bar,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_every_accepted_form() {
        // 2020-03-16T14:30:00Z = 1_584_369_000_000 ms.
        let expected = Timestamp(1_584_369_000_000);
        for text in [
            "1584369000000",
            "2020-03-16T14:30:00Z",
            "2020-03-16T15:30:00+01:00",
            "2020-03-16 14:30:00",
            "2020-03-16T14:30",
        ] {
            assert_eq!(parse_timestamp(text), Ok(expected), "{text}");
        }
        assert_eq!(
            parse_timestamp("2020-03-16"),
            Ok(Timestamp(1_584_316_800_000))
        );
        assert!(parse_timestamp("16/03/2020").is_err());
        // Epoch seconds, microseconds and nanoseconds by magnitude; 1969-12-01 in milliseconds
        // (-2,678,400,000 ms) is before the epoch, not seconds of 1885.
        for text in ["1584369000", "1584369000000000", "1584369000000000000"] {
            assert_eq!(parse_timestamp(text), Ok(expected), "{text}");
        }
        assert_eq!(
            parse_timestamp("-2678400000"),
            Ok(Timestamp(-2_678_400_000))
        );
        for text in ["9999-12-31", "1850-01-01T00:00:00Z", "9000000000000000000"] {
            let error = parse_timestamp(text).unwrap_err();
            assert!(
                error.contains("outside the years 1900-2200"),
                "{text}: {error}"
            );
        }
    }

    #[test]
    fn csv_lines_become_bars_or_rejections() {
        let text = "Symbol,Timestamp,Open,High,Low,Close,Volume\n\
                    SPY,2020-03-16,100,101,99,100.5,10\n\
                    SPY,2020-03-17,abc,101,99,100.5,10\n\
                    \n\
                    SPY,2020-03-18,100,101\n\
                    QQQ,1584576000000,1,2,0.5,1.5,0\n";
        let all: Vec<FeedItem> = LineFeed::new(text.as_bytes(), LineFormat::Csv)
            .map(Result::unwrap)
            .collect();
        // The header and the blank line count as lines of the stream.
        assert_eq!(all[0], FeedItem::Header { line: 1 });
        assert!(all.contains(&FeedItem::Blank { line: 4 }));
        let items: Vec<FeedItem> = all
            .into_iter()
            .filter(|item| matches!(item, FeedItem::Bar { .. } | FeedItem::Bad { .. }))
            .collect();
        assert_eq!(items.len(), 4);
        match &items[0] {
            FeedItem::Bar { line, symbol, bar } => {
                assert_eq!((*line, symbol.as_deref()), (2, Some("SPY")));
                assert_eq!(
                    (bar.open, bar.high, bar.low, bar.close),
                    (100.0, 101.0, 99.0, 100.5)
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&items[1], FeedItem::Bad { line: 3, reason, .. } if reason.contains("open 'abc'"))
        );
        assert!(
            matches!(&items[2], FeedItem::Bad { line: 5, reason, .. } if reason.contains("no close field"))
        );
        assert!(
            matches!(&items[3], FeedItem::Bar { line: 6, symbol: Some(symbol), .. } if symbol == "QQQ")
        );
    }

    #[test]
    fn a_line_that_is_not_utf8_is_rejected_and_the_feed_goes_on() {
        let text = b"{\"timestamp\":\"2021-01-01\",\"close\":1}\n\xff\xfe\x00\n{\"timestamp\":\"2021-01-02\",\"close\":2}\n";
        let items: Vec<FeedItem> = LineFeed::new(&text[..], LineFormat::JsonLines)
            .map(Result::unwrap)
            .collect();
        assert_eq!(items.len(), 3);
        assert!(
            matches!(&items[1], FeedItem::Bad { line: 2, reason, .. } if reason.contains("not UTF-8"))
        );
        assert!(matches!(&items[2], FeedItem::Bar { line: 3, .. }));
    }

    #[test]
    fn an_endless_line_is_rejected_and_the_feed_goes_on() {
        let mut text = String::from("{\"timestamp\":\"2021-01-01\",\"close\":1}\n");
        text.push_str(&"x".repeat(3 << 20));
        text.push_str("\n{\"timestamp\":\"2021-01-02\",\"close\":2}\n");
        let items: Vec<FeedItem> = LineFeed::new(text.as_bytes(), LineFormat::JsonLines)
            .map(Result::unwrap)
            .collect();
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[0], FeedItem::Bar { line: 1, .. }));
        assert!(
            matches!(&items[1], FeedItem::Bad { line: 2, reason, .. } if reason.contains("longer than 1048576 bytes"))
        );
        assert!(matches!(&items[2], FeedItem::Bar { line: 3, bar, .. } if bar.close == 2.0));
    }

    #[test]
    fn json_lines_become_bars_or_rejections() {
        let text = "{\"symbol\":\"BTC\",\"timestamp\":\"2021-01-01\",\"close\":29000}\n\
                    {\"symbol\":\"BTC\",\"timestamp\":1609545600000,\"open\":1,\"high\":2,\"low\":0.5,\"close\":1.5,\"volume\":3}\n\
                    {not json}\n\
                    {\"timestamp\":\"2021-01-03\",\"close\":1,\"colour\":\"red\"}\n";
        let items: Vec<FeedItem> = LineFeed::new(text.as_bytes(), LineFormat::JsonLines)
            .map(Result::unwrap)
            .collect();
        assert!(
            matches!(&items[0], FeedItem::Bar { bar, .. } if bar.open == 29000.0 && bar.high == 29000.0)
        );
        assert!(
            matches!(&items[1], FeedItem::Bar { bar, .. } if bar.volume == 3.0 && bar.timestamp == Timestamp(1_609_545_600_000))
        );
        assert!(matches!(&items[2], FeedItem::Bad { line: 3, .. }));
        assert!(matches!(&items[3], FeedItem::Bad { reason, .. } if reason.contains("colour")));
    }
}
