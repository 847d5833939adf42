//! `gauntlet.backtest`: a genome on DataFrames, as `gauntlet backtest` runs it on datasets.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{
    ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMillisecondArray,
};
use arrow_pyarrow::{PyArrowType, Table};
use gauntlet_backtest::report::{
    NamedMarket, ReportedRun, TradeRecord, run_reports, trade_records,
};
use gauntlet_backtest::{FillConvention, Market};
use gauntlet_genome::Genome;
use gauntlet_run::champion_file::{
    TradingConditions, TradingOverrides, champion_trading, champion_trading_text,
};
use pyo3::prelude::*;

use crate::convert::{out, series};
use crate::{Failure, Kind, without_gil};

/// Where a genome comes from.
pub(crate) enum GenomeSource {
    /// A genome or champion file's JSON text (the Python dict, dumped).
    Json(String),
    /// A genome or champion file.
    File(PathBuf),
    /// A formula in gauntlet-blocks' language: the genome [`formula_genome_json`] makes of it.
    Formula(String),
}

/// The genome a bare formula makes (as JSON): long only, entering at the next open after a close
/// where the formula holds and leaving at the next open after a close where it does not (its exit
/// formula is `not (FORMULA)`, exit reason `formula`), no stops, target or time limit, all of the
/// equity in each position (fixed fraction 100%, no leverage), no account limits; named `formula`.
pub(crate) fn formula_genome_json(formula: &str) -> String {
    serde_json::json!({
        "schema": 1,
        "name": "formula",
        "entry": {
            "direction": "long",
            "logic": {
                "kind": "formula",
                "long": formula,
                "exit_long": format!("not ({formula})"),
            },
        },
        "exit": {},
        "sizing": {
            "method": { "method": "fixed_fraction", "fraction_pct": 100.0 },
            "max_position_pct": 100.0,
            "leverage_cap": 1.0,
            "max_positions": 1,
        },
    })
    .to_string()
}

impl GenomeSource {
    /// The source `kind` names: `json` (the text of a genome or champion file), `file` (its
    /// path) or `formula` (a formula's text).
    pub(crate) fn new(kind: &str, genome: String) -> Result<Self, Failure> {
        match kind {
            "json" => Ok(Self::Json(genome)),
            "file" => Ok(Self::File(PathBuf::from(genome))),
            "formula" => Ok(Self::Formula(genome)),
            other => Err(Failure::text(
                Kind::Genome,
                format!("unknown genome kind {other}"),
            )),
        }
    }
}

/// A fill convention's name (`next_open`, `close`) read.
pub(crate) fn parse_fill(fill: Option<String>) -> Result<Option<FillConvention>, Failure> {
    fill.map(|text| text.parse::<FillConvention>())
        .transpose()
        .map_err(|error| Failure::new(Kind::Any, &error))
}

/// The genome and, for a champion, the trading conditions it was bred with.
pub(crate) fn read_genome(
    source: &GenomeSource,
) -> Result<(Genome, Option<TradingConditions>), Failure> {
    let genome_error = |error: gauntlet_genome::GenomeError| Failure::new(Kind::Genome, &error);
    let run_error = |error: gauntlet_run::RunError| Failure::new(Kind::Genome, &error);
    match source {
        GenomeSource::Json(text) => {
            let origin = Path::new("genome");
            let genome = gauntlet_genome::read_genome_text(text, origin).map_err(genome_error)?;
            Ok((
                genome,
                champion_trading_text(text, origin).map_err(run_error)?,
            ))
        }
        GenomeSource::File(path) => {
            let genome = gauntlet_genome::read_genome_file(path).map_err(genome_error)?;
            Ok((genome, champion_trading(path).map_err(run_error)?))
        }
        // A formula's mistakes name its field and position as the CLI's do
        // (`formula: entry.logic.long: formula 1:17: expected an expression`): the long formula
        // is checked first, and it is the text given.
        GenomeSource::Formula(formula) => {
            let text = formula_genome_json(formula);
            let genome = gauntlet_genome::read_genome_text(&text, Path::new("formula"))
                .map_err(genome_error)?;
            Ok((genome, None))
        }
    }
}

