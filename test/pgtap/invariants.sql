-- pgTAP: after a mixed workload (redeem, replay, hold, confirm, expire,
-- release, sweep, re-spreading a code's slots and a campaign's) across
-- several customers and codes, one-slot and hot, some in a campaign, the
-- invariant usage (promo_code_usage, promo_campaign_usage) = live (redeemed +
-- held) ledger rows holds for every code and campaign, none is over its cap
-- and no customer over a limit.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION promo;
SELECT plan(18);

INSERT INTO promo_codes (code, max_uses, max_uses_per_customer) VALUES
  ('MIX-A', 40, 3), ('MIX-B', 15, NULL), ('MIX-C', NULL, 2), ('MIX-D', 5, 1);
DO $$ BEGIN
  PERFORM create_promo('MIX-HOT', max_uses => 30, max_uses_per_customer => 2, slots => 4);
  PERFORM create_promo('MIX-HOT-UNLIMITED', slots => 3);
  -- a campaign over three of them: its cap and customer limit bind before theirs
  PERFORM create_campaign('MIX', max_uses => 25, max_uses_per_customer => 3, slots => 4);
  UPDATE promo_codes SET campaign_id = (SELECT id FROM promo_campaigns WHERE name = 'MIX')
   WHERE code IN ('MIX-B', 'MIX-C', 'MIX-HOT');
END $$;

CREATE TEMPORARY TABLE workload (action text, outcome text, refused_by text);
SELECT setseed(0.42);
DO $$
DECLARE
  codes constant text[] := ARRAY['MIX-A', 'MIX-B', 'MIX-C', 'MIX-D', 'MIX-HOT', 'MIX-HOT-UNLIMITED'];
  code text;
  customer text;
  roll float8;
  answer promo_redemption;
  first_answer promo_redemption;
  victim bigint;
BEGIN
  FOR i IN 1..1500 LOOP
    code := codes[1 + floor(random() * 6)::int];
    IF i = 750 THEN  -- halfway, a hot code is spread anew and a cold one made hot
      UPDATE promo_codes SET slots = 2 WHERE promo_codes.code = 'MIX-HOT';
      UPDATE promo_codes SET slots = 3 WHERE promo_codes.code = 'MIX-A';
      UPDATE promo_campaigns SET slots = 1 WHERE name = 'MIX';
    END IF;
    customer := 'customer-' || floor(random() * 12)::int;
    roll := random();
    IF roll < 0.35 THEN
      answer := redeem_promo(code, customer_id => customer);
      INSERT INTO workload VALUES ('redeem', answer.status::text, answer.refused_by);
    ELSIF roll < 0.50 THEN
      -- a keyed call and its retry: the retry must be a replay of the same redemption
      first_answer := redeem_promo(code, customer, 'key-' || i);
      answer := redeem_promo(code, customer, 'key-' || i);
      INSERT INTO workload VALUES ('replay',
        CASE WHEN NOT first_answer.redeemed THEN 'first refused: ' || first_answer.status
             WHEN answer.replayed AND answer.redemption_id = first_answer.redemption_id THEN 'same redemption'
             ELSE 'WRONG' END);
    ELSIF roll < 0.65 THEN
      answer := redeem_promo(code, customer_id => customer, hold => '10 minutes');
      INSERT INTO workload VALUES ('hold', answer.status::text);
    ELSIF roll < 0.75 THEN
      SELECT id INTO victim FROM promo_redemptions WHERE state = 'held' ORDER BY random() LIMIT 1;
      IF victim IS NOT NULL THEN
        INSERT INTO workload VALUES ('confirm', confirm_promo(victim)::text);
      END IF;
    ELSIF roll < 0.83 THEN
      -- a hold runs out: its expiry moves into the past
      UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second'
       WHERE id = (SELECT id FROM promo_redemptions WHERE state = 'held' ORDER BY random() LIMIT 1)
      RETURNING id INTO victim;
      IF victim IS NOT NULL THEN INSERT INTO workload VALUES ('expire', 'expired'); END IF;
    ELSIF roll < 0.97 THEN
      SELECT id INTO victim FROM promo_redemptions ORDER BY random() LIMIT 1;
      IF victim IS NOT NULL THEN
        INSERT INTO workload VALUES ('release', release_promo(victim)::text);
      END IF;
    ELSE
      INSERT INTO workload VALUES ('sweep', promo_reclaim_expired_holds()::text);
    END IF;
  END LOOP;
END
$$;

