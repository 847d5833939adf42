//! Time: [`Timestamp`] (milliseconds since the Unix epoch, UTC, at a bar's open) and [`BarInterval`].

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::CoreError;

/// Milliseconds in one day (86,400,000): UTC days are `millis.div_euclid(MILLIS_PER_DAY)`.
pub const MILLIS_PER_DAY: i64 = 86_400_000;

/// Milliseconds in one second, minute, hour, day and week.
const MS_PER_SECOND: i64 = 1_000;
const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;
const MS_PER_WEEK: i64 = 7 * MS_PER_DAY;
/// 1970-01-01 was a Thursday; Monday 1970-01-05 00:00 UTC is 4 days later. Weeks start on Monday (ISO 8601).
const FIRST_MONDAY_MS: i64 = 4 * MS_PER_DAY;

/// A point in time: milliseconds since the Unix epoch (1970-01-01T00:00:00Z), UTC.
///
/// A bar's timestamp marks the bar's **open**. Daily bars carry 00:00 UTC of their session date.
/// Displayed as ISO 8601 (`2020-03-16T00:00:00Z`, with `.fff` only when the milliseconds are not zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The timestamp of `millis` milliseconds since the epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// 00:00 UTC of a calendar date.
    ///
    /// # Errors
    /// [`CoreError::InvalidDate`] when the year, month and day do not name a real date.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Self, CoreError> {
        let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(CoreError::InvalidDate {
            year,
            month,
            day,
        })?;
        Ok(Self::from_datetime(
            date.and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_utc(),
        ))
    }

    /// 00:00 UTC of a date written `YYYY-MM-DD` (as `--from` and `--to` take it).
    ///
    /// # Errors
    /// [`CoreError::InvalidDateText`] when `text` is not such a date.
    pub fn parse_date(text: &str) -> Result<Self, CoreError> {
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| CoreError::InvalidDateText(text.to_string()))?;
        Self::from_ymd(date.year(), date.month(), date.day())
    }

    /// The timestamp of a chrono UTC date-time (sub-millisecond precision is truncated).
    pub fn from_datetime(datetime: DateTime<Utc>) -> Self {
        Self(datetime.timestamp_millis())
    }

    /// This timestamp as a chrono UTC date-time, or `None` outside chrono's range (about ±262,000 years).
    pub fn to_datetime(self) -> Option<DateTime<Utc>> {
        DateTime::<Utc>::from_timestamp_millis(self.0)
    }

    /// The calendar date (UTC) this timestamp falls on, or `None` outside chrono's range.
    pub fn date(self) -> Option<NaiveDate> {
        self.to_datetime().map(|datetime| datetime.date_naive())
    }

    /// Whether this time lies in the years Gauntlet accepts from a user's file or feed,
    /// [`PLAUSIBLE_YEARS`]: from [`EARLIEST_PLAUSIBLE`] (1900-01-01 00:00 UTC, inclusive) to
    /// [`END_OF_PLAUSIBLE`] (2201-01-01 00:00 UTC, exclusive). A date outside is a misread unit
    /// (microseconds read as milliseconds give the year 31974) or a placeholder (9999-12-31).
    pub fn is_plausible(self) -> bool {
        (EARLIEST_PLAUSIBLE.0..END_OF_PLAUSIBLE.0).contains(&self.0)
    }
}

/// The years of the bars Gauntlet accepts, for messages: `1900-2200`.
pub const PLAUSIBLE_YEARS: &str = "1900-2200";
/// The earliest bar time Gauntlet accepts: 1900-01-01 00:00 UTC (see [`Timestamp::is_plausible`]).
pub const EARLIEST_PLAUSIBLE: Timestamp = Timestamp(-2_208_988_800_000);
/// The first time past the years Gauntlet accepts: 2201-01-01 00:00 UTC (see
/// [`Timestamp::is_plausible`]).
pub const END_OF_PLAUSIBLE: Timestamp = Timestamp(7_289_654_400_000);

impl fmt::Display for Timestamp {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_datetime() {
            Some(datetime) if self.0.rem_euclid(MS_PER_SECOND) == 0 => {
                write!(formatter, "{}", datetime.format("%Y-%m-%dT%H:%M:%SZ"))
            }
            Some(datetime) => write!(formatter, "{}", datetime.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
            None => write!(formatter, "{}ms", self.0),
        }
    }
}

/// The length of one bar: a whole number of minutes, hours, days, weeks or calendar months.
///
/// Written as `30m`, `1h`, `4h`, `1d`, `1w`, `1mo` (in files, on the command line and in the catalog).
/// Days are UTC calendar days; weeks start on Monday 00:00 UTC; months are calendar months (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BarInterval {
    /// `n` minutes.
    Minutes(u32),
    /// `n` hours.
    Hours(u32),
    /// `n` UTC days.
    Days(u32),
    /// `n` weeks starting on Monday.
    Weeks(u32),
    /// `n` calendar months.
    Months(u32),
}

