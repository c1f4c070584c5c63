-- valid_from is inclusive, valid_until exclusive, both against the
-- transaction's start time now(), as the caller's transaction sees it.
CREATE EXTENSION promo;

BEGIN;
INSERT INTO promo_codes (code, valid_from) VALUES ('STARTS-NOW', now());
INSERT INTO promo_codes (code, valid_until) VALUES ('ENDS-NOW', now());
INSERT INTO promo_codes (code, valid_from, valid_until)
  VALUES ('WINDOW', now() - interval '1 hour', now() + interval '1 microsecond');
INSERT INTO promo_codes (code, valid_from) VALUES ('STARTS-SOON', now() + interval '1 microsecond');
SELECT status FROM redeem_promo('STARTS-NOW');
SELECT status FROM redeem_promo('ENDS-NOW');
SELECT status FROM redeem_promo('WINDOW');
SELECT status FROM redeem_promo('STARTS-SOON');
COMMIT;

-- the window must not be empty
\set VERBOSITY terse
INSERT INTO promo_codes (code, valid_from, valid_until) VALUES ('EMPTY', now(), now());
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

SELECT code, current_uses FROM promo_codes ORDER BY id;

DROP EXTENSION promo;
