//! # gauntlet-indicators
//!
//! Technical indicators (layer L1 of `DESIGN.md`), each in two forms that agree exactly:
//!
//! - **streaming** ([`Sma`], [`Ema`], [`Rsi`], [`Atr`], [`Bollinger`], [`Macd`], [`Donchian`], [`Roc`],
//!   [`RollingStdDev`], [`Volatility`], [`ZScore`]; trend: [`Adx`], [`Aroon`]; oscillators:
//!   [`Stochastic`], [`Cci`], [`WilliamsR`]; volume: [`Mfi`], [`Obv`], [`RollingVwap`]; channels:
//!   [`Keltner`]; windows: [`Highest`], [`Lowest`], [`Lag`]): one bar at a time, `update` returns
//!   `None` during warm-up, for the paper trader;
//! - **batch** ([`batch`]): a whole series in, `Vec<f64>` out with `NaN` during warm-up (no value, never
//!   a zero; any comparison with it is false), for backtests. Each batch function runs the streaming
//!   form, so the two cannot drift apart.
//!
//! [`IndicatorCache`] computes each (indicator, parameters) column once per series and shares it
//! read-only between genomes and threads.
//!
//! Definitions follow TA-Lib (Wilder smoothing for RSI, ATR and ADX, SMA-seeded EMA, population
//! standard deviation for Bollinger Bands, TA-Lib 0.8's values where a formula divides by zero);
//! the Keltner channel and the rolling VWAP follow pandas-ta. `tests/reference/` holds the vectors
//! TA-Lib and pandas-ta computed on bundled data, made by `tests/reference/generate_talib.py` and
//! `scripts/reference/indicator_vectors.py`. Prices are in the quote currency; RSI, ADX, +DI, -DI,
//! Aroon, stochastic and MFI are 0-100, Williams %R -100-0; ROC and volatility are fractions per
//! bar.
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
mod oscillator;
mod streaming;
mod trend;
mod volatility;
mod volume;
mod window;

pub use cache::{
    CacheBudget, Crossing, Crossings, DEFAULT_CACHE_BUDGET_BYTES, IndicatorCache, IndicatorColumn,
};
pub use channel::{Donchian, DonchianChannel, Keltner, KeltnerChannel};
pub use error::IndicatorError;
pub use momentum::{Macd, MacdValue, Roc, Rsi};
pub use moving_average::{Ema, Sma};
pub use oscillator::{Cci, Stochastic, StochasticValue, WilliamsR};
pub use streaming::StreamingColumn;
pub use trend::{Adx, AdxValue, Aroon, AroonValue};
pub use volatility::{Atr, Bollinger, BollingerBands, RollingStdDev, Volatility, ZScore};
pub use volume::{Mfi, Obv, RollingVwap};
pub use window::{Highest, Lag, Lowest};
