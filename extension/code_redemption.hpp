// Redemption on 1.4's and 1.5's tables: a dispatcher over two siblings, the one-slot
// path (one_slot_code.hpp) and the hot path (hot_code.hpp), which decide by
// the rules both share (redemption_rules.hpp). The tables of an older
// version are served by legacy/ instead.
#pragma once

#include <cstdint>

#include "redemption.hpp"
#include "redemption_rules.hpp"
#include "spi_session.hpp"

namespace promo {

Redemption redeem_code(SpiSession &spi, RedemptionRequest request, bool reveal_reasons);

// What happens to a redemption later; each takes the locks a redemption of
// its code takes, in the same order.
// `campaigns`: 1.5's tables, where a use given back goes to the code's
// campaign too.
bool confirm_code_redemption(SpiSession &spi, int64_t redemption_id, bool campaigns);
bool release_code_redemption(SpiSession &spi, int64_t redemption_id, bool campaigns);
// Reclaims the expired holds of up to 1,000 codes (a further call takes the
// rest); returns how many holds.
int reclaim_all_expired_code_holds(SpiSession &spi, bool campaigns);

}  // namespace promo
