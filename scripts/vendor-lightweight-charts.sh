#!/usr/bin/env bash
# Fetches TradingView Lightweight Charts from npm into crates/report/vendor/lightweight-charts/
# (the report inlines its standalone build) and prints the checksums to record in that folder's
# README.md. Usage: scripts/vendor-lightweight-charts.sh [VERSION] (default: the vendored 5.2.1).
set -euo pipefail
version="${1:-5.2.1}"
cd "$(dirname "$0")/.."
target=crates/report/vendor/lightweight-charts
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "lightweight-charts@$version" >/dev/null && tar xzf "lightweight-charts-$version.tgz")
echo "npm integrity: $(npm view "lightweight-charts@$version" dist.integrity)"
cp "$work/package/dist/lightweight-charts.standalone.production.js" "$work/package/LICENSE" "$target/"
sha256sum "$target/lightweight-charts.standalone.production.js"
