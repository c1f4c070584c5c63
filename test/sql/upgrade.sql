-- ALTER EXTENSION promo UPDATE from 1.0 to 1.1 to 1.2 to 1.3 to 1.4 to 1.5 to 1.5.1 to 1.5.2 to 1.5.3 to 1.6 on a
-- database full of codes and counts: nothing lost, the ledger carries every
-- earlier use, grants carry over, 1.4 repairs what 1.3's defects could leave,
-- and the result equals a fresh CREATE EXTENSION of the newest.
CREATE EXTENSION promo VERSION '1.0';
CREATE ROLE promo_upgrade_app;
GRANT USAGE ON SCHEMA public TO promo_upgrade_app;
GRANT EXECUTE ON FUNCTION redeem_promo(text) TO promo_upgrade_app;

INSERT INTO promo_codes (code, max_uses) SELECT 'CODE-' || i, 10 FROM generate_series(1, 20) i;
INSERT INTO promo_codes (code, max_uses, is_active) VALUES ('RETIRED', NULL, false);
UPDATE promo_codes SET current_uses = 3 WHERE code = 'RETIRED';

-- The newer library still serves the 1.0 SQL function until the update.
SELECT status, count(*)
  FROM (SELECT (redeem_promo('code-' || (i % 7 + 1))).status FROM generate_series(1, 80) i) r
 GROUP BY status ORDER BY status;
SELECT * FROM redeem_promo('CODE-1');
CREATE TEMPORARY TABLE before_upgrade AS
  SELECT id, code, max_uses, current_uses, is_active, created_at FROM promo_codes;

ALTER EXTENSION promo UPDATE TO '1.1';
SELECT extversion FROM pg_extension WHERE extname = 'promo';

-- every code and count kept
SELECT (SELECT count(*) FROM before_upgrade) AS codes_before,
       (SELECT count(*) FROM promo_codes) AS codes_after,
       (SELECT count(*) FROM (SELECT id, code, max_uses, current_uses, is_active, created_at FROM promo_codes
                              EXCEPT SELECT * FROM before_upgrade) changed) AS changed;
-- every use made before the upgrade is one ledger row: redeemed, no customer, no key
SELECT state, customer_id, idempotency_key, count(*) FROM promo_redemptions GROUP BY 1, 2, 3;
SELECT c.code, c.current_uses, count(r.id) AS live_ledger_rows
  FROM promo_codes c LEFT JOIN promo_redemptions r ON r.promo_id = c.id AND r.state <> 'released'
 GROUP BY c.id HAVING c.current_uses <> count(r.id);

-- the grant of redeem_promo(text) carried over; the new functions are not public
SELECT has_function_privilege('promo_upgrade_app', 'redeem_promo(text, text, text, interval)', 'EXECUTE');
SELECT has_function_privilege('promo_upgrade_app', 'release_promo(bigint)', 'EXECUTE');
SELECT has_function_privilege('public', 'confirm_promo(bigint)', 'EXECUTE');

-- 1.0 callers keep working unchanged, and the new labels are usable
SET ROLE promo_upgrade_app;
SELECT status, current_uses, remaining FROM redeem_promo('CODE-1');
SELECT status, redemption_state FROM redeem_promo('CODE-20', customer_id => 'alice', hold => '1 hour');
RESET ROLE;
UPDATE promo_codes SET max_uses_per_customer = 1 WHERE code = 'CODE-20';
SELECT status FROM redeem_promo('CODE-20', customer_id => 'alice');
SELECT enum_range(NULL::promo_status);

-- 1.1 -> 1.2 moves the normalization into C; codes match as before.
ALTER EXTENSION promo UPDATE TO '1.2';
SELECT extversion FROM pg_extension WHERE extname = 'promo';
SELECT status, current_uses FROM redeem_promo(E'\t code-19 ');
SELECT count(*) AS duplicates FROM (SELECT promo_normalize_code(code) FROM promo_codes GROUP BY 1 HAVING count(*) > 1) d;
SET enable_seqscan = off;
SELECT code FROM promo_codes WHERE promo_normalize_code(code) = promo_normalize_code(' code-7');
RESET enable_seqscan;

