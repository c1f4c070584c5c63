// promo-client race: the randomized, seeded concurrency workload. Worker
// sessions mix every promo call at random isolation levels, a DBA session
// changes every setting of random codes in open transactions, and a monitor
// checks the invariant, the cap, the per-customer limit and closed codes in
// one snapshot at a time; at the end every acknowledged change is checked
// against the ledger.
#pragma once

#include "options.hpp"

namespace promo_client {

int run_race(const Options &options);

}  // namespace promo_client
