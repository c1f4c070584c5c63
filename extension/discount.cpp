#include "discount.hpp"

#include <algorithm>
#include <stdexcept>

namespace promo::discount {

namespace {

void require(bool condition, const char *what) {
  if (!condition) throw std::invalid_argument(what);
}

}  // namespace

int64_t for_order(const Percent &rule, int64_t amount) {
  require(amount >= 0, "an order amount is not negative");
  require(rule.basis_points >= 1 && rule.basis_points <= max_basis_points, "a percentage is 1 to 10000 basis points");
  require(!rule.ceiling || *rule.ceiling >= 0, "a ceiling is not negative");
  // amount * basis_points needs up to 78 bits; the quotient fits in 64,
  // since basis_points <= 10000.
  const __int128 scaled = static_cast<__int128>(amount) * rule.basis_points;
  const auto rounded = static_cast<int64_t>((scaled + max_basis_points / 2) / max_basis_points);
  const int64_t capped = rule.ceiling ? std::min(rounded, *rule.ceiling) : rounded;
  return std::min(capped, amount);
}

int64_t for_order(const Fixed &rule, int64_t amount) {
  require(amount >= 0, "an order amount is not negative");
  require(rule.amount >= 0, "a fixed discount is not negative");
  return std::min(rule.amount, amount);
}

}  // namespace promo::discount
