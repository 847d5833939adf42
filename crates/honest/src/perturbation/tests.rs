//! Planted champions: each perturbation test fails a fragile one and passes a robust one, the
//! verdicts derived by hand from the series and the rules (comments), not from the code's output.

use super::*;
use gauntlet_backtest::{CostModel, FillConvention};
use gauntlet_core::{BarColumns, Timestamp};

/// Backtests without costs, daily bars (252 a year).
fn config() -> BacktestConfig {
    BacktestConfig {
        initial_capital: 100_000.0,
        costs: CostModel {
            commission_bps: 0.0,
            spread_bps: 0.0,
            slippage_bps: 0.0,
        },
        fill: FillConvention::NextOpen,
        close_at_end: true,
        bars_per_year: 252.0,
    }
}

/// Daily bars from closes: each bar opens at the previous close (the first at its own close),
/// high and low `half_range` above and below the larger and smaller of open and close.
fn bars(closes: &[f64], half_range: f64) -> BarSeries {
    let start = Timestamp::from_ymd(2010, 1, 1).unwrap().millis();
    let mut columns = BarColumns::with_capacity(closes.len());
    for (bar, &close) in closes.iter().enumerate() {
        let open = if bar == 0 { close } else { closes[bar - 1] };
        columns.timestamps.push(Timestamp(
            start + bar as i64 * gauntlet_core::MILLIS_PER_DAY,
        ));
        columns.open.push(open);
        columns.high.push(open.max(close) + half_range);
        columns.low.push(open.min(close) - half_range);
        columns.close.push(close);
        columns.volume.push(0.0);
    }
    BarSeries::new(columns, false).unwrap()
}

fn symbols(series: &BarSeries) -> Vec<SymbolBars<'_>> {
    vec![SymbolBars {
        symbol: Arc::from("X"),
        series,
        config: config(),
    }]
}

/// A zigzag trend: closes 1000 x 1.02^k after an up bar, unchanged after a flat one (returns +2%, 0,
/// +2%, 0, ...: mean 1%, sample standard deviation about 1%, a per-bar Sharpe ratio near 1).
fn zigzag_trend(bars: usize) -> Vec<f64> {
    let mut close = 1000.0;
    (0..bars)
        .map(|bar| {
            if bar > 0 && bar % 2 == 1 {
                close *= 1.02;
            }
            close
        })
        .collect()
}

/// Buys when RSI(2) is below 50 (after every down bar of a zigzag), sells one bar later.
fn zigzag_reverter() -> Genome {
    Genome::from_json(
        r#"{
  "schema": 1,
  "name": "zigzag-reverter",
  "entry": {
    "direction": "long",
    "logic": {
      "kind": "rules",
      "rules": [{ "rule": "rsi_threshold", "period": 2, "lower": 50.0, "upper": 90.0, "crossing": false }],
      "combine": { "mode": "all" }
    }
  },
  "exit": { "max_holding_bars": 1 },
  "sizing": {
    "method": { "method": "fixed_fraction", "fraction_pct": 100.0 },
    "max_position_pct": 100.0,
    "leverage_cap": 1.0,
    "max_positions": 1
  },
  "lineage": { "generation": 0, "operators": ["seed"] }
}"#,
    )
    .unwrap()
}

fn noise_rules(max_move_atr_fraction: f64) -> PerturbationSettings {
    PerturbationSettings {
        noise_copies: 40,
        noise_max_move_atr_fraction: max_move_atr_fraction,
        noise_share_of_prices: 0.5,
        ..PerturbationSettings::default()
    }
}

