// Text for long runs: a progress bar and readable numbers. Pure: no I/O.
#pragma once

#include <string>

namespace promo_client {

// 1234567 -> "1,234,567".
std::string with_thousands(long long value);

// One line for a terminal, such as
//   [##########..........]  50%  500,000 of 1,000,000 codes  52,013 codes/s  ETA 10 s
// `done` of `total` after `seconds`; `width` characters of bar.
std::string progress_line(long long done, long long total, double seconds, int width = 30);

}  // namespace promo_client
