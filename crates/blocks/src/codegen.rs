//! Text from a formula: English for descriptions, and Python (numpy) and Pine Script v6
//! expressions for the exports, each a pure function of the tree built from the blocks' forms.
//!
//! Conditions are carried as numbers in both languages, 1 (true), 0 (false) or `NaN`/`na`
//! (unknown, as in warm-up), so `not` and `or` treat warm-up as the engine does; the top-level
//! `gb_signal` turns them into booleans, true only where the formula holds.

use crate::blocks::{find, registry};
use crate::error::BlocksError;
use crate::formula::{CompareOp, Expr, Formula, format_number};
use crate::timeframe::origin_millis;

/// Generated code: an expression and the helper definitions it calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCode {
    /// The expression (Python: a numpy bool array per bar; Pine: a `bool` series).
    pub expression: String,
    /// The definitions it needs, to paste before it: the shared ones, then each block's used,
    /// in registry order.
    pub helpers: String,
}

const PYTHON_PRELUDE: &str = "import collections
import math

import numpy as np


def gb_first(x):
    known = np.flatnonzero(~np.isnan(x))
    return int(known[0]) if len(known) else len(x)


def gb_full(value, like):
    return np.full(len(like), float(value))


def gb_compare(a, b, holds):
    unknown = np.isnan(a) | np.isnan(b)
    return np.where(unknown, np.nan, holds.astype(float))


def gb_and(a, b):
    return np.where(np.isnan(a) | np.isnan(b), np.nan, np.minimum(a, b))


def gb_or(a, b):
    return np.where(np.isnan(a) | np.isnan(b), np.nan, np.maximum(a, b))


def gb_not(a):
    return 1.0 - a


def gb_cross(a, b, above):
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    out = np.full(a.shape, np.nan)
    known = ~(np.isnan(a[1:]) | np.isnan(b[1:]) | np.isnan(a[:-1]) | np.isnan(b[:-1]))
    if above:
        holds = (a[1:] > b[1:]) & (a[:-1] <= b[:-1])
    else:
        holds = (a[1:] < b[1:]) & (a[:-1] >= b[:-1])
    out[1:] = np.where(known, holds.astype(float), np.nan)
    return out


# tf(...): inner(open_, high, low, close, volume) on the bars of the periods of width ms counted
# from origin (time: bar open times in ms), aggregated as gauntlet-data resamples; at a bar of
# period k, its value on period k-1 (NaN in the first period: completed periods only).
def gb_tf(time, open_, high, low, close, volume, width, origin, inner):
    time = np.asarray(time, dtype=np.int64)
    out = np.full(len(time), np.nan)
    if len(time) == 0:
        return out
    period = (time - origin) // width
    opens = np.concatenate(([True], period[1:] != period[:-1]))
    starts = np.flatnonzero(opens)
    ends = np.append(starts[1:], len(time))
    # Volumes added one by one in time order, as gauntlet-data does (not pairwise).
    volumes = np.empty(len(starts))
    for k in range(len(starts)):
        total = volume[starts[k]]
        for i in range(starts[k] + 1, ends[k]):
            total += volume[i]
        volumes[k] = total
    values = inner(
        open_[starts],
        np.maximum.reduceat(high, starts),
        np.minimum.reduceat(low, starts),
        close[ends - 1],
        volumes,
    )
    index = np.cumsum(opens) - 1
    later = index > 0
    out[later] = np.asarray(values, dtype=float)[index[later] - 1]
    return out


def gb_signal(condition):
    return np.nan_to_num(np.asarray(condition, dtype=float), nan=0.0) == 1.0
";

const PINE_PRELUDE: &str = "gb_compare(float a, float b, bool holds) =>
    na(a) or na(b) ? na : holds ? 1.0 : 0.0

gb_and(float a, float b) =>
    na(a) or na(b) ? na : math.min(a, b)

gb_or(float a, float b) =>
    na(a) or na(b) ? na : math.max(a, b)

gb_not(float a) =>
    na(a) ? na : 1.0 - a

gb_cross(float a, float b, bool above) =>
    bool known = not (na(a) or na(b) or na(a[1]) or na(b[1]))
    bool holds = above ? a > b and a[1] <= b[1] : a < b and a[1] >= b[1]
    known ? (holds ? 1.0 : 0.0) : na

gb_signal(float condition) =>
    not na(condition) and condition == 1.0
";

/// Why the Pine export refuses `tf` (one line).
const PINE_REFUSES_TF: &str = "tf is not exported to Pine Script: TradingView builds daily and \
     weekly bars on each market's sessions, not on UTC days, and PineTS, which checks the exports, \
     does not aggregate bars given to it";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Language {
    Python,
    Pine,
}

fn number(value: f64, language: Language) -> String {
    let text = format_number(value);
    match language {
        // A float literal, so integer division never happens.
        Language::Python if !text.contains(['.', 'e']) => format!("{text}.0"),
        _ => text,
    }
}

