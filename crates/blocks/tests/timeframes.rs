//! Higher timeframes in formulas (`tf("1d", x)`, #29): values worked out by hand on a few
//! six-hourly bars, positioned errors, no lookahead under truncation on `eurusd-1h`, batch equal to
//! streaming over random formulas with `tf`, and the exports (Python writes it, Pine refuses it).

use std::sync::{Arc, OnceLock};

use gauntlet_blocks::{
    BlocksError, ColumnCache, Expr, Formula, StreamingFormula, pine_expression, python_expression,
    testing,
};
use gauntlet_core::{Bar, BarColumns, BarInterval, BarSeries, Timestamp};
use proptest::prelude::*;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// The first 1,500 bars (about 62 trading days) of the bundled hourly EUR/USD series.
fn eurusd() -> Arc<BarSeries> {
    static SERIES: OnceLock<Arc<BarSeries>> = OnceLock::new();
    Arc::clone(SERIES.get_or_init(|| {
        let path = gauntlet_testkit::repository().join("datasets/eurusd-1h.parquet");
        let (series, _) = gauntlet_data::read_parquet(&path).unwrap();
        Arc::new(series.slice(0..1_500))
    }))
}

/// Bars (hours since the epoch, open, high, low, close, volume).
fn bars(rows: &[(i64, f64, f64, f64, f64, f64)]) -> BarSeries {
    let mut columns = BarColumns::with_capacity(rows.len());
    for &(hours, open, high, low, close, volume) in rows {
        columns.push(Bar {
            timestamp: Timestamp(hours * HOUR),
            open,
            high,
            low,
            close,
            volume,
        });
    }
    BarSeries::new(columns, true).unwrap()
}

/// Three UTC days of four six-hourly bars (1970-01-01 to 01-03), then one bar on 01-05 (the 4th
/// is missing). Each day's bar, aggregated by hand:
/// - day 0: open 10, high 13, low 9, close 12, volume 1+2+3+4 = 10;
/// - day 1: open 12, high 12.5, low 9.5, close 10.8, volume 4;
/// - day 2: open 10.8, high 14.2, low 10.7, close 13.4, volume 8.
fn three_days() -> BarSeries {
    bars(&[
        (0, 10.0, 11.0, 9.0, 10.5, 1.0),
        (6, 10.5, 12.0, 10.0, 11.0, 2.0),
        (12, 11.0, 11.5, 10.5, 11.2, 3.0),
        (18, 11.2, 13.0, 11.0, 12.0, 4.0),
        (24, 12.0, 12.5, 11.0, 11.5, 1.0),
        (30, 11.5, 11.8, 10.0, 10.2, 1.0),
        (36, 10.2, 10.8, 9.5, 10.6, 1.0),
        (42, 10.6, 11.0, 10.4, 10.8, 1.0),
        (48, 10.8, 11.5, 10.7, 11.4, 2.0),
        (54, 11.4, 14.0, 11.3, 13.9, 2.0),
        (60, 13.9, 14.2, 13.0, 13.1, 2.0),
        (66, 13.1, 13.5, 12.9, 13.4, 2.0),
        (96, 13.4, 13.6, 13.0, 13.2, 1.0),
    ])
}

/// Batch and streaming values of `text` on `series`, checked equal.
fn both(text: &str, series: &BarSeries) -> Vec<bool> {
    let formula = Formula::parse(text).unwrap();
    let batch = ColumnCache::new(Arc::new(series.clone()))
        .evaluate(&formula)
        .unwrap();
    let mut streaming = StreamingFormula::new(&formula).unwrap();
    let streamed: Vec<bool> = series.bars().map(|bar| streaming.update(&bar)).collect();
    assert_eq!(streamed, batch, "{text}: streaming against batch");
    batch
}

fn number(text: &str, series: &BarSeries) -> Vec<f64> {
    let cache = ColumnCache::new(Arc::new(series.clone()));
    cache.column(&Expr::parse(text).unwrap()).unwrap().to_vec()
}

