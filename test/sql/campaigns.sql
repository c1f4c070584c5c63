-- Campaigns, one call at a time: one cap and one per-customer limit over
-- many codes, validity and is_active inherited (a code narrows, never
-- widens), the code's rules before the campaign's and refused_by saying
-- whose, every way a use comes back (release, expired hold, sweep, replay),
-- on one-slot and hot codes, with the campaign at one slot and at many; the
-- boundaries, and the guards of a DBA's changes.
CREATE EXTENSION promo;
-- Errors tersely: a failing row's DETAIL would show its created_at.
\set VERBOSITY terse
-- The invariant, everywhere: a campaign's usage is its codes' live ledger
-- rows, and within its cap; a code's likewise.
CREATE FUNCTION invariant_breaks() RETURNS bigint LANGUAGE sql AS $$
  SELECT (SELECT count(*) FROM promo_campaign_usage u
           WHERE u.uses <> (SELECT count(*) FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
                             WHERE c.campaign_id = u.campaign_id AND r.state <> 'released')
              OR u.uses > u.max_uses)
       + (SELECT count(*) FROM promo_code_usage u
           WHERE u.uses <> (SELECT count(*) FROM promo_redemptions r
                             WHERE r.promo_id = u.promo_id AND r.state <> 'released')
              OR u.uses > u.max_uses)
$$;
CREATE FUNCTION campaign_uses(name text) RETURNS integer LANGUAGE sql AS $$
  SELECT uses FROM promo_campaign_usage u WHERE u.name = campaign_uses.name
$$;

