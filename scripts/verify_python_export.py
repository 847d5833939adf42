#!/usr/bin/env python3
"""Checks that strategies exported with `gauntlet export --format python` trade in backtesting.py
exactly as Gauntlet's engine traded them.

    python scripts/verify_python_export.py MANIFEST.jsonl [--jobs N]
    python scripts/verify_python_export.py --run RUN_DIR --gauntlet BIN --work DIR [--jobs N]

Each line of the manifest is a JSON object:
    {"label": "...", "module": "x.py", "data": "bars.csv", "trades": "gauntlet-trades.csv",
     "parameters": {"commission_bps": 10, "spread_bps": 0, "slippage_bps": 5,
                    "initial_capital": 100000, "bars_per_year": 252}}
where `trades` is what `gauntlet backtest --data bars.csv --trades-out` wrote with the same
conditions. The module is run in backtesting.py on the same bars and its trades (backtesting.py's own
`stats._trades`, plus the one it leaves open at the end) are compared with Gauntlet's, trade by trade:
- side, entry time and exit time: equal;
- entry price: equal to 1e-9 (relative);
- quantity: backtesting.py trades whole units of 2**-30 (FractionalBacktest), so its quantity is
  Gauntlet's rounded down to that unit: 0 <= Gauntlet's - backtesting.py's < 2**-30;
- exit price: backtesting.py pays its `spread` on entries only, Gauntlet half the spread plus the
  slippage on every fill, so Gauntlet's exit = backtesting.py's x (1 - side x that fraction), to 1e-9;
- Gauntlet's `end_of_data` exit (at the last close) is a trade backtesting.py leaves open
  (finalize_trades=False): it must be open there, and Gauntlet's exit must be the last close less
  costs;
- the exit reason the module's ledger gives equals Gauntlet's.
With --run, the manifest is made first: every champion of the run folder is exported with
`gauntlet export RUN_DIR --category C --format python --force` (and as a champion file), and
backtested with `gauntlet backtest` on each of the run's datasets (whole, as CSV) with the run's
costs.
A line with `signals` instead of `trades` (a CSV of 0/1 columns long, short, exit_long, exit_short,
one row per bar: Gauntlet's evaluation of a formula genome's formulas) checks the module's formula
conditions, as its strategy computed them in backtesting.py, bar by bar.
Prints one line per failing strategy and a summary; exits with status 1 when any failed.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

UNIT = 2.0**-30
PRICE_TOLERANCE = 1e-9


def millis(value):
    """Milliseconds since the epoch, UTC, of a time (a naive one is UTC)."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.as_unit("ms").value


def close_enough(a, b):
    return abs(a - b) <= PRICE_TOLERANCE * max(abs(a), abs(b))


def verify(case):
    """(label, trades compared, worst relative price difference, failure or None, exit reasons)."""
    result = _verify_signals(case) if "signals" in case else _verify(case)
    return result + (case.get("_reasons", {}),)