fn same(got: &[f64], want: &[f64]) -> bool {
    got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(a, b)| (a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-12)
}

#[test]
fn the_last_completed_day_by_hand() {
    let series = three_days();
    let nan = f64::NAN;
    // Day 0's bars see no completed day; day 1's see day 0; day 2's see day 1; the bar of
    // 01-05 sees day 2 (01-04 has no bar, so day 2 is the last completed period).
    let close = number("tf(\"1d\", close)", &series);
    let want = [
        nan, nan, nan, nan, 12.0, 12.0, 12.0, 12.0, 10.8, 10.8, 10.8, 10.8, 13.4,
    ];
    assert!(same(&close, &want), "{close:?}");
    // The daily SMA(2) has a value from day 1 on: (12 + 10.8) / 2 = 11.4, then
    // (10.8 + 13.4) / 2 = 12.1.
    let sma = number("tf(\"1d\", sma(close, 2))", &series);
    let want = [
        nan, nan, nan, nan, nan, nan, nan, nan, 11.4, 11.4, 11.4, 11.4, 12.1,
    ];
    assert!(same(&sma, &want), "{sma:?}");
    // Daily high, low, open and volume: 13 | 9 | 10 | 10 on day 1's bars, 12.5 | 9.5 | 12 | 4
    // on day 2's.
    for (text, first, second, third) in [
        ("high", 13.0, 12.5, 14.2),
        ("low", 9.0, 9.5, 10.7),
        ("open", 10.0, 12.0, 10.8),
        ("volume", 10.0, 4.0, 8.0),
    ] {
        let values = number(&format!("tf(\"1d\", {text})"), &series);
        let mut want = vec![nan; 4];
        want.extend([first; 4]);
        want.extend([second; 4]);
        want.push(third);
        assert!(same(&values, &want), "{text}: {values:?}");
    }
    let (f, t) = (false, true);
    // The close against yesterday's high: 13 on day 1 (no close above), 12.5 on day 2 (13.9,
    // 13.1 and 13.4 are above, 11.4 is not), 14.2 on 01-05 (13.2 is not).
    assert_eq!(
        both("close > tf(\"1d\", high)", &series),
        [f, f, f, f, f, f, f, f, f, t, t, t, f]
    );
    // A condition on the daily bar: day 0 closed up (12 > 10), day 1 down (10.8 < 12), day 2 up.
    assert_eq!(
        both("tf(\"1d\", close < open)", &series),
        [f, f, f, f, f, f, f, f, t, t, t, t, f]
    );
    // Negation keeps the first day unknown (false), as warm-up.
    assert_eq!(
        both("not tf(\"1d\", close < open)", &series),
        [f, f, f, f, t, t, t, t, f, f, f, f, t]
    );
    // Volume 10 on day 0, 4 on day 1, 8 on day 2.
    assert_eq!(
        both("tf(\"1d\", volume) > 5", &series),
        [f, f, f, f, t, t, t, t, f, f, f, f, t]
    );
    // A crossing on daily bars: day 1 closes below its open after day 0 closed above (12 >= 10).
    assert_eq!(
        both("tf(\"1d\", crosses_below(close, open))", &series),
        [f, f, f, f, f, f, f, f, t, t, t, t, f]
    );
    // Twelve-hour periods: hours 0 and 6 form the first, 12 and 18 the second, and so on; the
    // bar of hour 96 is alone in its period.
    let half = number("tf(\"12h\", close)", &series);
    let want = [
        nan, nan, 11.0, 11.0, 12.0, 12.0, 10.2, 10.2, 10.8, 10.8, 13.9, 13.9, 13.4,
    ];
    assert!(same(&half, &want), "{half:?}");
    // Four-hour periods are not longer than these six-hourly bars.
    let cache = ColumnCache::new(Arc::new(series));
    let refused = cache.column(&Expr::parse("tf(\"4h\", close)").unwrap());
    assert!(
        refused
            .unwrap_err()
            .to_string()
            .contains("not longer than this data's bars (6h apart)")
    );
}

