#include "legacy/hot_redemption.hpp"

#include <stdexcept>
#include <vector>

#include "legacy/subtransaction.hpp"
#include "lock_scheme.hpp"
#include "redemption_rules.hpp"

namespace promo::legacy {

namespace {

// $1 promo_id, $2 preferred slot, $3 slots. The slots with a use left, from
// the preferred one on.
const SqlStatement slots_in_turn{"legacy_hot_slots_in_turn",
                                 R"(
SELECT slot
  FROM @extschema@.promo_code_slots
 WHERE promo_id OPERATOR(pg_catalog.=) $1
   AND (remaining IS NULL OR remaining OPERATOR(pg_catalog.>) 0)
 ORDER BY (slot OPERATOR(pg_catalog.+) $3 OPERATOR(pg_catalog.-) $2) OPERATOR(pg_catalog.%) $3
)",
                                 {{"promo_id", INT8OID}, {"preferred", INT4OID}, {"slots", INT4OID}}};

// $1 promo_id, $2 slot (its lock held). Takes a use if one is left.
const SqlStatement take_slot{"legacy_hot_take_slot",
                             R"(
UPDATE @extschema@.promo_code_slots s
   SET uses = s.uses OPERATOR(pg_catalog.+) 1, remaining = s.remaining OPERATOR(pg_catalog.-) 1
 WHERE promo_id OPERATOR(pg_catalog.=) $1 AND slot OPERATOR(pg_catalog.=) $2
   AND (remaining IS NULL OR remaining OPERATOR(pg_catalog.>) 0)
RETURNING slot
)",
                             {{"promo_id", INT8OID}, {"slot", INT4OID}}};

// $1 promo_id. Locks every slot row, in slot order.
const SqlStatement lock_slots{"legacy_hot_lock_slots",
                              R"(
SELECT slot, (remaining IS NULL OR remaining OPERATOR(pg_catalog.>) 0) AS has_stock
  FROM @extschema@.promo_code_slots
 WHERE promo_id OPERATOR(pg_catalog.=) $1
 ORDER BY slot
   FOR NO KEY UPDATE
)",
                              {{"promo_id", INT8OID}}};

// $1 promo_id, $2 customer_id, $3 idempotency_key, $4 hold, $5 slot. The
// ledger row, and the uses counted in the code's slots.
const SqlStatement insert_ledger{"legacy_hot_insert_ledger",
                                 R"(
WITH ledger_row AS (
  INSERT INTO @extschema@.promo_redemptions
         (promo_id, customer_id, idempotency_key, state, hold_expires_at, slot)
  VALUES ($1, $2, $3, CASE WHEN $4 IS NULL THEN 'redeemed' ELSE 'held' END,
          pg_catalog.now() OPERATOR(pg_catalog.+) $4, $5)
  RETURNING id, state, hold_expires_at
)
SELECT id AS redemption_id, state, hold_expires_at,
       (SELECT COALESCE(pg_catalog.sum(uses), 0)::integer
          FROM @extschema@.promo_code_slots
         WHERE promo_id OPERATOR(pg_catalog.=) $1) AS slot_uses
  FROM ledger_row
)",
                                 {{"promo_id", INT8OID},
                                  {"customer_id", TEXTOID},
                                  {"idempotency_key", TEXTOID},
                                  {"hold", INTERVALOID},
                                  {"slot", INT4OID}}};

// $1 promo_id.
const SqlStatement slot_uses{"legacy_hot_slot_uses",
                             R"(
SELECT COALESCE(pg_catalog.sum(uses), 0)::integer AS uses
  FROM @extschema@.promo_code_slots
 WHERE promo_id OPERATOR(pg_catalog.=) $1
)",
                             {{"promo_id", INT8OID}}};

// $1 promo_id, $2 slots; the caller holds every slot row. Each expired hold
// goes back to its own slot. Returns how many.
const SqlStatement reclaim{"legacy_hot_reclaim",
                           R"(
WITH reclaimed AS (
  UPDATE @extschema@.promo_redemptions
     SET state = 'released', released_at = pg_catalog.now()
   WHERE promo_id OPERATOR(pg_catalog.=) $1 AND state OPERATOR(pg_catalog.=) 'held'
     AND hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()
  RETURNING COALESCE(slot, 0) OPERATOR(pg_catalog.%) $2 AS slot
), per_slot AS (
  SELECT slot, pg_catalog.count(*)::integer AS n FROM reclaimed GROUP BY slot
), given_back AS (
  UPDATE @extschema@.promo_code_slots s
     SET uses = s.uses OPERATOR(pg_catalog.-) per_slot.n,
         remaining = s.remaining OPERATOR(pg_catalog.+) per_slot.n
    FROM per_slot
   WHERE s.promo_id OPERATOR(pg_catalog.=) $1 AND s.slot OPERATOR(pg_catalog.=) per_slot.slot
  RETURNING 1
)
SELECT COALESCE(pg_catalog.sum(n), 0)::integer AS reclaimed FROM per_slot
)",
                           {{"promo_id", INT8OID}, {"slots", INT4OID}}};

