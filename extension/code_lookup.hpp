// A code found by its key through promo_codes' unique index, read in C:
// the lookup every redemption starts with, without the executor start, plan
// check and portal a statement costs.
#pragma once

#include <optional>
#include <string>

#include "order_terms.hpp"
#include "pg_headers.hpp"

namespace promo {

// A code as found by its key, before any lock: which path it takes.
struct FoundCode {
  int64_t id = 0;
  int32_t slots = 1;
  bool customer_limited = false;       // max_uses_per_customer is set
  std::optional<int64_t> campaign_id;  // 1.5's tables
  std::optional<OrderTerms> terms;     // 1.6's tables
};

// Whether the code with `code_key` exists, and what it says, as a
// statement's snapshot sees it (taken the way SPI takes it). Empty outer
// optional: the lookup cannot be made here (the index is not the one promo
// created, or row-level security is on for promo_codes) and the caller runs
// its statement instead.
std::optional<std::optional<FoundCode>> find_code_by_index(const std::string &schema, Datum code_key,
                                                             bool with_campaign, bool with_terms);

}  // namespace promo
