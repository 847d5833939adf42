//! A proptest generator of random well-typed, placeholder-free formulas over every registered
//! block, for parity checks (batch against streaming here; the engine, paper and the exports in
//! the crates that use the blocks). Enabled by the `testing` feature.

use proptest::prelude::*;

use crate::block::{Arg, ParamKind};
use crate::blocks::registry;
use crate::formula::{ArithOp, CompareOp, Expr, Formula};

/// Periods drawn no longer than this, so warm-ups end within a few hundred bars.
const MAX_DRAWN_PERIOD: f64 = 30.0;

/// A call of the block at `index` of the registry with series arguments from `inner` and
/// parameters drawn on their grid.
fn call(index: usize, inner: BoxedStrategy<Expr>) -> BoxedStrategy<Expr> {
    let block = registry()[index];
    let args: Vec<BoxedStrategy<Expr>> = block
        .args()
        .iter()
        .map(|arg| match arg {
            Arg::Series(_) => inner.clone(),
            Arg::Param(param) => {
                let top = match param.kind {
                    ParamKind::Period => param.max.min(param.min.max(1.0) + MAX_DRAWN_PERIOD),
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

/// Random number expressions: every block, arithmetic and unary minus, nested a few deep.
pub fn number_expr() -> BoxedStrategy<Expr> {
    let leaves: Vec<usize> = (0..registry().len())
        .filter(|&index| registry()[index].series_args() == 0)
        .collect();
    let leaf = prop_oneof![
        4 => proptest::sample::select(leaves).prop_flat_map(|index| call(index, Just(Expr::Number(1.0)).boxed())),
        1 => (1u32..200).prop_map(|value| Expr::Number(f64::from(value) / 4.0)),
    ];
    leaf.prop_recursive(3, 24, 2, |inner| {
        let inner = inner.boxed();
        prop_oneof![
            4 => (0..registry().len()).prop_flat_map({
                let inner = inner.clone();
                move |index| call(index, inner.clone())
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

/// Random condition formulas: comparisons and crossings of [`number_expr`]s joined by `and`,
/// `or` and `not`.
pub fn formula() -> BoxedStrategy<Formula> {
    let atom = prop_oneof![
        3 => (
            proptest::sample::select(vec![CompareOp::Lt, CompareOp::Le, CompareOp::Gt, CompareOp::Ge]),
            number_expr(),
            number_expr()
        )
            .prop_map(|(op, lhs, rhs)| Expr::Compare {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs)
            }),
        1 => (any::<bool>(), number_expr(), number_expr()).prop_map(|(above, a, b)| Expr::Cross {
            above,
            a: Box::new(a),
            b: Box::new(b)
        }),
    ];
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
