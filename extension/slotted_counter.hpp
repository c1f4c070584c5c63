// A capped counter spread over slots (escrow): each slot of a hot code owns a
// share of the uses that remained when the code was last spread, so that
// redemptions on different slots take different rows and run in parallel,
// and the cap stays exact:
//  - a use is taken from a slot by a guarded statement (remaining > 0) run
//    while holding that slot's lock (lock_scheme.hpp), the only way a slot
//    row changes besides a DBA's change of the code, which waits for every
//    hot redemption;
//  - a slot row exists only once a use was taken or given back through it;
//    until then its share is computed from the code row (share_of), so a
//    restored dump or a COPY brings back exactly the rows that existed;
//  - no refusal while a use remains: `exhausted` is answered only holding
//    every slot's lock, with none left and expired holds reclaimed.
// The caller holds the owner's guard (CodeGuard, shared) throughout.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "spi_session.hpp"

namespace promo {

class SlottedCounter {
 public:
  // `left` is what remained when the code was spread (max_uses minus
  // current_uses); empty for a code without a cap.
  SlottedCounter(SpiSession &spi, int64_t promo_id, int32_t slots, std::optional<int32_t> left);

  // REPEATABLE READ and SERIALIZABLE: locks every slot and every slot row,
  // as a one-slot code's redemption locks its row, so that a change since
  // the transaction's snapshot raises 40001 instead of going unseen.
  void lock_every_slot_for_snapshot();

  // Takes a use; returns its slot, or empty when none is left. Before it
  // answers empty, it calls reclaim(slot) once, holding every slot: reclaim
  // gives expired holds back through `slot` and returns how many.
  std::optional<int32_t> take(const std::function<int32_t(int32_t)> &reclaim);

  // A slot to give uses back to, locked: one this transaction holds or a
  // free one, else it waits for the preferred one.
  int32_t slot_for_giving_back();

  // A slot's share of `left` while it has no row: empty without a cap.
  std::optional<int32_t> share_of(int32_t slot) const;

  // The uses counted in the slots.
  int32_t slot_uses();

 private:
  bool take_from(int32_t slot);
  std::vector<int32_t> slots_with_stock();
  void lock_every_slot();

  SpiSession &spi_;
  int64_t promo_id_;
  int32_t slots_;
  std::optional<int32_t> left_;
  int32_t preferred_;
};

}  // namespace promo
