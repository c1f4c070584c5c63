-- promo 1.3 -> 1.4: the guarantee made whole again.
--  - Codes are matched by a stored key (code_key), so no function of promo's
--    is called by name at run time: an overload created in the extension's
--    schema cannot capture or break a redemption.
--  - promo's locks are its own (a lock tag class SQL cannot reach), taken in
--    one order by every path; one C trigger, promo_codes_guard, replaces the
--    two PL/pgSQL triggers and also refuses a TRUNCATE that would orphan the
--    ledger or lose a hot code's uses.
--  - A hot code's slot rows exist only once used; the others start from
--    their share of the code's remaining uses, so a dump, a restore or a COPY
--    brings back exactly the rows that existed.
-- It repairs what 1.3 may have left: every hot code's slots are folded back
-- into current_uses (an unlimited hot code whose slots had no uses left
-- redeems again); a code that was used beyond its max_uses keeps its uses and
-- gets max_uses = its usage, so it grants no more; ledger rows without a code
-- are reported.
\echo Use "ALTER EXTENSION promo UPDATE TO '1.4'" to load this file. \quit

-- promo calls none of its functions by name, so objects other roles create
-- in its schema cannot capture its calls; but an application that calls
-- redeem_promo without naming the schema resolves it among whatever that
-- schema holds. Say who could put something there.
DO $$
DECLARE
  creators text;
BEGIN
  SELECT pg_catalog.string_agg(r.rolname, ', ' ORDER BY r.rolname) INTO creators
    FROM pg_catalog.pg_roles r, pg_catalog.pg_namespace n
   WHERE n.oid OPERATOR(pg_catalog.=) '@extschema@'::regnamespace
     AND NOT r.rolsuper AND r.rolname OPERATOR(pg_catalog.!~) '^pg_'
     AND NOT pg_catalog.pg_has_role(r.oid, n.nspowner, 'MEMBER')
     AND pg_catalog.has_schema_privilege(r.oid, n.oid, 'CREATE');
  IF creators IS NOT NULL THEN
    RAISE WARNING 'roles % can create objects in the schema of promo, %', creators, '@extschema@'::regnamespace
      USING HINT = 'Call promo''s functions with their schema, in a schema only the DBA can write to '
                   '(CREATE SCHEMA promo; CREATE EXTENSION promo SCHEMA promo), or revoke CREATE from them.';
  END IF;
END
$$;

-- No redemption runs while the counts are folded. 1.3's calls lock these
-- tables in different orders, so waiting for all of them at once could end
-- in a deadlock with one: each attempt waits at most 100 ms (less than
-- deadlock_timeout) and gives back what it got before the next one.
DO $$
DECLARE
  caller_lock_timeout text := pg_catalog.current_setting('lock_timeout');
BEGIN
  FOR attempt IN 1..1200 LOOP
    BEGIN
      PERFORM pg_catalog.set_config('lock_timeout', '100ms', true);
      LOCK TABLE @extschema@.promo_codes IN ACCESS EXCLUSIVE MODE;
      LOCK TABLE @extschema@.promo_code_slots, @extschema@.promo_redemptions IN EXCLUSIVE MODE;
      PERFORM pg_catalog.set_config('lock_timeout', caller_lock_timeout, true);
      RETURN;
    EXCEPTION WHEN lock_not_available THEN
      PERFORM pg_catalog.pg_sleep(0.01 OPERATOR(pg_catalog.*) pg_catalog.random());
    END;
  END LOOP;
  RAISE EXCEPTION 'promo 1.4: the redemptions in flight kept promo''s tables busy for two minutes'
    USING ERRCODE = 'lock_not_available', HINT = 'Update when fewer calls are running.';
END
$$;

DROP TRIGGER promo_codes_spread_slots_on_insert ON promo_codes;
DROP TRIGGER promo_codes_spread_slots_on_update ON promo_codes;
DROP TRIGGER promo_codes_hot_guard ON promo_codes;
DROP TRIGGER promo_codes_keep_redeemed ON promo_codes;
DROP FUNCTION promo_spread_slots();
DROP FUNCTION promo_hot_code_guard();

DO $$
DECLARE
  code record;
  orphans bigint;