-- Created with the function and with plain SQL alike.
SELECT create_campaign('NEWSLETTER', max_uses => 3, max_uses_per_customer => 1) AS newsletter_id;
INSERT INTO promo_campaigns (name, max_uses, slots) VALUES ('INFLUENCERS', 2, 1);
SELECT name, max_uses, max_uses_per_customer, slots, is_active FROM promo_campaigns ORDER BY id;
SELECT create_campaign('NEWSLETTER');
\echo :LAST_ERROR_SQLSTATE
SELECT create_campaign(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT create_campaign('   ');
\echo :LAST_ERROR_SQLSTATE
SELECT create_campaign('BAD-SLOTS', slots => 257);
\echo :LAST_ERROR_SQLSTATE
SELECT create_campaign('BAD-CAP', max_uses => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT create_promo('NOWHERE-1', campaign => 'NO-SUCH-CAMPAIGN');
\echo :LAST_ERROR_SQLSTATE

-- Four single-use codes under a cap of 3: the fourth use is the campaign's to refuse.
SELECT count(create_promo('NEWS-' || g, 1, campaign => 'NEWSLETTER')) AS codes FROM generate_series(1, 4) g;
SELECT status, code, current_uses, max_uses, remaining, campaign_id IS NOT NULL AS in_campaign, refused_by
  FROM generate_series(1, 4) g, redeem_promo('news-' || g, customer_id => 'c' || g);
-- a code's own exhaustion comes first: NEWS-1 is used up, and so is the campaign
SELECT status, refused_by FROM redeem_promo('NEWS-1', customer_id => 'c9');
SELECT campaign_uses('NEWSLETTER') AS uses, invariant_breaks();

-- Plain SQL codes join by campaign_id; codes of INFLUENCERS share its cap of 2.
INSERT INTO promo_codes (code, campaign_id)
SELECT 'VANITY-' || g, (SELECT id FROM promo_campaigns WHERE name = 'INFLUENCERS') FROM generate_series(1, 3) g;
SELECT g, status, refused_by FROM generate_series(1, 3) g, redeem_promo('VANITY-' || g);
SELECT campaign_uses('INFLUENCERS') AS uses, invariant_breaks();

-- A release gives the use back to the code and to the campaign.
SELECT release_promo((SELECT min(r.id) FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
                       WHERE c.code = 'VANITY-1'));
SELECT campaign_uses('INFLUENCERS') AS uses, invariant_breaks();
SELECT status, refused_by FROM redeem_promo('VANITY-3');
SELECT status, refused_by FROM redeem_promo('VANITY-1');

-- The per-customer limit counts across the campaign's codes.
SELECT create_campaign('ONCE-EACH', max_uses_per_customer => 1, slots => 4) IS NOT NULL AS created;
SELECT count(create_promo('ONCE-' || g, campaign => 'ONCE-EACH')) AS codes FROM generate_series(1, 3) g;
SELECT status, refused_by FROM redeem_promo('ONCE-1', customer_id => 'ann');
SELECT status, refused_by FROM redeem_promo('ONCE-2', customer_id => 'ann');
SELECT status, refused_by FROM redeem_promo('ONCE-2', customer_id => 'bob');
-- without a customer there is no customer to limit
SELECT status, refused_by FROM redeem_promo('ONCE-3');
-- a code's own customer limit comes first
UPDATE promo_codes SET max_uses_per_customer = 1 WHERE code = 'ONCE-1';
SELECT status, refused_by FROM redeem_promo('ONCE-1', customer_id => 'ann');
-- given back, ann may use the campaign again, through another code
SELECT release_promo((SELECT r.id FROM promo_redemptions r WHERE r.customer_id = 'ann'));
SELECT status, refused_by FROM redeem_promo('ONCE-3', customer_id => 'ann');
SELECT invariant_breaks();

-- Inherited is_active and validity: the campaign's refusals, after the code's.
SELECT create_campaign('WINDOW', valid_from => now() - interval '1 day', valid_until => now() + interval '1 day')
       IS NOT NULL AS created;
SELECT create_promo('IN-WINDOW', campaign => 'WINDOW') IS NOT NULL AS created;
-- a code may narrow the window...
SELECT create_promo('NARROWER', valid_until => now() - interval '1 hour', campaign => 'WINDOW') IS NOT NULL AS created;
SELECT status, refused_by FROM redeem_promo('NARROWER');
-- ...but not widen it: both must allow the use
SELECT create_promo('WIDER', valid_until => now() + interval '1 year', campaign => 'WINDOW') IS NOT NULL AS created;
UPDATE promo_campaigns SET valid_until = now() - interval '1 second', valid_from = now() - interval '2 days'
 WHERE name = 'WINDOW';
SELECT status, refused_by FROM redeem_promo('WIDER');
UPDATE promo_campaigns SET valid_from = now() + interval '1 day', valid_until = NULL WHERE name = 'WINDOW';
SELECT status, refused_by FROM redeem_promo('IN-WINDOW');
UPDATE promo_campaigns SET valid_from = NULL, is_active = false WHERE name = 'WINDOW';
SELECT status, refused_by FROM redeem_promo('IN-WINDOW');
-- the code's own inactivity comes first
UPDATE promo_codes SET is_active = false WHERE code = 'IN-WINDOW';
SELECT status, refused_by FROM redeem_promo('IN-WINDOW');
UPDATE promo_codes SET is_active = true WHERE code = 'IN-WINDOW';
UPDATE promo_campaigns SET is_active = true WHERE name = 'WINDOW';
SELECT status, refused_by FROM redeem_promo('IN-WINDOW');
-- with reasons hidden, a campaign's refusal reads exactly like an unknown code
UPDATE promo_campaigns SET is_active = false WHERE name = 'WINDOW';
SET promo.reveal_reasons = off;
SELECT (redeem_promo('IN-WINDOW'))::text = (redeem_promo('NO-SUCH-CODE'))::text AS reads_like_unknown;
RESET promo.reveal_reasons;

-- Holds: a hold counts; a confirm keeps it; an expired one is reclaimed by
-- the next redemption that needs it, through any code of the campaign.
SELECT create_campaign('HELD', max_uses => 1, slots => 1) IS NOT NULL AS created;
SELECT count(create_promo('HELD-' || g, 1, campaign => 'HELD')) AS codes FROM generate_series(1, 3) g;
SELECT status, redemption_state FROM redeem_promo('HELD-1', hold => interval '1 hour');
SELECT status, refused_by FROM redeem_promo('HELD-2');
SELECT confirm_promo((SELECT r.id FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
                       WHERE c.code = 'HELD-1'));
SELECT campaign_uses('HELD') AS uses, invariant_breaks();
SELECT release_promo((SELECT r.id FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
                       WHERE c.code = 'HELD-1'));
SELECT status, redemption_state FROM redeem_promo('HELD-2', hold => interval '1 hour');
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second'
 WHERE state = 'held' AND promo_id = (SELECT id FROM promo_codes WHERE code = 'HELD-2');
-- HELD-3 finds the campaign full of an expired hold on HELD-2, reclaims it and redeems
SELECT status, refused_by FROM redeem_promo('HELD-3');
SELECT c.code, r.state FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
 WHERE c.campaign_id = (SELECT id FROM promo_campaigns WHERE name = 'HELD') ORDER BY r.id;
SELECT campaign_uses('HELD') AS uses, invariant_breaks();
-- the sweep gives an expired hold back to both
SELECT release_promo((SELECT r.id FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id
                       WHERE c.code = 'HELD-3'));
SELECT status FROM redeem_promo('HELD-2', hold => interval '1 hour');
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second' WHERE state = 'held';
SELECT promo_reclaim_expired_holds() AS reclaimed;
SELECT campaign_uses('HELD') AS uses, invariant_breaks();
-- a customer at the campaign's limit through an expired hold on another code
SELECT create_campaign('HELD-ONCE', max_uses_per_customer => 1) IS NOT NULL AS created;
SELECT count(create_promo('HOLD-ONCE-' || g, campaign => 'HELD-ONCE')) AS codes FROM generate_series(1, 2) g;
SELECT status FROM redeem_promo('HOLD-ONCE-1', customer_id => 'cy', hold => interval '1 hour');
SELECT status, refused_by FROM redeem_promo('HOLD-ONCE-2', customer_id => 'cy');
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 second' WHERE state = 'held';
SELECT status, refused_by FROM redeem_promo('HOLD-ONCE-2', customer_id => 'cy');
SELECT invariant_breaks();

-- Replays answer the first call and count nothing twice.
SELECT create_campaign('KEYED', max_uses => 1) IS NOT NULL AS created;
SELECT count(create_promo('KEYED-' || g, campaign => 'KEYED')) AS codes FROM generate_series(1, 2) g;
SELECT status, replayed FROM redeem_promo('KEYED-1', idempotency_key => 'order-1');
SELECT status, replayed, campaign_id IS NOT NULL AS in_campaign FROM redeem_promo('KEYED-1', idempotency_key => 'order-1');
SELECT status, refused_by FROM redeem_promo('KEYED-2', idempotency_key => 'order-2');
SELECT campaign_uses('KEYED') AS uses, invariant_breaks();

-- Hot codes in a campaign, and the campaign's slots: every combination keeps the cap.
SELECT create_campaign('HOT-ONE', max_uses => 5, slots => 1) IS NOT NULL AS created,
       create_campaign('HOT-MANY', max_uses => 5, slots => 8) IS NOT NULL AS created_many;
SELECT create_promo('HOT-IN-ONE', slots => 4, campaign => 'HOT-ONE') IS NOT NULL AS created,
       create_promo('ONE-IN-ONE', campaign => 'HOT-ONE') IS NOT NULL AS created_one,
       create_promo('HOT-IN-MANY', slots => 4, campaign => 'HOT-MANY') IS NOT NULL AS created_hot,
       create_promo('ONE-IN-MANY', campaign => 'HOT-MANY') IS NOT NULL AS created_one_many;
SELECT c.name, count(*) FILTER (WHERE r.status = 'redeemed') AS redeemed,
       count(*) FILTER (WHERE r.status = 'exhausted' AND r.refused_by = 'campaign') AS refused_by_campaign
  FROM (VALUES ('HOT-ONE', 'HOT-IN-ONE'), ('HOT-ONE', 'ONE-IN-ONE'),
               ('HOT-MANY', 'HOT-IN-MANY'), ('HOT-MANY', 'ONE-IN-MANY')) AS v (campaign, code),
       LATERAL (SELECT name FROM promo_campaigns WHERE name = v.campaign) c,
       LATERAL (SELECT (redeem_promo(v.code)).* FROM generate_series(1, 4)) r
 GROUP BY c.name ORDER BY c.name;
SELECT name, uses, max_uses, remaining FROM promo_campaign_usage WHERE name LIKE 'HOT-%' ORDER BY name;
SELECT invariant_breaks();
-- a hot code's refusal by its campaign gives the code's slot use back
SELECT code, uses FROM promo_code_usage WHERE code IN ('HOT-IN-ONE', 'HOT-IN-MANY') ORDER BY code;

-- A DBA changes a campaign: slots, cap, usage; the slots fold into current_uses.
UPDATE promo_campaigns SET slots = 2 WHERE name = 'HOT-MANY';
SELECT name, current_uses, uses FROM promo_campaigns JOIN promo_campaign_usage USING (name)
 WHERE name = 'HOT-MANY';
SELECT count(*) AS slot_rows FROM promo_campaign_slots
 WHERE campaign_id = (SELECT id FROM promo_campaigns WHERE name = 'HOT-MANY');
UPDATE promo_campaigns SET max_uses = 4 WHERE name = 'HOT-MANY';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_campaigns SET max_uses = 6 WHERE name = 'HOT-MANY';
SELECT status, refused_by FROM redeem_promo('ONE-IN-MANY');
SELECT status, refused_by FROM redeem_promo('ONE-IN-MANY');
UPDATE promo_campaigns SET max_uses = NULL WHERE name = 'HOT-MANY';
SELECT status, refused_by FROM redeem_promo('HOT-IN-MANY');
SELECT invariant_breaks();

-- Boundaries: a cap of 0 refuses at once, 1 grants once, the largest integer is a cap like any.
SELECT create_campaign('ZERO', max_uses => 0) IS NOT NULL AS created,
       create_campaign('ONE', max_uses => 1, slots => 256) IS NOT NULL AS created_one,
       create_campaign('LARGEST', max_uses => 2147483647, max_uses_per_customer => 2147483647) IS NOT NULL AS l;
SELECT create_promo('IN-ZERO', campaign => 'ZERO') IS NOT NULL AS created,
       create_promo('IN-ONE', campaign => 'ONE') IS NOT NULL AS created_one,
       create_promo('IN-LARGEST', campaign => 'LARGEST') IS NOT NULL AS created_largest;
SELECT status, refused_by FROM redeem_promo('IN-ZERO');
SELECT status, refused_by FROM redeem_promo('IN-ONE');
SELECT status, refused_by FROM redeem_promo('IN-ONE');
SELECT status, refused_by FROM redeem_promo('IN-LARGEST', customer_id => 'dee');
SELECT name, uses, remaining FROM promo_campaign_usage WHERE name IN ('ZERO', 'ONE', 'LARGEST') ORDER BY name;

-- Guards: a code changes campaign only without live redemptions; a
-- campaign with codes cannot be deleted; the slots are not truncated alone.
UPDATE promo_codes SET campaign_id = NULL WHERE code = 'IN-ONE';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_codes SET campaign_id = (SELECT id FROM promo_campaigns WHERE name = 'ONE') WHERE code = 'IN-ZERO';
SELECT status, refused_by FROM redeem_promo('IN-ZERO');
DELETE FROM promo_campaigns WHERE name = 'ONE';
\echo :LAST_ERROR_SQLSTATE
TRUNCATE promo_campaign_slots;
\echo :LAST_ERROR_SQLSTATE
SELECT create_campaign('EMPTY', max_uses => 3) IS NOT NULL AS created;
DELETE FROM promo_campaigns WHERE name = 'EMPTY';
UPDATE promo_campaigns SET id = id + 1000 WHERE name = 'ONE';
\echo :LAST_ERROR_SQLSTATE
TRUNCATE promo_campaigns;
\echo :LAST_ERROR_SQLSTATE
-- The ledger goes with the codes only if the campaigns' counts of it go too.
TRUNCATE promo_codes, promo_redemptions, promo_code_slots;
\echo :LAST_ERROR_SQLSTATE
-- A campaign is deleted or given another id only in READ COMMITTED.
BEGIN ISOLATION LEVEL REPEATABLE READ;
DELETE FROM promo_campaigns WHERE name = 'ONE';
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- No foreign key (pg_restore -j): a code naming no campaign is refused at
-- every change, and a redemption of one inserted so is an error, not a use without a cap.
UPDATE promo_codes SET campaign_id = 987654 WHERE code = 'IN-ZERO';
\echo :LAST_ERROR_SQLSTATE
INSERT INTO promo_codes (code, campaign_id) VALUES ('ORPHAN', 987654);
SELECT status FROM redeem_promo('ORPHAN');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS orphan_uses FROM promo_redemptions r JOIN promo_codes c ON c.id = r.promo_id WHERE c.code = 'ORPHAN';
-- A code's campaign changes only in READ COMMITTED (a snapshot cannot see a
-- hot code's newest redemptions); the guards refuse NULLs in the columns they read.
BEGIN ISOLATION LEVEL REPEATABLE READ;
UPDATE promo_codes SET campaign_id = NULL WHERE code = 'IN-ZERO';
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
UPDATE promo_campaigns SET current_uses = NULL, max_uses = NULL WHERE name = 'ONE';
\echo :LAST_ERROR_SQLSTATE
UPDATE promo_codes SET current_uses = NULL, max_uses = 7 WHERE code = 'HOT-IN-MANY';
\echo :LAST_ERROR_SQLSTATE
SELECT invariant_breaks();

DROP FUNCTION invariant_breaks();
DROP FUNCTION campaign_uses(text);
DROP EXTENSION promo;
