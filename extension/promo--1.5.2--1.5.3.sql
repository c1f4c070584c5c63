-- promo 1.5.2 -> 1.5.3: promo_stats, promo_stats_reset() and the function
-- behind the view move to the schema promo_monitor, so that pg_monitor needs
-- no USAGE on promo's own schema; the scripts check the library they run
-- with (promo_library_version()); create_promo refuses codes redeem_promo
-- would refuse; descriptions corrected. No table changes.
\echo Use "ALTER EXTENSION promo UPDATE TO '1.5.3'" to load this file. \quit

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
    CREATE FUNCTION @extschema@.promo_library_version() RETURNS text
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
               OPERATOR(pg_catalog.<) '{1,5,3}'::pg_catalog.int4[];
  END IF;
  IF too_old THEN
    RAISE EXCEPTION 'the promo library this session runs (%) is older than promo 1.5.3',
                    coalesce(loaded, 'before 1.5.3')
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'A new promo library is used from the next server restart if promo is in shared_preload_libraries, otherwise from the next session: restart or reconnect, then run this again.';
  END IF;
END
$$;
REVOKE ALL ON FUNCTION promo_library_version() FROM PUBLIC;

-- pg_monitor needs USAGE on the schema it reads, and a role that may name
-- promo's tables can stall every redemption (CREATE TRIGGER takes its table
-- lock before it checks privileges). promo_monitor holds nothing a redemption
-- uses. Moved, not created again: grants a DBA gave on them stay.
CREATE SCHEMA promo_monitor;
GRANT USAGE ON SCHEMA promo_monitor TO pg_monitor;
ALTER FUNCTION promo_stats_counters() SET SCHEMA promo_monitor;
ALTER FUNCTION promo_stats_reset() SET SCHEMA promo_monitor;
ALTER VIEW promo_stats SET SCHEMA promo_monitor;

-- create_promo refuses the codes redeem_promo would refuse (over 64
-- characters, control characters), as generate and import already did.
CREATE OR REPLACE FUNCTION create_promo(code text, max_uses integer DEFAULT NULL,
                             max_uses_per_customer integer DEFAULT NULL,
                             valid_from timestamptz DEFAULT NULL, valid_until timestamptz DEFAULT NULL,
                             slots integer DEFAULT 1, is_active boolean DEFAULT true,
                             campaign text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  new_id bigint;
  campaign_of_code bigint;
  trimmed_length integer;
BEGIN
  IF code IS NULL
     OR pg_catalog.btrim(code, E' \t\n\r\f' OPERATOR(pg_catalog.||) pg_catalog.chr(11)) OPERATOR(pg_catalog.=) '' THEN
    RAISE EXCEPTION 'promo code must not be null or blank'
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the code as text, for example ''SUMMER25''.';
  END IF;
  -- What redeem_promo accepts (code_input.cpp), so that no code is made
  -- that no call can redeem (1.5.3).
  trimmed_length := pg_catalog.char_length(
    pg_catalog.btrim(code, E' \t\n\r\f' OPERATOR(pg_catalog.||) pg_catalog.chr(11)));
  IF trimmed_length OPERATOR(pg_catalog.>) 64 THEN
    RAISE EXCEPTION 'promo code is too long (% characters)', trimmed_length
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'A code has 1 to 64 characters, without control characters, after surrounding white space is removed.';
  END IF;
  IF pg_catalog.btrim(code, E' \t\n\r\f' OPERATOR(pg_catalog.||) pg_catalog.chr(11))
       OPERATOR(pg_catalog.~) E'[\\u0001-\\u001f\\u007f-\\u009f]' THEN
    RAISE EXCEPTION 'promo code contains a control character'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'A code has 1 to 64 characters, without control characters, after surrounding white space is removed.';
  END IF;
  IF campaign IS NOT NULL THEN
    -- Locked as a foreign key's check locks it: a concurrent DELETE of the
    -- campaign waits for this code, then sees it and refuses (1.5.1).
    SELECT g.id INTO campaign_of_code FROM @extschema@.promo_campaigns g
     WHERE g.name OPERATOR(pg_catalog.=) create_promo.campaign
       FOR KEY SHARE;
    IF campaign_of_code IS NULL THEN
      RAISE EXCEPTION 'campaign "%" does not exist', create_promo.campaign
        USING ERRCODE = 'invalid_parameter_value', HINT = 'Create it with create_campaign(name, ...).';
    END IF;
  END IF;
  IF slots IS NULL THEN slots := 1; END IF;
  IF is_active IS NULL THEN is_active := true; END IF;
  INSERT INTO @extschema@.promo_codes AS c
         (code, max_uses, max_uses_per_customer, valid_from, valid_until, slots, is_active, campaign_id)
  VALUES (create_promo.code, create_promo.max_uses, create_promo.max_uses_per_customer,
          create_promo.valid_from, create_promo.valid_until, create_promo.slots, create_promo.is_active,
          campaign_of_code)
  RETURNING c.id INTO new_id;
  RETURN new_id;
EXCEPTION WHEN unique_violation THEN
  RAISE EXCEPTION 'promo code "%" already exists', create_promo.code
    USING ERRCODE = 'unique_violation', HINT = 'Codes are compared trimmed and case-folded.';
END
$$;

-- Under 1.5.2 a monitoring role needed USAGE on promo's schema to read
-- promo_stats. Now it needs none, and keeping it leaves that role able to
-- stall redemptions: name such roles, but not those granted EXECUTE on
-- promo's functions (the application), which need the USAGE.
DO $$
DECLARE
  readers text;
BEGIN
  SELECT pg_catalog.string_agg(pg_catalog.quote_ident(r.rolname), ', ' ORDER BY r.rolname) INTO readers
    FROM pg_catalog.pg_roles r, pg_catalog.pg_namespace n
   WHERE n.oid OPERATOR(pg_catalog.=) '@extschema@'::regnamespace
     AND NOT r.rolsuper AND r.rolname OPERATOR(pg_catalog.!~) '^pg_'
     AND pg_catalog.pg_has_role(r.oid, 'pg_monitor', 'MEMBER')
     AND NOT pg_catalog.pg_has_role(r.oid, n.nspowner, 'MEMBER')
     AND pg_catalog.has_schema_privilege(r.oid, n.oid, 'USAGE')
     AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d, pg_catalog.pg_proc p
                      WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
                        AND d.refobjid OPERATOR(pg_catalog.=)
                              (SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'promo')
                        AND d.deptype OPERATOR(pg_catalog.=) 'e'
                        AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                        AND p.oid OPERATOR(pg_catalog.=) d.objid
                        AND p.pronamespace OPERATOR(pg_catalog.=) n.oid
                        AND NOT pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE')
                        AND pg_catalog.has_function_privilege(r.oid, p.oid, 'EXECUTE'));
  IF readers IS NOT NULL THEN
    RAISE WARNING 'roles % (of pg_monitor) have USAGE on the schema of promo, %, and can stall its redemptions', readers, '@extschema@'::regnamespace
      USING HINT = 'promo_monitor.promo_stats needs no USAGE on it: revoke what was granted for 1.5.2''s promo_stats (REVOKE USAGE ON SCHEMA ... FROM ...), and keep promo out of public, where PUBLIC has USAGE.';
  END IF;