#[test]
fn the_noise_test_passes_buy_and_hold_on_a_trend_far_above_the_noise() {
    // Buy-and-hold's bar returns are the closes' changes: +2%, 0, +2%, ... A close moves by at
    // most 0.1 ATR, and the ATR here is at most 2% of the price plus the 0.2 half ranges (true
    // ranges of 2% x price + 0.4 or 0.4), so a close moves by at most about 0.2% of the price. A
    // bar return then moves by at most about 0.4 points of percent: the mean return (1%) changes
    // by at most 0.4/500 points over 500 bars, the standard deviation (1%) grows by at most 0.4
    // points (triangle inequality), so every copy's Sharpe ratio keeps at least 1/1.4 = 0.71 of
    // the original's: above the 0.5 threshold.
    let series = bars(&zigzag_trend(500), 0.2);
    let rules = noise_rules(0.1);
    let noise = noise_test(&Genome::buy_and_hold(), &symbols(&series), &rules, 7).unwrap();
    let kept = noise.kept.unwrap();
    assert!((0.71..=1.05).contains(&kept), "{noise:?}");
    // The gate's default threshold: 0.5 of the original kept.
}

#[test]
fn the_noise_test_fails_a_reverter_fitted_to_a_zigzag_inside_the_noise() {
    // Closes alternate 1000 and 1001; each bar opens at the previous close and spans 5 above and
    // below, so every true range is 11 or 10 and the ATR is about 10.5. The reverter buys after
    // each down bar (RSI(2) below 50) at the next open (1000) and sells one bar later at 1001:
    // +0.1% every other bar, no loss, a per-bar Sharpe ratio of mean/std = 0.0005/0.0005 = 1
    // (about 15.9 annualised). The noise moves half the opens and closes by up to 0.25 ATR (2.6
    // points) each way: an entry fill and an exit fill each carry noise of standard deviation
    // sqrt(0.5 x 2.6^2 / 3) = 1.06 points, so a trade's return carries 1.5 points of noise on an
    // edge of at most 1 point, and the signals themselves follow the noisy closes. A copy's
    // per-bar Sharpe ratio is at most about 1/1.5 of a half-time-in-market edge, well under half
    // the original's: the check fails.
    let closes: Vec<f64> = (0..400)
        .map(|bar| if bar % 2 == 0 { 1000.0 } else { 1001.0 })
        .collect();
    let series = bars(&closes, 5.0);
    let genome = zigzag_reverter();
    let rules = noise_rules(0.25);
    let noise = noise_test(&genome, &symbols(&series), &rules, 7).unwrap();
    let original = noise.original_sharpe.unwrap();
    assert!((original - 252f64.sqrt()).abs() < 0.5, "{noise:?}");
    assert!(noise.kept.unwrap() < 0.5, "{noise:?}");
}

#[test]
fn the_noise_test_is_the_same_on_any_thread_count_and_moves_with_the_seed() {
    let closes: Vec<f64> = (0..300)
        .map(|bar| if bar % 2 == 0 { 1000.0 } else { 1001.0 })
        .collect();
    let series = bars(&closes, 5.0);
    let rules = noise_rules(0.25);
    let genome = zigzag_reverter();
    let on = |threads: usize, seed: u64| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| noise_test(&genome, &symbols(&series), &rules, seed).unwrap())
    };
    let one = on(1, 3);
    assert_eq!(one, on(3, 3));
    assert_ne!(one.p5_sharpe, on(1, 4).p5_sharpe);
}