/// The closed trades of `run` as a table: `symbol`, `side` (`long`/`short`), `entry_time`,
/// `exit_time` (timestamp[ms, UTC], the fill bars' open times), `entry_price`, `exit_price`,
/// `gross_pnl`, `commission`, `net_pnl` (quote currency), `quantity` (units), `pnl_pct` (percent
/// of the entry value), `bars_held`, `exit_reason`: the columns of `--trades-out`.
fn trades_batch(run: &ReportedRun) -> Result<RecordBatch, Failure> {
    let records = trade_records(&run.strategy);
    let trades = &run.strategy.trades;
    let text = |pick: for<'a> fn(&TradeRecord<'a>) -> &'a str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(records.iter().map(pick)))
    };
    let number = |pick: fn(&TradeRecord<'_>) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from_iter_values(records.iter().map(pick)))
    };
    let time = |pick: fn(&gauntlet_backtest::Trade) -> i64| -> ArrayRef {
        Arc::new(
            TimestampMillisecondArray::from_iter_values(trades.iter().map(pick))
                .with_timezone("UTC"),
        )
    };
    let bars_held: ArrayRef =
        Arc::new(Int64Array::from_iter_values(records.iter().map(|record| {
            i64::try_from(record.bars_held).unwrap_or(i64::MAX)
        })));
    RecordBatch::try_from_iter([
        ("symbol", text(|record| record.symbol)),
        ("side", text(|record| record.side)),
        ("entry_time", time(|trade| trade.entry_time.millis())),
        ("entry_price", number(|record| record.entry_price)),
        ("exit_time", time(|trade| trade.exit_time.millis())),
        ("exit_price", number(|record| record.exit_price)),
        ("quantity", number(|record| record.quantity)),
        ("gross_pnl", number(|record| record.gross_pnl)),
        ("commission", number(|record| record.commission)),
        ("net_pnl", number(|record| record.net_pnl)),
        ("pnl_pct", number(|record| record.pnl_pct)),
        ("bars_held", bars_held),
        ("exit_reason", text(|record| record.exit_reason)),
    ])
    .map_err(|error| Failure::new(Kind::Any, &error))
}

/// The equity curve of `run`: `ts` (bar open time, UTC), `equity` (quote currency, after the
/// bar), `return` (the bar's return, a fraction, from the initial capital before bar 0) and
/// `buy_and_hold` (the benchmark's equity): the columns of `--equity-out`.
fn equity_batch(run: &ReportedRun) -> Result<RecordBatch, Failure> {
    let returns = run.strategy.returns();
    let columns: [(&str, &[f64]); 3] = [
        ("equity", &run.strategy.equity),
        ("return", &returns),
        ("buy_and_hold", &run.benchmark.equity),
    ];
    gauntlet_data::time_batch(&run.timestamps, &columns, &Default::default())
        .map_err(|message| Failure::text(Kind::Any, message))
}

/// One backtest's output: the report as JSON, the trades and the equity curve.
type Output = (String, PyArrowType<RecordBatch>, PyArrowType<RecordBatch>);

