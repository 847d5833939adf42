//! Timestamp formats found in market-data CSV files, detected once per file from its first data row.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use gauntlet_core::{PLAUSIBLE_YEARS, Timestamp};
use serde::Serialize;

use crate::error::DataError;

/// The accepted timestamp forms, for error messages.
pub const ACCEPTED_FORMATS: &str = "ISO 8601 date (2020-03-16) or date-time (2020-03-16T14:30:00Z, \
     with or without zone), dd.mm.yyyy HH:MM:SS.fff, m/d/yyyy or d/m/yyyy, epoch seconds, \
     milliseconds, microseconds or nanoseconds";

/// The unit of an epoch timestamp (an integer count since 1970-01-01 00:00 UTC).
///
/// Without `--time-unit` the unit is told from the magnitude ([`EpochUnit::of_magnitude`]): the
/// coarsest unit that puts the value in the years 1900-2200. That is unambiguous for every real
/// bar: seconds cover `-2.2e9 ..= 7.3e9`, so a value past that (`1.6e12`) is milliseconds, past
/// `7.3e12` microseconds, past `7.3e15` nanoseconds; negative milliseconds (dates before 1970) are
/// milliseconds, not seconds of the 1800s. Only dates within three months of 1970-01-01 in
/// milliseconds (or finer) read as seconds; `--time-unit` settles those.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EpochUnit {
    /// Seconds (`s`).
    Seconds,
    /// Milliseconds (`ms`).
    Milliseconds,
    /// Microseconds (`us`).
    Microseconds,
    /// Nanoseconds (`ns`).
    Nanoseconds,
}

impl EpochUnit {
    /// Every unit, coarsest first.
    pub const ALL: [Self; 4] = [
        Self::Seconds,
        Self::Milliseconds,
        Self::Microseconds,
        Self::Nanoseconds,
    ];

    /// The unit's symbol: `s`, `ms`, `us`, `ns` (as `--time-unit` takes it).
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Seconds => "s",
            Self::Milliseconds => "ms",
            Self::Microseconds => "us",
            Self::Nanoseconds => "ns",
        }
    }

    /// The unit in words (`epoch seconds`).
    pub fn describe(self) -> &'static str {
        match self {
            Self::Seconds => "epoch seconds",
            Self::Milliseconds => "epoch milliseconds",
            Self::Microseconds => "epoch microseconds",
            Self::Nanoseconds => "epoch nanoseconds",
        }
    }

    /// `value` in this unit as milliseconds since the epoch (finer units rounded down to the
    /// millisecond), or `None` when that overflows.
    pub fn to_millis(self, value: i64) -> Option<i64> {
        match self {
            Self::Seconds => value.checked_mul(1_000),
            Self::Milliseconds => Some(value),
            Self::Microseconds => Some(value.div_euclid(1_000)),
            Self::Nanoseconds => Some(value.div_euclid(1_000_000)),
        }
    }

    /// The coarsest unit under which `value` is a time in the years 1900-2200
    /// ([`Timestamp::is_plausible`]), or `None` when no unit puts it there.
    pub fn of_magnitude(value: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|unit| {
            unit.to_millis(value)
                .is_some_and(|millis| Timestamp(millis).is_plausible())
        })
    }

    /// The format a file of timestamps in this unit has.
    fn format(self) -> TimestampFormat {
        match self {
            Self::Seconds => TimestampFormat::EpochSeconds,
            Self::Milliseconds => TimestampFormat::EpochMillis,
            Self::Microseconds => TimestampFormat::EpochMicros,
            Self::Nanoseconds => TimestampFormat::EpochNanos,
        }
    }
}

impl fmt::Display for EpochUnit {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.symbol())
    }
}

impl FromStr for EpochUnit {
    type Err = DataError;

    /// `s`, `ms`, `us` (or `µs`), `ns`, or the unit spelt out (`seconds`, `milliseconds`, ...).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "s" | "sec" | "second" | "seconds" => Ok(Self::Seconds),
            "ms" | "millisecond" | "milliseconds" => Ok(Self::Milliseconds),
            "us" | "µs" | "microsecond" | "microseconds" => Ok(Self::Microseconds),
            "ns" | "nanosecond" | "nanoseconds" => Ok(Self::Nanoseconds),
            _ => Err(DataError::InvalidField {
                field: "time unit".into(),
                message: format!("'{text}' is not an epoch unit; expected s, ms, us or ns"),
            }),
        }
    }
}