BEGIN
  FOR code IN
    SELECT c.code, c.max_uses, c.current_uses OPERATOR(pg_catalog.+) s.uses AS usage
      FROM @extschema@.promo_codes c
      JOIN (SELECT promo_id, pg_catalog.sum(uses)::integer AS uses
              FROM @extschema@.promo_code_slots GROUP BY promo_id) s
        ON s.promo_id OPERATOR(pg_catalog.=) c.id
     WHERE c.max_uses OPERATOR(pg_catalog.<) (c.current_uses OPERATOR(pg_catalog.+) s.uses)
  LOOP
    RAISE WARNING 'promo 1.4: code "%" was used % times, more than its max_uses %', code.code, code.usage, code.max_uses
      USING HINT = 'Its max_uses is raised to its usage, so that it grants no more; its ledger is kept.';
  END LOOP;
  SELECT pg_catalog.count(*) INTO orphans
    FROM @extschema@.promo_redemptions r
   WHERE NOT EXISTS (SELECT FROM @extschema@.promo_codes c WHERE c.id OPERATOR(pg_catalog.=) r.promo_id);
  IF orphans OPERATOR(pg_catalog.>) 0 THEN
    RAISE WARNING 'promo 1.4: % ledger rows belong to no code (left by a TRUNCATE of promo_codes)', orphans
      USING HINT = 'They are kept as history; confirm_promo and release_promo refuse them (22023).';
  END IF;
END
$$;

UPDATE promo_codes c
   SET current_uses = c.current_uses OPERATOR(pg_catalog.+) s.uses,
       max_uses = CASE WHEN c.max_uses OPERATOR(pg_catalog.<) (c.current_uses OPERATOR(pg_catalog.+) s.uses)
                       THEN c.current_uses OPERATOR(pg_catalog.+) s.uses ELSE c.max_uses END
  FROM (SELECT promo_id, pg_catalog.sum(uses)::integer AS uses FROM promo_code_slots GROUP BY promo_id) s
 WHERE s.promo_id OPERATOR(pg_catalog.=) c.id;
DELETE FROM promo_code_slots;

-- The guard trigger removes a deleted code's slots instead of a foreign key,
-- whose check locked the code row on every slot a redemption started, and
-- which let pg_restore -j load the slots before the codes and lose them.
ALTER TABLE promo_code_slots DROP CONSTRAINT promo_code_slots_promo_id_fkey;

-- The code as it is matched: trimmed and case-folded (promo_normalize_code).
ALTER TABLE promo_codes ADD COLUMN code_key text GENERATED ALWAYS AS (promo_normalize_code(code)) STORED;
CREATE UNIQUE INDEX promo_codes_code_key ON promo_codes (code_key);
DROP INDEX promo_codes_normalized_code;

CREATE FUNCTION promo_codes_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'promo_codes_guard'
LANGUAGE C SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;
CREATE TRIGGER promo_codes_guard_update
  BEFORE UPDATE OF id, code, is_active, valid_from, valid_until, max_uses, current_uses, max_uses_per_customer, slots
  ON promo_codes
  FOR EACH ROW WHEN (OLD.slots > 1 OR NEW.slots > 1 OR OLD.id <> NEW.id) EXECUTE FUNCTION promo_codes_guard();
CREATE TRIGGER promo_codes_guard_delete BEFORE DELETE ON promo_codes
  FOR EACH ROW EXECUTE FUNCTION promo_codes_guard();
CREATE TRIGGER promo_codes_guard_truncate AFTER TRUNCATE ON promo_codes
  FOR EACH STATEMENT EXECUTE FUNCTION promo_codes_guard();
CREATE TRIGGER promo_code_slots_guard_truncate AFTER TRUNCATE ON promo_code_slots
  FOR EACH STATEMENT EXECUTE FUNCTION promo_codes_guard();
CREATE TRIGGER promo_redemptions_guard_truncate AFTER TRUNCATE ON promo_redemptions
  FOR EACH STATEMENT EXECUTE FUNCTION promo_codes_guard();
REVOKE ALL ON FUNCTION promo_codes_guard() FROM PUBLIC;

-- create_promo no longer calls promo_normalize_code by name.
CREATE OR REPLACE FUNCTION create_promo(code text, max_uses integer DEFAULT NULL,
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
  IF code IS NULL
     OR pg_catalog.btrim(code, E' \t\n\r\f' OPERATOR(pg_catalog.||) pg_catalog.chr(11)) OPERATOR(pg_catalog.=) '' THEN
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

-- The same SQL functions (their grants kept), served by 1.4's C functions.
CREATE OR REPLACE FUNCTION redeem_promo(code text, customer_id text DEFAULT NULL,
                                        idempotency_key text DEFAULT NULL, hold interval DEFAULT NULL)
RETURNS promo_redemption
AS 'MODULE_PATHNAME', 'redeem_promo_v1_4'
LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION confirm_promo(redemption_id bigint) RETURNS boolean
AS 'MODULE_PATHNAME', 'confirm_promo_v1_4'
LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION release_promo(redemption_id bigint) RETURNS boolean
AS 'MODULE_PATHNAME', 'release_promo_v1_4'
LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

CREATE OR REPLACE FUNCTION promo_reclaim_expired_holds() RETURNS integer
AS 'MODULE_PATHNAME', 'promo_reclaim_expired_holds_v1_4'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;
