// A capped counter spread over slots (escrow): each slot owns a share of the
// uses that remained when the counter was last spread, so that takers on
// different slots change different rows and run in parallel, and the cap
// stays exact:
//  - a use is taken from a slot by a guarded statement (remaining > 0) run
//    holding that slot's lock (lock_scheme.hpp), the only way a slot row
//    changes besides a fold, which waits for every taker (the owner's guard);
//  - a slot row exists only once a use was taken or given back through it;
//    until then its share is computed (share_of), so a restored dump or a
//    COPY brings back exactly the rows that existed;
//  - no refusal while a use remains: none is left only when, holding every
//    slot's lock, no slot has one, even after expired holds were given back.
// The counter belongs to an owner (a hot code today: SlotTable code_slots)
// whose guard the caller holds, shared, throughout; a fold holds it
// exclusively.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "lock_scheme.hpp"
#include "spi_session.hpp"

namespace promo {

// Where an owner's slots live: the statements on its slot table, whose
// parameters are named as in slotted_counter.cpp, and the class of its slot
// locks. One per kind of owner.
struct SlotTable {
  const SqlStatement &take;         // (owner_id, slot, share) -> slot, slot_uses
  const SqlStatement &with_stock;   // (owner_id, slots, left, preferred) -> slot
  const SqlStatement &materialize;  // (owner_id, slots, left)
  const SqlStatement &lock_rows;    // (owner_id)
  const SqlStatement &uses;         // (owner_id) -> uses
  const SqlStatement &give_back;    // (owner_id, slot, share, uses)
  const SqlStatement &fold;         // (owner_id) -> uses
  locks::Lock slot_lock;
};

// A hot code's slots: promo_code_slots.
extern const SlotTable code_slots;

class SlottedCounter {
 public:
  // `left` is what remained when the counter was spread (its cap minus what
  // it counted then: left_when_spread); empty for a counter without a cap.
  SlottedCounter(SpiSession &spi, const SlotTable &table, int64_t owner_id, int32_t slots,
                 std::optional<int32_t> left);

  static std::optional<int32_t> left_when_spread(std::optional<int32_t> cap, int32_t counted);

  // REPEATABLE READ and SERIALIZABLE: locks every slot and every slot row,
  // as a one-slot code's redemption locks its row, so that a change since
  // the transaction's snapshot raises 40001 instead of going unseen.
  void lock_every_slot_for_snapshot();

  // A use taken: its slot, and the uses the slots count with it.
  struct Taken {
    int32_t slot;
    int32_t slot_uses;
  };

  // Takes a use; empty when none is left. Before it answers empty, it calls
  // reclaim(slot) once, holding every slot: reclaim gives expired holds back
  // through `slot` (give_back) and returns how many.
  std::optional<Taken> take(const std::function<int32_t(int32_t)> &reclaim);

  // A slot to give uses back to, locked: one this transaction holds or a
  // free one, else it waits for the preferred one.
  int32_t slot_for_giving_back();

  // The same without waiting: empty when every slot is someone else's.
  std::optional<int32_t> free_slot_for_giving_back();

  // Gives `uses` back through `slot`, which the caller holds.
  void give_back(int32_t slot, int32_t uses);

  // The uses counted in the slots.
  int32_t slot_uses();

  // Removes every slot row that exists now and returns the uses they
  // counted, for the owner's own count; the caller holds the owner's guard
  // exclusively. Under REPEATABLE READ a row made since the snapshot raises
  // 40001 instead of going unseen.
  int32_t fold();

 private:
  std::optional<int32_t> share_of(int32_t slot) const;
  std::optional<Taken> take_from(int32_t slot);
  std::vector<int32_t> slots_with_stock();
  void lock_every_slot();
  locks::LockId lock_of(int32_t slot) const;

  SpiSession &spi_;
  const SlotTable &table_;
  int64_t owner_id_;
  int32_t slots_;
  std::optional<int32_t> left_;
  int32_t preferred_;
};

}  // namespace promo
