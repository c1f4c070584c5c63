-- What CREATE EXTENSION promo gives, and what pg_dump will keep.
CREATE EXTENSION promo;

SELECT extversion, extrelocatable, extnamespace::regnamespace FROM pg_extension WHERE extname = 'promo';

-- both the table and its identity sequence are dumped with their contents
SELECT unnest(extconfig)::regclass AS dumped, unnest(extcondition) AS filter
  FROM pg_extension WHERE extname = 'promo';

-- every member object
SELECT pg_describe_object(classid, objid, objsubid) AS member
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'promo')
 ORDER BY 1;

-- the constraints that make overuse impossible from any path
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = 'promo_codes'::regclass ORDER BY conname;
SELECT indexrelid::regclass, indisunique, pg_get_indexdef(indexrelid)
  FROM pg_index WHERE indrelid = 'promo_codes'::regclass ORDER BY 1;

DROP EXTENSION promo;

-- the schema is chosen at CREATE EXTENSION time
CREATE SCHEMA promo_elsewhere;
CREATE EXTENSION promo SCHEMA promo_elsewhere;
INSERT INTO promo_elsewhere.promo_codes (code, max_uses) VALUES ('ELSEWHERE', 1);
SELECT status, current_uses FROM promo_elsewhere.redeem_promo('elsewhere');
SELECT status FROM promo_elsewhere.redeem_promo('elsewhere');
ALTER EXTENSION promo SET SCHEMA public;
DROP EXTENSION promo;
DROP SCHEMA promo_elsewhere;
