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

TEST(Verdict, CodeRoundFailsWhenARedemptionReturnedBeforeTheGateOpened) {
  RoundResult round = seed_round();
  round.finished_before_gate = 3;
  Verdict verdict = judge(round);
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.problems.front().find("gate did not hold them"), std::string::npos);
}

namespace {

// The issue's expectation: 100 single-use codes, a campaign capped at 50.
CampaignRoundResult campaign_round() {
  CampaignRoundResult round;
  round.connections = 100;
  round.max_uses = 50;
  round.slots = 16;
  round.codes = 100;
  round.codes_ready = 100;
  round.waiting_at_once = 100;
  round.blocked_by_gate = 100;
  round.succeeded = 50;
  round.refused_by_campaign = 50;
  round.final_uses = 50;
  round.codes_uses = 50;
  round.ledger_live_rows = 50;
  return round;
}

bool names(const Verdict &verdict, const std::string &words) {
  for (const std::string &problem : verdict.problems)
    if (problem.find(words) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(CampaignVerdict, TheIssuesExpectationPasses) {
  Verdict verdict = judge(campaign_round());
  EXPECT_TRUE(verdict.pass);
  EXPECT_TRUE(verdict.problems.empty());
}

TEST(CampaignVerdict, FiftyOneRedeemedIsOveruse) {
  CampaignRoundResult round = campaign_round();
  round.succeeded = 51;
  round.refused_by_campaign = 49;
  round.final_uses = 51;
  round.codes_uses = 51;
  round.ledger_live_rows = 51;
  Verdict verdict = judge(round);
  EXPECT_FALSE(verdict.pass);
  EXPECT_TRUE(names(verdict, "OVERUSE: 51 redemptions succeeded"));
  EXPECT_TRUE(names(verdict, "OVERUSE: the campaign counts 51"));
  EXPECT_TRUE(names(verdict, "OVERUSE: the ledger holds 51"));
}

TEST(CampaignVerdict, OveruseSeenOnlyInTheLedgerFails) {
  CampaignRoundResult round = campaign_round();
  round.ledger_live_rows = 51;
  Verdict verdict = judge(round);
  EXPECT_FALSE(verdict.pass);
  EXPECT_TRUE(names(verdict, "OVERUSE: the ledger holds 51"));
}

TEST(CampaignVerdict, UnderuseFails) {
  CampaignRoundResult round = campaign_round();
  round.succeeded = 49;
  round.refused_by_campaign = 51;
  round.final_uses = 49;
  round.codes_uses = 49;
  round.ledger_live_rows = 49;
  Verdict verdict = judge(round);
  EXPECT_FALSE(verdict.pass);
  EXPECT_TRUE(names(verdict, "49 succeeded, expected 50"));
  EXPECT_TRUE(names(verdict, "51 refused by the campaign, expected 50"));
}

TEST(CampaignVerdict, ACampaignExhaustedBeforeTheRoundFails) {
  CampaignRoundResult round = campaign_round();
  round.usage_before = 50;
  round.succeeded = 0;
  round.refused_by_campaign = 100;
  round.final_uses = 50;
  round.codes_uses = 0;
  round.ledger_live_rows = 0;
  Verdict verdict = judge(round);
  EXPECT_FALSE(verdict.pass);
  EXPECT_TRUE(names(verdict, "already counted 50 uses when the round started"));
  EXPECT_TRUE(names(verdict, "0 succeeded, expected 50"));
}

TEST(CampaignVerdict, AnInactiveCodeFails) {
  CampaignRoundResult round = campaign_round();
  round.codes_ready = 99;
  round.refused_by_campaign = 49;
  round.refused_by_code = 1;
  round.odd_answer = "inactive (refused_by code)";
  Verdict verdict = judge(round);
  EXPECT_FALSE(verdict.pass);
  EXPECT_TRUE(names(verdict, "only 99 of 100 codes were active, single-use and unused"));
  EXPECT_TRUE(names(verdict, "1 redemptions were refused by their own code"));
  EXPECT_TRUE(names(verdict, "inactive (refused_by code)"));
}

TEST(CampaignVerdict, ARefusalNotByTheCampaignsCapFails) {
  // For example every code refused as inactive because the campaign is.
  CampaignRoundResult round = campaign_round();
  round.succeeded = 0;
  round.refused_by_campaign = 0;
  round.other_refusals = 100;
  round.odd_answer = "inactive (refused_by campaign)";
  round.final_uses = 0;
  round.codes_uses = 0;
  round.ledger_live_rows = 0;
  Verdict verdict = judge(round);
  EXPECT_FALSE(verdict.pass);
  EXPECT_TRUE(names(verdict, "100 answers were neither redeemed nor exhausted by the campaign"));
}

TEST(CampaignVerdict, MissingOrExtraCodesFail) {
  CampaignRoundResult round = campaign_round();
  round.codes = 101;
  EXPECT_TRUE(names(judge(round), "the campaign has 101 codes, expected 100"));
}

TEST(CampaignVerdict, SessionsNotAllWaitingFail) {
  CampaignRoundResult round = campaign_round();
  round.waiting_at_once = 99;
  round.blocked_by_gate = 99;
  Verdict verdict = judge(round);
  EXPECT_FALSE(verdict.pass);
  EXPECT_TRUE(names(verdict, "only 99 of 100 sessions were seen waiting"));
  EXPECT_TRUE(names(verdict, "only 99 of 100 sessions were waiting for the gate"));
}

TEST(CampaignVerdict, SessionsWaitingOnSomethingElseFail) {
  // All 100 waited on a lock, but not all on the gate's.
  CampaignRoundResult round = campaign_round();
  round.blocked_by_gate = 60;
  EXPECT_TRUE(names(judge(round), "only 60 of 100 sessions were waiting for the gate"));
}

TEST(CampaignVerdict, BehindAPoolerTheQueuedCountAsWaiting) {
  CampaignRoundResult round = campaign_round();
  round.blocked_by_gate = 20;
  round.queued_in_pooler = 80;
  EXPECT_TRUE(judge(round).pass);
  round.queued_in_pooler = 79;
  EXPECT_TRUE(names(judge(round), "(79 more queued in the pooler)"));
}

TEST(CampaignVerdict, AGateThatHeldNothingFails) {
  CampaignRoundResult round = campaign_round();
  round.waiting_at_once = 0;
  round.blocked_by_gate = 0;
  round.finished_before_gate = 100;
  Verdict verdict = judge(round);
  EXPECT_FALSE(verdict.pass);
  EXPECT_TRUE(names(verdict, "100 redemptions returned while the gate held the campaign"));
}

TEST(CampaignVerdict, ErrorsAndWrongCampaignFail) {
  CampaignRoundResult errors = campaign_round();
  errors.refused_by_campaign = 49;
  errors.errors.push_back("FATAL: terminating connection due to administrator command");
  Verdict verdict = judge(errors);
  EXPECT_FALSE(verdict.pass);
  EXPECT_TRUE(names(verdict, "1 redemptions failed with an error: FATAL: terminating"));

  CampaignRoundResult wrong = campaign_round();
  wrong.wrong_campaign = 50;
  EXPECT_TRUE(names(judge(wrong), "50 answers did not name the round's campaign"));
}

TEST(CampaignVerdict, CountsThatDisagreeFail) {
  CampaignRoundResult usage = campaign_round();
  usage.final_uses = 49;
  EXPECT_TRUE(names(judge(usage), "the campaign counts 49 uses, 50 succeeded"));
  CampaignRoundResult codes = campaign_round();
  codes.codes_uses = 51;
  EXPECT_TRUE(names(judge(codes), "the campaign's codes count 51 uses"));
  CampaignRoundResult ledger = campaign_round();
  ledger.ledger_live_rows = 49;
  EXPECT_TRUE(names(judge(ledger), "the ledger holds 49 live redemptions"));
}

TEST(CampaignVerdict, CapAboveTheCodesAndZeroCap) {
  CampaignRoundResult all = campaign_round();
  all.max_uses = 500;
  all.succeeded = 100;
  all.refused_by_campaign = 0;
  all.final_uses = all.codes_uses = all.ledger_live_rows = 100;
  EXPECT_TRUE(judge(all).pass);

  CampaignRoundResult none = campaign_round();
  none.max_uses = 0;
  none.succeeded = 0;
  none.refused_by_campaign = 100;
  none.final_uses = none.codes_uses = none.ledger_live_rows = 0;
  EXPECT_TRUE(judge(none).pass);
}
