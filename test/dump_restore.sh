#!/usr/bin/env bash
# pg_dump of a database with codes and ledger rows, restored into a new
# database, keeps every code, count and ledger row, and both identity
# sequences continue without a collision.
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
SELECT redeem_promo('summer25', customer_id => 'alice', idempotency_key => 'order-1');
SELECT redeem_promo('summer25', customer_id => 'bob', hold => '1 day');
SELECT release_promo(2);
SQL

pg_dump --no-owner -d $source -f "$dump"
createdb $target
psql -X -q -v ON_ERROR_STOP=1 -d $target -f "$dump" >/dev/null

for table in promo_codes promo_redemptions; do
  snapshot="SELECT * FROM $table ORDER BY id"
  before=$(psql -X -A -t -d $source -c "$snapshot")
  after=$(psql -X -A -t -d $target -c "$snapshot")
  if [[ "$before" != "$after" ]]; then
    echo "FAIL: restored $table differs"
    diff <(echo "$before") <(echo "$after") || true
    exit 1
  fi
  echo "restored $(echo "$after" | wc -l) rows of $table, identical"
done
psql -X -A -t -d $target -c "SELECT code || ' ' || current_uses FROM promo_codes ORDER BY id" | tr '\n' ';'; echo

# The restored database goes on: a new code gets a fresh id, redemptions count on.
next=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d $target \
  -c "INSERT INTO promo_codes (code) VALUES ('AFTER-RESTORE') RETURNING id")
max_before=$(psql -X -A -t -d $source -c "SELECT max(id) FROM promo_codes")
[[ $next -gt $max_before ]] || { echo "FAIL: new id $next collides with restored ids (max $max_before)"; exit 1; }
redemption=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d $target \
  -c "SELECT redemption_id || ' ' || current_uses FROM redeem_promo('SUMMER25')")
ledger_max=$(psql -X -A -t -d $source -c "SELECT max(id) FROM promo_redemptions")
[[ ${redemption% *} -gt $ledger_max ]] ||
  { echo "FAIL: new redemption id ${redemption% *} collides with restored ones (max $ledger_max)"; exit 1; }
[[ ${redemption#* } -eq 9 ]] || { echo "FAIL: SUMMER25 redeemed to ${redemption#* } after restore, expected 9"; exit 1; }
replay=$(psql -X -q -A -t -v ON_ERROR_STOP=1 -d $target -c \
  "SELECT redemption_id || ' ' || replayed::int FROM redeem_promo('SUMMER25', customer_id => 'alice', idempotency_key => 'order-1')")
[[ "$replay" == "14 1" ]] || { echo "FAIL: the restored key replays as '$replay', expected '14 1' (id, replayed)"; exit 1; }
echo "PASS: dump and restore kept every code, count and ledger row; next code id $next," \
  "next redemption id ${redemption% *}, SUMMER25 continues at ${redemption#* }, key order-1 replays redemption 14"
