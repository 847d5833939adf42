//! The six tournament categories of DESIGN.md and excess over buy-and-hold (#32) as fitness
//! functions, with the eligibility rules that keep an agent that never trades from winning
//! anything. Higher fitness is better in every category.
//! Metric definitions are empyrical's (gauntlet-stats).
//!
//! How figures are aggregated over the universe's symbols (the part being scored):
//! - return-series ratios (Sharpe, Sortino, drawdown, stability, positive months, high-volatility
//!   return) are the **mean over symbols** of each symbol's figure, or the **worst symbol's**
//!   where a category says so: each symbol has its own calendar, so its returns cannot be pooled;
//! - trade ratios are **pooled** over every symbol's trades ([`GenomeScore::pooled_profit_factor`]:
//!   gross profit over gross loss of all trades, infinite without a losing trade; win rate and
//!   expectancy likewise), so one symbol without a losing trade no longer blanks the figure;
//! - **eligibility is checked per symbol first**: a genome is ranked only when it made at least
//!   [`Eligibility::min_trades_per_symbol`] trades and was in the market at least
//!   [`Eligibility::min_exposure_per_symbol`] of the bars on *every* symbol the mean runs over, so
//!   no fitness rests on a symbol where it traded twice by luck.

use serde::{Deserialize, Serialize};

use crate::scoring::GenomeScore;

/// A tournament category: what a generation's agents are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Risk-adjusted return: the mean annualised Sharpe ratio.
    MonthlyPerformance,
    /// The smallest drawdown among profitable agents: minus the mean |maximum drawdown|.
    DrawdownResistance,
    /// Performance inside high-volatility regimes: the mean annualised return over bars whose
    /// 20-bar realised volatility (known at the previous close) is in the top third of the part's
    /// (the `high` regime label).
    VolatilityAdaptation,
    /// Worst case across symbols: the lowest annualised Sharpe ratio of any symbol.
    DiversificationMaster,
    /// Reward per unit of risk: the mean Sortino ratio plus ln(profit factor), the profit factor
    /// capped at 10.
    RiskManagement,
    /// Steadiness: the mean of (share of positive months x max(stability, 0)).
    ConsistencyChampion,
    /// Return beyond the market's: the mean over symbols of the annualised information ratio
    /// against buy-and-hold of the same symbol (mean per-bar return difference over its standard
    /// deviation, times √(bars per year); `gauntlet_stats::benchmark`, empyrical's
    /// `excess_sharpe` annualised). Positive only where the strategy beats simply holding.
    ExcessOverBuyAndHold,
}

/// Activity an agent needs before any category ranks it (`[eligibility]`; any field left out
/// takes its default). Checked on the part being scored: in-sample for breeding, validation for
/// choosing champions, holdout for reporting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Eligibility {
    /// Fewest closed trades over all symbols of the part (default 5).
    pub min_trades: usize,
    /// Lowest mean exposure over symbols (share of bars in the market, 0..1; default 0.02).
    pub min_exposure: f64,
    /// Fewest closed trades on each symbol of the part (default 3): a genome with fewer on any
    /// symbol is not ranked, so no category's mean rests on a symbol's two lucky trades.
    pub min_trades_per_symbol: usize,
    /// Lowest exposure on each symbol of the part (share of bars in the market, 0..1; default
    /// 0.01).
    pub min_exposure_per_symbol: f64,
}

impl Default for Eligibility {
    fn default() -> Self {
        Self {
            min_trades: 5,
            min_exposure: 0.02,
            min_trades_per_symbol: 3,
            min_exposure_per_symbol: 0.01,
        }
    }
}

/// A category's judgement of one genome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The fitness; `None` when not eligible or undefined.
    pub fitness: Option<f64>,
    /// Why there is no fitness, in words.
    pub ineligible_because: Option<String>,
}

impl Category {
    /// Every category, in DESIGN.md's order, then excess over buy-and-hold.
    pub const ALL: [Category; 7] = [
        Category::MonthlyPerformance,
        Category::DrawdownResistance,
        Category::VolatilityAdaptation,
        Category::DiversificationMaster,
        Category::RiskManagement,
        Category::ConsistencyChampion,
        Category::ExcessOverBuyAndHold,
    ];

