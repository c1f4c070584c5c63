-- A C++ exception inside the module becomes a clean ERROR, and the session
-- goes on working (promo.debug_fault is a test-only, superuser-only switch).
CREATE EXTENSION promo;
INSERT INTO promo_codes (code, max_uses) VALUES ('BRIDGE', 5);

SET promo.debug_fault = cpp_exception;
SELECT * FROM redeem_promo('BRIDGE');
\echo :LAST_ERROR_SQLSTATE
SET promo.debug_fault = out_of_memory;
SELECT * FROM redeem_promo('BRIDGE');
\echo :LAST_ERROR_SQLSTATE
RESET promo.debug_fault;

-- nothing was redeemed by the failed calls, and the next call works
SELECT status, current_uses FROM redeem_promo('BRIDGE');

-- A PostgreSQL error raised inside the module's SPI call comes out with its
-- SQLSTATE, detail and hint unchanged (here from a DBA's trigger).
CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'frozen by the DBA' USING ERRCODE = 'check_violation',
    DETAIL = 'all codes are frozen', HINT = 'ask the DBA';
END
$$;
CREATE TRIGGER freeze_codes BEFORE UPDATE ON promo_codes FOR EACH ROW EXECUTE FUNCTION refuse_update();
\set SHOW_CONTEXT never
SELECT * FROM redeem_promo('BRIDGE');
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
DROP TRIGGER freeze_codes ON promo_codes;
DROP FUNCTION refuse_update();

-- an error inside a caller's exception block is caught with its SQLSTATE
DO $$
BEGIN
  PERFORM redeem_promo(repeat('x', 100));
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE 'caught %: %', SQLSTATE, SQLERRM;
END
$$;
SELECT status, current_uses FROM redeem_promo('BRIDGE');

-- the debug switch is the superuser's
CREATE ROLE promo_bridge_user;
SET ROLE promo_bridge_user;
SET promo.debug_fault = cpp_exception;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE promo_bridge_user;

DROP EXTENSION promo;
