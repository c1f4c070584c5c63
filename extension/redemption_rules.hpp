// The rules every redemption of a code obeys, whichever path it takes:
//  1. an idempotency replay comes before every refusal;
//  2. refusals, first match wins: not_found, inactive, not_yet_valid,
//     expired, customer_limit_reached, exhausted;
//  3. customer_limit_reached and exhausted are decided again after the
//     code's expired holds are reclaimed.
// Callers hold the code's locks (lock_scheme.hpp) before they apply them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "code_redemption.hpp"
#include "redemption.hpp"
#include "spi_session.hpp"

namespace promo {

// The code row as a path read it, and what it says about a new use.
struct CodeState {
  CodeRow row;
  std::optional<Status> refusal;  // inactive, not_yet_valid or expired
  bool exhausted = false;         // current_uses reached max_uses (one-slot codes)
  std::optional<int32_t> max_uses_per_customer;
  int32_t slots = 1;
};

// Reads the columns every code-reading statement returns: promo_id, code,
// current_uses, max_uses, is_active, max_uses_per_customer, slots, refusal
// and exhausted.
CodeState read_code_state(const ResultRow &row);

// The code a caller names, unlocked: empty if there is none.
std::optional<FoundCode> find_code(SpiSession &spi, Datum code_key);

// The redemption an idempotency key names for a code.
struct KeyedRedemption {
  LedgerEntry entry;
  bool expired_hold = false;  // held, and past its expiry
};
std::optional<KeyedRedemption> find_key(SpiSession &spi, int64_t promo_id, const RedemptionRequest &request);

// The answer to a replay of `keyed` (after any expired hold was reclaimed).
Redemption replay_answer(const KeyedRedemption &keyed, const CodeRow &row);

// A customer's live (redeemed or held) redemptions of a code.
int32_t customer_live_uses(SpiSession &spi, int64_t promo_id, const TextArgument &customer);

// Whether the request must pass the customer limit of this code.
bool customer_limited(const RedemptionRequest &request, const CodeState &code);

// Makes a live hold `redeemed`; false for anything else.
bool confirm_live_hold(SpiSession &spi, int64_t redemption_id);

// A refusal: with reasons hidden, it reads exactly like an unknown code.
Redemption refusal(Status status, const CodeRow &row, bool reveal_reasons);

}  // namespace promo
