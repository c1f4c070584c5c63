-- promo 1.5 -> 1.5.1: a campaign counts its uses in up to 256 slots, 128
-- by default (each redemption holds the slot it took until it commits, so
-- with fewer slots than callers in flight the rest wait for one), and a
-- code created in a campaign locks the campaign's row, so that a concurrent
-- DELETE of the campaign cannot leave the code naming a campaign that is
-- gone. No table is rewritten; grants on the functions are kept.
\echo Use "ALTER EXTENSION promo UPDATE TO '1.5.1'" to load this file. \quit

ALTER TABLE @extschema@.promo_campaigns
  DROP CONSTRAINT promo_campaigns_slots_range,
  ADD CONSTRAINT promo_campaigns_slots_range CHECK (slots BETWEEN 1 AND 256),
  ALTER COLUMN slots SET DEFAULT 128;

-- Creates a campaign and returns its id.
CREATE OR REPLACE FUNCTION create_campaign(name text, max_uses integer DEFAULT NULL,
                                max_uses_per_customer integer DEFAULT NULL,
                                valid_from timestamptz DEFAULT NULL, valid_until timestamptz DEFAULT NULL,
                                slots integer DEFAULT 128, is_active boolean DEFAULT true)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  new_id bigint;
BEGIN
  IF name IS NULL THEN
    RAISE EXCEPTION 'campaign name must not be null'
      USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass a name, for example ''newsletter-2026-12''.';
  END IF;
  IF pg_catalog.btrim(name, E' \t\n\r\f' OPERATOR(pg_catalog.||) pg_catalog.chr(11)) OPERATOR(pg_catalog.=) '' THEN
    RAISE EXCEPTION 'campaign name must not be blank'
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass a name, for example ''newsletter-2026-12''.';
  END IF;
  IF slots IS NULL THEN slots := 128; END IF;
  IF is_active IS NULL THEN is_active := true; END IF;
  INSERT INTO @extschema@.promo_campaigns AS g
         (name, max_uses, max_uses_per_customer, valid_from, valid_until, slots, is_active)
  VALUES (create_campaign.name, create_campaign.max_uses, create_campaign.max_uses_per_customer,
          create_campaign.valid_from, create_campaign.valid_until, create_campaign.slots,
          create_campaign.is_active)
  RETURNING g.id INTO new_id;
  RETURN new_id;
EXCEPTION WHEN unique_violation THEN
  RAISE EXCEPTION 'campaign "%" already exists', create_campaign.name USING ERRCODE = 'unique_violation';
END
$$;

-- Creates a code, in a campaign if one is named, and returns its id. The way
-- to create codes through a router: the shard that owns the code's hash runs it.
CREATE OR REPLACE FUNCTION create_promo(code text, max_uses integer DEFAULT NULL,
                             max_uses_per_customer integer DEFAULT NULL,
                             valid_from timestamptz DEFAULT NULL, valid_until timestamptz DEFAULT NULL,
                             slots integer DEFAULT 1, is_active boolean DEFAULT true,
                             campaign text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  new_id bigint;
  campaign_of_code bigint;
BEGIN
  IF code IS NULL
     OR pg_catalog.btrim(code, E' \t\n\r\f' OPERATOR(pg_catalog.||) pg_catalog.chr(11)) OPERATOR(pg_catalog.=) '' THEN
    RAISE EXCEPTION 'promo code must not be null or blank'
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass the code as text, for example ''SUMMER25''.';
  END IF;
  IF campaign IS NOT NULL THEN
    -- Locked as a foreign key's check locks it: a concurrent DELETE of the
    -- campaign waits for this code, then sees it and refuses (1.5.1).
    SELECT g.id INTO campaign_of_code FROM @extschema@.promo_campaigns g
     WHERE g.name OPERATOR(pg_catalog.=) create_promo.campaign
       FOR KEY SHARE;
    IF campaign_of_code IS NULL THEN
      RAISE EXCEPTION 'campaign "%" does not exist', create_promo.campaign
        USING ERRCODE = 'invalid_parameter_value', HINT = 'Create it with create_campaign(name, ...).';
    END IF;
  END IF;
  IF slots IS NULL THEN slots := 1; END IF;
  IF is_active IS NULL THEN is_active := true; END IF;
  INSERT INTO @extschema@.promo_codes AS c
         (code, max_uses, max_uses_per_customer, valid_from, valid_until, slots, is_active, campaign_id)
  VALUES (create_promo.code, create_promo.max_uses, create_promo.max_uses_per_customer,
          create_promo.valid_from, create_promo.valid_until, create_promo.slots, create_promo.is_active,
          campaign_of_code)
  RETURNING c.id INTO new_id;
  RETURN new_id;
EXCEPTION WHEN unique_violation THEN
  RAISE EXCEPTION 'promo code "%" already exists', create_promo.code
    USING ERRCODE = 'unique_violation', HINT = 'Codes are compared trimmed and case-folded.';
END
$$;
