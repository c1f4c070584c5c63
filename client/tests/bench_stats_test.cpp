#include <gtest/gtest.h>

#include "bench_stats.hpp"

using namespace promo_client;

TEST(BenchStats, MedianOfOddAndEvenCounts) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median({}), 0);
}

TEST(BenchStats, QuantilesByNearestRank) {
  std::vector<double> hundred;
  for (int i = 1; i <= 100; ++i) hundred.push_back(i);
  EXPECT_DOUBLE_EQ(quantile(hundred, 0.5), 50);
  EXPECT_DOUBLE_EQ(quantile(hundred, 0.99), 99);
  EXPECT_DOUBLE_EQ(quantile(hundred, 1.0), 100);
  EXPECT_DOUBLE_EQ(quantile({7}, 0.99), 7);
  EXPECT_DOUBLE_EQ(quantile({}, 0.5), 0);
}
