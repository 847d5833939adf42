#!/usr/bin/env python3
"""Checks that strategies exported with `gauntlet export --format nautilus|freqtrade` trade in
NautilusTrader's BacktestEngine or in `freqtrade backtesting` exactly as Gauntlet's engine traded
them.

    python scripts/verify_platform_export.py --platform P MANIFEST.jsonl [--jobs N]
    python scripts/verify_platform_export.py --platform P --run RUN_DIR --gauntlet BIN --work DIR [--jobs N]

P is `nautilus` or `freqtrade`; run it with the Python that has that platform (its pinned
requirements: scripts/nautilus-requirements.txt, scripts/freqtrade-requirements.txt). Each line of
the manifest is a JSON object:
    {"label": "...", "module": "x_nautilus.py", "data": "bars.csv", "trades": "gauntlet-trades.csv",
     "parameters": {"commission_bps": 10, "spread_bps": 0, "slippage_bps": 5,
                    "initial_capital": 100000, "bars_per_year": 252}}
where `trades` is what `gauntlet backtest --data bars.csv --trades-out` wrote with the same
conditions. The module's own runner (`backtest(bars, ..., strict=True)`, which also stops at the
first fill that differs from Gauntlet's rules) trades the bars in the platform, and its trades (the
platform's fills: NautilusTrader's fills report paired into round trips, freqtrade's trade list) are
compared with Gauntlet's, trade by trade:
- side, entry time and exit time: equal;
- prices: the platforms fill at prices before Gauntlet's half spread and slippage (the module's
  notes say so), so Gauntlet's = the platform's x (1 + or - that fraction), to 1e-9 relative;
- quantity: the platform's is Gauntlet's rounded down to its quantity step: 0 <= Gauntlet's -
  the platform's < the step;
- exit reason: equal (the module records Gauntlet's reason for each platform exit; `formula` for a
  formula genome's exit formula);
- freqtrade force-exits a trade open at the end at the last candle's open (a note): there Gauntlet's
  exit is its `end_of_data` at the last close, and the platform's the last open; and it opens no
  trade on the last candle (a note): a Gauntlet trade entered there is not looked for.
Every note the comparison relies on must be in the module's NOTES. With --run, the manifest is made
first from every champion of the run folder on the run's datasets (their last N bars with --bars),
as scripts/verify_python_export.py does.
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

PRICE_TOLERANCE = 1e-9

# The notes each comparison rule relies on (a phrase of each), per platform.
NOTES_RELIED_ON = {
    "nautilus": [
        "a fill's price times 1 + or - (spread / 2 + slippage) is Gauntlet's",
        "quantities are Gauntlet's rounded down to the instrument's size increment",
        "Gauntlet's assumption that a bar reaching both the stop and the target reached the stop",
    ],
    "freqtrade": [
        "a fill's price times 1 + or - (spread / 2 + slippage) is Gauntlet's",
        "quantities are Gauntlet's rounded down to the market's amount step",
        "force-exited by freqtrade at the last candle's open",
        "freqtrade opens no trade on the last candle",
    ],
}
# The quantity step each module's runner trades by default.
STEPS = {"nautilus": ("size_increment", 1e-9), "freqtrade": ("amount_step", 1e-8)}


def millis(value):
    """Milliseconds since the epoch, UTC, of a time (a naive one is UTC)."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return stamp.as_unit("ms").value


def read_csv(path):
    """A CSV file with every number read back to the bit (pandas before 3.1 needs asking)."""
    major, minor = (int(part) for part in pd.__version__.split(".")[:2])
    if (major, minor) >= (3, 1):
        return pd.read_csv(path)
    return pd.read_csv(path, float_precision="round_trip")


def close_enough(a, b):
    return abs(a - b) <= PRICE_TOLERANCE * max(abs(a), abs(b))


def verify(case):
    """(label, trades compared, worst relative price difference, failure or None, exit reasons)."""
    reasons = {}
    try:
        return _verify(case, reasons) + (reasons,)
    except Exception as error:  # a diverging module raises; report it with the strategy's label
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return (case["label"], 0, 0.0, detail, reasons)


