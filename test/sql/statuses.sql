-- Every status redeem_promo can answer, and which reason wins when several apply.
CREATE EXTENSION promo;

INSERT INTO promo_codes (code, max_uses) VALUES ('TWO-USES', 2);
INSERT INTO promo_codes (code) VALUES ('UNLIMITED');
INSERT INTO promo_codes (code, is_active) VALUES ('RETIRED', false);
INSERT INTO promo_codes (code, valid_from) VALUES ('LATER', now() + interval '1 day');
INSERT INTO promo_codes (code, valid_until) VALUES ('GONE', now() - interval '1 day');
INSERT INTO promo_codes (code, max_uses) VALUES ('NONE-LEFT', 0);

-- redeemed, until the cap; then exhausted, and the count stays at the cap
SELECT * FROM redeem_promo('TWO-USES');
SELECT * FROM redeem_promo('TWO-USES');
SELECT * FROM redeem_promo('TWO-USES');
SELECT * FROM redeem_promo('NONE-LEFT');
-- unlimited: remaining is null
SELECT * FROM redeem_promo('UNLIMITED');
-- the other reasons
SELECT * FROM redeem_promo('NO-SUCH-CODE');
SELECT * FROM redeem_promo('RETIRED');
SELECT * FROM redeem_promo('LATER');
SELECT * FROM redeem_promo('GONE');

-- Precedence: not_found, inactive, not_yet_valid, expired, exhausted.
INSERT INTO promo_codes (code, max_uses, is_active, valid_from, valid_until) VALUES
  ('ALL-WRONG', 0, false, now() + interval '1 day', now() + interval '2 days'),
  ('NOT-YET-AND-EMPTY', 0, true, now() + interval '1 day', NULL),
  ('EXPIRED-AND-EMPTY', 0, true, NULL, now() - interval '1 day');
SELECT status FROM redeem_promo('ALL-WRONG');
SELECT status FROM redeem_promo('NOT-YET-AND-EMPTY');
SELECT status FROM redeem_promo('EXPIRED-AND-EMPTY');
-- the window matters only once the code is active again
UPDATE promo_codes SET is_active = true WHERE code = 'ALL-WRONG';
SELECT status FROM redeem_promo('ALL-WRONG');

-- A rejection never changes a count.
SELECT code, current_uses, max_uses FROM promo_codes ORDER BY id;

-- The enum's labels, in order.
SELECT enum_range(NULL::promo_status);

DROP EXTENSION promo;