/// Backtests a genome on `frames` (name, Arrow table), each on its own or with `portfolio` in
/// one shared account, as `gauntlet backtest` does: a champion trades with its own costs and
/// fill unless a keyword overrides them; the rest are Gauntlet's defaults (10 bps commission, no
/// spread, 5 bps slippage, next-open fills, 100,000 capital, 252 bars per year). `genome_kind` is
/// `json` (the text of a genome or champion file) or `file` (its path). Returns the genome's
/// rules in English and one (report JSON, trades, equity) per backtest.
#[pyfunction]
#[pyo3(signature = (
    frames, genome_kind, genome, *, commission_bps=None, spread_bps=None, slippage_bps=None,
    fill=None, capital=None, bars_per_year=None, keep_open_at_end=false, portfolio=false
))]
#[allow(clippy::too_many_arguments)] // Python keyword arguments, one per CLI flag
pub(crate) fn backtest(
    py: Python<'_>,
    frames: Vec<(String, PyArrowType<Table>)>,
    genome_kind: &str,
    genome: String,
    commission_bps: Option<f64>,
    spread_bps: Option<f64>,
    slippage_bps: Option<f64>,
    fill: Option<String>,
    capital: Option<f64>,
    bars_per_year: Option<f64>,
    keep_open_at_end: bool,
    portfolio: bool,
) -> PyResult<(String, Vec<Output>)> {
    let source = GenomeSource::new(genome_kind, genome).map_err(Failure::into_py)?;
    let frames: Vec<(String, Table)> = frames
        .into_iter()
        .map(|(name, table)| (name, table.0))
        .collect();
    let (rules, runs) = without_gil(py, move || {
        let fill = parse_fill(fill)?;
        if let Some(rate) = bars_per_year {
            gauntlet_core::bars_per_year_number(&rate.to_string())
                .map_err(|message| Failure::text(Kind::Any, format!("bars_per_year: {message}")))?;
        }
        let (genome, champion) = read_genome(&source)?;
        let overrides = TradingOverrides {
            commission_bps,
            spread_bps,
            slippage_bps,
            fill,
            capital,
        };
        let (conditions, _) = champion
            .unwrap_or(TradingConditions::DEFAULT)
            .overridden(&overrides);
        let markets = frames
            .iter()
            .map(|(name, table)| {
                let label = format!("frame '{name}'");
                Ok(NamedMarket {
                    name: name.clone(),
                    market: Market::new(name.as_str(), series(&label, table)?),
                    config: conditions
                        .backtest_config(!keep_open_at_end, bars_per_year.unwrap_or(252.0)),
                })
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        let runs = run_reports(&genome, &markets, portfolio)
            .map_err(|error| Failure::new(Kind::Any, &error))?;
        let outputs = runs
            .iter()
            .map(|run| {
                let report = serde_json::to_string(&run.report)
                    .map_err(|error| Failure::new(Kind::Any, &error))?;
                Ok((report, trades_batch(run)?, equity_batch(run)?))
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        Ok((genome.describe(), outputs))
    })?;
    let runs = runs
        .into_iter()
        .map(|(report, trades, equity)| (report, out(trades), out(equity)))
        .collect();
    Ok((rules, runs))
}

/// Backtests every genome of a population file (one genome JSON per line) on one frame, in
/// parallel, as `gauntlet backtest --population` does: one row per genome in file order, `id`
/// (its name or `line-N`), `buys`, `sells`, `stop_loss_exits`, `take_profit_exits`, then every
/// metric (rates as fractions; NaN where undefined): the columns of `--summary-out`.
#[pyfunction]
#[pyo3(signature = (
    table, name, population, *, commission_bps=None, spread_bps=None, slippage_bps=None,
    fill=None, capital=None, bars_per_year=None, keep_open_at_end=false
))]
#[allow(clippy::too_many_arguments)] // Python keyword arguments, one per CLI flag
pub(crate) fn population(
    py: Python<'_>,
    table: PyArrowType<Table>,
    name: String,
    population: PathBuf,
    commission_bps: Option<f64>,
    spread_bps: Option<f64>,
    slippage_bps: Option<f64>,
    fill: Option<String>,
    capital: Option<f64>,
    bars_per_year: Option<f64>,
    keep_open_at_end: bool,
) -> PyResult<PyArrowType<RecordBatch>> {
    let table = table.0;
    let batch = without_gil(py, move || {
        let (conditions, _) = TradingConditions::DEFAULT.overridden(&TradingOverrides {
            commission_bps,
            spread_bps,
            slippage_bps,
            fill: parse_fill(fill)?,
            capital,
        });
        let config = conditions.backtest_config(!keep_open_at_end, bars_per_year.unwrap_or(252.0));
        let market = Market::new(name.as_str(), series(&format!("frame '{name}'"), &table)?);
        let genomes = gauntlet_genome::read_population_file(&population)
            .map_err(|error| Failure::new(Kind::Genome, &error))?;
        let rows = gauntlet_tournament::population::score_population(&genomes, &market, &config)
            .map_err(|error| Failure::new(Kind::Any, &error))?;
        let count =
            |pick: fn(&gauntlet_tournament::population::PopulationRow) -> usize| -> ArrayRef {
                Arc::new(Int64Array::from_iter_values(
                    rows.iter()
                        .map(|row| i64::try_from(pick(row)).unwrap_or(i64::MAX)),
                ))
            };
        let mut columns: Vec<(String, ArrayRef)> = vec![
            (
                "id".into(),
                Arc::new(StringArray::from_iter_values(
                    rows.iter().map(|row| &row.id),
                )),
            ),
            ("buys".into(), count(|row| row.buys)),
            ("sells".into(), count(|row| row.sells)),
            ("stop_loss_exits".into(), count(|row| row.stop_loss_exits)),
            (
                "take_profit_exits".into(),
                count(|row| row.take_profit_exits),
            ),
        ];
        let named: Vec<Vec<(&str, f64)>> =
            rows.iter().map(|row| row.metrics.named_values()).collect();
        if let Some(first) = named.first() {
            for (index, (metric, _)) in first.iter().enumerate() {
                let values = named.iter().map(|values| values[index].1);
                columns.push((
                    (*metric).to_string(),
                    Arc::new(Float64Array::from_iter_values(values)),
                ));
            }
        }
        RecordBatch::try_from_iter(columns).map_err(|error| Failure::new(Kind::Any, &error))
    })?;
    Ok(out(batch))
}