#[test]
fn weeks_start_on_monday() {
    // Daily closes equal to the day number on days 4 to 18 (Monday 1970-01-05 to Monday 01-19).
    let days: Vec<i64> = (4..19).collect();
    let series = BarSeries::close_only(
        days.iter().map(|day| Timestamp(day * DAY)).collect(),
        days.iter().map(|&day| day as f64).collect(),
        None,
    )
    .unwrap();
    // Days 4-10 are the first week (no completed week before), 11-17 see its close (day 10),
    // day 18 sees the second week's (day 17).
    let values = number("tf(\"1w\", close)", &series);
    let mut want = vec![f64::NAN; 7];
    want.extend([10.0; 7]);
    want.push(17.0);
    assert!(same(&values, &want), "{values:?}");
    // A close-only week is aggregated from its bars: its high is its highest close (10, then 17)
    // and its open its first close (4, then 11).
    let high = number("tf(\"1w\", high - open)", &series);
    let mut want = vec![f64::NAN; 7];
    want.extend([6.0; 7]);
    want.push(6.0);
    assert!(same(&high, &want), "{high:?}");
}

fn error(text: &str) -> String {
    Formula::parse(text).unwrap_err().to_string()
}

#[test]
fn errors_name_the_position() {
    let accepted = "tf takes minutes or hours that divide a day (\"15m\", \"1h\", \"4h\", \"12h\"), \"1d\" or \"1w\"";
    assert_eq!(
        error("tf(\"2x\", close > 1)"),
        format!("formula 1:4: unknown timeframe \"2x\": {accepted}")
    );
    assert_eq!(
        error("close > 1 and tf(\"1mo\", close > 1)"),
        format!("formula 1:18: unknown timeframe \"1mo\": {accepted}")
    );
    // Five hours do not divide a day; two days are not accepted.
    assert!(error("tf(\"5h\", close > 1)").starts_with("formula 1:4: unknown timeframe \"5h\""));
    assert!(error("tf(\"2d\", close > 1)").starts_with("formula 1:4: unknown timeframe \"2d\""));
    assert_eq!(
        error("tf(close, close > 1)"),
        "formula 1:4: tf's first argument must be a quoted timeframe such as \"1d\""
    );
    assert_eq!(
        error("tf(\"1d\")"),
        "formula 1:1: tf takes 2 arguments (timeframe, x), found 1"
    );
    assert_eq!(
        error("close > sma(\"1d\", 5)"),
        "formula 1:13: sma takes no quoted text: only tf's timeframe is quoted"
    );
    assert_eq!(
        error("tf(\"1w\", tf(\"1d\", close) > 1)"),
        "formula 1:10: tf cannot be nested: write the inner tf beside the outer one"
    );
    // An unterminated quote is a syntax error at the quote.
    assert!(
        error("tf(\"1d, close > 1)").starts_with("formula 1:4: expected"),
        "{}",
        error("tf(\"1d, close > 1)")
    );
    // tf keeps its argument's type.
    assert_eq!(
        error("tf(\"1d\", sma(close, 50))"),
        "formula 1:1: expected a condition, found a number"
    );
    assert_eq!(
        error("tf(\"1d\", close) and close > 1"),
        "formula 1:1: expected a condition, found a number"
    );
}

