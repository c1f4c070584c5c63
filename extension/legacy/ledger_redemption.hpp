// Redemption of a code with one slot on the tables of 1.1 to 1.3: the
// counter and its ledger, with customers, idempotency keys and holds.
#pragma once

#include <cstdint>
#include <optional>

#include "legacy/code_lock.hpp"
#include "legacy/legacy_request.hpp"
#include "redemption.hpp"
#include "spi_session.hpp"

namespace promo::legacy {

// Without a key, and unless a customer limit must be checked, the guarded
// UPDATE and its ledger row without locking the code first. Empty if it did
// not redeem (the caller then locks the code and decides).
std::optional<Redemption> redeem_unlocked(SpiSession &spi, const Request &request, Tables tables);

// Everything that needs the one-slot code's row locked first: replays,
// customer limits, reclaiming expired holds, and the reason for a refusal.
Redemption redeem_one_slot(SpiSession &spi, const Request &request, LockedCode locked, bool reveal_reasons);

// Releases the locked code's expired holds and gives their uses back; returns how many.
int32_t reclaim_one_slot(SpiSession &spi, int64_t promo_id);

// Gives a redemption's use back to its locked code; false if it was released already.
bool release_one_slot(SpiSession &spi, int64_t promo_id, int64_t redemption_id);

}  // namespace promo::legacy
