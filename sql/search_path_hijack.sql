-- A hostile schema first on the caller's search_path, ahead of pg_catalog,
-- cannot redirect redeem_promo: its table, functions and operator are never used.
CREATE EXTENSION promo;
INSERT INTO promo_codes (code, max_uses) VALUES ('SAFE', 2);

CREATE SCHEMA hostile;
CREATE TABLE hostile.promo_codes (LIKE public.promo_codes);
INSERT INTO hostile.promo_codes (id, code, max_uses, current_uses, is_active, created_at)
  VALUES (999, 'SAFE', 1000, 0, true, now());

CREATE FUNCTION hostile.trap() RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile object called'; END $$;
CREATE FUNCTION hostile.upper(text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile upper called'; END $$;
CREATE FUNCTION hostile.lower(text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile lower called'; END $$;
CREATE FUNCTION hostile.btrim(text, text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile btrim called'; END $$;
CREATE FUNCTION hostile.btrim(text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile btrim called'; END $$;
CREATE FUNCTION hostile.now() RETURNS timestamptz LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile now called'; END $$;
CREATE FUNCTION hostile.text_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile = called'; END $$;
CREATE OPERATOR hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.text_eq);
CREATE FUNCTION hostile.int_lt(integer, integer) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile < called'; END $$;
CREATE OPERATOR hostile.< (LEFTARG = integer, RIGHTARG = integer, FUNCTION = hostile.int_lt);

SET search_path = hostile, pg_catalog, public;
-- the traps are live for the caller
SELECT 'a' = 'a';
SELECT upper('a');
-- but redeem_promo uses only its own schema and pg_catalog
SELECT status, promo_id, current_uses FROM public.redeem_promo(' safe ');
SELECT status, promo_id, current_uses FROM public.redeem_promo('SAFE');
SELECT status, promo_id, current_uses FROM public.redeem_promo('SAFE');
RESET search_path;

SELECT id, code, current_uses FROM public.promo_codes;
SELECT id, code, current_uses FROM hostile.promo_codes;

DROP SCHEMA hostile CASCADE;
DROP EXTENSION promo;
