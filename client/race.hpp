// promo-client race: the randomized, seeded concurrency workload. Worker
// sessions mix every promo call at random isolation levels on codes of two
// campaigns and of none, a DBA session changes every setting of random codes
// and campaigns and moves codes between campaigns in open transactions, and
// a monitor checks the invariant, the cap, the per-customer limit (of every
// code and every campaign) and closed codes in one snapshot at a time; at
// the end every acknowledged change is checked against the ledger, and a
// run that never met the campaigns' rules fails for proving nothing.
#pragma once

#include "options.hpp"

namespace promo_client {

int run_race(const Options &options);

}  // namespace promo_client
