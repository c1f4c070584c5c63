-- Every object promo creates has a description (1.5.2): its functions,
-- tables and every column, views, types and their attributes, sequences,
-- and its tables' constraints, indexes and triggers. Listed: those without.
CREATE EXTENSION promo;
CREATE TEMPORARY VIEW undescribed AS
WITH ext AS (
  SELECT oid FROM pg_catalog.pg_extension WHERE extname = 'promo'
), members AS (
  SELECT d.classid, d.objid
    FROM pg_catalog.pg_depend d, ext
   WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
     AND d.refobjid = ext.oid
     AND d.deptype = 'e'
), member_relations AS (
  -- tables and views, and the composite types' own relations
  SELECT c.oid, c.relkind
    FROM pg_catalog.pg_class c
   WHERE c.oid IN (SELECT objid FROM members WHERE classid = 'pg_catalog.pg_class'::pg_catalog.regclass)
      OR c.reltype IN (SELECT objid FROM members WHERE classid = 'pg_catalog.pg_type'::pg_catalog.regclass
                                                  AND objid IN (SELECT oid FROM pg_catalog.pg_type WHERE typtype = 'c'))
), tables AS (
  SELECT oid FROM member_relations WHERE relkind IN ('r', 'p')
), objects AS (
  -- the extension's members, but not the types PostgreSQL makes for them
  -- (a table's or a view's row type, arrays), members from 18 on
  SELECT classid, objid, 0 AS objsubid FROM members
   WHERE NOT (classid = 'pg_catalog.pg_type'::pg_catalog.regclass
              AND objid IN (SELECT t.oid FROM pg_catalog.pg_type t
                              LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
                             WHERE t.typcategory = 'A' OR c.relkind IN ('r', 'p', 'v', 'm', 'f')))
  UNION ALL
  -- every column of its tables, views and composite types
  SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, a.attrelid, a.attnum
    FROM pg_catalog.pg_attribute a
   WHERE a.attrelid IN (SELECT oid FROM member_relations WHERE relkind IN ('r', 'p', 'v', 'm', 'f', 'c'))
     AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  -- constraints of its tables
  SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass, con.oid, 0
    FROM pg_catalog.pg_constraint con
   WHERE con.conrelid IN (SELECT oid FROM tables)
     AND con.contype <> 'n'  -- NOT NULL is a pg_constraint row from PostgreSQL 18 on: the column says it
  UNION ALL
  -- indexes of its tables
  SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, i.indexrelid, 0
    FROM pg_catalog.pg_index i
   WHERE i.indrelid IN (SELECT oid FROM tables)
  UNION ALL
  -- triggers of its tables (not the internal ones of constraints)
  SELECT 'pg_catalog.pg_trigger'::pg_catalog.regclass, t.oid, 0
    FROM pg_catalog.pg_trigger t
   WHERE t.tgrelid IN (SELECT oid FROM tables) AND NOT t.tgisinternal
)
SELECT undescribed FROM (
  SELECT pg_catalog.pg_describe_object(o.classid, o.objid, o.objsubid) AS undescribed
    FROM objects o
   WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_description d
                      WHERE d.classoid = o.classid AND d.objoid = o.objid AND d.objsubid = o.objsubid
                        AND d.description <> '')
  UNION
  -- so that a database without promo does not pass
  SELECT 'extension promo is not installed' WHERE NOT EXISTS (SELECT FROM ext)
) u;
SELECT * FROM undescribed ORDER BY 1;
-- and a few as \df+ and \dx+ show them
SELECT obj_description('redeem_promo(text, text, text, interval)'::regprocedure, 'pg_proc') IS NOT NULL AS redeem_promo,
       obj_description((SELECT oid FROM pg_extension WHERE extname = 'promo'), 'pg_extension') AS extension;
DROP EXTENSION promo;
-- the same for the version in development (1.6)
CREATE EXTENSION promo VERSION '1.6';
SELECT * FROM undescribed ORDER BY 1;
SELECT obj_description('redeem_promo(text, text, text, interval, bigint, text)'::regprocedure, 'pg_proc')
         IS NOT NULL AS redeem_promo;
DROP EXTENSION promo;
