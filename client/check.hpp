// The concurrency check: many sessions race for the last uses of one code.
#pragma once

#include "options.hpp"
#include "verdict.hpp"

namespace promo_client {

// Runs every round, prints the results, returns the exit code.
int run_check(const Options &options);

}  // namespace promo_client