/// Whether a number expression calls no block (a constant, the same on every bar; a `tf` of a
/// constant is not: it has no value in the first period).
fn constant(expr: &Expr) -> bool {
    !matches!(expr, Expr::Call { .. } | Expr::Tf { .. })
        && expr.children().into_iter().all(constant)
}

fn generate(expr: &Expr, language: Language, used: &mut Vec<&'static str>) -> String {
    let mut go = |expr: &Expr| generate(expr, language, used);
    match expr {
        Expr::Number(value) => number(*value, language),
        Expr::Call { block: name, args } => {
            let block = find(name).expect("the parser checked the block");
            let series_args = block.series_args();
            let texts: Vec<String> = args
                .iter()
                .enumerate()
                .map(|(index, arg)| match arg {
                    // Parameters are integers or reals as the platform writes them.
                    Expr::Number(value) if index >= series_args => format_number(*value),
                    // numpy needs a column where the expression is a constant.
                    _ if language == Language::Python && constant(arg) => {
                        format!("gb_full({}, close)", go(arg))
                    }
                    _ => go(arg),
                })
                .collect();
            for name in std::iter::once(name).chain(block.requires()) {
                if !used.contains(name) {
                    used.push(name);
                }
            }
            match language {
                Language::Python => block.python(&texts),
                Language::Pine => block.pine(&texts),
            }
        }
        Expr::Neg(inner) => format!("-({})", go(inner)),
        Expr::Arith { op, lhs, rhs } => format!("({} {} {})", go(lhs), op.symbol(), go(rhs)),
        Expr::Compare { op, lhs, rhs } => {
            let both_constant = constant(lhs) && constant(rhs);
            let (mut lhs, rhs) = (go(lhs), go(rhs));
            if language == Language::Python && both_constant {
                lhs = format!("gb_full({lhs}, close)");
            }
            let symbol = op.symbol();
            match language {
                Language::Python => format!("gb_compare({lhs}, {rhs}, {lhs} {symbol} {rhs})"),
                Language::Pine => format!("gb_compare({lhs}, {rhs}, {lhs} {symbol} {rhs})"),
            }
        }
        Expr::And(lhs, rhs) => format!("gb_and({}, {})", go(lhs), go(rhs)),
        Expr::Or(lhs, rhs) => format!("gb_or({}, {})", go(lhs), go(rhs)),
        Expr::Not(inner) => format!("gb_not({})", go(inner)),
        Expr::Cross { above, a, b } => {
            let above = match (language, above) {
                (Language::Python, true) => "True",
                (Language::Python, false) => "False",
                (Language::Pine, true) => "true",
                (Language::Pine, false) => "false",
            };
            let mut column = |expr: &Expr| {
                let text = go(expr);
                if language == Language::Python && constant(expr) {
                    format!("gb_full({text}, close)")
                } else {
                    text
                }
            };
            let (a, b) = (column(a), column(b));
            format!("gb_cross({a}, {b}, {above})")
        }
        Expr::Tf { timeframe, inner } => {
            let mut text = go(inner);
            if constant(inner) {
                text = format!("gb_full({text}, close)");
            }
            // Pine is refused before generating (see `code`).
            format!(
                "gb_tf(time, open_, high, low, close, volume, {}, {}, \
                 lambda open_, high, low, close, volume: {text})",
                timeframe.nominal_millis(),
                origin_millis(*timeframe)
            )
        }
        Expr::Placeholder { .. } | Expr::ConditionPlaceholder(_) => {
            unreachable!("placeholders are refused before generating")
        }
    }
}

/// The first `tf(...)` of `expr`, if any.
fn first_tf(expr: &Expr) -> Option<&Expr> {
    if matches!(expr, Expr::Tf { .. }) {
        return Some(expr);
    }
    expr.children().into_iter().find_map(first_tf)
}

fn code(formulas: &[&Formula], language: Language) -> Result<GeneratedCodes, BlocksError> {
    let mut used = Vec::new();
    let mut expressions = Vec::with_capacity(formulas.len());
    for formula in formulas {
        formula.check_filled()?;
        if language == Language::Pine
            && let Some(tf) = first_tf(formula.root())
        {
            return Err(BlocksError::Timeframe {
                expression: tf.to_string(),
                message: PINE_REFUSES_TF.to_string(),
            });
        }
        let condition = generate(formula.root(), language, &mut used);
        expressions.push(format!("gb_signal({condition})"));
    }
    let mut helpers = match language {
        Language::Python => PYTHON_PRELUDE,
        Language::Pine => PINE_PRELUDE,
    }
    .to_string();
    let mut written: Vec<&str> = Vec::new();
    for block in registry()
        .iter()
        .filter(|block| used.contains(&block.name()))
    {
        let text = match language {
            Language::Python => block.python_helpers(),
            Language::Pine => block.pine_helpers(),
        };
        // Two blocks of a family (the two Keltner lines) share their helpers: write them once.
        if !text.is_empty() && !written.contains(&text) {
            written.push(text);
            helpers.push_str(if language == Language::Python {
                "\n\n"
            } else {
                "\n"
            });
            helpers.push_str(text);
        }
    }
    Ok(GeneratedCodes {
        expressions,
        helpers,
    })
}

