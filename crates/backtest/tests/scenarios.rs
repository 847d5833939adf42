//! Hand-computed scenarios: a handful of bars, the expected fills and P&L worked out in the comments.
//!
//! Unless a test says otherwise: capital 10,000, no costs, fills at the next open, the genome enters on
//! every bar's close while flat ("always"), so the first entry is decided on bar 0 and fills at bar 1's
//! open.

use gauntlet_backtest::{
    BacktestConfig, BacktestResult, CostModel, ExitReason, FillConvention, Market, Side,
    run_backtest,
};
use gauntlet_core::{BarColumns, BarSeries, Timestamp};
use gauntlet_genome::{
    Direction, EntryChromosome, EntryLogic, ExitChromosome, Genome, Lineage, RiskLimits,
    SizingChromosome, SizingMethod, TrailingStop,
};

const DAY: i64 = 86_400_000;

fn bars(rows: &[(f64, f64, f64, f64)]) -> BarSeries {
    let mut columns = BarColumns::default();
    for (index, &(open, high, low, close)) in rows.iter().enumerate() {
        columns.timestamps.push(Timestamp(index as i64 * DAY));
        columns.open.push(open);
        columns.high.push(high);
        columns.low.push(low);
        columns.close.push(close);
        columns.volume.push(0.0);
    }
    BarSeries::new(columns, false).unwrap()
}

fn always(direction: Direction, exit: ExitChromosome) -> Genome {
    Genome {
        schema: 1,
        name: None,
        entry: EntryChromosome {
            direction,
            logic: EntryLogic::Always,
        },
        exit,
        sizing: SizingChromosome::all_equity(),
        risk: RiskLimits::default(),
        lineage: Lineage::default(),
    }
}

fn config() -> BacktestConfig {
    BacktestConfig {
        initial_capital: 10_000.0,
        close_at_end: false,
        ..BacktestConfig::default()
    }
}

fn run(genome: &Genome, series: BarSeries, config: &BacktestConfig) -> BacktestResult {
    run_backtest(genome, &Market::new("TEST", series), config).unwrap()
}

fn assert_close(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{got} vs {want}"
    );
}

#[test]
fn entry_and_exit_fill_at_the_next_open() {
    // Entry decided on bar 0's close, filled at bar 1's open (102): 10,000 / 102 units.
    // Held 2 bars at bar 2's close (bars 1 and 2) -> time exit decided, filled at bar 3's open (106).
    // P&L = (106 - 102) * 10,000 / 102 = 392.1568...
    let series = bars(&[
        (100.0, 101.0, 99.0, 100.0),
        (102.0, 103.0, 101.0, 102.0),
        (104.0, 105.0, 103.0, 104.0),
        (106.0, 107.0, 105.0, 106.0),
    ]);
    let exit = ExitChromosome {
        max_holding_bars: Some(2),
        ..ExitChromosome::default()
    };
    let result = run(&always(Direction::Long, exit), series, &config());
    let trade = &result.trades[0];
    assert_eq!((trade.entry_bar, trade.exit_bar), (1, 3));
    assert_eq!((trade.entry_price, trade.exit_price), (102.0, 106.0));
    assert_eq!(trade.exit_reason, ExitReason::TimeExit);
    assert_close(trade.quantity, 10_000.0 / 102.0);
    assert_close(trade.net_pnl, 4.0 * 10_000.0 / 102.0);
    // Bar 0 is flat; bar 1 closes at 102 (no change); bar 2 at 104.
    assert_eq!(result.equity[0], 10_000.0);
    assert_close(result.equity[2], 104.0 * 10_000.0 / 102.0);
    assert_close(result.final_equity(), 10_000.0 + 4.0 * 10_000.0 / 102.0);
}

fn stop_scenario(bar_two: (f64, f64, f64, f64), exit: ExitChromosome) -> BacktestResult {
    // Entry at bar 1's open, 100, 100 units; the stop and target are set from 100.
    let series = bars(&[
        (100.0, 100.0, 100.0, 100.0),
        (100.0, 101.0, 99.0, 100.0),
        bar_two,
    ]);
    run(&always(Direction::Long, exit), series, &config())
}