impl BarInterval {
    /// One day, the interval of most bundled datasets.
    pub const DAILY: Self = Self::Days(1);

    /// The nominal length in milliseconds (a month counts as 30 days here; use [`BarInterval::floor`]
    /// for calendar-exact bucketing).
    pub fn nominal_millis(self) -> i64 {
        match self {
            Self::Minutes(n) => i64::from(n) * MS_PER_MINUTE,
            Self::Hours(n) => i64::from(n) * MS_PER_HOUR,
            Self::Days(n) => i64::from(n) * MS_PER_DAY,
            Self::Weeks(n) => i64::from(n) * MS_PER_WEEK,
            Self::Months(n) => i64::from(n) * 30 * MS_PER_DAY,
        }
    }

    /// The start of the interval bucket that contains `timestamp`: the open time of the coarser bar a
    /// finer bar at `timestamp` belongs to when resampling.
    ///
    /// Minute, hour and day buckets are aligned to the epoch (so `4h` buckets start at 00:00, 04:00, ...
    /// UTC and `1d` at 00:00 UTC); week buckets start on Monday 00:00 UTC; month buckets on the first of
    /// the month (multi-month buckets on months 1, 1+n, ... of each year when n divides 12).
    pub fn floor(self, timestamp: Timestamp) -> Timestamp {
        match self {
            Self::Minutes(_) | Self::Hours(_) | Self::Days(_) => {
                let width = self.nominal_millis();
                Timestamp(timestamp.0 - timestamp.0.rem_euclid(width))
            }
            Self::Weeks(_) => {
                let width = self.nominal_millis();
                let since_monday = timestamp.0 - FIRST_MONDAY_MS;
                Timestamp(timestamp.0 - since_monday.rem_euclid(width))
            }
            Self::Months(n) => match timestamp.to_datetime() {
                Some(datetime) => {
                    let month0 = datetime.month0();
                    let bucket_month0 = month0 - month0 % n.max(1);
                    let start = Utc
                        .with_ymd_and_hms(datetime.year(), bucket_month0 + 1, 1, 0, 0, 0)
                        .single()
                        .expect("first of a month exists");
                    Timestamp::from_datetime(start)
                }
                None => timestamp,
            },
        }
    }

    /// Whether bars of this interval can be aggregated exactly into bars of `coarser`: `coarser` is
    /// strictly longer and each `coarser` bucket is a whole number of these intervals.
    pub fn divides(self, coarser: Self) -> bool {
        use BarInterval::{Days, Hours, Minutes, Months, Weeks};
        match (self, coarser) {
            (Months(a), Months(b)) => b > a && b % a == 0,
            (Months(_), _) => false,
            (Weeks(a), Weeks(b)) => b > a && b % a == 0,
            (Weeks(_), Months(_)) => false,
            (_, Months(_)) => MS_PER_DAY % self.nominal_millis() == 0,
            (Minutes(_) | Hours(_) | Days(_) | Weeks(_), _) => {
                let (fine, coarse) = (self.nominal_millis(), coarser.nominal_millis());
                coarse > fine && coarse % fine == 0
            }
        }
    }

    /// The number of bars in a year for a market that trades every day around the clock
    /// (365 days a year); exchange-traded daily bars use 252 instead, which the catalog states.
    pub fn bars_per_year_24_7(self) -> f64 {
        (365.0 * MS_PER_DAY as f64) / self.nominal_millis() as f64
    }
}

impl fmt::Display for BarInterval {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Minutes(n) => write!(formatter, "{n}m"),
            Self::Hours(n) => write!(formatter, "{n}h"),
            Self::Days(n) => write!(formatter, "{n}d"),
            Self::Weeks(n) => write!(formatter, "{n}w"),
            Self::Months(n) => write!(formatter, "{n}mo"),
        }
    }
}

impl FromStr for BarInterval {
    type Err = CoreError;

    /// Parses `30m`, `1h`, `1d`, `1w`, `1mo` (also `min`, `hour`, `day`, `week`, `month` spelt out).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || CoreError::InvalidInterval(text.to_string());
        let trimmed = text.trim().to_ascii_lowercase();
        let digits_end = trimmed
            .find(|character: char| !character.is_ascii_digit())
            .ok_or_else(invalid)?;
        let (count, unit) = trimmed.split_at(digits_end);
        let count: u32 = if count.is_empty() {
            1
        } else {
            count.parse().map_err(|_| invalid())?
        };
        if count == 0 {
            return Err(invalid());
        }
        match unit {
            "m" | "min" | "mins" | "minute" | "minutes" => Ok(Self::Minutes(count)),
            "h" | "hour" | "hours" => Ok(Self::Hours(count)),
            "d" | "day" | "days" => Ok(Self::Days(count)),
            "w" | "week" | "weeks" => Ok(Self::Weeks(count)),
            "mo" | "month" | "months" => Ok(Self::Months(count)),
            _ => Err(invalid()),
        }
    }
}

