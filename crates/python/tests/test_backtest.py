"""gauntlet.backtest against `gauntlet backtest` on the same bars: the same trades, exactly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

import gauntlet
from conftest import REPOSITORY, run_cli

GENOMES = REPOSITORY / "genomes"
TRADE_COLUMNS = [
    "symbol", "side", "entry_time", "entry_price", "exit_time", "exit_price", "quantity",
    "gross_pnl", "commission", "net_pnl", "pnl_pct", "bars_held", "exit_reason",
]


def cli_trades(cli: Path, tmp_path: Path, dataset: str, genome: Path, *flags: str) -> pd.DataFrame:
    out = tmp_path / "trades.csv"
    run_cli(cli, "backtest", "--dataset", dataset, "--genome", str(genome), "--trades-out", str(out), *flags)
    frame = pd.read_csv(out)
    for column in ("entry_time", "exit_time"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


@pytest.mark.parametrize(
    "genome", ["rsi-2-mean-reversion.json", "sma-50-200-crossover.json", "donchian-20-10-breakout.json"]
)
def test_a_pandas_frame_gives_the_cli_trades_exactly(cli: Path, tmp_path: Path, genome: str) -> None:
    expected = cli_trades(cli, tmp_path, "sp500-1d", GENOMES / genome)
    bars = gauntlet.load("sp500-1d", to="pandas")
    assert isinstance(bars.index, pd.DatetimeIndex) and str(bars.index.tz) == "UTC"
    result = gauntlet.backtest(bars, GENOMES / genome, to="pandas")
    trades = result.trades
    assert list(trades.columns) == TRADE_COLUMNS
    assert len(trades) == len(expected) > 0
    # The CLI writes each float as its shortest round-trip text, so equality is exact.
    for column in TRADE_COLUMNS:
        if column == "symbol":  # the CLI's is the dataset's symbol, a frame's its name
            continue
        left, right = trades[column], expected[column]
        if column.endswith("_time"):  # both UTC instants, compared in milliseconds
            left = left.map(lambda time: time.value // 10**6)
            right = right.map(lambda time: time.value // 10**6)
        assert left.tolist() == right.tolist(), column


def test_the_report_matches_the_cli_json(cli: Path) -> None:
    genome = GENOMES / "rsi-2-mean-reversion.json"
    expected = json.loads(run_cli(cli, "backtest", "--dataset", "sp500-1d", "--genome", str(genome), "--json"))
    result = gauntlet.backtest(gauntlet.load("sp500-1d"), genome)
    assert isinstance(result, gauntlet.BacktestResult)
    assert result.rules == expected["rules"]
    mine, theirs = result.report, expected["datasets"][0]
    assert mine["metrics"] == theirs["metrics"]
    assert mine["buy_and_hold"] == theirs["buy_and_hold"]
    assert (mine["buys"], mine["sells"]) == (theirs["buys"], theirs["sells"])


def test_costs_and_fill_are_the_cli_flags(cli: Path, tmp_path: Path) -> None:
    genome = GENOMES / "sma-50-200-crossover.json"
    expected = cli_trades(
        cli, tmp_path, "sp500-1d", genome,
        "--commission-bps", "3", "--spread-bps", "4", "--slippage-bps", "0", "--fill", "close", "--capital", "5000",
    )
    result = gauntlet.backtest(
        gauntlet.load("sp500-1d"), genome,
        commission_bps=3, spread_bps=4, slippage_bps=0, fill="close", capital=5000,
    )
    trades = result.trades
    assert isinstance(trades, pl.DataFrame)
    assert trades["net_pnl"].to_list() == expected["net_pnl"].tolist()
    assert trades["entry_price"].to_list() == expected["entry_price"].tolist()


def test_a_champion_file_trades_with_its_own_costs(cli: Path, tmp_path: Path) -> None:
    champion = GENOMES / "champions" / "quickstart-monthly_performance.json"
    expected = cli_trades(cli, tmp_path, "msft-1d", champion)
    result = gauntlet.backtest(gauntlet.load("msft-1d"), champion)
    assert result.trades["net_pnl"].to_list() == expected["net_pnl"].tolist()
    # And the same champion given as a dict.
    as_dict = gauntlet.backtest(gauntlet.load("msft-1d"), json.loads(champion.read_text()))
    assert as_dict.trades["net_pnl"].to_list() == expected["net_pnl"].tolist()


def test_polars_pandas_naive_and_aware_frames_trade_alike() -> None:
    genome = GENOMES / "rsi-2-mean-reversion.json"
    polars_bars = gauntlet.load("sp500-1d")
    pandas_bars = gauntlet.load("sp500-1d", to="pandas")
    naive = pandas_bars.tz_convert(None)  # wall-clock UTC without a zone: taken as UTC
    new_york = pandas_bars.tz_convert("America/New_York")  # the same instants
    column = pandas_bars.reset_index().rename(columns={"ts": "Date"})  # a time column, no index
    results = [gauntlet.backtest(frame, genome) for frame in (polars_bars, pandas_bars, naive, new_york, column)]
    first = results[0].trades
    for other in results[1:]:
        assert other.trades.equals(first)
        assert other.metrics == results[0].metrics
    equity = results[0].equity
    assert equity.columns == ["ts", "equity", "return", "buy_and_hold"]
    assert str(equity.schema["ts"]) == "Datetime(time_unit='ms', time_zone='UTC')"
    assert len(equity) == len(polars_bars)


def test_a_dict_of_frames_backtests_each_or_one_portfolio(cli: Path) -> None:
    genome = GENOMES / "sma-50-200-crossover.json"
    frames = {"sp500-1d": gauntlet.load("sp500-1d"), "msft-1d": gauntlet.load("msft-1d")}
    each = gauntlet.backtest(frames, genome)
    assert isinstance(each, dict) and sorted(each) == ["msft-1d", "sp500-1d"]
    assert set(each["msft-1d"].trades["symbol"].to_list()) <= {"msft-1d"}
    portfolio = gauntlet.backtest(frames, genome, portfolio=True)
    expected = json.loads(
        run_cli(cli, "backtest", "--dataset", "sp500-1d,msft-1d", "--portfolio", "--genome", str(genome), "--json")
    )
    assert isinstance(portfolio, gauntlet.BacktestResult)
    assert portfolio.metrics == expected["datasets"][0]["metrics"]


def test_genome_errors_are_genome_errors() -> None:
    bars = gauntlet.load("sp500-1d")
    with pytest.raises(gauntlet.GenomeError, match="no such file"):
        gauntlet.backtest(bars, "no-such-genome.json")
    with pytest.raises(gauntlet.GenomeError, match="genome"):
        gauntlet.backtest(bars, {"schema": 1, "entry": {}})
    with pytest.raises(gauntlet.GauntletError):
        gauntlet.backtest(bars, GENOMES / "rsi-2-mean-reversion.json", fill="tomorrow")  # type: ignore[arg-type]


def test_a_rust_panic_is_an_exception_not_an_abort() -> None:
    with pytest.raises(gauntlet.InternalError, match="a test asked for a panic"):
        gauntlet._native.panic_for_tests()


def test_a_population_gives_the_cli_summary_exactly(cli: Path, tmp_path: Path) -> None:
    genomes = sorted(GENOMES.glob("*.json"))
    population = tmp_path / "population.jsonl"
    population.write_text("".join(json.dumps(json.loads(path.read_text())) + "\n" for path in genomes))
    summary = tmp_path / "summary.csv"
    run_cli(cli, "backtest", "--dataset", "sp500-1d", "--population", str(population), "--summary-out", str(summary))
    expected = pd.read_csv(summary)
    mine = gauntlet.backtest_population(gauntlet.load("sp500-1d", to="pandas"), population, to="pandas")
    assert list(mine.columns) == list(expected.columns)
    assert len(mine) == len(genomes)
    assert mine["id"].tolist() == expected["id"].tolist()
    for column in expected.columns[1:]:  # exact: the CLI writes shortest round-trip floats
        left, right = mine[column].astype(float).to_numpy(), expected[column].astype(float).to_numpy()
        assert np.array_equal(left, right, equal_nan=True), column
