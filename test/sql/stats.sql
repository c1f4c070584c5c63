-- promo_monitor.promo_stats (1.5.2; in that schema since 1.5.3): every answer
-- of redeem_promo counted once by code class and status, hidden refusals by
-- their true status, whatever SQL form called it; who may read and reset it.
-- The counters are the server's, so each check starts from a reset
-- (pg_regress runs one test at a time).
CREATE EXTENSION promo;
SELECT create_promo('ONE', 2, max_uses_per_customer => 1) > 0 AS one,
       create_promo('HOT', 1, slots => 4) > 0 AS hot,
       create_promo('OFF', 5, is_active => false) > 0 AS off,
       create_promo('LATER', 5, valid_from => now() + interval '1 day') > 0 AS later,
       create_promo('GONE', 5, valid_until => now() - interval '1 second') > 0 AS gone;
CREATE FUNCTION counted() RETURNS TABLE (code_class text, status promo_status, calls bigint)
LANGUAGE sql AS $$
  SELECT code_class, status, calls FROM promo_monitor.promo_stats WHERE calls > 0 ORDER BY 1, 2
$$;

-- The view: every class with every status, and when it was reset.
SELECT count(*) AS rows, count(DISTINCT code_class) AS classes, count(DISTINCT status) AS statuses,
       bool_and(calls >= 0 AND lock_waits >= 0) AS counts, count(DISTINCT stats_reset) AS reset_times
  FROM promo_monitor.promo_stats;
SELECT promo_monitor.promo_stats_reset();
SELECT sum(calls) AS calls, sum(lock_waits) AS waits, bool_and(stats_reset <= clock_timestamp()) AS reset_now
  FROM promo_monitor.promo_stats;

-- Every status, on both paths.
SELECT status FROM redeem_promo('ONE', customer_id => 'ann', idempotency_key => 'k1');
SELECT status FROM redeem_promo('ONE', customer_id => 'ann');
SELECT release_promo(redemption_id) FROM redeem_promo('ONE', customer_id => 'ann', idempotency_key => 'k1');
SELECT status FROM redeem_promo('ONE', customer_id => 'ann', idempotency_key => 'k1');
SELECT status FROM redeem_promo('ONE');
SELECT status FROM redeem_promo('ONE');
SELECT status FROM redeem_promo('HOT');
SELECT status FROM redeem_promo('HOT');
SELECT a.status, b.status, c.status, d.status
  FROM redeem_promo('OFF') a, redeem_promo('LATER') b, redeem_promo('GONE') c, redeem_promo('NONE') d;
SELECT * FROM counted();

-- Reasons hidden: the caller reads not_found, the counters the true status.
SELECT promo_monitor.promo_stats_reset();
SET promo.reveal_reasons = off;
SELECT status FROM redeem_promo('OFF');
SELECT status FROM redeem_promo('HOT');
SELECT status FROM redeem_promo('NONE');
RESET promo.reveal_reasons;
SELECT * FROM counted();

-- The forms people write: each call site and row counts once; a rolled-back
-- answer was still given (as pg_stat_statements counts it).
SELECT promo_monitor.promo_stats_reset();
SELECT (redeem_promo('NONE')).*;
SELECT (redeem_promo(code)).status FROM (VALUES ('GONE'), ('GONE'), ('GONE')) v (code);
WITH tried AS (SELECT * FROM redeem_promo('LATER')) SELECT status FROM tried;
BEGIN;
SELECT status FROM redeem_promo('OFF');
SAVEPOINT s;
SELECT status FROM redeem_promo('OFF');
ROLLBACK TO SAVEPOINT s;
ROLLBACK;
SELECT * FROM counted();

-- promo.track_stats off: nothing is counted (the bench measures the cost).
SELECT promo_monitor.promo_stats_reset();
SET promo.track_stats = off;
SELECT status FROM redeem_promo('OFF');
RESET promo.track_stats;
SELECT status FROM redeem_promo('GONE');
SELECT * FROM counted();

-- Who: a role with no grants reads and resets nothing; pg_monitor reads;
-- only the DBA resets.
CREATE ROLE promo_stats_nobody;
CREATE ROLE promo_stats_monitor IN ROLE pg_monitor;
SET ROLE promo_stats_nobody;
\set VERBOSITY terse
SELECT count(*) FROM promo_monitor.promo_stats;
\echo :LAST_ERROR_SQLSTATE
SELECT promo_monitor.promo_stats_reset();
\echo :LAST_ERROR_SQLSTATE
SET promo.track_stats = off;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- USAGE on the schema alone is not enough either.
GRANT USAGE ON SCHEMA promo_monitor TO promo_stats_nobody;
SET ROLE promo_stats_nobody;
SELECT count(*) FROM promo_monitor.promo_stats;
\echo :LAST_ERROR_SQLSTATE
SELECT promo_monitor.promo_stats_reset();
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
REVOKE USAGE ON SCHEMA promo_monitor FROM promo_stats_nobody;
SET ROLE promo_stats_monitor;
SELECT count(*) AS rows, sum(calls) > 0 AS counted FROM promo_monitor.promo_stats;
SELECT promo_monitor.promo_stats_reset();
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
RESET ROLE;

DROP FUNCTION counted();
DROP EXTENSION promo;

-- promo in a schema of its own, as the README sets it up: pg_monitor reads
-- the counters with no USAGE on that schema, so it cannot name promo's
-- tables (and queue a lock on one, as CREATE TRIGGER would, before its
-- privileges are checked).
CREATE SCHEMA shop;
CREATE EXTENSION promo SCHEMA shop;
SELECT shop.create_promo('SHOP', 1) > 0 AS created;
SELECT promo_monitor.promo_stats_reset();
SELECT status FROM shop.redeem_promo('SHOP');
SET ROLE promo_stats_monitor;
SELECT has_schema_privilege('shop', 'USAGE') AS shop_usage,
       has_schema_privilege('promo_monitor', 'USAGE') AS monitor_usage,
       has_schema_privilege('promo_monitor', 'CREATE') AS monitor_create;
SELECT code_class, status, calls FROM promo_monitor.promo_stats WHERE calls > 0 ORDER BY 1, 2;
\set VERBOSITY terse
CREATE TRIGGER t AFTER INSERT ON shop.promo_codes FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
\echo :LAST_ERROR_SQLSTATE
\set VERBOSITY default
RESET ROLE;
DROP EXTENSION promo;
DROP SCHEMA shop;
DROP ROLE promo_stats_nobody;
DROP ROLE promo_stats_monitor;
