#!/usr/bin/env bash
# The full trade-for-trade check of `gauntlet export --format nautilus|freqtrade`: the seed genomes,
# the bundled quickstart champion and 105 random genomes traded on their WHOLE datasets (5,105 S&P
# 500 days, 6,225 EUR/USD hours, 20,111 BTC/USD hours) in NautilusTrader's BacktestEngine and in
# freqtrade's backtester, each trade compared with `gauntlet backtest`'s. CI runs the same genomes
# on the last 3,000 bars (seeds and champion) and 1,000 bars (random genomes) of those datasets;
# this is the larger set, for a change to the exports or a new pinned version. Needs python3 with
# venv and PyPI access for the first run (the two pinned environments, about a minute to install);
# then about 15 CPU-minutes (878 CPU-seconds measured on the 2-core development machine: 8 minutes
# on two free cores) and up to 2 GB of memory per NautilusTrader worker (its engine keeps about
# 1 KB per bar after dispose(); two workers).
#
#   scripts/verify-platform-exports.sh          # both platforms
#   scripts/verify-platform-exports.sh nautilus # or freqtrade: one of them
#
# NAUTILUS_VENV and FREQTRADE_VENV pick the virtual environments (default target/nautilus-venv and
# target/freqtrade-venv, as CI's; created when missing). The modules, data and trades stay in
# target/tmp/export-platforms to look at after a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
nautilus_venv=${NAUTILUS_VENV:-target/nautilus-venv}
freqtrade_venv=${FREQTRADE_VENV:-target/freqtrade-venv}
case "${1:-both}" in
    both) tests=(nautilus_trader freqtrade) ;;
    nautilus) tests=(nautilus_trader) ;;
    freqtrade) tests=(freqtrade) ;;
    *) echo "usage: $0 [nautilus|freqtrade]" >&2; exit 2 ;;
esac

if [ ! -x "$nautilus_venv/bin/python" ]; then
    echo "== creating $nautilus_venv (scripts/nautilus-requirements.txt)"
    python3 -m venv "$nautilus_venv"
    "$nautilus_venv/bin/pip" install -q --only-binary=:all: -r scripts/nautilus-requirements.txt
fi
if [ ! -x "$freqtrade_venv/bin/python" ]; then
    echo "== creating $freqtrade_venv (scripts/freqtrade-requirements.txt)"
    python3 -m venv "$freqtrade_venv"
    # freqtrade's sdnotify exists only as a source package (pure Python).
    "$freqtrade_venv/bin/pip" install -q --prefer-binary -r scripts/freqtrade-requirements.txt
fi

filters=()
for test in "${tests[@]}"; do filters+=("exported_strategies_trade_as_in_gauntlet_in_$test"); done
echo "== cargo test --test export_platforms (GAUNTLET_PLATFORM_CHECK=full): ${tests[*]}"
GAUNTLET_PLATFORM_CHECK=full \
    GAUNTLET_NAUTILUS_PYTHON="$PWD/$nautilus_venv/bin/python" GAUNTLET_REQUIRE_NAUTILUS=1 \
    GAUNTLET_FREQTRADE_PYTHON="$PWD/$freqtrade_venv/bin/python" GAUNTLET_REQUIRE_FREQTRADE=1 \
    cargo test --locked --test export_platforms -- --nocapture "${filters[@]}"
