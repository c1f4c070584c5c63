// What happens to a redemption after it was made: confirm a hold, release a
// use, reclaim expired holds. Each locks the code row first, as a redemption
// does, so they never deadlock with one.
#pragma once

#include <cstdint>

#include "spi_session.hpp"

namespace promo {

// true if a live hold became a redemption; an expired hold is reclaimed instead.
bool confirm_redemption(SpiSession &spi, int64_t redemption_id);

// true if a live (redeemed or held) redemption gave its use back.
bool release_redemption(SpiSession &spi, int64_t redemption_id);

// Releases every expired hold, code by code in id order; returns how many.
int reclaim_all_expired_holds(SpiSession &spi);

}  // namespace promo
