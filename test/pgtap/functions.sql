-- pgTAP: the properties of promo's functions.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION promo;
SELECT plan(26);

SELECT has_function('redeem_promo', ARRAY['text', 'text', 'text', 'interval'],
                    'redeem_promo(code, customer_id, idempotency_key, hold) exists');
SELECT hasnt_function('redeem_promo', ARRAY['text'], 'the 1.0 signature is gone, so calls are not ambiguous');
SELECT function_returns('redeem_promo', ARRAY['text', 'text', 'text', 'interval'], 'promo_redemption',
                        'it returns promo_redemption');
SELECT function_lang_is('redeem_promo', ARRAY['text', 'text', 'text', 'interval'], 'c', 'it is written in C (C++)');
SELECT volatility_is('redeem_promo', ARRAY['text', 'text', 'text', 'interval'], 'volatile', 'it is volatile');
SELECT is_definer('redeem_promo', ARRAY['text', 'text', 'text', 'interval'], 'it runs as its owner (SECURITY DEFINER)');
SELECT isnt_strict('redeem_promo', ARRAY['text', 'text', 'text', 'interval'], 'it is called on NULL input, to report 22004');
SELECT is((SELECT pronargdefaults::int FROM pg_proc WHERE oid = 'redeem_promo(text, text, text, interval)'::regprocedure),
          3, 'customer_id, idempotency_key and hold default to NULL');
SELECT is((SELECT proargnames FROM pg_proc WHERE oid = 'redeem_promo(text, text, text, interval)'::regprocedure),
          ARRAY['code', 'customer_id', 'idempotency_key', 'hold'], 'the arguments can be named');
SELECT function_returns('confirm_promo', ARRAY['bigint'], 'boolean', 'confirm_promo(bigint) returns boolean');
SELECT function_returns('release_promo', ARRAY['bigint'], 'boolean', 'release_promo(bigint) returns boolean');
SELECT function_returns('promo_reclaim_expired_holds', ARRAY[]::text[], 'integer',
                        'promo_reclaim_expired_holds() returns integer');
SELECT is_definer('confirm_promo', ARRAY['bigint'], 'confirm_promo is SECURITY DEFINER');
SELECT is_definer('release_promo', ARRAY['bigint'], 'release_promo is SECURITY DEFINER');
SELECT is_definer('promo_reclaim_expired_holds', ARRAY[]::text[], 'promo_reclaim_expired_holds is SECURITY DEFINER');
SELECT volatility_is('release_promo', ARRAY['bigint'], 'volatile', 'release_promo is volatile');
SELECT isnt_strict('release_promo', ARRAY['bigint'], 'release_promo is called on NULL input, to report 22004');

SELECT has_function('promo_normalize_code', ARRAY['text'], 'promo_normalize_code(text) exists');
SELECT volatility_is('promo_normalize_code', ARRAY['text'], 'immutable', 'it is immutable (it backs an index)');
SELECT is((SELECT proconfig FROM pg_proc WHERE oid = 'promo_normalize_code(text)'::regprocedure),
          ARRAY['search_path=pg_catalog, pg_temp'], 'it pins search_path to pg_catalog, pg_temp');

-- every function of the extension pins search_path
SELECT is((SELECT count(*)::int FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
            WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'promo')
              AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
              AND p.proconfig IS DISTINCT FROM ARRAY['search_path=pg_catalog, pg_temp']),
          0, 'no promo function runs with the caller''s search_path');
SELECT is(promo_normalize_code(E' \tSummer25\n'), 'summer25', 'normalization trims and folds case');
SELECT is((SELECT count(*)::int FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
            WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'promo')
              AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e' AND p.prolang = 13 AND NOT p.prosecdef
              AND p.proname NOT IN ('promo_normalize_code', 'promo_library_version')),
          0, 'every C function that touches data runs as its owner');
SELECT function_returns('promo_library_version', ARRAY[]::text[], 'text', 'promo_library_version() returns text (1.5.3)');
SELECT is(promo_library_version(),
          (SELECT version FROM pg_available_extension_versions WHERE name = 'promo'
            ORDER BY string_to_array(version, '.')::int[] DESC LIMIT 1),
          'the library serves the newest version installed (which may be newer than the default)');
SELECT function_lang_is('promo_normalize_code', ARRAY['text'], 'c', 'the normalization is C (1.2)');

SELECT * FROM finish();
ROLLBACK;
