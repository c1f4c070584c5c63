#!/usr/bin/env bash
# Codes by the million (issue 12): generate_promo_codes and the import of a
# shop's codes (COPY into promo_code_imports, then import_promo_codes), each
# of BENCH_CODES (1,000,000) codes, RUNS runs (3) on a fresh database each,
# on a throwaway server with PostgreSQL's default settings. Prints each run
# and the medians in codes per second; the target is 1,000,000 codes in at
# most 30 seconds each. The export of the campaign as CSV is timed too.
# Every run checks what it timed: the codes all there, all distinct under
# normalization, and exactly the planted refusals reported.
#   test/bench/bench_codes.sh [CODES] [RUNS]
# PG_CONFIG chooses the PostgreSQL to build against and run (default: the
# pg_config on PATH). Wall times on a busy machine include other processes'
# turns: each run also prints the backend's own CPU time and the load.
set -uo pipefail
cd "$(dirname "$0")/../.."
codes=${1:-${BENCH_CODES:-1000000}}
runs=${2:-${BENCH_RUNS:-3}}
PG_CONFIG=${PG_CONFIG:-pg_config}
export PG_BIN=${PG_BIN:-$("$PG_CONFIG" --bindir)}
make -s PG_CONFIG="$PG_CONFIG" >/dev/null && make -s PG_CONFIG="$PG_CONFIG" install >/dev/null ||
  { echo "build failed"; exit 1; }
source test/harness/server.sh
source test/bench/median.sh
server_start || exit 1
trap server_stop EXIT
psql() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

# The shop's file: `codes` distinct codes, then 1,000 rows that repeat
# earlier ones in another case and 10 blank ones: 1,010 refusals planted.
shop_file=$PROMO_SERVER_DIR/shop_codes.csv
psql -d postgres -c "COPY (
  SELECT 'SHOP-' || upper(substr(md5(i::text), 1, 14)), '1', NULL FROM generate_series(1, $codes) i
  UNION ALL SELECT 'shop-' || lower(substr(md5(i::text), 1, 14)), '1', NULL FROM generate_series(1, 1000) i
  UNION ALL SELECT '   ', '1', NULL FROM generate_series(1, 10)) TO STDOUT WITH (FORMAT csv)" >"$shop_file" ||
  exit 1
expected_refused=1010

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

# Runs a statement in its own session and prints "<wall seconds> <backend CPU seconds>".
timed() {  # DATABASE SQL [psql options...]
  local database=$1 sql=$2 started finished ticks
  shift 2
  started=$(now)
  ticks=$(psql -d "$database" "$@" <<SQL
SELECT pg_backend_pid() AS pid \gset
\setenv PROMO_BENCH_PID :pid
\! awk '{ print \$14 + \$15 }' /proc/\$PROMO_BENCH_PID/stat > "$PROMO_SERVER_DIR/cpu.before"
$sql
\! awk '{ print \$14 + \$15 }' /proc/\$PROMO_BENCH_PID/stat > "$PROMO_SERVER_DIR/cpu.after"
SQL
  ) || return 1
  finished=$(now)
  local before after
  before=$(cat "$PROMO_SERVER_DIR/cpu.before" 2>/dev/null || echo 0)
  after=$(cat "$PROMO_SERVER_DIR/cpu.after" 2>/dev/null || echo 0)
  echo "$(elapsed "$started" "$finished") $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }')"
}

check() {  # DATABASE SQL EXPECTED WHAT
  local got
  got=$(psql -d "$1" -A -t -c "$2") || return 1
  [[ $got == "$3" ]] || { echo "FAIL: $4: $got, expected $3"; return 1; }
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $("$PG_BIN/postgres" --version)"
generate_rates=() import_rates=() export_seconds=()
for ((run = 1; run <= runs; run++)); do
  db=promo_codes_bench_$run
  "$PG_BIN/createdb" "$db" || exit 1
  psql -d "$db" -c "CREATE EXTENSION promo" -c "SELECT create_campaign('generated')" \
    -c "SELECT create_campaign('imported')" -c "CHECKPOINT" >/dev/null || exit 1

  read -r g_wall g_cpu < <(timed "$db" "SELECT generate_promo_codes('generated', $codes, 'GEN-####-####-####') \\gset") ||
    { echo "FAIL: generation"; exit 1; }
  check "$db" "SELECT count(*) || ' ' || count(DISTINCT code_key) FROM promo_codes" "$codes $codes" \
    "generated codes, distinct keys" || exit 1

  psql -d "$db" -c "CHECKPOINT" >/dev/null
  read -r c_wall c_cpu < <(timed "$db" "\\copy promo_code_imports (code, max_uses, max_uses_per_customer) FROM '$shop_file' WITH (FORMAT csv)") ||
    { echo "FAIL: COPY"; exit 1; }
  read -r i_wall i_cpu < <(timed "$db" "\\o '$PROMO_SERVER_DIR/refused'
SELECT count(*) FROM import_promo_codes('imported');
\\o" -A -t) || { echo "FAIL: import"; exit 1; }
  [[ $(cat "$PROMO_SERVER_DIR/refused") == "$expected_refused" ]] ||
    { echo "FAIL: the import refused $(cat "$PROMO_SERVER_DIR/refused") rows, not the $expected_refused planted"; exit 1; }
  check "$db" "SELECT count(*) FROM promo_codes WHERE campaign_id = promo_campaign_id('imported')" "$codes" \
    "imported codes" || exit 1
  check "$db" "SELECT count(*) FROM promo_code_imports" "0" "rows left in staging" || exit 1
  read -r e_wall e_cpu < <(timed "$db" "\\copy (SELECT * FROM promo_campaign_codes('imported')) TO '/dev/null' WITH (FORMAT csv, HEADER)") ||
    { echo "FAIL: export"; exit 1; }

  import_wall=$(awk -v a="$c_wall" -v b="$i_wall" 'BEGIN { printf "%.2f", a + b }')
  generate_rates+=("$(rate "$codes" "$g_wall")")
  import_rates+=("$(rate "$codes" "$import_wall")")
  export_seconds+=("$e_wall")
  echo "run $run: generate $codes codes in $g_wall s (${generate_rates[-1]} codes/s; backend CPU $g_cpu s)"
  echo "       import $codes codes in $import_wall s: COPY $c_wall s + import_promo_codes $i_wall s" \
    "(${import_rates[-1]} codes/s; backend CPU $c_cpu + $i_cpu s; $expected_refused refusals planted)"
  echo "       export $codes codes as CSV in $e_wall s (backend CPU $e_cpu s); load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$PG_BIN/dropdb" "$db"
done
m_generate=$(median "${generate_rates[@]}") m_import=$(median "${import_rates[@]}") m_export=$(median "${export_seconds[@]}")
echo "median of $runs: generate $m_generate codes/s ($(awk -v n="$codes" -v r="$m_generate" 'BEGIN { printf "%.1f", n / r }') s for $codes);" \
  "import $m_import codes/s ($(awk -v n="$codes" -v r="$m_import" 'BEGIN { printf "%.1f", n / r }') s); export $m_export s"
