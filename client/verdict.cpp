#include "verdict.hpp"

#include <algorithm>

namespace promo_client {

Verdict judge(const RoundResult &round) {
  Verdict verdict;
  auto expect = [&](bool condition, const std::string &problem) {
    if (!condition) verdict.problems.push_back(problem);
  };
  const int expected_successes = std::min(round.max_uses, round.connections);

  expect(round.waiting_at_once == round.connections,
         "only " + std::to_string(round.waiting_at_once) + " of " + std::to_string(round.connections) +
             " sessions were seen waiting on the code's lock at once");
  expect(round.finished_before_gate == 0,
         std::to_string(round.finished_before_gate) +
             " redemptions returned while the gate held the code: the gate did not hold them");
  expect(round.errors.empty(), std::to_string(round.errors.size()) + " redemptions failed with an error" +
                                   (round.errors.empty() ? "" : ": " + round.errors.front()));
  expect(round.other_statuses == 0,
         std::to_string(round.other_statuses) + " redemptions had a status other than redeemed or exhausted");
  expect(round.succeeded == expected_successes,
         std::to_string(round.succeeded) + " succeeded, expected " + std::to_string(expected_successes));
  expect(round.rejected == round.connections - expected_successes,
         std::to_string(round.rejected) + " rejected, expected " +
             std::to_string(round.connections - expected_successes));
  expect(round.final_current_uses <= round.max_uses,
         "OVERUSE: current_uses " + std::to_string(round.final_current_uses) + " exceeds max_uses " +
             std::to_string(round.max_uses));
  expect(round.final_current_uses == round.succeeded,
         "current_uses " + std::to_string(round.final_current_uses) + " differs from " +
             std::to_string(round.succeeded) + " successes");
  if (round.ledger_live_rows)
    expect(*round.ledger_live_rows == round.final_current_uses,
           "the ledger holds " + std::to_string(*round.ledger_live_rows) +
               " live redemptions, current_uses is " + std::to_string(round.final_current_uses));
  verdict.pass = verdict.problems.empty();
  return verdict;
}

Verdict judge(const CampaignRoundResult &round) {
  Verdict verdict;
  auto expect = [&](bool condition, const std::string &problem) {
    if (!condition) verdict.problems.push_back(problem);
  };
  auto n = [](int value) { return std::to_string(value); };
  // Each code has one use: the campaign can grant at most one per session.
  const int expected_successes = std::min(round.max_uses, round.connections);
  const int expected_refusals = round.connections - expected_successes;

  // Where the round started from.
  expect(round.usage_before == 0,
         "the campaign already counted " + n(round.usage_before) + " uses when the round started");
  expect(round.codes == round.connections,
         "the campaign has " + n(round.codes) + " codes, expected " + n(round.connections));
  expect(round.codes_ready == round.connections,
         "only " + n(round.codes_ready) + " of " + n(round.connections) +
             " codes were active, single-use and unused when the round started");
  // That they contended.
  expect(round.waiting_at_once == round.connections,
         "only " + n(round.waiting_at_once) + " of " + n(round.connections) +
             " sessions were seen waiting on the campaign's lock at once");
  expect(round.finished_before_gate == 0,
         n(round.finished_before_gate) +
             " redemptions returned while the gate held the campaign: the gate did not hold them");
  expect(
      round.blocked_by_gate + round.queued_in_pooler == round.connections,
      "only " + n(round.blocked_by_gate) + " of " + n(round.connections) +
          " sessions were waiting for the gate" +
          (round.queued_in_pooler ? " (" + n(round.queued_in_pooler) + " more queued in the pooler)" : ""));
  // What they were answered.
  expect(round.errors.empty(), n(static_cast<int>(round.errors.size())) +
                                   " redemptions failed with an error" +
                                   (round.errors.empty() ? "" : ": " + round.errors.front()));
  expect(round.refused_by_code == 0, n(round.refused_by_code) +
                                         " redemptions were refused by their own code, which had its one use"
                                         " (first: " +
                                         round.odd_answer + ")");
  expect(round.other_refusals == 0,
         n(round.other_refusals) + " answers were neither redeemed nor exhausted by the campaign (first: " +
             round.odd_answer + ")");
  expect(round.wrong_campaign == 0, n(round.wrong_campaign) + " answers did not name the round's campaign");
  expect(round.succeeded <= round.max_uses, "OVERUSE: " + n(round.succeeded) +
                                                " redemptions succeeded, the campaign's max_uses is " +
                                                n(round.max_uses));
  expect(round.succeeded == expected_successes,
         n(round.succeeded) + " succeeded, expected " + n(expected_successes));
  expect(round.refused_by_campaign == expected_refusals,
         n(round.refused_by_campaign) + " refused by the campaign, expected " + n(expected_refusals));
  // What the database counts.
  expect(round.final_uses <= round.max_uses, "OVERUSE: the campaign counts " + n(round.final_uses) +
                                                 " uses, its max_uses is " + n(round.max_uses));
  expect(round.final_uses == round.succeeded,
         "the campaign counts " + n(round.final_uses) + " uses, " + n(round.succeeded) + " succeeded");
  expect(round.codes_uses == round.succeeded,
         "the campaign's codes count " + n(round.codes_uses) + " uses, " + n(round.succeeded) + " succeeded");
  expect(round.ledger_live_rows <= round.max_uses, "OVERUSE: the ledger holds " + n(round.ledger_live_rows) +
                                                       " live redemptions, the campaign's max_uses is " +
                                                       n(round.max_uses));
  expect(round.ledger_live_rows == round.final_uses,
         "the ledger holds " + n(round.ledger_live_rows) +
             " live redemptions of the campaign's codes, the campaign counts " + n(round.final_uses));
  verdict.pass = verdict.problems.empty();
  return verdict;
}

}  // namespace promo_client