def _verify(case, reasons):
    label, platform = case["label"], case["platform"]
    spec = importlib.util.spec_from_file_location(f"exported_{abs(hash(label))}", case["module"])
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    for phrase in NOTES_RELIED_ON[platform]:
        if not any(phrase in note for note in module.NOTES):
            return (label, 0, 0.0, f"the module's notes do not say: {phrase}")
    bars = module.read_bars(case["data"])
    parameters = dict(case.get("parameters", {}))
    step = STEPS[platform][1]
    ours, _ = module.backtest(bars, **parameters, strict=True)
    theirs = read_csv(case["trades"])
    adjustment = (
        parameters.get("spread_bps", module.SPREAD_BPS) / 2.0
        + parameters.get("slippage_bps", module.SLIPPAGE_BPS)
    ) / 10_000.0
    last_time = millis(bars.index[-1])
    if (
        platform == "freqtrade"
        and len(theirs) == len(ours) + 1
        and millis(theirs["entry_time"].iloc[-1]) == last_time
        and theirs["exit_reason"].iloc[-1] == "end_of_data"
    ):
        # freqtrade opens no trade on the last candle (a note): Gauntlet's entry there is not taken.
        theirs = theirs.iloc[:-1]
    if len(ours) != len(theirs):
        first = _first_difference(ours, theirs)
        return (label, 0, 0.0, f"{len(theirs)} trades in Gauntlet, {len(ours)} in {platform}; {first}")
    worst = 0.0
    last_open = float(bars["open"].iloc[-1])
    for i, (mine, gauntlet) in enumerate(zip(ours.itertuples(), theirs.itertuples())):
        where = f"trade {i + 1} (entry {gauntlet.entry_time})"
        sign = 1.0 if gauntlet.side == "long" else -1.0
        if mine.side != gauntlet.side:
            return (label, i, worst, f"{where}: side {mine.side}, Gauntlet {gauntlet.side}")
        if millis(mine.entry_time) != millis(gauntlet.entry_time):
            return (label, i, worst, f"{where}: {platform} entered at {mine.entry_time}")
        entry = mine.entry_price * (1.0 + sign * adjustment)
        if not close_enough(entry, gauntlet.entry_price):
            return (label, i, worst, f"{where}: entry price {mine.entry_price!r} (with costs {entry!r}), Gauntlet {gauntlet.entry_price!r}")
        worst = max(worst, abs(entry - gauntlet.entry_price) / gauntlet.entry_price)
        short_by = gauntlet.quantity - mine.quantity
        if not (-1e-12 * gauntlet.quantity <= short_by < step * (1.0 + 1e-9)):
            return (label, i, worst, f"{where}: quantity {mine.quantity!r}, Gauntlet {gauntlet.quantity!r} (step {step})")
        if mine.exit_reason != gauntlet.exit_reason:
            return (label, i, worst, f"{where}: exit reason {mine.exit_reason}, Gauntlet {gauntlet.exit_reason}")
        reasons[gauntlet.exit_reason] = reasons.get(gauntlet.exit_reason, 0) + 1
        if millis(mine.exit_time) != millis(gauntlet.exit_time):
            return (label, i, worst, f"{where}: {platform} exited at {mine.exit_time}, Gauntlet at {gauntlet.exit_time}")
        if platform == "freqtrade" and gauntlet.exit_reason == "end_of_data":
            # freqtrade's force exit at the last open (a note); Gauntlet's at the last close.
            if millis(gauntlet.exit_time) != last_time or mine.exit_price != last_open:
                return (label, i, worst, f"{where}: freqtrade's force exit is not at the last open")
            continue
        exit_ = mine.exit_price * (1.0 - sign * adjustment)
        if not close_enough(exit_, gauntlet.exit_price):
            return (label, i, worst, f"{where}: exit price {mine.exit_price!r} (less costs {exit_!r}), Gauntlet {gauntlet.exit_price!r}")
        worst = max(worst, abs(exit_ - gauntlet.exit_price) / gauntlet.exit_price)
    return (label, len(theirs), worst, None)


