#include "slotted_counter.hpp"

#include <algorithm>
#include <vector>

namespace promo {

namespace {

// The statements on promo_code_slots, a hot code's slots (owner_id: the
// code's id). Another kind of owner (a campaign's cap) has its own table and
// the same statements on it.

// $1 owner_id, $2 slot, $3 share: the slot's share while it has no row,
// NULL for a counter without a cap (whose slots' remaining is ignored). Run
// holding the slot's lock: exactly one of the two parts applies, and no one
// else writes the row meanwhile. slot_uses: the slots' uses with this one
// (the statement's snapshot does not see its own change, hence the + 1).
const SqlStatement code_slot_take{"code_slot_take",
                                  R"(
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
SELECT t.slot,
       (SELECT COALESCE(pg_catalog.sum(uses), 0)::integer OPERATOR(pg_catalog.+) 1
          FROM @extschema@.promo_code_slots
         WHERE promo_id OPERATOR(pg_catalog.=) $1) AS slot_uses
  FROM (SELECT slot FROM taken UNION ALL SELECT slot FROM created) t
)",
                                  {{"owner_id", INT8OID}, {"slot", INT4OID}, {"share", INT4OID}}};

// (Every OPERATOR(...) has one precedence: the parentheses are needed.)
// $1 owner_id, $2 slots, $3 left (NULL without a cap), $4 preferred slot.
// The slots that have a use left, from the preferred one on; a slot without
// a row has its share of `left` (the same division as share_of).
const SqlStatement code_slots_with_stock{
    "code_slots_with_stock",
    R"(
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
    {{"owner_id", INT8OID}, {"slots", INT4OID}, {"left", INT4OID}, {"preferred", INT4OID}}};

// $1 owner_id, $2 slots, $3 left. Gives every slot its row (with its share),
// so that all of them can be locked. Under REPEATABLE READ a row made by a
// transaction the snapshot does not see raises 40001 here.
const SqlStatement code_slots_materialize{"code_slots_materialize",
                                          R"(
INSERT INTO @extschema@.promo_code_slots (promo_id, slot, uses, remaining)
SELECT $1, s.slot, 0,
       ($3 OPERATOR(pg_catalog./) $2)
       OPERATOR(pg_catalog.+) (s.slot OPERATOR(pg_catalog.<) ($3 OPERATOR(pg_catalog.%) $2))::integer
  FROM pg_catalog.generate_series(0, $2 OPERATOR(pg_catalog.-) 1) AS s (slot)
ON CONFLICT (promo_id, slot) DO NOTHING
)",
                                          {{"owner_id", INT8OID}, {"slots", INT4OID}, {"left", INT4OID}}};

// $1 owner_id. Under REPEATABLE READ a row changed since the snapshot raises 40001.
const SqlStatement code_slots_lock_rows{"code_slots_lock_rows",
                                        R"(
SELECT slot
  FROM @extschema@.promo_code_slots
 WHERE promo_id OPERATOR(pg_catalog.=) $1
 ORDER BY slot
   FOR NO KEY UPDATE
)",
                                        {{"owner_id", INT8OID}}};

// $1 owner_id.
const SqlStatement code_slots_uses{"code_slots_uses",
                                   R"(
SELECT COALESCE(pg_catalog.sum(uses), 0)::integer AS uses
  FROM @extschema@.promo_code_slots
 WHERE promo_id OPERATOR(pg_catalog.=) $1
)",
                                   {{"owner_id", INT8OID}}};

// $1 owner_id, $2 slot (locked by the caller), $3 its share, $4 uses given
// back. A slot row without one yet starts from its share.
const SqlStatement code_slot_give_back{
    "code_slot_give_back",
    R"(
INSERT INTO @extschema@.promo_code_slots AS s (promo_id, slot, uses, remaining)
VALUES ($1, $2, OPERATOR(pg_catalog.-) $4, $3 OPERATOR(pg_catalog.+) $4)
ON CONFLICT (promo_id, slot) DO UPDATE
   SET uses = s.uses OPERATOR(pg_catalog.-) $4,
       remaining = s.remaining OPERATOR(pg_catalog.+) $4
)",
    {{"owner_id", INT8OID}, {"slot", INT4OID}, {"share", INT4OID}, {"uses", INT4OID}}};

// $1 owner_id. Removes the slot rows; returns the uses they counted.
const SqlStatement code_slots_fold{"code_slots_fold",
                                   R"(
WITH folded AS (
  DELETE FROM @extschema@.promo_code_slots
   WHERE promo_id OPERATOR(pg_catalog.=) $1
  RETURNING uses
)
SELECT COALESCE(pg_catalog.sum(uses), 0)::integer AS uses FROM folded
)",
                                   {{"owner_id", INT8OID}}};

}  // namespace

const SlotTable code_slots{code_slot_take,       code_slots_with_stock, code_slots_materialize,
                           code_slots_lock_rows, code_slots_uses,       code_slot_give_back,
                           code_slots_fold,      locks::Lock::Slot};

SlottedCounter::SlottedCounter(SpiSession &spi, const SlotTable &table, int64_t owner_id, int32_t slots,
                               std::optional<int32_t> left)
    : spi_(spi),
      table_(table),
      owner_id_(owner_id),
      slots_(slots),
      left_(left),
      // The same for a backend, so that the backends of a pool spread over
      // the slots instead of meeting on one.
      preferred_(static_cast<int32_t>(MyProcPid % slots)) {}

std::optional<int32_t> SlottedCounter::left_when_spread(std::optional<int32_t> cap, int32_t counted) {
  if (!cap) return std::nullopt;
  return std::max(*cap - counted, 0);
}