END
$$;

COMMENT ON COLUMN promo_campaigns.is_active IS 'false: a use of any of the campaign''s codes is refused as inactive (refused_by = campaign), unless the code''s own rules, decided first, refuse it. A code may narrow this, never widen it.';
COMMENT ON FUNCTION create_promo(text, integer, integer, timestamp with time zone, timestamp with time zone, integer, boolean, text) IS 'Creates a code, in the named campaign if one is given, and returns its id; the way to create codes through a router. A NULL or blank code, one over 64 characters or with a control character (which redeem_promo would refuse), or a missing campaign is 22023, a code that exists after normalization 23505.';
COMMENT ON TYPE promo_status IS 'What redeem_promo answered: redeemed; a refusal, first match wins: not_found, inactive, not_yet_valid, expired, customer_limit_reached, exhausted (for a campaign''s code the code''s rules in this order, then the campaign''s); or released, a replayed key whose redemption was given back. With promo.reveal_reasons off every refusal reads not_found.';

-- schema promo_monitor (1.5.3)
COMMENT ON SCHEMA promo_monitor IS 'promo''s counters for monitoring, and nothing a redemption uses: pg_monitor has USAGE here and needs none on promo''s own schema (which PUBLIC has on public: install promo in a schema of its own).';

-- view promo_stats
COMMENT ON VIEW promo_monitor.promo_stats IS 'redeem_promo''s answers counted in shared memory since the last reset, one row per code class and status. Needs promo in shared_preload_libraries (otherwise reading it is 55000); counters are not transactional and start again at a server restart.';
COMMENT ON COLUMN promo_monitor.promo_stats.code_class IS 'What answered: ''none'' (no code matched), ''one_slot'' (a code with slots = 1) or ''hot'' (slots > 1). A code deleted while the call waited for it answers not_found in its own class.';
COMMENT ON COLUMN promo_monitor.promo_stats.status IS 'The answer''s status, a replayed key''s included (redeemed or released); a refusal hidden by promo.reveal_reasons = off is counted by its true status.';
COMMENT ON COLUMN promo_monitor.promo_stats.calls IS 'Calls that answered so, a rolled-back one included; calls that ended in an error are not counted.';
COMMENT ON COLUMN promo_monitor.promo_stats.lock_waits IS 'Of those calls, the ones that waited for at least one of promo''s own locks (not row locks).';
COMMENT ON COLUMN promo_monitor.promo_stats.stats_reset IS 'When the counters were last zeroed, by promo_stats_reset() or the server''s start.';

-- promo_stats_reset
COMMENT ON FUNCTION promo_monitor.promo_stats_reset() IS 'Zeroes every counter of promo_stats and sets its stats_reset to now. Needs promo in shared_preload_libraries (otherwise 55000).';

-- promo_stats_counters (the set-returning function behind promo_stats)
COMMENT ON FUNCTION promo_monitor.promo_stats_counters() IS 'The counters behind the view promo_stats, read from shared memory: one row per code class and status, status as text. Needs promo in shared_preload_libraries (otherwise 55000).';

-- promo_library_version (1.5.3)
COMMENT ON FUNCTION promo_library_version() IS 'The newest promo version whose SQL the library this session runs serves. The scripts of 1.5.3 and later compare it with their own version and refuse, with 55000, a library older than they are.';
