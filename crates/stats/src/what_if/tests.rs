use std::convert::Infallible;

use rand::{SeedableRng, TryRng};
use rand_chacha::ChaCha8Rng;

use super::*;

/// A stream that hands out the given uniforms (multiples of 2^-53, which rand's `StandardUniform`
/// gives back exactly).
struct Scripted {
    draws: Vec<u64>,
    next: usize,
}

impl Scripted {
    fn new(uniforms: &[f64]) -> Self {
        let draws = uniforms
            .iter()
            .map(|&uniform| ((uniform * (1u64 << 53) as f64) as u64) << 11)
            .collect();
        Self { draws, next: 0 }
    }
}

impl TryRng for Scripted {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        unreachable!("the draws are 64-bit uniforms")
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.next += 1;
        Ok(self.draws[self.next - 1])
    }

    fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Infallible> {
        unreachable!("the draws are 64-bit uniforms")
    }
}

#[test]
fn the_best_trades_rank_by_value_with_the_earlier_trade_first_on_ties() {
    let pnl = [5.0, -2.0, 7.0, 7.0, 0.0, 3.0];
    // Ranked: 7 (trade 2), 7 (trade 3, later), 5 (0), 3 (5), 0 (4), -2 (1).
    assert_eq!(best_trades(&pnl, BestTrades::Count(3)).unwrap(), [2, 3, 0]);
    assert_eq!(best_trades(&pnl, BestTrades::Count(1)).unwrap(), [2]);
    assert_eq!(
        without_best_trades(&pnl, BestTrades::Count(1)).unwrap(),
        [0, 1, 3, 4, 5]
    );
    assert_eq!(
        without_best_trades(&pnl, BestTrades::Count(3)).unwrap(),
        [1, 4, 5]
    );
    assert_eq!(
        without_best_trades(&pnl, BestTrades::Count(0)).unwrap(),
        [0, 1, 2, 3, 4, 5]
    );
    assert_eq!(
        without_best_trades(&pnl, BestTrades::Count(6)).unwrap(),
        Vec::<usize>::new()
    );
    // A third of 6 trades is 2.
    assert_eq!(
        without_best_trades(&pnl, BestTrades::Share(1.0 / 3.0)).unwrap(),
        [0, 1, 4, 5]
    );
}

#[test]
fn a_share_removes_the_ceiling_of_its_count() {
    let count = |share: f64, trades: usize| BestTrades::Share(share).count_of(trades).unwrap();
    assert_eq!(count(0.1, 25), 3, "2.5 trades round up");
    assert_eq!(
        count(0.07, 100),
        7,
        "0.07 * 100 is 7.000000000000001 in f64"
    );
    assert_eq!(
        count(0.14, 100),
        14,
        "0.14 * 100 is 14.000000000000002 in f64"
    );
    assert_eq!(
        count(0.29, 100),
        29,
        "0.29 * 100 is 28.999999999999996 in f64"
    );
    assert_eq!(count(0.05, 100), 5);
    assert_eq!(count(0.05, 101), 6);
    assert_eq!(count(0.0, 10), 0);
    assert_eq!(count(0.5, 1), 1);
    assert_eq!(count(0.5, 0), 0);
    for share in [1.0, -0.1, f64::NAN] {
        assert!(BestTrades::Share(share).count_of(10).is_err(), "{share}");
    }
    assert!(BestTrades::Count(7).count_of(6).is_err());
    let error = best_trades(&[1.0, f64::NAN], BestTrades::Count(1)).unwrap_err();
    assert!(error.to_string().contains("trade 2"), "{error}");
}

#[test]
fn removing_a_trade_of_a_fixed_fraction_account_compounds_the_others() {
    // By hand: an account of 100 puts 50% of its equity in each trade; the three trades move
    // +10%, -20% and +30%, so they make 5% (100 -> 105), -10% (-> 94.5) and +15% (-> 108.675) of
    // the equity before them. Without the first trade the account goes 100 -> 90 -> 103.5.
    let returns = [0.05, -0.10, 0.15];
    let kept = without_best_trades(&[10.0, -20.0, 30.0], BestTrades::Count(1)).unwrap();
    assert_eq!(kept, [0, 1]);
    let outcome = path_outcome(100.0, kept.iter().map(|&trade| returns[trade]));
    assert!((outcome.final_equity - 94.5).abs() < 1e-12);
    // The second best (the +10% move) removed: 100 * 0.9 * 1.15.
    let kept = [1, 2];
    let outcome = path_outcome(100.0, kept.iter().map(|&trade| returns[trade]));
    assert!((outcome.final_equity - 103.5).abs() < 1e-12);
    assert!((outcome.max_drawdown - -0.1).abs() < 1e-15);
}

