-- promo 1.5.3 -> 1.6: the order decides (issue 15, first part): a code's
-- order rules (a customer required, a currency, a minimum amount) and its
-- discount (a percentage in basis points with an optional ceiling, or a
-- fixed amount), decided under the code's locks; redeem_promo takes the
-- order and answers the discount; the ledger records the order.
\echo Use "ALTER EXTENSION promo UPDATE TO '1.6'" to load this file. \quit

-- The library must serve this version's C functions. A server with promo in
-- shared_preload_libraries keeps the library it started with, and a session
-- the one it loaded, so after make install or a package upgrade the new one
-- is used from the next restart (without preload, the next session). Say so,
-- rather than fail on the first C function the old library lacks.
DO $$
DECLARE
  loaded text;
  too_old boolean := true;
BEGIN
  BEGIN
    CREATE OR REPLACE FUNCTION @extschema@.promo_library_version() RETURNS text
    AS 'MODULE_PATHNAME', 'promo_library_version'
    LANGUAGE C VOLATILE
    SET search_path = pg_catalog, pg_temp;
    loaded := @extschema@.promo_library_version();
  EXCEPTION WHEN undefined_function THEN
    NULL;  -- a library older than 1.5.3 has no promo_library_version
  END;
  -- A library's versions are plain dotted numbers (library_version.hpp);
  -- compared only once that is known, so the cast cannot fail.
  IF loaded OPERATOR(pg_catalog.~) E'^[0-9]{1,9}(\\.[0-9]{1,9})*$' THEN
    too_old := pg_catalog.string_to_array(loaded, '.')::pg_catalog.int4[]
               OPERATOR(pg_catalog.<) '{1,6}'::pg_catalog.int4[];
  END IF;
  IF too_old THEN
    RAISE EXCEPTION 'the promo library this session runs (%) is older than promo 1.6',
                    coalesce(loaded, 'before 1.5.3')
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'A new promo library is used from the next server restart if promo is in shared_preload_libraries, otherwise from the next session: restart or reconnect, then run this again.';
  END IF;
END
$$;
REVOKE ALL ON FUNCTION promo_library_version() FROM PUBLIC;

-- A code's order rules and discount (1.6): what an order must be for the
-- code to grant a use, decided under the code's locks with its other rules,
-- and the discount it grants an order, in integer minor units of the
-- order's currency (ISO 4217: three capital letters).
ALTER TABLE promo_codes
  ADD COLUMN requires_customer boolean NOT NULL DEFAULT false,
  ADD COLUMN currency text CONSTRAINT promo_codes_currency_iso_4217 CHECK (currency ~ '^[A-Z]{3}$'),
  ADD COLUMN min_amount bigint CONSTRAINT promo_codes_min_amount_not_negative CHECK (min_amount >= 0),
  ADD COLUMN discount_basis_points integer
    CONSTRAINT promo_codes_discount_basis_points_range CHECK (discount_basis_points BETWEEN 1 AND 10000),
  ADD COLUMN discount_ceiling bigint CONSTRAINT promo_codes_discount_ceiling_not_negative CHECK (discount_ceiling >= 0),
  ADD COLUMN discount_amount bigint CONSTRAINT promo_codes_discount_amount_not_negative CHECK (discount_amount >= 0),
  ADD CONSTRAINT promo_codes_one_discount CHECK (discount_basis_points IS NULL OR discount_amount IS NULL),
  ADD CONSTRAINT promo_codes_ceiling_of_a_percentage CHECK (discount_ceiling IS NULL OR discount_basis_points IS NOT NULL),
  -- An amount means nothing without its currency.
  ADD CONSTRAINT promo_codes_amounts_have_a_currency
    CHECK (currency IS NOT NULL OR (min_amount IS NULL AND discount_ceiling IS NULL AND discount_amount IS NULL));

