-- pgTAP: who may do what. EXECUTE is revoked from PUBLIC; the application
-- role needs only EXECUTE, and gets no other way to change a count.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION promo;
CREATE ROLE promo_tap_app;
GRANT EXECUTE ON FUNCTION redeem_promo(text) TO promo_tap_app;
SELECT plan(8);

SELECT function_privs_are('redeem_promo', ARRAY['text'], 'public', ARRAY[]::text[],
                          'PUBLIC cannot execute redeem_promo');
SELECT function_privs_are('redeem_promo', ARRAY['text'], 'promo_tap_app', ARRAY['EXECUTE'],
                          'the granted role can execute redeem_promo');
SELECT table_privs_are('promo_codes', 'public', ARRAY[]::text[], 'PUBLIC has no privilege on promo_codes');
SELECT table_privs_are('promo_codes', 'promo_tap_app', ARRAY[]::text[],
                       'the application role has no privilege on promo_codes');
SELECT sequence_privs_are('promo_codes_id_seq', 'promo_tap_app', ARRAY[]::text[],
                          'the application role has no privilege on the id sequence');

INSERT INTO promo_codes (code, max_uses) VALUES ('TAP', 1);
SET LOCAL ROLE promo_tap_app;
SELECT is((SELECT status::text FROM redeem_promo('tap')), 'redeemed', 'the application role redeems');
SELECT throws_ok($$UPDATE promo_codes SET current_uses = 0$$, '42501', NULL,
                 'the application role cannot reset a count');
RESET ROLE;
SELECT is((SELECT current_uses FROM promo_codes WHERE code = 'TAP'), 1, 'the count moved once');

SELECT * FROM finish();
ROLLBACK;
