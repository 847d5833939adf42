"""Checked by mypy (pyproject.toml), not run: the stubs and overloads give the types users see."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gauntlet


def one_frame(frame: Any) -> float:
    result: gauntlet.BacktestResult = gauntlet.backtest(frame, {"schema": 1}, fill="close")
    return float(result.metrics["sharpe"])


def several_frames(frames: dict[str, Any]) -> list[str]:
    results: dict[str, gauntlet.BacktestResult] = gauntlet.backtest(frames, Path("genome.json"))
    return sorted(results)


def a_run(folder: Path) -> str | None:
    run: gauntlet.Run = gauntlet.evolve(out=folder, progress=False, threads=2)
    exported: Path = gauntlet.export(run, "monthly_performance", to=folder)
    verdict = gauntlet.Run.open(run.path).verdict
    return None if verdict is None else str(verdict["run"]) + exported.name


def errors() -> list[type[gauntlet.GauntletError]]:
    return [gauntlet.FrameError, gauntlet.GenomeError, gauntlet.DataError, gauntlet.RunError]


def a_formula(frame: Any, folder: Path) -> tuple[float, str, Path]:
    result: gauntlet.BacktestResult = gauntlet.backtest(frame, "rsi(close, 2) < 10")
    code: str = gauntlet.export(genome="rsi(close, 2) < 10", format="nautilus")
    written: Path = gauntlet.export(folder, "monthly_performance", format="pine", to=folder, force=True)
    return float(result.metrics["sharpe"]), code, written
