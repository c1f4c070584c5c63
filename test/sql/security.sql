-- The application role holds only EXECUTE and cannot change a count any
-- other way; values with quotes and semicolons are data, never SQL.
CREATE EXTENSION promo;
INSERT INTO promo_codes (code, max_uses) VALUES ('GUARDED', 3), ($$O'REILLY; --$$, 2);
CREATE ROLE promo_shop;
GRANT USAGE ON SCHEMA public TO promo_shop;
GRANT EXECUTE ON FUNCTION redeem_promo(text, text, text, interval), confirm_promo(bigint),
                          release_promo(bigint) TO promo_shop;

SET ROLE promo_shop;
SELECT status, current_uses, redemption_id FROM redeem_promo('GUARDED', customer_id => 'c1');
\set VERBOSITY terse
UPDATE promo_codes SET current_uses = 0;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO promo_codes (code, max_uses) VALUES ('MINE', 1000);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM promo_codes;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE promo_codes;
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_redemptions SET state = 'released';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO promo_redemptions (promo_id) VALUES (1);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM promo_redemptions;
\echo :LAST_ERROR_SQLSTATE
TRUNCATE promo_redemptions;
\echo :LAST_ERROR_SQLSTATE
SELECT setval('promo_redemptions_id_seq', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT nextval('promo_codes_id_seq');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE promo_codes DROP CONSTRAINT promo_codes_within_max_uses;
\echo :LAST_ERROR_SQLSTATE
SELECT promo_reclaim_expired_holds();
\echo :LAST_ERROR_SQLSTATE
SET promo.reveal_reasons = off;
\echo :LAST_ERROR_SQLSTATE
SET promo.debug_fault = cpp_exception;
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
RESET ROLE;
SELECT code, current_uses FROM promo_codes ORDER BY id;
SELECT count(*) AS ledger_rows FROM promo_redemptions;

-- Quotes, semicolons and comment markers in every text argument are values.
SET ROLE promo_shop;
SELECT status, code, current_uses FROM redeem_promo($$o'reilly; --$$, customer_id => $$x'); DELETE FROM promo_redemptions; --$$,
                                                   idempotency_key => $$"; TRUNCATE promo_codes; --$$);
SELECT status, replayed FROM redeem_promo($$O'REILLY; --$$, customer_id => $$x'); DELETE FROM promo_redemptions; --$$,
                                          idempotency_key => $$"; TRUNCATE promo_codes; --$$);
SELECT status FROM redeem_promo($$'; DROP TABLE promo_codes; --$$);
SELECT status FROM redeem_promo($$GUARDED' OR '1'='1$$);
SELECT * FROM redeem_promo('GUARDED', hold => $$1 hour'; DROP TABLE promo_codes; --$$);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT code, current_uses FROM promo_codes ORDER BY id;
SELECT customer_id, idempotency_key FROM promo_redemptions ORDER BY id;

DROP EXTENSION promo;
REVOKE USAGE ON SCHEMA public FROM promo_shop;
DROP ROLE promo_shop;
