#include <gtest/gtest.h>

#include "generate_command.hpp"
#include "progress.hpp"

using namespace promo_client;

TEST(Generate, BatchesAddUpToTheCount) {
  EXPECT_EQ(batch_sizes(250000, 100000), (std::vector<int>{100000, 100000, 50000}));
  EXPECT_EQ(batch_sizes(100000, 100000), (std::vector<int>{100000}));
  EXPECT_EQ(batch_sizes(7, 100000), (std::vector<int>{7}));
  EXPECT_EQ(batch_sizes(3, 1), (std::vector<int>{1, 1, 1}));
  std::vector<int> most = batch_sizes(2147483647, 1000000000);
  EXPECT_EQ(most, (std::vector<int>{1000000000, 1000000000, 147483647}));
}

TEST(Progress, Thousands) {
  EXPECT_EQ(with_thousands(0), "0");
  EXPECT_EQ(with_thousands(999), "999");
  EXPECT_EQ(with_thousands(1000), "1,000");
  EXPECT_EQ(with_thousands(1234567), "1,234,567");
  EXPECT_EQ(with_thousands(-20000000), "-20,000,000");
}

TEST(Progress, LineShowsBarCountsRateAndEta) {
  EXPECT_EQ(progress_line(500000, 1000000, 10, 20),
            "[##########..........]  50%  500,000 of 1,000,000 codes  50,000 codes/s  ETA 10 s");
  EXPECT_EQ(progress_line(0, 1000000, 0, 10), "[..........]   0%  0 of 1,000,000 codes");
  // Done: no ETA.
  EXPECT_EQ(progress_line(3, 3, 1.5, 4), "[####] 100%  3 of 3 codes  2 codes/s");
}
