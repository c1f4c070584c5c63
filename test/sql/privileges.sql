-- EXECUTE is revoked from PUBLIC; an application role with EXECUTE only can
-- redeem, but cannot touch the table any other way.
CREATE EXTENSION promo;
INSERT INTO promo_codes (code, max_uses) VALUES ('STAFF', 3);

CREATE ROLE promo_nobody;
CREATE ROLE promo_app;
GRANT USAGE ON SCHEMA public TO promo_nobody, promo_app;
GRANT EXECUTE ON FUNCTION redeem_promo(text, text, text, interval) TO promo_app;

SET ROLE promo_nobody;
SELECT * FROM redeem_promo('STAFF');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

SET ROLE promo_app;
SELECT status, current_uses FROM redeem_promo('STAFF');
UPDATE promo_codes SET current_uses = 0;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM promo_codes;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO promo_codes (code) VALUES ('MINE');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

SELECT code, current_uses FROM promo_codes;

-- promo.reveal_reasons belongs to the DBA: with reasons hidden, every
-- refusal reads like an unknown code, and the application cannot show them.
UPDATE promo_codes SET is_active = false WHERE code = 'STAFF';
SET ROLE promo_app;
SELECT * FROM redeem_promo('STAFF');
RESET ROLE;
SET promo.reveal_reasons = off;
SET ROLE promo_app;
SELECT * FROM redeem_promo('STAFF');
SET promo.reveal_reasons = on;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM redeem_promo('STAFF');
RESET ROLE;
RESET promo.reveal_reasons;

DROP EXTENSION promo;
REVOKE USAGE ON SCHEMA public FROM promo_nobody, promo_app;
DROP ROLE promo_nobody;
DROP ROLE promo_app;
