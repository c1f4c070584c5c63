-- promo 1.2 -> 1.3: hot codes, whose remaining uses are spread over slots so
-- that redemptions of one code proceed in parallel, and create_promo, so that
-- a code can be created through a router (PL/Proxy) like every other call.
\echo Use "ALTER EXTENSION promo UPDATE TO '1.3'" to load this file. \quit

-- 1 = one counter (current_uses), the behaviour of 1.2. More = hot mode.
ALTER TABLE promo_codes ADD COLUMN slots integer NOT NULL DEFAULT 1
  CONSTRAINT promo_codes_slots_range CHECK (slots BETWEEN 1 AND 64);
-- The slot a hot redemption took, so a release or a reclaim gives it back there.
ALTER TABLE promo_redemptions ADD COLUMN slot integer;
-- Replaced by the trigger promo_codes_keep_redeemed below.
ALTER TABLE promo_redemptions DROP CONSTRAINT promo_redemptions_promo_id_fkey;

-- A hot code's escrow: each slot owns part of the remaining uses (NULL when the
-- code has no cap) and counts the uses taken through it. The code's usage is
-- current_uses plus the slots' uses: the view promo_code_usage.
CREATE TABLE promo_code_slots (
  promo_id  bigint NOT NULL REFERENCES promo_codes (id) ON DELETE CASCADE,
  slot      integer NOT NULL,
  uses      integer NOT NULL DEFAULT 0,
  remaining integer CHECK (remaining >= 0),
  PRIMARY KEY (promo_id, slot)
) WITH (fillfactor = 50);  -- every redemption updates a slot row: keep it HOT
SELECT pg_catalog.pg_extension_config_dump('promo_code_slots', '');

-- Spreads a code's remaining uses over its slots when slots or max_uses
-- change (or a hot code is created), folding the old slots' uses back into
-- current_uses first. An UPDATE of the code row holds the row lock that every
-- hot redemption shares, so no redemption is in flight meanwhile.
CREATE FUNCTION promo_spread_slots() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  folded integer;
  left_over integer;
BEGIN
  IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE' THEN
    SELECT COALESCE(pg_catalog.sum(s.uses), 0)::integer INTO folded
      FROM (SELECT uses FROM @extschema@.promo_code_slots
             WHERE promo_id OPERATOR(pg_catalog.=) OLD.id ORDER BY slot FOR UPDATE) s;
    DELETE FROM @extschema@.promo_code_slots WHERE promo_id OPERATOR(pg_catalog.=) OLD.id;
    NEW.current_uses := NEW.current_uses OPERATOR(pg_catalog.+) folded;
  END IF;
  IF NEW.slots OPERATOR(pg_catalog.>) 1 THEN
    left_over := GREATEST(NEW.max_uses OPERATOR(pg_catalog.-) NEW.current_uses, 0);
    INSERT INTO @extschema@.promo_code_slots (promo_id, slot, uses, remaining)
    SELECT NEW.id, s, 0,
           (left_over OPERATOR(pg_catalog./) NEW.slots)
           OPERATOR(pg_catalog.+) (s OPERATOR(pg_catalog.<) (left_over OPERATOR(pg_catalog.%) NEW.slots))::integer
      FROM pg_catalog.generate_series(0, NEW.slots OPERATOR(pg_catalog.-) 1) s;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER promo_codes_spread_slots_on_insert AFTER INSERT ON promo_codes
  FOR EACH ROW WHEN (NEW.slots > 1) EXECUTE FUNCTION promo_spread_slots();
CREATE TRIGGER promo_codes_spread_slots_on_update BEFORE UPDATE OF slots, max_uses ON promo_codes
  FOR EACH ROW WHEN (NEW.slots IS DISTINCT FROM OLD.slots OR NEW.max_uses IS DISTINCT FROM OLD.max_uses
)
  EXECUTE FUNCTION promo_spread_slots();

