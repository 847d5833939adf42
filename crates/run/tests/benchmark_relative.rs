//! Every genome's score carries its alpha, beta, information ratio and tracking error against
//! buy-and-hold of the symbol: gauntlet-stats' figures (empyrical parity is tested there) of the
//! backtest's bar returns against the close-to-close returns of the same bars, computed here by hand
//! from the bundled data; and buy-and-hold itself has beta 1 and no tracking error.

use gauntlet_backtest::run_backtest;
use gauntlet_data::Catalog;
use gauntlet_genome::Genome;
use gauntlet_run::{Experiment, QUICKSTART_TOML};
use gauntlet_stats::BenchmarkRelative;
use gauntlet_testkit::repository;
use gauntlet_tournament::{Part, Universe};

#[test]
fn scores_carry_the_figures_against_buy_and_hold() {
    let experiment = Experiment::from_toml(QUICKSTART_TOML, &repository()).unwrap();
    let catalog = Catalog::open(&repository().join("datasets")).unwrap();
    let loaded = ["sp500-1d", "eurusd-1h"]
        .iter()
        .map(|name| catalog.load(name).unwrap())
        .collect();
    let universe =
        Universe::new(loaded, experiment.split, experiment.costs, 1 << 26, None).unwrap();
    let genome = Genome::from_json(
        &std::fs::read_to_string(repository().join("genomes/sma-50-200-crossover.json")).unwrap(),
    )
    .unwrap();
    for part in [Part::InSample, Part::Holdout] {
        let score = universe.score(&genome, part).unwrap();
        for (symbol, scored) in universe.symbols.iter().zip(&score.symbols) {
            let market = symbol.market(part);
            let result = run_backtest(&genome, market, &universe.config(symbol)).unwrap();
            let close = market.series().close();
            let mut benchmark = vec![0.0];
            benchmark.extend(close.windows(2).map(|pair| pair[1] / pair[0] - 1.0));
            let want =
                BenchmarkRelative::of(&result.returns(), &benchmark, 0.0, symbol.bars_per_year)
                    .unwrap();
            assert_eq!(
                scored.alpha.to_bits(),
                want.alpha.to_bits(),
                "{}",
                symbol.dataset
            );
            assert_eq!(scored.beta.to_bits(), want.beta.to_bits());
            assert_eq!(
                scored.information_ratio.to_bits(),
                want.information_ratio.to_bits()
            );
            assert_eq!(
                scored.tracking_error.to_bits(),
                want.tracking_error.to_bits()
            );
            assert!(want.beta.is_finite() && want.tracking_error > 0.0);
            // Buy-and-hold against itself: beta 1, no alpha, no tracking error.
            let itself = BenchmarkRelative::of(&benchmark, &benchmark, 0.0, 252.0).unwrap();
            assert!((itself.beta - 1.0).abs() < 1e-12 && itself.alpha.abs() < 1e-12);
            assert_eq!(itself.tracking_error, 0.0);
        }
    }
}
