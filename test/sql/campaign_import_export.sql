-- import_promo_codes, the export of a campaign's codes, and the reports
-- (1.5): a shop's codes COPYed into promo_code_imports go into a campaign,
-- every refused row reported and none stopping the rest; the views agree
-- with the ledger.
CREATE EXTENSION promo;
SELECT create_campaign('shop') AS shop \gset
SELECT create_campaign('other') AS other \gset
INSERT INTO promo_codes (code) VALUES ('EXISTING-1');
SELECT create_promo('OTHER-1', campaign => 'other') > 0 AS created;

-- The staging table: every column text, max_uses 1 unless given.
SELECT attname, format_type(atttypid, atttypmod), pg_get_expr(adbin, adrelid) AS default_value, attidentity
  FROM pg_attribute LEFT JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum
 WHERE attrelid = 'promo_code_imports'::regclass AND attnum > 0 ORDER BY attnum;

-- A shop's file, as COPY brings it: good rows, duplicates under
-- normalization (of an earlier row, of an existing code, of a code of another
-- campaign, and twice of one existing code, which is what either repeat is
-- reported as), blank, NULL and too long codes, and bad limits.
COPY promo_code_imports (code, max_uses, max_uses_per_customer) FROM STDIN WITH (FORMAT csv);
WELCOME-10,1,
VIP-GOLD,100,2
welcome-10,5,
  Spring Sale  ,,
existing-1,1,
other-1 ,1,
,1,
"",1,
"   ",1,
VIP-GOLD,1,
EXISTING-1 ,1,
TOO-LONG-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,1,
SIXTY-FOUR-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx,1,
NEGATIVE,-1,
WORDS,unlimited,
TOO-MANY,2147483648,
EMPTY-LIMIT,"",
MOST,2147483647,
SPACED, 7 ,
PER-CUSTOMER-BAD,1,-2
PER-CUSTOMER-OK,1,0
\.
-- rows staged by INSERT: a control character inside a code, white space around one
INSERT INTO promo_code_imports (code) VALUES ('CTRL' || chr(1) || 'X'), (E'\tTABBED\n');
-- rows that name only the code take max_uses 1
COPY promo_code_imports (code) FROM STDIN;
PLAIN-ONE
\.
SELECT count(*) AS staged FROM promo_code_imports;

CREATE TEMPORARY TABLE refused AS SELECT * FROM import_promo_codes('shop');
SELECT * FROM refused;
SELECT count(*) AS staged_left FROM promo_code_imports;
SELECT code, code_key, max_uses, max_uses_per_customer, campaign_id = :shop AS in_shop
  FROM promo_codes WHERE campaign_id = :shop ORDER BY code;
-- Every refused code is worded as redeem_promo words its refusal of it.
DO $$
DECLARE
  r record;
  agreed integer := 0;
BEGIN
  FOR r IN SELECT code, reason FROM refused WHERE reason LIKE 'promo code %' AND code IS NOT NULL LOOP
    BEGIN
      PERFORM redeem_promo(r.code);
      RAISE EXCEPTION 'redeem_promo took %', r.code;
    EXCEPTION WHEN invalid_parameter_value THEN
      IF SQLERRM = r.reason THEN agreed := agreed + 1; ELSE RAISE EXCEPTION '% / %', SQLERRM, r.reason; END IF;
    END;
  END LOOP;
  RAISE NOTICE 'redeem_promo gave the same reason for all % bad codes', agreed;
END
$$;
-- The same file again: every good code of it is now a duplicate.
COPY promo_code_imports (code) FROM STDIN;
WELCOME-10
vip-gold
 Spring Sale
\.
SELECT * FROM import_promo_codes('shop');
-- Nothing staged: nothing to report.
SELECT count(*) FROM import_promo_codes('shop');

-- By the hundred thousand: the rows go in batches of 100,000, and a
-- duplicate is told apart from an existing code across batches too (row
-- 100,001 repeats row 1 in lower case; row 100,002 an existing code).
INSERT INTO promo_code_imports (code) SELECT 'BULK-' || i FROM generate_series(1, 100000) i;
INSERT INTO promo_code_imports (code) VALUES ('bulk-1'), ('Existing-1'), ('BULK-100001');
-- First an error in the second batch: a trigger refuses the second INSERT.
-- The whole import is undone: the staged rows are back, no code stays.
CREATE SEQUENCE import_inserts;
CREATE FUNCTION refuse_second_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF nextval('public.import_inserts') = 2 THEN
    RAISE EXCEPTION 'second batch refused (by the test)';
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER refuse_second_insert BEFORE INSERT ON promo_codes
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_second_insert();
\set VERBOSITY terse
SELECT count(*) FROM import_promo_codes('shop');
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
SELECT last_value AS inserts_tried FROM import_inserts;
SELECT count(*) AS staged FROM promo_code_imports;
SELECT count(*) AS bulk_codes FROM promo_codes WHERE code LIKE 'BULK-%';
DROP TRIGGER refuse_second_insert ON promo_codes;
DROP FUNCTION refuse_second_insert();
DROP SEQUENCE import_inserts;
-- A ROLLBACK undoes it too.
BEGIN;
SELECT count(*) AS refused FROM import_promo_codes('shop');
ROLLBACK;
SELECT count(*) AS staged FROM promo_code_imports;
-- Then for real.
SELECT * FROM import_promo_codes('shop');
SELECT count(*) AS bulk_codes, count(DISTINCT code_key) AS distinct_keys, bool_and(campaign_id = :shop) AS in_shop
  FROM promo_codes WHERE code LIKE 'BULK-%';

