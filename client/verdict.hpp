// Judging one round of the concurrency check. Pure: no I/O, no database.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace promo_client {

// What one round observed.
struct RoundResult {
  int connections = 0;
  int max_uses = 0;
  int waiting_at_once = 0;  // sessions seen waiting on the code's lock together
  int succeeded = 0;        // status redeemed
  int rejected = 0;         // status exhausted
  int other_statuses = 0;   // any other status: always wrong here
  std::vector<std::string> errors;
  int final_current_uses = 0;
  std::optional<int> ledger_live_rows;  // from promo 1.1: redeemed + held ledger rows of the code
};

struct Verdict {
  bool pass = false;
  std::vector<std::string> problems;
};

Verdict judge(const RoundResult &round);

}  // namespace promo_client
