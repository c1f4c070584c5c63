#!/usr/bin/env bash
# Size: single-connection redemption throughput with 1,000,000 codes and
# 10,000,000 ledger rows loaded, against the same with 1,000 codes, measured
# by pgbench in turns (small, large, small, large, ...), RUNS runs of SECONDS.
#   test/bench/bench_size.sh [SECONDS] [RUNS]
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-15}
runs=${2:-3}
make -s >/dev/null && make -s client >/dev/null && make -s install >/dev/null || exit 1
source test/harness/server.sh
server_start "max_wal_size = '4GB'" || exit 1
trap server_stop EXIT

load() {  # DATABASE CODES LEDGER_ROWS_PER_CODE
  createdb "$1" && psql -X -q -d "$1" -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION promo;
INSERT INTO promo_codes (code, max_uses, current_uses)
SELECT 'SIZE-' || g, 1000000, $3 FROM generate_series(1, $2) g;
INSERT INTO promo_redemptions (promo_id, customer_id, redeemed_at)
SELECT c.id, 'customer-' || (c.id * 7 + r) % 100000, now() - interval '1 day'
  FROM promo_codes c, generate_series(1, $3) r;
VACUUM ANALYZE promo_codes;
VACUUM ANALYZE promo_redemptions;
SQL
}
started=$SECONDS
load promo_small 1000 10 || exit 1
load promo_large 1000000 10 || exit 1
echo "loaded in $((SECONDS - started)) s: $(psql -X -A -t -d promo_large -c "SELECT count(*) || ' codes, ' ||
  (SELECT count(*) FROM promo_redemptions) || ' ledger rows, ' ||
  pg_size_pretty(pg_database_size(current_database())) FROM promo_codes")"

run() {  # DATABASE CODES
  echo "\\set n random(1, $2)
SELECT status FROM redeem_promo('SIZE-' || :n);" >"$PROMO_SERVER_DIR/size.sql"
  "$PG_BIN/pgbench" -n -M prepared -c 1 -T "$seconds" -f "$PROMO_SERVER_DIR/size.sql" "$1" 2>/dev/null |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p'
}
small=() large=()
for ((i = 1; i <= runs; i++)); do
  small+=("$(run promo_small 1000)")
  large+=("$(run promo_large 1000000)")
  echo "run $i: 1,000 codes ${small[-1]} tps; 1,000,000 codes ${large[-1]} tps"
done
source test/bench/median.sh
m_small=$(median "${small[@]}") m_large=$(median "${large[@]}")
ratio=$(awk -v a="$m_large" -v b="$m_small" 'BEGIN { printf "%.2f", a / b }')
echo "median: 1,000 codes $m_small tps; 1,000,000 codes + 10,000,000 ledger rows $m_large tps; ratio $ratio"