fn stop_and_target(stop: f64, target: Option<f64>) -> ExitChromosome {
    ExitChromosome {
        stop_loss_pct: Some(stop),
        take_profit_pct: target,
        ..ExitChromosome::default()
    }
}

#[test]
fn a_stop_inside_the_bar_fills_at_the_stop() {
    // Stop 5% -> 95. Bar 2 opens at 99 and trades down to 94: exit at 95, P&L -5 * 100 = -500.
    let result = stop_scenario((99.0, 100.0, 94.0, 96.0), stop_and_target(5.0, None));
    let trade = &result.trades[0];
    assert_eq!((trade.exit_bar, trade.exit_price), (2, 95.0));
    assert_eq!(trade.exit_reason, ExitReason::StopLoss);
    assert_close(trade.net_pnl, -500.0);
}

#[test]
fn a_gap_through_the_stop_fills_at_the_open() {
    // Bar 2 opens at 90, below the 95 stop: exit at 90, P&L -10 * 100 = -1,000.
    let result = stop_scenario((90.0, 92.0, 89.0, 91.0), stop_and_target(5.0, None));
    assert_eq!(result.trades[0].exit_price, 90.0);
    assert_close(result.trades[0].net_pnl, -1_000.0);
}

#[test]
fn the_stop_wins_when_stop_and_target_are_in_one_bar() {
    // Stop 95 and target 105 both inside bar 2 (94..106): the pessimistic stop fills, at 95.
    let result = stop_scenario((100.0, 106.0, 94.0, 100.0), stop_and_target(5.0, Some(5.0)));
    assert_eq!(result.trades[0].exit_reason, ExitReason::StopLoss);
    assert_eq!(result.trades[0].exit_price, 95.0);
    // Only the target inside the bar: it fills at 105; a gap above it fills at the open.
    let result = stop_scenario((100.0, 106.0, 99.0, 100.0), stop_and_target(5.0, Some(5.0)));
    assert_eq!(
        (result.trades[0].exit_reason, result.trades[0].exit_price),
        (ExitReason::TakeProfit, 105.0)
    );
    let result = stop_scenario(
        (108.0, 109.0, 107.0, 108.0),
        stop_and_target(5.0, Some(5.0)),
    );
    assert_eq!(result.trades[0].exit_price, 108.0);
}

#[test]
fn a_short_stop_sits_above_the_entry() {
    // Short 100 units at 100; stop 5% -> 105; bar 2 trades up to 106: buy back at 105, P&L -500.
    let series = bars(&[
        (100.0, 100.0, 100.0, 100.0),
        (100.0, 101.0, 99.0, 100.0),
        (101.0, 106.0, 100.0, 104.0),
    ]);
    let result = run(
        &always(Direction::Short, stop_and_target(5.0, None)),
        series,
        &config(),
    );
    let trade = &result.trades[0];
    assert_eq!((trade.side, trade.exit_price), (Side::Short, 105.0));
    assert_close(trade.net_pnl, -500.0);
    assert_eq!((result.buys, result.sells), (1, 1));
}

#[test]
fn the_trailing_stop_arms_after_the_activation_gain() {
    // Entry 100 (100 units); trail 1% once 2% up (activation at 102).
    // Bar 1 (entry bar): best 100, not armed; after it, best = high 101.
    // Bar 2: best 101 < 102, not armed; after it, best = 103.
    // Bar 3: armed (103 >= 102), trail level 103 * 0.99 = 101.97; low 101.5 touches it: exit 101.97.
    // P&L = 1.97 * 100 = 197.
    let series = bars(&[
        (100.0, 100.0, 100.0, 100.0),
        (100.0, 101.0, 99.5, 100.5),
        (101.0, 103.0, 100.5, 102.0),
        (102.5, 102.8, 101.5, 102.0),
    ]);
    let exit = ExitChromosome {
        trailing_stop: Some(TrailingStop {
            activation_pct: 2.0,
            trail_pct: 1.0,
        }),
        ..ExitChromosome::default()
    };
    let result = run(&always(Direction::Long, exit), series, &config());
    let trade = &result.trades[0];
    assert_eq!(
        (trade.exit_bar, trade.exit_reason),
        (3, ExitReason::TrailingStop)
    );
    assert_close(trade.exit_price, 103.0 * 0.99);
    assert_close(trade.net_pnl, (103.0 * 0.99 - 100.0) * 100.0);
}

