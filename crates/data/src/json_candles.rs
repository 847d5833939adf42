//! JSON candles, as exchanges, ccxt and charting libraries return them, streamed candle by candle
//! into the importer's columns (no document tree is built, so a file takes about the memory of
//! its bars, as a CSV does), each candle laid out as a CSV row so every rule of
//! [`crate::import_csv`] applies:
//!
//! - an array of arrays `[[time, open, high, low, close, volume], ...]` (ccxt's OHLCV, Binance
//!   klines: extra fields after the volume are ignored);
//! - an array of objects with a time key (`time`, `timestamp`, `date`, `datetime`, `t`, `ts`,
//!   `open_time`, camelCase `openTime`, `openTimeInMillis`, `startTime`; or only a close time,
//!   `closeTime`, `close_time`, `endTime`, when each bar is then moved back to its open) and
//!   `open`/`o`, `high`/`h`, `low`/`l`, `close`/`c`, optional `volume`/`v` (keys matched as CSV
//!   column names are: case, `_`, `-` and spaces ignored; `--time-column` and the other column
//!   flags name other keys);
//! - either of these as JSON lines (one candle a line), or wrapped in an object's
//!   `data`/`result`/`candles`/`bars`/`klines` array.
//!
//! Times may be epoch seconds, milliseconds, microseconds or nanoseconds, or date texts; prices
//! numbers or numeric texts. Candle N is line N + 1 in messages (the header a CSV would have is
//! line 1). Whether there is a volume is decided by the first candle.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::io::{BufRead, Read};

use csv::ByteRecord;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::column_names::normalise;
use crate::csv_import::Importer;
use crate::error::{BadRowKind, DataError};
use crate::import_report::ImportedCsv;

/// The largest JSON file read, bytes (512 MiB, about 16 million candles): candles are streamed,
/// so this bounds the time a hostile file can take, not the memory.
pub const MAX_JSON_BYTES: u64 = 512 << 20;

