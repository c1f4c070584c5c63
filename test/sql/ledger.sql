-- The 1.1 ledger: customers, idempotency keys, holds, confirmations,
-- releases and the sweep of expired holds; every new status and error.
CREATE EXTENSION promo;
INSERT INTO promo_codes (code, max_uses, max_uses_per_customer) VALUES ('LIMITED', 5, 2);
INSERT INTO promo_codes (code, max_uses) VALUES ('SCARCE', 2);

-- A plain call still works and writes one ledger row.
SELECT status, current_uses, redemption_id, replayed, redemption_state, hold_expires_at
  FROM redeem_promo('SCARCE');

-- Per-customer limit: live redemptions of the code by that customer.
SELECT status, current_uses, redemption_id FROM redeem_promo('LIMITED', customer_id => 'alice');
SELECT status, current_uses, redemption_id FROM redeem_promo('LIMITED', customer_id => 'alice');
SELECT * FROM redeem_promo('LIMITED', customer_id => 'alice');
-- customer ids are taken as given: no case folding
SELECT status FROM redeem_promo('LIMITED', customer_id => 'Alice');
-- without a customer the per-customer limit does not apply
SELECT status FROM redeem_promo('LIMITED');
-- precedence: an inactive code says inactive, not customer_limit_reached
UPDATE promo_codes SET is_active = false WHERE code = 'LIMITED';
SELECT status FROM redeem_promo('LIMITED', customer_id => 'alice');
UPDATE promo_codes SET is_active = true WHERE code = 'LIMITED';
-- ... and customer_limit_reached comes before exhausted
SELECT status, current_uses FROM redeem_promo('LIMITED', customer_id => 'bob');
SELECT status, current_uses FROM redeem_promo('LIMITED', customer_id => 'alice');
SELECT status, current_uses FROM redeem_promo('LIMITED', customer_id => 'carol');

-- A release gives back the global use and the customer's use.
SELECT release_promo(2);
SELECT status, current_uses, redemption_id FROM redeem_promo('LIMITED', customer_id => 'alice');
-- releasing twice returns false and changes nothing
SELECT release_promo(2);
SELECT current_uses FROM promo_codes WHERE code = 'LIMITED';

-- Idempotency: a retry with the same key returns the same redemption.
INSERT INTO promo_codes (code, max_uses) VALUES ('KEYED', 1);
SELECT status, redeemed, current_uses, redemption_id, replayed
  FROM redeem_promo('KEYED', customer_id => 'dave', idempotency_key => 'order-1');
SELECT status, redeemed, current_uses, redemption_id, replayed
  FROM redeem_promo('KEYED', customer_id => 'dave', idempotency_key => 'order-1');
-- the replay comes before every rejection, even now that the code is exhausted and retired
UPDATE promo_codes SET is_active = false WHERE code = 'KEYED';
SELECT status, redeemed, redemption_id, replayed
  FROM redeem_promo(' keyed ', customer_id => 'dave', idempotency_key => 'order-1');
-- a replay answers about the caller's own key, so hidden reasons do not hide it
SET promo.reveal_reasons = off;
SELECT status, redeemed, redemption_id, replayed
  FROM redeem_promo('KEYED', customer_id => 'dave', idempotency_key => 'order-1');
SELECT * FROM redeem_promo('KEYED', customer_id => 'dave', idempotency_key => 'order-2');
RESET promo.reveal_reasons;
UPDATE promo_codes SET is_active = true WHERE code = 'KEYED';
-- the same key with another customer (NULL matches only NULL) is an error and changes nothing
SELECT * FROM redeem_promo('KEYED', customer_id => 'eve', idempotency_key => 'order-1');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('KEYED', idempotency_key => 'order-1');
\echo :LAST_ERROR_SQLSTATE
-- keys are per code: the same key on another code is a new redemption
INSERT INTO promo_codes (code) VALUES ('OTHER');
SELECT status, replayed FROM redeem_promo('OTHER', customer_id => 'dave', idempotency_key => 'order-1');
-- a replay of a released redemption reads released and redeems nothing
SELECT release_promo((SELECT id FROM promo_redemptions WHERE idempotency_key = 'order-1'
                       AND promo_id = (SELECT id FROM promo_codes WHERE code = 'KEYED')));
SELECT status, redeemed, current_uses, replayed, redemption_state
  FROM redeem_promo('KEYED', customer_id => 'dave', idempotency_key => 'order-1');

-- Holds: counted while live, confirmed into a redemption, or reclaimed.
INSERT INTO promo_codes (code, max_uses) VALUES ('HOLDS', 2);
SELECT status, redeemed, current_uses, redemption_state, hold_expires_at > now() AS expires_later
  FROM redeem_promo('HOLDS', hold => '15 minutes');
