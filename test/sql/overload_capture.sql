-- A role that may create objects in promo's schema (apps often keep their
-- tables in public) cannot capture or break promo's own calls: promo calls
-- none of its functions by name (codes are matched by their stored key).
-- Every function on every path is run from a fresh session, whose plans are
-- prepared with the traps in place. An application's own unqualified calls
-- are another matter: the install says who could shadow them, and a call
-- qualified with a schema only the DBA writes to cannot be captured.
CREATE ROLE promo_squatter;
GRANT CREATE ON SCHEMA public TO promo_squatter;
-- the install names the roles that could shadow promo's functions
CREATE EXTENSION promo;
SELECT create_promo('SQUAT', 5, max_uses_per_customer => 2) IS NOT NULL,
       create_promo('HOT-SQUAT', 5, max_uses_per_customer => 2, slots => 3) IS NOT NULL;

SET ROLE promo_squatter;
CREATE FUNCTION public.promo_normalize_code(code text, x integer DEFAULT 0) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT 'captured' $$;
CREATE FUNCTION public.promo_normalize_code(code varchar) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT 'captured' $$;
CREATE FUNCTION public.now(x integer DEFAULT 0) RETURNS timestamptz
  LANGUAGE sql AS $$ SELECT 'epoch'::timestamptz $$;
CREATE FUNCTION public.count(x integer DEFAULT 0) RETURNS bigint LANGUAGE sql AS $$ SELECT 0::bigint $$;
CREATE FUNCTION public.squat_eq(text, varchar) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = varchar, FUNCTION = public.squat_eq);
CREATE TABLE public.promo_code_keys (code_key text);
RESET ROLE;

\c
-- one-slot: plain, customer, key and replay, hold, confirm, release, sweep
SELECT status, current_uses FROM redeem_promo(' squat ');
SELECT status FROM redeem_promo('SQUAT', customer_id => 'ann', idempotency_key => 'k1');
SELECT status, replayed FROM redeem_promo('SQUAT', customer_id => 'ann', idempotency_key => 'k1');
SELECT status FROM redeem_promo('SQUAT', customer_id => 'ann');
SELECT status FROM redeem_promo('SQUAT', customer_id => 'ann');
SELECT redemption_id AS held FROM redeem_promo('SQUAT', customer_id => 'bob', hold => '1 hour') \gset
SELECT confirm_promo(:held), release_promo(:held), release_promo(:held);
-- hot: the same, and a DBA's change of the code (the guard trigger)
SELECT status FROM redeem_promo('hot-squat', customer_id => 'ann', idempotency_key => 'k1');
SELECT status, replayed FROM redeem_promo('HOT-SQUAT', customer_id => 'ann', idempotency_key => 'k1');
SELECT status FROM redeem_promo('HOT-SQUAT', customer_id => 'ann');
SELECT status FROM redeem_promo('HOT-SQUAT', customer_id => 'ann');
SELECT redemption_id AS held FROM redeem_promo('HOT-SQUAT', customer_id => 'bob', hold => '1 hour') \gset
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second' WHERE id = :held;
SELECT confirm_promo(:held), promo_reclaim_expired_holds();
UPDATE promo_codes SET slots = 2 WHERE code = 'HOT-SQUAT';
SELECT status FROM redeem_promo('HOT-SQUAT');
SELECT code, uses, max_uses FROM promo_code_usage ORDER BY code;
-- creating codes
SELECT create_promo('NEW-SQUAT', 1) IS NOT NULL AS created;
SELECT create_promo(' new-squat ', 1);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO promo_codes (code) VALUES ('PLAIN-INSERT');
SELECT code, code_key FROM promo_codes ORDER BY id;
SELECT count(*) AS captured FROM promo_codes WHERE code_key = 'captured';

-- An application's unqualified call is resolved among the schema's functions:
-- an overload there makes it ambiguous. A call qualified with a schema only
-- the DBA can write to is not.
SET ROLE promo_squatter;
CREATE FUNCTION public.redeem_promo(code text, x integer DEFAULT 0) RETURNS text LANGUAGE sql AS $$ SELECT 'captured' $$;
RESET ROLE;
SELECT status FROM redeem_promo('SQUAT');
\echo :LAST_ERROR_SQLSTATE
DROP EXTENSION promo;
CREATE SCHEMA promo;
CREATE EXTENSION promo SCHEMA promo;
SELECT promo.create_promo('SAFE', 1) IS NOT NULL AS created;
SELECT status FROM promo.redeem_promo('safe');

DROP EXTENSION promo;
DROP SCHEMA promo;
DROP OWNED BY promo_squatter;
REVOKE CREATE ON SCHEMA public FROM promo_squatter;
DROP ROLE promo_squatter;
