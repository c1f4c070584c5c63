-- The forms people write. SELECT (f()).* is expanded by PostgreSQL into one
-- call per column; promo redeems once per call site and row, and every
-- column comes from that one redemption. Calls written twice, rows, loop
-- iterations and trigger firings each redeem as written.
CREATE EXTENSION promo;
SELECT create_promo('STAR', 100) IS NOT NULL, create_promo('HOT-STAR', 100, slots => 4) IS NOT NULL;
CREATE VIEW uses AS SELECT code, uses, (SELECT count(*) FROM promo_redemptions r WHERE r.promo_id = u.promo_id) AS ledger_rows
  FROM promo_code_usage u;

SELECT (redeem_promo('STAR')).*;
SELECT status, redemption_state, hold_expires_at - now() AS lasts
  FROM (SELECT (redeem_promo('HOT-STAR', customer_id => 'ann', hold => '1 hour')).*) r;
SELECT * FROM uses ORDER BY code;
-- over rows: once per row, every column of a row from that row's redemption
CREATE TEMPORARY TABLE got AS SELECT (redeem_promo('STAR')).* FROM generate_series(1, 3);
SELECT count(*) AS rows, count(DISTINCT redemption_id) AS redemptions, count(DISTINCT current_uses) AS counts
  FROM got;
SELECT bool_and(r.promo_id = g.promo_id AND r.state = g.redemption_state) AS each_row_is_its_ledger_row
  FROM got g JOIN promo_redemptions r ON r.id = g.redemption_id;
SELECT * FROM uses ORDER BY code;

-- written twice: two redemptions
SELECT (redeem_promo('STAR')).current_uses AS first, (redeem_promo('STAR')).current_uses AS second;
-- a code per row
SELECT (redeem_promo(code)).status, code FROM (VALUES ('STAR'), ('HOT-STAR'), ('NONE')) c (code) ORDER BY code;
SELECT * FROM uses ORDER BY code;

-- a CTE, a subquery, a view, a SQL function: once each
WITH r AS (SELECT * FROM redeem_promo('STAR')) SELECT a.current_uses = b.current_uses AS same FROM r a, r b;
SELECT (r).status FROM (SELECT redeem_promo('STAR') AS r OFFSET 0) s;
CREATE VIEW redeem_star AS SELECT (redeem_promo('STAR')).*;
SELECT status, current_uses FROM redeem_star;
CREATE FUNCTION redeem_star_fn() RETURNS SETOF promo_redemption LANGUAGE sql AS $$ SELECT (redeem_promo('STAR')).* $$;
SELECT status, current_uses FROM redeem_star_fn();
SELECT * FROM uses ORDER BY code;

-- a stored query keeps no place of its calls: identical calls in one row of
-- a view or a column DEFAULT are one redemption, both read its id
SELECT create_promo('ONCE', 5);
CREATE VIEW twice_written AS
  SELECT (redeem_promo('ONCE')).redemption_id AS first, (redeem_promo('ONCE')).redemption_id AS second;
SELECT first = second AS same_redemption FROM twice_written;
CREATE TABLE two_defaults (id int, a bigint DEFAULT (redeem_promo('ONCE')).redemption_id,
                                    b bigint DEFAULT (redeem_promo('ONCE')).redemption_id);
INSERT INTO two_defaults (id) VALUES (1), (2);
SELECT id, a = b AS same_redemption FROM two_defaults ORDER BY id;
SELECT * FROM uses WHERE code = 'ONCE';
DROP TABLE two_defaults;
DROP VIEW twice_written;

-- PL/pgSQL: each statement and each loop iteration redeems once
DO $$
DECLARE
  r promo_redemption;
  i integer;
BEGIN
  r := redeem_promo('STAR');
  r := redeem_promo('STAR');
  FOR i IN 1..3 LOOP
    r := redeem_promo('HOT-STAR');
  END LOOP;
  SELECT (redeem_promo('STAR')).* INTO r;
  RAISE NOTICE 'last: % %', r.status, r.current_uses;
END
$$;
SELECT * FROM uses ORDER BY code;

-- a trigger: once per firing, also with (f()).* inside it
CREATE TABLE orders (id serial, code text, status promo_status);
CREATE FUNCTION orders_redeem() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r promo_redemption;
BEGIN
  SELECT (redeem_promo(NEW.code)).* INTO r;
  NEW.status := r.status;
  RETURN NEW;
END
$$;
CREATE TRIGGER orders_redeem BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_redeem();
INSERT INTO orders (code) VALUES ('STAR'), ('HOT-STAR'), ('STAR');
SELECT code, status FROM orders ORDER BY id;
SELECT * FROM uses ORDER BY code;
DROP TABLE orders;
DROP FUNCTION orders_redeem();
DROP FUNCTION redeem_star_fn();
DROP VIEW redeem_star;
DROP TABLE got;
DROP VIEW uses;
DROP EXTENSION promo;
