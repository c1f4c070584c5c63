#!/usr/bin/env bash
# What writing any ledger row costs, with nothing of promo in the way: pgbench
# at 1 connection on 1,000 spread codes, the seed's plain UPDATE against the
# same UPDATE with an INSERT of one bigint into a table with no index and no
# constraint, in the same statement. Alternated, 3 runs each of 5 s; prints
# the medians and their ratio: the ceiling for any implementation that writes
# a ledger row, against the UPDATE alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/harness/packages.sh
source test/harness/server.sh
server_start
trap server_stop EXIT
createdb floor
psql -X -q -d floor <<'SQL'
CREATE TABLE seed_codes (id bigserial PRIMARY KEY, code text NOT NULL UNIQUE, max_uses integer,
  current_uses integer NOT NULL DEFAULT 0, is_active boolean NOT NULL DEFAULT true, valid_until timestamptz);
INSERT INTO seed_codes (code, max_uses) SELECT 'C' || g, 2147483647 FROM generate_series(1, 1000) g;
CREATE TABLE bare_ledger (promo_id bigint);
SQL
dir=$(mktemp -d)
guard="is_active AND (valid_until IS NULL OR valid_until > now()) AND (max_uses IS NULL OR current_uses < max_uses)"
echo "\\set c random(1, 1000)
UPDATE seed_codes SET current_uses = current_uses + 1 WHERE code = 'C' || :c AND $guard RETURNING id;" >"$dir/update.sql"
echo "\\set c random(1, 1000)
WITH u AS (UPDATE seed_codes SET current_uses = current_uses + 1 WHERE code = 'C' || :c AND $guard RETURNING id)
INSERT INTO bare_ledger SELECT id FROM u;" >"$dir/update_insert.sql"
source test/bench/median.sh
update=() update_insert=()
for run in 1 2 3; do
  for variant in update update_insert; do
    declare -n runs=$variant
    runs+=("$(pgbench -n -M prepared -c 1 -T 5 -f "$dir/$variant.sql" floor 2>/dev/null | awk '/^tps/ {print $3}')")
  done
done
u=$(median "${update[@]}") ui=$(median "${update_insert[@]}")
echo "UPDATE alone:             ${update[*]} -> median $u tps"
echo "UPDATE + bare ledger row: ${update_insert[*]} -> median $ui tps"
echo "ratio: $(awk -v a="$ui" -v b="$u" 'BEGIN {printf "%.2f", a / b}')"
rm -rf "$dir"
