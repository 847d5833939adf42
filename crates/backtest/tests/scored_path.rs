//! The scoring path (`run_backtest_scored`: equity straight into the metrics' one pass, flat
//! stretches in bulk, no curve) gives the same metrics, bar returns and trades, bit for bit, as
//! `run_backtest` followed by `metrics_and_returns`: for the seed genomes and 200 seeded random
//! genomes (every rule kind, exit and sizing method; half with risk limits that make the engine
//! walk every bar) on daily stock, hourly forex and close-only commodity data, both fill
//! conventions.

use gauntlet_backtest::{
    BacktestConfig, CostModel, FillConvention, Market, Metrics, run_backtest, run_backtest_scored,
};
use gauntlet_data::Catalog;
use gauntlet_genome::{RiskLimits, random_genome};
use gauntlet_testkit::{repository, seed_genomes};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn bits(metrics: &Metrics) -> Vec<u64> {
    metrics
        .named_values()
        .iter()
        .map(|(_, value)| value.to_bits())
        .collect()
}

#[test]
fn the_scored_path_is_the_two_step_path_to_the_bit() {
    let catalog = Catalog::open(&repository().join("datasets")).unwrap();
    let mut genomes = seed_genomes();
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    for index in 0..200 {
        let risk = if index % 2 == 0 {
            RiskLimits::default()
        } else {
            RiskLimits {
                daily_loss_limit_pct: Some(2.0),
                max_drawdown_halt_pct: Some(25.0),
                consecutive_loss_limit: Some(5),
            }
        };
        genomes.push(random_genome(&mut rng, risk));
    }
    let mut compared = 0;
    for (dataset, fill) in [
        ("msft-1d", FillConvention::NextOpen),
        ("eurusd-1h", FillConvention::NextOpen),
        ("wti-1d", FillConvention::Close),
    ] {
        let (entry, series) = catalog.load(dataset).unwrap();
        let market = Market::new(entry.symbol.clone(), series);
        let config = BacktestConfig {
            initial_capital: 100_000.0,
            costs: CostModel {
                commission_bps: 5.0,
                spread_bps: 2.0,
                slippage_bps: 1.0,
            },
            fill,
            close_at_end: true,
            bars_per_year: entry.bars_per_year,
        };
        for genome in &genomes {
            let result = run_backtest(genome, &market, &config).unwrap();
            let (metrics, returns) =
                result.metrics_and_returns(market.series().timestamps(), entry.bars_per_year);
            let scored = run_backtest_scored(genome, &market, &config).unwrap();
            assert_eq!(
                bits(&scored.metrics),
                bits(&metrics),
                "{dataset}: {genome:?}"
            );
            assert_eq!(scored.returns.len(), returns.len());
            assert!(
                scored
                    .returns
                    .iter()
                    .zip(&returns)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{dataset}: returns differ"
            );
            assert_eq!(scored.trades, result.trades);
            compared += 1;
        }
    }
    assert_eq!(compared, 3 * (200 + seed_genomes().len()));
}
