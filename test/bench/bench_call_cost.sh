#!/usr/bin/env bash
# What one redeem_promo call costs the server, without the commit and the
# client (issue 13): RUNS (5) statements of CALLS (20,000) redemptions each,
# over 1,000 codes, in one session on a throwaway server; prints µs per call
# for each run and their median. CPU-bound and in one backend, it is steadier
# than throughput on a shared machine: use it to compare two builds (run it
# on each, in turns). The calls of one statement share a transaction, so the
# codes' HOT chains grow within it; the cost includes that.
#   bash test/bench/bench_call_cost.sh [CALLS] [RUNS]
set -uo pipefail
cd "$(dirname "$0")/../.."
calls=${1:-20000} runs=${2:-5}
make -s >/dev/null && make -s install >/dev/null || { echo "build failed"; exit 1; }
source test/harness/server.sh
source test/bench/median.sh
server_start || exit 1
trap server_stop EXIT
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION promo" \
  -c "INSERT INTO promo_codes (code) SELECT 'C' || lpad(g::text, 8, '0') FROM generate_series(1, 1000) g" || exit 1
per_call=()
for ((i = 1; i <= runs; i++)); do
  ms=$(psql -X -q -At -c '\timing on' -c "SELECT count(*) FROM generate_series(1, $calls) g,
         LATERAL redeem_promo('C' || lpad(((g % 1000) + 1)::text, 8, '0')) r WHERE r.status = 'redeemed'" |
    sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p')
  per_call+=("$(awk -v ms="$ms" -v n="$calls" 'BEGIN { printf "%.1f", ms * 1000 / n }')")
done
echo "redeem_promo: ${per_call[*]} µs per call; median $(median "${per_call[@]}") µs ($runs runs of $calls calls)"
