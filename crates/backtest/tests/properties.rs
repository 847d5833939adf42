//! Property tests on random bar series, for a genome of every signal kind:
//! - no lookahead: running on bars[..k] gives bit-identical equity for bars before k and the same
//!   trades closed before k as running on the whole series;
//! - accounting: with every position closed at the end, the sum of trade net P&L equals the change in
//!   equity; no position's value exceeds its caps at entry.

use gauntlet_backtest::{
    BacktestConfig, CostModel, FillConvention, Market, run_backtest, run_portfolio,
};
use gauntlet_core::{BarColumns, BarSeries, Timestamp};
use gauntlet_genome::*;
use gauntlet_testkit::bars_from_steps;
use proptest::prelude::*;

fn rules() -> Vec<Rule> {
    vec![
        Rule::MovingAverageCross {
            average: AverageKind::Sma,
            fast: 3,
            slow: 8,
        },
        Rule::MovingAverageCross {
            average: AverageKind::Ema,
            fast: 3,
            slow: 8,
        },
        Rule::PriceVsAverage {
            average: AverageKind::Sma,
            period: 5,
        },
        Rule::RsiThreshold {
            period: 3,
            lower: 30.0,
            upper: 70.0,
            crossing: false,
        },
        Rule::RsiThreshold {
            period: 3,
            lower: 40.0,
            upper: 60.0,
            crossing: true,
        },
        Rule::BollingerTouch {
            period: 5,
            width: 1.0,
        },
        Rule::DonchianBreakout { period: 4 },
        Rule::RocMomentum {
            period: 3,
            threshold_pct: 1.0,
        },
        Rule::MacdCross {
            fast: 3,
            slow: 6,
            signal: 3,
        },
        Rule::ZScoreReversion {
            period: 5,
            threshold: 1.0,
        },
        Rule::VolatilityBand {
            period: 3,
            min_pct: 0.5,
            max_pct: 5.0,
        },
        Rule::TrendRegime { period: 4 },
    ]
}

fn genome(
    logic: EntryLogic,
    direction: Direction,
    exit: ExitChromosome,
    method: SizingMethod,
) -> Genome {
    Genome {
        schema: 1,
        name: None,
        entry: EntryChromosome { direction, logic },
        exit,
        sizing: SizingChromosome {
            method,
            max_position_pct: 80.0,
            leverage_cap: 1.0,
            max_positions: 1,
        },
        risk: RiskLimits::default(),
        lineage: Lineage::default(),
    }
}

/// A genome for every rule kind, the factor score, and a two-rule combination, with every exit kind
/// and a few sizing methods.
fn genomes() -> Vec<Genome> {
    let exit = ExitChromosome {
        stop_loss_pct: Some(3.0),
        take_profit_pct: Some(5.0),
        trailing_stop: Some(TrailingStop {
            activation_pct: 1.0,
            trail_pct: 2.0,
        }),
        max_holding_bars: Some(6),
        channel_exit_bars: Some(3),
        exit_on_opposite_signal: true,
    };
    let mut all: Vec<Genome> = rules()
        .into_iter()
        .enumerate()
        .map(|(index, rule)| {
            let direction = [Direction::Long, Direction::Short, Direction::Both][index % 3];
            let method = [
                SizingMethod::FixedFraction { fraction_pct: 50.0 },
                SizingMethod::RiskPerTrade { risk_pct: 1.0 },
                SizingMethod::VolatilityTarget {
                    annual_volatility_pct: 15.0,
                    lookback: 5,
                },
            ][index % 3];
            genome(
                EntryLogic::Rules {
                    rules: vec![rule],
                    combine: Combine::All,
                },
                direction,
                exit.clone(),
                method,
            )
        })
        .collect();
    all.push(genome(
        EntryLogic::MultiFactor(FactorScore {
            trend_fast: 3,
            trend_slow: 8,
            trend_weight: 30.0,
            momentum_period: 3,
            momentum_scale_pct: 2.0,
            momentum_weight: 20.0,
            volatility_period: 3,
            volatility_max_pct: 4.0,
            volatility_weight: 10.0,
            buy_above: 35.0,
            sell_below: -35.0,
        }),
        Direction::Both,
        exit.clone(),
        SizingMethod::FixedFraction {
            fraction_pct: 100.0,
        },
    ));
    let two = rules();
    all.push(genome(
        EntryLogic::Rules {
            rules: vec![two[2].clone(), two[3].clone()],
            combine: Combine::Any,
        },
        Direction::Long,
        exit,
        SizingMethod::AllIn,
    ));
    all
}

