-- Bad input is an error with a precise SQLSTATE, and changes nothing.
CREATE EXTENSION promo;

INSERT INTO promo_codes (code, max_uses) VALUES ('VALID', 5);

SELECT * FROM redeem_promo(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo(E' \t\n\r\f' || chr(11));
\echo :LAST_ERROR_SQLSTATE
-- 64 characters (counted in characters, after trimming) are allowed, 65 are not
SELECT status FROM redeem_promo('  ' || repeat('é', 64) || '  ');
SELECT * FROM redeem_promo(repeat('é', 65));
\echo :LAST_ERROR_SQLSTATE
-- control characters left after trimming: C0, DEL and C1
SELECT * FROM redeem_promo('VAL' || chr(1) || 'ID');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('VALID' || chr(127));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('VALID' || chr(133));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('VALID' || chr(159));
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('VA' || chr(10) || 'LID');
\echo :LAST_ERROR_SQLSTATE
-- U+00A0 is not a control character: just an unknown code
SELECT status FROM redeem_promo('VALID' || chr(160));

-- create_promo refuses what redeem_promo would (1.5.3), at the same edges
\set VERBOSITY terse
SELECT create_promo(repeat('é', 65));
\echo :LAST_ERROR_SQLSTATE
SELECT create_promo('VAL' || chr(1) || 'ID2');
\echo :LAST_ERROR_SQLSTATE
SELECT create_promo('VALID3' || chr(127));
\echo :LAST_ERROR_SQLSTATE
SELECT create_promo('VALID4' || chr(159));
\echo :LAST_ERROR_SQLSTATE
SELECT create_promo('VA' || chr(10) || 'LID5');
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- nothing changed
SELECT code, current_uses FROM promo_codes ORDER BY id;

-- and what it may make, redeem_promo redeems: 64 characters after trimming,
-- U+00A0 and ~ (not control characters)
SELECT create_promo(E' \t' || repeat('ü', 64) || E'\n', 1) > 0 AS created_64,
       create_promo('VALID6' || chr(160) || chr(126), 1) > 0 AS created_nbsp;
SELECT status FROM redeem_promo(repeat('Ü', 64));
SELECT status FROM redeem_promo('valid6' || chr(160) || chr(126));

-- The table refuses bad counts from any path, not only from redeem_promo.
\set VERBOSITY terse
UPDATE promo_codes SET current_uses = 6 WHERE code = 'VALID';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_codes SET current_uses = -1 WHERE code = 'VALID';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO promo_codes (code, max_uses) VALUES ('NEGATIVE', -1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO promo_codes (code) VALUES (NULL);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

DROP EXTENSION promo;