#[test]
fn a_timeframe_not_above_the_datas_bars_is_refused_at_evaluation() {
    let hourly = ColumnCache::new(eurusd());
    for timeframe in ["30m", "1h"] {
        let formula =
            Formula::parse(&format!("close > 1 or tf(\"{timeframe}\", close > 1)")).unwrap();
        let error = hourly.evaluate(&formula).unwrap_err();
        assert!(matches!(error, BlocksError::Timeframe { .. }));
        assert_eq!(
            error.to_string(),
            format!(
                "tf(\"{timeframe}\", close > 1): the timeframe {timeframe} is not longer than this \
                 data's bars (1h apart): tf needs a coarser timeframe"
            )
        );
    }
    assert!(
        hourly
            .evaluate(&Formula::parse("tf(\"2h\", close > 1)").unwrap())
            .is_ok()
    );
    // Daily bars take weeks only.
    let path = gauntlet_testkit::repository().join("datasets/sp500-1d.parquet");
    let (daily, _) = gauntlet_data::read_parquet(&path).unwrap();
    let daily = ColumnCache::new(Arc::new(daily.slice(0..300)));
    let message = daily
        .evaluate(&Formula::parse("tf(\"1d\", close > 1)").unwrap())
        .unwrap_err()
        .to_string();
    assert!(message.contains("(1d apart)"), "{message}");
    assert!(
        daily
            .evaluate(&Formula::parse("tf(\"1w\", close > 1)").unwrap())
            .is_ok()
    );
}

#[test]
fn canonical_text_and_english() {
    let formula =
        Formula::parse("tf( \"1D\" ,close>sma(close,50) ) and close>tf(\"240m\",high)").unwrap();
    assert_eq!(
        formula.to_string(),
        "tf(\"1d\", close > sma(close, 50)) and close > tf(\"240m\", high)"
    );
    assert_eq!(Formula::parse(&formula.to_string()).unwrap(), formula);
    assert_eq!(
        gauntlet_blocks::english(&Formula::parse("close > tf(\"1d\", close)").unwrap()),
        "the close is above (the close on the last completed day)"
    );
}

#[test]
fn python_writes_tf_and_pine_refuses_it_in_one_line() {
    let formula = Formula::parse("close > tf(\"1d\", sma(close, 50))").unwrap();
    let python = python_expression(&formula).unwrap();
    assert!(
        python.expression.contains(
            "gb_tf(time, open_, high, low, close, volume, 86400000, 0, lambda open_, high, low, \
             close, volume: gb_sma(close, 50))"
        ),
        "{}",
        python.expression
    );
    assert!(python.helpers.contains("def gb_tf("));
    // Weeks are counted from Monday 1970-01-05 (four days after the epoch).
    let weekly = python_expression(&Formula::parse("tf(\"1w\", close > open)").unwrap()).unwrap();
    assert!(weekly.expression.contains(", 604800000, 345600000, lambda"));
    let error = pine_expression(&formula).unwrap_err().to_string();
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(
        error.starts_with("tf(\"1d\", sma(close, 50)): tf is not exported to Pine Script"),
        "{error}"
    );
}

#[test]
fn truncating_eurusd_after_any_bar_leaves_earlier_values_unchanged() {
    let series = eurusd();
    let formula = Formula::parse("tf(\"1d\", close > sma(close, 20))").unwrap();
    let full = ColumnCache::new(Arc::clone(&series))
        .evaluate(&formula)
        .unwrap();
    let days: Vec<i64> = series
        .timestamps()
        .iter()
        .map(|time| time.millis().div_euclid(DAY))
        .collect();
    // The value changes only where a UTC day begins, and holds on some days but not all.
    for t in 1..series.len() {
        if days[t] == days[t - 1] {
            assert_eq!(full[t], full[t - 1], "bar {t} changed within a day");
        }
    }
    let holding = full.iter().filter(|&&holds| holds).count();
    assert!((200..1_000).contains(&holding), "{holding} bars hold");
    // Cuts around day boundaries (the last bar of a day and the first of the next) and inside.
    let boundary = (1..series.len())
        .find(|&t| t > 800 && days[t] != days[t - 1])
        .unwrap();
    let mut cuts: Vec<usize> = (boundary - 3..boundary + 3).collect();
    cuts.extend([2, 25, 500, 1_499]);
    // The numbers behind the decisions too (a bool can agree by chance).
    let numbers = ["tf(\"1d\", close)", "tf(\"1d\", sma(close, 20))"];
    let full_numbers: Vec<Vec<f64>> = numbers.iter().map(|text| number(text, &series)).collect();
    for cut in cuts {
        let part_series = series.slice(0..cut);
        let part = ColumnCache::new(Arc::new(part_series.clone()))
            .evaluate(&formula)
            .unwrap();
        assert_eq!(part[..], full[..cut], "cut after bar {cut}");
        for (text, full) in numbers.iter().zip(&full_numbers) {
            let part = number(text, &part_series);
            assert!(same(&part, &full[..cut]), "{text}: cut after bar {cut}");
        }
    }
}

