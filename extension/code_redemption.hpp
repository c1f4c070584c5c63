// Redemption on the 1.4 schema: a dispatcher over the one-slot path
// (one_slot_code.cpp) and the hot path (hot_code.cpp), which decide by the
// rules both share (redemption_rules.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "redemption.hpp"
#include "spi_session.hpp"
#include "text_argument.hpp"

namespace promo {

struct RedemptionRequest {
  Datum code_key;                           // the normalized code (text)
  std::optional<TextArgument> customer;     // validated
  std::optional<TextArgument> key;          // validated
  std::optional<TimestampTz> hold_expires;  // now() + the hold, validated
};

// A code as found by its key, before any lock: which path it takes.
struct FoundCode {
  int64_t id = 0;
  int32_t slots = 1;
  bool customer_limited = false;  // max_uses_per_customer is set
};

Redemption redeem_code(SpiSession &spi, const RedemptionRequest &request, bool reveal_reasons);

// What happens to a redemption later; each takes the locks a redemption of
// its code takes, in the same order.
bool confirm_code_redemption(SpiSession &spi, int64_t redemption_id);
bool release_code_redemption(SpiSession &spi, int64_t redemption_id);
// Reclaims the expired holds of up to 1,000 codes (a further call takes the
// rest); returns how many holds.
int reclaim_all_expired_code_holds(SpiSession &spi);

}  // namespace promo
