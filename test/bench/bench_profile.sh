#!/usr/bin/env bash
# Where a redemption's time goes (issue 13): CONNECTIONS sessions of pgbench
# redeem random codes among 1,000 (one call per transaction) for SECONDS on a
# throwaway server, while perf samples every process of the server with call
# graphs. Prints perf's top entries (self time, then with callees) and keeps
# perf.data in bench-results/ for a flame graph. VARIANT is promo (default),
# seed (the seed's UPDATE) or seed+ledger (that UPDATE and a ledger INSERT in
# one statement), on the tables bench_many_codes.sh uses.
#   bash test/bench/bench_profile.sh [CONNECTIONS] [SECONDS] [VARIANT]
# PROFILE_FRAME_POINTERS=1: Debian's postgres has no frame pointers, so its
# call graphs are partial; this runs a PostgreSQL 15 built with them instead
# (once, cached: test/harness/build_postgres.sh 15 framepointers), promo built
# likewise in a copy of the tree, and also draws the flame graph
# bench-results/flamegraph-VARIANT-CONNECTIONS.svg (npm's flamegraph, kept in
# $PROMO_CACHE/npm).
set -uo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-1} seconds=${2:-10} variant=${3:-promo}
command -v perf >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq linux-perf >/dev/null; } ||
  { echo "perf is missing (apt-get install linux-perf)"; exit 1; }
if [[ -n ${PROFILE_FRAME_POINTERS:-} ]]; then
  npm_dir=${PROMO_CACHE:-/var/cache/promo}/npm
  flamegraph=$npm_dir/node_modules/.bin/flamegraph
  [[ -x $flamegraph ]] || npm install --prefix "$npm_dir" --no-audit --no-fund -s flamegraph@1.3.0 >/dev/null ||
    { echo "npm could not install flamegraph"; exit 1; }
  PG_BIN=$(bash test/harness/build_postgres.sh 15 framepointers) || exit 1
  copy=$(mktemp -d /tmp/promo-profile.XXXXXX)
  cp -r Makefile extension "$copy"/
  find "$copy"/extension -name "*.o" -delete
  make -C "$copy" -s PG_CONFIG="$PG_BIN/pg_config" PROMO_CXXFLAGS=-fno-omit-frame-pointer install >/dev/null ||
    { echo "promo did not build against $PG_BIN"; exit 1; }
  rm -rf "$copy"
else
  make -s >/dev/null && make -s install >/dev/null || { echo "build failed"; exit 1; }
fi
source test/harness/server.sh
server_start || exit 1
trap server_stop EXIT
PGBENCH=${PG_BIN:-$(pg_config --bindir)}/pgbench
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION promo" \
  -c "INSERT INTO promo_codes (code) SELECT 'C' || lpad(g::text, 8, '0') FROM generate_series(1, 1000) g" \
  -c "CREATE TABLE seed_codes (id bigserial PRIMARY KEY, code text NOT NULL UNIQUE, max_uses integer,
        current_uses integer NOT NULL DEFAULT 0, is_active boolean NOT NULL DEFAULT true, valid_until timestamptz)" \
  -c "CREATE TABLE seed_ledger (id bigserial PRIMARY KEY, promo_id bigint NOT NULL REFERENCES seed_codes (id),
        customer_id text, redeemed_at timestamptz NOT NULL DEFAULT now())" \
  -c "CREATE INDEX seed_ledger_promo ON seed_ledger (promo_id, customer_id)" \
  -c "INSERT INTO seed_codes (code) SELECT 'C' || lpad(g::text, 8, '0') FROM generate_series(1, 1000) g" || exit 1
code="('C' || lpad(:n::text, 8, '0'))"
case $variant in
  promo) statement="SELECT status FROM redeem_promo($code);" ;;
  seed) statement="UPDATE seed_codes SET current_uses = current_uses + 1 WHERE code = $code AND is_active
    AND (valid_until IS NULL OR valid_until > now()) AND (max_uses IS NULL OR current_uses < max_uses)
    RETURNING id, code, current_uses, max_uses, is_active;" ;;
  seed+ledger) statement="WITH used AS (UPDATE seed_codes SET current_uses = current_uses + 1 WHERE code = $code
    AND is_active AND (valid_until IS NULL OR valid_until > now()) AND (max_uses IS NULL OR current_uses < max_uses)
    RETURNING id) INSERT INTO seed_ledger (promo_id) SELECT id FROM used;" ;;
  *) echo "VARIANT is promo, seed or seed+ledger"; exit 2 ;;
esac
script=$PROMO_SERVER_DIR/redeem.sql
printf '\\set n random(1, 1000)\n%s\n' "$statement" >"$script"
"$PGBENCH" -n -M prepared -c "$connections" -T 2 -f "$script" >/dev/null 2>&1  # plans cached, pages warm
postmaster=$(head -1 "$PROMO_SERVER_DIR/data/postmaster.pid")
mkdir -p bench-results
out=bench-results/perf-$variant-$connections.data
# perf follows the backends pgbench's connections start; -p would miss them.
perf record -q -g -o "$out" -a -- "$PGBENCH" -n -M prepared -c "$connections" -T "$seconds" -f "$script" 2>&1 |
  sed -nE 's/^(tps = [0-9.]+).*/\1/p'
report() { perf report -i "$out" --comm postgres --stdio --percentage relative "$@" 2>/dev/null | grep -E '^ +[0-9]'; }
echo "postgres processes: $(perf report -i "$out" --stdio --sort comm 2>/dev/null | awk '/postgres$/ { print $1; exit }') of all samples"
echo "by object:"
report --no-children -g none --sort dso | head -8
echo "top functions by self time:"
report --no-children -g none --sort dso,symbol --percent-limit 0.8 | head -40
echo "top functions with their callees:"
report --children -g none --sort symbol --percent-limit 4 | head -40
echo "postmaster was $postmaster; perf.data in $out"
if [[ -n ${PROFILE_FRAME_POINTERS:-} ]]; then
  svg=bench-results/flamegraph-$variant-$connections.svg
  # Offsets dropped so that one function is one frame; frames under half a
  # pixel left out.
  perf script -i "$out" --comm postgres 2>/dev/null | sed -E 's/\+0x[0-9a-f]+ \(/ (/' |
    "$flamegraph" -t perf --minwidth 0.5 \
      --titletext "$variant at $connections connections: perf over the server, PostgreSQL 15 with frame pointers" \
      >"$svg" && echo "flame graph: $svg"
fi
