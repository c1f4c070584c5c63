// The discount arithmetic (extension/discount.cpp): the rounding at the
// half-unit edges, the ceilings, the order as the limit, the largest amounts.
#include "discount.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>

using promo::discount::Fixed;
using promo::discount::for_order;
using promo::discount::Percent;

namespace {

constexpr int64_t max_amount = std::numeric_limits<int64_t>::max();

TEST(DiscountPercent, RoundsHalfAUnitUp) {
  EXPECT_EQ(for_order(Percent{5000, {}}, 1), 1);     // 0.5 -> 1
  EXPECT_EQ(for_order(Percent{5000, {}}, 3), 2);     // 1.5 -> 2
  EXPECT_EQ(for_order(Percent{1, {}}, 5000), 1);     // 0.5 -> 1
  EXPECT_EQ(for_order(Percent{1, {}}, 4999), 0);     // 0.4999 -> 0
  EXPECT_EQ(for_order(Percent{1, {}}, 14999), 1);    // 1.4999 -> 1
  EXPECT_EQ(for_order(Percent{1, {}}, 15000), 2);    // 1.5 -> 2
  EXPECT_EQ(for_order(Percent{2500, {}}, 1999), 500);  // 499.75 -> 500
  EXPECT_EQ(for_order(Percent{2500, {}}, 1998), 500);  // 499.5 -> 500
  EXPECT_EQ(for_order(Percent{2500, {}}, 1997), 499);  // 499.25 -> 499
  EXPECT_EQ(for_order(Percent{1, {}}, 1), 0);
}

TEST(DiscountPercent, WholeAndNothing) {
  EXPECT_EQ(for_order(Percent{10000, {}}, 12345), 12345);
  EXPECT_EQ(for_order(Percent{2500, {}}, 0), 0);
  EXPECT_EQ(for_order(Percent{2500, 0}, 10000), 0);
}

TEST(DiscountPercent, Ceiling) {
  EXPECT_EQ(for_order(Percent{2000, 1500}, 10000), 1500);  // 2000 capped
  EXPECT_EQ(for_order(Percent{2000, 1500}, 7500), 1500);   // exactly the ceiling
  EXPECT_EQ(for_order(Percent{2000, 1500}, 7499), 1500);   // 1499.8 -> 1500
  EXPECT_EQ(for_order(Percent{2000, 1500}, 7497), 1499);   // 1499.4 -> 1499
}

TEST(DiscountPercent, LargestAmounts) {
  EXPECT_EQ(for_order(Percent{10000, {}}, max_amount), max_amount);
  EXPECT_EQ(for_order(Percent{5000, {}}, max_amount), max_amount / 2 + 1);  // ...903.5 -> ...904
  EXPECT_EQ(for_order(Percent{9999, {}}, max_amount), 9222449699651090329);  // ...329.4193 -> ...329
  EXPECT_EQ(for_order(Percent{10000, max_amount}, max_amount), max_amount);
}

TEST(DiscountFixed, NeverMoreThanTheOrder) {
  EXPECT_EQ(for_order(Fixed{500}, 2000), 500);
  EXPECT_EQ(for_order(Fixed{500}, 500), 500);
  EXPECT_EQ(for_order(Fixed{500}, 499), 499);
  EXPECT_EQ(for_order(Fixed{500}, 0), 0);
  EXPECT_EQ(for_order(Fixed{0}, 100), 0);
  EXPECT_EQ(for_order(Fixed{max_amount}, max_amount), max_amount);
}

TEST(DiscountArguments, OutOfRangeIsACallersBug) {
  EXPECT_THROW(for_order(Percent{0, {}}, 100), std::invalid_argument);
  EXPECT_THROW(for_order(Percent{10001, {}}, 100), std::invalid_argument);
  EXPECT_THROW(for_order(Percent{100, -1}, 100), std::invalid_argument);
  EXPECT_THROW(for_order(Percent{100, {}}, -1), std::invalid_argument);
  EXPECT_THROW(for_order(Fixed{-1}, 100), std::invalid_argument);
  EXPECT_THROW(for_order(Fixed{1}, -1), std::invalid_argument);
}

}  // namespace