#[test]
fn commission_spread_and_slippage_arithmetic() {
    // Commission 10 bps per side, spread 10 bps (half paid per fill), slippage 5 bps: fills move
    // 10 bps against us. Buy at 100 -> 100.1; all cash buys 10,000 / (1.001 * 100.1) units.
    // Sell at 110 -> 110 * 0.999 = 109.89, less 0.1% commission: cash = units * 109.89 * 0.999.
    let series = bars(&[
        (100.0, 100.0, 100.0, 100.0),
        (100.0, 101.0, 99.0, 100.0),
        (110.0, 111.0, 109.0, 110.0),
    ]);
    let exit = ExitChromosome {
        max_holding_bars: Some(1),
        ..ExitChromosome::default()
    };
    let costs = BacktestConfig {
        costs: CostModel {
            commission_bps: 10.0,
            spread_bps: 10.0,
            slippage_bps: 5.0,
        },
        ..config()
    };
    let result = run(&always(Direction::Long, exit), series, &costs);
    let trade = &result.trades[0];
    let units = 10_000.0 / (1.001 * 100.1);
    assert_close(trade.entry_price, 100.1);
    assert_close(trade.exit_price, 109.89);
    assert_close(trade.quantity, units);
    assert_close(
        trade.commission,
        units * 100.1 * 0.001 + units * 109.89 * 0.001,
    );
    assert_close(result.final_equity(), units * 109.89 * 0.999);
    assert_close(trade.net_pnl, result.final_equity() - 10_000.0);
}

#[test]
fn risk_sizing_and_the_leverage_cap() {
    let series = bars(&[
        (50.0, 50.0, 50.0, 50.0),
        (50.0, 51.0, 49.5, 50.0),
        (50.0, 51.0, 49.5, 50.0),
    ]);
    // Risk 1% of 10,000 = 100 with a 2% stop at 50 (1 per unit): 100 units, 5,000 invested.
    let mut genome = always(Direction::Long, stop_and_target(2.0, None));
    genome.sizing.method = SizingMethod::RiskPerTrade { risk_pct: 1.0 };
    let result = run(
        &genome,
        series.clone(),
        &BacktestConfig {
            close_at_end: true,
            ..config()
        },
    );
    assert_close(result.trades[0].quantity, 100.0);
    assert_close(result.trades[0].initial_risk.unwrap(), 100.0);
    // 300% of equity asked, position cap 300%, leverage cap 2x: 20,000 at 50 = 400 units.
    let mut genome = always(Direction::Long, ExitChromosome::default());
    genome.sizing = SizingChromosome {
        method: SizingMethod::FixedFraction {
            fraction_pct: 300.0,
        },
        max_position_pct: 300.0,
        leverage_cap: 2.0,
        max_positions: 1,
    };
    let result = run(
        &genome,
        series,
        &BacktestConfig {
            close_at_end: true,
            ..config()
        },
    );
    assert_close(result.trades[0].quantity, 400.0);
}

#[test]
fn the_drawdown_halt_closes_and_stops_trading() {
    // Entry at 100 with 100 units. Bar 2 closes at 89: equity 8,900 is 11% below the 10,000 peak,
    // past the 10% halt: exit at bar 3's open (88), and no entry ever after.
    let series = bars(&[
        (100.0, 100.0, 100.0, 100.0),
        (100.0, 101.0, 99.0, 100.0),
        (95.0, 96.0, 88.0, 89.0),
        (88.0, 90.0, 87.0, 90.0),
        (90.0, 92.0, 89.0, 91.0),
        (91.0, 92.0, 90.0, 91.0),
    ]);
    let mut genome = always(Direction::Long, ExitChromosome::default());
    genome.risk.max_drawdown_halt_pct = Some(10.0);
    let result = run(&genome, series, &config());
    assert_eq!(result.trades.len(), 1);
    assert_eq!(result.halted_at_bar, Some(2));
    let trade = &result.trades[0];
    assert_eq!((trade.exit_bar, trade.exit_price), (3, 88.0));
    assert_eq!(trade.exit_reason, ExitReason::RiskHalt);
    assert_close(result.final_equity(), 8_800.0);
}

