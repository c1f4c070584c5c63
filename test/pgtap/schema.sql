-- pgTAP: the tables, columns, constraints, triggers and types of promo 1.5.3.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION promo;
SELECT plan(91);

SELECT has_table('promo_codes', 'promo_codes exists');
SELECT columns_are('promo_codes',
  ARRAY['id', 'code', 'max_uses', 'current_uses', 'is_active', 'valid_from', 'valid_until', 'created_at',
        'max_uses_per_customer', 'slots', 'code_key', 'campaign_id'],
  'promo_codes has the seed''s columns, max_uses_per_customer, slots, code_key and campaign_id');
SELECT col_type_is('promo_codes', 'id', 'bigint', 'id is bigint');
SELECT col_is_pk('promo_codes', 'id', 'id is the primary key');
SELECT is((SELECT attidentity::text FROM pg_attribute
            WHERE attrelid = 'promo_codes'::regclass AND attname = 'id'), 'd', 'id is an identity column');
SELECT col_type_is('promo_codes', 'code', 'text', 'code is text');
SELECT col_not_null('promo_codes', 'code', 'code is not null');
SELECT col_type_is('promo_codes', 'max_uses', 'integer', 'max_uses is integer');
SELECT col_is_null('promo_codes', 'max_uses', 'max_uses may be null (unlimited)');
SELECT col_type_is('promo_codes', 'current_uses', 'integer', 'current_uses is integer');
SELECT col_not_null('promo_codes', 'current_uses', 'current_uses is not null');
SELECT col_default_is('promo_codes', 'current_uses', '0', 'current_uses defaults to 0');
SELECT col_type_is('promo_codes', 'is_active', 'boolean', 'is_active is boolean');
SELECT col_not_null('promo_codes', 'is_active', 'is_active is not null');
SELECT col_default_is('promo_codes', 'is_active', 'true', 'is_active defaults to true');
SELECT col_type_is('promo_codes', 'valid_from', 'timestamp with time zone', 'valid_from is timestamptz');
SELECT col_is_null('promo_codes', 'valid_from', 'valid_from may be null (immediately)');
SELECT col_type_is('promo_codes', 'valid_until', 'timestamp with time zone', 'valid_until is timestamptz');
SELECT col_is_null('promo_codes', 'valid_until', 'valid_until may be null (never expires)');
SELECT col_type_is('promo_codes', 'created_at', 'timestamp with time zone', 'created_at is timestamptz');
SELECT col_not_null('promo_codes', 'created_at', 'created_at is not null');
SELECT col_has_default('promo_codes', 'created_at', 'created_at has a default');

SELECT col_type_is('promo_codes', 'max_uses_per_customer', 'integer', 'max_uses_per_customer is integer');
SELECT col_is_null('promo_codes', 'max_uses_per_customer', 'max_uses_per_customer may be null (unlimited)');
SELECT has_check('promo_codes', 'promo_codes has CHECK constraints');
SELECT index_is_unique('public', 'promo_codes', 'promo_codes_code_key', 'codes are unique after normalization');
SELECT is((SELECT pg_get_indexdef('promo_codes_code_key'::regclass) ~ '\(code_key\)$'),
          true, 'the unique index is on the stored key');
SELECT is((SELECT attgenerated::text || ' ' || pg_get_expr(adbin, adrelid) FROM pg_attribute
             JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum
            WHERE attrelid = 'promo_codes'::regclass AND attname = 'code_key'),
          's promo_normalize_code(code)', 'code_key is the stored normalization of code');

-- the CHECKs refuse overuse and bad values from any path
INSERT INTO promo_codes (code, max_uses, current_uses) VALUES ('FULL', 2, 2);
SELECT throws_ok($$UPDATE promo_codes SET current_uses = 3 WHERE code = 'FULL'$$, '23514', NULL,
                 'current_uses cannot pass max_uses');
SELECT throws_ok($$UPDATE promo_codes SET current_uses = -1 WHERE code = 'FULL'$$, '23514', NULL,
                 'current_uses cannot be negative');
SELECT throws_ok($$INSERT INTO promo_codes (code, max_uses) VALUES ('NEG', -1)$$, '23514', NULL,
                 'max_uses cannot be negative');
SELECT throws_ok($$INSERT INTO promo_codes (code, valid_from, valid_until) VALUES ('BACKWARDS', now(), now() - interval '1 s')$$,
                 '23514', NULL, 'valid_from must come before valid_until');
SELECT throws_ok($$UPDATE promo_codes SET max_uses = 1 WHERE code = 'FULL'$$, '23514', NULL,
                 'max_uses cannot be lowered under current_uses');
SELECT throws_ok($$INSERT INTO promo_codes (code) VALUES (' full')$$, '23505', NULL,
                 'a code equal after normalization is refused');

