#include "progress.hpp"

#include <algorithm>
#include <cmath>

namespace promo_client {

std::string with_thousands(long long value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return (value < 0 ? "-" : "") + grouped;
}

std::string progress_line(long long done, long long total, double seconds, int width) {
  const double fraction = total > 0 ? std::clamp(static_cast<double>(done) / total, 0.0, 1.0) : 1.0;
  const int filled = static_cast<int>(fraction * width);
  std::string line = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
  const std::string percent = std::to_string(static_cast<int>(fraction * 100));
  line += std::string(3 - std::min<size_t>(3, percent.size()), ' ') + percent + "%  ";
  line += with_thousands(done) + " of " + with_thousands(total) + " codes";
  if (seconds > 0 && done > 0) {
    const double rate = done / seconds;
    line += "  " + with_thousands(std::llround(rate)) + " codes/s";
    if (done < total) line += "  ETA " + std::to_string(std::llround((total - done) / rate)) + " s";
  }
  return line;
}

}  // namespace promo_client