    /// The snake_case name used in files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::MonthlyPerformance => "monthly_performance",
            Self::DrawdownResistance => "drawdown_resistance",
            Self::VolatilityAdaptation => "volatility_adaptation",
            Self::DiversificationMaster => "diversification_master",
            Self::RiskManagement => "risk_management",
            Self::ConsistencyChampion => "consistency_champion",
            Self::ExcessOverBuyAndHold => "excess_over_buy_and_hold",
        }
    }

    /// The category named `name`.
    ///
    /// # Errors
    /// A comma-separated list of category names, or `all` (every category in [`Category::ALL`]
    /// order); repeats are dropped, the first order kept.
    ///
    /// # Errors
    /// The message of [`Category::from_name`] for an unknown name, or a message for an empty list.
    pub fn parse_list(text: &str) -> Result<Vec<Self>, String> {
        if text.trim() == "all" {
            return Ok(Self::ALL.to_vec());
        }
        let mut categories = Vec::new();
        for name in text
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            let category = Self::from_name(name)?;
            if !categories.contains(&category) {
                categories.push(category);
            }
        }
        if categories.is_empty() {
            return Err("name at least one category, or all".into());
        }
        Ok(categories)
    }

    /// A message listing the valid names when `name` is none of them.
    pub fn from_name(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|category| category.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|category| category.name()).collect();
                format!(
                    "'{name}' is not a category; expected one of {}",
                    names.join(", ")
                )
            })
    }

    /// The fitness formula, in words (for reports).
    pub fn formula(self) -> &'static str {
        match self {
            Self::MonthlyPerformance => "mean over symbols of the annualised Sharpe ratio",
            Self::DrawdownResistance => {
                "minus the mean over symbols of |maximum drawdown|, among agents with a positive mean total return"
            }
            Self::VolatilityAdaptation => {
                "mean over symbols of the annualised mean bar return over high-volatility bars (20-bar realised volatility at the previous close in the top third of the part's)"
            }
            Self::DiversificationMaster => "the lowest annualised Sharpe ratio of any symbol",
            Self::RiskManagement => {
                "mean over symbols of the Sortino ratio plus ln(profit factor of all trades, capped at 10), among agents with a positive mean total return"
            }
            Self::ConsistencyChampion => {
                "mean over symbols of (share of positive months x max(stability, 0)), among agents with a positive mean total return"
            }
            Self::ExcessOverBuyAndHold => {
                "mean over symbols of the annualised information ratio against buy-and-hold of the same symbol"
            }
        }
    }

    /// Whether the category ranks only agents whose mean total return is positive.
    pub fn needs_positive_return(self) -> bool {
        matches!(
            self,
            Self::DrawdownResistance | Self::RiskManagement | Self::ConsistencyChampion
        )
    }

    /// Judges `score` (one genome on every symbol of a part).
    pub fn judge(self, score: &GenomeScore, eligibility: &Eligibility) -> Verdict {
        let ineligible = |why: String| Verdict {
            fitness: None,
            ineligible_because: Some(why),
        };
        for symbol in &score.symbols {
            if symbol.metrics.trades < eligibility.min_trades_per_symbol {
                return ineligible(format!(
                    "{} trades on {}, fewer than the {} required on each symbol",
                    symbol.metrics.trades, symbol.dataset, eligibility.min_trades_per_symbol
                ));
            }
            // NaN exposure (no bars) fails too.
            if symbol.metrics.exposure.is_nan()
                || symbol.metrics.exposure < eligibility.min_exposure_per_symbol
            {
                return ineligible(format!(
                    "exposure {:.4} on {}, below the {} required on each symbol",
                    symbol.metrics.exposure, symbol.dataset, eligibility.min_exposure_per_symbol
                ));
            }
        }
        let trades = score.total_trades();
        if trades < eligibility.min_trades {
            return ineligible(format!(
                "{trades} trades, fewer than the {} required",
                eligibility.min_trades
            ));
        }
        let exposure = score.mean(|symbol| symbol.metrics.exposure);
        if exposure < eligibility.min_exposure {
            return ineligible(format!(
                "exposure {exposure:.4}, below the {} required",
                eligibility.min_exposure
            ));
        }
        let mean_return = score.mean(|symbol| symbol.metrics.total_return);
        if self.needs_positive_return() && mean_return.is_finite() && mean_return <= 0.0 {
            return ineligible(format!(
                "mean total return {mean_return:.4} is not positive ({} ranks profitable agents only)",
                self.name()
            ));
        }
        let fitness = self.raw_measure(score);
        if fitness.is_finite() {
            Verdict {
                fitness: Some(fitness),
                ineligible_because: None,
            }
        } else {
            ineligible(format!("{} is undefined ({fitness})", self.name()))
        }
    }

    /// The category's measure of `score` whatever its eligibility (the fitness [`Category::judge`]
    /// gives an eligible genome, the same number): `None` only where undefined (no bars, a Sharpe
    /// ratio of a flat curve). What compares two genomes on a part where one of them traded too
    /// little to be ranked there (a short holdout), with the eligibility reported beside it. A
    /// score of no symbol has none.
    pub fn measure(self, score: &GenomeScore) -> Option<f64> {
        if score.symbols.is_empty() {
            return None;
        }
        Some(self.raw_measure(score)).filter(|value| value.is_finite())
    }

    fn raw_measure(self, score: &GenomeScore) -> f64 {
        match self {
            Self::MonthlyPerformance => score.mean(|symbol| symbol.metrics.sharpe),
            Self::DrawdownResistance => -score.mean(|symbol| symbol.metrics.max_drawdown.abs()),
            Self::VolatilityAdaptation => score.mean(|symbol| symbol.high_volatility_return),
            Self::DiversificationMaster => score.worst(|symbol| symbol.metrics.sharpe),
            Self::RiskManagement => {
                // Pooled over every symbol's trades; infinite (no loss) is capped like any other.
                let factor = score.pooled_profit_factor();
                let factor = if factor.is_nan() {
                    factor
                } else {
                    factor.min(10.0)
                };
                score.mean(|symbol| symbol.metrics.sortino) + factor.ln()
            }
            Self::ConsistencyChampion => score
                .mean(|symbol| symbol.metrics.positive_months * symbol.metrics.stability.max(0.0)),
            Self::ExcessOverBuyAndHold => score.mean(|symbol| symbol.information_ratio),
        }
    }
}

