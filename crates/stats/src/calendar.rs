//! Calendar tables: monthly returns and the share of positive months.

use chrono::Datelike;
use gauntlet_core::Timestamp;
use serde::Serialize;

/// The compounded return of one calendar month (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthlyReturn {
    /// The year.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u32,
    /// `equity at the month's last bar / equity at the previous month's last bar - 1` (the initial
    /// capital for the first month), a fraction.
    pub return_fraction: f64,
}

/// Monthly returns of an equity curve: `equity[t]` is the equity at the close of the bar opening at
/// `timestamps[t]`, and `initial` the equity before the first bar. Months without bars are absent.
pub fn monthly_returns(
    timestamps: &[Timestamp],
    equity: &[f64],
    initial: f64,
) -> Vec<MonthlyReturn> {
    let mut months: Vec<MonthlyReturn> = Vec::new();
    let mut month_start_equity = initial;
    let mut current: Option<(i32, u32)> = None;
    let mut last_equity = initial;
    // The current month's span in milliseconds, so a bar inside it needs no calendar arithmetic
    // (which would dominate the cost on long series).
    let mut span: Option<(i64, i64, (i32, u32))> = None;
    for (timestamp, &value) in timestamps.iter().zip(equity) {
        let millis = timestamp.millis();
        let key = match span {
            Some((start, end, key)) if (start..end).contains(&millis) => key,
            _ => {
                let Some(date) = timestamp.date() else {
                    continue;
                };
                let key = (date.year(), date.month());
                span = month_span(key).map(|(start, end)| (start, end, key));
                key
            }
        };
        if current.is_some_and(|month| month != key) {
            let (year, month) = current.expect("checked");
            months.push(MonthlyReturn {
                year,
                month,
                return_fraction: last_equity / month_start_equity - 1.0,
            });
            month_start_equity = last_equity;
        }
        current = Some(key);
        last_equity = value;
    }
    if let Some((year, month)) = current {
        months.push(MonthlyReturn {
            year,
            month,
            return_fraction: last_equity / month_start_equity - 1.0,
        });
    }
    months
}

/// The first millisecond of a month and of the next one (UTC).
fn month_span((year, month): (i32, u32)) -> Option<(i64, i64)> {
    let first = chrono::NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        chrono::NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let millis = |date: chrono::NaiveDate| {
        date.and_hms_opt(0, 0, 0)
            .map(|midnight| midnight.and_utc().timestamp_millis())
    };
    Some((millis(first)?, millis(next)?))
}

/// The share of months with a positive return, a fraction (`NaN` without months).
pub fn positive_month_share(months: &[MonthlyReturn]) -> f64 {
    if months.is_empty() {
        return f64::NAN;
    }
    months
        .iter()
        .filter(|month| month.return_fraction > 0.0)
        .count() as f64
        / months.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compounds_within_each_month() {
        let day = |y, m, d| Timestamp::from_ymd(y, m, d).unwrap();
        // Start 100. January ends at 110 (+10%), February at 99 (-10%), March at 99 (0%).
        let times = [
            day(2020, 1, 2),
            day(2020, 1, 31),
            day(2020, 2, 3),
            day(2020, 3, 2),
        ];
        let equity = [105.0, 110.0, 99.0, 99.0];
        let months = monthly_returns(&times, &equity, 100.0);
        assert_eq!(months.len(), 3);
        assert_eq!((months[0].year, months[0].month), (2020, 1));
        assert!((months[0].return_fraction - 0.1).abs() < 1e-15);
        assert!((months[1].return_fraction + 0.1).abs() < 1e-15);
        assert_eq!(months[2].return_fraction, 0.0);
        assert!((positive_month_share(&months) - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn month_edges_to_the_millisecond_and_across_a_year() {
        // 2019-12-31T23:59:59.999 is December; one millisecond later is January 2020.
        let new_year = Timestamp::from_ymd(2020, 1, 1).unwrap().millis();
        let times = [
            Timestamp(new_year - 86_400_000),
            Timestamp(new_year - 1),
            Timestamp(new_year),
            Timestamp(new_year + 31 * 86_400_000 - 1),
            Timestamp(new_year + 31 * 86_400_000),
        ];
        let equity = [101.0, 102.0, 103.0, 104.0, 105.0];
        let months = monthly_returns(&times, &equity, 100.0);
        let keys: Vec<(i32, u32)> = months
            .iter()
            .map(|month| (month.year, month.month))
            .collect();
        assert_eq!(keys, [(2019, 12), (2020, 1), (2020, 2)]);
        assert!((months[0].return_fraction - 0.02).abs() < 1e-15);
        assert!((months[1].return_fraction - (104.0 / 102.0 - 1.0)).abs() < 1e-15);
    }
}
