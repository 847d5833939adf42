#!/usr/bin/env bash
# How Gauntlet's MPI split scales on this machine: the same experiment as 1 rank x 1 thread (no
# mpirun) and as N ranks x 1 thread (mpirun), both from a release build with `--features mpi`.
# Prints, from each run.json, the generations' seconds, the scoring seconds, rank 0's seconds in MPI
# and the bytes exchanged, then the speed-up of the generations and the communication share.
#
#   scripts/cluster-scaling.sh [EXPERIMENT.toml] [RANKS] [GENERATIONS] [POPULATION]
#   (default: the quickstart, 2 ranks, its 25 generations and 600 genomes)
set -euo pipefail
cd "$(dirname "$0")/.."
experiment=${1:-experiments/quickstart.toml}
ranks=${2:-2}
generations=()
if [ -n "${3:-}" ]; then generations=(--generations "$3"); fi
if [ -n "${4:-}" ]; then generations+=(--population "$4"); fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cargo build --release --locked --quiet --features mpi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

field() { # FIELD RUN_JSON: the first line `"FIELD": value` of the pretty-printed run.json
    awk -v key="\"$1\":" '$1 == key {gsub(/,/, "", $2); print $2; exit}' "$2"
}
report() { # NAME RUN_FOLDER WALL_SECONDS
    local json="$2/run.json"
    printf '%-20s wall %6.2f s | generations %6.2f s | scoring %6.2f s | MPI %6.3f s (waiting %6.3f s) | %s bytes exchanged, %s generations\n' \
        "$1" "$3" "$(field seconds "$json")" "$(field scoring_seconds "$json")" \
        "$(field communication "$json")" "$(field communication_waiting "$json")" \
        "$(field bytes_exchanged "$json")" "$(field generations_done "$json")"
}

start=$(date +%s.%N)
target/release/gauntlet evolve --config "$experiment" "${generations[@]}" --out "$out/one" --threads 1 --quiet > /dev/null
one_wall=$(awk -v start="$start" -v end="$(date +%s.%N)" 'BEGIN {print end - start}')
start=$(date +%s.%N)
mpirun --oversubscribe --bind-to none -np "$ranks" target/release/gauntlet evolve --config "$experiment" \
    "${generations[@]}" --out "$out/many" --threads 1 --quiet > /dev/null
many_wall=$(awk -v start="$start" -v end="$(date +%s.%N)" 'BEGIN {print end - start}')

report "1 rank x 1 thread" "$out/one" "$one_wall"
report "$ranks ranks x 1 thread" "$out/many" "$many_wall"
one=$(field seconds "$out/one/run.json")
many=$(field seconds "$out/many/run.json")
communication=$(field communication "$out/many/run.json")
waiting=$(field communication_waiting "$out/many/run.json")
awk -v one="$one" -v many="$many" -v comm="$communication" -v wait="$waiting" -v ranks="$ranks" 'BEGIN {
    printf "generations: %.2fx faster on %d ranks (efficiency %.0f%%); MPI %.1f%% of generation time: transfer %.1f%%, waiting for the slowest rank %.1f%%\n",
        one / many, ranks, 100 * one / many / ranks, 100 * comm / many, 100 * (comm - wait) / many, 100 * wait / many
}'
for file in leaderboard.parquet capital.parquet champions.parquet; do
    cmp -s "$out/one/$file" "$out/many/$file" || { echo "$file differs between the runs" >&2; exit 1; }
done
echo "leaderboard, capital and champions tables: byte-identical"
