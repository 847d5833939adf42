//! A proptest generator of random well-typed, placeholder-free formulas over every registered
//! block, for parity checks (batch against streaming here; the engine, paper and the exports in
//! the crates that use the blocks), with higher timeframes (`tf`) where asked. Enabled by the
//! `testing` feature.

use gauntlet_core::BarInterval;
use proptest::prelude::*;

use crate::block::{Arg, ParamKind};
use crate::blocks::registry;
use crate::formula::{ArithOp, CompareOp, Expr, Formula};

/// Periods drawn no longer than this, so warm-ups end within a few hundred bars.
const MAX_DRAWN_PERIOD: f64 = 30.0;

/// Periods drawn inside a `tf` no longer than this, so warm-ups on the higher timeframe end
/// within a dozen periods (two weeks of hourly bars for `tf("1d", ...)`).
const MAX_DRAWN_TF_PERIOD: f64 = 5.0;

/// A call of the block at `index` of the registry with series arguments from `inner` and
/// parameters drawn on their grid (periods up to `max_period`).
fn call(index: usize, inner: BoxedStrategy<Expr>, max_period: f64) -> BoxedStrategy<Expr> {
    let block = registry()[index];
    let args: Vec<BoxedStrategy<Expr>> = block
        .args()
        .iter()
        .map(|arg| match arg {
            Arg::Series(_) => inner.clone(),
            Arg::Param(param) => {
                let top = match param.kind {
                    ParamKind::Period => param.max.min(param.min.max(1.0) + max_period),
                    ParamKind::Real => param.max,
                };
                let steps = ((top - param.min) / param.step).floor() as u32;
                let (min, step) = (param.min, param.step);
                (0..=steps)
                    .prop_map(move |k| Expr::Number(min + f64::from(k) * step))
                    .boxed()
            }
        })
        .collect();
    let name = block.name();
    args.prop_map(move |args| Expr::Call { block: name, args })
        .boxed()
}

/// `tf(timeframe, inner)` with the timeframe drawn from `timeframes`.
fn tf(timeframes: Vec<BarInterval>, inner: BoxedStrategy<Expr>) -> BoxedStrategy<Expr> {
    (proptest::sample::select(timeframes), inner)
        .prop_map(|(timeframe, inner)| Expr::Tf {
            timeframe,
            inner: Box::new(inner),
        })
        .boxed()
}

/// Number expressions nested up to `depth` deep, periods up to `max_period`, with `tf` of
/// shallower ones among the leaves when `timeframes` is not empty.
fn numbers(depth: u32, max_period: f64, timeframes: Vec<BarInterval>) -> BoxedStrategy<Expr> {
    let leaves: Vec<usize> = (0..registry().len())
        .filter(|&index| registry()[index].series_args() == 0)
        .collect();
    let price = proptest::sample::select(leaves)
        .prop_flat_map(move |index| call(index, Just(Expr::Number(1.0)).boxed(), max_period))
        .boxed();
    let constant = (1u32..200)
        .prop_map(|value| Expr::Number(f64::from(value) / 4.0))
        .boxed();
    let leaf = if timeframes.is_empty() {
        prop_oneof![4 => price, 1 => constant].boxed()
    } else {
        let higher = tf(timeframes, numbers(2, MAX_DRAWN_TF_PERIOD, Vec::new()));
        prop_oneof![4 => price, 1 => constant, 2 => higher].boxed()
    };
    leaf.prop_recursive(depth, 24, 2, move |inner| {
        let inner = inner.boxed();
        prop_oneof![
            4 => (0..registry().len()).prop_flat_map({
                let inner = inner.clone();
                move |index| call(index, inner.clone(), max_period)
            }),
            2 => (
                proptest::sample::select(vec![ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(op, lhs, rhs)| Expr::Arith {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs)
                }),
            1 => inner.prop_filter_map("a literal's sign folds into it", |inner| match inner {
                Expr::Number(_) => None,
                other => Some(Expr::Neg(Box::new(other))),
            }),
        ]
    })
    .boxed()
}

/// Random number expressions: every block, arithmetic and unary minus, nested a few deep.
pub fn number_expr() -> BoxedStrategy<Expr> {
    numbers(3, MAX_DRAWN_PERIOD, Vec::new())
}

/// Comparisons and crossings of `numbers`.
fn atoms(numbers: BoxedStrategy<Expr>) -> BoxedStrategy<Expr> {
    prop_oneof![
        3 => (
            proptest::sample::select(vec![CompareOp::Lt, CompareOp::Le, CompareOp::Gt, CompareOp::Ge]),
            numbers.clone(),
            numbers.clone()
        )
            .prop_map(|(op, lhs, rhs)| Expr::Compare {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs)
            }),
        1 => (any::<bool>(), numbers.clone(), numbers).prop_map(|(above, a, b)| Expr::Cross {
            above,
            a: Box::new(a),
            b: Box::new(b)
        }),
    ]
    .boxed()
}

/// `atom`s joined by `and`, `or` and `not`, kept within the node bound.
fn conditions(atom: BoxedStrategy<Expr>) -> BoxedStrategy<Formula> {
    atom.prop_recursive(2, 8, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone())
                .prop_map(|(lhs, rhs)| Expr::And(Box::new(lhs), Box::new(rhs))),
            (inner.clone(), inner.clone())
                .prop_map(|(lhs, rhs)| Expr::Or(Box::new(lhs), Box::new(rhs))),
            inner.prop_map(|inner| Expr::Not(Box::new(inner))),
        ]
    })
    .prop_filter_map("within the node bound", |root| {
        Formula::from_expr(root).ok()
    })
    .boxed()
}

/// Random condition formulas: comparisons and crossings of [`number_expr`]s joined by `and`,
/// `or` and `not`.
pub fn formula() -> BoxedStrategy<Formula> {
    conditions(atoms(number_expr()))
}

/// Random condition formulas as [`formula`] draws them, with `tf(...)` of numbers and of
/// conditions on the given timeframes (each longer than the data's bars), never nested; inside a
/// `tf`, periods are drawn up to 5 so that warm-ups end within a few higher-timeframe bars.
pub fn formula_with_timeframes(timeframes: Vec<BarInterval>) -> BoxedStrategy<Formula> {
    let plain = atoms(numbers(3, MAX_DRAWN_PERIOD, timeframes.clone()));
    let higher = tf(
        timeframes,
        atoms(numbers(2, MAX_DRAWN_TF_PERIOD, Vec::new())),
    );
    conditions(prop_oneof![3 => plain, 1 => higher].boxed())
}