-- 1.2 -> 1.3 adds hot codes: every count kept, every code has one slot
-- (today's behaviour) until a DBA spreads it, and spreading keeps its usage.
CREATE TEMPORARY TABLE before_hot AS SELECT id, current_uses FROM promo_codes;
ALTER EXTENSION promo UPDATE TO '1.3';
SELECT extversion FROM pg_extension WHERE extname = 'promo';
SELECT count(*) AS codes, count(*) FILTER (WHERE c.slots = 1) AS one_slot,
       count(*) FILTER (WHERE u.uses <> b.current_uses) AS usage_changed
  FROM promo_codes c JOIN promo_code_usage u ON u.promo_id = c.id JOIN before_hot b ON b.id = c.id;
UPDATE promo_codes SET slots = 4 WHERE code = 'CODE-2';
SELECT code, uses, max_uses, remaining, slots FROM promo_code_usage WHERE code = 'CODE-2';
SELECT slot, uses, remaining FROM promo_code_slots ORDER BY slot;
SELECT status, current_uses, remaining FROM redeem_promo('code-2');
-- a use made before the code was hot goes back to a slot
SELECT release_promo((SELECT min(r.id) FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
                       WHERE c.code = 'CODE-2'));
SELECT code, uses, remaining FROM promo_code_usage WHERE code = 'CODE-2';
SELECT c.code, u.uses, count(r.id) AS live_ledger_rows
  FROM promo_codes c JOIN promo_code_usage u ON u.promo_id = c.id
  LEFT JOIN promo_redemptions r ON r.promo_id = c.id AND r.state <> 'released'
 GROUP BY c.code, u.uses HAVING u.uses <> count(r.id);
-- the foreign key of the ledger became a trigger: a code with redemptions stays
\set VERBOSITY terse
DELETE FROM promo_codes WHERE code = 'CODE-2';
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE

-- What 1.3's defects could leave behind: a hot code used beyond its cap (a
-- slot change while redemptions waited), an unlimited hot code whose slots
-- were given no uses, ledger rows whose code a TRUNCATE removed.
SELECT create_promo('OVERUSED', 4, slots => 2) IS NOT NULL AS created;
SELECT (redeem_promo('OVERUSED')).status FROM generate_series(1, 4);
UPDATE promo_codes SET current_uses = 1 WHERE code = 'OVERUSED';
INSERT INTO promo_redemptions (promo_id, state) SELECT id, 'redeemed' FROM promo_codes WHERE code = 'OVERUSED';
SELECT create_promo('UNLIMITED-HOT', NULL, slots => 4) IS NOT NULL AS created;
SELECT status FROM redeem_promo('UNLIMITED-HOT');
SELECT create_promo('TRUNCATED', 3) IS NOT NULL AS created;
SELECT (redeem_promo('TRUNCATED')).status FROM generate_series(1, 2);
ALTER TABLE promo_codes DISABLE TRIGGER promo_codes_keep_redeemed;
DELETE FROM promo_codes WHERE code = 'TRUNCATED';
ALTER TABLE promo_codes ENABLE TRIGGER promo_codes_keep_redeemed;
SELECT code, uses, max_uses FROM promo_code_usage WHERE code IN ('OVERUSED', 'UNLIMITED-HOT') ORDER BY code;
CREATE TEMPORARY TABLE before_repair AS SELECT promo_id, uses FROM promo_code_usage;

-- 1.3 -> 1.4 folds every hot code's slots into current_uses, reports and
-- stops the overused code, gives the unlimited one its uses back, reports the
-- orphans; every other count is kept.
ALTER EXTENSION promo UPDATE TO '1.4';
SELECT extversion FROM pg_extension WHERE extname = 'promo';
SELECT count(*) AS codes, count(*) FILTER (WHERE u.uses <> b.uses) AS usage_changed,
       (SELECT count(*) FROM promo_code_slots) AS slot_rows
  FROM promo_code_usage u JOIN before_repair b ON b.promo_id = u.promo_id;
SELECT code, uses, max_uses, remaining FROM promo_code_usage WHERE code IN ('OVERUSED', 'UNLIMITED-HOT') ORDER BY code;
SELECT status FROM redeem_promo('OVERUSED');
SELECT status FROM redeem_promo('UNLIMITED-HOT');
SELECT release_promo(min(r.id)) FROM promo_redemptions r
 WHERE NOT EXISTS (SELECT FROM promo_codes c WHERE c.id = r.promo_id);