/// Milliseconds since the epoch of an epoch `value` in `unit`, or in the unit its magnitude tells
/// ([`EpochUnit::of_magnitude`]) when `unit` is `None`.
///
/// # Errors
/// A message naming the value when it is outside the years 1900-2200 in the unit given, or in
/// every unit.
pub fn epoch_millis(value: i64, unit: Option<EpochUnit>) -> Result<i64, String> {
    let unit = match unit {
        Some(unit) => unit,
        None => EpochUnit::of_magnitude(value).ok_or_else(|| {
            format!("epoch time {value} is outside the years {PLAUSIBLE_YEARS} in s, ms, us and ns")
        })?,
    };
    unit.to_millis(value)
        .filter(|millis| Timestamp(*millis).is_plausible())
        .ok_or_else(|| {
            format!(
                "{value} as {} is outside the years {PLAUSIBLE_YEARS}",
                unit.describe()
            )
        })
}

/// How a file writes its timestamps. Every row of a file must use the same form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimestampFormat {
    /// `2020-03-16`: 00:00 UTC of that date.
    IsoDate,
    /// `2020-03-16T14:30:00Z`, `2020-03-16 14:30:00.250+01:00`: converted to UTC.
    IsoDateTimeWithZone,
    /// `2020-03-16T14:30:00` or `2020-03-16 14:30`: no zone, read as UTC.
    IsoDateTimeNaive,
    /// `16.03.2020 14:30:00.000` (MetaTrader and Dukascopy exports; the time part optional): read as UTC.
    DayMonthYearDots,
    /// `3/16/2020` (US order, as Excel, FRED and Yahoo write it; an optional ` HH:MM[:SS]` part).
    MonthDayYearSlash,
    /// `16/3/2020` (European order).
    DayMonthYearSlash,
    /// Whole seconds since the Unix epoch.
    EpochSeconds,
    /// Milliseconds since the Unix epoch.
    EpochMillis,
    /// Microseconds since the Unix epoch (rounded down to the millisecond).
    EpochMicros,
    /// Nanoseconds since the Unix epoch (rounded down to the millisecond).
    EpochNanos,
}

impl TimestampFormat {
    /// A short human description, shown in import reports.
    pub fn describe(self) -> &'static str {
        match self {
            Self::IsoDate => "ISO date (yyyy-mm-dd)",
            Self::IsoDateTimeWithZone => "ISO date-time with zone",
            Self::IsoDateTimeNaive => "ISO date-time without zone (read as UTC)",
            Self::DayMonthYearDots => "dd.mm.yyyy HH:MM:SS.fff (read as UTC)",
            Self::MonthDayYearSlash => "m/d/yyyy (US order)",
            Self::DayMonthYearSlash => "d/m/yyyy (European order)",
            Self::EpochSeconds => "epoch seconds",
            Self::EpochMillis => "epoch milliseconds",
            Self::EpochMicros => "epoch microseconds",
            Self::EpochNanos => "epoch nanoseconds",
        }
    }

    /// Whether the format is an epoch count (seconds, milliseconds, microseconds or nanoseconds).
    pub fn is_epoch(self) -> bool {
        self.epoch_unit().is_some()
    }

    /// The epoch unit of an epoch format.
    fn epoch_unit(self) -> Option<EpochUnit> {
        match self {
            Self::EpochSeconds => Some(EpochUnit::Seconds),
            Self::EpochMillis => Some(EpochUnit::Milliseconds),
            Self::EpochMicros => Some(EpochUnit::Microseconds),
            Self::EpochNanos => Some(EpochUnit::Nanoseconds),
            _ => None,
        }
    }
}

impl fmt::Display for TimestampFormat {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.describe())
    }
}

/// A timestamp as read from a row, before slash dates are put in month/day order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawTime {
    /// Milliseconds since the epoch, UTC.
    Millis(i64),
    /// `a/b/year [time]`: which of `a` and `b` is the month is decided over the whole file.
    Slash {
        first: u32,
        second: u32,
        year: i32,
        time_of_day_ms: i64,
    },
}

/// Whether `text` is an integer (an optional `-`, then digits).
fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit())
}

