#!/usr/bin/env bash
# What promo's C++ assumes of its SQL objects, checked against the catalog of
# a fresh CREATE EXTENSION of every version (and of the oldest one updated to
# the newest), on the server the PG* variables name:
#  - the labels of promo_status and the columns of promo_redemption, in
#    order, equal the lists of extension/promo_types.hpp (test/tools/sql_types);
#  - no two of promo's triggers fire on the same table for the same event,
#    timing and level, so no order among them (their names) decides anything
#    (code_guard_trigger.cpp). Checked on the newest version: 1.3's two BEFORE
#    UPDATE triggers, released, are the reason (lock_scheme.hpp).
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0
fail() { echo "FAIL: $*"; failed=1; }

tool=$(mktemp -d)/sql_types
trap 'rm -rf "$(dirname "$tool")"' EXIT
g++ -std=c++17 -Wall -Wextra -Werror -Iextension -o "$tool" test/tools/sql_types.cpp || { echo "FAIL: sql_types did not build"; exit 1; }

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
    diff <(echo "$expected") <(echo "$actual") | grep '^[<>]'
  else
    echo "ok: $1 ($(grep -c '^status' <<<"$actual") statuses, $(grep -c '^column' <<<"$actual") columns)"
  fi
}

database=promo_sql_types_$$
for version in $versions; do
  dropdb --if-exists -q "$database" && createdb "$database" || { fail "cannot create $database"; continue; }
  if psql -X -q -d "$database" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION promo VERSION '$version'" 2>/dev/null; then
    check "CREATE EXTENSION promo VERSION '$version'" "$database" "$version"
  else
    fail "CREATE EXTENSION promo VERSION '$version' failed"
  fi
done

dropdb --if-exists -q "$database" && createdb "$database" &&
  psql -X -q -d "$database" -v ON_ERROR_STOP=1 -c "CREATE EXTENSION promo VERSION '$oldest'" \
    -c "ALTER EXTENSION promo UPDATE" >/dev/null && check "$oldest updated to $newest" "$database" "$newest" ||
  fail "$oldest updated to $newest could not be read"

dropdb --if-exists -q "$database" && createdb "$database" &&
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
if [[ -n $overlapping ]]; then
  fail "promo's triggers that fire together, in the order of their names:"
  echo "$overlapping"
else
  echo "ok: each of promo's triggers fires alone for its table, event, timing and level"
fi
dropdb --if-exists -q "$database"

[[ $failed -eq 0 ]] && echo "PASS: the SQL types and triggers are what the C++ code assumes"
exit $failed
