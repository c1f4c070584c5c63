// Locking a code before deciding anything about it. A code with one slot has
// its row locked FOR NO KEY UPDATE (its counter is the lock everyone queues
// on). A hot code's redemptions share its advisory lock instead, which every
// change of the code row (deactivation, re-spreading slots, deletion) takes
// exclusively, by trigger: a row lock shared by a hundred transactions would
// cost a new MultiXact and a WAL record per redemption.
#pragma once

#include <cstdint>
#include <optional>

#include "redemption.hpp"

namespace promo {

struct LockedCode {
  CodeRow row;
  std::optional<Status> refusal;  // inactive, not_yet_valid, expired, exhausted
  std::optional<int32_t> max_uses_per_customer;
  int32_t slots = 1;  // 1 before schema 1.3
};

// Reads a row of LedgerLockCode / Slotted* / HotShare* (slots from column 7, if present).
LockedCode read_locked_code(const SpiSession &spi);

// Locks a code row again by id (the 1.1 lock) after it was changed.
LockedCode relock_by_id(SpiSession &spi, int64_t promo_id);

// Schema 1.3: locks the row of a code (a text Datum) or of a code id in the
// mode its slots call for. Empty if there is no such code.
std::optional<LockedCode> lock_code(SpiSession &spi, Datum code);
std::optional<LockedCode> lock_code_by_id(SpiSession &spi, int64_t promo_id);

}  // namespace promo