impl Serialize for BarInterval {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BarInterval {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_years_are_1900_to_2200() {
        assert_eq!(Timestamp::from_ymd(1900, 1, 1).unwrap(), EARLIEST_PLAUSIBLE);
        assert_eq!(Timestamp::from_ymd(2201, 1, 1).unwrap(), END_OF_PLAUSIBLE);
        assert!(EARLIEST_PLAUSIBLE.is_plausible());
        assert!(Timestamp(END_OF_PLAUSIBLE.0 - 1).is_plausible());
        assert!(!END_OF_PLAUSIBLE.is_plausible());
        assert!(!Timestamp(EARLIEST_PLAUSIBLE.0 - 1).is_plausible());
    }

    #[test]
    fn displays_iso_8601_utc() {
        // 2001-09-17 is 11582 days after the epoch: 11582 * 86_400_000 ms.
        let timestamp = Timestamp(11_582 * 86_400_000);
        assert_eq!(timestamp.to_string(), "2001-09-17T00:00:00Z");
        assert_eq!(Timestamp(1_500).to_string(), "1970-01-01T00:00:01.500Z");
        assert_eq!(Timestamp::from_ymd(2001, 9, 17).unwrap(), timestamp);
        assert!(Timestamp::from_ymd(2001, 2, 29).is_err());
    }

    #[test]
    fn intervals_parse_and_print() {
        for (text, interval) in [
            ("30m", BarInterval::Minutes(30)),
            ("1h", BarInterval::Hours(1)),
            ("4H", BarInterval::Hours(4)),
            ("1d", BarInterval::Days(1)),
            ("day", BarInterval::Days(1)),
            ("1w", BarInterval::Weeks(1)),
            ("1mo", BarInterval::Months(1)),
        ] {
            assert_eq!(text.parse::<BarInterval>().unwrap(), interval, "{text}");
        }
        assert_eq!(BarInterval::Hours(4).to_string(), "4h");
        for bad in ["", "0d", "1y", "h1", "1.5h"] {
            assert!(bad.parse::<BarInterval>().is_err(), "{bad}");
        }
    }

    #[test]
    fn floors_to_bucket_starts() {
        // 2017-01-02T13:45:00Z (a Monday): 17168 days + 13h45m.
        let day = 17_168 * MS_PER_DAY;
        let timestamp = Timestamp(day + 13 * MS_PER_HOUR + 45 * MS_PER_MINUTE);
        assert_eq!(
            BarInterval::Hours(1).floor(timestamp),
            Timestamp(day + 13 * MS_PER_HOUR)
        );
        assert_eq!(
            BarInterval::Hours(4).floor(timestamp),
            Timestamp(day + 12 * MS_PER_HOUR)
        );
        assert_eq!(BarInterval::Days(1).floor(timestamp), Timestamp(day));
        // Monday 2017-01-02 is its own week start; Sunday 2017-01-08 belongs to the same week.
        assert_eq!(BarInterval::Weeks(1).floor(timestamp), Timestamp(day));
        assert_eq!(
            BarInterval::Weeks(1).floor(Timestamp(day + 6 * MS_PER_DAY)),
            Timestamp(day)
        );
        assert_eq!(
            BarInterval::Months(1).floor(timestamp),
            Timestamp::from_ymd(2017, 1, 1).unwrap()
        );
        assert_eq!(
            BarInterval::Months(3).floor(Timestamp::from_ymd(2017, 8, 20).unwrap()),
            Timestamp::from_ymd(2017, 7, 1).unwrap()
        );
    }

    #[test]
    fn divides_only_into_whole_multiples() {
        assert!(BarInterval::Minutes(30).divides(BarInterval::Hours(1)));
        assert!(BarInterval::Hours(1).divides(BarInterval::Days(1)));
        assert!(BarInterval::Days(1).divides(BarInterval::Months(1)));
        assert!(BarInterval::Days(1).divides(BarInterval::Weeks(1)));
        assert!(!BarInterval::Hours(1).divides(BarInterval::Hours(1)));
        assert!(!BarInterval::Days(1).divides(BarInterval::Hours(4)));
        assert!(!BarInterval::Hours(7).divides(BarInterval::Months(1)));
        assert!(!BarInterval::Weeks(1).divides(BarInterval::Months(1)));
    }
}
