//! What a series is a series of: [`AssetClass`] and [`Instrument`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{BarInterval, CoreError};

/// The asset class of an instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetClass {
    /// Shares and exchange-traded funds.
    #[serde(alias = "stocks", alias = "equity", alias = "etf")]
    Stock,
    /// Stock and volatility indices (not directly tradable; proxies for futures or ETFs).
    #[serde(alias = "indices", alias = "indexes")]
    Index,
    /// Currency pairs.
    #[serde(alias = "fx", alias = "currency")]
    Forex,
    /// Commodities (spot or futures prices).
    #[serde(alias = "commodities")]
    Commodity,
    /// Crypto-currencies, traded around the clock.
    #[serde(alias = "cryptocurrency")]
    Crypto,
}

impl AssetClass {
    /// Every asset class, in display order.
    pub const ALL: [AssetClass; 5] = [
        Self::Stock,
        Self::Index,
        Self::Forex,
        Self::Commodity,
        Self::Crypto,
    ];

    /// The lower-case name used in files and on the command line (`stock`, `index`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Stock => "stock",
            Self::Index => "index",
            Self::Forex => "forex",
            Self::Commodity => "commodity",
            Self::Crypto => "crypto",
        }
    }

    /// A sensible number of bars per year for annualising metrics, when a dataset does not state one.
    ///
    /// Conventions: exchange-traded assets (stocks, indices, commodities) trade 252 days a year and, for
    /// intraday bars, 6.5 hours a day; forex trades 24 hours, 5 days a week (260 days); crypto trades
    /// 24 hours, 365 days. Weekly and monthly bars use 52 and 12. These are the usual choices of
    /// empyrical (252 daily periods) and of the field; a catalog entry may override them.
    pub fn default_bars_per_year(self, interval: BarInterval) -> f64 {
        const HOUR_MS: f64 = 3_600_000.0;
        let (days_per_year, hours_per_day) = match self {
            Self::Stock | Self::Index | Self::Commodity => (252.0, 6.5),
            Self::Forex => (260.0, 24.0),
            Self::Crypto => (365.0, 24.0),
        };
        match interval {
            BarInterval::Days(n) => days_per_year / f64::from(n),
            BarInterval::Weeks(n) => 52.0 / f64::from(n),
            BarInterval::Months(n) => 12.0 / f64::from(n),
            BarInterval::Minutes(_) | BarInterval::Hours(_) => {
                let bars_per_day =
                    (hours_per_day * HOUR_MS / interval.nominal_millis() as f64).max(1.0);
                days_per_year * bars_per_day
            }
        }
    }
}

impl fmt::Display for AssetClass {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for AssetClass {
    type Err = CoreError;

    /// Parses the names of [`AssetClass::name`] and their plurals and aliases, case-insensitively.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "stock" | "stocks" | "equity" | "etf" => Ok(Self::Stock),
            "index" | "indices" | "indexes" => Ok(Self::Index),
            "forex" | "fx" | "currency" => Ok(Self::Forex),
            "commodity" | "commodities" => Ok(Self::Commodity),
            "crypto" | "cryptocurrency" => Ok(Self::Crypto),
            _ => Err(CoreError::InvalidAssetClass(text.to_string())),
        }
    }
}

/// What a bar series describes: the traded symbol, its asset class and the bar interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instrument {
    /// The ticker or pair, as the source names it (`AAPL`, `EURUSD`, `^GSPC`).
    pub symbol: String,
    /// The asset class.
    pub asset_class: AssetClass,
    /// The length of one bar.
    pub interval: BarInterval,
    /// Bars per year used to annualise metrics (252 for exchange daily bars, 365 for 24/7 daily bars).
    pub bars_per_year: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_plurals() {
        assert_eq!("Stocks".parse::<AssetClass>().unwrap(), AssetClass::Stock);
        assert_eq!("indices".parse::<AssetClass>().unwrap(), AssetClass::Index);
        assert_eq!(
            "commodities".parse::<AssetClass>().unwrap(),
            AssetClass::Commodity
        );
        assert!("bonds".parse::<AssetClass>().is_err());
        for class in AssetClass::ALL {
            assert_eq!(class.name().parse::<AssetClass>().unwrap(), class);
        }
    }

    #[test]
    fn bars_per_year_follow_the_trading_calendar() {
        assert_eq!(
            AssetClass::Stock.default_bars_per_year(BarInterval::DAILY),
            252.0
        );
        assert_eq!(
            AssetClass::Crypto.default_bars_per_year(BarInterval::DAILY),
            365.0
        );
        assert_eq!(
            AssetClass::Forex.default_bars_per_year(BarInterval::Hours(1)),
            6_240.0
        );
        // 6.5 trading hours a day in 30-minute bars: 13 bars a day.
        assert_eq!(
            AssetClass::Stock.default_bars_per_year(BarInterval::Minutes(30)),
            252.0 * 13.0
        );
        assert_eq!(
            AssetClass::Index.default_bars_per_year(BarInterval::Weeks(1)),
            52.0
        );
    }
}
