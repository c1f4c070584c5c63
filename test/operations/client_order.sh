#!/usr/bin/env bash
# promo-client redeem with an order (promo 1.6): --amount and --currency reach
# redeem_promo, the row says the discount and the refusal, the exit status
# follows (0 redeemed, 3 refused, 2 bad arguments); without an order the same
# command still works against 1.5.3, which has no order arguments.
# Runs against the server in the PG* environment.
set -uo pipefail
cd "$(dirname "$0")/../.."
source test/harness/checks.sh
[[ -x client/promo-client ]] || make -s client/promo-client >/dev/null
db16=promo_client_order_16 db153=promo_client_order_153
trap 'dropdb --if-exists "$db16"; dropdb --if-exists "$db153"' EXIT
for db in "$db16" "$db153"; do dropdb --if-exists "$db" 2>/dev/null; createdb "$db"; done
sql "$db16" "CREATE EXTENSION promo VERSION '1.6'" \
  "SELECT create_promo('TENPCT', 5)" \
  "UPDATE promo_codes SET discount_basis_points = 1000, currency = 'EUR', min_amount = 1000" >/dev/null
sql "$db153" "CREATE EXTENSION promo VERSION '1.5.3'" "SELECT create_promo('OLD', 5)" >/dev/null

redeem() { # DB ARGS...: the JSON row's status and discount, and the exit status
  local db=$1 out status
  shift
  out=$(client/promo-client --dsn "dbname=$db" redeem "$@" --json 2>&1)
  status=$?
  echo "$(sed -nE 's/.*"status":"([a-z_]+)".*/\1/p' <<<"$out") $(sed -nE 's/.*"discount":(null|[0-9]+).*/\1/p' <<<"$out") exit $status"
}
same "an order of 20.05 EUR: 10 % is 2.005, a half cent up: 201" "redeemed 201 exit 0" \
  "$(redeem "$db16" TENPCT --amount 2005 --currency EUR)"
same "an order below the minimum is refused, exit 3" "below_minimum null exit 3" \
  "$(redeem "$db16" TENPCT --amount 999 --currency EUR)"
same "an order in another currency is refused, exit 3" "wrong_currency null exit 3" \
  "$(redeem "$db16" TENPCT --amount 5000 --currency USD)"
same "a call without an order meets no minimum" "below_minimum null exit 3" "$(redeem "$db16" TENPCT)"
same "an amount without a currency is a usage error, exit 2" "exit 2" \
  "$(client/promo-client --dsn "dbname=$db16" redeem TENPCT --amount 100 >/dev/null 2>&1; echo "exit $?")"
same "a lower-case currency is the server's 22023, exit 1" "exit 1" \
  "$(client/promo-client --dsn "dbname=$db16" redeem TENPCT --amount 100 --currency eur >/dev/null 2>&1; echo "exit $?")"
same "without an order the command works on 1.5.3" "redeemed  exit 0" "$(redeem "$db153" OLD)"
same "the ledger holds the one redemption and its order" "2005|EUR|201" \
  "$(sql "$db16" "SELECT order_amount, currency, discount FROM promo_redemptions")"
((failures == 0)) || { echo "FAIL: $failures checks failed"; exit 1; }
echo "PASS: promo-client redeem --amount --currency: the order reaches redeem_promo, discount and refusals shown"
