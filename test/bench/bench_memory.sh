#!/usr/bin/env bash
# One backend redeems CALLS times (default 1,000,000) through pgbench; its
# memory-context total is read with pg_log_backend_memory_contexts() after
# the first 10,000 calls and at the end. synchronous_commit is off for this
# run only, to make it quicker; memory does not depend on it.
#   test/bench/bench_memory.sh [CALLS]
set -uo pipefail
cd "$(dirname "$0")/../.."
calls=${1:-1000000}
make -s >/dev/null && make -s client >/dev/null && make -s install >/dev/null || exit 1
source test/harness/server.sh
server_start "log_min_messages = info" || exit 1
trap server_stop EXIT
createdb promo_memory && psql -X -q -d promo_memory -c "CREATE EXTENSION promo" \
  -c "INSERT INTO promo_codes (code) SELECT 'MEM-' || g FROM generate_series(1, 1000) g" || exit 1
script=$PROMO_SERVER_DIR/redeem.sql
echo "\\set n random(1, 1000)
SELECT status FROM redeem_promo('MEM-' || :n, customer_id => 'c' || :n);" >"$script"
PGAPPNAME=promo-memory PGOPTIONS='-c synchronous_commit=off' \
  "$PG_BIN/pgbench" -n -M prepared -c 1 -t "$calls" -f "$script" promo_memory >"$PROMO_SERVER_DIR/pgbench.out" 2>&1 &
bench=$!
total() {
  psql -X -q -A -t -d promo_memory -c "SELECT pg_log_backend_memory_contexts(pid) FROM pg_stat_activity
                                        WHERE application_name = 'promo-memory'" >/dev/null
  sleep 0.5  # the backend writes its report at its next interrupt check
  grep "Grand total" "$PROMO_SERVER_DIR/server.log" | tail -1 | sed 's/.*Grand total: \([0-9]*\) bytes.*/\1/'
}
until [[ $(psql -X -A -t -d promo_memory -c "SELECT count(*) FROM promo_redemptions") -ge 10000 ]]; do sleep 0.2; done
start=$(total)
last=$start
while kill -0 $bench 2>/dev/null; do
  rows=$(psql -X -A -t -d promo_memory -c "SELECT count(*) FROM promo_redemptions")
  [[ $rows -ge $((calls - 20000)) ]] && break
  sleep 2
done
end=$(total)
wait $bench
grep -E "tps|processed" "$PROMO_SERVER_DIR/pgbench.out"
echo "backend memory contexts: $start bytes after 10,000 calls, $end bytes near $calls calls"
[[ -n "$start" && -n "$end" && $end -le $((start + 65536)) ]] && echo "PASS: flat" || { echo "FAIL: grew"; exit 1; }
