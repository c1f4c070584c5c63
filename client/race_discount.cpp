#include "race_discount.hpp"

#include <algorithm>

namespace promo_client::race {

long long expected_discount(const DiscountRule &rule, long long amount) {
  long long discount = 0;
  if (rule.basis_points > 0) {
    // The product needs 128 bits for the largest orders.
    const __int128 scaled = static_cast<__int128>(amount) * rule.basis_points;
    discount = static_cast<long long>((scaled + 5000) / 10000);
    if (rule.ceiling) discount = std::min(discount, *rule.ceiling);
  } else if (rule.fixed) {
    discount = *rule.fixed;
  }
  return std::min(discount, amount);
}

}  // namespace promo_client::race