#[test]
fn shifted_bars_pass_a_steady_trend_and_fail_a_champion_whose_profit_is_its_first_bar() {
    // Robust: buy-and-hold on the zigzag trend. Starting 1 to 3 bars later drops at most two +2%
    // bars and the first fill moves with them; the returns stay +2%, 0, ... so each variant's
    // Sharpe ratio is within a few percent of the original's (kept near 1).
    let rules = PerturbationSettings::default();
    let steady = bars(&zigzag_trend(300), 0.2);
    let shifted = shifted_bars_test(&Genome::buy_and_hold(), &symbols(&steady), &rules).unwrap();
    assert_eq!(shifted.variants.len(), 3);
    assert!(shifted.kept.unwrap() > 0.9, "{shifted:?}");
    // Fragile: the close jumps +50% on bar 1, then the price falls 0.2% and rises 0.1% in turn.
    // The original buys at bar 1's open (bar 0's close, 1000) and holds the jump: its mean bar
    // return is positive ((0.5 - 0.05 x 199 / 200 ...) / 200 > 0). Every later start buys at bar 2's
    // open or later, after the jump: its returns are -0.2%, +0.1%, ... with a negative mean, so its
    // Sharpe ratio is below 0 and keeps less than nothing of the original's.
    let mut closes = vec![1000.0, 1500.0];
    for bar in 2..200 {
        let last = closes[bar - 1];
        closes.push(if bar % 2 == 0 {
            last * 0.998
        } else {
            last * 1.001
        });
    }
    let fragile = bars(&closes, 0.2);
    let shifted = shifted_bars_test(&Genome::buy_and_hold(), &symbols(&fragile), &rules).unwrap();
    assert!(shifted.original_sharpe.unwrap() > 0.0, "{shifted:?}");
    assert!(
        shifted.variants.iter().all(|(_, sharpe)| *sharpe < 0.0),
        "{shifted:?}"
    );
    assert!(shifted.kept.unwrap() < 0.0);
}

fn trades(return_on_equity: f64, count: usize) -> Vec<TradeOnEquity> {
    vec![
        TradeOnEquity {
            return_on_equity,
            turnover_on_equity: 2.0,
        };
        count
    ]
}

#[test]
fn degraded_execution_fails_an_edge_thinner_than_the_extra_slippage() {
    // Defaults: 5 bps a side on a turnover of 2 x equity costs 0.1% a trade.
    let rules = PerturbationSettings::default();
    // Fragile: +0.05% a trade becomes -0.05%; every path that keeps a trade loses, and all 20 are
    // missed together with probability 0.1^20, so the 5th percentile is below 0: fails.
    let fragile = degraded_execution_test(&trades(0.0005, 20), &rules, 1).unwrap();
    assert!(fragile.p5_return < 0.0, "{fragile:?}");
    assert!(fragile.p5_return >= 1.0005f64.powi(-20) - 1.0 - 0.02);
    // Robust: +2% a trade becomes +1.9%; a path keeps k of the 20 trades with k ~ Binomial(20,
    // 0.9), P(k <= 14) = 0.011, so the 5th percentile keeps at least 15 trades:
    // 1.019^15 - 1 = 0.326 or more. Passes.
    let robust = degraded_execution_test(&trades(0.02, 20), &rules, 1).unwrap();
    assert!(
        robust.p5_return >= 1.019f64.powi(15) - 1.0 - 1e-12,
        "{robust:?}"
    );
    assert!(robust.median_return <= 1.019f64.powi(20) - 1.0 + 1e-12);
}

#[test]
fn the_what_if_fails_a_champion_whose_profit_is_one_trade() {
    let rules = PerturbationSettings::default();
    // Fragile: one +30% trade and 19 of -1%; the best 5% of 20 trades is 1 trade; without it the
    // return is 0.99^19 - 1 = -0.1738: fails. With it: 1.3 x 0.99^19 - 1 = +0.0740.
    let mut fragile = vec![-0.01; 20];
    fragile[7] = 0.3;
    let what_if = without_best_trades_test(&fragile, &rules).unwrap();
    assert_eq!(what_if.removed, 1);
    assert!(
        (what_if.total_return - 0.074_04).abs() < 1e-4,
        "{what_if:?}"
    );
    assert!((what_if.total_return_without_best + 0.173_82).abs() < 1e-4);
    // Robust: 20 trades of +1%; without the best one, 1.01^19 - 1 = 0.2081: passes.
    let robust = without_best_trades_test(&[0.01; 20], &rules).unwrap();
    assert!((robust.total_return_without_best - 0.208_11).abs() < 1e-4);
}

#[test]
fn a_test_that_cannot_run_gives_no_figure() {
    let settings = PerturbationSettings::default();
    assert!(degraded_execution_test(&[], &settings, 1).is_none());
    assert!(without_best_trades_test(&[], &settings).is_none());
}