// $1 redemption_id, $2 promo_id, $3 slots. Locks the slot row a redemption
// gives back to, before its ledger row: code, slots, ledger rows.
const SqlStatement lock_slot_of{"legacy_hot_lock_slot_of",
                                R"(
SELECT slot
  FROM @extschema@.promo_code_slots
 WHERE promo_id OPERATOR(pg_catalog.=) $2
   AND slot OPERATOR(pg_catalog.=) (SELECT COALESCE(slot, 0) OPERATOR(pg_catalog.%) $3
                                      FROM @extschema@.promo_redemptions
                                     WHERE id OPERATOR(pg_catalog.=) $1)
   FOR NO KEY UPDATE
)",
                                {{"redemption_id", INT8OID}, {"promo_id", INT8OID}, {"slots", INT4OID}}};

// $1 redemption_id, $2 slots.
const SqlStatement release{"legacy_hot_release",
                           R"(
WITH released AS (
  UPDATE @extschema@.promo_redemptions
     SET state = 'released', released_at = pg_catalog.now()
   WHERE id OPERATOR(pg_catalog.=) $1 AND state OPERATOR(pg_catalog.<>) 'released'
  RETURNING promo_id, COALESCE(slot, 0) OPERATOR(pg_catalog.%) $2 AS slot
)
UPDATE @extschema@.promo_code_slots s
   SET uses = s.uses OPERATOR(pg_catalog.-) 1,
       remaining = s.remaining OPERATOR(pg_catalog.+) 1
  FROM released
 WHERE s.promo_id OPERATOR(pg_catalog.=) released.promo_id
   AND s.slot OPERATOR(pg_catalog.=) released.slot
RETURNING s.promo_id
)",
                           {{"redemption_id", INT8OID}, {"slots", INT4OID}}};

std::optional<Datum> datum_of(const std::optional<TextArgument> &argument) {
  if (!argument) return std::nullopt;
  return argument->datum;
}

locks::legacy::LockId slot_lock(int64_t promo_id, int32_t slot) {
  return {locks::legacy::Lock::Slot, promo_id, {}, slot};
}

// The code's usage: its counter plus its slots' uses.
CodeRow with_usage(SpiSession &spi, CodeRow row) {
  row.current_uses += spi.execute(slot_uses, {bigint_arg("promo_id", row.id)})[0].int4("uses").value();
  return row;
}

void take_argument_lock(locks::legacy::Lock lock, int64_t promo_id, const TextArgument &argument) {
  locks::legacy::acquire({lock, promo_id, argument.text}, locks::Mode::Exclusive);
}

// A slot to start from that stays the same for a backend, so that the
// backends of a pool spread over the slots instead of meeting on one.
int32_t preferred_slot(int32_t slots) {
  return static_cast<int32_t>(MyProcPid % slots);
}

std::optional<int32_t> take_from(SpiSession &spi, int64_t promo_id, int32_t slot) {
  if (spi.execute(take_slot, {bigint_arg("promo_id", promo_id), integer_arg("slot", slot)}).empty())
    return std::nullopt;
  return slot;
}

// Locks a slot with stock, from the preferred one on, and takes a use from
// it: the first whose lock nobody holds, or (wait) the nearest one, waiting.
std::optional<int32_t> choose_and_take(SpiSession &spi, const LockedCode &locked, bool wait) {
  const int64_t promo_id = locked.row.id;
  Rows rows = spi.execute(slots_in_turn, {bigint_arg("promo_id", promo_id),
                                          integer_arg("preferred", preferred_slot(locked.slots)),
                                          integer_arg("slots", locked.slots)});
  std::vector<int32_t> stocked;
  for (uint64_t i = 0; i < rows.size(); ++i) stocked.push_back(rows[i].int4("slot").value());
  if (wait) {
    if (stocked.empty()) return std::nullopt;
    locks::legacy::acquire(slot_lock(promo_id, stocked.front()), locks::Mode::Exclusive);
    return take_from(spi, promo_id, stocked.front());
  }
  for (int32_t slot : stocked)
    if (locks::legacy::try_acquire(slot_lock(promo_id, slot), locks::Mode::Exclusive) != locks::Held::No)
      return take_from(spi, promo_id, slot);
  return std::nullopt;
}

