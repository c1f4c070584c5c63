#!/usr/bin/env bash
# Redemption throughput with many codes loaded (issue 12): the same load —
# BENCH_CONNECTIONS sessions redeeming a random code, pgbench, one call per
# transaction — on a database of 1,000 codes and on one of MANY_CODES
# (20,000,000 by default), interleaved A B A B A B on one throwaway server
# (fsync on, shared_buffers 2GB so the larger index can stay in memory);
# prints each run (with the WAL bytes and full-page images per redemption:
# the first change of each page after a checkpoint logs the whole page, and
# random codes among 20,000,000 touch a new page almost every time), the
# medians and the ratio many ÷ few. MANY_CODES_CONF adds a postgresql.conf
# line (for example "wal_compression = lz4").
#   bash test/bench/bench_many_codes.sh [MANY_CODES] [SECONDS] [RUNS]
set -uo pipefail
cd "$(dirname "$0")/../.."
many=${1:-20000000} seconds=${2:-10} runs=${3:-3} connections=${BENCH_CONNECTIONS:-100}
make -s >/dev/null && make -s install >/dev/null || { echo "build failed"; exit 1; }
source test/harness/server.sh
server_start "shared_buffers = 2GB" "max_wal_size = 8GB" "checkpoint_timeout = 30min" ${MANY_CODES_CONF:+"$MANY_CODES_CONF"} || exit 1
trap server_stop EXIT
PGBENCH=${PG_BIN:-$(pg_config --bindir)}/pgbench

# load DB COUNT: COUNT unlimited codes C00000001 ..., in two sessions at once.
load() {
  createdb "$1" && psql -X -q -d "$1" -c "CREATE EXTENSION promo" || exit 1
  local half=$(($2 / 2)) started=$(date +%s)
  for part in 0 1; do
    psql -X -q -d "$1" -c "INSERT INTO promo_codes (code)
      SELECT 'C' || lpad(g::text, 8, '0') FROM generate_series($((part * half + 1)), $(((part + 1) * half + part * ($2 % 2)))) g" &
  done
  wait
  psql -X -q -d "$1" -c "VACUUM ANALYZE promo_codes"
  echo "$1: $(psql -X -At -d "$1" -c "SELECT count(*) FROM promo_codes") codes loaded in $(($(date +%s) - started)) s," \
    "table and indexes $(psql -X -At -d "$1" -c "SELECT pg_size_pretty(pg_total_relation_size('promo_codes'))")"
}
load promo_few 1000
load promo_many "$many"

wal() { psql -X -At -d promo_few -c "SELECT wal_bytes || ' ' || wal_fpi FROM pg_stat_wal"; }
run() { # DB COUNT: one pgbench run, prints tps; WAL bytes and full-page images per redemption to stderr
  local script out before after
  script=$(mktemp)
  printf '\\set n random(1, %d)\nSELECT status FROM redeem_promo('"'"'C'"'"' || lpad(:n::text, 8, '"'"'0'"'"'));\n' "$2" >"$script"
  before=$(wal)
  out=$("$PGBENCH" -n -c "$connections" -j 4 -T "$seconds" -f "$script" "$1" 2>&1)
  after=$(wal)
  rm -f "$script"
  awk -v db="$1" -v b="$before" -v a="$after" -v n="$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' <<<"$out")" \
    'BEGIN { split(b, x, " "); split(a, y, " "); if (n > 0) printf "  %s: %.0f WAL bytes, %.2f full-page images per redemption\n", db, (y[1] - x[1]) / n, (y[2] - x[2]) / n }' >&2
  sed -nE 's/^tps = ([0-9.]+).*/\1/p' <<<"$out" | head -1
}
few_tps=() many_tps=()
for ((i = 1; i <= runs; i++)); do
  few_tps+=("$(run promo_few 1000)")
  many_tps+=("$(run promo_many "$many")")
  echo "run $i: 1,000 codes ${few_tps[-1]} tps, $many codes ${many_tps[-1]} tps"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
few=$(median "${few_tps[@]}") many_median=$(median "${many_tps[@]}")
echo "medians of $runs runs of $seconds s, $connections connections: 1,000 codes $few tps, $many codes $many_median tps:" \
  "$(awk -v a="$many_median" -v b="$few" 'BEGIN { printf "%.2f", a / b }') x (target >= 0.80)"
psql -X -At -d promo_many -c "SELECT 'invariant breaks: ' || count(*) FROM promo_code_usage u
  WHERE u.uses <> (SELECT count(*) FROM promo_redemptions r WHERE r.promo_id = u.promo_id AND r.state <> 'released')
    AND u.promo_id IN (SELECT promo_id FROM promo_redemptions)"
