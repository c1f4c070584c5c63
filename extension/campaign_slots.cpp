#include "campaign_slots.hpp"

namespace promo {

namespace {

// The statements of slotted_counter.cpp on promo_campaign_slots, a
// campaign's slots (owner_id: the campaign's id): the same text on another
// table, each statement whole, as every statement of promo's is.

// Parameters and columns as slotted_counter.cpp describes them, but for
// one: a campaign's answer shows the code's usage, not the campaign's, so
// its take does not sum the slots' uses (slot_uses is 0).
const SqlStatement campaign_slot_take{"campaign_slot_take",
                                      R"(
WITH taken AS (
  UPDATE @extschema@.promo_campaign_slots
     SET uses = uses OPERATOR(pg_catalog.+) 1,
         remaining = CASE WHEN $3 IS NOT NULL THEN remaining OPERATOR(pg_catalog.-) 1 END
   WHERE campaign_id OPERATOR(pg_catalog.=) $1 AND slot OPERATOR(pg_catalog.=) $2
     AND ($3 IS NULL OR remaining OPERATOR(pg_catalog.>) 0)
  RETURNING slot
), created AS (
  INSERT INTO @extschema@.promo_campaign_slots (campaign_id, slot, uses, remaining)
  SELECT $1, $2, 1, $3 OPERATOR(pg_catalog.-) 1
   WHERE ($3 IS NULL OR $3 OPERATOR(pg_catalog.>) 0)
     AND NOT EXISTS (SELECT FROM @extschema@.promo_campaign_slots
                      WHERE campaign_id OPERATOR(pg_catalog.=) $1 AND slot OPERATOR(pg_catalog.=) $2)
  RETURNING slot
)
SELECT t.slot, 0 AS slot_uses
  FROM (SELECT slot FROM taken UNION ALL SELECT slot FROM created) t
)",
                                      {{"owner_id", INT8OID}, {"slot", INT4OID}, {"share", INT4OID}}};

const SqlStatement campaign_slots_with_stock{
    "campaign_slots_with_stock",
    R"(
SELECT s.slot
  FROM pg_catalog.generate_series(0, $2 OPERATOR(pg_catalog.-) 1) AS s (slot)
  LEFT JOIN @extschema@.promo_campaign_slots r
         ON r.campaign_id OPERATOR(pg_catalog.=) $1 AND r.slot OPERATOR(pg_catalog.=) s.slot
 WHERE $3 IS NULL
    OR CASE WHEN r.slot IS NULL
            THEN (($3 OPERATOR(pg_catalog./) $2)
                  OPERATOR(pg_catalog.+) (s.slot OPERATOR(pg_catalog.<) ($3 OPERATOR(pg_catalog.%) $2))::integer)
                 OPERATOR(pg_catalog.>) 0
            ELSE r.remaining OPERATOR(pg_catalog.>) 0
       END
 ORDER BY (s.slot OPERATOR(pg_catalog.+) $2 OPERATOR(pg_catalog.-) $4) OPERATOR(pg_catalog.%) $2
)",
    {{"owner_id", INT8OID}, {"slots", INT4OID}, {"left", INT4OID}, {"preferred", INT4OID}}};

const SqlStatement campaign_slots_materialize{"campaign_slots_materialize",
                                          R"(
INSERT INTO @extschema@.promo_campaign_slots (campaign_id, slot, uses, remaining)
SELECT $1, s.slot, 0,
       ($3 OPERATOR(pg_catalog./) $2)
       OPERATOR(pg_catalog.+) (s.slot OPERATOR(pg_catalog.<) ($3 OPERATOR(pg_catalog.%) $2))::integer
  FROM pg_catalog.generate_series(0, $2 OPERATOR(pg_catalog.-) 1) AS s (slot)
ON CONFLICT (campaign_id, slot) DO NOTHING
)",
                                          {{"owner_id", INT8OID}, {"slots", INT4OID}, {"left", INT4OID}}};

const SqlStatement campaign_slots_lock_rows{"campaign_slots_lock_rows",
                                        R"(
SELECT slot
  FROM @extschema@.promo_campaign_slots
 WHERE campaign_id OPERATOR(pg_catalog.=) $1
 ORDER BY slot
   FOR NO KEY UPDATE
)",
                                        {{"owner_id", INT8OID}}};

const SqlStatement campaign_slots_uses{"campaign_slots_uses",
                                   R"(
SELECT COALESCE(pg_catalog.sum(uses), 0)::integer AS uses
  FROM @extschema@.promo_campaign_slots
 WHERE campaign_id OPERATOR(pg_catalog.=) $1
)",
                                   {{"owner_id", INT8OID}}};

const SqlStatement campaign_slot_give_back{
    "campaign_slot_give_back",
    R"(
INSERT INTO @extschema@.promo_campaign_slots AS s (campaign_id, slot, uses, remaining)
VALUES ($1, $2, OPERATOR(pg_catalog.-) $4, $3 OPERATOR(pg_catalog.+) $4)
ON CONFLICT (campaign_id, slot) DO UPDATE
   SET uses = s.uses OPERATOR(pg_catalog.-) $4,
       remaining = s.remaining OPERATOR(pg_catalog.+) $4
)",
    {{"owner_id", INT8OID}, {"slot", INT4OID}, {"share", INT4OID}, {"uses", INT4OID}}};

const SqlStatement campaign_slots_fold{"campaign_slots_fold",
                                   R"(
WITH folded AS (
  DELETE FROM @extschema@.promo_campaign_slots
   WHERE campaign_id OPERATOR(pg_catalog.=) $1
  RETURNING uses
)
SELECT COALESCE(pg_catalog.sum(uses), 0)::integer AS uses FROM folded
)",
                                   {{"owner_id", INT8OID}}};

}  // namespace

const SlotTable campaign_slots{campaign_slot_take,       campaign_slots_with_stock, campaign_slots_materialize,
                               campaign_slots_lock_rows, campaign_slots_uses,       campaign_slot_give_back,
                               campaign_slots_fold,      locks::Lock::CampaignSlot};

}  // namespace promo
