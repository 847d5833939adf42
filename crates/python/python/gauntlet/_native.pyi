"""Type stubs of the native module (``crates/python/src``); the public API is ``gauntlet``."""

from typing import Any, Callable

import pyarrow

CHECKOUT_DATASETS: str

class GauntletError(Exception):
    """Any error Gauntlet reports, with the CLI's message (file, row, column or field)."""

class FrameError(GauntletError):
    """A DataFrame that cannot be read as bars; the message names the column and row."""

class GenomeError(GauntletError):
    """A genome (dict, genome file or champion file) that does not read or is invalid."""

class DataError(GauntletError):
    """A dataset or catalog that cannot be read."""

class RunError(GauntletError):
    """An experiment, a run folder or a run that fails."""

class InternalError(GauntletError):
    """A bug in Gauntlet: a Rust panic caught at the boundary."""

def datasets(datasets_dir: str | None = None) -> str:
    """The catalog listing as JSON (``gauntlet data list --json``)."""

def load(name: str, datasets_dir: str | None = None) -> tuple[pyarrow.RecordBatch, str]:
    """A dataset's bars (``ts`` timestamp[ms, UTC], ``open`` ... ``volume`` float64) and its
    catalog entry as JSON."""

def bars(table: Any, frame: str = "frame") -> pyarrow.RecordBatch:
    """An Arrow table's bars as Gauntlet reads and checks them (the layout of :func:`load`)."""

def backtest(
    frames: list[tuple[str, Any]],
    genome_kind: str,
    genome: str,
    *,
    commission_bps: float | None = None,
    spread_bps: float | None = None,
    slippage_bps: float | None = None,
    fill: str | None = None,
    capital: float | None = None,
    bars_per_year: float | None = None,
    keep_open_at_end: bool = False,
    portfolio: bool = False,
) -> tuple[str, list[tuple[str, pyarrow.RecordBatch, pyarrow.RecordBatch]]]:
    """The genome's rules and one (report JSON, trades, equity) per backtest."""

def evolve(
    experiment: str | None = None,
    *,
    data: list[tuple[str, Any]] | None = None,
    threads: int | None = None,
    out: str | None = None,
    progress: Callable[[str, int, int, str], None] | None = None,
    resume: str | None = None,
    datasets_dir: str | None = None,
    seed: int | None = None,
    generations: int | None = None,
    population: int | None = None,
    category: str | None = None,
) -> tuple[str, str, bool]:
    """The run folder, the CLI's closing text and whether the run was interrupted."""

def read_run(
    path: str,
) -> tuple[
    str,
    pyarrow.RecordBatch,
    pyarrow.RecordBatch,
    pyarrow.RecordBatch,
    list[tuple[str, str]],
]:
    """``run.json`` as JSON, the leaderboard, capital and generations tables, and each
    category's champion as JSON."""

def panic_for_tests() -> None:
    """Panics in Rust (the tests check it becomes :class:`InternalError`)."""

def export(run: str, category: str, to: str, force: bool = False) -> str:
    """A run's champion exported as a champion file into ``to``; its path."""

def export_code(
    format: str,
    run: str | None,
    category: str | None,
    genome_kind: str | None,
    genome: str | None,
    to: str | None,
    bars_per_year: float,
    force: bool,
) -> tuple[str | None, str | None, list[str]]:
    """A run's champion or a genome as code of ``format``: (the path written, or None; the code,
    or None when written; the platform's notes)."""

def validate(
    genome_kind: str,
    genome: str,
    datasets: list[str],
    *,
    trials: float | None = None,
    trial_sharpe_std: float | None = None,
    seed: int = 42,
    volatility_index: str | None = None,
    commission_bps: float | None = None,
    spread_bps: float | None = None,
    slippage_bps: float | None = None,
    fill: str | None = None,
    capital: float | None = None,
    datasets_dir: str | None = None,
) -> str:
    """``gauntlet validate --json``: the reports keyed by dataset, as JSON."""

def study(
    experiment: str | None = None,
    *,
    seeds: int = 5,
    first_seed: int = 1,
    out: str | None = None,
    threads: int | None = None,
    generations: int | None = None,
    population: int | None = None,
    datasets_dir: str | None = None,
) -> tuple[str, str]:
    """The study folder and ``study.json`` as JSON."""

def population(
    table: Any,
    name: str,
    population: str,
    *,
    commission_bps: float | None = None,
    spread_bps: float | None = None,
    slippage_bps: float | None = None,
    fill: str | None = None,
    capital: float | None = None,
    bars_per_year: float | None = None,
    keep_open_at_end: bool = False,
) -> pyarrow.RecordBatch:
    """``gauntlet backtest --population``'s summary rows."""
