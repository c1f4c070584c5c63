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

}  // namespace promo_client
