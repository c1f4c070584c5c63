-- promo 1.6's order terms (issue 15): a code's order rules and discount,
-- decided under the code's locks, on the one-slot and the hot path alike.
-- Each case runs on a one-slot code and on a hot one with the same terms.
\set VERBOSITY terse
CREATE EXTENSION promo VERSION '1.6';

-- Two codes per set of terms: '<name>' (one slot) and 'HOT-<name>' (4 slots).
CREATE FUNCTION pair(name text, max_uses integer, terms text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM create_promo(name, max_uses);
  PERFORM create_promo('HOT-' || name, max_uses, slots => 4);
  EXECUTE format('UPDATE promo_codes SET %s WHERE code IN (%L, %L)', terms, name, 'HOT-' || name);
END
$$;
SELECT pair('PERCENT', NULL, 'discount_basis_points = 1000, discount_ceiling = 500, currency = ''EUR''');
SELECT pair('FIXED', NULL, 'discount_amount = 300, currency = ''EUR''');
SELECT pair('PLAIN', NULL, 'max_uses_per_customer = NULL');
SELECT pair('MIN', NULL, 'min_amount = 2000, currency = ''EUR''');
SELECT pair('GUEST-FREE', NULL, 'requires_customer = true, max_uses_per_customer = 1');
SELECT pair('TINY', NULL, 'discount_basis_points = 1');
SELECT pair('THIRD', NULL, 'discount_basis_points = 3333');
SELECT pair('HALF', NULL, 'discount_basis_points = 5000');
SELECT pair('ALL', NULL, 'discount_basis_points = 10000');
SELECT pair('ZERO-CEILING', NULL, 'discount_basis_points = 5000, discount_ceiling = 0, currency = ''EUR''');

-- The discount, by one rule: amount * basis_points / 10000, to the nearest
-- minor unit, a half unit up; then the ceiling; never more than the order.
CREATE TEMPORARY TABLE asked (code text, amount bigint, currency text, expected bigint);
INSERT INTO asked VALUES
  ('PERCENT', 2004, 'EUR', 200),  -- 200.4 -> 200
  ('PERCENT', 2005, 'EUR', 201),  -- 200.5 -> 201: a half unit up
  ('PERCENT', 4995, 'EUR', 500),  -- 499.5 -> 500, the ceiling
  ('PERCENT', 9000, 'EUR', 500),  -- 900 -> the ceiling, 500
  ('PERCENT', 0, 'EUR', 0),
  ('FIXED', 301, 'EUR', 300),
  ('FIXED', 200, 'EUR', 200),     -- never more than the order
  ('FIXED', 0, 'EUR', 0),
  ('PLAIN', 5000, 'USD', 0),      -- no discount rule: 0 for an order
  ('TINY', 4999, 'JPY', 0),       -- 0.4999 -> 0
  ('TINY', 5000, 'JPY', 1),       -- 0.5 -> 1
  ('TINY', 14999, 'JPY', 1),      -- 1.4999 -> 1
  ('TINY', 15000, 'JPY', 2),      -- 1.5 -> 2
  ('THIRD', 3, 'EUR', 1),         -- 0.9999 -> 1
  ('THIRD', 1, 'EUR', 0),         -- 0.3333 -> 0
  ('HALF', 1, 'EUR', 1),          -- 0.5 -> 1
  ('HALF', 9223372036854775807, 'EUR', 4611686018427387904),  -- the largest order: no overflow, no float
  ('ALL', 9223372036854775807, 'EUR', 9223372036854775807),
  ('TINY', 9223372036854775807, 'EUR', 922337203685478),      -- 922337203685477.5807 -> ...478
  ('ZERO-CEILING', 1000, 'EUR', 0);
SELECT a.code, a.amount, r.status, r.discount, r.currency, r.discount = a.expected AS as_expected,
       h.status AS hot_status, h.discount = a.expected AS hot_as_expected
  FROM asked a,
       LATERAL redeem_promo(a.code, order_amount => a.amount, currency => a.currency) r,
       LATERAL redeem_promo('HOT-' || a.code, order_amount => a.amount, currency => a.currency) h
 ORDER BY a.code, a.amount;
-- The same by numeric arithmetic, as a second opinion on every row above.
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE a.expected = LEAST(a.amount, COALESCE(c.discount_amount,
                         LEAST(COALESCE(c.discount_ceiling, a.amount),
                               round(a.amount::numeric * COALESCE(c.discount_basis_points, 0) / 10000)::bigint))))
         AS numeric_agrees
  FROM asked a JOIN promo_codes c ON c.code = a.code;

-- A call without an order is as before 1.6: no discount, no currency.
SELECT status, discount, currency FROM redeem_promo('PERCENT');
SELECT status, discount, currency FROM redeem_promo('HOT-FIXED');

-- The ledger records the order and the discount; the reports add up the
-- live uses' discounts per currency.
SELECT c.code, r.order_amount, r.currency, r.discount
  FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
 WHERE c.code IN ('PERCENT', 'HOT-PERCENT') ORDER BY r.id;