-- A hot code's redemptions share its advisory lock instead of locking its
-- row; a change that matters to them takes the lock exclusively, and so waits
-- for the ones in flight. Deleting a code that has redemptions is refused:
-- this replaces a foreign key, whose check would lock a hot code's row on
-- every redemption.
CREATE FUNCTION promo_hot_code_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF OLD.slots OPERATOR(pg_catalog.>) 1
     OR TG_OP OPERATOR(pg_catalog.=) 'UPDATE' AND NEW.slots OPERATOR(pg_catalog.>) 1 THEN
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('code', OLD.id));
  END IF;
  IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM @extschema@.promo_redemptions WHERE promo_id OPERATOR(pg_catalog.=) OLD.id) THEN
      RAISE EXCEPTION 'promo code "%" has redemptions and cannot be deleted', OLD.code
        USING ERRCODE = 'foreign_key_violation', HINT = 'Deactivate it instead: is_active = false.';
    END IF;
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER promo_codes_hot_guard
  BEFORE UPDATE OF is_active, valid_from, valid_until, max_uses, max_uses_per_customer, slots ON promo_codes
  FOR EACH ROW WHEN (OLD.slots > 1 OR NEW.slots > 1) EXECUTE FUNCTION promo_hot_code_guard();
CREATE TRIGGER promo_codes_keep_redeemed BEFORE DELETE ON promo_codes
  FOR EACH ROW EXECUTE FUNCTION promo_hot_code_guard();

-- Every code's usage: for a hot code, current_uses plus its slots' uses.
CREATE VIEW promo_code_usage AS
SELECT c.id AS promo_id, c.code, c.current_uses + COALESCE(s.uses, 0) AS uses, c.max_uses,
       c.max_uses - (c.current_uses + COALESCE(s.uses, 0)) AS remaining, c.slots
  FROM promo_codes c
  LEFT JOIN LATERAL (SELECT pg_catalog.sum(uses)::integer AS uses FROM promo_code_slots
                      WHERE promo_id = c.id) s ON true;

-- Creates a code and returns its id. The way to create codes through a
-- router: the shard that owns the code's hash runs it.
CREATE FUNCTION create_promo(code text, max_uses integer DEFAULT NULL,
                             max_uses_per_customer integer DEFAULT NULL,
                             valid_from timestamptz DEFAULT NULL, valid_until timestamptz DEFAULT NULL,
                             slots integer DEFAULT 1, is_active boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  new_id bigint;
BEGIN
  IF code IS NULL OR @extschema@.promo_normalize_code(code) OPERATOR(pg_catalog.=) '' THEN
    RAISE EXCEPTION 'promo code must not be null or blank'
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the code as text, for example ''SUMMER25''.';
  END IF;
  IF slots IS NULL THEN slots := 1; END IF;
  IF is_active IS NULL THEN is_active := true; END IF;
  INSERT INTO @extschema@.promo_codes AS c
         (code, max_uses, max_uses_per_customer, valid_from, valid_until, slots, is_active)
  VALUES (create_promo.code, create_promo.max_uses, create_promo.max_uses_per_customer,
          create_promo.valid_from, create_promo.valid_until, create_promo.slots, create_promo.is_active)
  RETURNING c.id INTO new_id;
  RETURN new_id;
EXCEPTION WHEN unique_violation THEN
  RAISE EXCEPTION 'promo code "%" already exists', create_promo.code
    USING ERRCODE = 'unique_violation', HINT = 'Codes are compared trimmed and case-folded.';
END
$$;

-- The functions move to the 1.3 entry points, which know hot codes.
CREATE OR REPLACE FUNCTION redeem_promo(code text, customer_id text DEFAULT NULL,
                                        idempotency_key text DEFAULT NULL, hold interval DEFAULT NULL)
RETURNS promo_redemption
AS 'MODULE_PATHNAME', 'redeem_promo_v1_3'
LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;
CREATE OR REPLACE FUNCTION confirm_promo(redemption_id bigint) RETURNS boolean
AS 'MODULE_PATHNAME', 'confirm_promo_v1_3'
LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;
CREATE OR REPLACE FUNCTION release_promo(redemption_id bigint) RETURNS boolean
AS 'MODULE_PATHNAME', 'release_promo_v1_3'
LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;
CREATE OR REPLACE FUNCTION promo_reclaim_expired_holds() RETURNS integer
AS 'MODULE_PATHNAME', 'promo_reclaim_expired_holds_v1_3'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION create_promo(text, integer, integer, timestamptz, timestamptz, integer, boolean)
  FROM PUBLIC;
REVOKE ALL ON FUNCTION promo_spread_slots() FROM PUBLIC;
REVOKE ALL ON FUNCTION promo_hot_code_guard() FROM PUBLIC;
REVOKE ALL ON TABLE promo_code_slots FROM PUBLIC;
REVOKE ALL ON TABLE promo_code_usage FROM PUBLIC;