/// Bars whose open, high, low and close are all `price`, one per day.
fn flat_bars(prices: &[f64]) -> BarSeries {
    bars(
        &prices
            .iter()
            .map(|&price| (price, price, price, price))
            .collect::<Vec<_>>(),
    )
}

#[test]
fn the_consecutive_loss_breaker_stops_new_entries() {
    // Each position is held one bar (time exit decided on its entry bar's close, filled at the next
    // open), and the genome re-enters on the close of the bar it left. Prices: open = close.
    // Trade 1: in at bar 1 (100), out at bar 2 (99): loss, streak 1. Equity 10,000 * 99/100 = 9,900.
    // Trade 2: in at bar 3 (99), out at bar 4 (101): win, streak 0. 9,900 * 101/99 = 10,100.
    // Trade 3: in at bar 5 (101), out at bar 6 (100): loss, streak 1. 10,100 * 100/101 = 10,000.
    // Trade 4: in at bar 7 (100), out at bar 8 (98): loss, streak 2 = the limit: no entry after,
    // although prices rise. Final equity 10,000 * 98/100 = 9,800.
    let prices = [
        100.0, 100.0, 99.0, 99.0, 101.0, 101.0, 100.0, 100.0, 98.0, 99.0, 100.0, 101.0,
    ];
    let exit = ExitChromosome {
        max_holding_bars: Some(1),
        ..ExitChromosome::default()
    };
    let mut genome = always(Direction::Long, exit);
    genome.risk.consecutive_loss_limit = Some(2);
    let result = run(&genome, flat_bars(&prices), &config());
    let bars_traded: Vec<(usize, usize)> = result
        .trades
        .iter()
        .map(|trade| (trade.entry_bar, trade.exit_bar))
        .collect();
    assert_eq!(bars_traded, [(1, 2), (3, 4), (5, 6), (7, 8)]);
    assert_close(result.trades[1].net_pnl, 9_900.0 * 2.0 / 99.0);
    assert_close(result.final_equity(), 9_800.0);
    assert_eq!(result.equity.len(), prices.len());
    assert_close(*result.equity.last().unwrap(), 9_800.0);
    // Without the breaker the genome keeps trading: in at bar 9 (99), out at bar 10 (100).
    genome.risk.consecutive_loss_limit = None;
    let unlimited = run(&genome, flat_bars(&prices), &config());
    assert_eq!(unlimited.trades.len(), 5);
    assert_eq!(
        (unlimited.trades[4].entry_bar, unlimited.trades[4].exit_bar),
        (9, 10)
    );
}

#[test]
fn the_daily_loss_limit_blocks_entries_until_the_next_utc_day() {
    // Hourly bars: four on day 0 (00:00 to 03:00 UTC), three on day 1 (00:00 to 02:00); open =
    // close. One-bar holds as above, daily loss limit 1%.
    // Bar 1: in at 100 (100 units). Bar 2: out at 98, -200: equity 9,800 at bar 2's close is 2%
    // below the day's start (10,000), past 1%: no entry decided on bars 2 and 3.
    // Bar 4 starts day 1 (its start equity 9,800): entry decided on its close, in at bar 5 (99),
    // out at bar 6 (100): 9,800 * 100/99 = 9,898.9898...
    const HOUR: i64 = 3_600_000;
    let hours = [0, 1, 2, 3, 24, 25, 26];
    let prices = [100.0, 100.0, 98.0, 98.0, 98.0, 99.0, 100.0];
    let series = |prices: &[f64]| {
        let mut columns = BarColumns::default();
        for (&hour, &price) in hours.iter().zip(prices) {
            columns.timestamps.push(Timestamp(hour * HOUR));
            columns.open.push(price);
            columns.high.push(price);
            columns.low.push(price);
            columns.close.push(price);
            columns.volume.push(0.0);
        }
        BarSeries::new(columns, false).unwrap()
    };
    let exit = ExitChromosome {
        max_holding_bars: Some(1),
        ..ExitChromosome::default()
    };
    let mut genome = always(Direction::Long, exit);
    genome.risk.daily_loss_limit_pct = Some(1.0);
    let result = run(&genome, series(&prices), &config());
    let bars_traded: Vec<(usize, usize)> = result
        .trades
        .iter()
        .map(|trade| (trade.entry_bar, trade.exit_bar))
        .collect();
    assert_eq!(bars_traded, [(1, 2), (5, 6)]);
    assert_close(result.trades[0].net_pnl, -200.0);
    assert_close(result.final_equity(), 9_800.0 * 100.0 / 99.0);
    // The limit is a block on entries, not a halt: without it the genome re-enters at bar 3.
    genome.risk.daily_loss_limit_pct = None;
    let unlimited = run(&genome, series(&prices), &config());
    assert_eq!(unlimited.trades[1].entry_bar, 3);
}