SELECT code, discount_granted FROM promo_code_report WHERE code IN ('PERCENT', 'HOT-PERCENT', 'PLAIN') ORDER BY code;
SELECT redemption_id IS NOT NULL AS listed, order_amount, currency, discount
  FROM promo_redemption_report WHERE code = 'FIXED' ORDER BY redemption_id LIMIT 1;

-- The order rules, and their place among the refusals: not_found,
-- inactive, not_yet_valid, expired, customer_required, wrong_currency,
-- below_minimum, customer_limit_reached, exhausted.
SELECT pair('STRICT', 1, 'requires_customer = true, currency = ''EUR'', min_amount = 1000, max_uses_per_customer = 1');
CREATE TEMPORARY TABLE refusals (label text, customer text, amount bigint, currency text);
INSERT INTO refusals VALUES
  ('no customer, wrong currency, too small', NULL, 1, 'USD'),
  ('wrong currency, too small', 'ann', 1, 'USD'),
  ('too small', 'ann', 999, 'EUR'),
  ('no order at all', 'ann', NULL, NULL),
  ('the minimum exactly', 'ann', 1000, 'EUR'),
  ('the customer''s second use', 'ann', 5000, 'EUR'),
  ('another customer, no use left', 'bob', 5000, 'EUR');
SELECT f.label, r.status, r.refused_by, h.status AS hot_status
  FROM refusals f,
       LATERAL redeem_promo('STRICT', f.customer, order_amount => f.amount, currency => f.currency) r,
       LATERAL redeem_promo('HOT-STRICT', f.customer, order_amount => f.amount, currency => f.currency) h;
-- the code's earlier rules come first
UPDATE promo_codes SET is_active = false WHERE code IN ('STRICT', 'HOT-STRICT');
SELECT status FROM redeem_promo('STRICT', order_amount => 1, currency => 'USD');
SELECT status FROM redeem_promo('HOT-STRICT', order_amount => 1, currency => 'USD');
UPDATE promo_codes SET is_active = true, valid_until = now() - interval '1 second'
 WHERE code IN ('STRICT', 'HOT-STRICT');
SELECT status FROM redeem_promo('STRICT', order_amount => 1, currency => 'USD');
SELECT status FROM redeem_promo('HOT-STRICT', order_amount => 1, currency => 'USD');
-- a code with a customer limit but no requires_customer still lets a guest in (as before 1.6)
SELECT status FROM redeem_promo('PLAIN', order_amount => 5, currency => 'EUR');
-- hidden reasons: an order refusal reads like a missing code
SET promo.reveal_reasons = off;
SELECT row_to_json(r)::text AS missing_code FROM redeem_promo('NO-SUCH-CODE') r \gset
SELECT row_to_json(r)::text = :'missing_code' AS reads_like_a_missing_code
  FROM redeem_promo('MIN', order_amount => 5, currency => 'EUR') r;
SELECT row_to_json(r)::text = :'missing_code' AS reads_like_a_missing_code
  FROM redeem_promo('HOT-MIN', order_amount => 5, currency => 'USD') r;
SELECT row_to_json(r)::text = :'missing_code' AS reads_like_a_missing_code
  FROM redeem_promo('GUEST-FREE', order_amount => 5, currency => 'EUR') r;
RESET promo.reveal_reasons;
-- refusals took nothing
SELECT code, uses FROM promo_code_usage WHERE code IN ('MIN', 'HOT-MIN', 'GUEST-FREE', 'HOT-GUEST-FREE') ORDER BY code;

-- A replay answers the discount it granted, even after the DBA changed the rule.
SELECT status, discount, replayed FROM redeem_promo('FIXED', 'cy', 'order-1', order_amount => 1000, currency => 'EUR');
SELECT status, discount, replayed FROM redeem_promo('HOT-FIXED', 'cy', 'order-1', order_amount => 1000, currency => 'EUR');
UPDATE promo_codes SET discount_amount = 700 WHERE code IN ('FIXED', 'HOT-FIXED');
SELECT status, discount, replayed FROM redeem_promo('FIXED', 'cy', 'order-1', order_amount => 1000, currency => 'EUR');
SELECT status, discount, replayed FROM redeem_promo('HOT-FIXED', 'cy', 'order-1', order_amount => 1000, currency => 'EUR');
-- and a new call gets the new rule
SELECT status, discount FROM redeem_promo('FIXED', order_amount => 1000, currency => 'EUR');
SELECT status, discount FROM redeem_promo('HOT-FIXED', order_amount => 1000, currency => 'EUR');

