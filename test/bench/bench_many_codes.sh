#!/usr/bin/env bash
# Redemption throughput with many codes loaded (issue 12): the same load —
# BENCH_CONNECTIONS sessions redeeming a random code, pgbench, one call per
# transaction — on a database of 1,000 codes and on one of MANY_CODES
# (20,000,000 by default), interleaved A B A B A B on one throwaway server
# (fsync on, shared_buffers 8GB so that both large tables and their indexes stay in memory);
# prints each run (with the WAL bytes and full-page images per redemption:
# the first change of each page after a checkpoint logs the whole page, and
# random codes among 20,000,000 touch a new page almost every time), the
# medians and the ratio many ÷ few. The seed's plain UPDATE, and the seed's
# UPDATE followed by its ledger INSERT, run the same way on seed tables of the
# same sizes (the tables of client/bench.cpp), interleaved with promo: their
# ratio is what PostgreSQL itself loses to the larger table on this machine.
# MANY_CODES_CONF adds a postgresql.conf line (for example "wal_compression = lz4").
#   bash test/bench/bench_many_codes.sh [MANY_CODES] [SECONDS] [RUNS]
set -uo pipefail
cd "$(dirname "$0")/../.."
many=${1:-20000000} seconds=${2:-10} runs=${3:-3} connections=${BENCH_CONNECTIONS:-100}
make -s >/dev/null && make -s install >/dev/null || { echo "build failed"; exit 1; }
source test/harness/server.sh
server_start "shared_buffers = 8GB" "max_wal_size = 8GB" "checkpoint_timeout = 30min" ${MANY_CODES_CONF:+"$MANY_CODES_CONF"} || exit 1
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
  psql -X -q -d "$1" -c "CREATE TABLE seed_codes (
      id bigserial PRIMARY KEY, code text NOT NULL UNIQUE, max_uses integer,
      current_uses integer NOT NULL DEFAULT 0, is_active boolean NOT NULL DEFAULT true, valid_until timestamptz);
    CREATE TABLE seed_ledger (id bigserial PRIMARY KEY, promo_id bigint NOT NULL REFERENCES seed_codes (id),
      customer_id text, redeemed_at timestamptz NOT NULL DEFAULT now());
    CREATE INDEX seed_ledger_promo ON seed_ledger (promo_id, customer_id);
    INSERT INTO seed_codes (code) SELECT 'C' || lpad(g::text, 8, '0') FROM generate_series(1, $2) g" &
  wait
  psql -X -q -d "$1" -c "VACUUM ANALYZE promo_codes" -c "VACUUM ANALYZE seed_codes"
  echo "$1: $(psql -X -At -d "$1" -c "SELECT count(*) FROM promo_codes") codes loaded in $(($(date +%s) - started)) s," \
    "table and indexes $(psql -X -At -d "$1" -c "SELECT pg_size_pretty(pg_total_relation_size('promo_codes'))")"
}
load promo_few 1000
load promo_many "$many"

wal() { psql -X -At -d promo_few -c "SELECT wal_bytes || ' ' || wal_fpi FROM pg_stat_wal"; }
# The statements of one redemption, per variant, of the random code $code.
code="('C' || lpad(:n::text, 8, '0'))"
declare -A statements=(
  [promo]="SELECT status FROM redeem_promo($code);"
  [seed]="UPDATE seed_codes SET current_uses = current_uses + 1 WHERE code = $code AND is_active
  AND (valid_until IS NULL OR valid_until > now()) AND (max_uses IS NULL OR current_uses < max_uses)
  RETURNING id, code, current_uses, max_uses, is_active;"
  [seed+ledger]="WITH used AS (UPDATE seed_codes SET current_uses = current_uses + 1 WHERE code = $code AND is_active
  AND (valid_until IS NULL OR valid_until > now()) AND (max_uses IS NULL OR current_uses < max_uses)
  RETURNING id) INSERT INTO seed_ledger (promo_id) SELECT id FROM used;")
variants=(promo seed seed+ledger)
run() { # VARIANT DB COUNT: one pgbench run, prints tps; WAL bytes and full-page images per redemption to stderr
  local script out before after
  script=$(mktemp)
  printf '\\set n random(1, %d)\n' "$3" >"$script"
  echo "${statements[$1]}" >>"$script"
  before=$(wal)
  out=$("$PGBENCH" -n -c "$connections" -j 4 -T "$seconds" -f "$script" "$2" 2>&1)
  after=$(wal)
  rm -f "$script"
  awk -v run="$1 on $3 codes" -v b="$before" -v a="$after" -v n="$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' <<<"$out")" \
    'BEGIN { split(b, x, " "); split(a, y, " "); if (n > 0) printf "  %s: %.0f WAL bytes, %.2f full-page images per redemption\n", run, (y[1] - x[1]) / n, (y[2] - x[2]) / n }' >&2
  sed -nE 's/^tps = ([0-9.]+).*/\1/p' <<<"$out" | head -1
}
declare -A tps=()  # "VARIANT COUNT" -> the runs' tps, space-separated
for ((i = 1; i <= runs; i++)); do
  for variant in "${variants[@]}"; do
    few=$(run "$variant" promo_few 1000) many_run=$(run "$variant" promo_many "$many")
    tps["$variant few"]+="$few " tps["$variant many"]+="$many_run "
    echo "run $i, $variant: 1,000 codes $few tps, $many codes $many_run tps"
  done
done
median() { printf '%s\n' $1 | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "medians of $runs runs of $seconds s, $connections connections, $many codes ÷ 1,000 codes (promo's target >= 0.80):"
for variant in "${variants[@]}"; do
  few=$(median "${tps["$variant few"]}") many_median=$(median "${tps["$variant many"]}")
  printf '  %-12s %8s tps ÷ %8s tps = %s x\n' "$variant" "$many_median" "$few" \
    "$(awk -v a="$many_median" -v b="$few" 'BEGIN { printf "%.2f", a / b }')"
done
psql -X -At -d promo_many -c "SELECT 'invariant breaks: ' || count(*) FROM promo_code_usage u
  WHERE u.uses <> (SELECT count(*) FROM promo_redemptions r WHERE r.promo_id = u.promo_id AND r.state <> 'released')
    AND u.promo_id IN (SELECT promo_id FROM promo_redemptions)"