-- A campaign's order rules (1.6): a campaign's code meets them after its
-- own, as it meets the campaign's other rules.
ALTER TABLE promo_campaigns
  ADD COLUMN requires_customer boolean NOT NULL DEFAULT false,
  ADD COLUMN currency text CONSTRAINT promo_campaigns_currency_iso_4217 CHECK (currency ~ '^[A-Z]{3}$'),
  ADD COLUMN min_amount bigint CONSTRAINT promo_campaigns_min_amount_not_negative CHECK (min_amount >= 0),
  ADD CONSTRAINT promo_campaigns_amounts_have_a_currency CHECK (currency IS NOT NULL OR min_amount IS NULL);
DROP TRIGGER promo_campaigns_guard_update ON promo_campaigns;
CREATE TRIGGER promo_campaigns_guard_update
  BEFORE UPDATE OF id, is_active, valid_from, valid_until, max_uses, current_uses, max_uses_per_customer, slots,
                   requires_customer, currency, min_amount
  ON promo_campaigns FOR EACH ROW EXECUTE FUNCTION promo_campaigns_guard();
COMMENT ON TRIGGER promo_campaigns_guard_update ON promo_campaigns IS 'Before an UPDATE of a campaign''s id, rules or counter: waits for its codes'' redemptions in flight and folds its slots into current_uses when slots, max_uses or current_uses change; a new id is refused (23503) while codes or uses name the old one, and only in READ COMMITTED (0A000).';

-- The order a redemption was for, and the discount it granted.
ALTER TABLE promo_redemptions
  ADD COLUMN order_amount bigint CONSTRAINT promo_redemptions_order_amount_not_negative CHECK (order_amount >= 0),
  ADD COLUMN currency text CONSTRAINT promo_redemptions_currency_iso_4217 CHECK (currency ~ '^[A-Z]{3}$'),
  ADD COLUMN discount bigint,
  ADD CONSTRAINT promo_redemptions_order_has_a_currency CHECK ((order_amount IS NULL) = (currency IS NULL)),
  ADD CONSTRAINT promo_redemptions_discount_within_order
    CHECK (discount IS NULL OR (order_amount IS NOT NULL AND discount BETWEEN 0 AND order_amount));

-- A DBA's change of a hot code's order rules or discount waits for its
-- redemptions in flight, as a change of its other rules does.
DROP TRIGGER promo_codes_guard_update ON promo_codes;
CREATE TRIGGER promo_codes_guard_update
  BEFORE UPDATE OF id, code, is_active, valid_from, valid_until, max_uses, current_uses, max_uses_per_customer,
                   slots, campaign_id, requires_customer, currency, min_amount, discount_basis_points,
                   discount_ceiling, discount_amount
  ON promo_codes
  FOR EACH ROW WHEN (OLD.slots > 1 OR NEW.slots > 1 OR OLD.id <> NEW.id
                     OR OLD.campaign_id IS DISTINCT FROM NEW.campaign_id)
  EXECUTE FUNCTION promo_codes_guard();
COMMENT ON TRIGGER promo_codes_guard_update ON promo_codes IS 'Before an UPDATE of a hot code (or of any code''s id or campaign_id): waits for its hot redemptions in flight and folds its slots into current_uses when slots, max_uses or current_uses change. Refuses a new id while ledger or slot rows name it (23503), and a campaign change of a code with live redemptions (55000), to a missing campaign (23503) or outside READ COMMITTED (0A000).';