-- Bad order arguments: 22023, and nothing changes.
SELECT uses AS uses_before FROM promo_code_usage WHERE code = 'PLAIN' \gset
SELECT redeem_promo('PLAIN', order_amount => 100);
\echo :LAST_ERROR_SQLSTATE
SELECT redeem_promo('PLAIN', currency => 'EUR');
\echo :LAST_ERROR_SQLSTATE
SELECT redeem_promo('PLAIN', order_amount => -1, currency => 'EUR');
\echo :LAST_ERROR_SQLSTATE
SELECT redeem_promo('PLAIN', order_amount => 100, currency => 'eur');
\echo :LAST_ERROR_SQLSTATE
SELECT redeem_promo('PLAIN', order_amount => 100, currency => 'EURO');
\echo :LAST_ERROR_SQLSTATE
SELECT redeem_promo('PLAIN', order_amount => 100, currency => 'EÜR');
\echo :LAST_ERROR_SQLSTATE
SELECT redeem_promo('PLAIN', order_amount => 100, currency => '');
\echo :LAST_ERROR_SQLSTATE
SELECT uses = :uses_before AS unchanged FROM promo_code_usage WHERE code = 'PLAIN';

-- The table refuses terms that mean nothing: 23514.
UPDATE promo_codes SET discount_basis_points = 100, discount_amount = 1, currency = 'EUR' WHERE code = 'PLAIN';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_codes SET discount_ceiling = 100, currency = 'EUR' WHERE code = 'PLAIN';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_codes SET min_amount = 100 WHERE code = 'PLAIN';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_codes SET discount_amount = 100 WHERE code = 'PLAIN';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_codes SET discount_basis_points = 0 WHERE code = 'PLAIN';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_codes SET discount_basis_points = 10001 WHERE code = 'PLAIN';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_codes SET currency = 'eur' WHERE code = 'PLAIN';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_codes SET min_amount = -1, currency = 'EUR' WHERE code = 'PLAIN';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_codes SET requires_customer = NULL WHERE code = 'PLAIN';
\echo :LAST_ERROR_SQLSTATE

-- A campaign's order rules, after the code's own: refused_by says whose.
SELECT create_campaign('SPRING', max_uses => 100) > 0 AS created;
UPDATE promo_campaigns SET requires_customer = true, currency = 'EUR', min_amount = 5000 WHERE name = 'SPRING';
SELECT create_promo('SPRING-ONE', campaign => 'SPRING') > 0 AS one, create_promo('SPRING-HOT', slots => 4, campaign => 'SPRING') > 0 AS hot;
UPDATE promo_codes SET discount_amount = 1000, currency = 'EUR', min_amount = 2000 WHERE code IN ('SPRING-ONE', 'SPRING-HOT');
CREATE TEMPORARY TABLE campaign_asks (label text, customer text, amount bigint, currency text);
INSERT INTO campaign_asks VALUES
  ('below the code''s minimum: the code refuses', 'ann', 1000, 'EUR'),
  ('above the code''s, below the campaign''s', 'ann', 3000, 'EUR'),
  ('a guest', NULL, 9000, 'EUR'),
  ('another currency', 'ann', 9000, 'USD'),
  ('no order at all', 'ann', NULL, NULL),
  ('every rule met', 'ann', 9000, 'EUR');
SELECT a.label, r.status, r.refused_by, r.discount, h.status AS hot_status, h.refused_by AS hot_refused_by,
       h.discount AS hot_discount
  FROM campaign_asks a,
       LATERAL redeem_promo('SPRING-ONE', a.customer, order_amount => a.amount, currency => a.currency) r,
       LATERAL redeem_promo('SPRING-HOT', a.customer, order_amount => a.amount, currency => a.currency) h;
-- a code without terms of its own meets the campaign's currency
SELECT create_promo('SPRING-PLAIN', campaign => 'SPRING') > 0 AS plain;
SELECT status, refused_by FROM redeem_promo('SPRING-PLAIN', 'ann', order_amount => 9000, currency => 'USD');
SELECT status, refused_by, discount FROM redeem_promo('SPRING-PLAIN', 'ann', order_amount => 9000, currency => 'EUR');
SELECT uses FROM promo_campaign_usage WHERE name = 'SPRING';
SELECT name, discount_granted FROM promo_campaign_report WHERE name = 'SPRING';
UPDATE promo_campaigns SET min_amount = -1 WHERE name = 'SPRING';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_campaigns SET currency = NULL WHERE name = 'SPRING';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_campaigns SET currency = 'Eur' WHERE name = 'SPRING';
\echo :LAST_ERROR_SQLSTATE

-- The forms people write: (f()).*, over many rows, in a CTE.
SELECT (redeem_promo('PLAIN', order_amount => 10, currency => 'EUR')).discount;
WITH r AS (SELECT * FROM redeem_promo('HOT-PERCENT', order_amount => 1000, currency => 'EUR'))
SELECT status, discount FROM r;
SELECT count(*) FILTER (WHERE r.discount = 100) AS discounted
  FROM generate_series(1, 5) g, LATERAL redeem_promo('HOT-PERCENT', order_amount => 1000, currency => 'EUR') r;

-- The invariant: every code's uses = its live ledger rows.
SELECT count(*) AS codes_off FROM promo_code_report WHERE uses <> redeemed + live_holds + expired_holds;
DROP EXTENSION promo;
DROP FUNCTION pair(text, integer, text);
