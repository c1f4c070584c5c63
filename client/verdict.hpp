// Judging one round of the concurrency check. Pure: no I/O, no database.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace promo_client {

// What one round of the code check observed.
struct RoundResult {
  int connections = 0;
  int max_uses = 0;
  int waiting_at_once = 0;       // sessions seen waiting on the code's lock together
  int finished_before_gate = 0;  // redemptions that returned while the gate held the code
  int succeeded = 0;             // status redeemed
  int rejected = 0;              // status exhausted
  int other_statuses = 0;        // any other status: always wrong here
  std::vector<std::string> errors;
  int final_current_uses = 0;
  std::optional<int> ledger_live_rows;  // from promo 1.1: redeemed + held ledger rows of the code
};

// What one round of the campaign check observed (promo 1.5): --connections
// single-use codes of one campaign capped at max_uses, one session each.
struct CampaignRoundResult {
  int connections = 0;
  int max_uses = 0;  // the campaign's
  int slots = 0;     // the campaign's
  // Read by the gate once it held the campaign, before any redemption.
  int usage_before = 0;     // the campaign's uses
  int codes = 0;            // its codes
  int codes_ready = 0;      // of which active, single-use and unused
  int waiting_at_once = 0;  // sessions seen waiting on a lock together (and, behind a pooler, queued in it)
  int finished_before_gate = 0;  // redemptions that returned while the gate held the campaign
  // Right after the monitor stopped, the gate still closed: the round's
  // sessions the gate blocks on the server (pg_blocking_pids), and those a
  // pooler holds queued. Each must be one or the other.
  int blocked_by_gate = 0;
  int queued_in_pooler = 0;
  int succeeded = 0;            // status redeemed
  int refused_by_campaign = 0;  // status exhausted, refused_by 'campaign'
  int refused_by_code = 0;      // any refusal the code gave: always wrong here
  int other_refusals = 0;       // any other answer: always wrong here
  std::string odd_answer;       // the first answer of the three kinds above, as "status (refused_by)"
  int wrong_campaign = 0;       // answers that did not name the round's campaign
  std::vector<std::string> errors;
  int final_uses = 0;        // promo_campaign_usage.uses
  int codes_uses = 0;        // the campaign's codes' current_uses added up
  int ledger_live_rows = 0;  // redeemed + held ledger rows of the campaign's codes
};

struct Verdict {
  bool pass = false;
  std::vector<std::string> problems;
};

Verdict judge(const RoundResult &round);
Verdict judge(const CampaignRoundResult &round);

}  // namespace promo_client
