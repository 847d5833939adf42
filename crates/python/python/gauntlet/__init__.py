"""Gauntlet from Python: backtest and breed trading strategies on pandas and polars DataFrames.

Bars go in as a pandas DataFrame (a ``DatetimeIndex`` or a time column; tz-aware times are
converted to UTC, naive ones are taken as UTC), a polars DataFrame, or a pyarrow Table, with
columns ``open``, ``high``, ``low``, ``close`` (or ``close`` alone) and optionally ``volume``,
matched without regard to case, spaces, ``_`` and ``-`` (so yfinance's ``Open`` ... ``Volume``
and ccxt's ``timestamp, open, high, low, close, volume`` read as they are). Prices are in quote
currency, volume in units of the instrument, one row per bar, times the bar's open, strictly
increasing.

Tables come back as polars DataFrames (``to="pandas"`` for pandas) with UTC timestamps. Every
error is a :class:`GauntletError` (a bad frame a :class:`FrameError` naming the column and row).
The Rust work runs with the GIL released.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping, Union, overload

import pyarrow as pa

from . import _native
from ._native import (
    DataError,
    FrameError,
    GauntletError,
    GenomeError,
    InternalError,
    RunError,
)

if TYPE_CHECKING:
    import pandas
    import polars

__all__ = [
    "BacktestResult",
    "DataError",
    "FrameError",
    "GauntletError",
    "GenomeError",
    "InternalError",
    "Run",
    "RunError",
    "backtest",
    "backtest_population",
    "bars",
    "datasets",
    "evolve",
    "export",
    "load",
    "study",
    "validate",
]

#: The DataFrame flavour a function returns: ``"polars"`` (the default) or ``"pandas"``.
Flavour = Literal["polars", "pandas"]
#: Anything that holds bars: a pandas or polars DataFrame, a pyarrow Table or RecordBatch, or any
#: object with ``__arrow_c_stream__``.
Frame = Any
#: A genome: a dict (a genome or champion file's JSON, or a run's champion from
#: ``Run.champions``), the path of a genome or champion file, or a formula in gauntlet-blocks'
#: language (``"rsi(close, 2) < 10 and close > sma(close, 200)"``; see :func:`backtest`).
GenomeLike = Union[Mapping[str, Any], str, "os.PathLike[str]"]
#: A code format :func:`export` writes: backtesting.py (``python``), Pine Script v6 (``pine``),
#: NautilusTrader (``nautilus``) or freqtrade (``freqtrade``).
CodeFormat = Literal["python", "pine", "nautilus", "freqtrade"]
#: A progress callable: ``callback(kind, done, total, message)``.
ProgressCallback = Callable[[str, int, int, str], None]

PathLike = Union[str, "os.PathLike[str]"]
DataFrame = Union["polars.DataFrame", "pandas.DataFrame"]


def _frame_out(table: pa.RecordBatch | pa.Table, to: Flavour, index: str | None) -> Any:
    """An Arrow table as the DataFrame flavour asked for; pandas frames get ``index`` as index."""
    if to == "polars":
        import polars as pl

        return pl.from_arrow(table)
    if to == "pandas":
        frame = table.to_pandas()
        if index is not None and index in frame.columns:
            frame = frame.set_index(index)
        return frame
    raise ValueError(f"to= must be 'polars' or 'pandas', not {to!r}")


def _pandas_to_arrow(frame: Any, name: str) -> pa.Table:
    """A pandas frame as a pyarrow table: a ``DatetimeIndex`` (or a named index) becomes a
    column; a column pyarrow cannot convert (mixed objects) becomes text, which the reader
    refuses by name if it needs that column."""
    import pandas as pd

    if isinstance(frame.columns, pd.MultiIndex):
        raise FrameError(
            f"{name}: has MultiIndex columns {list(frame.columns[:3])}...; for yfinance's "
            "download() pass frame.xs(ticker, axis=1, level='Ticker') per ticker (or "
            "multi_level_index=False)"
        )
    if isinstance(frame.index, pd.DatetimeIndex) or frame.index.name is not None:
        index_name = frame.index.name if frame.index.name is not None else "ts"
        if index_name in frame.columns:
            raise FrameError(f"{name}: the index and a column are both named {index_name!r}")
        frame = frame.rename_axis(index_name).reset_index()
    arrays: list[pa.Array] = []
    names: list[str] = []
    for column in frame.columns:
        values = frame[column]
        if not isinstance(values, pd.Series):
            raise FrameError(f"{name}, column {column!r}: appears more than once")
        try:
            array = pa.array(values, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as error:
            array = pa.array([repr(value) for value in values], type=pa.string())
            if str(column).strip().lower() in {"open", "high", "low", "close", "volume"}:
                raise FrameError(
                    f"{name}, column {column!r}: is {values.dtype} holding values that are not "
                    f"numbers ({error})"
                ) from None
        arrays.append(array)
        names.append(str(column))
    return pa.Table.from_arrays(arrays, names=names)


def _to_arrow(frame: Frame, name: str) -> Any:
    """Anything that holds bars as an Arrow table (or stream) for the native module."""
    module = type(frame).__module__
    if module.startswith("pandas"):
        return _pandas_to_arrow(frame, name)
    if module.startswith("polars"):
        return frame.to_arrow()
    if isinstance(frame, pa.RecordBatch):
        return pa.Table.from_batches([frame])
    if isinstance(frame, pa.Table) or hasattr(frame, "__arrow_c_stream__"):
        return frame
    raise FrameError(
        f"{name}: expected a pandas or polars DataFrame (or a pyarrow Table), got "
        f"{type(frame).__name__}"
    )


def datasets(*, datasets_dir: PathLike | None = None, to: Flavour = "polars") -> Any:
    """The bundled catalog (``gauntlet data list``): one row per dataset with its ``name``,
    ``symbol``, ``asset_class``, ``interval``, ``rows``, ``first`` and ``last`` bar dates, and
    provenance. ``datasets_dir`` defaults as in the CLI (``$GAUNTLET_DATASETS``, ``./datasets``,
    the checkout's ``datasets/``)."""
    rows = json.loads(_native.datasets(_path(datasets_dir)))
    table = pa.Table.from_pylist([_flat(row) for row in rows])
    return _frame_out(table, to, None)


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """A listing row with nested objects as JSON text (one column each)."""
    return {
        key: json.dumps(value) if isinstance(value, (dict, list)) else value
        for key, value in row.items()
    }


def load(name: str, *, datasets_dir: PathLike | None = None, to: Flavour = "polars") -> Any:
    """A catalog dataset's bars: ``ts`` (bar open time, UTC; the pandas index), ``open``,
    ``high``, ``low``, ``close`` (quote currency; a close-only dataset has null open/high/low)
    and ``volume`` (units; null when the source has none), one row per bar.

    Raises :class:`DataError` for an unknown name (naming the nearest ones)."""
    batch, _entry = _native.load(name, _path(datasets_dir))
    return _frame_out(batch, to, "ts")


def bars(frame: Frame, *, to: Flavour = "polars") -> Any:
    """``frame`` as Gauntlet reads it (the same columns as :func:`load`), after the checks every
    dataset passes: raises :class:`FrameError` naming the column and row otherwise."""
    return _frame_out(_native.bars(_to_arrow(frame, "frame"), "frame"), to, "ts")


def _path(value: PathLike | None) -> str | None:
    return None if value is None else os.fspath(value)


@dataclass
class BacktestResult:
    """One backtest: the strategy against buy-and-hold on the same bars.

    ``metrics`` and ``buy_and_hold`` hold the empyrical-style measures (``total_return``,
    ``cagr``, ``sharpe``, ``sortino``, ``max_drawdown`` ... rates as fractions), ``report`` the
    whole report as ``gauntlet backtest --json`` prints it. ``trades`` has one row per closed
    trade (``--trades-out``'s columns, times as UTC timestamps) and ``equity`` one row per bar
    (``ts``, ``equity`` and ``buy_and_hold`` in quote currency, ``return`` a fraction).
    """

    name: str
    rules: str
    report: dict[str, Any]
    _trades: pa.RecordBatch = field(repr=False)
    _equity: pa.RecordBatch = field(repr=False)
    to: Flavour = "polars"

    @property
    def metrics(self) -> dict[str, Any]:
        """The strategy's measures (a dict of floats; rates as fractions)."""
        return dict(self.report["metrics"])

    @property
    def buy_and_hold(self) -> dict[str, Any]:
        """Buy-and-hold's measures on the same bars."""
        return dict(self.report["buy_and_hold"])

    @property
    def trades(self) -> Any:
        """The closed trades, one row each (a DataFrame of the result's flavour)."""
        return _frame_out(self._trades, self.to, None)

    @property
    def equity(self) -> Any:
        """The equity curve, one row per bar (pandas: indexed by ``ts``)."""
        return _frame_out(self._equity, self.to, "ts")

    def to_pandas(self) -> BacktestResult:
        """The same result with pandas DataFrames."""
        return BacktestResult(self.name, self.rules, self.report, self._trades, self._equity, "pandas")

    def to_polars(self) -> BacktestResult:
        """The same result with polars DataFrames."""
        return BacktestResult(self.name, self.rules, self.report, self._trades, self._equity, "polars")


def _genome(genome: GenomeLike) -> tuple[str, str]:
    if isinstance(genome, Mapping):
        if "genome" in genome and "format" not in genome:
            # A run's champion (`Run.champions[c]`): its genome, traded with the costs given here
            # (an exported champion file carries its own).
            return "json", json.dumps(genome["genome"])
        return "json", json.dumps(genome)
    if isinstance(genome, os.PathLike) or (
        isinstance(genome, str) and genome.strip().lower().endswith(".json")
    ):
        text = os.fspath(genome)
        if os.path.exists(text):
            return "file", text
        raise GenomeError(
            f"genome {text!r}: no such file (a genome is a dict, a genome or champion file, or a "
            "formula)"
        )
    if isinstance(genome, str):
        if genome.lstrip().startswith("{"):
            return "json", genome
        if os.path.exists(genome):
            return "file", genome
        # Anything else is a formula (a mistake in it is a GenomeError naming its position).
        return "formula", genome
    raise GenomeError(f"genome: expected a dict or a file path, got {type(genome).__name__}")


@overload
def backtest(
    bars: Mapping[str, Frame],
    genome: GenomeLike,
    *,
    commission_bps: float | None = ...,
    spread_bps: float | None = ...,
    slippage_bps: float | None = ...,
    fill: Literal["next_open", "close"] | None = ...,
    capital: float | None = ...,
    bars_per_year: float | None = ...,
    keep_open_at_end: bool = ...,
    portfolio: Literal[False] = ...,
    to: Flavour = ...,
) -> dict[str, BacktestResult]: ...


@overload
def backtest(
    bars: Frame,
    genome: GenomeLike,
    *,
    commission_bps: float | None = ...,
    spread_bps: float | None = ...,
    slippage_bps: float | None = ...,
    fill: Literal["next_open", "close"] | None = ...,
    capital: float | None = ...,
    bars_per_year: float | None = ...,
    keep_open_at_end: bool = ...,
    portfolio: bool = ...,
    to: Flavour = ...,
) -> BacktestResult: ...


def backtest(
    bars: Frame | Mapping[str, Frame],
    genome: GenomeLike,
    *,
    commission_bps: float | None = None,
    spread_bps: float | None = None,
    slippage_bps: float | None = None,
    fill: Literal["next_open", "close"] | None = None,
    capital: float | None = None,
    bars_per_year: float | None = None,
    keep_open_at_end: bool = False,
    portfolio: bool = False,
    to: Flavour = "polars",
) -> BacktestResult | dict[str, BacktestResult]:
    """Backtests ``genome`` on ``bars`` as ``gauntlet backtest`` does, against buy-and-hold.

    ``bars`` is one frame (its symbol is ``frame``) or a dict symbol -> frame, each backtested on
    its own (a dict of results) or, with ``portfolio=True``, in one shared account against the
    equal-weight buy-and-hold (one result). Costs: ``commission_bps`` per side of traded value
    (default 10), ``spread_bps`` the full bid-ask spread (default 0, half paid per fill),
    ``slippage_bps`` per fill (default 5); ``fill`` ``next_open`` (default) or ``close``;
    ``capital`` in quote currency (default 100,000); ``bars_per_year`` for annualising (default
    252). A champion file trades with its own costs and fill unless these override them.
    Positions still open at the last bar close there unless ``keep_open_at_end``.

    ``genome`` is a dict, a genome or champion file (a path; a string ending in ``.json``), or a
    formula in gauntlet-blocks' language (any other string that is not a file), such as
    ``"rsi(close, 2) < 10 and close > sma(close, 200)"``. A bare formula makes a long-only genome
    named ``formula`` that holds a position while the formula holds: it enters at the next open
    after a close where the formula holds and exits at the next open after a close where it does
    not (its exit formula is ``not (FORMULA)``, exit reason ``formula``), with no stop, target or
    time limit, all of the equity in the position (fixed fraction 100%, no leverage) and no account
    limits. For another direction, exits or stops, give a genome dict with ``"kind": "formula"``
    (``genomes/formulas/rsi-2-formula.json``). A malformed formula raises :class:`GenomeError`
    with the CLI's message (``formula: entry.logic.long: formula 1:17: expected an expression``).
    """
    kind, text = _genome(genome)
    single = not isinstance(bars, Mapping)
    named = {"frame": bars} if single else dict(bars)
    frames = [(str(name), _to_arrow(frame, f"frame '{name}'")) for name, frame in named.items()]
    rules, runs = _native.backtest(
        frames,
        kind,
        text,
        commission_bps=commission_bps,
        spread_bps=spread_bps,
        slippage_bps=slippage_bps,
        fill=fill,
        capital=capital,
        bars_per_year=bars_per_year,
        keep_open_at_end=keep_open_at_end,
        portfolio=portfolio,
    )
    results = [
        BacktestResult(report["dataset"], rules, report, trades, equity, to)
        for report, trades, equity in ((json.loads(r), t, e) for r, t, e in runs)
    ]
    if single or portfolio:
        return results[0]
    return {result.name: result for result in results}


def backtest_population(
    bars: Frame,
    population: PathLike,
    *,
    symbol: str = "frame",
    commission_bps: float | None = None,
    spread_bps: float | None = None,
    slippage_bps: float | None = None,
    fill: Literal["next_open", "close"] | None = None,
    capital: float | None = None,
    bars_per_year: float | None = None,
    keep_open_at_end: bool = False,
    to: Flavour = "polars",
) -> Any:
    """Backtests every genome of a population file (one genome JSON per line) on ``bars``, in
    parallel with the GIL released, as ``gauntlet backtest --population`` does: a DataFrame with
    one row per genome in file order, ``id``, ``buys``, ``sells``, ``stop_loss_exits``,
    ``take_profit_exits`` and every metric (rates as fractions, NaN where undefined), the columns
    of ``--summary-out``. Costs as in :func:`backtest`."""
    batch = _native.population(
        _to_arrow(bars, f"frame '{symbol}'"),
        symbol,
        os.fspath(population),
        commission_bps=commission_bps,
        spread_bps=spread_bps,
        slippage_bps=slippage_bps,
        fill=fill,
        capital=capital,
        bars_per_year=bars_per_year,
        keep_open_at_end=keep_open_at_end,
    )
    return _frame_out(batch, to, None)


class _TqdmProgress:
    """Progress as tqdm bars (``tqdm.auto``: a widget in Jupyter), one per phase."""

    def __init__(self) -> None:
        from tqdm.auto import tqdm

        self._tqdm = tqdm
        self._bar: Any = None
        self._kind = ""

    def __call__(self, kind: str, done: int, total: int, message: str) -> None:
        if self._bar is None or kind != self._kind:
            self.close()
            self._bar = self._tqdm(total=total or None, desc=kind, leave=kind == "generation")
            self._kind = kind
        if total:
            self._bar.total = total
        self._bar.n = done
        if message and message != kind:
            self._bar.set_postfix_str(message, refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def evolve(
    experiment: PathLike | None = None,
    data: Mapping[str, Frame] | None = None,
    threads: int | None = None,
    out: PathLike | None = None,
    progress: bool | ProgressCallback = True,
    resume: PathLike | None = None,
    *,
    seed: int | None = None,
    generations: int | None = None,
    population: int | None = None,
    category: str | None = None,
    datasets_dir: PathLike | None = None,
) -> Run:
    """Breeds strategies as ``gauntlet evolve`` does and returns the :class:`Run`.

    ``experiment`` is an experiment TOML (default: the built-in quickstart); ``data`` maps
    catalog dataset names to frames that replace their bars; ``threads`` scoring threads
    (default every core; results do not depend on it); ``out`` the run folder (default the
    experiment's next free ``<output_dir>/<name>``), which must not exist or be empty.
    ``progress``: ``True`` shows tqdm bars (when tqdm is installed), ``False`` nothing, or a
    callable ``callback(kind, done, total, message)``. ``resume`` continues an interrupted run's
    folder instead (the result is byte for byte the uninterrupted run's).

    Ctrl-C (SIGINT) stops the run once the generation in progress is checkpointed and raises
    ``KeyboardInterrupt``; ``evolve(resume=folder)`` then finishes it.
    """
    bar: _TqdmProgress | None = None
    callback: ProgressCallback | None
    if progress is True:
        try:
            bar = _TqdmProgress()
        except ImportError:
            bar = None
        callback = bar
    elif progress is False:
        callback = None
    else:
        callback = progress
    frames = (
        None
        if data is None
        else [(str(name), _to_arrow(frame, f"data['{name}']")) for name, frame in data.items()]
    )
    try:
        folder, _summary, _interrupted = _native.evolve(
            _path(experiment),
            data=frames,
            threads=threads,
            out=_path(out),
            progress=callback,
            resume=_path(resume),
            datasets_dir=_path(datasets_dir),
            seed=seed,
            generations=generations,
            population=population,
            category=category,
        )
    finally:
        if bar is not None:
            bar.close()
    return Run.open(folder)


@overload
def export(
    run: PathLike | Run,
    category: str,
    *,
    format: Literal["json"] = ...,
    to: PathLike = ...,
    force: bool = ...,
) -> Path: ...


@overload
def export(
    run: PathLike | Run | None = ...,
    category: str | None = ...,
    *,
    genome: GenomeLike | None = ...,
    format: CodeFormat,
    to: None = ...,
    force: bool = ...,
    bars_per_year: float = ...,
) -> str: ...


@overload
def export(
    run: PathLike | Run | None = ...,
    category: str | None = ...,
    *,
    genome: GenomeLike | None = ...,
    format: CodeFormat,
    to: PathLike,
    force: bool = ...,
    bars_per_year: float = ...,
) -> Path: ...


def export(
    run: PathLike | Run | None = None,
    category: str | None = None,
    *,
    genome: GenomeLike | None = None,
    format: Literal["json"] | CodeFormat = "json",
    to: PathLike | None = None,
    force: bool = False,
    bars_per_year: float = 252.0,
) -> Path | str:
    """Exports a run's champion of ``category``, or ``genome``, as ``gauntlet export`` does.

    ``format="json"`` (the default) writes the champion as a champion file (versioned JSON) into
    the folder ``to`` (default ``genomes``): the file ``gauntlet paper`` and :func:`backtest` run
    with the costs and fill it was bred with; it returns the file's path.

    The code formats, ``python`` (a backtesting.py module), ``pine`` (a Pine Script v6 strategy),
    ``nautilus`` (a NautilusTrader strategy module) and ``freqtrade`` (a freqtrade strategy
    module), take the champion or a ``genome`` (as :func:`backtest` takes it: a dict, a genome or
    champion file, or a formula) and return the code as text, the module ``gauntlet export
    --format F --to -`` prints; with ``to`` they write it there (a folder gets the CLI's file
    name) and return the path. ``bars_per_year`` (default 252) annualises volatility-target
    sizing in the module (the CLI's ``--bars-per-year``). What a platform trades differently from
    Gauntlet is in the module's header (the CLI prints it as ``note:`` lines).

    Refused (:class:`RunError`) when the champion failed the validation gate or the file exists,
    unless ``force``."""
    folder = run.path if isinstance(run, Run) else run
    if format == "json":
        if genome is not None:
            raise RunError("a genome exports to the code formats, not json (it is a genome file)")
        if folder is None or category is None:
            raise RunError("give a run folder and a category")
        target = "genomes" if to is None else to
        return Path(_native.export(os.fspath(folder), category, os.fspath(target), force))
    kind, text = _genome(genome) if genome is not None else (None, None)
    path, code, _notes = _native.export_code(
        format,
        None if folder is None else os.fspath(folder),
        category,
        kind,
        text,
        None if to is None else os.fspath(to),
        float(bars_per_year),
        force,
    )
    if path is not None:
        return Path(path)
    assert code is not None
    return code


def validate(
    genome: GenomeLike,
    datasets: str | list[str],
    *,
    trials: float | None = None,
    trial_sharpe_std: float | None = None,
    seed: int = 42,
    volatility_index: str | None = None,
    commission_bps: float | None = None,
    spread_bps: float | None = None,
    slippage_bps: float | None = None,
    fill: Literal["next_open", "close"] | None = None,
    capital: float | None = None,
    datasets_dir: PathLike | None = None,
) -> dict[str, dict[str, Any]]:
    """Everything Gauntlet can say against one genome (``gauntlet validate --json``), per catalog
    dataset: the Probabilistic Sharpe Ratio, the minimum track record length, the Deflated Sharpe
    Ratio when ``trials`` (how many strategies it was chosen from) and ``trial_sharpe_std`` (their
    per-bar Sharpe ratios' standard deviation) are given, Monte Carlo trade-resampling bands
    (seeded by ``seed``), the validation gate, crash windows and volatility regimes (from
    ``volatility_index``, a dataset such as ``vix-1d``, else each series' own volatility).
    Costs as in :func:`backtest`."""
    kind, text = _genome(genome)
    names = [datasets] if isinstance(datasets, str) else list(datasets)
    result: dict[str, dict[str, Any]] = json.loads(
        _native.validate(
            kind,
            text,
            names,
            trials=trials,
            trial_sharpe_std=trial_sharpe_std,
            seed=seed,
            volatility_index=volatility_index,
            commission_bps=commission_bps,
            spread_bps=spread_bps,
            slippage_bps=slippage_bps,
            fill=fill,
            capital=capital,
            datasets_dir=_path(datasets_dir),
        )
    )
    return result


def study(
    experiment: PathLike | None = None,
    *,
    seeds: int = 5,
    first_seed: int = 1,
    out: PathLike | None = None,
    threads: int | None = None,
    generations: int | None = None,
    population: int | None = None,
    datasets_dir: PathLike | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Does evolution beat chance here? (``gauntlet study``): the experiment run with ``seeds``
    seeds from ``first_seed`` (each run in ``<out>/seed-<seed>/``, a :class:`Run`), each
    champion against random search at the same budget on the holdout, with a one-sided
    Mann-Whitney U test. Returns the study folder and its ``study.json`` (``p_value``,
    ``verdict``, one entry per seed). The HTML report is the CLI's: ``gauntlet report FOLDER``."""
    folder, text = _native.study(
        _path(experiment),
        seeds=seeds,
        first_seed=first_seed,
        out=_path(out),
        threads=threads,
        generations=generations,
        population=population,
        datasets_dir=_path(datasets_dir),
    )
    summary: dict[str, Any] = json.loads(text)
    return Path(folder), summary


class Run:
    """A run folder (``reports/<run>/``), read through Gauntlet's own types.

    ``leaderboard`` has one row per agent of the last generation (fitness, capital, every
    metric); ``capital`` one row per agent and generation (tier, factor, capital before and
    after, the reason); ``generations`` one row per island and generation (best and median
    fitness ...); ``champions`` maps each category to its champion (genome, validation and
    holdout results); ``verdict`` is the run's plain verdict; ``manifest`` all of ``run.json``.
    """

    def __init__(self, path: PathLike, *, to: Flavour = "polars") -> None:
        self.path = Path(path)
        self.to: Flavour = to
        manifest, leaderboard, capital, generations, champions = _native.read_run(os.fspath(path))
        self.manifest: dict[str, Any] = json.loads(manifest)
        self._leaderboard = leaderboard
        self._capital = capital
        self._generations = generations
        self.champions: dict[str, dict[str, Any]] = {
            category: json.loads(text) for category, text in champions
        }

    @classmethod
    def open(cls, path: PathLike, *, to: Flavour = "polars") -> Run:
        """The run in the folder ``path`` (finished, interrupted or in progress)."""
        return cls(path, to=to)

    @property
    def verdict(self) -> dict[str, Any] | None:
        """The run's verdict: evolution against random search on validation and holdout."""
        value = self.manifest.get("verdict")
        return None if value is None else dict(value)

    @property
    def leaderboard(self) -> Any:
        """The final leaderboard (a DataFrame)."""
        return _frame_out(self._leaderboard, self.to, None)

    @property
    def capital(self) -> Any:
        """The capital reallocation of every generation (a DataFrame)."""
        return _frame_out(self._capital, self.to, None)

    @property
    def generations(self) -> Any:
        """Statistics per island and generation (a DataFrame)."""
        return _frame_out(self._generations, self.to, None)

    def to_pandas(self) -> Run:
        """The same run with pandas DataFrames."""
        return Run(self.path, to="pandas")

    def __repr__(self) -> str:
        return f"Run({os.fspath(self.path)!r})"