#[test]
fn a_trades_turnover_prices_extra_slippage_as_worse_fills_would() {
    // A long of 10 units filled at 100 and closed at 110: gross 100, commission 10, net 90, on an
    // equity of 5,000 before entry.
    let trade = TradeOnEquity::from_fills(90.0, 100.0, 110.0, 10.0, 5_000.0);
    assert_eq!(trade.return_on_equity, 0.018);
    assert!((trade.turnover_on_equity - 0.42).abs() < 1e-15);
    // 10 bps worse on both fills, the same quantity and commission: bought at 100.1, sold at
    // 109.89, gross 97.9, net 87.9: 87.9 / 5,000 = 0.01758.
    let worse: f64 = ((109.89 - 100.1) * 10.0 - 10.0) / 5_000.0;
    assert!((worse - 0.01758).abs() < 1e-15);
    let degraded = degrade_execution(
        &[trade],
        &ExecutionDegradation {
            extra_slippage_per_side: 0.001,
            missed_entry_probability: 0.0,
        },
        &mut ChaCha8Rng::seed_from_u64(1),
    )
    .unwrap();
    assert!((degraded.returns[0] - worse).abs() < 1e-15);
    assert_eq!(degraded.missed, [false]);
}

#[test]
fn degraded_execution_by_hand() {
    let trades = [
        TradeOnEquity {
            return_on_equity: 0.02,
            turnover_on_equity: 0.4,
        },
        TradeOnEquity {
            return_on_equity: -0.01,
            turnover_on_equity: 0.4,
        },
        TradeOnEquity {
            return_on_equity: 0.03,
            turnover_on_equity: 0.8,
        },
    ];
    let degradation = ExecutionDegradation {
        extra_slippage_per_side: 0.001,
        missed_entry_probability: 0.5,
    };
    // Draws 0.75 (kept), 0.25 (missed), 0.5 (kept: not below 0.5).
    let mut rng = Scripted::new(&[0.75, 0.25, 0.5]);
    let degraded = degrade_execution(&trades, &degradation, &mut rng).unwrap();
    assert_eq!(rng.next, 3, "one draw per trade");
    assert_eq!(degraded.missed, [false, true, false]);
    // 0.02 - 0.001 * 0.4 and 0.03 - 0.001 * 0.8; compounded 1.0196 * 1.0292 = 1.04937232.
    let expected = [0.0196, 0.0, 0.0292];
    for (found, expected) in degraded.returns.iter().zip(expected) {
        assert!(
            (found - expected).abs() < 1e-15,
            "{found} against {expected}"
        );
    }
    assert!((degraded.outcome.final_equity - 1.04937232).abs() < 1e-14);
    assert_eq!(degraded.outcome.max_drawdown, 0.0);
}

#[test]
fn a_higher_miss_probability_misses_a_superset_at_the_right_rate() {
    let trades = vec![
        TradeOnEquity {
            return_on_equity: 0.001,
            turnover_on_equity: 0.2,
        };
        100_000
    ];
    let run = |probability: f64| {
        let degradation = ExecutionDegradation {
            extra_slippage_per_side: 0.0,
            missed_entry_probability: probability,
        };
        degrade_execution(&trades, &degradation, &mut ChaCha8Rng::seed_from_u64(77))
            .unwrap()
            .missed
    };
    let (rare, often) = (run(0.2), run(0.6));
    assert!(rare.iter().zip(&often).all(|(rare, often)| !rare || *often));
    // Binomial(100,000, 0.2): standard deviation sqrt(100,000 * 0.2 * 0.8) = 126.5.
    let count = rare.iter().filter(|missed| **missed).count() as f64;
    assert!((count - 20_000.0).abs() < 4.0 * 126.5, "{count}");
    // The engine-side draws give the same sequence on the same stream.
    let mut draws = MissedEntryDraws::new(ChaCha8Rng::seed_from_u64(77), 0.6);
    assert!(often.iter().all(|&missed| draws.next_missed() == missed));
    assert!(run(0.0).iter().all(|missed| !missed));
    assert!(run(1.0).iter().all(|missed| *missed));
}

#[test]
fn refuses_settings_and_trades_out_of_range() {
    let good = ExecutionDegradation {
        extra_slippage_per_side: 0.001,
        missed_entry_probability: 0.1,
    };
    let trade = TradeOnEquity {
        return_on_equity: 0.01,
        turnover_on_equity: 0.3,
    };
    let run = |degradation: ExecutionDegradation, trade: TradeOnEquity| {
        degrade_execution(&[trade], &degradation, &mut ChaCha8Rng::seed_from_u64(1))
    };
    for slippage in [-0.001, 0.051, f64::NAN] {
        let degradation = ExecutionDegradation {
            extra_slippage_per_side: slippage,
            ..good
        };
        let error = run(degradation, trade).unwrap_err();
        assert!(error.to_string().contains("extra_slippage_per_side"));
    }
    for probability in [-0.1, 1.1, f64::NAN] {
        let degradation = ExecutionDegradation {
            missed_entry_probability: probability,
            ..good
        };
        let error = run(degradation, trade).unwrap_err();
        assert!(error.to_string().contains("missed_entry_probability"));
    }
    let bad = TradeOnEquity {
        turnover_on_equity: -0.1,
        ..trade
    };
    assert!(run(good, bad).unwrap_err().to_string().contains("trade 1"));
    let bad = TradeOnEquity {
        return_on_equity: f64::INFINITY,
        ..trade
    };
    assert!(run(good, bad).is_err());
}
