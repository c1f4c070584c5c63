// Hot codes on 1.3's tables (slots > 1): every slot has its row, and each
// use is taken from one, so redemptions of one code take different row locks
// and run in parallel. How each guarantee stays race-free without the one
// row lock:
// - the cap: a use is taken from a slot by a guarded UPDATE (remaining > 0,
//   re-checked under the slot's lock); `exhausted` is answered only with every
//   slot locked in slot order and none left, after reclaiming expired holds;
// - idempotency keys and customer limits: a lock per (code, key) and per
//   (code, customer), taken before any slot;
// - deactivation, re-spreading, deletion: hot redemptions share the code's
//   Code lock, which 1.3's trigger on every such change takes exclusively;
// - no deadlock: the order of lock_scheme.hpp (namespace legacy).
#pragma once

#include <cstdint>

#include "legacy/code_lock.hpp"
#include "legacy/legacy_request.hpp"
#include "redemption.hpp"
#include "spi_session.hpp"

namespace promo::legacy {

// Redeems a use of a hot code the caller has locked (lock_code).
Redemption redeem_hot(SpiSession &spi, const Request &request, const LockedCode &locked, bool reveal_reasons);

// Locks every slot of a hot code in order and reclaims its expired holds; returns how many.
int32_t reclaim_hot(SpiSession &spi, const LockedCode &locked);

// Gives a hot redemption's use back to its slot; false if it was released already.
bool release_hot(SpiSession &spi, int64_t redemption_id, const LockedCode &locked);

}  // namespace promo::legacy
