//! # gauntlet-core
//!
//! The vocabulary every other Gauntlet crate shares (layer L0 of `DESIGN.md`):
//!
//! - [`Timestamp`]: milliseconds since the Unix epoch, UTC, at a bar's **open**;
//! - [`BarInterval`]: the length of one bar (`1h`, `1d`, ...), with calendar-aware bucketing;
//! - [`Bar`] and [`BarSeries`]: OHLCV bars, the series stored column by column and checked once on
//!   construction (finite prices > 0, `low <= min(open, close)`, `max(open, close) <= high`,
//!   volume >= 0, strictly increasing timestamps);
//! - [`PriceFields`]: whether a series has real high/low prices or closes only;
//! - [`AssetClass`] and [`Instrument`]: what a series describes;
//! - [`CoreError`]: what goes wrong, naming the bar index, time and field.
#![warn(missing_docs)]

mod bar;
mod error;
mod instrument;
mod series;
mod time;

pub use bar::{Bar, BarField, BarProblem, check_bar_values};
pub use error::CoreError;
pub use instrument::{AssetClass, Instrument};
pub use series::{BarColumns, BarSeries, PriceFields};
pub use time::{BarInterval, Timestamp};
