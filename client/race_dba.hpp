// The DBA session of promo-client race: at random moments it changes one
// setting of a random code or campaign, or moves a code into, out of or
// between campaigns, in a READ COMMITTED transaction that stays open
// 10-300 ms, so that calls for the code (or the campaign's codes) queue
// behind it.
#pragma once

#include "race_support.hpp"

namespace promo_client::race {

struct DbaReport {
  Table changes;           // change of a code -> applied, rolled back, refused (23514)
  Table campaign_changes;  // of a campaign's settings -> applied, rolled back, refused (23514)
  Table code_moves;        // of a code into, out of or between campaigns -> ..., refused (55000)
  Counts retries;          // by SQLSTATE
  Errors errors;
};

// Runs session number `session` (its seed: run.seed + session) until the deadline.
DbaReport run_dba(const Run &run, int session);

}  // namespace promo_client::race
