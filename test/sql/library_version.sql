-- promo_library_version() (1.5.3) and what a session running an older
-- library than the installed SQL is told. Such a session (one that loaded
-- the library before make install and the update) is stood in for by a
-- newer extversion in the catalog, inside a transaction that rolls back.
CREATE EXTENSION promo;
-- the library serves the newest version installed (a version in
-- development is newer than the default)
SELECT promo_library_version() = (SELECT version FROM pg_available_extension_versions WHERE name = 'promo'
                                   ORDER BY string_to_array(version, '.')::int[] DESC LIMIT 1)
       AS serves_the_newest_version;
SELECT create_promo('V', 5) > 0 AS created;

\set VERBOSITY terse
-- Newer than the library: its retry would fail again, so 55000, reconnect.
BEGIN ISOLATION LEVEL REPEATABLE READ;
UPDATE pg_extension SET extversion = '1.99' WHERE extname = 'promo';
SELECT status FROM redeem_promo('V');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- A version that does not parse counts as newer.
BEGIN ISOLATION LEVEL SERIALIZABLE;
UPDATE pg_extension SET extversion = '2.0-beta' WHERE extname = 'promo';
SELECT status FROM redeem_promo('V');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
-- One the library knows but not of these tables: an update in between, 40001.
BEGIN ISOLATION LEVEL REPEATABLE READ;
UPDATE pg_extension SET extversion = '1.4' WHERE extname = 'promo';
SELECT status FROM redeem_promo('V');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
\set VERBOSITY default
-- A 1.5 version the library serves on these tables, and READ COMMITTED: redeemed.
BEGIN ISOLATION LEVEL REPEATABLE READ;
UPDATE pg_extension SET extversion = '1.5.2' WHERE extname = 'promo';
SELECT status FROM redeem_promo('V');
ROLLBACK;
SELECT status FROM redeem_promo('V');
SELECT current_uses FROM promo_codes WHERE code = 'V';
DROP EXTENSION promo;