SELECT throws_ok($$INSERT INTO promo_codes (code, max_uses_per_customer) VALUES ('NEGPC', -1)$$, '23514', NULL,
                 'max_uses_per_customer cannot be negative');

-- the ledger
SELECT has_table('promo_redemptions', 'promo_redemptions exists');
SELECT columns_are('promo_redemptions',
  ARRAY['id', 'promo_id', 'customer_id', 'idempotency_key', 'state', 'redeemed_at', 'hold_expires_at',
        'released_at', 'slot'],
  'promo_redemptions has the documented columns');
SELECT col_is_pk('promo_redemptions', 'id', 'id is the ledger''s primary key');
SELECT col_type_is('promo_redemptions', 'promo_id', 'bigint', 'promo_id is bigint');
SELECT col_not_null('promo_redemptions', 'promo_id', 'promo_id is not null');
SELECT hasnt_fk('promo_redemptions',
                'no foreign key: its check would lock a hot code''s row on every redemption');
SELECT col_type_is('promo_redemptions', 'customer_id', 'text', 'customer_id is text');
SELECT col_is_null('promo_redemptions', 'customer_id', 'customer_id may be null');
SELECT col_type_is('promo_redemptions', 'idempotency_key', 'text', 'idempotency_key is text');
SELECT col_type_is('promo_redemptions', 'state', 'text', 'state is text with a CHECK');
SELECT col_not_null('promo_redemptions', 'state', 'state is not null');
SELECT col_type_is('promo_redemptions', 'redeemed_at', 'timestamp with time zone', 'redeemed_at is timestamptz');
SELECT col_type_is('promo_redemptions', 'hold_expires_at', 'timestamp with time zone', 'hold_expires_at is timestamptz');
SELECT col_type_is('promo_redemptions', 'released_at', 'timestamp with time zone', 'released_at is timestamptz');
SELECT index_is_unique('public', 'promo_redemptions', 'promo_redemptions_idempotency_key',
                       'an idempotency key names one redemption per code');
SELECT throws_ok($$INSERT INTO promo_redemptions (promo_id, state) VALUES ((SELECT id FROM promo_codes LIMIT 1), 'lost')$$,
                 '23514', NULL, 'state is one of redeemed, held, released');
SELECT throws_ok($$INSERT INTO promo_redemptions (promo_id, state) VALUES ((SELECT id FROM promo_codes LIMIT 1), 'held')$$,
                 '23514', NULL, 'a hold has an expiry');
SELECT throws_ok($$INSERT INTO promo_redemptions (promo_id, state) VALUES ((SELECT id FROM promo_codes LIMIT 1), 'released')$$,
                 '23514', NULL, 'a release has a time');
INSERT INTO promo_codes (code, max_uses) VALUES ('KEPT', 5), ('KEPT-HOT', 5);
UPDATE promo_codes SET slots = 2 WHERE code = 'KEPT-HOT';
SELECT lives_ok($$SELECT redeem_promo('KEPT'), redeem_promo('KEPT-HOT')$$, 'both codes redeemed');
SELECT throws_ok($$DELETE FROM promo_codes WHERE code = 'KEPT'$$, '23503', NULL,
                 'a code with redemptions cannot be deleted (the trigger that replaces the foreign key)');
SELECT throws_ok($$DELETE FROM promo_codes WHERE code = 'KEPT-HOT'$$, '23503', NULL,
                 'nor a hot one');
SELECT throws_ok($$TRUNCATE promo_codes CASCADE$$, '23503', NULL, 'nor can the codes be truncated under their ledger');
SELECT throws_ok($$TRUNCATE promo_code_slots$$, '23503', NULL, 'nor the slots of a hot code');
SELECT triggers_are('promo_codes', ARRAY['promo_codes_guard_update', 'promo_codes_guard_delete',
                                         'promo_codes_guard_truncate'],
                    'promo_codes has the guard''s triggers, and no others');
SELECT triggers_are('promo_code_slots', ARRAY['promo_code_slots_guard_truncate'],
                    'promo_code_slots has the guard''s TRUNCATE trigger');
SELECT triggers_are('promo_redemptions', ARRAY['promo_redemptions_guard_truncate'],
                    'promo_redemptions has the guard''s TRUNCATE trigger');
SELECT throws_ok($$TRUNCATE promo_redemptions$$, '23503', NULL, 'nor the ledger under its codes');
SELECT is((SELECT count(DISTINCT tgfoid::regproc::text) FROM pg_trigger
            WHERE tgrelid IN ('promo_codes'::regclass, 'promo_code_slots'::regclass, 'promo_redemptions'::regclass)
              AND NOT tgisinternal
              AND tgname LIKE '%guard%'), 1::bigint, 'one function, promo_codes_guard, is every guard trigger');

