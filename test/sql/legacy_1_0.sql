-- The 1.0 function, served by the library until the update (1.0's script
-- has a SQL-standard function body, so these need PostgreSQL 14 or later):
-- SELECT (f()).* redeems once per call site and row, and with
-- promo.reveal_reasons off every refusal reads like a missing code.
-- (f()).*, one redemption per row
CREATE EXTENSION promo VERSION '1.0';
INSERT INTO promo_codes (code, max_uses) VALUES ('OLD', 10);
SELECT (redeem_promo('OLD')).*;
SELECT (redeem_promo('OLD')).* FROM generate_series(1, 2);
SELECT code, current_uses FROM promo_codes;
DROP EXTENSION promo;

-- promo.reveal_reasons = off
CREATE EXTENSION promo VERSION '1.0';
INSERT INTO promo_codes (code, max_uses, is_active, valid_from, valid_until) VALUES
  ('INACTIVE', 5, false, NULL, NULL), ('NOT-YET', 5, true, now() + interval '1 day', NULL),
  ('EXPIRED', 5, true, NULL, now() - interval '1 second'), ('EXHAUSTED', 0, true, NULL, NULL);
SELECT code, (redeem_promo(code)).status FROM promo_codes ORDER BY code;
SET promo.reveal_reasons = off;
SELECT row_to_json(r)::text AS missing_code FROM redeem_promo('NO-SUCH-CODE') r \gset
SELECT :'missing_code';
SELECT c.code, row_to_json(r)::text = :'missing_code' AS reads_like_a_missing_code
  FROM promo_codes c, LATERAL redeem_promo(c.code) r ORDER BY c.code;
RESET promo.reveal_reasons;
DROP EXTENSION promo;
