# Sourced by the shell suites that check a database: PASS/FAIL lines, a
# failure count, a comparison that prints the difference, and psql for one
# value at a time.
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# same LABEL EXPECTED ACTUAL: PASS, or FAIL with the difference.
same() {
  if [[ "$2" == "$3" ]]; then pass "$1"; else
    fail "$1"
    diff <(echo "$2") <(echo "$3") | head -20 || true
  fi
}
# sql DB STATEMENT...: unaligned, tuples only, stops at the first error.
sql() {
  local db=$1
  shift
  psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "${@/#/--command=}"
}
# The codes whose usage is not their live (redeemed or held) ledger rows.
invariant_query="SELECT u.code, u.uses, count(r.id) FROM promo_code_usage u
  LEFT JOIN promo_redemptions r ON r.promo_id = u.promo_id AND r.state IN ('redeemed', 'held')
  GROUP BY u.promo_id, u.code, u.uses HAVING u.uses <> count(r.id)"