-- The order rules' refusals, in their place in the precedence
-- (promo_status's description).
ALTER TYPE promo_status ADD VALUE 'customer_required';
ALTER TYPE promo_status ADD VALUE 'wrong_currency';
ALTER TYPE promo_status ADD VALUE 'below_minimum';

-- The discount granted (NULL for a call without an order) and its currency.
ALTER TYPE promo_redemption ADD ATTRIBUTE discount bigint CASCADE,
                            ADD ATTRIBUTE currency text CASCADE;

-- redeem_promo takes the order: the new function keeps the grants of the
-- old (carried across in a setting of this transaction).
-- (regrole's text is already quoted where a name needs it; 0 is PUBLIC.)
SELECT pg_catalog.set_config('promo_update.redeem_promo_grantees', COALESCE(pg_catalog.string_agg(
         CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
         OPERATOR(pg_catalog.||) CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END, ';'), ''), true)
  FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
 WHERE p.oid OPERATOR(pg_catalog.=) '@extschema@.redeem_promo(text, text, text, interval)'::regprocedure
   AND a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE' AND a.grantee OPERATOR(pg_catalog.<>) p.proowner;
DROP FUNCTION redeem_promo(text, text, text, interval);

-- Redeems one use of a code, optionally for a customer, under an
-- idempotency key, as a hold, or for an order (its amount in minor units
-- and its currency); or says why not.
CREATE FUNCTION redeem_promo(code text, customer_id text DEFAULT NULL,
                             idempotency_key text DEFAULT NULL, hold interval DEFAULT NULL,
                             order_amount bigint DEFAULT NULL, currency text DEFAULT NULL)
RETURNS promo_redemption
AS 'MODULE_PATHNAME', 'redeem_promo_v1_6'
LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;
REVOKE ALL ON FUNCTION redeem_promo(text, text, text, interval, bigint, text) FROM PUBLIC;

DO $$
DECLARE
  grantee text;
BEGIN
  FOREACH grantee IN ARRAY pg_catalog.string_to_array(
      pg_catalog.current_setting('promo_update.redeem_promo_grantees'), ';') LOOP
    IF grantee OPERATOR(pg_catalog.<>) '' THEN
      EXECUTE 'GRANT EXECUTE ON FUNCTION @extschema@.redeem_promo(text, text, text, interval, bigint, text) TO '
              OPERATOR(pg_catalog.||) grantee;
    END IF;
  END LOOP;
END
$$;

-- The counters of every status this version has.
CREATE OR REPLACE FUNCTION promo_monitor.promo_stats_counters(OUT code_class text, OUT status text, OUT calls bigint,
                                                              OUT lock_waits bigint, OUT stats_reset timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'promo_stats_counters_v1_6'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

-- The reports show the discount granted.
CREATE OR REPLACE VIEW promo_code_report AS
SELECT c.id AS promo_id, c.code, c.campaign_id, g.name AS campaign,
       c.current_uses OPERATOR(pg_catalog.+) COALESCE(s.uses, 0) AS uses,
       c.max_uses,
       c.max_uses OPERATOR(pg_catalog.-) (c.current_uses OPERATOR(pg_catalog.+) COALESCE(s.uses, 0)) AS remaining,
       l.redeemed, l.live_holds, l.expired_holds, l.released, l.customers,
       l.first_redeemed_at, l.last_redeemed_at,
       c.max_uses_per_customer, c.is_active, c.valid_from, c.valid_until, c.created_at,
       d.discount_granted
  FROM @extschema@.promo_codes c
  LEFT JOIN @extschema@.promo_campaigns g ON g.id OPERATOR(pg_catalog.=) c.campaign_id
  LEFT JOIN LATERAL (SELECT pg_catalog.sum(t.uses)::pg_catalog.int4 AS uses
                       FROM @extschema@.promo_code_slots t
                      WHERE t.promo_id OPERATOR(pg_catalog.=) c.id) s ON true
  CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) FILTER (WHERE r.state OPERATOR(pg_catalog.=) 'redeemed') AS redeemed,
           pg_catalog.count(*) FILTER (WHERE r.state OPERATOR(pg_catalog.=) 'held'
                                         AND r.hold_expires_at OPERATOR(pg_catalog.>) pg_catalog.now()) AS live_holds,
           pg_catalog.count(*) FILTER (WHERE r.state OPERATOR(pg_catalog.=) 'held'
                                         AND r.hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()) AS expired_holds,
           pg_catalog.count(*) FILTER (WHERE r.state OPERATOR(pg_catalog.=) 'released') AS released,
           pg_catalog.count(DISTINCT r.customer_id)
             FILTER (WHERE r.state OPERATOR(pg_catalog.<>) 'released') AS customers,
           pg_catalog.min(r.redeemed_at) FILTER (WHERE r.state OPERATOR(pg_catalog.<>) 'released') AS first_redeemed_at,
           pg_catalog.max(r.redeemed_at) FILTER (WHERE r.state OPERATOR(pg_catalog.<>) 'released') AS last_redeemed_at
      FROM @extschema@.promo_redemptions r
     WHERE r.promo_id OPERATOR(pg_catalog.=) c.id) l
  CROSS JOIN LATERAL (
    SELECT pg_catalog.jsonb_object_agg(t.currency, t.discount ORDER BY t.currency) AS discount_granted
      FROM (SELECT r.currency, pg_catalog.sum(r.discount) AS discount
              FROM @extschema@.promo_redemptions r
             WHERE r.promo_id OPERATOR(pg_catalog.=) c.id AND r.discount IS NOT NULL
               AND r.state OPERATOR(pg_catalog.<>) 'released'
             GROUP BY r.currency) t) d;

CREATE OR REPLACE VIEW promo_campaign_report AS
SELECT g.id AS campaign_id, g.name, k.codes, l.codes_used,
       g.current_uses OPERATOR(pg_catalog.+) COALESCE(s.uses, 0) AS uses,
       g.max_uses,
       g.max_uses OPERATOR(pg_catalog.-) (g.current_uses OPERATOR(pg_catalog.+) COALESCE(s.uses, 0)) AS remaining,
       l.redeemed, l.live_holds, l.expired_holds, l.released, l.customers,
       l.first_redeemed_at, l.last_redeemed_at,
       g.max_uses_per_customer, g.is_active, g.valid_from, g.valid_until, g.created_at,
       d.discount_granted
  FROM @extschema@.promo_campaigns g
  LEFT JOIN LATERAL (SELECT pg_catalog.sum(t.uses)::pg_catalog.int4 AS uses
                       FROM @extschema@.promo_campaign_slots t
                      WHERE t.campaign_id OPERATOR(pg_catalog.=) g.id) s ON true
  CROSS JOIN LATERAL (SELECT pg_catalog.count(*) AS codes
                        FROM @extschema@.promo_codes c
                       WHERE c.campaign_id OPERATOR(pg_catalog.=) g.id) k
  CROSS JOIN LATERAL (
    SELECT pg_catalog.count(DISTINCT r.promo_id) FILTER (WHERE r.state OPERATOR(pg_catalog.<>) 'released') AS codes_used,
           pg_catalog.count(*) FILTER (WHERE r.state OPERATOR(pg_catalog.=) 'redeemed') AS redeemed,
           pg_catalog.count(*) FILTER (WHERE r.state OPERATOR(pg_catalog.=) 'held'
                                         AND r.hold_expires_at OPERATOR(pg_catalog.>) pg_catalog.now()) AS live_holds,
           pg_catalog.count(*) FILTER (WHERE r.state OPERATOR(pg_catalog.=) 'held'
                                         AND r.hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()) AS expired_holds,
           pg_catalog.count(*) FILTER (WHERE r.state OPERATOR(pg_catalog.=) 'released') AS released,
           pg_catalog.count(DISTINCT r.customer_id)
             FILTER (WHERE r.state OPERATOR(pg_catalog.<>) 'released') AS customers,
           pg_catalog.min(r.redeemed_at) FILTER (WHERE r.state OPERATOR(pg_catalog.<>) 'released') AS first_redeemed_at,
           pg_catalog.max(r.redeemed_at) FILTER (WHERE r.state OPERATOR(pg_catalog.<>) 'released') AS last_redeemed_at
      FROM @extschema@.promo_redemptions r
      JOIN @extschema@.promo_codes c ON c.id OPERATOR(pg_catalog.=) r.promo_id
     WHERE c.campaign_id OPERATOR(pg_catalog.=) g.id) l
  CROSS JOIN LATERAL (
    SELECT pg_catalog.jsonb_object_agg(t.currency, t.discount ORDER BY t.currency) AS discount_granted
      FROM (SELECT r.currency, pg_catalog.sum(r.discount) AS discount
              FROM @extschema@.promo_redemptions r
              JOIN @extschema@.promo_codes c ON c.id OPERATOR(pg_catalog.=) r.promo_id
             WHERE c.campaign_id OPERATOR(pg_catalog.=) g.id AND r.discount IS NOT NULL
               AND r.state OPERATOR(pg_catalog.<>) 'released'
             GROUP BY r.currency) t) d;

CREATE OR REPLACE VIEW promo_redemption_report AS
SELECT r.id AS redemption_id, r.promo_id, c.code, c.campaign_id, g.name AS campaign,
       r.customer_id, r.state, r.redeemed_at, r.hold_expires_at, r.released_at,
       r.order_amount, r.currency, r.discount
  FROM @extschema@.promo_redemptions r
  JOIN @extschema@.promo_codes c ON c.id OPERATOR(pg_catalog.=) r.promo_id
  LEFT JOIN @extschema@.promo_campaigns g ON g.id OPERATOR(pg_catalog.=) c.campaign_id;

-- 1.6: the order rules and the discount of a code
COMMENT ON COLUMN promo_codes.requires_customer IS 'true: a call without a customer_id is refused as customer_required (a guest would otherwise bypass max_uses_per_customer). The customer_id must be stable: an account id, not an e-mail address a user can change.';
COMMENT ON COLUMN promo_codes.currency IS 'The currency (ISO 4217, three capital letters) an order must be in, or NULL: any. A call in another currency is refused as wrong_currency; a call without an order meets it. Required for min_amount, discount_amount and discount_ceiling.';
COMMENT ON COLUMN promo_codes.min_amount IS 'The smallest order amount, in minor units of currency, that may use the code, or NULL: none. A smaller order, or a call without an order, is refused as below_minimum.';
COMMENT ON COLUMN promo_codes.discount_basis_points IS 'A percentage discount in basis points (1 = 0.01 %, 10000 = 100 %): the order amount times it, divided by 10000, rounded to the nearest minor unit with a half unit up; then at most discount_ceiling, never more than the order. NULL: no percentage.';
COMMENT ON COLUMN promo_codes.discount_ceiling IS 'The largest discount a percentage grants, in minor units of currency, or NULL: none.';
COMMENT ON COLUMN promo_codes.discount_amount IS 'A fixed discount, in minor units of currency, never more than the order; NULL: none. A code has a percentage or a fixed amount, not both; with neither it grants a discount of 0 to an order.';
COMMENT ON COLUMN promo_redemptions.order_amount IS 'The order amount the call passed, in minor units of currency, or NULL (a call without an order).';
COMMENT ON COLUMN promo_redemptions.currency IS 'The order''s currency (ISO 4217), or NULL.';
COMMENT ON COLUMN promo_redemptions.discount IS 'The discount the use granted the order, in minor units of currency, by the code''s rule as it was at the redemption; NULL for a call without an order. A replay returns it.';
COMMENT ON COLUMN promo_redemption.discount IS 'The discount granted to the order, in minor units of its currency (promo_codes.discount_basis_points or discount_amount, as the code had it); 0 for a code without a discount; NULL for a call without an order and on a refusal.';
COMMENT ON COLUMN promo_redemption.currency IS 'The order''s currency, with discount; NULL without an order and on a refusal.';
COMMENT ON TYPE promo_status IS 'What redeem_promo answered: redeemed; a refusal, first match wins: not_found, inactive, not_yet_valid, expired, customer_required, wrong_currency, below_minimum, customer_limit_reached, exhausted (for a campaign''s code the code''s rules in this order, then the campaign''s); or released, a replayed key whose redemption was given back. With promo.reveal_reasons off every refusal reads not_found.';
COMMENT ON FUNCTION redeem_promo(text, text, text, interval, bigint, text) IS 'Redeems one use of a code, optionally for a customer_id, under an idempotency_key (a retry with the same key gets that redemption back), as a hold of up to 30 days, or for an order (order_amount in minor units with its currency, which come together), and returns a promo_redemption row: redeemed with the discount granted, or why not. Never exceeds the code''s or its campaign''s max_uses however many sessions race; bad input is an error (22004, 22023).';
COMMENT ON VIEW promo_code_report IS 'One row per code: its usage, its campaign, its ledger rows by state, and the discount its live uses granted, per currency. uses = redeemed + live_holds + expired_holds at every commit.';
COMMENT ON VIEW promo_campaign_report IS 'One row per campaign: its codes, its usage, its codes'' ledger rows by state, and the discount their live uses granted, per currency. uses = redeemed + live_holds + expired_holds at every commit.';
COMMENT ON VIEW promo_redemption_report IS 'One row per ledger row, with its code and campaign: who used what, when, for which order and discount.';
COMMENT ON COLUMN promo_code_report.discount_granted IS 'The discounts the code''s live (redeemed or held) uses granted, per currency, as {"EUR": total in minor units}; NULL when none did.';
COMMENT ON COLUMN promo_campaign_report.discount_granted IS 'The discounts the live uses of the campaign''s codes granted, per currency, as {"EUR": total in minor units}; NULL when none did.';
COMMENT ON COLUMN promo_redemption_report.order_amount IS 'The order amount the call passed, in minor units, or NULL.';
COMMENT ON COLUMN promo_redemption_report.currency IS 'The order''s currency, or NULL.';
COMMENT ON COLUMN promo_redemption_report.discount IS 'The discount the use granted, in minor units of currency, or NULL.';
COMMENT ON CONSTRAINT promo_codes_amounts_have_a_currency ON promo_codes IS 'min_amount, discount_amount and discount_ceiling are amounts in currency: they need one.';
COMMENT ON CONSTRAINT promo_codes_ceiling_of_a_percentage ON promo_codes IS 'A ceiling caps a percentage: discount_ceiling needs discount_basis_points.';
COMMENT ON CONSTRAINT promo_codes_currency_iso_4217 ON promo_codes IS 'A currency is three capital letters, as ISO 4217 writes it.';
COMMENT ON CONSTRAINT promo_codes_discount_amount_not_negative ON promo_codes IS 'A fixed discount is 0 or more.';
COMMENT ON CONSTRAINT promo_codes_discount_basis_points_range ON promo_codes IS 'A percentage is 1 to 10000 basis points (0.01 % to 100 %).';
COMMENT ON CONSTRAINT promo_codes_discount_ceiling_not_negative ON promo_codes IS 'A ceiling is 0 or more.';
COMMENT ON CONSTRAINT promo_codes_min_amount_not_negative ON promo_codes IS 'A minimum order amount is 0 or more.';
COMMENT ON CONSTRAINT promo_codes_one_discount ON promo_codes IS 'A code has a percentage or a fixed discount, not both.';
COMMENT ON CONSTRAINT promo_redemptions_currency_iso_4217 ON promo_redemptions IS 'A currency is three capital letters, as ISO 4217 writes it.';
COMMENT ON CONSTRAINT promo_redemptions_discount_within_order ON promo_redemptions IS 'A discount is granted to an order, and is never more than it, nor negative.';
COMMENT ON CONSTRAINT promo_redemptions_order_amount_not_negative ON promo_redemptions IS 'An order amount is 0 or more.';
COMMENT ON CONSTRAINT promo_redemptions_order_has_a_currency ON promo_redemptions IS 'An order amount and its currency come together.';
COMMENT ON COLUMN promo_campaigns.requires_customer IS 'true: a call without a customer_id for any of the campaign''s codes is refused as customer_required (refused_by = campaign), after the code''s own rules. The customer_id must be stable: an account id, not an e-mail address.';
COMMENT ON COLUMN promo_campaigns.currency IS 'The currency (ISO 4217) an order for any of the campaign''s codes must be in, or NULL: any; another is wrong_currency (refused_by = campaign). A call without an order meets it. Required for min_amount.';
COMMENT ON COLUMN promo_campaigns.min_amount IS 'The smallest order amount, in minor units of currency, for any of the campaign''s codes, or NULL: none; a smaller order, or a call without one, is below_minimum (refused_by = campaign).';
COMMENT ON CONSTRAINT promo_campaigns_currency_iso_4217 ON promo_campaigns IS 'A currency is three capital letters, as ISO 4217 writes it.';
COMMENT ON CONSTRAINT promo_campaigns_min_amount_not_negative ON promo_campaigns IS 'A minimum order amount is 0 or more.';
COMMENT ON CONSTRAINT promo_campaigns_amounts_have_a_currency ON promo_campaigns IS 'min_amount is an amount in currency: it needs one.';
