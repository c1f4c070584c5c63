// The discount a code grants an order (promo 1.6, issue 15), in integer
// minor units of the order's currency: no floating point anywhere.
// A percentage is in basis points (1 = 0.01 %, 10000 = 100 %) and is rounded
// to the nearest minor unit, a half unit up; then capped by the rule's
// ceiling, if it has one. A fixed amount is what it says. Either way the
// discount is never more than the order.
#pragma once

#include <cstdint>
#include <optional>

namespace promo::discount {

constexpr int32_t max_basis_points = 10000;

struct Percent {
  int32_t basis_points;             // 1 .. max_basis_points
  std::optional<int64_t> ceiling;   // >= 0, in minor units
};

struct Fixed {
  int64_t amount;  // >= 0, in minor units
};

// The discount for an order of `amount` minor units (>= 0). Arguments out
// of their ranges are a caller's bug: std::invalid_argument.
int64_t for_order(const Percent &rule, int64_t amount);
int64_t for_order(const Fixed &rule, int64_t amount);

}  // namespace promo::discount