SELECT cmp_ok((SELECT count(*) FROM workload WHERE action = 'redeem' AND outcome = 'redeemed'), '>', 0::bigint,
              'the workload redeemed');
SELECT cmp_ok((SELECT count(*) FROM workload WHERE action = 'redeem' AND outcome IN ('exhausted', 'customer_limit_reached')),
              '>', 0::bigint, 'the workload reached caps and customer limits');
SELECT cmp_ok((SELECT count(*) FROM workload WHERE action = 'replay' AND outcome = 'same redemption'), '>', 0::bigint,
              'the workload replayed keys');
SELECT is((SELECT count(*) FROM workload WHERE outcome = 'WRONG'), 0::bigint,
          'every retry with a key returned its original redemption');
SELECT cmp_ok((SELECT count(*) FROM workload WHERE action = 'confirm' AND outcome = 'true'), '>', 0::bigint,
              'the workload confirmed holds');
SELECT cmp_ok((SELECT count(*) FROM workload WHERE action = 'release' AND outcome = 'true'), '>', 0::bigint,
              'the workload released redemptions');
SELECT cmp_ok((SELECT count(*) FROM promo_redemptions WHERE state = 'released' AND hold_expires_at < now()),
              '>', 0::bigint, 'expired holds were reclaimed');

SELECT is_empty($$
  SELECT u.code FROM promo_code_usage u
    LEFT JOIN promo_redemptions r ON r.promo_id = u.promo_id AND r.state IN ('redeemed', 'held')
   GROUP BY u.promo_id, u.code, u.uses HAVING u.uses <> count(r.id)$$,
  'usage = redeemed + held ledger rows, for every code');
SELECT is_empty($$SELECT code FROM promo_code_usage WHERE uses > max_uses$$, 'no code is over its cap');
-- a slot without a row holds its share of what remained when the code was spread
SELECT is_empty($$
  SELECT u.code FROM promo_code_usage u JOIN promo_codes c ON c.id = u.promo_id
   WHERE c.slots > 1 AND c.max_uses IS NOT NULL
     AND u.remaining <> (SELECT sum(COALESCE(s.remaining, (c.max_uses - c.current_uses) / c.slots
                                            + (g < (c.max_uses - c.current_uses) % c.slots)::integer))
                           FROM generate_series(0, c.slots - 1) g
                           LEFT JOIN promo_code_slots s ON s.promo_id = c.id AND s.slot = g)$$,
  'a hot code''s slots hold exactly its remaining uses');
SELECT cmp_ok((SELECT count(*) FROM promo_redemptions WHERE slot IS NOT NULL AND state = 'released'), '>', 0::bigint,
              'hot redemptions were released');
SELECT is_empty($$
  SELECT c.code, r.customer_id FROM promo_codes c JOIN promo_redemptions r ON r.promo_id = c.id
   WHERE r.state IN ('redeemed', 'held') AND c.max_uses_per_customer IS NOT NULL
   GROUP BY c.id, r.customer_id HAVING count(*) > c.max_uses_per_customer$$,
  'no customer is over its limit');
SELECT is_empty($$
  SELECT promo_id, idempotency_key FROM promo_redemptions WHERE idempotency_key IS NOT NULL
   GROUP BY 1, 2 HAVING count(*) > 1$$,
  'each idempotency key names one redemption per code');
SELECT is_empty($$
  SELECT u.name FROM promo_campaign_usage u
   WHERE u.uses <> (SELECT count(*) FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
                     WHERE c.campaign_id = u.campaign_id AND r.state IN ('redeemed', 'held'))$$,
  'usage = redeemed + held ledger rows of its codes, for every campaign');
SELECT is_empty($$SELECT name FROM promo_campaign_usage WHERE uses > max_uses$$, 'no campaign is over its cap');
SELECT is_empty($$
  SELECT r.customer_id FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
   JOIN promo_campaigns g ON g.id = c.campaign_id
   WHERE r.state IN ('redeemed', 'held') AND g.max_uses_per_customer IS NOT NULL
   GROUP BY g.id, r.customer_id HAVING count(*) > min(g.max_uses_per_customer)$$,
  'no customer is over a campaign''s limit');
SELECT cmp_ok((SELECT count(*) FROM workload w WHERE w.refused_by = 'campaign'), '>', 0::bigint,
              'the campaign refused some redemptions');
SELECT is((SELECT count(*) FROM promo_codes WHERE code = 'MIX-D' AND current_uses <= 5), 1::bigint,
          'the smallest code stayed within its cap');

SELECT * FROM finish();
ROLLBACK;
