#include "slotted_counter.hpp"

#include <vector>

#include "lock_scheme.hpp"

namespace promo {

namespace {

// $1 promo_id, $2 slot, $3 share: the slot's share while it has no row,
// NULL for a code without a cap (whose slots' remaining is ignored). Run
// holding the slot's lock: exactly one of the two parts applies, and no one
// else writes the row meanwhile.
const SqlStatement take_statement{"slot_take", R"(
WITH taken AS (
  UPDATE @extschema@.promo_code_slots
     SET uses = uses OPERATOR(pg_catalog.+) 1,
         remaining = CASE WHEN $3 IS NOT NULL THEN remaining OPERATOR(pg_catalog.-) 1 END
   WHERE promo_id OPERATOR(pg_catalog.=) $1 AND slot OPERATOR(pg_catalog.=) $2
     AND ($3 IS NULL OR remaining OPERATOR(pg_catalog.>) 0)
  RETURNING slot
), created AS (
  INSERT INTO @extschema@.promo_code_slots (promo_id, slot, uses, remaining)
  SELECT $1, $2, 1, $3 OPERATOR(pg_catalog.-) 1
   WHERE ($3 IS NULL OR $3 OPERATOR(pg_catalog.>) 0)
     AND NOT EXISTS (SELECT FROM @extschema@.promo_code_slots
                      WHERE promo_id OPERATOR(pg_catalog.=) $1 AND slot OPERATOR(pg_catalog.=) $2)
  RETURNING slot
)
SELECT slot FROM taken UNION ALL SELECT slot FROM created
)",
                                  {{"promo_id", INT8OID}, {"slot", INT4OID}, {"share", INT4OID}}};

// (Every OPERATOR(...) has one precedence: the parentheses are needed.)
// $1 promo_id, $2 slots, $3 left (NULL without a cap), $4 preferred slot.
// The slots that have a use left, from the preferred one on; a slot without
// a row has its share of `left` (the same division as share_of).
const SqlStatement slots_with_stock_statement{"slots_with_stock", R"(
SELECT s.slot
  FROM pg_catalog.generate_series(0, $2 OPERATOR(pg_catalog.-) 1) AS s (slot)
  LEFT JOIN @extschema@.promo_code_slots r
         ON r.promo_id OPERATOR(pg_catalog.=) $1 AND r.slot OPERATOR(pg_catalog.=) s.slot
 WHERE $3 IS NULL
    OR CASE WHEN r.slot IS NULL
            THEN (($3 OPERATOR(pg_catalog./) $2)
                  OPERATOR(pg_catalog.+) (s.slot OPERATOR(pg_catalog.<) ($3 OPERATOR(pg_catalog.%) $2))::integer)
                 OPERATOR(pg_catalog.>) 0
            ELSE r.remaining OPERATOR(pg_catalog.>) 0
       END
 ORDER BY (s.slot OPERATOR(pg_catalog.+) $2 OPERATOR(pg_catalog.-) $4) OPERATOR(pg_catalog.%) $2
)",
                                              {{"promo_id", INT8OID},
                                               {"slots", INT4OID},
                                               {"left", INT4OID},
                                               {"preferred", INT4OID}}};

// $1 promo_id, $2 slots, $3 left. Gives every slot its row (with its share),
// so that all of them can be locked. Under REPEATABLE READ a row made by a
// transaction the snapshot does not see raises 40001 here.
const SqlStatement materialize_statement{"slot_materialize", R"(
INSERT INTO @extschema@.promo_code_slots (promo_id, slot, uses, remaining)
SELECT $1, s.slot, 0,
       ($3 OPERATOR(pg_catalog./) $2)
       OPERATOR(pg_catalog.+) (s.slot OPERATOR(pg_catalog.<) ($3 OPERATOR(pg_catalog.%) $2))::integer
  FROM pg_catalog.generate_series(0, $2 OPERATOR(pg_catalog.-) 1) AS s (slot)
ON CONFLICT (promo_id, slot) DO NOTHING
)",
                                         {{"promo_id", INT8OID}, {"slots", INT4OID}, {"left", INT4OID}}};

// $1 promo_id. Under REPEATABLE READ a row changed since the snapshot raises 40001.
const SqlStatement lock_rows_statement{"slot_lock_rows", R"(
SELECT slot
  FROM @extschema@.promo_code_slots
 WHERE promo_id OPERATOR(pg_catalog.=) $1
 ORDER BY slot
   FOR NO KEY UPDATE
)",
                                       {{"promo_id", INT8OID}}};

// $1 promo_id.
const SqlStatement slot_uses_statement{"slot_uses", R"(
SELECT COALESCE(pg_catalog.sum(uses), 0)::integer AS uses
  FROM @extschema@.promo_code_slots
 WHERE promo_id OPERATOR(pg_catalog.=) $1
)",
                                       {{"promo_id", INT8OID}}};

