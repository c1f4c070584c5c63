// promo-client race, after the sessions: the holds they left are reclaimed
// once expired, every code and campaign is opened, and every code with a cap
// of its own or of its campaign is redeemed by several sessions at once
// until it answers exhausted. A use a change
// promised twice (hidden in a hot code's or a campaign's slots) then shows
// as usage above max_uses; a use left behind an `exhausted` shows as usage
// below it, of the code or the campaign that answered.
#pragma once

#include <map>

#include "race_support.hpp"
#include "race_worker.hpp"

namespace promo_client::race {

struct DrainReport {
  Counts answers;  // by status, and by whose rule refused
  std::map<long long, Acknowledged> acknowledged;
  Errors errors;
};

DrainReport drain_codes(const Run &run, Violations &violations);

}  // namespace promo_client::race