/// The format a timestamp text is written in, or `None` when no accepted form fits. An integer is
/// an epoch time in `unit`, or in the unit its magnitude tells ([`EpochUnit::of_magnitude`]).
///
/// Slash dates are reported as [`TimestampFormat::MonthDayYearSlash`]; [`resolve_slash_order`] decides.
pub(crate) fn detect(text: &str, unit: Option<EpochUnit>) -> Option<TimestampFormat> {
    let text = text.trim();
    if is_integer(text) {
        let value: i64 = text.parse().ok()?;
        let unit = unit
            .or_else(|| EpochUnit::of_magnitude(value))
            .unwrap_or(EpochUnit::Milliseconds);
        return Some(unit.format());
    }
    let candidates = [
        TimestampFormat::IsoDate,
        TimestampFormat::IsoDateTimeWithZone,
        TimestampFormat::IsoDateTimeNaive,
        TimestampFormat::DayMonthYearDots,
        TimestampFormat::MonthDayYearSlash,
    ];
    candidates
        .into_iter()
        .find(|format| parse(*format, text).is_ok())
}

/// Parses `text` in `format`.
///
/// # Errors
/// A message saying why the text does not fit the format.
pub(crate) fn parse(format: TimestampFormat, text: &str) -> Result<RawTime, String> {
    let text = text.trim();
    let mismatch = || format!("'{text}' is not a valid {}", format.describe());
    match format {
        TimestampFormat::IsoDate => {
            if text.len() != 10 {
                return Err(mismatch());
            }
            let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| mismatch())?;
            Ok(RawTime::Millis(midnight_millis(date)))
        }
        TimestampFormat::IsoDateTimeWithZone => {
            let normalised = normalise_iso_separator(text);
            DateTime::parse_from_rfc3339(&normalised)
                .map(|datetime| RawTime::Millis(datetime.timestamp_millis()))
                .map_err(|_| mismatch())
        }
        TimestampFormat::IsoDateTimeNaive => {
            let normalised = normalise_iso_separator(text);
            ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
                .iter()
                .find_map(|pattern| NaiveDateTime::parse_from_str(&normalised, pattern).ok())
                .map(|datetime| RawTime::Millis(datetime.and_utc().timestamp_millis()))
                .ok_or_else(mismatch)
        }
        TimestampFormat::DayMonthYearDots => {
            let (date_text, time_text) = split_date_time(text);
            let date = NaiveDate::parse_from_str(date_text, "%d.%m.%Y").map_err(|_| mismatch())?;
            if date_text.len() < 8 {
                return Err(mismatch());
            }
            let time_of_day = parse_time_of_day(time_text).ok_or_else(mismatch)?;
            Ok(RawTime::Millis(midnight_millis(date) + time_of_day))
        }
        TimestampFormat::MonthDayYearSlash | TimestampFormat::DayMonthYearSlash => {
            let (date_text, time_text) = split_date_time(text);
            let mut parts = date_text.split('/');
            let mut next_number = || -> Option<u32> {
                let part = parts.next()?;
                (!part.is_empty() && part.len() <= 4 && part.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| part.parse().ok())
                    .flatten()
            };
            let (first, second, year) = match (next_number(), next_number(), next_number()) {
                (Some(first), Some(second), Some(year)) if year >= 1000 => (first, second, year),
                _ => return Err(mismatch()),
            };
            if parts.next().is_some() || first == 0 || second == 0 || first > 31 || second > 31 {
                return Err(mismatch());
            }
            let time_of_day_ms = parse_time_of_day(time_text).ok_or_else(mismatch)?;
            let year = i32::try_from(year).map_err(|_| mismatch())?;
            let raw = RawTime::Slash {
                first,
                second,
                year,
                time_of_day_ms,
            };
            match format {
                TimestampFormat::DayMonthYearSlash => resolve(raw, true).map(RawTime::Millis),
                _ => Ok(raw),
            }
        }
        TimestampFormat::EpochSeconds
        | TimestampFormat::EpochMillis
        | TimestampFormat::EpochMicros
        | TimestampFormat::EpochNanos => {
            let unit = format.epoch_unit().expect("an epoch format");
            if !is_integer(text) {
                return Err(mismatch());
            }
            let value: i64 = text.parse().map_err(|_| mismatch())?;
            let millis = unit.to_millis(value);
            if millis.is_some_and(|millis| Timestamp(millis).is_plausible()) {
                return millis.map(RawTime::Millis).ok_or_else(mismatch);
            }
            // Read in its own unit the value is a plausible time: the file mixes units. Otherwise
            // the date's years are checked with every other format's.
            match EpochUnit::of_magnitude(value) {
                Some(own) if own != unit => Err(format!(
                    "'{text}' is {} but earlier rows are {}",
                    own.describe(),
                    unit.describe()
                )),
                _ => millis
                    .map(RawTime::Millis)
                    .ok_or_else(|| format!("'{text}' as {} is out of range", unit.describe())),
            }
        }
    }
}

