#include "race_discount.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace promo_client::race {
namespace {

TEST(RaceDiscount, APercentageRoundsHalfUpThenMeetsItsCeiling) {
  EXPECT_EQ(expected_discount({1000, std::nullopt, std::nullopt}, 2004), 200);
  EXPECT_EQ(expected_discount({1000, std::nullopt, std::nullopt}, 2005), 201);
  EXPECT_EQ(expected_discount({1, std::nullopt, std::nullopt}, 4999), 0);
  EXPECT_EQ(expected_discount({1, std::nullopt, std::nullopt}, 5000), 1);
  EXPECT_EQ(expected_discount({1000, 500, std::nullopt}, 9000), 500);
  EXPECT_EQ(expected_discount({10000, std::nullopt, std::nullopt}, std::numeric_limits<long long>::max()),
            std::numeric_limits<long long>::max());
  EXPECT_EQ(expected_discount({5000, std::nullopt, std::nullopt}, std::numeric_limits<long long>::max()),
            4611686018427387904LL);
}

TEST(RaceDiscount, AFixedAmountIsNeverMoreThanTheOrder) {
  EXPECT_EQ(expected_discount({0, std::nullopt, 300}, 1000), 300);
  EXPECT_EQ(expected_discount({0, std::nullopt, 300}, 200), 200);
  EXPECT_EQ(expected_discount({0, std::nullopt, std::nullopt}, 1000), 0);
}

}  // namespace
}  // namespace promo_client::race
