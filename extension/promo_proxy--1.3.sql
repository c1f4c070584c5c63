-- promo_proxy 1.3: the promo API on a PL/Proxy database. Every call runs on
-- the one shard that owns its code, chosen by a hash of the code normalized
-- exactly as the shards normalize it (the same C function, ICU root collation:
-- no database's locale takes part).
--
-- The cluster is the foreign server promo_shards (a power of two of
-- partitions p0, p1, ...), which the DBA creates, with a user mapping:
--   CREATE SERVER promo_shards FOREIGN DATA WRAPPER plproxy OPTIONS (
--     p0 'host=shard0 dbname=promo application_name=promo-proxy connect_timeout=2', ...);
--
-- PL/Proxy runs each call in a transaction of its own on the shard: a
-- ROLLBACK on the proxy undoes nothing there; give a use back with release_promo.
\echo Use "CREATE EXTENSION promo_proxy" to load this file. \quit

CREATE FUNCTION promo_normalize_code(code text) RETURNS text
AS 'MODULE_PATHNAME', 'promo_normalize_code'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

-- The hash PL/Proxy routes by; it keeps its low bits (hash & (partitions - 1)).
-- A NULL code is routed too, so that its shard answers with promo's own error.
CREATE FUNCTION promo_shard_hash(code text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_catalog.hashtext(COALESCE(@extschema@.promo_normalize_code(code), '')) $$;

-- The connection string of the shard that owns a code, as promo_shards lists it.
CREATE FUNCTION promo_shard_of(code text) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  WITH partitions AS (
    SELECT pg_catalog.substr(option, 2, pg_catalog.strpos(option, '=') - 2)::integer AS number,
           pg_catalog.substr(option, pg_catalog.strpos(option, '=') + 1) AS dsn
      FROM pg_catalog.pg_foreign_server server, pg_catalog.unnest(server.srvoptions) option
     WHERE server.srvname = 'promo_shards' AND option ~ '^p[0-9]+=')
  SELECT dsn FROM partitions
   WHERE number = @extschema@.promo_shard_hash(code) & ((SELECT pg_catalog.count(*) FROM partitions)::integer - 1)
$$;

CREATE TYPE promo_status AS ENUM (
  'redeemed', 'not_found', 'inactive', 'not_yet_valid', 'expired', 'exhausted',
  'customer_limit_reached', 'released');

CREATE TYPE promo_redemption AS (
  status       promo_status,
  redeemed     boolean,
  promo_id     bigint,
  code         text,
  current_uses integer,
  max_uses     integer,
  remaining    integer,
  is_active    boolean,
  redemption_id    bigint,
  replayed         boolean,
  redemption_state text,
  hold_expires_at  timestamptz
);

CREATE FUNCTION redeem_promo(code text, customer_id text DEFAULT NULL,
                             idempotency_key text DEFAULT NULL, hold interval DEFAULT NULL)
RETURNS promo_redemption
LANGUAGE plproxy AS $$
  CLUSTER 'promo_shards';
  RUN ON @extschema@.promo_shard_hash(code);
$$;

CREATE FUNCTION create_promo(code text, max_uses integer DEFAULT NULL,
                             max_uses_per_customer integer DEFAULT NULL,
                             valid_from timestamptz DEFAULT NULL, valid_until timestamptz DEFAULT NULL,
                             slots integer DEFAULT 1, is_active boolean DEFAULT true)
RETURNS bigint
LANGUAGE plproxy AS $$
  CLUSTER 'promo_shards';
  RUN ON @extschema@.promo_shard_hash(code);
$$;

-- A redemption id names a row on one shard, so these take the code as well.
CREATE FUNCTION confirm_promo(code text, redemption_id bigint) RETURNS boolean
LANGUAGE plproxy AS $$
  CLUSTER 'promo_shards';
  RUN ON @extschema@.promo_shard_hash(code);
  SELECT confirm_promo(redemption_id) AS confirm_promo;
$$;

CREATE FUNCTION release_promo(code text, redemption_id bigint) RETURNS boolean
LANGUAGE plproxy AS $$
  CLUSTER 'promo_shards';
  RUN ON @extschema@.promo_shard_hash(code);
  SELECT release_promo(redemption_id) AS release_promo;
$$;

-- A code's usage, from its shard's promo_code_usage.
CREATE FUNCTION promo_code_usage(code text,
                                 OUT promo_id bigint, OUT uses integer, OUT max_uses integer,
                                 OUT remaining integer, OUT slots integer)
RETURNS SETOF record
LANGUAGE plproxy AS $$
  CLUSTER 'promo_shards';
  RUN ON @extschema@.promo_shard_hash(code);
  SELECT u.promo_id, u.uses, u.max_uses, u.remaining, u.slots FROM promo_code_usage u
   WHERE promo_normalize_code(u.code) = promo_normalize_code(code);
$$;

CREATE FUNCTION promo_reclaim_expired_holds_on_each_shard() RETURNS SETOF integer
LANGUAGE plproxy AS $$
  CLUSTER 'promo_shards';
  RUN ON ALL;
  SELECT promo_reclaim_expired_holds() AS promo_reclaim_expired_holds_on_each_shard;
$$;

-- Every shard's sweep; returns how many holds they released in all.
CREATE FUNCTION promo_reclaim_expired_holds() RETURNS integer
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$ SELECT COALESCE(pg_catalog.sum(n), 0)::integer FROM @extschema@.promo_reclaim_expired_holds_on_each_shard() n $$;

REVOKE ALL ON FUNCTION redeem_promo(text, text, text, interval) FROM PUBLIC;
REVOKE ALL ON FUNCTION create_promo(text, integer, integer, timestamptz, timestamptz, integer, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION confirm_promo(text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION release_promo(text, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION promo_code_usage(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION promo_reclaim_expired_holds_on_each_shard() FROM PUBLIC;
REVOKE ALL ON FUNCTION promo_reclaim_expired_holds() FROM PUBLIC;