/// Keys naming a candle's open time, normalised (see [`normalise`]).
const TIME_KEYS: [&str; 11] = [
    "time",
    "timestamp",
    "date",
    "datetime",
    "t",
    "ts",
    "opentime",
    "opentimeinmillis",
    "opentimems",
    "starttime",
    "begin",
];
/// Keys naming a candle's close time, used only when no open-time key is there.
const CLOSE_TIME_KEYS: [&str; 5] = [
    "closetime",
    "closetimeinmillis",
    "closetimems",
    "endtime",
    "end",
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

/// One field of a candle as read: kept as text, the way a CSV cell is.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Text(String),
    Integer(i128),
    Float(f64),
    /// A nested array or object where a value belongs.
    Nested(&'static str),
}

impl Cell {
    fn write_to(&self, text: &mut String) {
        text.clear();
        let _ = match self {
            Cell::Null => Ok(()),
            Cell::Text(value) => {
                text.push_str(value);
                Ok(())
            }
            Cell::Integer(value) => write!(text, "{value}"),
            Cell::Float(value) => write!(text, "{value}"),
            Cell::Nested(kind) => write!(text, "<{kind}>"),
        };
    }

    fn is_null(&self) -> bool {
        match self {
            Cell::Null => true,
            Cell::Text(text) => text.is_empty(),
            _ => false,
        }
    }
}

/// The longest text a candle's field keeps, bytes: a time or a price is a few dozen characters; a
/// longer text is kept as its length only (it is no number and no date).
const MAX_CELL_BYTES: usize = 1_024;

fn text_cell(value: &str) -> Cell {
    if value.len() > MAX_CELL_BYTES {
        Cell::Nested("a text of more than 1024 bytes")
    } else {
        Cell::Text(value.to_string())
    }
}

/// Reads any scalar as a [`Cell`]; arrays and objects are skipped whole.
struct CellSeed;

impl<'de> DeserializeSeed<'de> for CellSeed {
    type Value = Cell;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cell, D::Error> {
        deserializer.deserialize_any(CellVisitor)
    }
}

struct CellVisitor;

impl<'de> Visitor<'de> for CellVisitor {
    type Value = Cell;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a number, a text or null")
    }
    fn visit_unit<E>(self) -> Result<Cell, E> {
        Ok(Cell::Null)
    }
    fn visit_bool<E>(self, value: bool) -> Result<Cell, E> {
        Ok(Cell::Text(value.to_string()))
    }
    fn visit_i64<E>(self, value: i64) -> Result<Cell, E> {
        Ok(Cell::Integer(value.into()))
    }
    fn visit_u64<E>(self, value: u64) -> Result<Cell, E> {
        Ok(Cell::Integer(value.into()))
    }
    fn visit_f64<E>(self, value: f64) -> Result<Cell, E> {
        Ok(Cell::Float(value))
    }
    fn visit_str<E>(self, value: &str) -> Result<Cell, E> {
        Ok(text_cell(value))
    }
    fn visit_string<E>(self, value: String) -> Result<Cell, E> {
        Ok(text_cell(&value))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Cell, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Cell::Nested("array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Cell, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Cell::Nested("object"))
    }
}

/// A candle's fields as the importer's row: time, open, high, low, close, volume.
type CandleFields = [Cell; 6];

/// Where streamed candles go: the importer, and what was seen so far.
struct Sink<'i, 'a> {
    importer: &'i mut Importer<'a>,
    candles: usize,
    arrays: usize,
    /// Whether the candles carry a volume, decided by the first one.
    volume: Option<bool>,
    /// The keys of object candles, normalised, from the column flags or the defaults.
    keys: ObjectKeys,
    record: ByteRecord,
    text: String,
    /// The error that stopped the stream (serde's error then only says "stopped").
    error: Option<DataError>,
}

/// Which keys of an object candle are which field.
struct ObjectKeys {
    time: Vec<String>,
    close_time: Vec<String>,
    prices: [Vec<String>; 5],
}

impl ObjectKeys {
    fn new(importer: &Importer) -> Self {
        let options = importer.options();
        let pick = |flag: &Option<String>, defaults: &[&str]| -> Vec<String> {
            match flag {
                Some(name) => vec![normalise(name)],
                None => defaults.iter().map(|key| key.to_string()).collect(),
            }
        };
        let flags = [
            &options.open_column,
            &options.high_column,
            &options.low_column,
            &options.close_column,
            &options.volume_column,
        ];
        Self {
            time: pick(&options.time_column, &TIME_KEYS),
            close_time: if options.time_column.is_some() {
                Vec::new()
            } else {
                CLOSE_TIME_KEYS.iter().map(|key| key.to_string()).collect()
            },
            prices: std::array::from_fn(|index| pick(flags[index], PRICE_KEYS[index].1)),
        }
    }
}

impl Sink<'_, '_> {
    fn stop<E: serde::de::Error>(&mut self, error: DataError) -> E {
        self.error = Some(error);
        E::custom("stopped")
    }

    fn shape_error(&self, message: String) -> DataError {
        DataError::Json {
            path: self.importer.path().to_path_buf(),
            message: format!("candle {}: {message}", self.candles + 1),
        }
    }

    /// An array candle `[time, open, high, low, close, volume, ...]`.
    fn array_candle<E: serde::de::Error>(&mut self, cells: Vec<Cell>) -> Result<(), E> {
        if cells.len() < 5 {
            let error = self.shape_error(format!(
                "expected [time, open, high, low, close, volume] or an object, got an array of {}",
                cells.len()
            ));
            return Err(self.stop(error));
        }
        self.arrays += 1;
        let mut cells = cells.into_iter();
        let fields: CandleFields = std::array::from_fn(|_| cells.next().unwrap_or(Cell::Null));
        self.candle(fields, false)
    }

    /// An object candle's `(normalised key, value)` pairs.
    fn object_candle<E: serde::de::Error>(
        &mut self,
        entries: Vec<(String, Cell)>,
    ) -> Result<(), E> {
        let find = |keys: &[String]| {
            keys.iter()
                .find_map(|key| entries.iter().find(|(name, _)| name == key))
                .map(|(_, value)| value.clone())
        };
        let (time, at_close) = match (find(&self.keys.time), find(&self.keys.close_time)) {
            (Some(time), _) => (time, false),
            (None, Some(time)) => (time, true),
            (None, None) => {
                let error = self.shape_error(format!(
                    "no time field ({}; or name it with --time-column)",
                    self.keys.time.join(", ")
                ));
                return Err(self.stop(error));
            }
        };
        let mut fields: CandleFields = std::array::from_fn(|_| Cell::Null);
        fields[0] = time;
        for (index, (name, _)) in PRICE_KEYS.iter().enumerate() {
            match find(&self.keys.prices[index]) {
                Some(value) => fields[index + 1] = value,
                None if *name == "volume" => {}
                None => {
                    let error = self.shape_error(format!("no {name} field"));
                    return Err(self.stop(error));
                }
            }
        }
        self.candle(fields, at_close)
    }

    /// One candle into the importer (the first also decides the columns).
    fn candle<E: serde::de::Error>(
        &mut self,
        fields: CandleFields,
        at_close: bool,
    ) -> Result<(), E> {
        self.candles += 1;
        let line = self.candles as u64 + 1;
        let has_volume = !fields[5].is_null();
        let result = match self.volume {
            None => {
                self.volume = Some(has_volume);
                self.importer.times_at_close = at_close;
                self.importer.canonical_header = true;
                let mut header = vec!["timestamp", "open", "high", "low", "close"];
                if has_volume {
                    header.push("volume");
                }
                self.importer
                    .begin(header.into_iter().map(String::from).collect())
                    .and_then(|()| self.push(&fields, has_volume, line))
            }
            Some(false) if has_volume => self.importer.misshapen_row(
                line,
                BadRowKind::RaggedRow,
                format!(
                    "candle {} has a volume but the first candle has none",
                    self.candles
                ),
            ),
            Some(with_volume) => self.push(&fields, with_volume, line),
        };
        result.map_err(|error| self.stop(error))
    }

    fn push(
        &mut self,
        fields: &CandleFields,
        with_volume: bool,
        line: u64,
    ) -> Result<(), DataError> {
        self.record.clear();
        let count = if with_volume { 6 } else { 5 };
        for cell in &fields[..count] {
            cell.write_to(&mut self.text);
            self.record.push_field(self.text.as_bytes());
        }
        self.importer.push(&self.record, line)
    }
}

/// A top-level JSON value: an array of candles, one array candle (JSON lines of arrays), an
/// object wrapping a candle array, or one object candle.
struct TopLevel<'s, 'i, 'a>(&'s RefCell<Sink<'i, 'a>>);