/// Whether an ISO date-time text carries a zone designator (`Z` or `±hh:mm` after the time).
pub(crate) fn has_zone(text: &str) -> bool {
    let text = text.trim();
    let Some(time_start) = text.find(['T', ' ']) else {
        return false;
    };
    let time_part = &text[time_start + 1..];
    time_part.ends_with('Z') || time_part.ends_with('z') || time_part.contains(['+', '-'])
}

/// Decides whether slash dates are day-first: day-first if any row's first number exceeds 12.
///
/// # Errors
/// `Some(index)` of a row whose second number also exceeds 12 when another row's first does (no order
/// fits every row).
pub(crate) fn resolve_slash_order(times: &[RawTime]) -> Result<bool, usize> {
    let first_over_12 = times
        .iter()
        .any(|time| matches!(time, RawTime::Slash { first, .. } if *first > 12));
    if first_over_12
        && let Some(index) = times
            .iter()
            .position(|time| matches!(time, RawTime::Slash { second, .. } if *second > 12))
    {
        return Err(index);
    }
    Ok(first_over_12)
}

/// Milliseconds since the epoch of a raw time, putting slash dates in the decided order.
///
/// # Errors
/// A message when the date does not exist (31 April, say).
pub(crate) fn resolve(time: RawTime, day_first: bool) -> Result<i64, String> {
    match time {
        RawTime::Millis(millis) => Ok(millis),
        RawTime::Slash {
            first,
            second,
            year,
            time_of_day_ms,
        } => {
            let (month, day) = if day_first {
                (second, first)
            } else {
                (first, second)
            };
            let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
                format!(
                    "{first}/{second}/{year} is not a date in {} order",
                    if day_first { "day/month" } else { "month/day" }
                )
            })?;
            Ok(midnight_millis(date) + time_of_day_ms)
        }
    }
}

fn midnight_millis(date: NaiveDate) -> i64 {
    date.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
}

