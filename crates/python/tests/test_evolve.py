"""gauntlet.evolve against `gauntlet evolve`: the same run folder, byte for byte; progress;
Ctrl-C during a run, then resume= to the same bytes; Run.open."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

import gauntlet
from conftest import REPOSITORY, run_cli

# The files the CLI's run folder and the package's must share byte for byte (generations.parquet
# holds wall-clock seconds: compared without them below).
COMPARED = [
    "leaderboard.csv",
    "leaderboard.parquet",
    "capital.parquet",
    "champions.parquet",
    "config.toml",
]
TIMING_COLUMNS = ["seconds", "scoring_seconds"]


def compared_files(folder: Path) -> list[Path]:
    champions = sorted((folder / "champions").glob("*"))
    assert champions, f"{folder} has no champion files"
    return [folder / name for name in COMPARED] + champions


def assert_same_bytes(left: Path, right: Path) -> None:
    for path in compared_files(left):
        other = right / path.relative_to(left)
        assert other.is_file(), other
        assert path.read_bytes() == other.read_bytes(), path.relative_to(left)
    assert sorted(p.name for p in (left / "champions").iterdir()) == sorted(
        p.name for p in (right / "champions").iterdir()
    )
    generations = [pl.read_parquet(folder / "generations.parquet") for folder in (left, right)]
    assert all(name in generations[0].columns for name in TIMING_COLUMNS)
    assert generations[0].drop(TIMING_COLUMNS).equals(generations[1].drop(TIMING_COLUMNS))


def test_evolve_writes_the_cli_run_folder_byte_for_byte(
    cli: Path, experiment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Relative seed genomes resolve from the working folder first, as in the CLI: the same one.
    monkeypatch.chdir(REPOSITORY)
    run_cli(cli, "evolve", "--quiet", "--config", str(experiment), "--out", str(tmp_path / "cli"))
    events: list[tuple[str, int, int, str]] = []
    run = gauntlet.evolve(
        experiment,
        out=tmp_path / "python",
        threads=2,
        progress=lambda kind, done, total, message: events.append((kind, done, total, message)),
    )
    assert run.path == tmp_path / "python"
    assert_same_bytes(tmp_path / "cli", tmp_path / "python")
    generations = [event for event in events if event[0] == "generation"]
    assert [event[1] for event in generations] == [0, 1, 2, 3, 4]
    assert all(event[2] == 4 for event in generations)
    # The run read back through its types.
    # The run read back through its types: the tables polars reads from the files themselves.
    assert isinstance(run.leaderboard, pl.DataFrame)
    assert run.leaderboard.equals(pl.read_parquet(run.path / "leaderboard.parquet"))
    assert run.capital.equals(pl.read_parquet(run.path / "capital.parquet"))
    assert run.generations.equals(pl.read_parquet(run.path / "generations.parquet"))
    assert run.capital["generation"].n_unique() == 5  # generations 0 to 4
    assert "monthly_performance" in run.champions
    assert run.verdict is not None
    assert run.manifest["seed"] == 42
    again = gauntlet.Run.open(tmp_path / "python").to_pandas()
    assert len(again.leaderboard) == run.leaderboard.height


def test_no_progress_prints_nothing(
    experiment: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    gauntlet.evolve(experiment, out=tmp_path / "quiet", progress=False, generations=1)
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_a_raising_callback_stops_the_run_and_raises(experiment: Path, tmp_path: Path) -> None:
    def callback(kind: str, done: int, total: int, message: str) -> None:
        if kind == "generation" and done == 1:
            raise RuntimeError("enough")

    with pytest.raises(RuntimeError, match="enough"):
        gauntlet.evolve(experiment, out=tmp_path / "stopped", progress=callback)
    # Stopped after generation 1's checkpoint: resume finishes it.
    run = gauntlet.evolve(resume=tmp_path / "stopped", progress=False)
    assert run.manifest["generations_done"] == 4


def test_bad_experiments_are_run_errors(tmp_path: Path) -> None:
    with pytest.raises(gauntlet.RunError, match="no-such.toml"):
        gauntlet.evolve(tmp_path / "no-such.toml", progress=False)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "mine.txt").write_text("a user's file")
    with pytest.raises(gauntlet.RunError, match="not empty"):
        gauntlet.evolve(out=tmp_path / "taken", progress=False)


CHILD = """
import sys, gauntlet
def progress(kind, done, total, message):
    if kind == "generation":
        print("generation", done, flush=True)
try:
    gauntlet.evolve(sys.argv[1], out=sys.argv[2], progress=progress, threads=1)
except KeyboardInterrupt as error:
    print("KeyboardInterrupt:", error, flush=True)
    sys.exit(130)
print("finished", flush=True)
"""


def test_ctrl_c_checkpoints_and_resume_gives_the_same_bytes(
    experiment: Path, tmp_path: Path
) -> None:
    whole = tmp_path / "whole"
    gauntlet.evolve(experiment, out=whole, progress=False)
    interrupted = tmp_path / "interrupted"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(experiment), str(interrupted)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("generation 1"):
            child.send_signal(signal.SIGINT)  # Ctrl-C while generation 2 is scored
            break
    output, errors = child.communicate(timeout=600)
    assert child.returncode == 130, (output, errors)
    assert "KeyboardInterrupt" in output
    assert (interrupted / "checkpoint" / "state.json").is_file()
    stopped = gauntlet.Run.open(interrupted)
    assert stopped.manifest["generations_done"] < 4
    run = gauntlet.evolve(resume=interrupted, progress=False)
    assert run.manifest["generations_done"] == 4
    assert_same_bytes(whole, interrupted)


def test_data_frames_replace_catalog_bars(experiment: Path, tmp_path: Path) -> None:
    # The catalog's own bars given as a frame: the same run as from the catalog.
    bars = gauntlet.load("sp500-1d", to="pandas")
    from_frames = gauntlet.evolve(
        experiment, data={"sp500-1d": bars}, out=tmp_path / "frames", progress=False
    )
    from_catalog = gauntlet.evolve(experiment, out=tmp_path / "catalog", progress=False)
    assert from_frames.leaderboard.equals(from_catalog.leaderboard)
    # Other bars give another run.
    shifted = bars.iloc[100:]
    other = gauntlet.evolve(
        experiment, data={"sp500-1d": shifted}, out=tmp_path / "other", progress=False
    )
    assert not other.leaderboard.equals(from_catalog.leaderboard)
    with pytest.raises(gauntlet.DataError, match="no dataset named"):
        gauntlet.evolve(experiment, data={"nope": bars}, out=tmp_path / "x", progress=False)
