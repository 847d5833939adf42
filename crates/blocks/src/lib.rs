//! # gauntlet-blocks
//!
//! Building blocks and the formula language (layer L2 of `DESIGN.md`, just above the indicators it
//! builds on). A **block** ([`Block`]) is a number series defined once with everything the rest of
//! Gauntlet needs about it: its name and parameters (bounds, grid, unit) for random draws, mutation
//! and plateau neighbours; its batch column and its streaming form (both running
//! gauntlet-indicators, so they agree exactly); its English text; and its Python and Pine Script
//! expressions for the exports. [`registry`] lists them: the price values `open`, `high`, `low`,
//! `close`, `volume`; `lag`, `highest`, `lowest`, `pct_change`; `sma`, `ema`, `rsi`, `atr`,
//! `stddev`, `bollinger_upper`, `bollinger_lower`, `keltner_upper`, `keltner_lower`,
//! `williams_r`, `cci`, `stoch_k`, `stoch_d`, `adx`, `plus_di`, `minus_di`, `aroon_up`, `aroon_down`, `obv`, `mfi`, `vwap`.
//!
//! A **formula** ([`Formula`]) is a typed condition over blocks, such as
//! `rsi(close, 2) < 10 and close > sma(close, 200)` or
//! `crosses_above(ema(close, 12), ema(close, 26))`, with templates' placeholders `?level[5..40]`
//! (a number) and `?filter` (a condition), and `tf("1d", x)`, which reads `x` on bars of a higher
//! timeframe from completed periods only (see [`Expr::Tf`]). It is parsed with pest from
//! `formula.pest` (a grammar one can read beside the docs, and line:column errors for free),
//! type-checked while its tree is
//! built (`formula 1:17: expected a number, found a condition`), bounded before any work
//! ([`MAX_FORMULA_BYTES`], [`MAX_FORMULA_DEPTH`], [`MAX_FORMULA_NODES`]), and printed in one
//! canonical text that parses back to the same tree. [`ColumnCache::evaluate`] computes it over a
//! whole series, each number sub-expression once per series keyed by its canonical text;
//! [`StreamingFormula`] gives the same values one bar at a time; [`python_expression`] and
//! [`pine_expression`] write it for the exports. A formula is false where any part has no value
//! (warm-up, `NaN`), and its value at bar t uses bars up to t only.
//!
//! ```
//! use std::sync::Arc;
//! use gauntlet_blocks::{ColumnCache, Formula, StreamingFormula};
//! # use gauntlet_core::{BarColumns, BarSeries, Timestamp};
//! # let mut columns = BarColumns::with_capacity(5);
//! # for (index, close) in [5.0, 4.0, 3.0, 4.0, 6.0].into_iter().enumerate() {
//! #     columns.timestamps.push(Timestamp(index as i64 * 86_400_000));
//! #     columns.open.push(close); columns.high.push(close); columns.low.push(close);
//! #     columns.close.push(close); columns.volume.push(1.0);
//! # }
//! # let series = BarSeries::new(columns, true)?;
//! let formula = Formula::parse("crosses_above(close, sma(close, 2))")?;
//! let cache = ColumnCache::new(Arc::new(series.clone()));
//! // sma(close, 2) = [NaN, 4.5, 3.5, 3.5, 5]: the close crosses above it at bar 3.
//! assert_eq!(cache.evaluate(&formula)?, [false, false, false, true, false]);
//! let mut streaming = StreamingFormula::new(&formula)?;
//! let bars: Vec<bool> = series.bars().map(|bar| streaming.update(&bar)).collect();
//! assert_eq!(bars, [false, false, false, true, false]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod block;
mod blocks;
mod canonical;
mod catalogue;
mod codegen;
mod error;
mod eval;
mod formula;
mod random;
mod streaming;
mod template;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod timeframe;

pub use block::{Arg, BatchInput, Block, Param, ParamKind, StreamingBlock};
pub use blocks::{find, registry};
pub use catalogue::catalogue;
pub use codegen::{
    GeneratedCode, GeneratedCodes, english, pine_expression, pine_expressions, python_expression,
    python_expressions,
};
pub use error::BlocksError;
pub use eval::ColumnCache;
pub use formula::{
    ArithOp, CompareOp, Expr, Formula, MAX_FORMULA_BYTES, MAX_FORMULA_DEPTH, MAX_FORMULA_NODES,
    Type, format_number,
};
pub use random::{
    ConditionFamily, MAX_CONDITION_DEPTH, Tunable, condition_depth, tunable_numbers,
    with_tunable_numbers,
};
pub use streaming::StreamingFormula;
pub use template::{PlaceholderKind, PlaceholderSpec, snap};
pub use timeframe::TIMEFRAMES_ACCEPTED;
