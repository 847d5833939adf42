//! Metrics of a list of closed trades (plain definitions, as in the hand-computed reference vectors).

use serde::Serialize;

/// Metrics of a trade list. Money amounts are in the account currency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TradeMetrics {
    /// Number of closed trades.
    pub trades: usize,
    /// Trades with a positive net P&L.
    pub wins: usize,
    /// Trades with a negative net P&L.
    pub losses: usize,
    /// Trades with a net P&L of exactly zero.
    pub breakeven: usize,
    /// Sum of the winning trades' P&L.
    pub gross_profit: f64,
    /// Sum of the losing trades' P&L, as a positive amount.
    pub gross_loss: f64,
    /// Sum of all P&L.
    pub net_profit: f64,
    /// `wins / trades` (breakeven trades count as non-wins), a fraction; `NaN` without trades.
    pub win_rate: f64,
    /// `gross_profit / gross_loss`; infinite with profits and no loss, `NaN` with neither.
    pub profit_factor: f64,
    /// Mean P&L of winning trades (`NaN` without wins).
    pub average_win: f64,
    /// Mean loss of losing trades, as a positive amount (`NaN` without losses).
    pub average_loss: f64,
    /// `average_win / average_loss`.
    pub payoff_ratio: f64,
    /// Mean P&L per trade: `win_rate * average_win - loss_rate * average_loss`.
    pub expectancy: f64,
    /// Expectancy in R multiples (Van Tharp): the mean of `pnl / initial_risk` when each trade's risk at
    /// entry (stop distance x quantity) is known; otherwise `expectancy / average_loss` (R taken as the
    /// average loss).
    pub expectancy_r: f64,
}

/// Computes [`TradeMetrics`] from each trade's net P&L and, optionally, its initial risk (same order;
/// a trade without a stop has no risk and makes the whole list fall back to R = average loss).
pub fn trade_metrics(pnl: &[f64], initial_risk: Option<&[f64]>) -> TradeMetrics {
    let trades = pnl.len();
    // Sums and counts straight from the filtered trades (the same additions in the same order as
    // summing collected lists, without building them: this runs for every genome scored).
    let winning = || pnl.iter().copied().filter(|value| *value > 0.0);
    let losing = || pnl.iter().copied().filter(|value| *value < 0.0);
    let (wins, losses) = (winning().count(), losing().count());
    let gross_profit: f64 = winning().sum();
    let gross_loss: f64 = -losing().sum::<f64>();
    let net_profit: f64 = pnl.iter().sum();
    let ratio = |numerator: f64, denominator: usize| {
        if denominator == 0 {
            f64::NAN
        } else {
            numerator / denominator as f64
        }
    };
    let average_win = ratio(gross_profit, wins);
    let average_loss = ratio(gross_loss, losses);
    let profit_factor = if gross_loss > 0.0 {
        gross_profit / gross_loss
    } else if gross_profit > 0.0 {
        f64::INFINITY
    } else {
        f64::NAN
    };
    let expectancy = ratio(net_profit, trades);
    let expectancy_r = match initial_risk {
        Some(risks) if risks.len() == trades && risks.iter().all(|risk| *risk > 0.0) => ratio(
            pnl.iter()
                .zip(risks)
                .map(|(value, risk)| value / risk)
                .sum(),
            trades,
        ),
        _ => expectancy / average_loss,
    };
    TradeMetrics {
        trades,
        wins,
        losses,
        breakeven: trades - wins - losses,
        gross_profit,
        gross_loss,
        net_profit,
        win_rate: ratio(wins as f64, trades),
        profit_factor,
        average_win,
        average_loss,
        payoff_ratio: average_win / average_loss,
        expectancy,
        expectancy_r,
    }
}

/// Mean and median of trade durations in bars (`NaN` for none; the median of an even count is the
/// mean of the two middle values).
pub fn duration_stats(durations_in_bars: &[usize]) -> (f64, f64) {
    if durations_in_bars.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mut sorted = durations_in_bars.to_vec();
    sorted.sort_unstable();
    let count = sorted.len();
    let mean = sorted.iter().sum::<usize>() as f64 / count as f64;
    let median = if count % 2 == 1 {
        sorted[count / 2] as f64
    } else {
        (sorted[count / 2 - 1] + sorted[count / 2]) as f64 / 2.0
    };
    (mean, median)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_by_hand() {
        assert_eq!(duration_stats(&[3, 1, 2]), (2.0, 2.0));
        assert_eq!(duration_stats(&[4, 1, 2, 10]), (4.25, 3.0));
        assert!(duration_stats(&[]).0.is_nan());
    }

    #[test]
    fn expectancy_in_r_uses_each_trades_risk_when_known() {
        // Trades +200 (risked 100) and -50 (risked 100): R multiples 2.0 and -0.5, mean 0.75.
        let metrics = trade_metrics(&[200.0, -50.0], Some(&[100.0, 100.0]));
        assert_eq!(metrics.expectancy_r, 0.75);
        // Without risks, R is the average loss (50): expectancy 75 / 50 = 1.5.
        assert_eq!(trade_metrics(&[200.0, -50.0], None).expectancy_r, 1.5);
        let no_losses = trade_metrics(&[10.0], None);
        assert_eq!(no_losses.profit_factor, f64::INFINITY);
    }
}
