//! What a building block is: its arguments (series inputs, then parameters with bounds and grid),
//! its batch column, its streaming form and its English, Python and Pine text.

use std::fmt::Debug;

use gauntlet_core::{Bar, BarSeries};

use crate::error::BlocksError;

/// Whether a parameter is a whole number of bars or a real number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A whole number of bars (a period, a lag): a formula must give an integer literal or an
    /// integer placeholder.
    Period,
    /// A real number (a band width in standard deviations, a multiplier).
    Real,
}

/// A block's parameter: its name, kind, inclusive bounds, grid step and unit, enough to draw it at
/// random, mutate it and list its plateau neighbours (one `step` either way, within the bounds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    /// The name the formula's errors use (`period`, `width`).
    pub name: &'static str,
    /// Period or real.
    pub kind: ParamKind,
    /// Smallest value allowed (inclusive).
    pub min: f64,
    /// Largest value allowed (inclusive).
    pub max: f64,
    /// Grid step of random draws and mutation (1 for periods).
    pub step: f64,
    /// The unit, in words (`bars`, `standard deviations`).
    pub unit: &'static str,
}

impl Param {
    /// A period in bars within `min..=max`.
    pub const fn period(name: &'static str, min: u32, max: u32) -> Self {
        Self {
            name,
            kind: ParamKind::Period,
            min: min as f64,
            max: max as f64,
            step: 1.0,
            unit: "bars",
        }
    }

    /// A real number within `min..=max` on a grid of `step`.
    pub const fn real(
        name: &'static str,
        min: f64,
        max: f64,
        step: f64,
        unit: &'static str,
    ) -> Self {
        Self {
            name,
            kind: ParamKind::Real,
            min,
            max,
            step,
            unit,
        }
    }

    /// Whether `value` is allowed: within the bounds, and whole for a period.
    pub fn admits(&self, value: f64) -> bool {
        value >= self.min
            && value <= self.max
            && (self.kind == ParamKind::Real || value.fract() == 0.0)
    }

    /// The grid values next to `value` (one step down and up, within the bounds): its plateau
    /// neighbours and the moves of a mutation.
    pub fn neighbours(&self, value: f64) -> Vec<f64> {
        [value - self.step, value + self.step]
            .into_iter()
            .filter(|&next| self.admits(next))
            .collect()
    }
}

/// One argument of a block, in call order (series inputs come first).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Arg {
    /// A number series (any number expression: `close`, `rsi(close, 2)`, `high - low`).
    Series(&'static str),
    /// A constant parameter.
    Param(Param),
}

impl Arg {
    /// The argument's name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Series(name) => name,
            Self::Param(param) => param.name,
        }
    }
}

/// The data a block's batch column is computed from.
#[derive(Debug, Clone, Copy)]
pub struct BatchInput<'a> {
    /// The bars (for blocks that read high, low, close or volume themselves).
    pub series: &'a BarSeries,
    /// The values of the series arguments, in order, one per bar of `series`.
    pub inputs: &'a [&'a [f64]],
    /// The parameter values, in order.
    pub params: &'a [f64],
}

/// A block's streaming state: one bar at a time, for the paper trader.
pub trait StreamingBlock: Debug + Send {
    /// Feeds the next bar and the series arguments' values at it; returns the block's value
    /// (`NaN` during warm-up), equal to the batch column at that bar.
    fn update(&mut self, bar: &Bar, inputs: &[f64]) -> f64;

    /// A copy of the state (a paper trader checkpointing, a test restarting).
    fn box_clone(&self) -> Box<dyn StreamingBlock>;
}

impl Clone for Box<dyn StreamingBlock> {
    fn clone(&self) -> Self {
        self.box_clone()
    }
}

/// A building block: a number series with its arguments, defined once with every form the
/// engine, the paper trader, the descriptions and the exports need.
///
/// The forms agree: [`Block::streaming`] gives the [`Block::batch`] values bar for bar, a value at
/// bar t uses bars up to t only, and the Python and Pine texts compute the same numbers with the
/// same operations where the platform allows.
pub trait Block: Send + Sync {
    /// The name formulas call it by (`sma`, `close`).
    fn name(&self) -> &'static str;

    /// Its arguments in call order, series inputs first. Empty for a price value (`close`).
    fn args(&self) -> &'static [Arg];

    /// What it computes and where its definition comes from, one sentence (for docs and help).
    fn summary(&self) -> &'static str;

    /// Its English text given its arguments' texts (`the 200-bar simple moving average of the
    /// close`).
    fn english(&self, args: &[String]) -> String;

    /// Its batch column: one value per bar, `NaN` where it has none.
    ///
    /// # Errors
    /// [`BlocksError::Indicator`] for parameters the indicator refuses (the formula's checks keep
    /// them within bounds first).
    fn batch(&self, input: &BatchInput<'_>) -> Result<Vec<f64>, BlocksError>;

    /// Its streaming form with the given parameter values, no bar seen yet.
    ///
    /// # Errors
    /// As [`Block::batch`].
    fn streaming(&self, params: &[f64]) -> Result<Box<dyn StreamingBlock>, BlocksError>;

    /// Its Python expression (numpy arrays in, an array out) given its arguments' Python texts;
    /// the helpers it calls are in [`Block::python_helpers`].
    fn python(&self, args: &[String]) -> String;

    /// The Python function definitions its expression calls (empty if none), each starting with
    /// `def gb_<name>`.
    fn python_helpers(&self) -> &'static str;

    /// Its Pine Script v6 expression given its arguments' Pine texts.
    fn pine(&self, args: &[String]) -> String;

    /// The Pine function definitions its expression calls (empty if none).
    fn pine_helpers(&self) -> &'static str;

    /// The other blocks whose helper definitions its Python and Pine texts call (Bollinger
    /// Bands call the SMA's and the standard deviation's).
    fn requires(&self) -> &'static [&'static str] {
        &[]
    }

    /// The series arguments (the first arguments, before any parameter).
    fn series_args(&self) -> usize {
        self.args()
            .iter()
            .take_while(|arg| matches!(arg, Arg::Series(_)))
            .count()
    }

    /// The parameters, in order.
    fn params(&self) -> Vec<Param> {
        self.args()
            .iter()
            .filter_map(|arg| match arg {
                Arg::Param(param) => Some(*param),
                Arg::Series(_) => None,
            })
            .collect()
    }
}
