// Hot codes (schema 1.3, slots > 1): the remaining uses are spread over slot
// rows, so redemptions of one code take different row locks and proceed in
// parallel. How each guarantee stays race-free without the one row lock:
// - the cap: a use is taken from a slot by a guarded UPDATE (remaining > 0,
//   re-checked under the slot's lock); `exhausted` is answered only with every
//   slot locked in slot order and none left, after reclaiming expired holds;
// - idempotency keys and customer limits: a transaction advisory lock per
//   (code, key) and per (code, customer), taken before any slot;
// - deactivation, re-spreading, deletion: hot redemptions share the code's
//   advisory lock, which a trigger on every such change takes exclusively;
// - no deadlock: locks are taken code, key, customer, slots (in slot order
//   when more than one), ledger rows, by every path.
#pragma once

#include <cstdint>

#include "code_lock.hpp"
#include "ledger_redemption.hpp"

namespace promo {

// Redeems a use of a hot code the caller has locked (lock_code).
Redemption redeem_hot(SpiSession &spi, const LedgerRequest &request, const LockedCode &locked,
                      bool reveal_reasons);

// Locks every slot of a hot code in order and reclaims its expired holds; returns how many.
int reclaim_hot(SpiSession &spi, const LockedCode &locked);

// Gives a hot redemption's use back to its slot; false if it was released already.
bool release_hot(SpiSession &spi, int64_t redemption_id, const LockedCode &locked);

}  // namespace promo
