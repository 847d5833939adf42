"""Prints Gauntlet's W1 throughput (criterion's results) beside vectorbt's (bench_vectorbt.py's JSON)
measured in the same session, as genome-bars per second and as ratios.

    python3 ratios.py CRITERION_DIR VECTORBT_JSON [--out SUMMARY.json]

CRITERION_DIR is `target/criterion`; the W1 group is `w1_sp500` (crates/backtest/benches/engine.rs).
Throughput = the benchmark's elements (genomes x bars) / criterion's median time per iteration.
vectorbt's figure is bench_vectorbt.py's `throughput_from_signals` (the median of its timed calls).
Standard library only.
"""
import argparse
import json
import os
import sys

GROUP = "w1_sp500"
FUNCTIONS = [
    ("reference_minimal_loop_1_thread", "minimal hand-written W1 loop, 1 thread"),
    ("gauntlet_orders_1_thread", "Gauntlet, orders only (like vectorbt's from_signals), 1 thread"),
    ("gauntlet_orders_rayon", "Gauntlet, orders only, rayon"),
    ("gauntlet_1_thread", "Gauntlet with the equity curve, 1 thread"),
    ("gauntlet_rayon", "Gauntlet with the equity curve, rayon"),
]


def throughput(criterion_dir, function):
    folder = os.path.join(criterion_dir, GROUP, function, "new")
    with open(os.path.join(folder, "benchmark.json")) as handle:
        elements = json.load(handle)["throughput"]["Elements"]
    with open(os.path.join(folder, "estimates.json")) as handle:
        median_ns = json.load(handle)["median"]["point_estimate"]
    return elements / (median_ns * 1e-9)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("criterion_dir")
    parser.add_argument("vectorbt_json")
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    with open(args.vectorbt_json) as handle:
        vectorbt = json.load(handle)
    reference = vectorbt["throughput_from_signals"]
    minimal = throughput(args.criterion_dir, FUNCTIONS[0][0])
    print(f"vectorbt {vectorbt.get('vectorbt', '?')} from_signals: {reference / 1e6:.2f}M genome-bars/s "
          f"({vectorbt['n_strategies']} genomes x {vectorbt['n_bars']} bars, median of "
          f"{len(vectorbt['from_signals_s'])} calls)")
    rows = []
    for function, label in FUNCTIONS:
        value = throughput(args.criterion_dir, function)
        rows.append({"bench": f"{GROUP}/{function}", "what": label, "genome_bars_per_second": value,
                     "times_vectorbt": value / reference, "times_minimal_loop": value / minimal})
        print(f"{label:<66} {value / 1e9:6.3f}G/s  {value / reference:7.1f}x vectorbt  "
              f"{value / minimal:5.2f}x minimal loop")
    if args.out:
        with open(args.out, "w") as handle:
            json.dump({"vectorbt": vectorbt, "gauntlet": rows}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
