-- The promo API through a PL/Proxy database (promo_proxy) over four shards.
-- Run by test/scale/scale.sh against the proxy; compared with test/scale/scale_api.out.
\set VERBOSITY terse
SET client_min_messages = warning;
-- Routing uses the shards' normalization, not this database's (Turkish) locale.
SELECT pg_catalog.upper('quickfix') AS local_upper;
SELECT promo_shard_hash(' summer25 ') = promo_shard_hash('SUMMER25') AS trimmed_and_folded_alike,
       promo_shard_hash('quickfix') = promo_shard_hash('QUICKFIX') AS dotted_i_alike;
SELECT create_promo('SUMMER25', max_uses => 3, max_uses_per_customer => 2) > 0 AS created,
       create_promo('quickfix', max_uses => 2, slots => 2) > 0 AS created_hot;
SELECT create_promo(' Summer25 ');

SELECT status, current_uses, remaining FROM redeem_promo(' summer25 ');
SELECT status, replayed FROM redeem_promo('SUMMER25', customer_id => 'ann', idempotency_key => 'order-1');
SELECT status, replayed FROM redeem_promo('SUMMER25', customer_id => 'ann', idempotency_key => 'order-1');
SELECT status, redemption_state FROM redeem_promo('summer25', customer_id => 'ann', hold => '1 hour');
SELECT status FROM redeem_promo('summer25', customer_id => 'bob');
\set ON_ERROR_STOP 0
SELECT confirm_promo('summer25', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT redeem_promo(NULL);
\echo :LAST_ERROR_SQLSTATE
\set ON_ERROR_STOP 1

-- confirm and release name the code and the redemption id redeem_promo returned
CREATE TEMPORARY TABLE held AS SELECT redemption_id FROM redeem_promo('QUICKFIX', hold => '1 hour');
SELECT confirm_promo('quickfix', redemption_id) FROM held;
SELECT release_promo('quickfix', redemption_id), release_promo('quickfix', redemption_id) FROM held;
SELECT uses, max_uses, remaining, slots FROM promo_code_usage('quickfix');

-- PL/Proxy runs each call in its own transaction on the shard: a ROLLBACK on
-- the proxy undoes nothing there. release_promo gives the use back.
BEGIN;
CREATE TEMPORARY TABLE rolled_back AS SELECT redemption_id FROM redeem_promo('quickfix');
SELECT uses FROM promo_code_usage('quickfix');
ROLLBACK;
SELECT uses AS uses_after_rollback FROM promo_code_usage('quickfix');
SELECT status, redemption_id IS NOT NULL AS has_id FROM redeem_promo('quickfix', idempotency_key => 'k');
SELECT release_promo('quickfix', redemption_id) FROM redeem_promo('quickfix', idempotency_key => 'k');
SELECT uses AS uses_after_release FROM promo_code_usage('quickfix');
SELECT promo_reclaim_expired_holds();