locks::LockId SlottedCounter::lock_of(int32_t slot) const {
  return {table_.slot_lock, owner_id_, static_cast<uint32_t>(slot)};
}

std::optional<int32_t> SlottedCounter::share_of(int32_t slot) const {
  if (!left_) return std::nullopt;
  return *left_ / slots_ + (slot < *left_ % slots_ ? 1 : 0);
}

std::optional<SlottedCounter::Taken> SlottedCounter::take_from(int32_t slot) {
  Rows rows = spi_.execute(table_.take, {bigint_arg("owner_id", owner_id_), integer_arg("slot", slot),
                                         integer_arg("share", share_of(slot))});
  if (rows.empty()) return std::nullopt;
  return Taken{slot, rows[0].int4("slot_uses").value()};
}

std::vector<int32_t> SlottedCounter::slots_with_stock() {
  Rows rows =
      spi_.execute(table_.with_stock, {bigint_arg("owner_id", owner_id_), integer_arg("slots", slots_),
                                       integer_arg("left", left_), integer_arg("preferred", preferred_)});
  std::vector<int32_t> slots;
  for (uint64_t i = 0; i < rows.size(); ++i) slots.push_back(rows[i].int4("slot").value());
  return slots;
}

void SlottedCounter::lock_every_slot() {
  // In slot order, so that two transactions locking every slot never wait
  // for each other in a cycle.
  for (int32_t slot = 0; slot < slots_; ++slot) locks::acquire(lock_of(slot), locks::Mode::Exclusive);
}

void SlottedCounter::lock_every_slot_for_snapshot() {
  lock_every_slot();
  spi_.execute(table_.materialize,
               {bigint_arg("owner_id", owner_id_), integer_arg("slots", slots_), integer_arg("left", left_)});
  spi_.execute(table_.lock_rows, {bigint_arg("owner_id", owner_id_)});
}

std::optional<SlottedCounter::Taken> SlottedCounter::take(const std::function<int32_t(int32_t)> &reclaim) {
  using locks::Held;
  using locks::Mode;
  // A slot whose lock this call took but that had no use left is given
  // back at once: a transaction then waits for a slot only while holding
  // none it does not use, so no cycle of waits forms.
  auto try_slot = [&](int32_t slot, bool wait) -> std::optional<Taken> {
    const locks::LockId lock = lock_of(slot);
    Held held = wait ? locks::acquire(lock, Mode::Exclusive) : locks::try_acquire(lock, Mode::Exclusive);
    if (held == Held::No) return std::nullopt;
    if (std::optional<Taken> taken = take_from(slot)) return taken;
    if (held == Held::Newly) locks::release(lock, Mode::Exclusive);
    return std::nullopt;
  };

  // 1. The first slot no one holds, from the preferred one on: one statement
  //    in the common case. (Lock attempts cost no statement; a slot found
  //    without a use left ends the search, which goes on knowing the stock.)
  for (int32_t step = 0; step < slots_; ++step) {
    const int32_t slot = (preferred_ + step) % slots_;
    const locks::LockId lock = lock_of(slot);
    const Held held = locks::try_acquire(lock, Mode::Exclusive);
    if (held == Held::No) continue;
    if (std::optional<Taken> taken = take_from(slot)) return taken;
    if (held == Held::Newly) locks::release(lock, Mode::Exclusive);
    break;
  }
  // 2. Another slot with a use left that no one holds; if every one is held,
  //    wait for the nearest. Each round waits for a holder to finish, so
  //    `slots` rounds are enough before certifying.
  for (int32_t round = 0; round < slots_; ++round) {
    std::vector<int32_t> stocked = slots_with_stock();
    if (stocked.empty()) break;
    for (int32_t slot : stocked)
      if (std::optional<Taken> taken = try_slot(slot, false)) return taken;
    if (std::optional<Taken> taken = try_slot(stocked.front(), true)) return taken;
  }
  // 3. Certify, holding every slot to the end of the transaction, that none
  //    has a use left, once expired holds are given back.
  lock_every_slot();
  for (bool reclaimed = false;; reclaimed = true) {
    for (int32_t slot : slots_with_stock())
      if (std::optional<Taken> taken = take_from(slot)) return taken;
    if (reclaimed || reclaim(preferred_) == 0) return std::nullopt;
  }
}

std::optional<int32_t> SlottedCounter::free_slot_for_giving_back() {
  for (int32_t step = 0; step < slots_; ++step) {
    const int32_t slot = (preferred_ + step) % slots_;
    if (locks::try_acquire(lock_of(slot), locks::Mode::Exclusive) != locks::Held::No) return slot;
  }
  return std::nullopt;
}

int32_t SlottedCounter::slot_for_giving_back() {
  if (std::optional<int32_t> slot = free_slot_for_giving_back()) return *slot;
  locks::acquire(lock_of(preferred_), locks::Mode::Exclusive);
  return preferred_;
}

void SlottedCounter::give_back(int32_t slot, int32_t uses) {
  spi_.execute(table_.give_back, {bigint_arg("owner_id", owner_id_), integer_arg("slot", slot),
                                  integer_arg("share", share_of(slot)), integer_arg("uses", uses)});
}

int32_t SlottedCounter::slot_uses() {
  return spi_.execute(table_.uses, {bigint_arg("owner_id", owner_id_)})[0].int4("uses").value();
}

int32_t SlottedCounter::fold() {
  if (IsolationUsesXactSnapshot())
    spi_.execute(table_.materialize, {bigint_arg("owner_id", owner_id_), integer_arg("slots", slots_),
                                      integer_arg("left", left_)});
  return spi_.execute(table_.fold, {bigint_arg("owner_id", owner_id_)})[0].int4("uses").value();
}

}  // namespace promo