#[test]
fn close_only_data_fills_and_stops_on_closes() {
    // Closes 100, 100, 97, 94 (open = high = low = close). Entry at bar 1's "open", 100.
    // The 95 stop is not touched at 97; bar 3's price 94 is through it: exit at 94, P&L -600.
    let times = (0..4).map(|day| Timestamp(day * DAY)).collect();
    let series = BarSeries::close_only(times, vec![100.0, 100.0, 97.0, 94.0], None).unwrap();
    let result = run(
        &always(Direction::Long, stop_and_target(5.0, None)),
        series,
        &config(),
    );
    assert!(result.close_only);
    let trade = &result.trades[0];
    assert_eq!((trade.exit_bar, trade.exit_price), (3, 94.0));
    assert_close(trade.net_pnl, -600.0);
}

#[test]
fn close_fills_happen_at_the_signal_bar() {
    // With fills at the close, the entry decided on bar 0 fills at bar 0's close (100), and stops are
    // checked from bar 1: bar 1's low 94 hits the 95 stop.
    let series = bars(&[(100.0, 100.0, 100.0, 100.0), (99.0, 100.0, 94.0, 96.0)]);
    let close_config = BacktestConfig {
        fill: FillConvention::Close,
        ..config()
    };
    let result = run(
        &always(Direction::Long, stop_and_target(5.0, None)),
        series,
        &close_config,
    );
    let trade = &result.trades[0];
    assert_eq!((trade.entry_bar, trade.entry_price), (0, 100.0));
    assert_eq!((trade.exit_bar, trade.exit_price), (1, 95.0));
}

#[test]
fn two_symbols_share_one_account() {
    use gauntlet_backtest::run_portfolio;
    // A goes 100 -> 110, B goes 100 -> 90 (open = high = low = close). Each entry is half the equity.
    // Bar 1, A fills first: equity 10,000 -> 50 units of A, cash 5,000. Then B: equity is still
    // 5,000 cash + 50 x 100 = 10,000 -> 50 units, cash 0. Bar 2: +500 on A, -500 on B: 10,000.
    let markets = [
        Market::new("A", flat_bars(&[100.0, 100.0, 110.0])),
        Market::new("B", flat_bars(&[100.0, 100.0, 90.0])),
    ];
    let mut genome = always(Direction::Long, ExitChromosome::default());
    genome.sizing.method = SizingMethod::FixedFraction { fraction_pct: 50.0 };
    genome.sizing.max_position_pct = 50.0;
    genome.sizing.max_positions = 2;
    let both = run_portfolio(
        &genome,
        &markets,
        &BacktestConfig {
            close_at_end: true,
            ..config()
        },
    )
    .unwrap();
    let trades = &both.result.trades;
    assert_eq!(trades.len(), 2);
    assert_eq!(
        (&*trades[0].symbol, trades[0].quantity, trades[0].net_pnl),
        ("A", 50.0, 500.0)
    );
    assert_eq!(
        (&*trades[1].symbol, trades[1].quantity, trades[1].net_pnl),
        ("B", 50.0, -500.0)
    );
    assert_eq!(both.result.final_equity(), 10_000.0);
    // With one position at most, only A (first in order) is bought: +500.
    genome.sizing.max_positions = 1;
    let one = run_portfolio(
        &genome,
        &markets,
        &BacktestConfig {
            close_at_end: true,
            ..config()
        },
    )
    .unwrap();
    assert_eq!(one.result.trades.len(), 1);
    assert_eq!(one.result.final_equity(), 10_500.0);
}