def _first_difference(ours, theirs):
    """Where two trade lists of different lengths part (by entry time)."""
    for i, (mine, gauntlet) in enumerate(zip(ours.itertuples(), theirs.itertuples())):
        if millis(mine.entry_time) != millis(gauntlet.entry_time) or (
            not pd.isna(mine.exit_time) and millis(mine.exit_time) != millis(gauntlet.exit_time)
        ):
            return (
                f"trade {i + 1} differs: Gauntlet {gauntlet.entry_time} -> {gauntlet.exit_time} "
                f"({gauntlet.exit_reason}), platform {mine.entry_time} -> {mine.exit_time} ({mine.exit_reason})"
            )
    return f"the lists agree for the first {min(len(ours), len(theirs))} trades"


def run_cases(run_dir, gauntlet, work, platform, bars=None):
    """The manifest's cases for every champion of the run in `run_dir`, on each of the run's
    datasets (their last `bars` bars when given)."""
    os.makedirs(work, exist_ok=True)

    def call(*arguments):
        done = subprocess.run([gauntlet, *arguments], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"gauntlet {' '.join(arguments)} failed: {done.stderr.strip()}")
        return done

    cases, exported = [], set()
    champions = os.path.join(run_dir, "champions")
    if not os.path.isdir(champions):
        raise SystemExit(f"{run_dir}: not a finished run folder (no champions/)")
    for name in sorted(os.listdir(champions)):
        if not name.endswith(".json"):
            continue
        category = name[: -len(".json")]
        module = os.path.join(work, f"{category}_{platform}.py")
        done = call("export", run_dir, "--category", category, "--format", platform, "--to", module, "--force")
        notes = [line for line in done.stderr.splitlines() if line.startswith("note: ")]
        if not notes:
            raise SystemExit(f"exporting {category} to {platform} printed no notes")
        call("export", run_dir, "--category", category, "--to", work, "--force")
        champion_file = os.path.join(work, f"{os.path.basename(os.path.normpath(run_dir))}-{category}.json")
        with open(champion_file, encoding="utf-8") as file:
            provenance = json.load(file)["provenance"]
        costs = provenance["costs"]
        for dataset in provenance["datasets"]:
            data = os.path.join(work, f"{dataset['name']}.csv")
            if data not in exported:
                call("data", "export", dataset["name"], "--to", data)
                if bars is not None:
                    with open(data, encoding="utf-8") as file:
                        lines = file.readlines()
                    with open(data, "w", encoding="utf-8") as file:
                        file.writelines(lines[:1] + lines[max(1, len(lines) - bars):])
                exported.add(data)
            trades = os.path.join(work, f"{category}-{dataset['name']}-trades.csv")
            call(
                "backtest", "--genome", champion_file, "--data", data, "--bars-per-year", "252",
                "--commission-bps", repr(costs["commission_bps"]), "--spread-bps", repr(costs["spread_bps"]),
                "--slippage-bps", repr(costs["slippage_bps"]), "--capital", repr(costs["initial_capital"]),
                "--trades-out", trades,
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
    parser.add_argument("--platform", required=True, choices=sorted(NOTES_RELIED_ON))
    parser.add_argument("--run", help="a run folder: verify its champions")
    parser.add_argument("--gauntlet", default="gauntlet", help="the gauntlet binary (with --run)")
    parser.add_argument("--work", help="where to write exports, data and trades (with --run)")
    parser.add_argument("--bars", type=int, help="with --run: the last N bars of each dataset")
    parser.add_argument("--jobs", type=int, default=1)
    arguments = parser.parse_args()
    if arguments.run:
        cases = run_cases(
            arguments.run, arguments.gauntlet, arguments.work or f"{arguments.platform}-export",
            arguments.platform, arguments.bars,
        )
    elif arguments.manifest:
        with open(arguments.manifest, encoding="utf-8") as file:
            cases = [json.loads(line) for line in file if line.strip()]
    else:
        parser.error("give a manifest or --run")
    for case in cases:
        case["platform"] = arguments.platform
    if arguments.jobs > 1:
        with ProcessPoolExecutor(arguments.jobs) as pool:
            results = list(pool.map(verify, cases, chunksize=1))
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
    print(
        f"{len(results) - len(failures)} of {len(results)} exported strategies traded as in Gauntlet "
        f"in {arguments.platform}: {trades} trades compared, largest relative price difference {worst:.3g}"
    )
    return 1 if failures or not results else 0


if __name__ == "__main__":
    sys.exit(main())
