-- pgTAP: the properties of promo's functions.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION promo;
SELECT plan(12);

SELECT has_function('redeem_promo', ARRAY['text'], 'redeem_promo(text) exists');
SELECT function_returns('redeem_promo', ARRAY['text'], 'promo_redemption', 'it returns promo_redemption');
SELECT function_lang_is('redeem_promo', ARRAY['text'], 'c', 'it is written in C (C++)');
SELECT volatility_is('redeem_promo', ARRAY['text'], 'volatile', 'it is volatile');
SELECT is_definer('redeem_promo', ARRAY['text'], 'it runs as its owner (SECURITY DEFINER)');
SELECT isnt_strict('redeem_promo', ARRAY['text'], 'it is called on NULL input, to report 22004');
SELECT is((SELECT proconfig FROM pg_proc WHERE oid = 'redeem_promo(text)'::regprocedure),
          ARRAY['search_path=pg_catalog, pg_temp'], 'it pins search_path to pg_catalog, pg_temp');

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

SELECT * FROM finish();
ROLLBACK;
