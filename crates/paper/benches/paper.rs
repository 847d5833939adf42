//! Paper trading replay speed: the S&P 500's 5,105 daily bars fed one at a time to a session
//! (journal to a sink, no state; and with state saved after every bar), beside the batch backtest
//! of the same genome on the same bars (the in-run reference). Throughput is bars per second;
//! the per-bar latency of the live engine (median and 99th percentile) is printed after the runs.
//!
//! Run: `cargo bench -p gauntlet-paper --bench paper`.

use gauntlet_testkit::repository;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gauntlet_backtest::{BacktestConfig, LiveEngine, Market, run_backtest};
use gauntlet_data::Catalog;
use gauntlet_genome::Genome;
use gauntlet_paper::{PaperSettings, run_session, series_feed};

fn benches(criterion: &mut Criterion) {
    let catalog = Catalog::open(&repository().join("datasets")).unwrap();
    let (entry, series) = catalog.load("sp500-1d").unwrap();
    let text =
        std::fs::read_to_string(repository().join("genomes/multi-factor-origin.json")).unwrap();
    let genome = Genome::from_json(&text).unwrap();
    let config = BacktestConfig {
        bars_per_year: entry.bars_per_year,
        ..BacktestConfig::default()
    };
    let bars = series.len() as u64;
    let stop = AtomicBool::new(false);
    let settings = |state_dir: Option<PathBuf>| PaperSettings {
        symbol: entry.symbol.clone(),
        config,
        flatten_on_exit: true,
        speed: None,
        state_dir,
        feed_name: "sp500-1d".into(),
        feed_identity: "dataset sp500-1d".into(),
        live: false,
    };

    let mut group = criterion.benchmark_group("paper_replay_sp500_5105_bars");
    group.throughput(Throughput::Elements(bars));
    group.sample_size(20);
    group.bench_function("session_journal_no_state", |bench| {
        bench.iter(|| {
            let summary = run_session(
                genome.clone(),
                &settings(None),
                series_feed(&series),
                None,
                Some(Box::new(std::io::sink())),
                &stop,
            )
            .unwrap();
            black_box(summary)
        })
    });
    let market = Market::new(entry.symbol.clone(), series.clone());
    group.bench_function("batch_backtest_reference", |bench| {
        bench.iter(|| black_box(run_backtest(&genome, &market, &config).unwrap()))
    });
    group.sample_size(10);
    group.bench_function("session_journal_state_every_bar", |bench| {
        bench.iter(|| {
            let folder = tempfile::tempdir().unwrap();
            let summary = run_session(
                genome.clone(),
                &settings(Some(folder.path().to_path_buf())),
                series_feed(&series),
                None,
                Some(Box::new(std::io::sink())),
                &stop,
            )
            .unwrap();
            black_box(summary)
        })
    });
    group.finish();

    // Per-bar latency of the live engine (10 replays).
    let mut latencies: Vec<f64> = Vec::with_capacity(series.len() * 10);
    for _ in 0..10 {
        let mut engine = LiveEngine::new(genome.clone(), entry.symbol.clone(), config).unwrap();
        for bar in series.bars() {
            let started = Instant::now();
            black_box(engine.on_bar(bar, false).unwrap());
            latencies.push(started.elapsed().as_secs_f64() * 1e6);
        }
    }
    latencies.sort_by(f64::total_cmp);
    let percentile = |share: f64| latencies[((latencies.len() - 1) as f64 * share) as usize];
    eprintln!(
        "live engine per-bar latency over {} bars: median {:.2} us, p99 {:.2} us, max {:.2} us",
        latencies.len(),
        percentile(0.5),
        percentile(0.99),
        latencies[latencies.len() - 1]
    );
}

criterion_group!(paper, benches);
criterion_main!(paper);
