// Redemption on the 1.1 schema: the counter and its ledger, with customers,
// idempotency keys and holds.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "redemption.hpp"
#include "text_argument.hpp"

namespace promo {

// An optional argument as an SPI value; sets its null flag ('n' when absent).
Datum datum_or_null(const std::optional<TextArgument> &argument, char &null_flag);

struct LedgerRequest {
  Datum code;                            // text, validated
  std::optional<TextArgument> customer;  // validated
  std::optional<TextArgument> key;       // validated
  std::optional<Datum> hold;             // interval, validated
};

// The schema the calling SQL function belongs to: 1.1 and 1.2 share one.
enum class Schema { V1_1, V1_3 };

Redemption redeem_with_ledger(SpiSession &spi, const LedgerRequest &request, bool reveal_reasons,
                              Schema schema);

struct LockedCode;

// Whether a customer's live uses (redeemed or held) of a locked code reach its
// max_uses_per_customer, which must be set.
bool customer_at_limit(SpiSession &spi, const LockedCode &locked, const TextArgument &customer);

// An idempotency replay on a locked code: the redemption the key already
// names, if any. An expired hold it names is reclaimed on the way (reclaim
// releases the code's expired holds and refreshes `locked`).
std::optional<Redemption> replay(SpiSession &spi, LockedCode &locked, const LedgerRequest &request,
                                 const std::function<void(LockedCode &)> &reclaim);

// Releases the locked code's expired holds; returns how many.
int reclaim_expired_holds_of(SpiSession &spi, int64_t promo_id);

}  // namespace promo
