// promo-client generate (promo 1.5): a campaign's codes by the million, as
// calls of the server's generate_promo_codes, --batch codes each, inside one
// transaction: every code is committed, or none.
#pragma once

#include <vector>

#include "options.hpp"

namespace promo_client {

// The sizes of the calls that make `count` codes, `batch` at most each:
// (250000, 100000) -> 100000, 100000, 50000. Pure.
std::vector<int> batch_sizes(int count, int batch);

int run_generate(const Options &options);

}  // namespace promo_client
