// The DBA session of promo-client race: at random moments it changes one
// setting of a random code in a READ COMMITTED transaction that stays open
// 10-300 ms, so that calls for the code queue behind it.
#pragma once

#include "race_support.hpp"

namespace promo_client::race {

struct DbaReport {
  Table changes;   // change -> applied, rolled back, refused (23514)
  Counts retries;  // by SQLSTATE
  Errors errors;
};

// Runs session number `session` (its seed: run.seed + session) until the deadline.
DbaReport run_dba(const Run &run, int session);

}  // namespace promo_client::race
