"""Shared fixtures: the checkout, the CLI binary to compare with, a small experiment."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[3]


def cli_binary() -> Path:
    """The `gauntlet` CLI to compare with: $GAUNTLET_BIN, else target/release or target/debug."""
    given = os.environ.get("GAUNTLET_BIN")
    if given:
        return Path(given)
    for profile in ("release", "debug"):
        path = REPOSITORY / "target" / profile / "gauntlet"
        if path.is_file():
            return path
    pytest.skip("no gauntlet CLI built (cargo build), and GAUNTLET_BIN is not set")


@pytest.fixture
def cli() -> Path:
    return cli_binary()


def run_cli(binary: Path, *arguments: str, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(binary), *arguments],
        capture_output=True,
        text=True,
        cwd=cwd or REPOSITORY,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def small_experiment(folder: Path) -> Path:
    """The quickstart cut down to run in seconds in a debug build: one dataset of daily bars,
    24 agents on 2 islands, 4 generations (a migration in between)."""
    text = (REPOSITORY / "experiments" / "quickstart.toml").read_text()
    text = text.replace(
        'datasets = ["sp500-1d", "msft-1d", "eurusd-1h", "wti-1d"]', 'datasets = ["sp500-1d"]'
    )
    text = text.replace("generations = 25", "generations = 4")
    text = text.replace("size = 600", "size = 24")
    text = text.replace("islands = 4", "islands = 2")
    text = text.replace("migration_interval = 5", "migration_interval = 2")
    text = text.replace("hall_of_fame = 20", "hall_of_fame = 6")
    assert 'datasets = ["sp500-1d"]' in text and "size = 24" in text
    path = folder / "small.toml"
    path.write_text(text)
    return path


@pytest.fixture
def experiment(tmp_path: Path) -> Path:
    return small_experiment(tmp_path)