/// Random formulas with `tf` on four-hour, daily and weekly periods of hourly bars.
fn hourly_formula() -> BoxedStrategy<Formula> {
    testing::formula_with_timeframes(vec![
        BarInterval::Hours(4),
        BarInterval::DAILY,
        BarInterval::Weeks(1),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn canonical_text_parses_back_with_tf(formula in hourly_formula()) {
        let text = formula.to_string();
        prop_assert_eq!(Formula::parse(&text).unwrap(), formula, "{}", text);
    }

    #[test]
    fn streaming_equals_batch_on_eurusd_and_truncation_changes_nothing_before_the_cut(
        formula in hourly_formula(),
        cut in 1usize..1_500,
    ) {
        let series = eurusd();
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
fn the_generator_draws_tf_often() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = hourly_formula();
    let with_tf = (0..100)
        .filter(|_| {
            strategy
                .new_tree(&mut runner)
                .unwrap()
                .current()
                .to_string()
                .contains("tf(\"")
        })
        .count();
    assert!(with_tf >= 40, "{with_tf} of 100 formulas use tf");
}

/// The generated Python, run with numpy, gives the engine's bools bar for bar on the first 1,500
/// bars of `eurusd-1h` for 100 random formulas with `tf`. Ignored by default (it needs Python
/// with numpy: `$GAUNTLET_PYTHON`, default `python3`):
/// `cargo test -p gauntlet-blocks --test timeframes -- --ignored`.
#[test]
#[ignore = "needs Python with numpy"]
fn generated_python_with_tf_matches_the_engine() {
    use proptest::strategy::ValueTree;
    use std::fmt::Write as _;

    let series = eurusd();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = hourly_formula();
    let formulas: Vec<Formula> = (0..100)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect();
    let folder = std::env::temp_dir().join(format!("gauntlet-blocks-tf-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let mut bars = String::new();
    for bar in series.bars() {
        writeln!(
            bars,
            "{},{:?},{:?},{:?},{:?},{:?}",
            bar.timestamp.millis(),
            bar.open,
            bar.high,
            bar.low,
            bar.close,
            bar.volume
        )
        .unwrap();
    }
    std::fs::write(folder.join("bars.csv"), bars).unwrap();
    let mut script = String::from(
        "import sys\nimport numpy as np\nrows = [line.split(',') for line in open(sys.argv[1])]\n\
         time = np.array([int(row[0]) for row in rows], dtype=np.int64)\n\
         open_, high, low, close, volume = (np.array([float(row[i]) for row in rows]) for i in range(1, 6))\n\
         failures = 0\n",
    );
    let cache = ColumnCache::new(Arc::clone(&series));
    let (mut with_tf, mut holding) = (0, 0);
    for (index, formula) in formulas.iter().enumerate() {
        let code = python_expression(formula).unwrap();
        with_tf += usize::from(code.expression.contains("gb_tf("));
        let values = cache.evaluate(formula).unwrap();
        holding += values.iter().filter(|&&holds| holds).count();
        let expected: String = values
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
    assert!(with_tf >= 40, "only {with_tf} formulas use tf");
    assert!(holding >= 10_000, "only {holding} bars hold");
    write!(
        script,
        "print(failures, 'of', {}, 'formulas differ')\nsys.exit(1 if failures else 0)\n",
        formulas.len()
    )
    .unwrap();
    std::fs::write(folder.join("check.py"), &script).unwrap();
    let python = std::env::var_os("GAUNTLET_PYTHON").unwrap_or_else(|| "python3".into());
    let output = std::process::Command::new(python)
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
