//! The blocks and the formula language on bundled data: every registered block has every form,
//! its batch and streaming forms agree and never look ahead; formulas parse, type-check with
//! positioned errors, print canonically, evaluate in batch and streaming alike, and write Python
//! and Pine.

use std::sync::{Arc, OnceLock};

use gauntlet_blocks::{
    BatchInput, BlocksError, ColumnCache, Formula, MAX_FORMULA_BYTES, MAX_FORMULA_NODES,
    StreamingFormula, pine_expression, python_expression, registry, testing,
};
use gauntlet_core::BarSeries;
use proptest::prelude::*;

/// The first 1,500 bars of the bundled S&P 500 daily series.
fn sp500() -> Arc<BarSeries> {
    static SERIES: OnceLock<Arc<BarSeries>> = OnceLock::new();
    Arc::clone(SERIES.get_or_init(|| {
        let path = gauntlet_testkit::repository().join("datasets/sp500-1d.parquet");
        let (series, _) = gauntlet_data::read_parquet(&path).unwrap();
        Arc::new(series.slice(0..1_500))
    }))
}

/// Flat bars at the given closes, one a day.
fn closes(values: &[f64]) -> BarSeries {
    let mut columns = gauntlet_core::BarColumns::with_capacity(values.len());
    for (index, &close) in values.iter().enumerate() {
        columns
            .timestamps
            .push(gauntlet_core::Timestamp(index as i64 * 86_400_000));
        columns.open.push(close);
        columns.high.push(close);
        columns.low.push(close);
        columns.close.push(close);
        columns.volume.push(1.0);
    }
    BarSeries::new(columns, true).unwrap()
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

/// Each block's values with typical parameters (the middle of a short grid) over the close.
fn block_values(block: &dyn gauntlet_blocks::Block, series: &BarSeries) -> (Vec<f64>, Vec<f64>) {
    let params: Vec<f64> = block
        .params()
        .iter()
        .map(|param| (param.min + 10.0 * param.step).min(param.max))
        .collect();
    let inputs: Vec<&[f64]> = (0..block.series_args()).map(|_| series.close()).collect();
    let batch = block
        .batch(&BatchInput {
            series,
            inputs: &inputs,
            params: &params,
        })
        .unwrap();
    let mut streaming = block.streaming(&params).unwrap();
    let streamed = series
        .bars()
        .map(|bar| {
            let values = vec![bar.close; block.series_args()];
            streaming.update(&bar, &values)
        })
        .collect();
    (batch, streamed)
}

#[test]
fn every_block_has_every_form_and_its_batch_and_streaming_agree_without_lookahead() {
    let series = sp500();
    assert!(registry().len() >= 16);
    for block in registry() {
        let name = block.name();
        assert!(!block.summary().is_empty(), "{name} has no summary");
        let args: Vec<String> = block
            .args()
            .iter()
            .map(|arg| arg.name().to_string())
            .collect();
        assert!(!block.english(&args).is_empty(), "{name} has no English");
        assert!(!block.python(&args).is_empty(), "{name} has no Python");
        assert!(!block.pine(&args).is_empty(), "{name} has no Pine");
        for text in [block.python(&args), block.pine(&args)] {
            if text.starts_with("gb_") {
                let helper = text.split('(').next().unwrap();
                assert!(
                    block.python_helpers().contains(&format!("def {helper}(")),
                    "{name}'s Python helper {helper} is not defined"
                );
                assert!(
                    block.pine_helpers().contains(&format!("{helper}(")),
                    "{name}'s Pine helper {helper} is not defined"
                );
            }
        }
        for param in block.params() {
            assert!(
                param.min <= param.max && param.step > 0.0,
                "{name}'s {}",
                param.name
            );
        }
        let (batch, streamed) = block_values(*block, &series);
        assert_eq!(batch.len(), series.len(), "{name}");
        assert!(
            batch.iter().any(|value| !value.is_nan()),
            "{name} has no value"
        );
        for (t, (a, b)) in batch.iter().zip(&streamed).enumerate() {
            assert!(same(*a, *b), "{name} at bar {t}: batch {a}, streaming {b}");
        }
        for cut in [1, 7, 30, 200, 901] {
            let (truncated, _) = block_values(*block, &series.slice(0..cut));
            for t in 0..cut {
                assert!(
                    same(truncated[t], batch[t]),
                    "{name}: cutting after bar {} changes bar {t}",
                    cut - 1
                );
            }
        }
    }
}

fn error(text: &str) -> String {
    Formula::parse(text).unwrap_err().to_string()
}

#[test]
fn errors_name_the_position_and_the_argument() {
    // "close < 2 + 3 + " is 16 characters: the crossing, a condition, starts at column 17.
    assert_eq!(
        error("close < 2 + 3 + crosses_above(close, open)"),
        "formula 1:17: expected a number, found a condition"
    );
    assert_eq!(
        error("close > 1 and\n  rsi(close > 2, 3) < 5"),
        "formula 2:7: expected a number, found a condition"
    );
    assert_eq!(
        error("sma(close, 0) > close"),
        "formula 1:12: sma's period must be a whole number from 1 to 1000, found 0"
    );
    assert_eq!(
        error("sma(close, 2.5) > close"),
        "formula 1:12: sma's period must be a whole number from 1 to 1000, found 2.5"
    );
    assert_eq!(
        error("rsi(close, ?p[1.5..3]) > 5"),
        "formula 1:12: rsi's period must be a whole number from 2 to 200, found a placeholder over 1.5..3"
    );
    assert_eq!(
        error("sma(close, 1 + 1) > 5"),
        "formula 1:12: sma's period must be a whole number from 1 to 1000: a literal or a placeholder, not an expression"
    );
    assert_eq!(error("close > foo(3)"), "formula 1:9: unknown block `foo`");
    assert_eq!(
        error("close > sma(close)"),
        "formula 1:9: sma takes 2 arguments (x, period), found 1"
    );
    assert_eq!(
        error("close + 1"),
        "formula 1:1: expected a condition, found a number"
    );
    assert!(
        error("close > ").starts_with("formula 1:9: expected"),
        "{}",
        error("close > ")
    );
    assert!(error("close >> 1").starts_with("formula 1:8: expected"));
}

#[test]
fn bounds_are_checked_before_work() {
    let hostile = "(".repeat(10_000);
    assert!(matches!(
        Formula::parse(&hostile),
        Err(BlocksError::TooLong { .. })
    ));
    let deep = format!("{}close > 1{}", "(".repeat(40), ")".repeat(40));
    assert_eq!(
        Formula::parse(&deep).unwrap_err().to_string(),
        "formula 1:33: nested more than 32 deep"
    );
    let long = format!("close > {}", "1 + ".repeat(MAX_FORMULA_BYTES / 4));
    assert!(matches!(
        Formula::parse(&long),
        Err(BlocksError::TooLong { .. })
    ));
    let many = format!("close > {}1", "1 + ".repeat(MAX_FORMULA_NODES));
    assert!(error(&many).contains("more than 256 nodes"));
    let negations = format!("{}close > 1", "not ".repeat(1_000));
    assert!(error(&negations).contains("more than 256 nodes"));
}

#[test]
fn templates_parse_with_typed_placeholders() {
    let template =
        Formula::parse("rsi(close, ?period[2..30]) < ?level[5..40] and ?filter").unwrap();
    assert_eq!(template.placeholders(), ["period", "level", "filter"]);
    assert_eq!(
        template.to_string(),
        "rsi(close, ?period[2..30]) < ?level[5..40] and ?filter"
    );
    let cache = ColumnCache::new(sp500());
    assert!(matches!(
        cache.evaluate(&template),
        Err(BlocksError::Unfilled { .. })
    ));
    assert_eq!(
        error("?filter + 1 > 2"),
        "formula 1:1: expected a number, found a condition"
    );
}

#[test]
fn canonical_text_normalises_spacing_and_parentheses() {
    let formula = Formula::parse("  RSI(close,2)<10 and(close>sma( close ,200 ))").unwrap_err();
    assert!(formula.to_string().contains("unknown block `RSI`"));
    let formula = Formula::parse("rsi(close,2)<10 and(close>sma( close ,200 ))").unwrap();
    assert_eq!(
        formula.to_string(),
        "rsi(close, 2) < 10 and close > sma(close, 200)"
    );
    let formula = Formula::parse("not (a_or_b_is_not_a_name_here > 1)");
    assert!(formula.is_err());
    let formula = Formula::parse(
        "(close - (open - low)) * 2 > -(high) / 0.5 or not (close > open and close < high)",
    )
    .unwrap();
    assert_eq!(
        formula.to_string(),
        "(close - (open - low)) * 2 > -high / 0.5 or not (close > open and close < high)"
    );
    assert_eq!(Formula::parse(&formula.to_string()).unwrap(), formula);
}

#[test]
fn crossings_and_warm_up_by_hand() {
    // Closes 5 4 3 4 6 5: sma(close, 2) = NaN 4.5 3.5 3.5 5 5.5.
    let series = closes(&[5.0, 4.0, 3.0, 4.0, 6.0, 5.0]);
    let cache = ColumnCache::new(Arc::new(series));
    let evaluate = |text: &str| cache.evaluate(&Formula::parse(text).unwrap()).unwrap();
    assert_eq!(
        evaluate("crosses_above(close, sma(close, 2))"),
        [false, false, false, true, false, false]
    );
    assert_eq!(
        evaluate("crosses_below(close, sma(close, 2))"),
        [false, false, false, false, false, true]
    );
    // During warm-up a negation is false too, not true.
    assert_eq!(
        evaluate("not close > sma(close, 2)"),
        [false, true, true, false, false, true]
    );
    assert_eq!(
        evaluate("close > 4 or close > sma(close, 2)"),
        [false, false, false, true, true, true]
    );
    assert_eq!(
        evaluate("lag(close, 2) >= 5"),
        [false, false, true, false, false, false]
    );
}

#[test]
fn formulas_share_columns_through_the_cache() {
    let cache = ColumnCache::new(sp500());
    let one = Formula::parse("rsi(close, 2) < 10 and close > sma(close, 200)").unwrap();
    let two = Formula::parse("crosses_above(close, sma(close, 200))").unwrap();
    cache.evaluate(&one).unwrap();
    let kept = cache.len();
    cache.evaluate(&two).unwrap();
    assert_eq!(
        cache.len(),
        kept,
        "the second formula computed no new column"
    );
    let sma = Formula::parse("sma(close, 200) > 0").unwrap();
    let gauntlet_blocks::Expr::Compare { lhs, .. } = sma.root() else {
        unreachable!()
    };
    assert!(Arc::ptr_eq(
        &cache.column(lhs).unwrap(),
        &cache.column(lhs).unwrap()
    ));
    // The column is gauntlet-indicators' SMA.
    let expected = gauntlet_indicators::batch::sma(sp500().close(), 200).unwrap();
    let column = cache.column(lhs).unwrap();
    assert!(column.iter().zip(&expected).all(|(a, b)| same(*a, *b)));
}

#[test]
fn conditions_are_kept_by_their_text() {
    let cache = ColumnCache::new(sp500());
    let text = "rsi(close, 2) < 10 and close > sma(close, 200)";
    let first = cache.evaluate_text(text).unwrap();
    // The same bools as a fresh evaluation, and the same allocation the second time.
    let fresh = ColumnCache::new(sp500())
        .evaluate(&Formula::parse(text).unwrap())
        .unwrap();
    assert_eq!(first[..], fresh[..]);
    assert!(fresh.iter().filter(|&&holds| holds).count() > 20);
    assert!(Arc::ptr_eq(&first, &cache.evaluate_text(text).unwrap()));
    // A formula that does not parse is the parser's error, and is not kept.
    for _ in 0..2 {
        assert_eq!(
            cache
                .evaluate_text("rsi(close, 2) <")
                .unwrap_err()
                .to_string(),
            Formula::parse("rsi(close, 2) <").unwrap_err().to_string()
        );
    }
    // Past the budget a condition is computed and returned but not kept.
    let tight =
        ColumnCache::with_budget(sp500(), Arc::new(gauntlet_indicators::CacheBudget::new(0)));
    let once = tight.evaluate_text(text).unwrap();
    assert_eq!(once[..], fresh[..]);
    assert!(!Arc::ptr_eq(&once, &tight.evaluate_text(text).unwrap()));
}

#[test]
fn generated_python_and_pine_for_the_issue_example() {
    let formula = Formula::parse("rsi(close, 2) < 10 and close > sma(close, 200)").unwrap();
    let python = python_expression(&formula).unwrap();
    assert_eq!(
        python.expression,
        "gb_signal(gb_and(gb_compare(gb_rsi(close, 2), 10.0, gb_rsi(close, 2) < 10.0), \
         gb_compare(close, gb_sma(close, 200), close > gb_sma(close, 200))))"
    );
    assert!(python.helpers.contains("def gb_rsi(x, n):"));
    assert!(python.helpers.contains("def gb_sma(x, n):"));
    assert!(!python.helpers.contains("def gb_ema("));
    let pine = pine_expression(&formula).unwrap();
    assert_eq!(
        pine.expression,
        "gb_signal(gb_and(gb_compare(gb_rsi(close, 2), 10, gb_rsi(close, 2) < 10), \
         gb_compare(close, gb_sma(close, 200), close > gb_sma(close, 200))))"
    );
    assert!(pine.helpers.contains("gb_rsi(float x, int n) =>"));
    assert_eq!(
        gauntlet_blocks::english(&formula),
        "the 2-bar RSI of the close is below 10 and the close is above the 200-bar simple moving average of the close"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn canonical_text_parses_back_to_the_same_formula(formula in testing::formula()) {
        let text = formula.to_string();
        prop_assert_eq!(Formula::parse(&text).unwrap(), formula, "{}", text);
    }

    #[test]
    fn streaming_equals_batch_and_truncation_changes_nothing_before_the_cut(
        formula in testing::formula(),
        cut in 1usize..1_500,
    ) {
        let series = sp500();
        let batch = ColumnCache::new(Arc::clone(&series)).evaluate(&formula).unwrap();
        let mut streaming = StreamingFormula::new(&formula).unwrap();
        for (t, bar) in series.bars().enumerate() {
            prop_assert_eq!(streaming.update(&bar), batch[t], "{} at bar {}", formula, t);
        }
        let truncated = ColumnCache::new(Arc::new(series.slice(0..cut))).evaluate(&formula).unwrap();
        prop_assert_eq!(&truncated[..], &batch[..cut], "{}", formula);
    }
}

#[test]
fn helpers_are_written_once_with_what_they_call() {
    let formula = Formula::parse(
        "close > keltner_upper(20, 2) or close < keltner_lower(20, 2) or close > bollinger_upper(close, 20, 2.5)",
    )
    .unwrap();
    let pine = pine_expression(&formula).unwrap();
    assert_eq!(pine.helpers.matches("gb_true_range() =>").count(), 1);
    assert_eq!(pine.helpers.matches("gb_ema(float x, int n) =>").count(), 1);
    assert_eq!(pine.helpers.matches("gb_sma(float x, int n) =>").count(), 1);
    assert_eq!(
        pine.helpers.matches("gb_stddev(float x, int n) =>").count(),
        1
    );
    assert!(
        pine.expression
            .contains("(gb_sma(close, 20) + 2.5 * gb_stddev(close, 20))")
    );
    let python = python_expression(&formula).unwrap();
    assert_eq!(python.helpers.matches("def gb_true_range(").count(), 1);
    assert!(
        python
            .expression
            .contains("(gb_ema(close, 20) - 2 * gb_ema(gb_true_range(high, low, close), 20))")
    );
}

/// The generated Python, run with python3 and numpy, gives the engine's bools bar for bar on
/// `sp500-1d` for every block alone and for 100 random formulas. Ignored by default (it needs
/// python3 with numpy): `cargo test -p gauntlet-blocks -- --ignored`.
#[test]
#[ignore = "needs python3 with numpy"]
fn generated_python_matches_the_engine() {
    use proptest::strategy::{Strategy, ValueTree};
    use std::fmt::Write as _;

    let series = sp500();
    let mut formulas: Vec<Formula> = registry()
        .iter()
        .map(|block| {
            let args: Vec<String> = block
                .args()
                .iter()
                .map(|arg| match arg {
                    gauntlet_blocks::Arg::Series(_) => "close".to_string(),
                    gauntlet_blocks::Arg::Param(param) => gauntlet_blocks::format_number(
                        (param.min + 10.0 * param.step).min(param.max),
                    ),
                })
                .collect();
            let call = if args.is_empty() {
                block.name().to_string()
            } else {
                format!("{}({})", block.name(), args.join(", "))
            };
            Formula::parse(&format!("{call} > lag({call}, 1)")).unwrap()
        })
        .collect();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..100 {
        formulas.push(testing::formula().new_tree(&mut runner).unwrap().current());
    }
    let folder =
        std::env::temp_dir().join(format!("gauntlet-blocks-python-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let mut bars = String::new();
    for bar in series.bars() {
        writeln!(
            bars,
            "{:?},{:?},{:?},{:?},{:?}",
            bar.open, bar.high, bar.low, bar.close, bar.volume
        )
        .unwrap();
    }
    std::fs::write(folder.join("bars.csv"), bars).unwrap();
    let mut script = String::from(
        "import sys\nimport numpy as np\nrows = [[float(v) for v in line.split(',')] for line in open(sys.argv[1])]\n\
         open_, high, low, close, volume = (np.array(column) for column in zip(*rows))\nfailures = 0\n",
    );
    let cache = ColumnCache::new(Arc::clone(&series));
    for (index, formula) in formulas.iter().enumerate() {
        let code = python_expression(formula).unwrap();
        let expected: String = cache
            .evaluate(formula)
            .unwrap()
            .iter()
            .map(|&holds| if holds { '1' } else { '0' })
            .collect();
        writeln!(script, "{}", code.helpers).unwrap();
        writeln!(
            script,
            "got = ''.join('1' if x else '0' for x in {})\nif got != '{expected}':\n    failures += 1\n    \
             print('formula {index} differs at bar', next(i for i, (a, b) in enumerate(zip(got, '{expected}')) if a != b), {:?})",
            code.expression,
            formula.to_string()
        )
        .unwrap();
    }
    script.push_str("print(failures, 'of', ");
    write!(
        script,
        "{}, 'formulas differ')\nsys.exit(1 if failures else 0)\n",
        formulas.len()
    )
    .unwrap();
    std::fs::write(folder.join("check.py"), &script).unwrap();
    let output = std::process::Command::new("python3")
        .arg(folder.join("check.py"))
        .arg(folder.join("bars.csv"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::remove_dir_all(&folder).unwrap();
    assert!(output.status.success(), "{text}");
}