impl<'de> DeserializeSeed<'de> for TopLevel<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an array of candles, a candle, or an object wrapping candles")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // The first element tells an array of candles from one array candle.
        match seq.next_element_seed(Element(self.0))? {
            None | Some(None) => {
                while seq.next_element_seed(Candle(self.0))?.is_some() {}
                Ok(())
            }
            Some(Some(first)) => {
                let mut cells = vec![first];
                while let Some(cell) = seq.next_element_seed(CellSeed)? {
                    if cells.len() < 6 {
                        cells.push(cell);
                    }
                }
                self.0.borrow_mut().array_candle(cells)
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut entries = Vec::new();
        let mut wrapped = false;
        while let Some(key) = map.next_key::<String>()? {
            let key = normalise(&key);
            if !wrapped && WRAPPERS.contains(&key.as_str()) {
                match map.next_value_seed(Wrapper(self.0))? {
                    Some(cell) => entries.push((key, cell)),
                    None => wrapped = true,
                }
            } else {
                let cell = map.next_value_seed(CellSeed)?;
                entries.push((key, cell));
            }
        }
        if wrapped {
            return Ok(());
        }
        self.0.borrow_mut().object_candle(entries)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Err(self.shape())
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.shape())
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.shape())
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.shape())
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.shape())
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.shape())
    }
}

impl TopLevel<'_, '_, '_> {
    fn shape<E: serde::de::Error>(&self) -> E {
        let mut sink = self.0.borrow_mut();
        let error = sink.shape_error(
            "expected an array of candles, a candle, or an object wrapping them".into(),
        );
        sink.stop(error)
    }
}

