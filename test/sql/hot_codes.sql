-- Hot mode, one call at a time: a code's uses spread over slots, each slot a
-- share of what remained when the code was spread; a slot gets a row only
-- once a use is taken or given back through it. Every setting changed, every
-- boundary, the guards on DELETE and TRUNCATE.
CREATE EXTENSION promo;
CREATE VIEW slot_rows AS
  SELECT c.code, s.slot, s.uses, s.remaining
    FROM promo_code_slots s JOIN promo_codes c ON c.id = s.promo_id;
CREATE FUNCTION invariant_breaks() RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM promo_code_usage u
   WHERE u.uses <> (SELECT count(*) FROM promo_redemptions r
                     WHERE r.promo_id = u.promo_id AND r.state <> 'released')
      OR u.uses > u.max_uses
$$;

-- An unlimited hot code redeems: its slots have no cap to share.
SELECT create_promo('UNLIMITED', NULL, slots => 4) IS NOT NULL AS created;
SELECT (redeem_promo('unlimited')).current_uses FROM generate_series(1, 3) g;
SELECT status, current_uses, remaining FROM redeem_promo('unlimited');
SELECT code, uses, max_uses, remaining, slots FROM promo_code_usage WHERE code = 'UNLIMITED';
-- and stays redeemable when its slots change, or when a capped hot code loses its cap
UPDATE promo_codes SET slots = 8 WHERE code = 'UNLIMITED';
SELECT status FROM redeem_promo('UNLIMITED');
SELECT create_promo('CAPPED', 2, slots => 4) IS NOT NULL AS created;
SELECT (redeem_promo('CAPPED')).status FROM generate_series(1, 3) g;
UPDATE promo_codes SET max_uses = NULL WHERE code = 'CAPPED';
SELECT status, current_uses FROM redeem_promo('CAPPED');
SELECT code, uses, max_uses, slots FROM promo_code_usage WHERE code IN ('UNLIMITED', 'CAPPED') ORDER BY code;

-- Shares: 10 uses over 4 slots are 3, 3, 2, 2. Slots get rows as they are used.
SELECT create_promo('TEN', 10, slots => 4) IS NOT NULL AS created;
SELECT count(*) AS slot_rows FROM slot_rows WHERE code = 'TEN';
SELECT count(*) FILTER (WHERE status = 'redeemed') AS redeemed, count(*) FILTER (WHERE status = 'exhausted') AS exhausted
  FROM (SELECT (redeem_promo('TEN')).status FROM generate_series(1, 12)) r;
SELECT slot, uses, remaining FROM slot_rows WHERE code = 'TEN' ORDER BY slot;
SELECT code, uses, remaining FROM promo_code_usage WHERE code = 'TEN';
-- a release gives the use back through a slot; the next call takes it
SELECT release_promo((SELECT max(r.id) FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
                       WHERE c.code = 'TEN'));
SELECT code, uses, remaining FROM promo_code_usage WHERE code = 'TEN';
SELECT status FROM redeem_promo('TEN');
SELECT status FROM redeem_promo('TEN');

-- Changing slots or max_uses folds the slots back into current_uses; the new
-- slots start from their shares of what is left.
UPDATE promo_codes SET max_uses = 14 WHERE code = 'TEN';
SELECT code, current_uses, max_uses FROM promo_codes WHERE code = 'TEN';
SELECT count(*) AS slot_rows FROM slot_rows WHERE code = 'TEN';
SELECT (redeem_promo('TEN')).status FROM generate_series(1, 5) g;
-- a cap below the usage is refused by the table's CHECK, and nothing changes
\set VERBOSITY terse
UPDATE promo_codes SET max_uses = 3 WHERE code = 'TEN';
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
SELECT code, uses, max_uses FROM promo_code_usage WHERE code = 'TEN';
-- back to one slot: the counter holds every use
UPDATE promo_codes SET slots = 1 WHERE code = 'TEN';
SELECT code, current_uses, max_uses, slots FROM promo_codes WHERE code = 'TEN';
SELECT status FROM redeem_promo('TEN');
-- and hot again
UPDATE promo_codes SET slots = 2, max_uses = 16 WHERE code = 'TEN';
SELECT (redeem_promo('TEN')).status FROM generate_series(1, 3) g;
SELECT code, uses, max_uses, remaining FROM promo_code_usage WHERE code = 'TEN';

-- Boundaries: no uses at all, one use, one use per slot of 64, the largest cap.
SELECT create_promo('ZERO', 0, slots => 3) IS NOT NULL AS created;
SELECT status FROM redeem_promo('ZERO');
SELECT create_promo('ONE', 1, slots => 64) IS NOT NULL AS created;
SELECT (redeem_promo('ONE')).status FROM generate_series(1, 2) g;
SELECT create_promo('SIXTY-FOUR', 64, slots => 64) IS NOT NULL AS created;
SELECT count(*) FILTER (WHERE status = 'redeemed') AS redeemed, count(*) FILTER (WHERE status = 'exhausted') AS exhausted
  FROM (SELECT (redeem_promo('SIXTY-FOUR')).status FROM generate_series(1, 65)) r;
SELECT count(*) AS slot_rows, sum(uses) AS uses, sum(remaining) AS remaining FROM slot_rows WHERE code = 'SIXTY-FOUR';
SELECT create_promo('MAXIMUM', 2147483647, slots => 64) IS NOT NULL AS created;
SELECT status, current_uses, remaining FROM redeem_promo('MAXIMUM');
\set VERBOSITY terse
UPDATE promo_codes SET slots = 65 WHERE code = 'MAXIMUM';
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE

