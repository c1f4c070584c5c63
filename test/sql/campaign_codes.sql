-- generate_promo_codes (1.5): codes by the million from a pattern, drawn
-- from the operating system's CSPRNG, unique under normalization across the
-- whole table, refused when the keyspace is too small, all or nothing.
CREATE EXTENSION promo;
SELECT create_campaign('newsletter', max_uses => 50000) AS newsletter \gset

-- The defaults: pattern '####-####-####' over the 31 characters without the
-- look-alikes 0 O 1 I L, single-use codes, active, in the campaign.
SELECT generate_promo_codes('newsletter', 2000);
SELECT count(*) AS codes, count(DISTINCT code_key) AS distinct_keys,
       count(*) FILTER (WHERE code ~ '^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$') AS match_pattern,
       count(*) FILTER (WHERE code ~ '[01OIL]') AS with_look_alikes,
       bool_and(max_uses = 1 AND max_uses_per_customer IS NULL AND current_uses = 0 AND is_active
                AND valid_from IS NULL AND valid_until IS NULL AND slots = 1) AS defaults,
       bool_and(campaign_id = :newsletter) AS in_campaign
  FROM promo_codes;
-- Every one of the 31 characters is drawn, none far from its share: 24,000
-- draws, 774 expected of each (a uniform draw is within 7 standard
-- deviations, about 190, but with a chance below 1e-9).
SELECT count(*) AS characters, min(n) > 774 - 190 AS none_rare, max(n) < 774 + 190 AS none_frequent
  FROM (SELECT c, count(*) AS n
          FROM promo_codes, regexp_split_to_table(replace(code, '-', ''), '') AS c
         GROUP BY c) drawn;
-- A generated code redeems like any other.
SELECT status, refused_by FROM redeem_promo((SELECT lower(code) FROM promo_codes ORDER BY id LIMIT 1));

-- A pattern and every setting of the codes.
SELECT create_campaign('summer') AS summer \gset
SELECT generate_promo_codes('summer', 5, pattern => 'SUMMER-#####-#####', charset => '0123456789',
                            max_uses => 3, max_uses_per_customer => 1,
                            valid_from => '2026-06-01', valid_until => '2026-09-01', is_active => false);
SELECT count(*) AS codes,
       count(*) FILTER (WHERE code ~ '^SUMMER-[0-9]{5}-[0-9]{5}$') AS match_pattern,
       bool_and(max_uses = 3 AND max_uses_per_customer = 1 AND NOT is_active
                AND valid_from = '2026-06-01' AND valid_until = '2026-09-01') AS settings
  FROM promo_codes WHERE campaign_id = :summer;
-- NULL for a limit is no limit, NULL for is_active is active, as create_promo reads them.
SELECT generate_promo_codes('summer', 2, 'NOLIMIT-##########', '0123456789', max_uses => NULL, is_active => NULL);
SELECT count(*) FROM promo_codes
 WHERE code LIKE 'NOLIMIT-%' AND max_uses IS NULL AND max_uses_per_customer IS NULL AND is_active;
-- Characters beyond ASCII, in the pattern and the charset (one character
-- each, whatever their bytes); the code is still at most 64 characters.
SELECT generate_promo_codes('summer', 3, pattern => 'ÉTÉ-######', charset => '一二三四五六七八九十口日月火水木金土');
SELECT count(*) FILTER (WHERE code ~ '^ÉTÉ-[一二三四五六七八九十口日月火水木金土]{6}$') AS match_pattern,
       max(char_length(code)) AS characters
  FROM promo_codes WHERE code LIKE 'ÉTÉ-%';
SELECT generate_promo_codes('summer', 1, pattern => repeat('#', 64)) AS sixty_four_characters;
SELECT max(char_length(code)) FROM promo_codes WHERE campaign_id = :summer;
-- 256 characters is the most a charset may have.
SELECT generate_promo_codes('summer', 1, pattern => 'WIDE-###',
                            charset => (SELECT string_agg(chr(19968 + i), '') FROM generate_series(0, 255) i));

