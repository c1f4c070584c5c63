#!/usr/bin/env bash
# What promo's C++ assumes of its SQL objects, checked against the catalog of
# a fresh CREATE EXTENSION of every version (and of the oldest one updated to
# the newest), on the server the PG* variables name:
#  - the labels of promo_status and the columns of promo_redemption, in
#    order, equal the lists of extension/promo_types.hpp (test/static/sql_types);
#  - no two of promo's triggers fire on the same table for the same event,
#    timing and level, so no order among them (their names) decides anything
#    (code_guard_trigger.cpp). Checked on the newest version: 1.3's two BEFORE
#    UPDATE triggers, released, are the reason (lock_scheme.hpp);
#  - on 1.3's tables, the advisory locks the C++ takes (lock_scheme.hpp,
#    namespace legacy) are the very ones 1.3's SQL takes, keyed by
#    hashtextextended: its trigger and older libraries take them too.
set -uo pipefail
cd "$(dirname "$0")/../.."
failed=0
fail() { echo "FAIL: $*"; failed=1; }

tool=$(mktemp -d)/sql_types
trap 'rm -rf "$(dirname "$tool")"' EXIT
g++ -std=c++17 -Wall -Wextra -Werror -Iextension -o "$tool" test/static/sql_types.cpp || { echo "FAIL: sql_types did not build"; exit 1; }

newest=$(sed -nE "s/^default_version = '([^']+)'/\1/p" extension/promo.control)
versions=$(ls extension/promo--*.sql | sed -E 's/.*promo--([0-9.]+)(--([0-9.]+))?\.sql/\1 \3/' | tr ' ' '\n' |
  grep . | sort -u -t. -k1,1n -k2,2n)
oldest=$(head -1 <<<"$versions")

catalog_lists() {  # $1 database
  psql -X -q -At -d "$1" -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'status ' || enumlabel FROM pg_catalog.pg_enum
 WHERE enumtypid = (SELECT t.oid FROM pg_catalog.pg_type t JOIN pg_catalog.pg_depend d ON d.objid = t.oid
                     WHERE t.typname = 'promo_status' AND d.deptype = 'e')
 ORDER BY enumsortorder;
SELECT 'column ' || a.attname || ' ' || t.typname
  FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
 WHERE a.attrelid = (SELECT c.typrelid FROM pg_catalog.pg_type c JOIN pg_catalog.pg_depend d ON d.objid = c.oid
                      WHERE c.typname = 'promo_redemption' AND d.deptype = 'e')
   AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum;
SQL
}

check() {  # $1 what, $2 database, $3 version its types should be
  local expected actual
  expected=$("$tool" "$3")
  actual=$(catalog_lists "$2") || { fail "$1: cannot read the catalog"; return; }
  if [[ $expected != "$actual" ]]; then
    fail "$1: the catalog differs from extension/promo_types.hpp (< C++, > SQL):"
    diff <(echo "$expected") <(echo "$actual") | grep '^[<>]' || true
  else
    echo "ok: $1 ($(grep -c '^status' <<<"$actual") statuses, $(grep -c '^column' <<<"$actual") columns)"
  fi
}

database=promo_sql_types_$$
for version in $versions; do
  dropdb --if-exists "$database" 2>/dev/null && createdb "$database" || { fail "cannot create $database"; continue; }
  if psql -X -q -d "$database" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION promo VERSION '$version'" 2>/dev/null; then
    check "CREATE EXTENSION promo VERSION '$version'" "$database" "$version"
  else
    fail "CREATE EXTENSION promo VERSION '$version' failed"
  fi
done

dropdb --if-exists "$database" 2>/dev/null && createdb "$database" &&
  psql -X -q -d "$database" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION promo VERSION '$oldest'" \
    -c "ALTER EXTENSION promo UPDATE" >/dev/null && check "$oldest updated to $newest" "$database" "$newest" ||
  fail "$oldest updated to $newest could not be read"

dropdb --if-exists "$database" 2>/dev/null && createdb "$database" &&
  psql -X -q -d "$database" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION promo" >/dev/null || fail "CREATE EXTENSION failed"
