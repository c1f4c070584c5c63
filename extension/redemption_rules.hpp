// The rules every redemption obeys, whichever path takes it: the one-slot
// and hot paths of 1.4 (one_slot_code.cpp, hot_code.cpp) and those of the
// older tables (legacy/). Each path applies them in this order once it holds
// the code's locks (lock_scheme.hpp):
//  1. an idempotency replay comes before every refusal (find_key, replay_of);
//  2. refusals, first match wins: not_found, inactive, not_yet_valid,
//     expired (read_row_refusal), on 1.6's tables customer_required,
//     wrong_currency, below_minimum (order_refusal, by the terms the path
//     read with the row), customer_limit_reached
//     (uses_below_customer_limit), exhausted (the path's counter);
//  3. customer_limit_reached and exhausted are decided again after the
//     code's expired holds are reclaimed (release_expired_holds; the path
//     gives their uses back to its counter, and to its campaign's);
//  4. a code of a campaign (1.5) that passes its own rules then meets the
//     campaign's, in the same order: inactive, not_yet_valid, expired, on
//     1.6's tables its order rules (Campaign::order_refusal), the
//     campaign's customer limit, the campaign's max_uses (campaign.hpp);
//     before the last two refuse, the expired holds of the campaign's other
//     codes are reclaimed too, from each code no one else holds at the time.
//     A refusal says whose rule it was (refused_by: code or campaign).
// The ledger statements here use only what promo_redemptions has had since
// 1.1. Below them, 1.4's own: the request, the code as found and as read.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "code_lookup.hpp"
#include "order_terms.hpp"
#include "redemption.hpp"
#include "spi_session.hpp"
#include "text_argument.hpp"

namespace promo {

// The first refusal a code row gives a new use, in the order of the rules:
// inactive, then not_yet_valid, then expired. Reads the boolean columns
// named like those statuses.
std::optional<Status> read_row_refusal(const ResultRow &row);

// A refusal by the code's rules or its campaign's: with reasons hidden, it
// reads exactly like an unknown code.
Redemption refusal(Status status, const CodeRow &row, bool reveal_reasons, Scope scope = Scope::Code);

// The redemption an idempotency key names for a code; 22023 if it names one
// of another customer (NULL matches only NULL).
struct KeyedRedemption {
  LedgerEntry entry;
  bool expired_hold = false;  // held, and past its expiry
};
std::optional<KeyedRedemption> find_key(SpiSession &spi, int64_t promo_id, const TextArgument &key,
                                        const std::optional<TextArgument> &customer);

// A replay: a released redemption reads `released`, a live one `redeemed`.
// It answers about the caller's own key, so reasons hidden or not.
Redemption replay_of(const LedgerEntry &entry, const CodeRow &row);

// A customer's live (redeemed or held) redemptions of a code.
int32_t customer_live_uses(SpiSession &spi, int64_t promo_id, const TextArgument &customer);

// The customer's live uses if they are below `limit`, counted again after
// `reclaim` (which reclaims the code's expired holds and returns how many)
// when they reach it; empty: customer_limit_reached.
std::optional<int32_t> uses_below_customer_limit(SpiSession &spi, int64_t promo_id,
                                                 const TextArgument &customer, int32_t limit,
                                                 const std::function<int32_t()> &reclaim);

// Releases a code's expired holds; returns how many. The caller holds the
// code's locks and gives the uses back to its counter.
int32_t release_expired_holds(SpiSession &spi, int64_t promo_id);

// The same without waiting for a hold another transaction has locked (it is
// releasing or confirming it): for a caller that holds another code's locks.
int32_t release_expired_holds_without_waiting(SpiSession &spi, int64_t promo_id);

// Releases a live (redeemed or held) redemption; false if it was released
// already. The caller holds its code's locks and gives the use back.
bool release_ledger_row(SpiSession &spi, int64_t redemption_id);

// Makes a live hold `redeemed`; false for anything else.
bool confirm_live_hold(SpiSession &spi, int64_t redemption_id);

// --- 1.4's tables ---

struct RedemptionRequest {
  Datum code_key;                           // the normalized code (text)
  std::optional<TextArgument> customer;     // validated
  std::optional<TextArgument> key;          // validated
  std::optional<TimestampTz> hold_expires;  // now() + the hold, validated
  bool campaigns = false;                   // 1.5's tables: codes may have a campaign
  // Reclaims the expired holds of the campaign's codes other than `except`
  // (of `customer`, if given) from every code no one else is using, giving
  // their uses back to those codes; returns how many, for the caller to give
  // back to the campaign (code_redemption.cpp sets it).
  std::function<int32_t(int64_t campaign_id, int64_t except, const std::optional<TextArgument> &customer)>
      reclaim_elsewhere;
  bool orders = false;                 // 1.6's tables: codes have order terms, the ledger records orders
  std::optional<OrderArgument> order;  // validated; only with `orders`
};

// The code a caller names, unlocked: empty if there is none.
std::optional<FoundCode> find_code(SpiSession &spi, Datum code_key, bool campaigns, bool orders);

// The code row as a path read it, and what it says about a new use.
struct CodeState {
  CodeRow row;
  std::optional<Status> refusal;  // inactive, not_yet_valid or expired
  bool exhausted = false;         // current_uses reached max_uses (one-slot codes)
  std::optional<int32_t> max_uses_per_customer;
  int32_t slots = 1;
  std::optional<int64_t> campaign_id;  // read by the path on 1.5's tables (campaign::of_code)
  std::optional<OrderTerms> terms;     // read by the path on 1.6's tables
};

// Reads the columns every code-reading statement returns: those of
// read_code_row and read_row_refusal, max_uses_per_customer, slots, exhausted.
CodeState read_code_state(const ResultRow &row);

// The code's order refusal of the request, on 1.6's tables.
std::optional<Status> order_refusal(const RedemptionRequest &request, const CodeState &code);

// Whether the request must pass the customer limit of this code.
bool customer_limited(const RedemptionRequest &request, const CodeState &code);

// The replay of the request's key, if it names a redemption of the code.
std::optional<KeyedRedemption> find_key(SpiSession &spi, int64_t promo_id, const RedemptionRequest &request);

// uses_below_customer_limit for a customer-limited request.
std::optional<int32_t> uses_below_customer_limit(SpiSession &spi, const RedemptionRequest &request,
                                                 const CodeState &code,
                                                 const std::function<int32_t()> &reclaim);

}  // namespace promo