// The slot a use was taken from; empty only when, with every slot locked in
// order and expired holds reclaimed, none has a use left.
//
// A lock stays taken even when the slot, once it is granted, has no use left
// (emptied meanwhile). So the two quick attempts run in subtransactions and
// give such locks back when they fail: a transaction then waits for a slot
// only while holding no other slot, or, certifying, holding only lower ones.
// No cycle of waits can form.
std::optional<int32_t> take_use(SpiSession &spi, const LockedCode &locked, bool holding_every_slot) {
  const int64_t promo_id = locked.row.id;
  // Holding every slot's row already (reclaim_hot), it must not queue for one:
  // the holder of that queue may be waiting for one of those rows.
  if (!holding_every_slot) {
    // 1. The first slot nobody holds that has stock, from the preferred one on.
    if (auto slot = in_subtransaction([&] { return choose_and_take(spi, locked, false); })) return slot;
    // 2. All are held or empty: queue for the nearest slot with stock.
    if (auto slot = in_subtransaction([&] { return choose_and_take(spi, locked, true); })) return slot;
  }
  // 3. None: certify, holding every slot, that none has a use left.
  for (bool reclaimed = false;; reclaimed = true) {
    Rows rows = spi.execute(lock_slots, {bigint_arg("promo_id", promo_id)});
    for (uint64_t i = 0; i < rows.size(); ++i) {
      if (!rows[i].boolean("has_stock").value()) continue;
      if (auto slot = take_from(spi, promo_id, rows[i].int4("slot").value())) return slot;
      throw std::runtime_error("a locked slot with stock gave no use");
    }
    if (reclaimed || holding_every_slot || reclaim_hot(spi, locked) == 0) return std::nullopt;
  }
}

}  // namespace

int32_t reclaim_hot(SpiSession &spi, const LockedCode &locked) {
  spi.execute(lock_slots, {bigint_arg("promo_id", locked.row.id)});
  return spi.execute(reclaim, {bigint_arg("promo_id", locked.row.id), integer_arg("slots", locked.slots)})[0]
      .int4("reclaimed")
      .value();
}

bool release_hot(SpiSession &spi, int64_t redemption_id, const LockedCode &locked) {
  spi.execute(lock_slot_of, {bigint_arg("redemption_id", redemption_id),
                             bigint_arg("promo_id", locked.row.id), integer_arg("slots", locked.slots)});
  return !spi.execute(release,
                      {bigint_arg("redemption_id", redemption_id), integer_arg("slots", locked.slots)})
              .empty();
}

Redemption redeem_hot(SpiSession &spi, const Request &request, const LockedCode &locked,
                      bool reveal_reasons) {
  const int64_t promo_id = locked.row.id;
  auto refuse = [&](Status status) {
    return reveal_reasons ? refusal(status, with_usage(spi, locked.row), true) : Redemption{};
  };
  if (request.key) {
    take_argument_lock(locks::legacy::Lock::IdempotencyKey, promo_id, *request.key);
    if (std::optional<KeyedRedemption> keyed = find_key(spi, promo_id, *request.key, request.customer)) {
      if (keyed->expired_hold) {  // reclaimed on the way
        reclaim_hot(spi, locked);
        keyed = find_key(spi, promo_id, *request.key, request.customer);
      }
      return replay_of(keyed->entry, with_usage(spi, locked.row));
    }
  }
  // The counter's own `exhausted` says nothing of a hot code: the slots decide.
  if (locked.refusal) return refuse(*locked.refusal);

  bool holding_every_slot = false;  // and expired holds reclaimed
  if (request.customer && locked.max_uses_per_customer) {
    take_argument_lock(locks::legacy::Lock::Customer, promo_id, *request.customer);
    auto reclaim_holding_every_slot = [&] {
      holding_every_slot = true;
      return reclaim_hot(spi, locked);
    };
    if (!uses_below_customer_limit(spi, promo_id, *request.customer, *locked.max_uses_per_customer,
                                   reclaim_holding_every_slot))
      return refuse(Status::CustomerLimitReached);
  }
  std::optional<int32_t> slot = take_use(spi, locked, holding_every_slot);
  if (!slot) return refuse(Status::Exhausted);

  Rows rows = spi.execute(
      insert_ledger, {bigint_arg("promo_id", promo_id), text_arg("customer_id", datum_of(request.customer)),
                      text_arg("idempotency_key", datum_of(request.key)), interval_arg("hold", request.hold),
                      integer_arg("slot", *slot)});
  if (rows.empty()) throw std::runtime_error("a hot redemption wrote no ledger row");
  CodeRow row = locked.row;
  row.current_uses += rows[0].int4("slot_uses").value();
  return Redemption{Status::Redeemed, row, read_ledger_entry(rows[0], false)};
}

}  // namespace promo::legacy
