#include <gtest/gtest.h>

#include "race_dba_rules.hpp"

using namespace promo_client::race;

TEST(RaceDbaRules, ACapIsSetAtUsagePlusTheOffsetNeverBelowZero) {
  EXPECT_EQ(cap_target(10, 2, std::nullopt, false), 12);
  EXPECT_EQ(cap_target(10, -2, std::nullopt, false), 8);  // below usage: the CHECK refuses it
  EXPECT_EQ(cap_target(1, -2, std::nullopt, false), 0);
  EXPECT_EQ(cap_target(0, 0, std::nullopt, false), 0);
}

TEST(RaceDbaRules, ALoweringNeverRaisesTheCap) {
  EXPECT_EQ(cap_target(10, 2, 11, true), 11);
  EXPECT_EQ(cap_target(10, 2, 20, true), 12);
  EXPECT_EQ(cap_target(10, -1, 10, true), 9);
  EXPECT_EQ(cap_target(10, 2, 11, false), 12);  // a cap set (not lowered) ignores the old one
}

TEST(RaceDbaRules, ALimitIsNeverBelowTheBusiestCustomer) {
  EXPECT_EQ(limit_target(3, 0, std::nullopt, false), 3);
  EXPECT_EQ(limit_target(3, 2, 7, false), 5);  // set: from the busiest customer, whatever it was
  EXPECT_EQ(limit_target(0, 0, std::nullopt, false), 0);
}

TEST(RaceDbaRules, ARaiseGoesAboveTheLimitItRaises) {
  EXPECT_EQ(limit_target(3, 0, 4, true), 5);
  EXPECT_EQ(limit_target(3, 2, 4, true), 6);
  EXPECT_EQ(limit_target(9, 0, 4, true), 9);             // the busiest customer is above it: no lower
  EXPECT_EQ(limit_target(3, 1, std::nullopt, true), 4);  // no limit to raise: set
}

TEST(RaceDbaRules, AClosedWindowIsAnHourOrMoreAway) {
  const Window future = window_for(WindowMove::ToFuture, 10, false);
  EXPECT_EQ(future.from, 3610);
  EXPECT_FALSE(future.until);
  const Window future_both = window_for(WindowMove::ToFuture, 10, true);
  EXPECT_EQ(future_both.from, 3610);
  EXPECT_EQ(future_both.until, 7210);
  const Window past = window_for(WindowMove::ToPast, 0, false);
  EXPECT_FALSE(past.from);
  EXPECT_EQ(past.until, -3600);
  const Window past_both = window_for(WindowMove::ToPast, 0, true);
  EXPECT_EQ(past_both.from, -7200);
  EXPECT_EQ(past_both.until, -3600);
}

TEST(RaceDbaRules, AnOpenedWindowHasNoBoundOrBothFarAway) {
  const Window none = window_for(WindowMove::Open, 5, false);
  EXPECT_FALSE(none.from);
  EXPECT_FALSE(none.until);
  const Window both = window_for(WindowMove::Open, 5, true);
  EXPECT_EQ(both.from, -3605);
  EXPECT_EQ(both.until, 3605);
}
