#!/usr/bin/env bash
# make bench: the standard benchmark on a throwaway server (fsync and
# synchronous_commit on, as PostgreSQL ships): hot and spread loads at 1, 16
# and 100 connections, the seed's UPDATE, the seed's UPDATE + the client's
# ledger INSERT, and redeem_promo, interleaved, 3 runs each of BENCH_SECONDS.
# Campaigns (1.5): in the spread load, two more variants run interleaved
# with the others: redeem_promo on as many distinct codes of one campaign
# capped far beyond the run (at create_campaign's default slots, 16, and at
# one slot); the "campaign, N conns" lines give campaign / no campaign
# (the spread load's promo) from medians, each pair's ratio, and p99,
# against the issue's target of 0.8.
# Prints the table; writes bench-results/bench.json and bench.png.
set -uo pipefail
cd "$(dirname "$0")/../.."
bash test/harness/packages.sh || exit 1
if ! command -v gnuplot >/dev/null; then
  [[ $(id -u) -eq 0 ]] && apt-get install -y -qq gnuplot-nox >/dev/null ||
    echo "gnuplot is missing (apt-get install gnuplot-nox): the chart will not be drawn"
fi
make -s >/dev/null && make -s client >/dev/null && make -s install >/dev/null || { echo "build failed"; exit 1; }
source test/harness/server.sh
server_start || exit 1
trap server_stop EXIT
createdb promo_bench && psql -X -q -d promo_bench -c "CREATE EXTENSION promo" || exit 1
client/promo-client --dsn dbname=promo_bench bench --connections "${BENCH_CONNECTIONS:-1,16,100}" \
  --seconds "${BENCH_SECONDS:-5}" --pairs "${BENCH_PAIRS:-3}" --codes "${BENCH_CODES:-1000}" --slots "${BENCH_SLOTS:-16}" \
  --out bench-results