overlapping=$(psql -X -q -At -d "$database" -v ON_ERROR_STOP=1 <<'SQL'
WITH promo_triggers AS (
  SELECT c.relname, t.tgname, t.tgtype::integer AS type
    FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
   WHERE NOT t.tgisinternal
     AND c.oid IN (SELECT objid FROM pg_catalog.pg_depend
                    WHERE classid = 'pg_catalog.pg_class'::regclass AND deptype = 'e'
                      AND refobjid = (SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'promo'))
), firing AS (
  SELECT relname, tgname, event,
         CASE WHEN type & 64 <> 0 THEN 'instead of' WHEN type & 2 <> 0 THEN 'before' ELSE 'after' END AS timing,
         CASE WHEN type & 1 <> 0 THEN 'row' ELSE 'statement' END AS level
    FROM promo_triggers,
         LATERAL (VALUES (4, 'insert'), (8, 'delete'), (16, 'update'), (32, 'truncate')) AS e (bit, event)
   WHERE type & bit <> 0
)
SELECT relname || ': ' || timing || ' ' || event || ' for each ' || level || ': '
       || pg_catalog.string_agg(tgname, ', ' ORDER BY tgname)
  FROM firing GROUP BY relname, timing, event, level HAVING pg_catalog.count(*) > 1;
SQL
)
if [[ $? -ne 0 ]]; then
  fail "cannot list promo's triggers"
elif [[ -n $overlapping ]]; then
  fail "promo's triggers that fire together, in the order of their names:"
  echo "$overlapping"
else
  echo "ok: each of promo's triggers fires alone for its table, event, timing and level"
fi

# 1.3's lock keys: one transaction redeems a hot code (with a key and a
# customer it is limited for) and a one-slot code (the unlocked path, which
# queues), then lists the advisory locks it holds that SQL's hashtextextended
# does not name. Each key SQL names must be held, and nothing else.
dropdb --if-exists "$database" 2>/dev/null && createdb "$database" &&
  psql -X -q -d "$database" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION promo VERSION '1.3'" >/dev/null ||
  fail "CREATE EXTENSION promo VERSION '1.3' failed"
keys=$(psql -X -q -At -d "$database" -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO promo_codes (code, max_uses, max_uses_per_customer, slots) VALUES ('HOT', 10, 5, 4);
INSERT INTO promo_codes (code, max_uses) VALUES ('PLAIN', 10);
BEGIN;
SELECT status FROM redeem_promo('HOT', 'customer 1', 'key 1');
SELECT status FROM redeem_promo('PLAIN');
WITH held AS (
  SELECT (classid::bigint << 32) | objid::bigint AS key, mode
    FROM pg_catalog.pg_locks
   WHERE locktype = 'advisory' AND objsubid = 1 AND pid = pg_catalog.pg_backend_pid()
), sql_keys AS (
  SELECT 'code' AS lock, hashtextextended('code', id) AS key, 'ShareLock' AS mode FROM promo_codes WHERE code = 'HOT'
  UNION ALL SELECT 'key', hashtextextended('key:' || 'key 1', id), 'ExclusiveLock' FROM promo_codes WHERE code = 'HOT'
  UNION ALL SELECT 'customer', hashtextextended('customer:' || 'customer 1', id), 'ExclusiveLock'
              FROM promo_codes WHERE code = 'HOT'
  UNION ALL SELECT 'queue', hashtextextended('queue', id), 'ExclusiveLock' FROM promo_codes WHERE code = 'PLAIN'
), slot_keys AS (
  SELECT hashtextextended('slot', c.id) # s.slot::bigint AS key
    FROM promo_codes c, generate_series(0, c.slots - 1) AS s (slot) WHERE c.code = 'HOT'
)
SELECT 'missing ' || lock FROM sql_keys k WHERE NOT EXISTS (SELECT FROM held h WHERE h.key = k.key AND h.mode = k.mode)
UNION ALL
SELECT 'missing slot' WHERE NOT EXISTS (SELECT FROM held h JOIN slot_keys s USING (key) WHERE h.mode = 'ExclusiveLock')
UNION ALL
SELECT 'unknown ' || key || ' ' || mode FROM held h
 WHERE NOT EXISTS (SELECT FROM sql_keys k WHERE k.key = h.key) AND NOT EXISTS (SELECT FROM slot_keys s WHERE s.key = h.key);
ROLLBACK;
SQL
)
status=$?
problems=$(grep -v -x 'redeemed' <<<"$keys")
if [[ $status -ne 0 || $(grep -c -x 'redeemed' <<<"$keys") -ne 2 ]]; then
  fail "the 1.3 lock-key transaction failed: $keys"
elif [[ -n $problems ]]; then
  fail "on 1.3's tables the C++ does not take 1.3's advisory locks:"
  echo "$problems"
else
  echo "ok: on 1.3's tables the C++ takes 1.3's advisory locks, keyed as its SQL keys them"
fi
dropdb --if-exists "$database" 2>/dev/null

[[ $failed -eq 0 ]] && echo "PASS: the SQL types, triggers and 1.3 lock keys are what the C++ code assumes"
exit $failed
