// Hot codes (schema 1.3, slots > 1): the remaining uses are spread over slot
// rows, so redemptions of one code take different row locks and proceed in
// parallel. How each guarantee stays race-free without the one row lock:
// - the cap: a use is taken from a slot by a guarded UPDATE (remaining > 0,
//   re-checked under the slot's lock); `exhausted` is answered only with every
//   slot locked in slot order and none left, after reclaiming expired holds;
// - idempotency keys and customer limits: a transaction advisory lock per
//   (code, key) and per (code, customer), taken before any slot;
// - deactivation and re-spreading: the code row is shared (FOR SHARE) by hot
//   redemptions, and an UPDATE of it waits for them;
// - no deadlock: locks are taken code row, advisory, slots (in slot order when
//   more than one), ledger rows, by every path.
#pragma once

#include <cstdint>

#include "code_lock.hpp"
#include "ledger_redemption.hpp"

namespace promo {

// Redeems a use of a hot code whose row the caller holds FOR SHARE (or stronger).
Redemption redeem_hot(SpiSession &spi, const LedgerRequest &request, const LockedCode &locked,
                      bool reveal_reasons);

// Locks every slot of a hot code in order and reclaims its expired holds; returns how many.
int reclaim_hot(SpiSession &spi, const LockedCode &locked);

// Gives a hot redemption's use back to its slot; false if it was released already.
bool release_hot(SpiSession &spi, int64_t redemption_id, const LockedCode &locked);

}  // namespace promo
