#!/usr/bin/env bash
# make bench: the standard benchmark on a throwaway server (fsync and
# synchronous_commit on, as PostgreSQL ships): hot and spread loads at 1, 4,
# 16, 64 and 100 connections, and 200 through PgBouncer's transaction pool
# (100 server connections), the seed's UPDATE, the seed's UPDATE + the
# client's ledger INSERT, and redeem_promo, interleaved, 3 runs each of
# BENCH_SECONDS.
# Campaigns (1.5): in the spread load, two more variants run interleaved
# with the others: redeem_promo on as many distinct codes of one campaign
# capped far beyond the run (at create_campaign's default slots, 16, and at
# one slot); the "campaign, N conns" lines give campaign / no campaign
# (the spread load's promo) from medians, each pair's ratio, and p99,
# against the issue's target of 0.8.
# Prints the table; writes bench-results/bench.json and bench.png, and copies
# the chart to docs/bench.png, which the README shows.
set -uo pipefail
cd "$(dirname "$0")/../.."
bash test/harness/packages.sh || exit 1
if ! command -v gnuplot >/dev/null; then
  [[ $(id -u) -eq 0 ]] && apt-get install -y -qq gnuplot-nox >/dev/null ||
    echo "gnuplot is missing (apt-get install gnuplot-nox): the chart will not be drawn"
fi
make -s >/dev/null && make -s client >/dev/null && make -s install >/dev/null || { echo "build failed"; exit 1; }
source test/harness/server.sh
source test/scale/pgbouncer.sh
trap server_stop EXIT
server_start || exit 1
# PROMO_VERSION=1.6 benches a version in development (1.6 adds the
# promo+order variant, "order, ..." lines: an order's cost against none).
createdb promo_bench &&
  psql -X -q -d promo_bench -c "CREATE EXTENSION promo${PROMO_VERSION:+ VERSION '$PROMO_VERSION'}" || exit 1
pooled=${BENCH_POOLED_CONNECTIONS-200}
pooled_options=()
if [[ -n $pooled ]]; then
  trap 'pgbouncer_stop; server_stop' EXIT
  pgbouncer_start "$PGPORT" promo_bench "${BENCH_POOL:-100}" || exit 1
  pooled_options=(--pooled-dsn "host=127.0.0.1 port=$PGBOUNCER_PORT user=postgres dbname=promo_bench"
    --pooled-connections "$pooled")
fi
client/promo-client --dsn dbname=promo_bench bench --connections "${BENCH_CONNECTIONS:-1,4,16,64,100}" \
  --seconds "${BENCH_SECONDS:-5}" --pairs "${BENCH_PAIRS:-3}" --codes "${BENCH_CODES:-1000}" --slots "${BENCH_SLOTS:-16}" \
  "${pooled_options[@]}" --out bench-results || exit 1
# What the counters of promo_stats cost, on and off in turns.
bash test/bench/bench_stats_cost.sh "${BENCH_STATS_CONNECTIONS:-1,16,100}" "${BENCH_SECONDS:-5}" "${BENCH_PAIRS:-3}" ||
  exit 1
# The README shows the chart of the last full run from docs/ (bench-results/
# is not committed).
[[ -s bench-results/bench.png ]] && mkdir -p docs && cp bench-results/bench.png docs/bench.png