/// The first element of a top-level array: a candle (streamed; `None`) or a scalar (the array
/// is itself a candle; `Some`).
struct Element<'s, 'i, 'a>(&'s RefCell<Sink<'i, 'a>>);

impl<'de> DeserializeSeed<'de> for Element<'_, '_, '_> {
    type Value = Option<Cell>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<Cell>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Element<'_, '_, '_> {
    type Value = Option<Cell>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a candle or a candle's field")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<Cell>, A::Error> {
        Candle(self.0).visit_seq(seq).map(|()| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<Cell>, A::Error> {
        Candle(self.0).visit_map(map).map(|()| None)
    }
    fn visit_unit<E>(self) -> Result<Option<Cell>, E> {
        Ok(Some(Cell::Null))
    }
    fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Option<Cell>, E> {
        CellVisitor.visit_bool(value).map(Some)
    }
    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Option<Cell>, E> {
        CellVisitor.visit_i64(value).map(Some)
    }
    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Option<Cell>, E> {
        CellVisitor.visit_u64(value).map(Some)
    }
    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Option<Cell>, E> {
        CellVisitor.visit_f64(value).map(Some)
    }
    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Option<Cell>, E> {
        CellVisitor.visit_str(value).map(Some)
    }
    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Option<Cell>, E> {
        CellVisitor.visit_string(value).map(Some)
    }
}

/// A wrapper key's value: a candle array (streamed; `None`) or any other value (`Some`).
struct Wrapper<'s, 'i, 'a>(&'s RefCell<Sink<'i, 'a>>);

impl<'de> DeserializeSeed<'de> for Wrapper<'_, '_, '_> {
    type Value = Option<Cell>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<Cell>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Wrapper<'_, '_, '_> {
    type Value = Option<Cell>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("an array of candles")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<Cell>, A::Error> {
        while seq.next_element_seed(Candle(self.0))?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<Cell>, A::Error> {
        CellVisitor.visit_map(map).map(Some)
    }
    fn visit_unit<E>(self) -> Result<Option<Cell>, E> {
        Ok(Some(Cell::Null))
    }
    fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Option<Cell>, E> {
        CellVisitor.visit_bool(value).map(Some)
    }
    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Option<Cell>, E> {
        CellVisitor.visit_i64(value).map(Some)
    }
    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Option<Cell>, E> {
        CellVisitor.visit_u64(value).map(Some)
    }
    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Option<Cell>, E> {
        CellVisitor.visit_f64(value).map(Some)
    }
    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Option<Cell>, E> {
        CellVisitor.visit_str(value).map(Some)
    }
}

/// One candle: an array or an object.
struct Candle<'s, 'i, 'a>(&'s RefCell<Sink<'i, 'a>>);

impl<'de> DeserializeSeed<'de> for Candle<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Candle<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a candle: [time, open, high, low, close, volume] or an object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut cells = Vec::with_capacity(6);
        while let Some(cell) = seq.next_element_seed(CellSeed)? {
            if cells.len() < 6 {
                cells.push(cell);
            }
        }
        self.0.borrow_mut().array_candle(cells)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut entries = Vec::with_capacity(8);
        while let Some(key) = map.next_key::<String>()? {
            let cell = map.next_value_seed(CellSeed)?;
            entries.push((normalise(&key), cell));
        }
        self.0.borrow_mut().object_candle(entries)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Err(self.scalar("null"))
    }
    fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<(), E> {
        Err(self.scalar(&value.to_string()))
    }
    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<(), E> {
        Err(self.scalar(&value.to_string()))
    }
    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<(), E> {
        Err(self.scalar(&value.to_string()))
    }
    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<(), E> {
        Err(self.scalar(&value.to_string()))
    }
    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<(), E> {
        Err(self.scalar(&format!("{value:?}")))
    }
}

