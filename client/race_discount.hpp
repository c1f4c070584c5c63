// The race's own oracle for promo 1.6's discounts: a code's discount rule as
// the race set it, and what it must grant an order, computed here apart from
// the extension (extension/discount.cpp) so that the two check each other.
#pragma once

#include <optional>

namespace promo_client::race {

struct DiscountRule {
  int basis_points = 0;             // a percentage (1..10000); 0: none
  std::optional<long long> ceiling;  // of a percentage
  std::optional<long long> fixed;    // a fixed amount instead
};

// amount x basis points / 10000 to the nearest minor unit, a half unit up,
// at most the ceiling; or the fixed amount; never more than the order; 0
// for a rule with neither.
long long expected_discount(const DiscountRule &rule, long long amount);

}  // namespace promo_client::race
