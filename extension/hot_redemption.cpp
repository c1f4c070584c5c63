#include "hot_redemption.hpp"

#include <stdexcept>

#include "error_bridge.hpp"
#include "subtransaction.hpp"

namespace promo {

namespace {

// The code's usage: its counter plus its slots' uses.
CodeRow with_usage(SpiSession &spi, CodeRow row) {
  const Datum args[] = {Int64GetDatum(row.id)};
  spi.run(Statement::HotSlotUses, args, nullptr);
  row.current_uses += spi.int4_value(0, 0).value();
  return row;
}

void advisory_lock(SpiSession &spi, Statement statement, int64_t promo_id, const TextArgument &argument) {
  const Datum args[] = {Int64GetDatum(promo_id), argument.datum};
  spi.run(statement, args, nullptr);
}

// A slot to start from that stays the same for a backend, so that the
// backends of a pool spread over the slots instead of meeting on one.
int32_t preferred_slot(int32_t slots) {
  return static_cast<int32_t>(MyProcPid % slots);
}

std::optional<int32_t> take_slot(SpiSession &spi, Statement statement, const Datum *args) {
  if (spi.run(statement, args, nullptr) == 0) return std::nullopt;
  return spi.int4_value(0, 0).value();
}

// Locks a slot with `choose` (HotTakeFreeSlot or HotWaitForSlot), then takes a use from it.
std::optional<int32_t> choose_and_take(SpiSession &spi, Statement choose, const Datum *choose_args) {
  std::optional<int32_t> slot = take_slot(spi, choose, choose_args);
  if (!slot) return std::nullopt;
  const Datum args[] = {choose_args[0], Int32GetDatum(*slot)};
  return take_slot(spi, Statement::HotTakeSlot, args);
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
  const int32_t preferred = preferred_slot(locked.slots);
  // Holding every slot's row already (reclaim_hot), it must not queue for one:
  // the holder of that queue may be waiting for one of those rows.
  if (!holding_every_slot) {
    // 1. The first slot nobody holds that has stock, from the preferred one on.
    const Datum free_args[] = {Int64GetDatum(promo_id), Int32GetDatum(preferred),
                               Int32GetDatum(locked.slots)};
    if (auto slot =
            in_subtransaction([&] { return choose_and_take(spi, Statement::HotTakeFreeSlot, free_args); }))
      return slot;
    // 2. All are held or empty: queue for the nearest slot with stock.
    if (auto slot =
            in_subtransaction([&] { return choose_and_take(spi, Statement::HotWaitForSlot, free_args); }))
      return slot;
  }
  // 3. None: certify, holding every slot, that none has a use left.
  for (bool reclaimed = false;; reclaimed = true) {
    const Datum lock_args[] = {Int64GetDatum(promo_id)};
    spi.run(Statement::HotLockSlots, lock_args, nullptr);
    for (uint64_t row = 0; row < spi.processed(); ++row) {
      if (!spi.bool_value(row, 1).value()) continue;
      const Datum args[] = {Int64GetDatum(promo_id), Int32GetDatum(spi.int4_value(row, 0).value())};
      if (auto slot = take_slot(spi, Statement::HotTakeSlot, args)) return slot;
      throw std::runtime_error("a locked slot with stock gave no use");
    }
    if (reclaimed || holding_every_slot || reclaim_hot(spi, locked) == 0) return std::nullopt;
  }
}

}  // namespace

int reclaim_hot(SpiSession &spi, const LockedCode &locked) {
  const Datum lock_args[] = {Int64GetDatum(locked.row.id)};
  spi.run(Statement::HotLockSlots, lock_args, nullptr);
  const Datum args[] = {Int64GetDatum(locked.row.id), Int32GetDatum(locked.slots)};
  spi.run(Statement::HotReclaimHolds, args, nullptr);
  return spi.int4_value(0, 0).value();
}

bool release_hot(SpiSession &spi, int64_t redemption_id, const LockedCode &locked) {
  const Datum lock_args[] = {Int64GetDatum(redemption_id), Int64GetDatum(locked.row.id),
                             Int32GetDatum(locked.slots)};
  spi.run(Statement::HotLockSlotOf, lock_args, nullptr);
  const Datum args[] = {Int64GetDatum(redemption_id), Int32GetDatum(locked.slots)};
  return spi.run(Statement::HotRelease, args, nullptr) == 1;
}

Redemption redeem_hot(SpiSession &spi, const LedgerRequest &request, const LockedCode &locked,
                      bool reveal_reasons) {
  auto refuse = [&](Status status) {
    return reveal_reasons ? Redemption{status, with_usage(spi, locked.row), std::nullopt} : Redemption{};
  };
  if (request.key) {
    advisory_lock(spi, Statement::HotLockKey, locked.row.id, *request.key);
    LockedCode current = locked;
    auto reclaim = [&](LockedCode &code) { reclaim_hot(spi, code); };
    if (std::optional<Redemption> replayed = replay(spi, current, request, reclaim)) {
      replayed->row = with_usage(spi, locked.row);
      return *replayed;
    }
  }
  // The counter's own `exhausted` says nothing of a hot code: the slots decide.
  if (locked.refusal && *locked.refusal != Status::Exhausted) return refuse(*locked.refusal);

  bool holding_every_slot = false;  // and expired holds reclaimed
  if (request.customer && locked.max_uses_per_customer) {
    advisory_lock(spi, Statement::HotLockCustomer, locked.row.id, *request.customer);
    if (customer_at_limit(spi, locked, *request.customer)) {
      holding_every_slot = true;
      if (reclaim_hot(spi, locked) == 0 || customer_at_limit(spi, locked, *request.customer))
        return refuse(Status::CustomerLimitReached);
    }
  }
  std::optional<int32_t> slot = take_use(spi, locked, holding_every_slot);
  if (!slot) return refuse(Status::Exhausted);

  char nulls[] = "     ";
  const Datum args[] = {Int64GetDatum(locked.row.id), datum_or_null(request.customer, nulls[1]),
                        datum_or_null(request.key, nulls[2]), request.hold.value_or(Datum(0)),
                        Int32GetDatum(*slot)};
  nulls[3] = request.hold ? ' ' : 'n';
  if (spi.run(Statement::HotInsertLedger, args, nulls) != 1)
    throw std::runtime_error("a hot redemption wrote no ledger row");
  LedgerEntry entry{spi.int8_value(0, 0).value(), spi.text_value(0, 1).value(), spi.int8_value(0, 2), false};
  CodeRow row = locked.row;
  row.current_uses += spi.int4_value(0, 3).value();
  return Redemption{Status::Redeemed, row, entry};
}

}  // namespace promo