\echo :LAST_ERROR_SQLSTATE
DELETE FROM promo_redemptions r WHERE NOT EXISTS (SELECT FROM promo_codes c WHERE c.id = r.promo_id);
SELECT c.code, u.uses, count(r.id) AS live_ledger_rows
  FROM promo_codes c JOIN promo_code_usage u ON u.promo_id = c.id
  LEFT JOIN promo_redemptions r ON r.promo_id = c.id AND r.state <> 'released'
 GROUP BY c.code, u.uses HAVING u.uses <> count(r.id);
-- codes are matched by their stored key, through the index
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM promo_codes WHERE code_key = 'code-7';
RESET enable_seqscan;
SELECT status, current_uses FROM redeem_promo(E' Code-7\t');

-- 1.4 -> 1.5 adds campaigns: every count kept, no code in a campaign, the
-- DBA's grant of create_promo carried to the new create_promo, and the
-- answer gains campaign_id and refused_by.
CREATE ROLE "Promo Upgrade-Admin";
GRANT EXECUTE ON FUNCTION create_promo(text, integer, integer, timestamptz, timestamptz, integer, boolean)
  TO promo_upgrade_app, "Promo Upgrade-Admin";
CREATE TEMPORARY TABLE before_campaigns AS SELECT promo_id, uses FROM promo_code_usage;
ALTER EXTENSION promo UPDATE TO '1.5';
SELECT extversion FROM pg_extension WHERE extname = 'promo';
SELECT count(*) AS codes, count(*) FILTER (WHERE u.uses <> b.uses) AS usage_changed,
       count(*) FILTER (WHERE c.campaign_id IS NOT NULL) AS in_a_campaign
  FROM promo_code_usage u JOIN before_campaigns b ON b.promo_id = u.promo_id
  JOIN promo_codes c ON c.id = u.promo_id;
SELECT r AS grantee, has_function_privilege(r,
         'create_promo(text, integer, integer, timestamptz, timestamptz, integer, boolean, text)', 'EXECUTE')
  FROM unnest(ARRAY['promo_upgrade_app', 'Promo Upgrade-Admin']) r;
SELECT status, current_uses, campaign_id, refused_by FROM redeem_promo('code-7');
SELECT create_campaign('after-upgrade', max_uses => 1) > 0 AS created;
SELECT create_promo('IN-CAMPAIGN', campaign => 'after-upgrade') > 0 AS created;
SELECT status, refused_by FROM redeem_promo('in-campaign');
SELECT status, refused_by FROM redeem_promo('in-campaign');

-- 1.5 -> 1.5.1: a campaign counts in up to 256 slots, 128 by default; the
-- campaigns made before keep theirs, and every count stays.
CREATE TEMPORARY TABLE before_wider_slots AS SELECT campaign_id, uses, slots FROM promo_campaign_usage;
ALTER EXTENSION promo UPDATE TO '1.5.1';
SELECT extversion FROM pg_extension WHERE extname = 'promo';
SELECT count(*) AS campaigns, count(*) FILTER (WHERE u.uses <> b.uses OR u.slots <> b.slots) AS changed
  FROM promo_campaign_usage u JOIN before_wider_slots b ON b.campaign_id = u.campaign_id;
SELECT create_campaign('wider', slots => 256) > 0 AS wider, create_campaign('by-default') > 0 AS by_default;
SELECT name, slots FROM promo_campaigns WHERE name IN ('wider', 'by-default') ORDER BY name;
\set VERBOSITY terse
SELECT create_campaign('too-wide', slots => 257);
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default

-- 1.5.1 -> 1.5.2: promo_stats and a description on every object; the
-- counters are the module's, already counting.
ALTER EXTENSION promo UPDATE TO '1.5.2';
SELECT extversion FROM pg_extension WHERE extname = 'promo';
SELECT promo_stats_reset();
SELECT status FROM redeem_promo('code-7');
SELECT code_class, status, calls FROM promo_stats WHERE calls > 0;
GRANT SELECT ON promo_stats TO promo_upgrade_app;