-- Bad arguments change nothing: NULL is 22004, an unknown campaign 22023,
-- and the staged rows stay.
COPY promo_code_imports (code) FROM STDIN;
STAYS
\.
SELECT * FROM import_promo_codes(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM import_promo_codes('no such campaign');
\echo :LAST_ERROR_SQLSTATE
SELECT code FROM promo_code_imports;
DELETE FROM promo_code_imports;

-- The reports, against the ledger. A campaign of four codes, one of them
-- hot, redeemed, held, released and left to expire.
SELECT create_campaign('report', max_uses => 10, max_uses_per_customer => 3) AS report \gset
SELECT create_promo('R-ONE', max_uses => 5, campaign => 'report') > 0,
       create_promo('R-TWO', max_uses => 1, campaign => 'report') > 0,
       create_promo('R-UNUSED', campaign => 'report') > 0,
       create_promo('R-HOT', max_uses => 10, slots => 4, campaign => 'report') > 0;
SELECT status, refused_by FROM redeem_promo('r-one', customer_id => 'alice');
SELECT status, refused_by FROM redeem_promo('r-one', customer_id => 'bob');
SELECT status, refused_by FROM redeem_promo('r-one', customer_id => 'alice');
SELECT status, refused_by FROM redeem_promo('r-one');
SELECT status, refused_by, redemption_state FROM redeem_promo('r-two', customer_id => 'carol', hold => '1 hour');
SELECT status, refused_by FROM redeem_promo('r-two', customer_id => 'dave');
SELECT redemption_id AS dave_hot_1 FROM redeem_promo('r-hot', customer_id => 'dave') \gset
SELECT redemption_id AS dave_hot_2 FROM redeem_promo('r-hot', customer_id => 'dave') \gset
SELECT release_promo(:dave_hot_1);
SELECT redemption_id AS erin_hold FROM redeem_promo('r-hot', customer_id => 'erin', hold => '10 minutes') \gset
-- Erin's hold runs out (the DBA moves its expiry into the past): it counts
-- until it is reclaimed.
UPDATE promo_redemptions SET hold_expires_at = now() - interval '1 minute' WHERE id = :erin_hold;

-- The check, run after each step: for every code of the campaign and for
-- the campaign, uses is the counter and equals the live ledger rows, which
-- the report splits by state.
CREATE FUNCTION report_agrees_with_ledger(campaign bigint) RETURNS TABLE (what text, agrees boolean)
LANGUAGE sql AS $$
  SELECT 'every code', bool_and(r.uses = l.live AND r.uses = r.redeemed + r.live_holds + r.expired_holds
                                AND r.released = l.released AND u.uses = r.uses)
    FROM promo_code_report r
    JOIN promo_code_usage u ON u.promo_id = r.promo_id
    CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE state <> 'released') AS live,
                               count(*) FILTER (WHERE state = 'released') AS released
                          FROM promo_redemptions WHERE promo_id = r.promo_id) l
   WHERE r.campaign_id = $1
  UNION ALL
  SELECT 'the campaign', c.uses = l.live AND c.uses = c.redeemed + c.live_holds + c.expired_holds
                         AND c.released = l.released AND c.uses = u.uses
                         AND c.codes = (SELECT count(*) FROM promo_codes WHERE campaign_id = $1)
    FROM promo_campaign_report c
    JOIN promo_campaign_usage u ON u.campaign_id = c.campaign_id
    CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE r.state <> 'released') AS live,
                               count(*) FILTER (WHERE r.state = 'released') AS released
                          FROM promo_redemptions r JOIN promo_codes p ON p.id = r.promo_id
                         WHERE p.campaign_id = $1) l
   WHERE c.campaign_id = $1
$$;
SELECT * FROM report_agrees_with_ledger(:report);
SELECT name, codes, codes_used, uses, max_uses, remaining, redeemed, live_holds, expired_holds, released, customers,
       first_redeemed_at <= last_redeemed_at AS first_before_last, max_uses_per_customer, is_active
  FROM promo_campaign_report WHERE campaign_id = :report;
SELECT code, campaign, uses, max_uses, remaining, redeemed, live_holds, expired_holds, released, customers,
       first_redeemed_at IS NOT NULL AS used
  FROM promo_code_report WHERE campaign_id = :report ORDER BY promo_id;
