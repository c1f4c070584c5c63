// Redemption on 1.0's tables, where the counter is all there is.
#pragma once

#include "redemption.hpp"
#include "spi_session.hpp"

namespace promo::legacy {

// Redeems one use of the code (a text Datum, already validated). With
// reveal_reasons off, every refusal reads as not_found.
Redemption redeem_counter_only(SpiSession &spi, Datum code, bool reveal_reasons);

}  // namespace promo::legacy