-- 1.5.2 -> 1.5.3: promo_stats and its functions move to promo_monitor, with
-- the DBA's grant; the counters go on. A monitoring role with USAGE on
-- promo's schema (here public, through PUBLIC) is named, quoted: it no
-- longer needs it, and could stall redemptions with it.
CREATE ROLE "Promo Upgrade, Monitor" IN ROLE pg_monitor;
-- one that also runs redemptions needs the USAGE, and is not named
CREATE ROLE promo_upgrade_app_monitor IN ROLE pg_monitor;
GRANT EXECUTE ON FUNCTION redeem_promo(text, text, text, interval) TO promo_upgrade_app_monitor;
ALTER EXTENSION promo UPDATE TO '1.5.3';
REVOKE EXECUTE ON FUNCTION redeem_promo(text, text, text, interval) FROM promo_upgrade_app_monitor;
DROP ROLE "Promo Upgrade, Monitor", promo_upgrade_app_monitor;
SELECT extversion FROM pg_extension WHERE extname = 'promo';
SELECT status FROM redeem_promo('code-7');
SELECT code_class, status, calls FROM promo_monitor.promo_stats WHERE calls > 0;
SELECT has_table_privilege('promo_upgrade_app', 'promo_monitor.promo_stats', 'SELECT') AS app_reads,
       to_regclass('public.promo_stats') IS NULL AS moved;

-- 1.5.3 -> 1.6 (in development): codes gain order terms, redeem_promo the
-- order (a new signature, which keeps the DBA's grants, a grant option
-- included), the ledger the order's columns; a code from before redeems as
-- it did, and for an order grants a discount of 0.
CREATE ROLE promo_upgrade_cashier;
GRANT EXECUTE ON FUNCTION redeem_promo(text, text, text, interval) TO promo_upgrade_cashier WITH GRANT OPTION;
ALTER EXTENSION promo UPDATE TO '1.6';
SELECT extversion FROM pg_extension WHERE extname = 'promo';
SELECT p.oid::regprocedure AS redeem_promo, a.grantee::regrole AS grantee, a.is_grantable
  FROM pg_proc p, aclexplode(p.proacl) a
 WHERE p.proname = 'redeem_promo' AND a.grantee <> p.proowner ORDER BY 2;
SELECT create_promo('order-code', 5) > 0 AS created;
SELECT status, discount, currency FROM redeem_promo('order-code');
SELECT status, discount, currency FROM redeem_promo('order-code', order_amount => 1000, currency => 'EUR');
UPDATE promo_codes SET discount_basis_points = 2500, currency = 'EUR' WHERE code = 'order-code';
SELECT status, discount, currency FROM redeem_promo('order-code', order_amount => 1002, currency => 'EUR');
SELECT status FROM redeem_promo('order-code', order_amount => 1002, currency => 'USD');
SELECT code_class, status, calls FROM promo_monitor.promo_stats WHERE calls > 0 ORDER BY 1, 2;