impl Candle<'_, '_, '_> {
    fn scalar<E: serde::de::Error>(&self, value: &str) -> E {
        let mut sink = self.0.borrow_mut();
        let value: String = value.chars().take(80).collect();
        let error = sink.shape_error(format!(
            "expected [time, open, high, low, close, volume] or an object, got {value}"
        ));
        sink.stop(error)
    }
}

/// A reader that fails once more than [`MAX_JSON_BYTES`] bytes have passed.
struct Limited<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.read += read as u64;
        if self.read > MAX_JSON_BYTES {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!(
                    "a JSON file larger than {MAX_JSON_BYTES} bytes; split it or convert it to CSV"
                ),
            ));
        }
        Ok(read)
    }
}

/// Streams the JSON candles of `reader` (after the byte-order mark, if any) through `importer`.
///
/// # Errors
/// [`DataError::Json`] for text that is not JSON (with its line and column) or not candles (naming
/// the candle); as [`Importer::push`] and [`Importer::finish`].
pub(crate) fn import_json(
    mut importer: Importer,
    mut reader: Box<dyn BufRead + '_>,
) -> Result<ImportedCsv, DataError> {
    let path = importer.path().to_path_buf();
    let io_error = |source| DataError::Io {
        path: path.clone(),
        source,
    };
    if reader
        .fill_buf()
        .map_err(io_error)?
        .starts_with(b"\xef\xbb\xbf")
    {
        reader.consume(3);
    }
    let keys = ObjectKeys::new(&importer);
    let sink = RefCell::new(Sink {
        importer: &mut importer,
        candles: 0,
        arrays: 0,
        volume: None,
        keys,
        record: ByteRecord::new(),
        text: String::new(),
        error: None,
    });
    // Buffered outside the limit, so serde_json reads bytes from a buffer, not by calls.
    let mut deserializer =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(
            1 << 16,
            Limited {
                inner: reader,
                read: 0,
            },
        ));
    let mut values = 0usize;
    let outcome: Result<(), serde_json::Error> = (|| {
        loop {
            // `end` reads past blanks: Ok at the end of the text, else another value follows (JSON
            // lines), unless the reader failed.
            match deserializer.end() {
                Ok(()) => return Ok(()),
                Err(error) if error.is_io() => return Err(error),
                Err(_) => {}
            }
            values += 1;
            TopLevel(&sink).deserialize(&mut deserializer)?;
        }
    })();
    let Sink {
        candles,
        arrays,
        error,
        ..
    } = sink.into_inner();
    if let Some(error) = error {
        return Err(error);
    }
    if let Err(error) = outcome {
        return Err(match error.classify() {
            serde_json::error::Category::Io => {
                let text = error.to_string();
                io_error(std::io::Error::other(text))
            }
            _ => DataError::Json {
                path: path.clone(),
                message: format!("not JSON candles: {error}"),
            },
        });
    }
    if candles == 0 {
        return Err(DataError::Json {
            path: path.clone(),
            message: "no candles".into(),
        });
    }
    let kind = if arrays == candles {
        "arrays [time, open, high, low, close, volume]"
    } else {
        "objects"
    };
    let shape = if values > 1 { "JSON lines" } else { "JSON" };
    let mut imported = importer.finish()?;
    imported.report.notices.insert(
        0,
        format!("read {candles} JSON candles ({kind}, {shape}); candle N is line N + 1 below"),
    );
    Ok(imported)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::import_report::ImportOptions;

    fn import(text: &str, options: &ImportOptions) -> Result<ImportedCsv, DataError> {
        let importer = Importer::new(Path::new("candles.json"), options, false);
        import_json(importer, Box::new(text.as_bytes()))
    }

    fn closes(text: &str) -> Vec<f64> {
        import(text, &ImportOptions::default())
            .unwrap()
            .series
            .close()
            .to_vec()
    }

    #[test]
    fn arrays_objects_lines_and_wrappers_read_the_same_bars() {
        let expected = vec![1.5, 1.8];
        let day = 1_609_459_200_000i64;
        let next = day + 86_400_000;
        for text in [
            format!("[[{day}, 1, 2, 0.5, 1.5, 3], [{next}, 1.5, 2, 1, 1.8, 4]]"),
            format!(
                r#"[{{"Time": {day}, "o": 1, "h": 2, "l": 0.5, "c": 1.5, "v": 3}},
                   {{"Time": {next}, "o": 1.5, "h": 2, "l": 1, "c": 1.8, "v": 4}}]"#
            ),
            format!(
                "{{\"timestamp\": {day}, \"open\": 1, \"high\": 2, \"low\": 0.5, \"close\": 1.5}}\n\
                 {{\"timestamp\": {next}, \"open\": 1.5, \"high\": 2, \"low\": 1, \"close\": 1.8}}\n"
            ),
            format!(
                r#"{{"status": "ok", "data": [[{day}, "1", "2", "0.5", "1.5", "3"],
                   [{next}, "1.5", "2", "1", "1.8", "4"]], "next": null}}"#
            ),
            format!("[{day},1,2,0.5,1.5,3]\n\n[{next},1.5,2,1,1.8,4]\n"),
            // camelCase time keys (Binance's openTime beside its closeTime).
            format!(
                r#"[{{"openTime": {day}, "closeTime": {}, "open": 1, "high": 2, "low": 0.5, "close": 1.5}},
                   {{"openTime": {next}, "closeTime": {}, "open": 1.5, "high": 2, "low": 1, "close": 1.8}}]"#,
                next - 1,
                next + 86_400_000 - 1
            ),
            format!(
                r#"[{{"openTimeInMillis": {day}, "open": 1, "high": 2, "low": 0.5, "close": 1.5}},
                   {{"openTimeInMillis": {next}, "open": 1.5, "high": 2, "low": 1, "close": 1.8}}]"#
            ),
        ] {
            assert_eq!(closes(&text), expected, "{text}");
        }
    }

    #[test]
    fn close_times_alone_are_moved_back_to_the_bars_opens() {
        // Binance-style close times: the last millisecond of each daily bar.
        let day = 1_609_459_200_000i64;
        let text: String = (1..=3)
            .map(|index| {
                format!(
                    "{{\"closeTime\": {}, \"open\": 1, \"high\": 2, \"low\": 0.5, \"close\": 1.5}}\n",
                    day + index * 86_400_000 - 1
                )
            })
            .collect();
        let imported = import(&text, &ImportOptions::default()).unwrap();
        assert_eq!(imported.series.timestamps()[0].millis(), day);
        assert!(
            imported
                .report
                .notices
                .iter()
                .any(|notice| notice.contains("1d before"))
        );
    }

    #[test]
    fn column_flags_name_other_keys() {
        let text = r#"[{"when": "2021-01-01", "first": 1, "top": 2, "bottom": 0.5, "last_price": 1.5, "qty": 7},
                       {"when": "2021-01-02", "first": 1.5, "top": 2, "bottom": 1, "last_price": 1.8, "qty": 8}]"#;
        let options = ImportOptions {
            time_column: Some("when".into()),
            open_column: Some("first".into()),
            high_column: Some("top".into()),
            low_column: Some("bottom".into()),
            close_column: Some("Last Price".into()),
            volume_column: Some("qty".into()),
            ..ImportOptions::default()
        };
        let imported = import(text, &options).unwrap();
        assert_eq!(imported.series.close(), &[1.5, 1.8]);
        assert_eq!(imported.series.volume(), &[7.0, 8.0]);
    }

    #[test]
    fn what_is_not_candles_says_what_was_expected() {
        let error = |text: &str| {
            import(text, &ImportOptions::default())
                .unwrap_err()
                .to_string()
        };
        assert!(error("[]").contains("no candles"));
        assert!(error(r#"[{"open": 1}]"#).contains("candle 1: no time field"));
        assert!(error("[[1, 2]]").contains("candle 1: expected [time"));
        assert!(error("[[1609459200000, 1, 2, 0.5, 1.5], 7]").contains("candle 2: expected"));
        assert!(error("[[1609459200000, 1, 2, 0.5, 1.5] oops").contains("not JSON candles"));
        assert!(looks_like_json(b"\xef\xbb\xbf  [[1]]"));
        assert!(!looks_like_json(b"timestamp,close\n"));
    }
}