-- Customers, keys and holds on a hot code.
SELECT create_promo('HOT-SHOP', 5, max_uses_per_customer => 2, slots => 3) IS NOT NULL AS created;
SELECT (redeem_promo('HOT-SHOP', customer_id => 'ann')).status FROM generate_series(1, 3) g;
SELECT status, replayed FROM redeem_promo('HOT-SHOP', customer_id => 'bob', idempotency_key => 'order-1');
SELECT status, replayed FROM redeem_promo('HOT-SHOP', customer_id => 'bob', idempotency_key => 'order-1');
SELECT status, redemption_state, hold_expires_at - now() AS lasts
  FROM redeem_promo('HOT-SHOP', customer_id => 'cy', hold => '10 minutes');
SELECT status, redemption_state FROM redeem_promo('HOT-SHOP', customer_id => 'dee', hold => '10 minutes');
SELECT status FROM redeem_promo('HOT-SHOP', customer_id => 'eve');
-- cy's hold expires; the call that would be refused reclaims it and redeems
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second'
 WHERE customer_id = 'cy' AND state = 'held';
SELECT status FROM redeem_promo('HOT-SHOP', customer_id => 'eve');
SELECT customer_id, state FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
 WHERE c.code = 'HOT-SHOP' ORDER BY r.id;
-- dee confirms in time; a confirm of the reclaimed hold is false
SELECT confirm_promo(r.id) FROM promo_redemptions r WHERE customer_id = 'dee';
SELECT confirm_promo(r.id) FROM promo_redemptions r WHERE customer_id = 'cy';
-- the sweep reclaims through a slot, too
UPDATE promo_codes SET max_uses = 8 WHERE code = 'HOT-SHOP';
SELECT status FROM redeem_promo('HOT-SHOP', customer_id => 'fay', hold => '1 minute');
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second'
 WHERE customer_id = 'fay' AND state = 'held';
SELECT promo_reclaim_expired_holds();
SELECT code, uses, max_uses, remaining FROM promo_code_usage WHERE code = 'HOT-SHOP';

-- A hot code with redemptions cannot be deleted; one without can.
DELETE FROM promo_codes WHERE code = 'HOT-SHOP';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM promo_codes WHERE code = 'ZERO';

-- The ledger and the slots name a code by its id: it cannot change under them.
UPDATE promo_codes SET id = id + 1000 WHERE code = 'HOT-SHOP';
\echo :LAST_ERROR_SQLSTATE
SELECT create_promo('RENUMBERED', 5, slots => 2) IS NOT NULL AS created;
UPDATE promo_codes SET id = 900 WHERE code = 'RENUMBERED';
SELECT status FROM redeem_promo('RENUMBERED');
SELECT promo_id, uses FROM promo_code_usage WHERE code = 'RENUMBERED';
DELETE FROM promo_redemptions WHERE promo_id = 900;
DELETE FROM promo_code_slots WHERE promo_id = 900;
DELETE FROM promo_codes WHERE id = 900;
-- TRUNCATE's guards read the other tables, which an older snapshot would
-- read as they were: only READ COMMITTED may truncate.
BEGIN ISOLATION LEVEL REPEATABLE READ;
TRUNCATE promo_code_slots;
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- TRUNCATE would orphan the ledger, lose a hot code's uses, or empty the
-- ledger that holds the codes' counts, keys and customers: refused.
TRUNCATE promo_codes CASCADE;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE promo_code_slots;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE promo_redemptions;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) > 0 AS codes_kept FROM promo_codes;
SELECT invariant_breaks();
-- a redemption whose code is gone (as a 1.3 TRUNCATE could leave it) is refused cleanly
ALTER TABLE promo_codes DISABLE TRIGGER promo_codes_guard_delete;
DELETE FROM promo_codes WHERE code = 'UNLIMITED';
ALTER TABLE promo_codes ENABLE TRIGGER promo_codes_guard_delete;
SELECT release_promo(min(r.id)) FROM promo_redemptions r WHERE NOT EXISTS
  (SELECT FROM promo_codes c WHERE c.id = r.promo_id);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM promo_redemptions r WHERE NOT EXISTS (SELECT FROM promo_codes c WHERE c.id = r.promo_id);
-- A count is an integer: a hot code cannot count past 2147483647 uses.
SELECT create_promo('COUNTED-OUT', NULL, slots => 2) IS NOT NULL AS created;
UPDATE promo_codes SET current_uses = 2147483647 WHERE code = 'COUNTED-OUT';
SELECT status FROM redeem_promo('COUNTED-OUT');
\echo :LAST_ERROR_SQLSTATE
SELECT code, uses FROM promo_code_usage WHERE code = 'COUNTED-OUT';
DELETE FROM promo_codes WHERE code = 'COUNTED-OUT';
-- the tables at once: allowed, and the slots go with the codes
TRUNCATE promo_codes, promo_redemptions;
SELECT (SELECT count(*) FROM promo_codes) AS codes, (SELECT count(*) FROM promo_code_slots) AS slots,
       (SELECT count(*) FROM promo_redemptions) AS ledger_rows;

DROP FUNCTION invariant_breaks();
DROP VIEW slot_rows;
DROP EXTENSION promo;