-- The keyspace bound: characters ^ #s >= 1,000,000 x the campaign's codes
-- after the generation. 31^4 = 923,521 is too small for even one code.
\set VERBOSITY default
SELECT generate_promo_codes('summer', 1, 'SUMMER-####');
\echo :LAST_ERROR_SQLSTATE
-- Right at the bound: 10^6 is enough for one code of an empty campaign...
SELECT create_campaign('bound') AS bound \gset
SELECT generate_promo_codes('bound', 2, 'B-######', '0123456789');
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('bound', 1, 'B-######', '0123456789');
-- ... and not for a second one, even on its own: the campaign would hold two.
SELECT generate_promo_codes('bound', 1, 'B-######', '0123456789');
\echo :LAST_ERROR_SQLSTATE
-- Codes that joined otherwise count too: 10^7 holds 10 codes, and the
-- campaign has 1 generated and 8 made by create_promo.
SELECT count(*) FROM (SELECT create_promo('BOUND-VANITY-' || i, campaign => 'bound') FROM generate_series(1, 8) i) s;
SELECT generate_promo_codes('bound', 2, 'B-#######', '0123456789');
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('bound', 1, 'B-#######', '0123456789');
SELECT count(*) FROM promo_codes WHERE campaign_id = :bound;

-- Collisions are drawn again. 999,000 of the 1,000,000 codes 'C-######'
-- exist outside the campaign, written in lower case (the same codes under
-- normalization); a new code is found among the 1,000 left, though the first
-- candidate collides with a chance of 99.9% (and, drawn 1,000 times in
-- expectation, all collide with a chance of 1e-43 at the 100,000 candidates
-- after which a crowded keyspace is refused).
SELECT create_campaign('crowded') AS crowded \gset
INSERT INTO promo_codes (code) SELECT 'c-' || lpad(i::text, 6, '0') FROM generate_series(0, 998999) i;
SELECT generate_promo_codes('crowded', 1, 'C-######', '0123456789');
SELECT count(*) AS codes, substr(code, 3)::int >= 999000 AS among_the_free, code = upper(code) AS as_drawn
  FROM promo_codes WHERE campaign_id = :crowded GROUP BY 2, 3;
SELECT count(*) AS codes, count(DISTINCT code_key) AS distinct_keys FROM promo_codes WHERE code_key LIKE 'c-%';
-- Once every code of the keyspace exists, no new one can be found: refused
-- with the numbers after 100,000 candidates, instead of drawing for ever.
INSERT INTO promo_codes (code) SELECT 'c-' || lpad(i::text, 6, '0') FROM generate_series(999000, 999999) i
    ON CONFLICT (code_key) DO NOTHING;
SELECT count(*) FROM promo_codes WHERE code_key LIKE 'c-%';
SELECT create_campaign('full') AS full_campaign \gset
SELECT generate_promo_codes('full', 1, 'C-######', '0123456789');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM promo_codes WHERE campaign_id = :full_campaign;

-- All or nothing in the caller's transaction: a ROLLBACK takes every code
-- back...
SELECT create_campaign('atomic') AS atomic \gset
BEGIN;
SELECT generate_promo_codes('atomic', 500);
SELECT count(*) FROM promo_codes WHERE campaign_id = :atomic;
ROLLBACK;
SELECT count(*) FROM promo_codes WHERE campaign_id = :atomic;
-- ... and so does an error after a first batch of 100,000 went in: here a
-- trigger refuses the second INSERT of the generation.
CREATE SEQUENCE generation_inserts;
CREATE FUNCTION refuse_second_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF nextval('public.generation_inserts') = 2 THEN
    RAISE EXCEPTION 'second batch refused (by the test)';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER refuse_second_insert BEFORE INSERT ON promo_codes
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_second_insert();
\set VERBOSITY terse
SELECT generate_promo_codes('atomic', 100001);
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
SELECT last_value AS inserts_tried FROM generation_inserts;
SELECT count(*) FROM promo_codes WHERE campaign_id = :atomic;
DROP TRIGGER refuse_second_insert ON promo_codes;
DROP FUNCTION refuse_second_insert();
DROP SEQUENCE generation_inserts;
-- ... and a cancel: the statement timeout ends a generation of 1,000,000
-- mid-way (between batches, or inside one).
SET statement_timeout = '1s';
\set VERBOSITY terse
SELECT generate_promo_codes('atomic', 1000000, 'T-####-####-####');
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT count(*) FROM promo_codes WHERE campaign_id = :atomic;
-- The campaign is left as it was: its lock went with the transaction.
SELECT generate_promo_codes('atomic', 3);

