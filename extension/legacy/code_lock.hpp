// Locking a code before deciding anything about it, as 1.1 and 1.3 lock it.
// A code with one slot has its row locked FOR NO KEY UPDATE (its counter is
// the lock everyone queues on). A 1.3 hot code's redemptions share its
// legacy Code lock instead, which 1.3's trigger on every change of the code
// row (deactivation, re-spreading slots, deletion) takes exclusively.
#pragma once

#include <cstdint>
#include <optional>

#include "legacy/legacy_request.hpp"
#include "redemption.hpp"
#include "spi_session.hpp"

namespace promo::legacy {

struct LockedCode {
  CodeRow row;
  std::optional<Status> refusal;  // inactive, not_yet_valid or expired
  bool exhausted = false;         // current_uses reached max_uses
  std::optional<int32_t> max_uses_per_customer;
  int32_t slots = 1;  // 1 before 1.3
};

// Locks the code a caller names (a text Datum) or a code by id, in the mode
// its slots call for. Empty if there is no such code.
std::optional<LockedCode> lock_code(SpiSession &spi, Datum code, Tables tables);
std::optional<LockedCode> lock_code_by_id(SpiSession &spi, int64_t promo_id, Tables tables);

// Locks a one-slot code's row again (its row lock is held) to read it as a
// change left it.
LockedCode relock_one_slot_code(SpiSession &spi, int64_t promo_id);

}  // namespace promo::legacy
