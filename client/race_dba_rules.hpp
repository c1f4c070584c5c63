// The arithmetic of the DBA's changes in promo-client race, the same for a
// code's settings (race_dba.cpp) and a campaign's (race_dba_campaigns.cpp):
// where a new cap, customer limit or window lands. Pure: no I/O.
#pragma once

#include <optional>

namespace promo_client::race {

// A cap set at the usage read just before, plus `offset` (at least 0); a
// lowering never raises the cap it lowers. Below the usage (a negative
// offset, or calls that passed the usage since it was read) the database
// refuses it: 23514.
int cap_target(int usage, int offset, std::optional<int> cap_now, bool lowering);

// A customer limit no customer is above when it is set: the busiest
// customer's live uses plus `margin`; a raise goes at least one above the
// limit it raises (and never below the busiest customer).
int limit_target(int busiest, int margin, std::optional<int> limit_now, bool raising);

// A window moved so that it closes, or opened again. Every bound is an hour
// or more (3600 + `seconds`) from now, so that no call whose transaction
// started before the change is legitimately inside a new window; with
// `both_bounds` the window has both ends, otherwise one (or, opened, none).
enum class WindowMove { ToFuture, ToPast, Open };
struct Window {
  std::optional<long> from, until;  // seconds from now(); unset: NULL
};
Window window_for(WindowMove move, int seconds, bool both_bounds);

}  // namespace promo_client::race