def _verify(case):
    label = case["label"]
    reasons = case.setdefault("_reasons", {})
    try:
        spec = importlib.util.spec_from_file_location(f"exported_{abs(hash(label))}", case["module"])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        bars = module.load_bars(case["data"])
        parameters = case.get("parameters", {})
        stats = module.backtest(bars, **parameters)
        ours = module.trades_table(stats, bars)
        theirs = module._read_csv(case["trades"]) if hasattr(module, "_read_csv") else pd.read_csv(case["trades"])
        adjustment = (
            parameters.get("spread_bps", module.SPREAD_BPS) / 2.0
            + parameters.get("slippage_bps", module.SLIPPAGE_BPS)
        ) / 10_000.0
        if len(ours) != len(theirs):
            return (label, 0, 0.0, f"{len(theirs)} trades in Gauntlet, {len(ours)} in backtesting.py")
        worst = 0.0
        last_time = millis(bars.index[-1])
        last_close = float(bars["Close"].iloc[-1])
        for i, (mine, gauntlet) in enumerate(zip(ours.itertuples(), theirs.itertuples())):
            where = f"trade {i + 1} (entry {gauntlet.entry_time})"
            sign = 1.0 if gauntlet.side == "long" else -1.0
            if mine.side != gauntlet.side:
                return (label, i, worst, f"{where}: side {mine.side}, Gauntlet {gauntlet.side}")
            if millis(mine.entry_time) != millis(gauntlet.entry_time):
                return (label, i, worst, f"{where}: backtesting.py entered at {mine.entry_time}")
            if not close_enough(mine.entry_price, gauntlet.entry_price):
                return (label, i, worst, f"{where}: entry price {mine.entry_price!r}, Gauntlet {gauntlet.entry_price!r}")
            worst = max(worst, abs(mine.entry_price - gauntlet.entry_price) / gauntlet.entry_price)
            short_by = gauntlet.quantity - mine.quantity
            if not (0.0 <= short_by < UNIT):
                return (label, i, worst, f"{where}: quantity {mine.quantity!r}, Gauntlet {gauntlet.quantity!r}")
            if mine.exit_reason != gauntlet.exit_reason and not (
                mine.exit_reason == "open" and gauntlet.exit_reason == "end_of_data"
            ):
                return (label, i, worst, f"{where}: exit reason {mine.exit_reason}, Gauntlet {gauntlet.exit_reason}")
            reasons[gauntlet.exit_reason] = reasons.get(gauntlet.exit_reason, 0) + 1
            if gauntlet.exit_reason == "end_of_data":
                expected = last_close * (1.0 - sign * adjustment)
                if mine.exit_reason != "open":
                    return (label, i, worst, f"{where}: Gauntlet closed it at the end, backtesting.py did not leave it open")
                if millis(gauntlet.exit_time) != last_time or not close_enough(gauntlet.exit_price, expected):
                    return (label, i, worst, f"{where}: Gauntlet's end-of-data exit is not the last close less costs")
                continue
            if millis(mine.exit_time) != millis(gauntlet.exit_time):
                return (label, i, worst, f"{where}: backtesting.py exited at {mine.exit_time}, Gauntlet at {gauntlet.exit_time}")
            expected = mine.exit_price * (1.0 - sign * adjustment)
            if not close_enough(expected, gauntlet.exit_price):
                return (label, i, worst, f"{where}: exit price {mine.exit_price!r} (less costs {expected!r}), Gauntlet {gauntlet.exit_price!r}")
            worst = max(worst, abs(expected - gauntlet.exit_price) / gauntlet.exit_price)
        return (label, len(theirs), worst, None)
    except Exception as error:  # a diverging module raises; report it with the strategy's label
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return (label, 0, 0.0, detail)


SIGNAL_COLUMNS = ("long", "short", "exit_long", "exit_short")


def _verify_signals(case):
    """A formula strategy's conditions in backtesting.py against Gauntlet's (`signals`: a CSV of
    0/1 columns long, short, exit_long, exit_short, one row per bar): (label, signal bars compared,
    0.0, failure or None)."""
    label = case["label"]
    try:
        spec = importlib.util.spec_from_file_location(f"exported_{abs(hash(label))}", case["module"])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        bars = module.load_bars(case["data"])
        strategy = module.backtest(bars, **case.get("parameters", {}))["_strategy"]
        expected = pd.read_csv(case["signals"])
        if len(expected) != len(bars):
            return (label, 0, 0.0, f"{len(expected)} bars of signals for {len(bars)} bars of data")
        compared = 0
        for column in SIGNAL_COLUMNS:
            ours = getattr(strategy, f"formula_{column}")
            for t, (mine, gauntlet) in enumerate(zip(ours, expected[column])):
                if bool(mine) != bool(gauntlet):
                    return (label, compared, 0.0, f"bar {t} ({bars.index[t]}): {column} is {int(bool(mine))} in backtesting.py, {gauntlet} in Gauntlet")
                compared += int(gauntlet)
        return (label, compared, 0.0, None)
    except Exception as error:  # a diverging module raises; report it with the strategy's label
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return (label, 0, 0.0, detail)


