// Statistics for the benchmark. Pure: no I/O, no database.
#pragma once

#include <vector>

namespace promo_client {

// The q-th quantile (0..1) of the values, nearest rank; 0 when empty.
double quantile(std::vector<double> values, double q);

// The median of the values; 0 when empty.
double median(std::vector<double> values);

}  // namespace promo_client