-- Both roads lead to the same catalog: compare the upgraded extension's
-- objects with those of a fresh CREATE EXTENSION promo (the newest version).
CREATE SCHEMA upgrade_check;
CREATE FUNCTION upgrade_check.catalog_signature() RETURNS SETOF text LANGUAGE sql AS $$
  WITH ext AS (SELECT oid, extconfig FROM pg_extension WHERE extname = 'promo'),
  members AS (SELECT classid, objid FROM pg_depend, ext
               WHERE refclassid = 'pg_extension'::regclass AND refobjid = ext.oid AND deptype = 'e')
  SELECT 'member ' || pg_describe_object(classid, objid, 0) FROM members
  UNION ALL
  SELECT format('column %s.%s #%s %s notnull=%s identity=%s generated=%s default=%s', a.attrelid::regclass,
                a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
                a.attgenerated, pg_get_expr(d.adbin, d.adrelid))
    FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped
     AND a.attrelid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass
                        UNION SELECT typrelid FROM pg_type WHERE oid IN
                          (SELECT objid FROM members WHERE classid = 'pg_type'::regclass))
  UNION ALL
  SELECT format('relation %s kind=%s options=%s acl=%s', oid::regclass, relkind, reloptions, relacl)
    FROM pg_class WHERE oid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
  UNION ALL
  SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid))
    FROM pg_constraint WHERE conrelid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
  UNION ALL
  SELECT 'index ' || pg_get_indexdef(indexrelid)
    FROM pg_index WHERE indrelid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
  UNION ALL
  SELECT 'trigger ' || pg_get_triggerdef(oid)
    FROM pg_trigger WHERE NOT tgisinternal
     AND tgrelid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
  UNION ALL
  SELECT format('view %s %s', oid::regclass, pg_get_viewdef(oid))
    FROM pg_class WHERE relkind = 'v' AND oid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
  UNION ALL
  SELECT format('schema %s acl=%s', nspname, nspacl)
    FROM pg_namespace WHERE oid IN (SELECT objid FROM members WHERE classid = 'pg_namespace'::regclass)
  UNION ALL
  SELECT format('function %s.%s(%s) returns %s lang=%s definer=%s volatile=%s strict=%s config=%s acl=%s src=%s',
                pronamespace::regnamespace, proname, pg_get_function_arguments(oid), pg_get_function_result(oid),
                (SELECT lanname FROM pg_language l WHERE l.oid = prolang),
                prosecdef, provolatile, proisstrict, proconfig, proacl, prosrc)
    FROM pg_proc WHERE oid IN (SELECT objid FROM members WHERE classid = 'pg_proc'::regclass)
  UNION ALL
  SELECT format('enum %s %s', enumtypid::regtype,
                string_agg(enumlabel::text, ',' ORDER BY enumsortorder))
    FROM pg_enum WHERE enumtypid IN (SELECT objid FROM members WHERE classid = 'pg_type'::regclass)
   GROUP BY enumtypid
  UNION ALL
  SELECT format('description %s: %s', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
    FROM pg_description d
   WHERE (d.classoid, d.objoid) IN (SELECT classid, objid FROM members)
      OR d.objoid IN (SELECT objid FROM members WHERE classid = 'pg_class'::regclass)
      OR d.objoid IN (SELECT typrelid FROM pg_type WHERE oid IN
                       (SELECT objid FROM members WHERE classid = 'pg_type'::regclass))
      OR d.objoid IN (SELECT oid FROM pg_constraint WHERE conrelid IN
                       (SELECT objid FROM members WHERE classid = 'pg_class'::regclass))
      OR d.objoid IN (SELECT oid FROM pg_trigger WHERE tgrelid IN
                       (SELECT objid FROM members WHERE classid = 'pg_class'::regclass))
      OR d.objoid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN
                       (SELECT objid FROM members WHERE classid = 'pg_class'::regclass))
  UNION ALL
  SELECT 'dumped ' || c::regclass FROM ext, unnest(ext.extconfig) c
$$;
CREATE TABLE upgrade_check.upgraded AS SELECT upgrade_check.catalog_signature() AS line;

DROP EXTENSION promo;
CREATE EXTENSION promo VERSION '1.6';
SELECT extversion FROM pg_extension WHERE extname = 'promo';
-- the DBA's grants, which the upgrades carried over
GRANT EXECUTE ON FUNCTION redeem_promo(text, text, text, interval, bigint, text) TO promo_upgrade_app;
GRANT EXECUTE ON FUNCTION redeem_promo(text, text, text, interval, bigint, text) TO promo_upgrade_cashier
  WITH GRANT OPTION;
GRANT EXECUTE ON FUNCTION create_promo(text, integer, integer, timestamptz, timestamptz, integer, boolean, text)
  TO promo_upgrade_app, "Promo Upgrade-Admin";
GRANT SELECT ON promo_monitor.promo_stats TO promo_upgrade_app;
CREATE TABLE upgrade_check.fresh AS SELECT upgrade_check.catalog_signature() AS line;

SELECT count(*) > 40 AS compared_many_facts FROM upgrade_check.fresh;
SELECT 'only after upgrade' AS road, line FROM upgrade_check.upgraded
EXCEPT SELECT 'only after upgrade', line FROM upgrade_check.fresh
UNION ALL
SELECT 'only when fresh', line FROM upgrade_check.fresh
EXCEPT SELECT 'only when fresh', line FROM upgrade_check.upgraded
ORDER BY 1, 2;

DROP SCHEMA upgrade_check CASCADE;
DROP EXTENSION promo;
REVOKE USAGE ON SCHEMA public FROM promo_upgrade_app;
DROP ROLE promo_upgrade_app;
DROP ROLE "Promo Upgrade-Admin";
DROP ROLE promo_upgrade_cashier;
