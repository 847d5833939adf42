//! # gauntlet-indicators
//!
//! Technical indicators (layer L1 of `DESIGN.md`), each in two forms that agree exactly:
//!
//! - **streaming** ([`Sma`], [`Ema`], [`Rsi`], [`Atr`], [`Bollinger`], [`Macd`], [`Donchian`], [`Roc`],
//!   [`RollingStdDev`], [`Volatility`], [`ZScore`]): one bar at a time, `update` returns `None` during
//!   warm-up, for the paper trader;
//! - **batch** ([`batch`]): a whole series in, `Vec<f64>` out with `NaN` during warm-up (no value, never
//!   a zero; any comparison with it is false), for backtests. Each batch function runs the streaming
//!   form, so the two cannot drift apart.
//!
//! [`IndicatorCache`] computes each (indicator, parameters) column once per series and shares it
//! read-only between genomes and threads.
//!
//! Definitions follow TA-Lib (Wilder smoothing for RSI and ATR, SMA-seeded EMA, population standard
//! deviation for Bollinger Bands); `tests/reference/` holds the vectors TA-Lib computed on bundled data
//! and the script that generated them. Prices are in the quote currency; RSI is 0-100; ROC and
//! volatility are fractions per bar.
//!
//! ```
//! use gauntlet_indicators::{Sma, batch};
//!
//! let closes = [1.0, 2.0, 3.0, 4.0];
//! let mut streaming = Sma::new(3)?;
//! let values: Vec<Option<f64>> = closes.iter().map(|&close| streaming.update(close)).collect();
//! assert_eq!(values, [None, None, Some(2.0), Some(3.0)]);
//! let batch = batch::sma(&closes, 3)?;
//! assert!(batch[1].is_nan());
//! assert_eq!(batch[3], 3.0);
//! # Ok::<(), gauntlet_indicators::IndicatorError>(())
//! ```
#![warn(missing_docs)]

pub mod batch;
mod cache;
mod channel;
mod error;
mod momentum;
mod moving_average;
mod streaming;
mod volatility;

pub use cache::{
    CacheBudget, Crossing, Crossings, DEFAULT_CACHE_BUDGET_BYTES, IndicatorCache, IndicatorColumn,
};
pub use channel::{Donchian, DonchianChannel};
pub use error::IndicatorError;
pub use momentum::{Macd, MacdValue, Roc, Rsi};
pub use moving_average::{Ema, Sma};
pub use streaming::StreamingColumn;
pub use volatility::{Atr, Bollinger, BollingerBands, RollingStdDev, Volatility, ZScore};
