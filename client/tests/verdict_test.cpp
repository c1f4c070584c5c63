#include <gtest/gtest.h>

#include "verdict.hpp"

using namespace promo_client;

namespace {

RoundResult seed_round() {
  RoundResult round;
  round.connections = 100;
  round.max_uses = 50;
  round.waiting_at_once = 100;
  round.succeeded = 50;
  round.rejected = 50;
  round.final_current_uses = 50;
  return round;
}

}  // namespace

TEST(Verdict, TheSeedsExpectationPasses) {
  Verdict verdict = judge(seed_round());
  EXPECT_TRUE(verdict.pass);
  EXPECT_TRUE(verdict.problems.empty());
}

TEST(Verdict, OveruseFails) {
  RoundResult round = seed_round();
  round.succeeded = 51;
  round.rejected = 49;
  round.final_current_uses = 51;
  Verdict verdict = judge(round);
  EXPECT_FALSE(verdict.pass);
  bool named = false;
  for (const std::string &problem : verdict.problems) named |= problem.find("OVERUSE") != std::string::npos;
  EXPECT_TRUE(named);
}

TEST(Verdict, UnderuseFails) {
  RoundResult round = seed_round();
  round.succeeded = 49;
  round.rejected = 51;
  round.final_current_uses = 49;
  EXPECT_FALSE(judge(round).pass);
}

TEST(Verdict, CountThatDisagreesWithOutcomesFails) {
  RoundResult round = seed_round();
  round.final_current_uses = 49;
  EXPECT_FALSE(judge(round).pass);
}

TEST(Verdict, SessionsNotAllWaitingFails) {
  RoundResult round = seed_round();
  round.waiting_at_once = 99;
  Verdict verdict = judge(round);
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.problems.front().find("99 of 100"), std::string::npos);
}

TEST(Verdict, ErrorsAndStrayStatusesFail) {
  RoundResult errors = seed_round();
  errors.rejected = 49;
  errors.errors.push_back("connection lost");
  EXPECT_FALSE(judge(errors).pass);

  RoundResult stray = seed_round();
  stray.rejected = 49;
  stray.other_statuses = 1;
  EXPECT_FALSE(judge(stray).pass);
}

TEST(Verdict, MoreUsesThanConnections) {
  RoundResult round;
  round.connections = 10;
  round.max_uses = 50;
  round.waiting_at_once = 10;
  round.succeeded = 10;
  round.final_current_uses = 10;
  EXPECT_TRUE(judge(round).pass);
}

TEST(Verdict, ZeroUses) {
  RoundResult round;
  round.connections = 5;
  round.max_uses = 0;
  round.waiting_at_once = 5;
  round.rejected = 5;
  EXPECT_TRUE(judge(round).pass);
}

TEST(Verdict, LedgerMustAgreeWithTheCount) {
  RoundResult round = seed_round();
  round.ledger_live_rows = 50;
  EXPECT_TRUE(judge(round).pass);
  round.ledger_live_rows = 49;
  Verdict verdict = judge(round);
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.problems.front().find("ledger"), std::string::npos);
}