-- The sweep gives the expired hold back; Carol confirms hers.
SELECT promo_reclaim_expired_holds();
SELECT confirm_promo(id) FROM promo_redemptions WHERE customer_id = 'carol';
SELECT * FROM report_agrees_with_ledger(:report);
SELECT name, codes, codes_used, uses, remaining, redeemed, live_holds, expired_holds, released, customers
  FROM promo_campaign_report WHERE campaign_id = :report;
SELECT code, uses, remaining, redeemed, live_holds, expired_holds, released, customers
  FROM promo_code_report WHERE campaign_id = :report ORDER BY promo_id;
-- Codes outside any campaign are reported too.
SELECT code, campaign, uses, redeemed FROM promo_code_report WHERE code = 'EXISTING-1';

-- The questions a marketing team asks, as the README asks them.
-- Who used the campaign, with which code, and when?
SELECT customer_id, code, state, redeemed_at <= now() AS redeemed_by_now
  FROM promo_redemption_report
 WHERE campaign = 'report' AND state <> 'released'
 ORDER BY redemption_id;
-- How many uses and codes are left?
SELECT remaining AS uses_left, codes - codes_used AS codes_never_used FROM promo_campaign_report WHERE name = 'report';
-- Uses per day.
SELECT redeemed_at::date = current_date AS today, count(*) AS uses
  FROM promo_redemption_report WHERE campaign = 'report' AND state <> 'released' GROUP BY 1;
-- Customers who used it most.
SELECT customer_id, count(*) AS uses
  FROM promo_redemption_report
 WHERE campaign = 'report' AND state <> 'released' AND customer_id IS NOT NULL
 GROUP BY customer_id ORDER BY uses DESC, customer_id;

-- The export: one command, CSV with a header, the codes in id order.
COPY (SELECT * FROM promo_campaign_codes('report') LIMIT 0) TO STDOUT WITH (FORMAT csv, HEADER);
COPY (SELECT code, uses, max_uses, remaining, redeemed, live_holds, expired_holds, released, customers
        FROM promo_campaign_codes('report')) TO STDOUT WITH (FORMAT csv, HEADER);
SELECT count(*) AS exported, count(*) = (SELECT count(*) FROM promo_codes WHERE campaign_id = :shop) AS all_of_them
  FROM promo_campaign_codes('shop');
SELECT * FROM promo_campaign_codes(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM promo_campaign_codes('no such campaign');
\echo :LAST_ERROR_SQLSTATE

-- Grants: nothing of this is PUBLIC's. The application role, which may
-- redeem, may not import, stage, export or read the reports; a reporting
-- role the DBA grants the views to reads them without any table.
CREATE ROLE promo_import_app;
CREATE ROLE promo_import_reports;
GRANT USAGE ON SCHEMA public TO promo_import_app, promo_import_reports;
GRANT EXECUTE ON FUNCTION redeem_promo(text, text, text, interval) TO promo_import_app;
GRANT SELECT ON promo_campaign_report, promo_code_report, promo_redemption_report TO promo_import_reports;
SET ROLE promo_import_app;
SELECT * FROM import_promo_codes('shop');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO promo_code_imports (code) VALUES ('SNEAKED-IN');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM promo_campaign_codes('shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM promo_campaign_report;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM promo_code_report;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM promo_redemption_report;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE promo_import_reports;
SELECT name, uses, remaining FROM promo_campaign_report WHERE name = 'report';
SELECT count(*) FROM promo_redemption_report WHERE campaign = 'report';
SELECT count(*) FROM promo_redemptions;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;

-- A role with CREATE on the extension's schema cannot capture what the
-- import calls: its unnest and = in public, first on the caller's
-- search_path, are never used.
GRANT CREATE ON SCHEMA public TO promo_import_app;
SET ROLE promo_import_app;
CREATE FUNCTION public.unnest(text[]) RETURNS SETOF text LANGUAGE sql AS $$ SELECT 'CAPTURED-' || x FROM pg_catalog.unnest($1) x $$;
CREATE FUNCTION public.bigint_equal_always(bigint, bigint) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.bigint_equal_always);
RESET ROLE;
SET search_path = public, pg_catalog;
COPY promo_code_imports (code) FROM STDIN;
NOT-CAPTURED
\.
SELECT * FROM import_promo_codes('shop');
-- the code as staged, not 'CAPTURED-NOT-CAPTURED'
SELECT code FROM promo_codes WHERE code LIKE '%CAPTURED%';
RESET search_path;
DROP OPERATOR public.= (bigint, bigint);
DROP FUNCTION public.unnest(text[]), public.bigint_equal_always(bigint, bigint);
REVOKE CREATE ON SCHEMA public FROM promo_import_app;

DROP FUNCTION report_agrees_with_ledger(bigint);
DROP EXTENSION promo;
REVOKE USAGE ON SCHEMA public FROM promo_import_app, promo_import_reports;
DROP ROLE promo_import_app;
DROP ROLE promo_import_reports;
