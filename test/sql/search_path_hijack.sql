-- A hostile schema first on the caller's search_path, ahead of pg_catalog,
-- cannot redirect any promo function: its tables, functions and operators
-- are never used.
CREATE EXTENSION promo;
INSERT INTO promo_codes (code, max_uses) VALUES ('SAFE', 2);

CREATE SCHEMA hostile;
CREATE TABLE hostile.promo_codes (LIKE public.promo_codes INCLUDING DEFAULTS);
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
CREATE TABLE hostile.promo_redemptions (LIKE public.promo_redemptions);
CREATE FUNCTION hostile.trap_bool(text, text) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile operator called'; END $$;
CREATE FUNCTION hostile.trap_bool(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile operator called'; END $$;
CREATE FUNCTION hostile.trap_bool(integer, integer) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile operator called'; END $$;
CREATE FUNCTION hostile.trap_bool(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile operator called'; END $$;
CREATE FUNCTION hostile.trap_int(integer, integer) RETURNS integer LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile arithmetic called'; END $$;
CREATE FUNCTION hostile.trap_ts(timestamptz, interval) RETURNS timestamptz LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile timestamp arithmetic called'; END $$;
CREATE OPERATOR hostile.<> (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.trap_bool);
CREATE OPERATOR hostile.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = hostile.trap_bool);
CREATE OPERATOR hostile.>= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = hostile.trap_bool);
CREATE OPERATOR hostile.<= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = hostile.trap_bool);
CREATE OPERATOR hostile.+ (LEFTARG = integer, RIGHTARG = integer, FUNCTION = hostile.trap_int);
CREATE OPERATOR hostile.- (LEFTARG = integer, RIGHTARG = integer, FUNCTION = hostile.trap_int);
CREATE OPERATOR hostile.+ (LEFTARG = timestamptz, RIGHTARG = interval, FUNCTION = hostile.trap_ts);
CREATE FUNCTION hostile.trap_bigint(bigint, bigint) RETURNS bigint LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile bigint operator called'; END $$;
CREATE FUNCTION hostile.trap_text(text, text) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile concatenation called'; END $$;
CREATE OPERATOR hostile.# (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = hostile.trap_bigint);
CREATE OPERATOR hostile.% (LEFTARG = integer, RIGHTARG = integer, FUNCTION = hostile.trap_int);
CREATE OPERATOR hostile./ (LEFTARG = integer, RIGHTARG = integer, FUNCTION = hostile.trap_int);
CREATE OPERATOR hostile.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.trap_text);
CREATE FUNCTION hostile.hashtextextended(text, bigint) RETURNS bigint LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile hash called'; END $$;
CREATE FUNCTION hostile.sum(integer) RETURNS bigint LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile sum called'; END $$;
CREATE TABLE hostile.promo_code_slots (LIKE public.promo_code_slots INCLUDING DEFAULTS);
CREATE FUNCTION hostile.count(anyelement) RETURNS bigint LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'hostile count called'; END $$;
UPDATE public.promo_codes SET max_uses_per_customer = 1;

SET search_path = hostile, pg_catalog, public;
-- the traps are live for the caller
SELECT 'a' = 'a';
\echo :LAST_ERROR_SQLSTATE
SELECT upper('a');
\echo :LAST_ERROR_SQLSTATE
-- but redeem_promo uses only its own schema and pg_catalog
SELECT status, promo_id, current_uses FROM public.redeem_promo(' safe ');
SELECT status, promo_id, current_uses FROM public.redeem_promo('SAFE');
SELECT status, promo_id, current_uses FROM public.redeem_promo('SAFE');
-- every 1.1 function, on every path: customer limit, key, replay, hold, confirm, release, sweep
INSERT INTO public.promo_codes (code, max_uses, max_uses_per_customer) VALUES ('LEDGER', 5, 1);
SELECT status, current_uses FROM public.redeem_promo('ledger', customer_id => 'ann', idempotency_key => 'k1');
SELECT status, replayed FROM public.redeem_promo('ledger', customer_id => 'ann', idempotency_key => 'k1');
SELECT status FROM public.redeem_promo('ledger', customer_id => 'ann');
SELECT status, redemption_state FROM public.redeem_promo('ledger', customer_id => 'bob', hold => '1 hour');
SELECT public.confirm_promo(4), public.release_promo(3), public.release_promo(3);
SELECT status FROM public.redeem_promo('ledger', customer_id => 'cy', hold => '1 minute');
UPDATE public.promo_redemptions SET hold_expires_at = pg_catalog.now() OPERATOR(pg_catalog.-) interval '1 s'
 WHERE id = 5;
SELECT public.promo_reclaim_expired_holds();
-- the 1.3 hot paths, and creating and spreading a code
SELECT public.create_promo('HOT', max_uses => 3, max_uses_per_customer => 1, slots => 2);
SELECT status, current_uses FROM public.redeem_promo('hot', customer_id => 'ann', idempotency_key => 'h1');
SELECT status, replayed FROM public.redeem_promo('hot', customer_id => 'ann', idempotency_key => 'h1');
SELECT status FROM public.redeem_promo('hot', customer_id => 'ann');
SELECT status, redemption_state FROM public.redeem_promo('hot', customer_id => 'bob', hold => '1 minute');
SELECT status FROM public.redeem_promo('hot');
SELECT status FROM public.redeem_promo('hot');
SELECT public.release_promo(7), public.release_promo(7);
SELECT status FROM public.redeem_promo('hot', customer_id => 'cy', hold => '1 minute');
UPDATE public.promo_redemptions SET hold_expires_at = pg_catalog.now() OPERATOR(pg_catalog.-) interval '1 s'
 WHERE id = 9;
SELECT public.confirm_promo(9), public.promo_reclaim_expired_holds();
UPDATE public.promo_codes SET slots = 3 WHERE code OPERATOR(pg_catalog.=) 'HOT';
RESET search_path;
SELECT code, uses, max_uses, slots FROM public.promo_code_usage WHERE code = 'HOT';
SELECT count(*) FROM hostile.promo_code_slots;

SELECT id, code, current_uses FROM public.promo_codes ORDER BY id;
SELECT id, customer_id, idempotency_key, state FROM public.promo_redemptions ORDER BY id;
SELECT id, code, current_uses FROM hostile.promo_codes;
SELECT count(*) FROM hostile.promo_redemptions;

DROP SCHEMA hostile CASCADE;
DROP EXTENSION promo;