def run_cases(run_dir, gauntlet, work):
    """The manifest's cases for every champion of the run in `run_dir` (see the module's doc)."""
    os.makedirs(work, exist_ok=True)

    def call(*arguments):
        done = subprocess.run([gauntlet, *arguments], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"gauntlet {' '.join(arguments)} failed: {done.stderr.strip()}")

    cases, exported = [], set()
    champions = os.path.join(run_dir, "champions")
    if not os.path.isdir(champions):
        raise SystemExit(f"{run_dir}: not a finished run folder (no champions/)")
    for name in sorted(os.listdir(champions)):
        if not name.endswith(".json"):
            continue
        category = name[: -len(".json")]
        module = os.path.join(work, f"{category}.py")
        call("export", run_dir, "--category", category, "--format", "python", "--to", module, "--force")
        call("export", run_dir, "--category", category, "--to", work, "--force")
        champion_file = os.path.join(work, f"{os.path.basename(os.path.normpath(run_dir))}-{category}.json")
        with open(champion_file, encoding="utf-8") as file:
            provenance = json.load(file)["provenance"]
        costs = provenance["costs"]
        for dataset in provenance["datasets"]:
            data = os.path.join(work, f"{dataset['name']}.csv")
            if data not in exported:
                call("data", "export", dataset["name"], "--to", data, "--force")
                exported.add(data)
            trades = os.path.join(work, f"{category}-{dataset['name']}-trades.csv")
            call(
                "backtest", "--genome", champion_file, "--data", data, "--bars-per-year", "252",
                "--commission-bps", repr(costs["commission_bps"]), "--spread-bps", repr(costs["spread_bps"]),
                "--slippage-bps", repr(costs["slippage_bps"]), "--capital", repr(costs["initial_capital"]),
                "--trades-out", trades, "--force",
            )
            cases.append(
                {
                    "label": f"{category} champion on {dataset['name']}",
                    "module": module,
                    "data": data,
                    "trades": trades,
                    "parameters": {
                        "commission_bps": costs["commission_bps"],
                        "spread_bps": costs["spread_bps"],
                        "slippage_bps": costs["slippage_bps"],
                        "initial_capital": costs["initial_capital"],
                        "bars_per_year": 252.0,
                    },
                }
            )
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("manifest", nargs="?")
    parser.add_argument("--run", help="a run folder: verify its champions")
    parser.add_argument("--gauntlet", default="gauntlet", help="the gauntlet binary (with --run)")
    parser.add_argument("--work", help="where to write exports, data and trades (with --run)")
    parser.add_argument("--jobs", type=int, default=1)
    arguments = parser.parse_args()
    if arguments.run:
        cases = run_cases(arguments.run, arguments.gauntlet, arguments.work or "python-export")
    elif arguments.manifest:
        with open(arguments.manifest, encoding="utf-8") as file:
            cases = [json.loads(line) for line in file if line.strip()]
    else:
        parser.error("give a manifest or --run")
    if arguments.jobs > 1:
        with ProcessPoolExecutor(arguments.jobs) as pool:
            results = list(pool.map(verify, cases, chunksize=4))
    else:
        results = [verify(case) for case in cases]
    failures = [result for result in results if result[3] is not None]
    for label, _, _, failure, _ in failures:
        print(f"FAILED {label}: {failure}")
    reasons = {}
    for result in results:
        for reason, count in result[4].items():
            reasons[reason] = reasons.get(reason, 0) + count
    print("exits compared by reason: " + ", ".join(f"{reason} {count}" for reason, count in sorted(reasons.items())))
    trades = sum(result[1] for result in results)
    worst = max((result[2] for result in results), default=0.0)
    if cases and all("signals" in case for case in cases):
        print(
            f"{len(results) - len(failures)} of {len(results)} exported formula strategies gave "
            f"Gauntlet's signals in backtesting.py: {trades} signal bars compared"
        )
        return 1 if failures or not results else 0
    print(
        f"{len(results) - len(failures)} of {len(results)} exported strategies traded as in Gauntlet "
        f"in backtesting.py: {trades} trades compared, largest relative price difference {worst:.3g}"
    )
    return 1 if failures or not results else 0


if __name__ == "__main__":
    sys.exit(main())
