-- redeem_promo finds the code through promo_codes_code_key in C (1.5.1's
-- module): what a statement would see, and the statement itself where the
-- index or the table is not as promo made it.
CREATE EXTENSION promo;
INSERT INTO promo_codes (code, max_uses) VALUES ('LOOKUP', 10), ('OTHER', 10);

-- the caller's own earlier changes in its transaction are seen, and rolled
-- back ones are not
BEGIN;
INSERT INTO promo_codes (code, max_uses) VALUES ('FRESH', 1);
SELECT status, code, current_uses FROM redeem_promo('fresh');
SAVEPOINT s;
INSERT INTO promo_codes (code, max_uses) VALUES ('UNDONE', 1);
ROLLBACK TO s;
SELECT status FROM redeem_promo('undone');
UPDATE promo_codes SET code = 'RENAMED' WHERE code = 'OTHER';
SELECT status FROM redeem_promo('other');
SELECT status, code FROM redeem_promo('renamed');
ROLLBACK;
SELECT status, code FROM redeem_promo('other');

-- in one statement: the code another CTE inserts is not yet in the
-- statement's snapshot, but the function's own lookup sees it, as a
-- statement run by the function would
WITH added AS (INSERT INTO promo_codes (code) VALUES ('IN_CTE') RETURNING code)
SELECT r.status, r.code FROM added, redeem_promo(added.code) r;

-- the index renamed: the statement finds the code
ALTER INDEX promo_codes_code_key RENAME TO promo_codes_code_key_renamed;
SELECT status, current_uses FROM redeem_promo('lookup');
-- and a table that a role with CREATE on the schema gives the index's name
CREATE TABLE promo_codes_code_key (x integer);
SELECT status, current_uses FROM redeem_promo('lookup');
DROP TABLE promo_codes_code_key;
ALTER INDEX promo_codes_code_key_renamed RENAME TO promo_codes_code_key;
SELECT status, current_uses FROM redeem_promo('lookup');

-- a key given in another case or with white space finds the same row
SELECT status, code, current_uses FROM redeem_promo('  LoOkUp ');
-- and what it found agrees with the ledger
SELECT c.current_uses = (SELECT count(*) FROM promo_redemptions r WHERE r.promo_id = c.id) AS consistent
  FROM promo_codes c WHERE code = 'LOOKUP';
DROP EXTENSION promo;
