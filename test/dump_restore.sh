#!/usr/bin/env bash
# pg_dump of a database with codes, restored into a new database, keeps every
# code and count, and the identity sequence continues without a collision.
# Runs against the server in the PG* environment.
set -euo pipefail

source=promo_dump_source
target=promo_dump_target
dump=$(mktemp /tmp/promo-dump.XXXXXX.sql)
trap 'rm -f "$dump"; dropdb --if-exists $source; dropdb --if-exists $target' EXIT

dropdb --if-exists $source 2>/dev/null; dropdb --if-exists $target 2>/dev/null
createdb $source
psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d $source <<'SQL'
CREATE EXTENSION promo;
INSERT INTO promo_codes (code, max_uses) VALUES ('SUMMER25', 50), ('WINTER', 2), ('FREE', NULL);
INSERT INTO promo_codes (code, is_active, valid_from, valid_until)
  VALUES ('RETIRED', false, '2026-01-01', '2026-02-01');
SELECT redeem_promo('summer25') FROM generate_series(1, 7);
SELECT redeem_promo('winter') FROM generate_series(1, 3);
SELECT redeem_promo('free') FROM generate_series(1, 4);
SQL

pg_dump --no-owner -d $source -f "$dump"
createdb $target
psql -X -q -v ON_ERROR_STOP=1 -d $target -f "$dump" >/dev/null

snapshot='SELECT id, code, max_uses, current_uses, is_active, valid_from, valid_until, created_at
            FROM promo_codes ORDER BY id'
before=$(psql -X -A -t -d $source -c "$snapshot")
after=$(psql -X -A -t -d $target -c "$snapshot")
if [[ "$before" != "$after" ]]; then
  echo "FAIL: restored codes differ"
  diff <(echo "$before") <(echo "$after") || true
  exit 1
fi
echo "restored $(echo "$after" | wc -l) codes with identical counts:"
echo "$after" | cut -d'|' -f2,4 | tr '\n' ' '; echo

# The restored database goes on: a new code gets a fresh id, redemptions count on.
next=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d $target \
  -c "INSERT INTO promo_codes (code) VALUES ('AFTER-RESTORE') RETURNING id")
max_before=$(psql -X -A -t -d $source -c "SELECT max(id) FROM promo_codes")
[[ $next -gt $max_before ]] || { echo "FAIL: new id $next collides with restored ids (max $max_before)"; exit 1; }
uses=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d $target -c "SELECT current_uses FROM redeem_promo('SUMMER25')")
[[ $uses -eq 8 ]] || { echo "FAIL: SUMMER25 redeemed to $uses after restore, expected 8"; exit 1; }
echo "PASS: dump and restore kept every code and count; next id $next, SUMMER25 continues at $uses"