fn normalise_iso_separator(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() > 10 && text.as_bytes()[10] == b' ' {
        let mut owned = text.to_string();
        owned.replace_range(10..11, "T");
        std::borrow::Cow::Owned(owned)
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn split_date_time(text: &str) -> (&str, &str) {
    match text.split_once(' ') {
        Some((date, time)) => (date, time.trim()),
        None => (text, ""),
    }
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff` as milliseconds after midnight; empty is midnight.
fn parse_time_of_day(text: &str) -> Option<i64> {
    if text.is_empty() {
        return Some(0);
    }
    let time = NaiveTime::parse_from_str(text, "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M"))
        .ok()?;
    Some((time - NaiveTime::MIN).num_milliseconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000;
    // 2017-01-02 is day 17168 after the epoch.
    const JAN_2_2017: i64 = 17_168 * DAY;

    fn millis(format: TimestampFormat, text: &str) -> i64 {
        resolve(parse(format, text).unwrap(), false).unwrap()
    }

    #[test]
    fn detects_each_form() {
        use TimestampFormat::*;
        for (text, format) in [
            ("2017-01-02", IsoDate),
            ("2017-01-02T00:00:00Z", IsoDateTimeWithZone),
            ("2017-01-02 22:00:00+02:00", IsoDateTimeWithZone),
            ("2017-01-02T22:00:00", IsoDateTimeNaive),
            ("2017-01-02 22:00", IsoDateTimeNaive),
            ("02.01.2017 22:00:00.000", DayMonthYearDots),
            ("02.01.2017", DayMonthYearDots),
            ("1/2/2017", MonthDayYearSlash),
            ("1483315200", EpochSeconds),
            ("1483315200000", EpochMillis),
        ] {
            assert_eq!(detect(text, None), Some(format), "{text}");
        }
        for text in ["yesterday", "2017/13", "17-01-02", "", "1.2.17"] {
            assert_eq!(detect(text, None), None, "{text}");
        }
    }

    #[test]
    fn parses_to_utc_milliseconds() {
        use TimestampFormat::*;
        assert_eq!(millis(IsoDate, "2017-01-02"), JAN_2_2017);
        assert_eq!(
            millis(IsoDateTimeWithZone, "2017-01-02T00:00:00Z"),
            JAN_2_2017
        );
        // 02:00 at +02:00 is midnight UTC.
        assert_eq!(
            millis(IsoDateTimeWithZone, "2017-01-02 02:00:00+02:00"),
            JAN_2_2017
        );
        assert_eq!(
            millis(IsoDateTimeNaive, "2017-01-02T22:00:00.5"),
            JAN_2_2017 + 22 * 3_600_000 + 500
        );
        assert_eq!(
            millis(DayMonthYearDots, "02.01.2017 22:00:00.000"),
            JAN_2_2017 + 22 * 3_600_000
        );
        assert_eq!(millis(MonthDayYearSlash, "1/2/2017"), JAN_2_2017);
        assert_eq!(millis(EpochSeconds, "1483315200"), JAN_2_2017);
        assert_eq!(millis(EpochMillis, "1483315200000"), JAN_2_2017);
        assert!(parse(EpochSeconds, "1483315200000").is_err());
        assert!(parse(IsoDate, "2017-02-30").is_err());
    }

    #[test]
    fn epoch_units_are_told_by_magnitude() {
        // 2017-01-02T00:00:00Z in each unit, and 1969-07-20 (before the epoch) in milliseconds.
        for (text, unit) in [
            ("1483315200", EpochUnit::Seconds),
            ("1483315200000", EpochUnit::Milliseconds),
            ("1483315200000000", EpochUnit::Microseconds),
            ("1483315200000000000", EpochUnit::Nanoseconds),
        ] {
            let value: i64 = text.parse().unwrap();
            assert_eq!(EpochUnit::of_magnitude(value), Some(unit), "{text}");
            assert_eq!(epoch_millis(value, None), Ok(JAN_2_2017), "{text}");
            assert_eq!(millis(unit.format(), text), JAN_2_2017, "{text}");
        }
        // 1969-07-20 is 165 days before the epoch: -14,256,000,000 ms, which as seconds would be
        // the year 1518.
        assert_eq!(
            EpochUnit::of_magnitude(-14_256_000_000),
            Some(EpochUnit::Milliseconds)
        );
        // 1900-01-01 in seconds is the earliest second accepted; 2201-01-01 is past the last.
        assert_eq!(
            EpochUnit::of_magnitude(-2_208_988_800),
            Some(EpochUnit::Seconds)
        );
        assert_eq!(
            epoch_millis(7_289_654_400, Some(EpochUnit::Seconds)).unwrap_err(),
            "7289654400 as epoch seconds is outside the years 1900-2200"
        );
        // A value no unit makes plausible, and a forced unit.
        assert_eq!(EpochUnit::of_magnitude(9_000_000_000_000_000_000), None);
        assert_eq!(
            epoch_millis(1_483_315_200_000, Some(EpochUnit::Microseconds)),
            Ok(1_483_315_200)
        );
        assert_eq!("us".parse::<EpochUnit>().unwrap(), EpochUnit::Microseconds);
        assert!("minutes".parse::<EpochUnit>().is_err());
        assert_eq!(
            detect("1483315200000", Some(EpochUnit::Seconds)),
            Some(TimestampFormat::EpochSeconds)
        );
    }

    #[test]
    fn slash_order_is_decided_over_the_whole_file() {
        let us = [
            parse(TimestampFormat::MonthDayYearSlash, "1/2/2017").unwrap(),
            parse(TimestampFormat::MonthDayYearSlash, "12/31/2017").unwrap(),
        ];
        assert_eq!(resolve_slash_order(&us), Ok(false));
        let european = [
            parse(TimestampFormat::MonthDayYearSlash, "2/1/2017").unwrap(),
            parse(TimestampFormat::MonthDayYearSlash, "31/12/2017").unwrap(),
        ];
        assert_eq!(resolve_slash_order(&european), Ok(true));
        assert_eq!(resolve(european[0], true), Ok(JAN_2_2017));
        let contradictory = [european[1], us[1]];
        assert_eq!(resolve_slash_order(&contradictory), Err(1));
    }

    #[test]
    fn knows_zoned_from_naive() {
        assert!(has_zone("2017-01-02T00:00:00Z"));
        assert!(has_zone("2017-01-02 00:00:00-05:00"));
        assert!(!has_zone("2017-01-02T00:00:00"));
        assert!(!has_zone("2017-01-02"));
    }
}
