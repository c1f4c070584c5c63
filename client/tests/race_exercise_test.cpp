#include <gtest/gtest.h>

#include "race_exercise.hpp"

using namespace promo_client::race;

namespace {

Table every_refusal() {
  return Table{{"code", {{"exhausted", 3}, {"customer_limit_reached", 2}, {"inactive", 1}}},
               {"campaign", {{"exhausted", 4}, {"customer_limit_reached", 1}}}};
}

Table applied(const std::string &change) {
  return Table{{change, {{"applied", 1}, {"rolled back", 2}}}};
}

bool mentions(const std::vector<std::string> &lines, const std::string &text) {
  for (const std::string &line : lines)
    if (line.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(RaceExercise, ARunThatMetEveryRuleIsExercised) {
  EXPECT_TRUE(
      unexercised(every_refusal(), applied("max_uses lowered"), applied("a code joins a campaign")).empty());
}

TEST(RaceExercise, ACampaignThatNeverRefusedIsNotExercised) {
  Table refusals = every_refusal();
  refusals.erase("campaign");
  const std::vector<std::string> missing =
      unexercised(refusals, applied("max_uses lowered"), applied("a code joins a campaign"));
  EXPECT_EQ(missing.size(), 2u);
  EXPECT_TRUE(mentions(missing, "a campaign's max_uses (exhausted, refused_by campaign)"));
  EXPECT_TRUE(mentions(missing, "a campaign's max_uses_per_customer"));
}

TEST(RaceExercise, EachRuleCountsByItsOwnRefusal) {
  Table refusals = every_refusal();
  refusals["campaign"].erase("exhausted");
  refusals["campaign"]["inactive"] = 50;  // refusals of another kind do not stand in for it
  refusals["code"]["customer_limit_reached"] = 0;
  const std::vector<std::string> missing =
      unexercised(refusals, applied("max_uses lowered"), applied("a code joins a campaign"));
  EXPECT_EQ(missing.size(), 2u);
  EXPECT_TRUE(mentions(missing, "exhausted, refused_by campaign"));
  EXPECT_TRUE(mentions(missing, "customer_limit_reached, refused_by code"));
}

TEST(RaceExercise, ChangesOnlyRolledBackOrRefusedAreNotApplied) {
  const Table refused{{"max_uses lowered", {{"refused (23514)", 3}, {"rolled back", 1}}}};
  const Table moves_refused{{"a code joins a campaign", {{"refused (55000)", 5}}}};
  const std::vector<std::string> missing = unexercised(every_refusal(), refused, moves_refused);
  EXPECT_EQ(missing.size(), 2u);
  EXPECT_TRUE(mentions(missing, "no change of a campaign's settings"));
  EXPECT_TRUE(mentions(missing, "moved no code"));
}

TEST(RaceExercise, AnEmptyRunMissesEverything) {
  EXPECT_EQ(unexercised({}, {}, {}).size(), 6u);
}
