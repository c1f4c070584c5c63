// promo-client bench: redeem_promo against the seed's plain UPDATE, measured
// in the same run, interleaved, reported as medians and ratios.
#pragma once

#include "options.hpp"

namespace promo_client {

int run_bench(const Options &options);

}  // namespace promo_client