SELECT redemption_id AS confirmed_hold FROM redeem_promo('HOLDS', customer_id => 'frank',
                                                          idempotency_key => 'cart-9', hold => '1 hour') \gset
SELECT confirm_promo(:confirmed_hold), confirm_promo(:confirmed_hold);
SELECT state FROM promo_redemptions WHERE id = :confirmed_hold;
SELECT status FROM redeem_promo('HOLDS');
-- a hold not confirmed in time: pretend 15 minutes passed
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second'
 WHERE state = 'held' AND promo_id = (SELECT id FROM promo_codes WHERE code = 'HOLDS');
-- an expired hold counts until reclaimed; a call that would be refused reclaims it first
SELECT current_uses FROM promo_codes WHERE code = 'HOLDS';
SELECT status, current_uses, redemption_state FROM redeem_promo('HOLDS', customer_id => 'gina');
SELECT state, count(*) FROM promo_redemptions
 WHERE promo_id = (SELECT id FROM promo_codes WHERE code = 'HOLDS') GROUP BY state ORDER BY state;
-- confirming an expired hold returns false and reclaims it
SELECT redemption_id AS late_hold FROM redeem_promo('SCARCE', hold => '5 minutes') \gset
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second' WHERE id = :late_hold;
SELECT confirm_promo(:late_hold);
SELECT state, current_uses FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
 WHERE r.id = :late_hold;
-- a replay of an expired hold reads released, reclaiming it on the way
SELECT redemption_id AS keyed_hold FROM redeem_promo('SCARCE', idempotency_key => 'cart-10', hold => '5 minutes') \gset
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second' WHERE id = :keyed_hold;
SELECT status, redeemed, current_uses, replayed, redemption_state
  FROM redeem_promo('SCARCE', idempotency_key => 'cart-10', hold => '5 minutes');
-- the sweep reclaims every expired hold and says how many
INSERT INTO promo_codes (code) VALUES ('SWEEP-A'), ('SWEEP-B');
SELECT count(*) FROM (SELECT redeem_promo(c, hold => '1 minute')
                        FROM unnest(ARRAY['SWEEP-A', 'SWEEP-A', 'SWEEP-B']) c) holds;
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second' WHERE state = 'held';
SELECT promo_reclaim_expired_holds();
SELECT promo_reclaim_expired_holds();
SELECT code, current_uses FROM promo_codes WHERE code LIKE 'SWEEP-%' ORDER BY code;

-- Bad arguments: an error with its SQLSTATE, and nothing changed.
CREATE TEMPORARY TABLE counts_before AS SELECT id, current_uses FROM promo_codes;
CREATE TEMPORARY TABLE ledger_before AS SELECT count(*) AS n FROM promo_redemptions;
SELECT * FROM redeem_promo('SCARCE', customer_id => '');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('SCARCE', customer_id => repeat('c', 256));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('SCARCE', customer_id => 'tab' || chr(9) || 'bed');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('SCARCE', idempotency_key => '');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('SCARCE', idempotency_key => 'key' || chr(155));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('SCARCE', hold => '0 seconds');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('SCARCE', hold => '-5 minutes');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('SCARCE', hold => '30 days 1 microsecond');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('SCARCE', hold => '1 month -1 day 25 hours');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('SCARCE', hold => '178000000 years');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo(NULL, customer_id => 'x');
\echo :LAST_ERROR_SQLSTATE
SELECT confirm_promo(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT release_promo(NULL);
\echo :LAST_ERROR_SQLSTATE
-- an unknown redemption_id is promo's own error (22023), not a missing object
SELECT confirm_promo(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT release_promo(9999999);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS changed_counts FROM (SELECT id, current_uses FROM promo_codes
                                        EXCEPT SELECT * FROM counts_before) changed;
SELECT (SELECT count(*) FROM promo_redemptions) - (SELECT n FROM ledger_before) AS new_ledger_rows;
-- the longest customer id and the longest hold are accepted
SELECT status FROM redeem_promo('OTHER', customer_id => repeat('é', 255));
SELECT status, redemption_state FROM redeem_promo('OTHER', hold => '30 days');

-- The invariant at the end: current_uses = live (redeemed + held) ledger rows.
SELECT c.code, c.current_uses, count(r.id) AS live
  FROM promo_codes c LEFT JOIN promo_redemptions r ON r.promo_id = c.id AND r.state <> 'released'
 GROUP BY c.id HAVING c.current_uses <> count(r.id);

DROP EXTENSION promo;