impl std::str::FromStr for Category {
    type Err = String;

    /// As [`Category::from_name`] (for command-line flags).
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::from_name(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::SymbolScore;
    use gauntlet_backtest::Metrics;
    use std::collections::BTreeMap;

    fn metrics(sharpe: f64, total_return: f64, max_drawdown: f64) -> Metrics {
        Metrics {
            final_equity: 100_000.0 * (1.0 + total_return),
            total_return,
            cagr: 0.0,
            annual_volatility: 0.2,
            sharpe,
            sortino: sharpe * 1.5,
            max_drawdown,
            max_drawdown_bars: 10,
            calmar: 0.0,
            omega: 1.0,
            tail_ratio: 1.0,
            stability: 0.5,
            trades: 4,
            win_rate: 0.5,
            profit_factor: 1.0,
            expectancy: 0.0,
            expectancy_r: f64::NAN,
            average_trade_bars: 5.0,
            median_trade_bars: 5.0,
            exposure: 0.3,
            positive_months: 0.6,
        }
    }

    fn score() -> GenomeScore {
        let symbol =
            |dataset: &str, metrics: Metrics, high: f64, profit: f64, loss: f64| SymbolScore {
                dataset: dataset.into(),
                metrics,
                gross_profit: profit,
                gross_loss: loss,
                high_volatility_return: high,
                alpha: f64::NAN,
                beta: f64::NAN,
                information_ratio: if dataset == "a" { 0.5 } else { -0.1 },
                tracking_error: f64::NAN,
            };
        GenomeScore {
            symbols: vec![
                symbol("a", metrics(1.2, 0.10, -0.08), 0.30, 3_000.0, 1_000.0),
                symbol("b", metrics(0.4, 0.02, -0.12), -0.10, 1_000.0, 1_000.0),
            ],
        }
    }

    #[test]
    fn each_category_computes_its_formula() {
        let score = score();
        let rules = Eligibility::default();
        let fitness = |category: Category| category.judge(&score, &rules).fitness.unwrap();
        // Mean Sharpe (1.2 + 0.4) / 2.
        assert!((fitness(Category::MonthlyPerformance) - 0.8).abs() < 1e-12);
        // Minus mean |drawdown| (0.08 + 0.12) / 2.
        assert!((fitness(Category::DrawdownResistance) + 0.10).abs() < 1e-12);
        // Mean high-volatility return (0.30 - 0.10) / 2.
        assert!((fitness(Category::VolatilityAdaptation) - 0.10).abs() < 1e-12);
        // Worst Sharpe.
        assert!((fitness(Category::DiversificationMaster) - 0.4).abs() < 1e-12);
        // Mean Sortino (1.8 + 0.6) / 2 + ln(4000 / 2000).
        assert!((fitness(Category::RiskManagement) - (1.2 + 2f64.ln())).abs() < 1e-12);
        // Mean of 0.6 x 0.5.
        assert!((fitness(Category::ConsistencyChampion) - 0.3).abs() < 1e-12);
        // Mean information ratio against buy-and-hold (0.5 - 0.1) / 2.
        assert!((fitness(Category::ExcessOverBuyAndHold) - 0.2).abs() < 1e-12);
    }

    #[test]
    fn an_agent_that_does_not_trade_wins_nothing() {
        let mut score = score();
        for symbol in &mut score.symbols {
            symbol.metrics.trades = 0;
        }
        for category in Category::ALL {
            let verdict = category.judge(&score, &Eligibility::default());
            assert_eq!(verdict.fitness, None);
            assert!(verdict.ineligible_because.unwrap().contains("0 trades"));
        }
    }

    #[test]
    fn profit_only_categories_refuse_losing_agents() {
        let mut score = score();
        for symbol in &mut score.symbols {
            symbol.metrics.total_return = -0.05;
        }
        for category in Category::ALL {
            let verdict = category.judge(&score, &Eligibility::default());
            assert_eq!(
                verdict.fitness.is_none(),
                category.needs_positive_return(),
                "{category:?}"
            );
        }
    }

    /// A symbol's score from a hand-written list of trades' net P&L (quote currency).
    fn symbol_from_trades(dataset: &str, pnl: &[f64]) -> SymbolScore {
        let wins = pnl.iter().filter(|value| **value > 0.0).count();
        let mut metrics = metrics(1.0, 0.05, -0.05);
        metrics.trades = pnl.len();
        metrics.win_rate = wins as f64 / pnl.len() as f64;
        metrics.expectancy = pnl.iter().sum::<f64>() / pnl.len() as f64;
        metrics.profit_factor = f64::INFINITY;
        SymbolScore {
            dataset: dataset.into(),
            metrics,
            gross_profit: pnl.iter().filter(|value| **value > 0.0).sum(),
            gross_loss: -pnl.iter().filter(|value| **value < 0.0).sum::<f64>(),
            high_volatility_return: 0.0,
            alpha: f64::NAN,
            beta: f64::NAN,
            information_ratio: f64::NAN,
            tracking_error: f64::NAN,
        }
    }

    #[test]
    fn the_measure_is_reported_apart_from_the_eligibility() {
        let score = score();
        // Symbol b traded too little for rules asking 1,000 trades per symbol: no fitness, but
        // the measure is the same mean Sharpe (1.2 + 0.4) / 2 an eligible genome would get.
        let strict = Eligibility {
            min_trades_per_symbol: 1_000,
            ..Eligibility::default()
        };
        let verdict = Category::MonthlyPerformance.judge(&score, &strict);
        assert_eq!(verdict.fitness, None);
        assert!(verdict.ineligible_because.unwrap().contains("trades on a"));
        let measure = Category::MonthlyPerformance.measure(&score).unwrap();
        assert!((measure - 0.8).abs() < 1e-12);
        for category in Category::ALL {
            let eligible = category.judge(&score, &Eligibility::default()).fitness;
            if let Some(fitness) = eligible {
                assert_eq!(
                    category.measure(&score),
                    Some(fitness),
                    "{}",
                    category.name()
                );
            }
        }
        // Undefined stays undefined.
        let empty = GenomeScore {
            symbols: Vec::new(),
        };
        assert_eq!(Category::MonthlyPerformance.measure(&empty), None);
    }

    #[test]
    fn a_symbol_without_a_losing_trade_does_not_blank_the_profit_factor() {
        // a: +500 -200 +300 -100; b: +400 +250 +150 (no loss, its own profit factor infinite).
        let score = GenomeScore {
            symbols: vec![
                symbol_from_trades("a", &[500.0, -200.0, 300.0, -100.0]),
                symbol_from_trades("b", &[400.0, 250.0, 150.0]),
            ],
        };
        // Pooled: (500 + 300 + 400 + 250 + 150) / (200 + 100) = 1600 / 300.
        assert!((score.pooled_profit_factor() - 16.0 / 3.0).abs() < 1e-12);
        let summary: BTreeMap<&str, f64> = score.summary().into_iter().collect();
        assert!((summary["profit_factor"] - 16.0 / 3.0).abs() < 1e-12);
        // 5 winners of 7 trades; net 1300 over 7 trades.
        assert!((summary["win_rate"] - 5.0 / 7.0).abs() < 1e-12);
        assert!((summary["expectancy"] - 1300.0 / 7.0).abs() < 1e-9);
        // Without any loss at all it is infinite, not undefined.
        let winners = GenomeScore {
            symbols: vec![symbol_from_trades("b", &[400.0, 250.0, 150.0])],
        };
        assert_eq!(winners.pooled_profit_factor(), f64::INFINITY);
        // risk_management caps it at 10: mean Sortino 1.5 + ln(10).
        let three_trades = Eligibility {
            min_trades: 3,
            ..Eligibility::default()
        };
        let fitness = Category::RiskManagement
            .judge(&winners, &three_trades)
            .fitness
            .unwrap();
        assert!((fitness - (1.5 + 10f64.ln())).abs() < 1e-12);
    }

    #[test]
    fn no_genome_is_ranked_on_a_symbol_where_it_barely_traded() {
        // 12 trades in all, but only 2 on c: the mean would rest on c's two lucky trades.
        let score = GenomeScore {
            symbols: vec![
                symbol_from_trades("a", &[100.0, -50.0, 80.0, 60.0, -20.0]),
                symbol_from_trades("b", &[30.0, 40.0, -10.0, 25.0, 35.0]),
                symbol_from_trades("c", &[900.0, 700.0]),
            ],
        };
        let rules = Eligibility {
            min_trades_per_symbol: 3,
            ..Eligibility::default()
        };
        for category in Category::ALL {
            let verdict = category.judge(&score, &rules);
            assert_eq!(verdict.fitness, None, "{category:?}");
            let why = verdict.ineligible_because.unwrap();
            assert!(
                why.contains("2 trades on c") && why.contains("3 required on each symbol"),
                "{why}"
            );
        }
        // With a third trade on c it is ranked.
        let mut score = score;
        score.symbols[2] = symbol_from_trades("c", &[900.0, 700.0, -100.0]);
        assert!(
            Category::MonthlyPerformance
                .judge(&score, &rules)
                .fitness
                .is_some()
        );
    }

    #[test]
    fn names_round_trip_and_misspellings_list_the_choices() {
        for category in Category::ALL {
            assert_eq!(Category::from_name(category.name()), Ok(category));
        }
        let message = Category::from_name("monthly_perfomance").unwrap_err();
        assert!(
            message.contains("monthly_performance, drawdown_resistance"),
            "{message}"
        );
    }
}
