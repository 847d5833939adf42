//! Parity with vectorbt 1.2.0 on the W1 workload (`tests/reference/w1/`, a copy of the team's shared
//! reference): 1000 long-only SMA-crossover genomes with a stop-loss and a take-profit, on the bundled
//! S&P 500 daily series, in the comparison mode (fill at the signal bar's close, all-in, 10 bps
//! commission, initial cash 1e10, an open position marked at the last close). Every genome's buys and
//! sells must equal vectorbt's and its final equity agree to 1e-9 relative.

use std::path::PathBuf;

use gauntlet_backtest::{
    BacktestConfig, CostModel, FillConvention, Market, run_backtest, run_backtest_orders,
};
use gauntlet_data::Catalog;
use gauntlet_testkit::w1_genome;

fn reference(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference/w1")
        .join(file)
}

#[test]
fn every_w1_genome_matches_vectorbt() {
    let catalog =
        Catalog::open(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../datasets")).unwrap();
    let (_, series) = catalog.load("sp500-1d").unwrap();
    assert_eq!(series.len(), 5_105);
    let market = Market::new("^GSPC", series);
    let config = BacktestConfig {
        initial_capital: 1e10,
        costs: CostModel {
            commission_bps: 10.0,
            spread_bps: 0.0,
            slippage_bps: 0.0,
        },
        fill: FillConvention::Close,
        close_at_end: false,
        bars_per_year: 252.0,
    };
    let mut population = csv::Reader::from_path(reference("population.csv")).unwrap();
    let mut expected = csv::Reader::from_path(reference("sp500_1d_expected_vectorbt.csv")).unwrap();
    let mut compared = 0;
    let mut worst = 0.0f64;
    for (genome_row, expected_row) in population.records().zip(expected.records()) {
        let (genome_row, expected_row) = (genome_row.unwrap(), expected_row.unwrap());
        assert_eq!(&genome_row[0], &expected_row[0], "rows in the same order");
        let field = |row: &csv::StringRecord, index: usize| row[index].parse::<f64>().unwrap();
        let genome = w1_genome(
            genome_row[1].parse().unwrap(),
            genome_row[2].parse().unwrap(),
            field(&genome_row, 3),
            field(&genome_row, 4),
        );
        let result = run_backtest(&genome, &market, &config).unwrap();
        let id = &genome_row[0];
        assert_eq!(
            result.buys,
            expected_row[2].parse::<usize>().unwrap(),
            "genome {id}: buys"
        );
        assert_eq!(
            result.sells,
            expected_row[3].parse::<usize>().unwrap(),
            "genome {id}: sells"
        );
        let want = field(&expected_row, 1);
        let relative = (result.final_equity() - want).abs() / want;
        worst = worst.max(relative);
        assert!(
            relative <= 1e-9,
            "genome {id}: final equity {} vs vectorbt {want}",
            result.final_equity()
        );
        // The orders-only run (what the speed bench compares with vectorbt's from_signals) makes
        // the same trades and ends on the same equity, bit for bit.
        let orders = run_backtest_orders(&genome, &market, &config).unwrap();
        assert_eq!(
            orders.trades, result.trades,
            "genome {id}: orders-only trades"
        );
        assert_eq!(
            orders.final_equity.to_bits(),
            result.final_equity().to_bits(),
            "genome {id}: orders-only final equity"
        );
        assert_eq!((orders.buys, orders.sells), (result.buys, result.sells));
        compared += 1;
    }
    assert_eq!(compared, 1_000);
    eprintln!("W1: 1000 genomes match vectorbt; worst relative difference {worst:e}");
}