fn single(formula: &Formula, language: Language) -> Result<GeneratedCode, BlocksError> {
    let GeneratedCodes {
        mut expressions,
        helpers,
    } = code(&[formula], language)?;
    Ok(GeneratedCode {
        expression: expressions.remove(0),
        helpers,
    })
}

/// Generated code for several formulas of one strategy: an expression each, in the order given,
/// and one set of helper definitions they all call (each written once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedCodes {
    /// The expressions, one per formula, as [`GeneratedCode::expression`].
    pub expressions: Vec<String>,
    /// The definitions they need, as [`GeneratedCode::helpers`], each written once.
    pub helpers: String,
}

/// Several formulas as Python expressions sharing one set of helpers (as [`python_expression`]
/// writes each): what a strategy with entry and exit formulas pastes once.
///
/// # Errors
/// [`BlocksError::Unfilled`] for a formula with placeholders.
pub fn python_expressions(formulas: &[&Formula]) -> Result<GeneratedCodes, BlocksError> {
    code(formulas, Language::Python)
}

/// Several formulas as Pine Script v6 expressions sharing one set of helpers (as
/// [`pine_expression`] writes each): Pine refuses a function defined twice.
///
/// # Errors
/// As [`pine_expression`].
pub fn pine_expressions(formulas: &[&Formula]) -> Result<GeneratedCodes, BlocksError> {
    code(formulas, Language::Pine)
}

/// The formula as a Python expression over numpy arrays `open_`, `high`, `low`, `close`,
/// `volume` and `time` (bar open times, integer milliseconds since the epoch, UTC; read by `tf`
/// only), one value per bar, giving a bool array: true where the formula holds. The helpers port
/// gauntlet-indicators' algorithms operation for operation, so the values match the engine's bit
/// for bit.
///
/// # Errors
/// [`BlocksError::Unfilled`] for a formula with placeholders.
pub fn python_expression(formula: &Formula) -> Result<GeneratedCode, BlocksError> {
    single(formula, Language::Python)
}

/// The formula as a Pine Script v6 `bool` expression (true on the bars where it holds), with the
/// functions it calls (ports of gauntlet-indicators' algorithms, not `ta.*`, whose seeds
/// differ). Pine gives `na` where Rust and numpy give an infinity (a division by zero).
///
/// # Errors
/// [`BlocksError::Unfilled`] for a formula with placeholders; [`BlocksError::Timeframe`] for a
/// formula with `tf(...)`, which Pine does not get: TradingView's daily bars follow each market's
/// sessions, not UTC days, and PineTS cannot check `request.security` on data given to it (it
/// runs the requested timeframe on the same bars).
pub fn pine_expression(formula: &Formula) -> Result<GeneratedCode, BlocksError> {
    single(formula, Language::Pine)
}

fn words(expr: &Expr) -> String {
    match expr {
        Expr::Number(value) => format_number(*value),
        Expr::Call { block, args } => {
            let block = find(block).expect("the parser checked the block");
            block.english(&args.iter().map(words).collect::<Vec<_>>())
        }
        Expr::Neg(inner) => format!("minus {}", words(inner)),
        Expr::Arith { op, lhs, rhs } => {
            let verb = match op.symbol() {
                "+" => "plus",
                "-" => "minus",
                "*" => "times",
                _ => "divided by",
            };
            format!("({} {verb} {})", words(lhs), words(rhs))
        }
        Expr::Compare { op, lhs, rhs } => {
            let verb = match op {
                CompareOp::Lt => "is below",
                CompareOp::Le => "is at most",
                CompareOp::Gt => "is above",
                CompareOp::Ge => "is at least",
            };
            format!("{} {verb} {}", words(lhs), words(rhs))
        }
        Expr::And(lhs, rhs) => format!("{} and {}", words(lhs), words(rhs)),
        Expr::Or(lhs, rhs) => format!("({} or {})", words(lhs), words(rhs)),
        Expr::Not(inner) => format!("not ({})", words(inner)),
        Expr::Cross { above, a, b } => format!(
            "{} crosses {} {}",
            words(a),
            if *above { "above" } else { "below" },
            words(b)
        ),
        Expr::Placeholder { name, lo, hi } => format!(
            "{name} (from {} to {})",
            format_number(*lo),
            format_number(*hi)
        ),
        Expr::ConditionPlaceholder(name) => format!("condition {name}"),
        Expr::Tf { timeframe, inner } => {
            let period = match timeframe {
                gauntlet_core::BarInterval::Days(1) => "day".to_string(),
                gauntlet_core::BarInterval::Weeks(1) => "week".to_string(),
                gauntlet_core::BarInterval::Hours(hours) => format!("{hours}-hour period"),
                gauntlet_core::BarInterval::Minutes(minutes) => format!("{minutes}-minute period"),
                other => format!("{other} period"),
            };
            format!("({} on the last completed {period})", words(inner))
        }
    }
}

/// The formula in English, from each block's text: `rsi(close, 2) < 10` reads "the 2-bar RSI
/// of the close is below 10".
pub fn english(formula: &Formula) -> String {
    words(formula.root())
}
