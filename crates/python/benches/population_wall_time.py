"""Wall time of ``gauntlet.backtest_population`` on a pandas frame against the CLI's
``gauntlet backtest --population`` on the same bars and population, measured side by side (#34).

The workload is W1 (``crates/backtest/tests/reference/w1/population.csv``: 1000 long-only SMA
crossovers with a stop-loss and a take-profit, vectorbt's conventions: fill at the close, 10 bps
commission) on the bundled S&P 500 daily bars (5,105 bars). Runs alternate (CLI, Python, CLI, ...)
so that both see the same machine load; each side's median is reported with genome-bars per second
(genomes x bars / seconds) and the ratio Python / CLI. The CLI's time is a whole process (start,
reading the dataset's Parquet file, backtests, writing the summary CSV); Python's is the call from
a pandas frame already in memory to the returned pandas frame (Arrow conversion included). The two
summaries are checked equal first, so the timing compares the same work.

Usage (a release CLI and a release wheel installed in the running interpreter)::

    python crates/python/benches/population_wall_time.py --gauntlet target/release/gauntlet [--repeats 7]

Exit status 0 when Python's median is within ``--tolerance`` (default 10%) of the CLI's, 1 when it
is slower than that, 2 on a usage error or when the two summaries differ.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import gauntlet

REPOSITORY = Path(__file__).resolve().parents[3]
W1 = REPOSITORY / "crates" / "backtest" / "tests" / "reference" / "w1" / "population.csv"
COSTS = ["--fill", "close", "--commission-bps", "10", "--slippage-bps", "0", "--spread-bps", "0"]


def w1_population(path: Path, count: int) -> None:
    """The first ``count`` W1 genomes as genome JSON lines (the mapping of tests/cli_backtest.rs)."""
    lines = []
    with W1.open(newline="") as file:
        for row in list(csv.DictReader(file))[:count]:
            genome = {
                "schema": 1,
                "name": f"w1-{row['id']}",
                "entry": {
                    "direction": "long",
                    "logic": {
                        "kind": "rules",
                        "combine": {"mode": "all"},
                        "rules": [
                            {
                                "rule": "moving_average_cross",
                                "average": "sma",
                                "fast": int(row["fast"]),
                                "slow": int(row["slow"]),
                            }
                        ],
                    },
                },
                "exit": {
                    "stop_loss_pct": float(row["sl"]) * 100.0,
                    "take_profit_pct": float(row["tp"]) * 100.0,
                    "exit_on_opposite_signal": True,
                },
                "sizing": {
                    "method": {"method": "all_in"},
                    "max_position_pct": 100.0,
                    "leverage_cap": 1.0,
                    "max_positions": 1,
                },
            }
            lines.append(json.dumps(genome))
    path.write_text("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gauntlet", type=Path, required=True, help="the release CLI binary")
    parser.add_argument("--repeats", type=int, default=7, help="runs of each side (1-100)")
    parser.add_argument("--genomes", type=int, default=1000, help="W1 genomes to run (1-1000)")
    parser.add_argument("--tolerance", type=float, default=0.10, help="allowed slowdown, a fraction")
    arguments = parser.parse_args()
    if not 1 <= arguments.repeats <= 100 or not 1 <= arguments.genomes <= 1000:
        parser.error("--repeats must be 1-100 and --genomes 1-1000")
    if not arguments.gauntlet.is_file():
        parser.error(f"{arguments.gauntlet}: no such binary")
    costs = {"fill": "close", "commission_bps": 10.0, "slippage_bps": 0.0, "spread_bps": 0.0}
    with tempfile.TemporaryDirectory() as folder:
        population, summary = Path(folder) / "w1.jsonl", Path(folder) / "summary.csv"
        w1_population(population, arguments.genomes)
        command = [str(arguments.gauntlet), "backtest", "--dataset", "sp500-1d", "--population",
                   str(population), "--summary-out", str(summary), "--force", *COSTS]
        frame = gauntlet.load("sp500-1d", to="pandas")
        bars = len(frame)

        def cli() -> float:
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=REPOSITORY)
            return time.perf_counter() - started

        def python() -> tuple[float, pd.DataFrame]:
            started = time.perf_counter()
            result = gauntlet.backtest_population(frame, population, to="pandas", **costs)
            return time.perf_counter() - started, result

        cli()
        expected = pd.read_csv(summary)
        _, mine = python()
        for column in expected.columns[1:]:
            left = mine[column].astype(float).to_numpy()
            right = expected[column].astype(float).to_numpy()
            if not np.array_equal(left, right, equal_nan=True):
                print(f"the summaries differ in column {column}", file=sys.stderr)
                return 2
        cli_seconds, python_seconds = [], []
        for _ in range(arguments.repeats):
            cli_seconds.append(cli())
            python_seconds.append(python()[0])
    work = arguments.genomes * bars
    cli_median, python_median = statistics.median(cli_seconds), statistics.median(python_seconds)
    ratio = python_median / cli_median
    print(f"W1: {arguments.genomes} genomes x {bars} bars, {arguments.repeats} runs each, alternating")
    print(f"CLI    backtest --population: median {cli_median:.4f} s  "
          f"({work / cli_median / 1e6:.1f}M genome-bars/s; runs {', '.join(f'{s:.4f}' for s in cli_seconds)})")
    print(f"Python backtest_population:   median {python_median:.4f} s  "
          f"({work / python_median / 1e6:.1f}M genome-bars/s; runs {', '.join(f'{s:.4f}' for s in python_seconds)})")
    verdict = "within" if ratio <= 1 + arguments.tolerance else "NOT within"
    print(f"Python / CLI wall time: {ratio:.3f} ({verdict} {arguments.tolerance:.0%})")
    return 0 if ratio <= 1 + arguments.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
