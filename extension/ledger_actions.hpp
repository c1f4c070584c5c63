// What happens to a redemption after it was made: confirm a hold, release a
// use, reclaim expired holds. Each locks the code row first, as a redemption
// does (and for a hot code, the slot before the ledger row), so they never
// deadlock with one.
#pragma once

#include <cstdint>

#include "ledger_redemption.hpp"
#include "spi_session.hpp"

namespace promo {

// true if a live hold became a redemption; an expired hold is reclaimed instead.
bool confirm_redemption(SpiSession &spi, int64_t redemption_id, Schema schema);

// true if a live (redeemed or held) redemption gave its use back.
bool release_redemption(SpiSession &spi, int64_t redemption_id, Schema schema);

// Releases every expired hold, code by code in id order; returns how many.
int reclaim_all_expired_holds(SpiSession &spi, Schema schema);

}  // namespace promo
