-- pgTAP: who may do what. EXECUTE is revoked from PUBLIC; the application
-- role needs only EXECUTE, and gets no other way to change a count.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION promo;
CREATE ROLE promo_tap_app;
GRANT EXECUTE ON FUNCTION redeem_promo(text, text, text, interval), confirm_promo(bigint), release_promo(bigint)
  TO promo_tap_app;
SELECT plan(25);

SELECT function_privs_are('redeem_promo', ARRAY['text', 'text', 'text', 'interval'], 'public', ARRAY[]::text[],
                          'PUBLIC cannot execute redeem_promo');
SELECT function_privs_are('confirm_promo', ARRAY['bigint'], 'public', ARRAY[]::text[],
                          'PUBLIC cannot execute confirm_promo');
SELECT function_privs_are('release_promo', ARRAY['bigint'], 'public', ARRAY[]::text[],
                          'PUBLIC cannot execute release_promo');
SELECT function_privs_are('promo_reclaim_expired_holds', ARRAY[]::text[], 'public', ARRAY[]::text[],
                          'PUBLIC cannot execute promo_reclaim_expired_holds');
SELECT function_privs_are('redeem_promo', ARRAY['text', 'text', 'text', 'interval'], 'promo_tap_app', ARRAY['EXECUTE'],
                          'the granted role can execute redeem_promo');
SELECT table_privs_are('promo_codes', 'public', ARRAY[]::text[], 'PUBLIC has no privilege on promo_codes');
SELECT table_privs_are('promo_codes', 'promo_tap_app', ARRAY[]::text[],
                       'the application role has no privilege on promo_codes');
SELECT sequence_privs_are('promo_codes_id_seq', 'promo_tap_app', ARRAY[]::text[],
                          'the application role has no privilege on the id sequence');
SELECT table_privs_are('promo_redemptions', 'public', ARRAY[]::text[], 'PUBLIC has no privilege on the ledger');
SELECT function_privs_are('create_promo',
                          ARRAY['text', 'integer', 'integer', 'timestamp with time zone', 'timestamp with time zone',
                                'integer', 'boolean', 'text'],
                          'public', ARRAY[]::text[], 'PUBLIC cannot create codes');
SELECT function_privs_are('create_campaign',
                          ARRAY['text', 'integer', 'integer', 'timestamp with time zone', 'timestamp with time zone',
                                'integer', 'boolean'],
                          'public', ARRAY[]::text[], 'PUBLIC cannot create campaigns');
SELECT table_privs_are('promo_campaigns', 'public', ARRAY[]::text[], 'PUBLIC has no privilege on the campaigns');
SELECT table_privs_are('promo_campaign_slots', 'public', ARRAY[]::text[], 'PUBLIC has no privilege on their slots');
SELECT table_privs_are('promo_campaign_usage', 'public', ARRAY[]::text[],
                       'PUBLIC has no privilege on the campaign usage view');
SELECT table_privs_are('promo_code_slots', 'public', ARRAY[]::text[], 'PUBLIC has no privilege on the slots');
SELECT table_privs_are('promo_code_usage', 'public', ARRAY[]::text[], 'PUBLIC has no privilege on the usage view');
SELECT table_privs_are('promo_redemptions', 'promo_tap_app', ARRAY[]::text[],
                       'the application role has no privilege on the ledger');

INSERT INTO promo_codes (code, max_uses) VALUES ('TAP', 1);
SELECT create_campaign('TAP-CAMPAIGN', max_uses => 1) > 0 AS created;
SELECT create_promo('TAP-IN-CAMPAIGN', campaign => 'TAP-CAMPAIGN') > 0 AS created;
SET LOCAL ROLE promo_tap_app;
SELECT is((SELECT status::text FROM redeem_promo('tap', customer_id => 'c1')), 'redeemed',
          'the application role redeems');
SELECT throws_ok($$UPDATE promo_codes SET current_uses = 0$$, '42501', NULL,
                 'the application role cannot reset a count');
SELECT is((SELECT status::text FROM redeem_promo('tap-in-campaign')), 'redeemed',
          'the application role redeems a campaign''s code');
SELECT throws_ok($$UPDATE promo_campaigns SET max_uses = NULL$$, '42501', NULL,
                 'the application role cannot lift a campaign''s cap');
SELECT throws_ok($$DELETE FROM promo_redemptions$$, '42501', NULL,
                 'the application role cannot rewrite the ledger');
SELECT is(release_promo(1), true, 'the application role releases through the function');
SELECT throws_ok($$SELECT promo_reclaim_expired_holds()$$, '42501', NULL,
                 'the sweep is the DBA''s unless granted');
RESET ROLE;
SELECT is((SELECT current_uses FROM promo_codes WHERE code = 'TAP'), 0, 'the count moved up once and down once');

SELECT * FROM finish();
ROLLBACK;
