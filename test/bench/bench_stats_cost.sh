#!/usr/bin/env bash
# What promo_stats costs (1.5.2): pgbench sessions redeeming random codes of
# 1,000 unlimited ones, with promo.track_stats on and off in turns (RUNS
# pairs, SECONDS each), at each of CONNECTIONS; prints each pair and the
# median ratio on/off. Runs against the server in the PG* environment (make
# bench's), in a database of its own.
#   bash test/bench/bench_stats_cost.sh [CONNECTIONS] [SECONDS] [RUNS]
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/bench/median.sh
connection_counts=${1:-1,16,100} seconds=${2:-5} runs=${3:-3}
PGBENCH=${PG_BIN:-$(pg_config --bindir)}/pgbench
database=promo_stats_bench
dropdb --if-exists "$database" 2>/dev/null && createdb "$database" &&
  psql -X -q -v ON_ERROR_STOP=1 -d "$database" -c "CREATE EXTENSION promo" \
    -c "INSERT INTO promo_codes (code) SELECT 'C' || lpad(g::text, 8, '0') FROM generate_series(1, 1000) g" ||
  { echo "could not prepare $database"; exit 1; }
script=$(mktemp)
trap 'rm -f "$script"' EXIT
printf '%s\n' '\set n random(1, 1000)' \
  "SELECT status FROM redeem_promo('C' || lpad(:n::text, 8, '0'));" >"$script"
run() { # on|off CONNECTIONS: one pgbench run, prints tps
  PGOPTIONS="-c promo.track_stats=$1" "$PGBENCH" -n -M prepared -c "$2" -j "$(( $2 < 4 ? $2 : 4 ))" -T "$seconds" \
    -f "$script" "$database" 2>/dev/null | sed -nE 's/^tps = ([0-9.]+).*/\1/p' | head -1
}
for connections in ${connection_counts//,/ }; do
  ratios=() on_runs=() off_runs=()
  for ((i = 1; i <= runs; i++)); do
    # Interleaved, the order alternating, so drift falls on both alike.
    if ((i % 2)); then on=$(run on "$connections") off=$(run off "$connections")
    else off=$(run off "$connections") on=$(run on "$connections"); fi
    [[ -n $on && -n $off ]] || { echo "pgbench failed at $connections connections"; exit 1; }
    on_runs+=("$on") off_runs+=("$off")
    ratios+=("$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", a / b }')")
  done
  echo "promo_stats, $connections conns: on $(median "${on_runs[@]}") tps, off $(median "${off_runs[@]}") tps;" \
    "on/off per pair ${ratios[*]}; median $(median "${ratios[@]}")"
done
dropdb "$database"
