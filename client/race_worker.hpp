// A worker session of promo-client race: random redemptions, replays, holds,
// confirms, releases and sweeps, in transactions at random isolation levels.
// A redemption of a roaming code it committed is released by its next
// transaction.
#pragma once

#include <map>
#include <set>
#include <string>

#include "race_support.hpp"

namespace promo_client::race {

// A redemption as this session's acknowledged commits left it.
struct Acknowledged {
  long long promo_id = 0;
  std::string state;          // redeemed, held or released
  std::string customer, key;  // empty: NULL
};

struct WorkerReport {
  Table operations;     // kind -> outcome -> count
  Table refusals;       // whose rule refused (refused_by: code, campaign) -> status -> count
  Counts transactions;  // committed, rolled back, gave up, failed, in doubt
  Counts retries;       // by SQLSTATE
  Errors errors;
  Errors gave_up;  // transactions retried kMaxRetries times, by their last SQLSTATE: not errors
  std::map<long long, Acknowledged> acknowledged;
  std::set<long long> unknown;  // made by a transaction whose commit outcome is unknown
};

// Runs session number `session` (its seed: run.seed + session) until the deadline.
WorkerReport run_worker(const Run &run, int session, SharedKeys &shared_keys, Violations &violations);

}  // namespace promo_client::race
