//! The import's timestamps: each row's time parsed in the detected (or requested) format, the
//! times resolved to milliseconds since the epoch (UTC), and the rows put in time order, with the
//! intraday grid that tells a shifted bar from a regular one.

use std::collections::BTreeMap;

use gauntlet_core::{PLAUSIBLE_YEARS, Timestamp};

use super::{ColumnMap, DetectedFormat, Importer, RowProblem, Rows, is_missing};
use crate::error::{BadRowKind, DataError};
use crate::import_report::CsvLayout;
use crate::timestamp::{self, ACCEPTED_FORMATS, RawTime, TimestampFormat};

impl Importer<'_> {
    pub(super) fn parse_time<'r>(
        &self,
        columns: &ColumnMap,
        detected: &mut Option<DetectedFormat>,
        line: u64,
        text: &dyn Fn(usize) -> Result<&'r str, RowProblem>,
    ) -> Result<RawTime, RowProblem> {
        let column_name = Some(columns.names[columns.time].as_str());
        let date_text = text(columns.time)?;
        let joined;
        let time_text = match columns.time_of_day {
            Some(index) => {
                joined = format!("{date_text} {}", text(index)?);
                joined.as_str()
            }
            None => date_text,
        };
        if is_missing(time_text) {
            return Err(RowProblem::new(
                column_name,
                BadRowKind::MissingValue,
                "the timestamp is missing".into(),
            ));
        }
        let known = match *detected {
            Some(known) => known,
            None => {
                let format =
                    timestamp::detect(time_text, self.options.time_unit).ok_or_else(|| {
                        RowProblem::new(
                            column_name,
                            BadRowKind::UnknownDateFormat,
                            format!(
                                "unknown date format '{time_text}'; accepted: {ACCEPTED_FORMATS}"
                            ),
                        )
                    })?;
                let layout_wanted = self.options.layout;
                if layout_wanted == Some(CsvLayout::MetaTrader)
                    && format != TimestampFormat::DayMonthYearDots
                {
                    return Err(RowProblem::new(
                        column_name,
                        BadRowKind::UnknownDateFormat,
                        format!(
                            "'{time_text}' is not a MetaTrader timestamp (dd.mm.yyyy HH:MM:SS.fff)"
                        ),
                    ));
                }
                let known = DetectedFormat { format, line };
                *detected = Some(known);
                known
            }
        };
        timestamp::parse(known.format, time_text).map_err(|message| {
            let zoned = matches!(
                known.format,
                TimestampFormat::IsoDateTimeWithZone | TimestampFormat::IsoDateTimeNaive
            ) && timestamp::detect(time_text, None).is_some_and(|format| {
                matches!(
                    format,
                    TimestampFormat::IsoDateTimeWithZone | TimestampFormat::IsoDateTimeNaive
                )
            });
            if zoned {
                RowProblem::new(
                    column_name,
                    BadRowKind::MixedTimezones,
                    if timestamp::has_zone(time_text) {
                        format!(
                            "mixed time zones: '{time_text}' has a zone but the timestamp on line \
                             {} has none",
                            known.line
                        )
                    } else {
                        format!(
                            "mixed time zones: '{time_text}' has no zone but the timestamp on line \
                             {} has one",
                            known.line
                        )
                    },
                )
            } else {
                RowProblem::new(
                    column_name,
                    BadRowKind::UnknownDateFormat,
                    format!("{message}, the format of line {}", known.line),
                )
            }
        })
    }

    /// Resolves slash dates over the whole file and returns milliseconds per row.
    pub(super) fn resolve_times(
        &mut self,
        rows: &mut Rows,
        detected: DetectedFormat,
    ) -> Result<(TimestampFormat, Vec<i64>), DataError> {
        let mut format = detected.format;
        let mut day_first = false;
        if format == TimestampFormat::MonthDayYearSlash {
            day_first =
                timestamp::resolve_slash_order(&rows.times).map_err(|index| DataError::BadRow {
                    path: self.path.to_path_buf(),
                    line: rows.lines[index],
                    column: None,
                    kind: BadRowKind::UnknownDateFormat,
                    message: "slash dates in both month/day and day/month order in one file".into(),
                })?;
            if day_first {
                format = TimestampFormat::DayMonthYearSlash;
            }
        }
        let mut millis = Vec::with_capacity(rows.times.len());
        let mut keep = vec![true; rows.times.len()];
        for (index, time) in rows.times.iter().enumerate() {
            match timestamp::resolve(*time, day_first) {
                Ok(value) => millis.push(value),
                Err(message) => {
                    self.bad_row(
                        rows.lines[index],
                        RowProblem::new(None, BadRowKind::UnknownDateFormat, message),
                    )?;
                    keep[index] = false;
                    millis.push(0);
                }
            }
        }
        if self.times_at_close {
            self.move_close_times_to_opens(&mut millis);
        }
        // Dates outside 1900-2200 are a misread unit or a placeholder, never a bar.
        for (index, &time) in millis.iter().enumerate() {
            if keep[index] && !Timestamp(time).is_plausible() {
                self.bad_row(
                    rows.lines[index],
                    RowProblem::new(
                        None,
                        BadRowKind::ImplausibleDate,
                        format!(
                            "{} is outside the years {PLAUSIBLE_YEARS}{}",
                            Timestamp(time),
                            if format.is_epoch() {
                                format!(" (read as {}; see --time-unit)", format.describe())
                            } else {
                                String::new()
                            }
                        ),
                    ),
                )?;
                keep[index] = false;
            }
        }
        let millis = rows.retain(&keep, millis);
        Ok((format, millis))
    }

    /// JSON candles stamped only with their close time (`closeTime`): each time is moved back by
    /// the most common spacing to its bar's open, after rounding a last-millisecond close
    /// (`...:59.999`, as Binance writes it) up to the bar's end.
    fn move_close_times_to_opens(&mut self, millis: &mut [i64]) {
        let ends: Vec<i64> = millis
            .iter()
            .map(|&time| {
                if time.rem_euclid(1_000) == 999 {
                    time + 1
                } else {
                    time
                }
            })
            .collect();
        let mut spacings: Vec<i64> = ends.windows(2).map(|pair| pair[1] - pair[0]).collect();
        spacings.sort_unstable();
        let spacing = spacings
            .chunk_by(|a, b| a == b)
            .max_by_key(|run| run.len())
            .map_or(0, |run| run[0].max(0));
        for (time, end) in millis.iter_mut().zip(ends) {
            *time = end - spacing;
        }
        self.notices.push(format!(
            "the candles carry their close time only: each bar is stamped at its open, {} before \
             its close",
            crate::summary::spacing_text(spacing)
        ));
    }

    /// Puts rows in ascending order: reverses a strictly descending file; refuses (or skips) duplicates
    /// and rows out of order. Returns whether the file was reversed.
    pub(super) fn order_rows(
        &mut self,
        rows: &mut Rows,
        mut millis: Vec<i64>,
    ) -> Result<bool, DataError> {
        let reversed = millis.len() >= 2 && millis[0] > millis[millis.len() - 1];
        if reversed {
            rows.reverse();
            millis.reverse();
        }
        let mut keep = vec![true; millis.len()];
        let mut previous = 0usize;
        // The times kept so far, ascending: a row out of order whose time is among them repeats a
        // bar already read (an overlapping second download).
        let mut kept: Vec<i64> = millis.first().copied().into_iter().collect();
        for index in 1..millis.len() {
            let (current, before) = (millis[index], millis[previous]);
            if current > before {
                previous = index;
                kept.push(current);
                continue;
            }
            // A row right after its twin is a duplicate; a repeat after rows were skipped belongs
            // to an overlapping download.
            let (kind, message) = if current == before && previous + 1 == index {
                (
                    BadRowKind::DuplicateTimestamp,
                    format!(
                        "duplicate timestamp {} (also on line {})",
                        Timestamp(current),
                        rows.lines[previous]
                    ),
                )
            } else if kept.binary_search(&current).is_ok() {
                (
                    BadRowKind::Overlap,
                    format!(
                        "timestamp {} repeats an earlier bar after {} on line {}: an overlapping \
                         second download stitched on?",
                        Timestamp(current),
                        Timestamp(before),
                        rows.lines[previous]
                    ),
                )
            } else {
                (
                    BadRowKind::OutOfOrder,
                    format!(
                        "timestamp {} is earlier than {} on line {}; the file is neither ascending \
                         nor simply descending",
                        Timestamp(current),
                        Timestamp(before),
                        rows.lines[previous]
                    ),
                )
            };
            self.bad_row(rows.lines[index], RowProblem::new(None, kind, message))?;
            keep[index] = false;
        }
        let millis = rows.retain(&keep, millis);
        // Intraday bars off the grid the others keep.
        let mut keep = vec![true; millis.len()];
        if let Some((spacing, phase)) = intraday_grid(&millis) {
            for (index, &time) in millis.iter().enumerate() {
                if time.rem_euclid(spacing) != phase {
                    self.bad_row(
                        rows.lines[index],
                        RowProblem::new(
                            None,
                            BadRowKind::OffGrid,
                            format!(
                                "timestamp {} is off the {}-minute grid of the other bars",
                                Timestamp(time),
                                spacing / 60_000
                            ),
                        ),
                    )?;
                    keep[index] = false;
                }
            }
        }
        let millis = rows.retain(&keep, millis);
        rows.times = millis.into_iter().map(RawTime::Millis).collect();
        Ok(reversed)
    }
}

/// The grid of intraday bars: the most common spacing between consecutive times (under a day,
/// at least a minute) and the offset from the epoch most times keep, when at least 95% of the
/// times keep it (a less regular file has no grid to be off).
fn intraday_grid(millis: &[i64]) -> Option<(i64, i64)> {
    fn most_common(values: impl Iterator<Item = i64>) -> Option<(i64, usize)> {
        let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
        for value in values {
            *counts.entry(value).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
    }
    if millis.len() < 10 {
        return None;
    }
    let (spacing, _) = most_common(millis.windows(2).map(|pair| pair[1] - pair[0]))?;
    if !(60_000..86_400_000).contains(&spacing) {
        return None;
    }
    let (phase, count) = most_common(millis.iter().map(|time| time.rem_euclid(spacing)))?;
    (count * 100 >= millis.len() * 95).then_some((spacing, phase))
}