-- Bad input: NULL where a value is needed is 22004 ...
SELECT generate_promo_codes(NULL, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, pattern => NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, charset => NULL);
\echo :LAST_ERROR_SQLSTATE
-- ... and every other refusal 22023, with nothing made.
SELECT generate_promo_codes('no such campaign', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', -1);
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 10000001);
\echo :LAST_ERROR_SQLSTATE
-- the largest count passes its own check (and meets the bound's)
SELECT generate_promo_codes('atomic', 10000000, 'X-######');
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, '');
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, 'NO-SLOTS');
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, repeat('#', 65));
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, ' ####-####-####');
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, '####-####-####' || chr(11));
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, '####' || chr(1) || '####-####');
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, charset => '');
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, charset => 'ABCDEFA');
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, charset => 'abcdefA');
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, charset => 'abcdefß');
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, charset => 'ABC DEF');
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, charset => 'ABC' || chr(9) || 'DEF');
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, charset => (SELECT string_agg(chr(19968 + i), '') FROM generate_series(0, 256) i));
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, max_uses => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, max_uses_per_customer => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT generate_promo_codes('atomic', 1, valid_from => '2026-09-01', valid_until => '2026-09-01');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM promo_codes WHERE campaign_id = :atomic;
-- max_uses 0 is a code that cannot be used yet, as a plain INSERT allows.
SELECT generate_promo_codes('atomic', 1, max_uses => 0);
SELECT status FROM redeem_promo((SELECT code FROM promo_codes WHERE campaign_id = :atomic AND max_uses = 0));

-- Only the DBA generates: EXECUTE is revoked from PUBLIC, and the
-- application role, which may redeem, may not generate.
CREATE ROLE promo_codes_app;
CREATE ROLE promo_codes_nobody;
GRANT USAGE ON SCHEMA public TO promo_codes_app, promo_codes_nobody;
GRANT EXECUTE ON FUNCTION redeem_promo(text, text, text, interval) TO promo_codes_app;
SELECT has_function_privilege('promo_codes_app', 'generate_promo_codes(text, integer, text, text, integer, integer,
         timestamptz, timestamptz, boolean)', 'EXECUTE') AS app_may_generate,
       has_function_privilege('promo_codes_nobody', 'generate_promo_codes(text, integer, text, text, integer, integer,
         timestamptz, timestamptz, boolean)', 'EXECUTE') AS nobody_may_generate;
SET ROLE promo_codes_app;
SELECT generate_promo_codes('atomic', 1);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE promo_codes_nobody;
SELECT generate_promo_codes('atomic', 1);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- A role the DBA grants it to generates, as the owner (SECURITY DEFINER),
-- without any privilege on the tables.
CREATE ROLE promo_codes_marketing;
GRANT USAGE ON SCHEMA public TO promo_codes_marketing;
GRANT EXECUTE ON FUNCTION generate_promo_codes(text, integer, text, text, integer, integer, timestamptz, timestamptz,
                                               boolean) TO promo_codes_marketing;
SET ROLE promo_codes_marketing;
SELECT generate_promo_codes('atomic', 2);
SELECT count(*) FROM promo_codes;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- A role with CREATE on the extension's schema cannot capture what the
-- generation calls: every function and operator is pg_catalog's, every
-- table the extension's, and search_path is pinned. Its own unnest, count
-- and = in public (first on the caller's search_path) are never used.
GRANT CREATE ON SCHEMA public TO promo_codes_nobody;
SET ROLE promo_codes_nobody;
CREATE FUNCTION public.unnest(text[]) RETURNS SETOF text LANGUAGE sql AS $$ SELECT 'CAPTURED-' || x FROM pg_catalog.unnest($1) x $$;
CREATE FUNCTION public.count(bigint) RETURNS bigint LANGUAGE sql AS $$ SELECT 0::bigint $$;
CREATE FUNCTION public.text_equal_always(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.text_equal_always);
CREATE FUNCTION public.bigint_equal_always(bigint, bigint) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.bigint_equal_always);
RESET ROLE;
SET search_path = public, pg_catalog;
SELECT generate_promo_codes('atomic', 4);
SELECT count(*) FILTER (WHERE code LIKE 'CAPTURED-%') AS captured, count(*) AS codes
  FROM promo_codes WHERE campaign_id OPERATOR(pg_catalog.=) :atomic;
RESET search_path;
DROP OPERATOR public.= (text, text);
DROP OPERATOR public.= (bigint, bigint);
DROP FUNCTION public.unnest(text[]), public.count(bigint), public.text_equal_always(text, text),
              public.bigint_equal_always(bigint, bigint);
REVOKE CREATE ON SCHEMA public FROM promo_codes_nobody;

DROP EXTENSION promo;
REVOKE USAGE ON SCHEMA public FROM promo_codes_app, promo_codes_nobody, promo_codes_marketing;
DROP ROLE promo_codes_app;
DROP ROLE promo_codes_nobody;
DROP ROLE promo_codes_marketing;
