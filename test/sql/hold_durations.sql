-- A hold lasts exactly what was checked: months count 30 days and days 24
-- hours (as PostgreSQL compares intervals), whatever the calendar says, so
-- '1 mon' is 30 days in December and in February alike, and a hold is never
-- longer than 30 days nor already over when it is made.
CREATE EXTENSION promo;
SELECT create_promo('HOLD', 100) IS NOT NULL, create_promo('HOT-HOLD', 100, slots => 4) IS NOT NULL;
CREATE TEMPORARY TABLE holds (hold interval);
INSERT INTO holds VALUES ('1 mon'), ('30 days'), ('720 hours'), ('1 mon -29 days -23 hours'),
  ('1 microsecond'), ('15 minutes'), ('29 days 23:59:59.999999');
SELECT h.hold, c.code, r.redemption_state, r.hold_expires_at - now() AS lasts
  FROM holds h, (VALUES ('HOLD'), ('HOT-HOLD')) c (code),
       LATERAL redeem_promo(c.code, idempotency_key => c.code || h.hold::text, hold => h.hold) r
 ORDER BY c.code, lasts, h.hold::text;
-- longer than 30 days, or not positive, however it is written: refused, nothing changes
SELECT count(*) AS ledger_rows FROM promo_redemptions;
SELECT * FROM redeem_promo('HOLD', hold => '1 mon 1 microsecond');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('HOLD', hold => '30 days 00:00:00.000001');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('HOT-HOLD', hold => '1 year');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('HOT-HOLD', hold => '1 mon -30 days');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('HOLD', hold => '2 mon -29 days');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('HOLD', hold => '-1 second');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS ledger_rows FROM promo_redemptions;
DROP EXTENSION promo;
