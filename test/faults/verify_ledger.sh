#!/usr/bin/env bash
# Checks a database after a fault: every change the client saw acknowledged
# (its --ack-log) is in the ledger, usage (promo_code_usage) equals the live ledger rows
# of every code, no code is over its cap and no customer over its limit.
#   test/faults/verify_ledger.sh DATABASE [ACK_LOG]
# Prints the figures; exits non-zero on any violation.
set -euo pipefail
database=$1
acks=${2:-}

psql -X -q -v ON_ERROR_STOP=1 -d "$database" -c "CREATE TEMPORARY TABLE acks (kind text, id bigint, result text)" \
  ${acks:+-c "\\copy acks FROM '$acks' WITH (DELIMITER ' ')"} -A -t -F ' ' -f - <<'SQL' >"${TMPDIR:-/tmp}/verify.$$"
SELECT 'acknowledged_redemptions', count(*) FROM acks WHERE kind IN ('redeem', 'hold');
SELECT 'acknowledged_redemptions_missing', count(*) FROM acks a
 WHERE kind IN ('redeem', 'hold') AND NOT EXISTS (SELECT 1 FROM promo_redemptions r WHERE r.id = a.id);
SELECT 'acknowledged_releases', count(*) FROM acks WHERE kind = 'release' AND result = 't';
SELECT 'acknowledged_releases_lost', count(*) FROM acks a JOIN promo_redemptions r USING (id)
 WHERE a.kind = 'release' AND a.result = 't' AND r.state <> 'released';
SELECT 'acknowledged_confirms', count(*) FROM acks WHERE kind = 'confirm' AND result = 't';
SELECT 'acknowledged_confirms_lost', count(*) FROM acks a JOIN promo_redemptions r USING (id)
 WHERE a.kind = 'confirm' AND a.result = 't' AND r.state = 'held';
SELECT 'codes_off_invariant', count(*) FROM (
  SELECT u.promo_id FROM promo_code_usage u
    LEFT JOIN promo_redemptions r ON r.promo_id = u.promo_id AND r.state IN ('redeemed', 'held')
   GROUP BY u.promo_id, u.uses HAVING u.uses <> count(r.id)) off;
SELECT 'codes_over_cap', count(*) FROM promo_code_usage WHERE uses > max_uses;
-- a slot without a row holds its share of what remained when the code was spread
SELECT 'slots_off_remaining', count(*) FROM (
  SELECT u.promo_id FROM promo_code_usage u JOIN promo_codes c ON c.id = u.promo_id
   WHERE c.slots > 1 AND c.max_uses IS NOT NULL
     AND u.remaining <> (SELECT sum(COALESCE(s.remaining, (c.max_uses - c.current_uses) / c.slots
                                            + (g < (c.max_uses - c.current_uses) % c.slots)::integer))
                           FROM generate_series(0, c.slots - 1) g
                           LEFT JOIN promo_code_slots s ON s.promo_id = c.id AND s.slot = g)) off;
SELECT 'customers_over_limit', count(*) FROM (
  SELECT 1 FROM promo_codes c JOIN promo_redemptions r ON r.promo_id = c.id
   WHERE r.state IN ('redeemed', 'held') AND c.max_uses_per_customer IS NOT NULL AND r.customer_id IS NOT NULL
   GROUP BY c.id, r.customer_id HAVING count(*) > c.max_uses_per_customer) over;
SELECT 'duplicate_keys', count(*) FROM (
  SELECT 1 FROM promo_redemptions WHERE idempotency_key IS NOT NULL
   GROUP BY promo_id, idempotency_key HAVING count(*) > 1) dup;
SQL
tr '\n' ';' <"${TMPDIR:-/tmp}/verify.$$"; echo
bad=$(awk '$1 ~ /_(missing|lost)$|^codes_off|^codes_over|^slots_off|^customers_over|^duplicate/ && $2 != 0' "${TMPDIR:-/tmp}/verify.$$")
rm -f "${TMPDIR:-/tmp}/verify.$$"
if [[ -n "$bad" ]]; then echo "FAIL: $bad"; exit 1; fi
