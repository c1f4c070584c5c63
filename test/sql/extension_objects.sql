-- What CREATE EXTENSION promo gives (the newest version, 1.1), and what pg_dump will keep.
CREATE EXTENSION promo;

SELECT extversion, extrelocatable, extnamespace::regnamespace FROM pg_extension WHERE extname = 'promo';

-- both the table and its identity sequence are dumped with their contents
SELECT unnest(extconfig)::regclass AS dumped, unnest(extcondition) AS filter
  FROM pg_extension WHERE extname = 'promo';

-- every member object (PostgreSQL 18 also records the array types and the
-- tables' and views' row types as members: left out, for one output on all)
SELECT pg_describe_object(classid, objid, objsubid) AS member
  FROM pg_depend d
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'promo')
   AND NOT EXISTS (SELECT FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid
                    WHERE d.classid = 'pg_type'::regclass AND t.oid = d.objid
                      AND (t.typcategory = 'A' OR c.relkind <> 'c'))
 ORDER BY 1;

-- the constraints that make overuse impossible from any path (NOT NULL is
-- a pg_constraint row from PostgreSQL 18 on: left out)
SELECT conrelid::regclass, conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid IN ('promo_codes'::regclass, 'promo_redemptions'::regclass) AND contype <> 'n'
 ORDER BY 1, 2;
SELECT indexrelid::regclass, pg_get_indexdef(indexrelid)
  FROM pg_index WHERE indrelid IN ('promo_codes'::regclass, 'promo_redemptions'::regclass) ORDER BY 1;

-- a code with ledger rows cannot be deleted: it is retired instead
INSERT INTO promo_codes (code) VALUES ('USED'), ('UNUSED');
SELECT status FROM redeem_promo('USED');
\set VERBOSITY terse
DELETE FROM promo_codes WHERE code = 'USED';
\set VERBOSITY default
\echo :LAST_ERROR_SQLSTATE
DELETE FROM promo_codes WHERE code = 'UNUSED';
UPDATE promo_codes SET is_active = false WHERE code = 'USED';
SELECT status FROM redeem_promo('USED');

DROP EXTENSION promo;

-- the schema is chosen at CREATE EXTENSION time
CREATE SCHEMA promo_elsewhere;
CREATE EXTENSION promo SCHEMA promo_elsewhere;
INSERT INTO promo_elsewhere.promo_codes (code, max_uses) VALUES ('ELSEWHERE', 1);
SELECT status, current_uses FROM promo_elsewhere.redeem_promo('elsewhere');
SELECT status FROM promo_elsewhere.redeem_promo('elsewhere');
ALTER EXTENSION promo SET SCHEMA public;
\echo :LAST_ERROR_SQLSTATE
DROP EXTENSION promo;
DROP SCHEMA promo_elsewhere;
