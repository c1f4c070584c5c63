#include "race_dba_rules.hpp"

#include <algorithm>

namespace promo_client::race {

int cap_target(int usage, int offset, std::optional<int> cap_now, bool lowering) {
  int target = std::max(0, usage + offset);
  if (lowering && cap_now) target = std::min(target, *cap_now);
  return target;
}

int limit_target(int busiest, int margin, std::optional<int> limit_now, bool raising) {
  if (raising && limit_now) return std::max(busiest, *limit_now + std::max(1, margin));
  return busiest + margin;
}

Window window_for(WindowMove move, int seconds, bool both_bounds) {
  const long far = 3600L + seconds;
  Window window;
  switch (move) {
    case WindowMove::ToFuture:
      window.from = far;
      if (both_bounds) window.until = far + 3600;
      break;
    case WindowMove::ToPast:
      window.until = -far;
      if (both_bounds) window.from = -far - 3600;
      break;
    case WindowMove::Open:
      if (both_bounds) {
        window.from = -far;
        window.until = far;
      }
      break;
  }
  return window;
}

}  // namespace promo_client::race
