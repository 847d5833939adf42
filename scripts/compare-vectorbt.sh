#!/usr/bin/env bash
# W1 throughput of Gauntlet's engine beside vectorbt's, measured in the same session (machines are
# noisy: only ratios measured side by side mean anything). Needs python3 with venv and PyPI access
# (vectorbt 1.2.0 and numba, about a minute to install); takes about five minutes.
#
#   scripts/compare-vectorbt.sh            # prints genome-bars/s and ratios, writes target/w1/summary.json
#
# VECTORBT_VENV picks the virtual environment (default target/vectorbt-venv, created when missing);
# VECTORBT_REPS the number of timed vectorbt calls (default 9; its median is the reference).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${VECTORBT_VENV:-target/vectorbt-venv}
reps=${VECTORBT_REPS:-9}
out=target/w1
mkdir -p "$out"

if [ ! -x "$venv/bin/python" ]; then
    echo "== creating $venv and installing vectorbt (benches/vectorbt/requirements.txt)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r benches/vectorbt/requirements.txt
fi

echo "== exporting the bundled S&P 500 daily bars"
cargo build --release -q
target/release/gauntlet data export sp500-1d --to "$out/sp500.csv"

echo "== vectorbt: Portfolio.from_signals over the 1000 W1 genomes ($reps timed calls)"
"$venv/bin/python" benches/vectorbt/bench_vectorbt.py --data "$out/sp500.csv" \
    --population crates/backtest/tests/reference/w1/population.csv \
    --engine numba --mode warm --reps "$reps" --out "$out/vectorbt.json"

echo "== Gauntlet: cargo bench -p gauntlet-backtest --bench engine -- w1_sp500"
cargo bench -q -p gauntlet-backtest --bench engine -- w1_sp500 > "$out/criterion.log" 2>&1

python3 benches/vectorbt/ratios.py target/criterion "$out/vectorbt.json" --out "$out/summary.json"