-- hot codes
SELECT has_table('promo_code_slots', 'promo_code_slots exists');
SELECT columns_are('promo_code_slots', ARRAY['promo_id', 'slot', 'uses', 'remaining'],
                   'promo_code_slots has the documented columns');
SELECT col_is_pk('promo_code_slots', ARRAY['promo_id', 'slot'], 'a slot is keyed by its code and number');
SELECT hasnt_fk('promo_code_slots', 'no foreign key: its check would lock the code row, and pg_restore -j could lose the slots');
SELECT throws_ok($$UPDATE promo_codes SET slots = 0 WHERE code = 'KEPT'$$, '23514', NULL, 'slots is at least 1');
SELECT throws_ok($$UPDATE promo_codes SET slots = 65 WHERE code = 'KEPT'$$, '23514', NULL, 'slots is at most 64');
SELECT throws_ok($$UPDATE promo_code_slots SET remaining = -1$$, '23514', NULL, 'a slot''s remaining cannot be negative');
SELECT has_view('promo_code_usage', 'promo_code_usage exists');
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'promo_code_slots'::regclass), ARRAY['fillfactor=50'],
          'promo_code_slots leaves room on its pages for HOT updates');

SELECT has_type('promo_status', 'promo_status exists');
SELECT enum_has_labels('promo_status',
  ARRAY['redeemed', 'not_found', 'inactive', 'not_yet_valid', 'expired', 'exhausted',
        'customer_limit_reached', 'released'],
  'promo_status has the eight labels in order');
SELECT has_composite('promo_redemption', 'promo_redemption exists');
SELECT is((SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
             FROM pg_attribute WHERE attrelid = 'promo_redemption'::regclass AND attnum > 0),
          'status promo_status, redeemed boolean, promo_id bigint, code text, current_uses integer, '
          'max_uses integer, remaining integer, is_active boolean, redemption_id bigint, replayed boolean, '
          'redemption_state text, hold_expires_at timestamp with time zone, campaign_id bigint, refused_by text',
          'promo_redemption has the documented columns');

SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'promo'), false,
          'the extension is not relocatable');
SELECT set_eq($$SELECT unnest(extconfig)::regclass::text FROM pg_extension WHERE extname = 'promo'$$,
              ARRAY['promo_codes', 'promo_codes_id_seq', 'promo_redemptions', 'promo_redemptions_id_seq',
                    'promo_code_slots', 'promo_campaigns', 'promo_campaigns_id_seq', 'promo_campaign_slots'],
              'pg_dump keeps the codes, the ledger, the campaigns, the id sequences and the slots');
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'promo_codes'::regclass), ARRAY['fillfactor=80'],
          'promo_codes leaves room on its pages for HOT updates');

-- campaigns (1.5)
SELECT has_table('promo_campaigns', 'promo_campaigns exists');
SELECT columns_are('promo_campaigns',
  ARRAY['id', 'name', 'max_uses', 'current_uses', 'max_uses_per_customer', 'is_active', 'valid_from',
        'valid_until', 'slots', 'created_at'],
  'promo_campaigns has the documented columns');
SELECT index_is_unique('promo_campaigns', 'promo_campaigns_name');
SELECT hasnt_fk('promo_codes', 'no foreign key to the campaigns: pg_restore -j could load the codes first');
SELECT col_default_is('promo_campaigns', 'slots', '128', 'a campaign counts its uses in 128 slots by default');
SELECT throws_ok($$SELECT create_campaign('TOO-WIDE', slots => 257)$$, '23514', NULL, 'a campaign has at most 256 slots');
SELECT throws_ok($$INSERT INTO promo_campaigns (name, max_uses, current_uses) VALUES ('OVER', 1, 2)$$, '23514', NULL,
                 'a campaign''s current_uses cannot exceed its max_uses');
SELECT throws_ok($$INSERT INTO promo_campaigns (name, slots) VALUES ('NO-SLOTS', 0)$$, '23514', NULL,
                 'a campaign has at least one slot');
SELECT columns_are('promo_campaign_slots', ARRAY['campaign_id', 'slot', 'uses', 'remaining'],
                   'promo_campaign_slots has the documented columns');
SELECT col_is_pk('promo_campaign_slots', ARRAY['campaign_id', 'slot'], 'a campaign slot is keyed by campaign and number');
SELECT triggers_are('promo_campaigns',
                    ARRAY['promo_campaigns_guard_update', 'promo_campaigns_guard_delete', 'promo_campaigns_guard_truncate'],
                    'promo_campaigns has the guard''s triggers');
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'promo_campaign_slots'::regclass), ARRAY['fillfactor=50'],
          'promo_campaign_slots leaves room on its pages for HOT updates');

SELECT * FROM finish();
ROLLBACK;
