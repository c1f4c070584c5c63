// Redemption on the 1.1 schema: the counter and its ledger, with customers,
// idempotency keys and holds.
#pragma once

#include <optional>
#include <string>

#include "redemption.hpp"

namespace promo {

// A text argument as a Datum for SPI and as bytes for comparison.
struct TextArgument {
  Datum datum;
  std::string text;
};

struct LedgerRequest {
  Datum code;                           // text, validated
  std::optional<TextArgument> customer;  // validated
  std::optional<TextArgument> key;       // validated
  std::optional<Datum> hold;             // interval, validated
};

Redemption redeem_with_ledger(SpiSession &spi, const LedgerRequest &request, bool reveal_reasons);

// Releases the locked code's expired holds; returns how many.
int reclaim_expired_holds_of(SpiSession &spi, int64_t promo_id);

}  // namespace promo