locks::LockId slot_lock(int64_t promo_id, int32_t slot) {
  return {locks::Lock::Slot, promo_id, static_cast<uint32_t>(slot)};
}

}  // namespace

SlottedCounter::SlottedCounter(SpiSession &spi, int64_t promo_id, int32_t slots, std::optional<int32_t> left)
    : spi_(spi),
      promo_id_(promo_id),
      slots_(slots),
      left_(left),
      // The same for a backend, so that the backends of a pool spread over
      // the slots instead of meeting on one.
      preferred_(static_cast<int32_t>(MyProcPid % slots)) {}

std::optional<int32_t> SlottedCounter::share_of(int32_t slot) const {
  if (!left_) return std::nullopt;
  return *left_ / slots_ + (slot < *left_ % slots_ ? 1 : 0);
}

bool SlottedCounter::take_from(int32_t slot) {
  return !spi_
              .execute(take_statement,
                       {bigint_arg("promo_id", promo_id_), integer_arg("slot", slot), integer_arg("share", share_of(slot))})
              .empty();
}

std::vector<int32_t> SlottedCounter::slots_with_stock() {
  Rows rows = spi_.execute(slots_with_stock_statement, {bigint_arg("promo_id", promo_id_), integer_arg("slots", slots_),
                                                       integer_arg("left", left_), integer_arg("preferred", preferred_)});
  std::vector<int32_t> slots;
  for (uint64_t i = 0; i < rows.size(); ++i) slots.push_back(rows[i].int4("slot").value());
  return slots;
}

void SlottedCounter::lock_every_slot() {
  // In slot order, so that two transactions locking every slot never wait
  // for each other in a cycle.
  for (int32_t slot = 0; slot < slots_; ++slot) locks::acquire(slot_lock(promo_id_, slot), locks::Mode::Exclusive);
}

void SlottedCounter::lock_every_slot_for_snapshot() {
  lock_every_slot();
  spi_.execute(materialize_statement,
               {bigint_arg("promo_id", promo_id_), integer_arg("slots", slots_), integer_arg("left", left_)});
  spi_.execute(lock_rows_statement, {bigint_arg("promo_id", promo_id_)});
}

std::optional<int32_t> SlottedCounter::take(const std::function<int32_t(int32_t)> &reclaim) {
  using locks::Held;
  using locks::Mode;
  // A slot whose lock this call took but that had no use left is given
  // back at once: a transaction then waits for a slot only while holding
  // none it does not use, so no cycle of waits forms.
  auto try_slot = [&](int32_t slot, bool wait) {
    const locks::LockId lock = slot_lock(promo_id_, slot);
    Held held = wait ? locks::acquire(lock, Mode::Exclusive) : locks::try_acquire(lock, Mode::Exclusive);
    if (held == Held::No) return false;
    if (take_from(slot)) return true;
    if (held == Held::Newly) locks::release(lock, Mode::Exclusive);
    return false;
  };

  // 1. The preferred slot, if no one holds it: one statement in the common case.
  if (try_slot(preferred_, false)) return preferred_;
  // 2. Another slot with a use left that no one holds; if every one is held,
  //    wait for the nearest. Each round waits for a holder to finish, so
  //    `slots` rounds are enough before certifying.
  for (int32_t round = 0; round < slots_; ++round) {
    std::vector<int32_t> stocked = slots_with_stock();
    if (stocked.empty()) break;
    for (int32_t slot : stocked)
      if (try_slot(slot, false)) return slot;
    if (try_slot(stocked.front(), true)) return stocked.front();
  }
  // 3. Certify, holding every slot to the end of the transaction, that none
  //    has a use left, once expired holds are given back.
  lock_every_slot();
  for (bool reclaimed = false;; reclaimed = true) {
    for (int32_t slot : slots_with_stock())
      if (take_from(slot)) return slot;
    if (reclaimed || reclaim(preferred_) == 0) return std::nullopt;
  }
}

int32_t SlottedCounter::slot_for_giving_back() {
  for (int32_t step = 0; step < slots_; ++step) {
    const int32_t slot = (preferred_ + step) % slots_;
    if (locks::try_acquire(slot_lock(promo_id_, slot), locks::Mode::Exclusive) != locks::Held::No) return slot;
  }
  locks::acquire(slot_lock(promo_id_, preferred_), locks::Mode::Exclusive);
  return preferred_;
}

int32_t SlottedCounter::slot_uses() {
  return spi_.execute(slot_uses_statement, {bigint_arg("promo_id", promo_id_)})[0].int4("uses").value();
}

}  // namespace promo