fn steps() -> impl Strategy<Value = Vec<(f64, f64, f64, f64)>> {
    prop::collection::vec(
        (-0.02f64..0.02, -0.04f64..0.04, 0.0f64..0.03, 0.0f64..0.03),
        10..90,
    )
}

fn configs() -> [BacktestConfig; 2] {
    let base = BacktestConfig {
        initial_capital: 10_000.0,
        costs: CostModel {
            commission_bps: 5.0,
            spread_bps: 4.0,
            slippage_bps: 2.0,
        },
        close_at_end: false,
        ..BacktestConfig::default()
    };
    [
        base,
        BacktestConfig {
            fill: FillConvention::Close,
            ..base
        },
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn truncating_the_future_changes_no_past_decision(steps in steps(), cut in 2usize..90) {
        let full = bars_from_steps(&steps);
        let cut = cut.min(full.len());
        let full_market = Market::new("X", full.clone());
        let past_market = Market::new("X", full.slice(0..cut));
        for config in configs() {
            for genome in genomes() {
                let on_full = run_backtest(&genome, &full_market, &config).unwrap();
                let on_past = run_backtest(&genome, &past_market, &config).unwrap();
                for t in 0..cut {
                    prop_assert_eq!(on_past.equity[t].to_bits(), on_full.equity[t].to_bits(),
                        "bar {} of {}: {:?}", t, cut, genome.entry.logic);
                }
                let closed_before: Vec<_> =
                    on_full.trades.iter().filter(|trade| trade.exit_bar < cut).collect();
                let past_trades: Vec<_> = on_past.trades.iter().collect();
                prop_assert_eq!(past_trades, closed_before);
            }
        }
    }

    #[test]
    fn trade_pnl_adds_up_and_positions_respect_their_caps(steps in steps()) {
        let market = Market::new("X", bars_from_steps(&steps));
        for config in configs() {
            let config = BacktestConfig { close_at_end: true, ..config };
            for genome in genomes() {
                let result = run_backtest(&genome, &market, &config).unwrap();
                let pnl: f64 = result.trades.iter().map(|trade| trade.net_pnl).sum();
                let change = result.final_equity() - config.initial_capital;
                prop_assert!((pnl - change).abs() <= 1e-6 * config.initial_capital,
                    "sum of P&L {} vs equity change {}", pnl, change);
                let cap = (genome.sizing.max_position_pct / 100.0).min(genome.sizing.leverage_cap);
                for trade in &result.trades {
                    // Flat before the entry: equity then is the previous bar's close equity.
                    let equity_before = if trade.entry_bar == 0 {
                        config.initial_capital
                    } else {
                        result.equity[trade.entry_bar - 1]
                    };
                    prop_assert!(trade.quantity * trade.entry_price <= equity_before * cap * (1.0 + 1e-12),
                        "position {} exceeds {} of equity {}", trade.quantity * trade.entry_price, cap, equity_before);
                }
            }
        }
    }
}

proptest! {
    // A mistake in the rarer branches (a trailing stop's exit decision before its intrabar exit,
    // under a drawdown halt) shows in about one case in several hundred: the regressions file
    // keeps one such case, replayed first on every run.
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The engine skips through an open position's quiet bars; the shared-equity engine steps
    /// every bar in full and on one symbol is the single engine (the next property). Both must
    /// agree bit for bit with no account limit, with a 3% drawdown halt that fires (the fast
    /// path must stop on the halting bar and keep the peak as the full step does) and with a
    /// daily loss limit, on daily bars and on bars six hours apart (four to a day): the skip
    /// must leave the day, its starting equity and the entry block as stepping every bar would.
    #[test]
    fn the_position_fast_path_matches_the_full_step(steps in steps()) {
        let daily = bars_from_steps(&steps);
        let six_hourly = with_bars_per_day(&daily, 4);
        // With and without the trailing stop: fixed stop and target levels take their own path.
        let fixed_levels = genomes().into_iter().map(|mut genome| {
            genome.exit.trailing_stop = None;
            genome
        });
        let all: Vec<Genome> = genomes().into_iter().chain(fixed_levels).collect();
        for series in [daily, six_hourly] {
            let market = Market::new("X", series);
            for config in configs() {
                for (halt, daily_loss) in [
                    (None, None),
                    (Some(3.0), None),
                    (None, Some(1.0)),
                    (Some(3.0), Some(0.5)),
                    (None, Some(99.99)),
                ] {
                    for genome in all.iter().cloned() {
                        let mut genome = genome;
                        genome.risk.max_drawdown_halt_pct = halt;
                        genome.risk.daily_loss_limit_pct = daily_loss;
                        let fast = run_backtest(&genome, &market, &config).unwrap();
                        let full = run_portfolio(&genome, std::slice::from_ref(&market), &config)
                            .unwrap()
                            .result;
                        let bits = |equity: &[f64]| {
                            equity.iter().map(|value| value.to_bits()).collect::<Vec<u64>>()
                        };
                        prop_assert_eq!(bits(&fast.equity), bits(&full.equity), "{:?}", genome);
                        prop_assert_eq!(&fast.trades, &full.trades);
                        prop_assert_eq!(fast.bars_in_market, full.bars_in_market);
                        prop_assert_eq!(fast.halted_at_bar, full.halted_at_bar);
                    }
                }
            }
        }
    }
}

/// `series` with its bars moved `24 / bars_per_day` hours apart from midnight UTC, prices kept.
fn with_bars_per_day(series: &BarSeries, bars_per_day: i64) -> BarSeries {
    let step = gauntlet_core::MILLIS_PER_DAY / bars_per_day;
    let columns = BarColumns {
        timestamps: (0..series.len() as i64)
            .map(|bar| Timestamp(bar * step))
            .collect(),
        open: series.open().to_vec(),
        high: series.high().to_vec(),
        low: series.low().to_vec(),
        close: series.close().to_vec(),
        volume: vec![0.0; series.len()],
    };
    BarSeries::new(columns, false).expect("the same bars, evenly spaced")
}

/// The property genomes, each also with every account risk limit on.
fn genomes_with_limits() -> Vec<Genome> {
    genomes()
        .into_iter()
        .flat_map(|genome| {
            let mut limited = genome.clone();
            limited.risk = RiskLimits {
                daily_loss_limit_pct: Some(2.0),
                max_drawdown_halt_pct: Some(12.0),
                consecutive_loss_limit: Some(3),
            };
            [genome, limited]
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// The shared-equity engine on one symbol is the single-symbol engine, bit for bit.
    #[test]
    fn a_one_symbol_portfolio_is_the_single_engine(steps in steps()) {
        let market = Market::new("X", bars_from_steps(&steps));
        for config in configs() {
            for genome in genomes_with_limits() {
                let single = run_backtest(&genome, &market, &config).unwrap();
                let portfolio = run_portfolio(&genome, std::slice::from_ref(&market), &config).unwrap();
                let portfolio = portfolio.result;
                let bits = |equity: &[f64]| equity.iter().map(|value| value.to_bits()).collect::<Vec<_>>();
                prop_assert_eq!(bits(&single.equity), bits(&portfolio.equity), "{:?}", genome);
                prop_assert_eq!(&single.trades, &portfolio.trades);
                prop_assert_eq!((single.buys, single.sells), (portfolio.buys, portfolio.sells));
                prop_assert_eq!(single.bars_in_market, portfolio.bars_in_market);
                prop_assert_eq!(single.halted_at_bar, portfolio.halted_at_bar);
            }
        }
    }

    /// Two symbols with different calendars share one account: trade P&L adds up to the equity change
    /// and never more than `max_positions` positions are open at once.
    #[test]
    fn shared_equity_adds_up_and_respects_max_positions(
        first in steps(),
        second in steps(),
        offset in 0usize..5,
    ) {
        let a = Market::new("A", bars_from_steps(&first));
        let shifted = bars_from_steps(&second);
        let times: Vec<Timestamp> = shifted
            .timestamps()
            .iter()
            .map(|time| Timestamp(time.millis() + offset as i64 * 86_400_000))
            .collect();
        let b = Market::new(
            "B",
            BarSeries::new(
                BarColumns { timestamps: times, ..shifted.into_columns() },
                false,
            )
            .unwrap(),
        );
        let markets = [a, b];
        for config in configs() {
            let config = BacktestConfig { close_at_end: true, ..config };
            for mut genome in genomes_with_limits() {
                genome.sizing.max_positions = 1;
                let run = run_portfolio(&genome, &markets, &config).unwrap();
                let result = &run.result;
                let pnl: f64 = result.trades.iter().map(|trade| trade.net_pnl).sum();
                let change = result.final_equity() - config.initial_capital;
                prop_assert!((pnl - change).abs() <= 1e-6 * config.initial_capital, "{} vs {}", pnl, change);
                // With one position at most, trades never overlap in time (an exit and the next
                // entry may share a bar time).
                let mut spans: Vec<(Timestamp, Timestamp)> =
                    result.trades.iter().map(|trade| (trade.entry_time, trade.exit_time)).collect();
                spans.sort();
                for pair in spans.windows(2) {
                    prop_assert!(pair[1].0 >= pair[0].1, "overlapping positions {:?}", pair);
                }
            }
        }
    }
}
