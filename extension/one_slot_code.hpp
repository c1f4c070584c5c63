// The one-slot path: a code whose uses are counted by current_uses alone.
// Every call queues on the code's CodeQueue lock, then takes the code row's
// lock; the guarded UPDATE re-checks every condition on the newest row
// version, so a DBA's change made while a call waits is always seen.
#pragma once

#include <cstdint>
#include <optional>

#include "campaign.hpp"
#include "redemption_rules.hpp"

namespace promo::one_slot {

// Redeems a use of the code `found`. Empty when the code turned out to be
// hot (this call then holds the code's queue and row locks; the caller takes
// the hot path).
std::optional<Redemption> redeem(SpiSession &spi, const RedemptionRequest &request, const FoundCode &found,
                                 bool reveal_reasons);

// Each empty when the code turned out to be hot. `campaigns`: 1.5's tables,
// where a use given back goes to the code's campaign too.
std::optional<bool> confirm(SpiSession &spi, int64_t promo_id, int64_t redemption_id, bool campaigns);
std::optional<bool> release(SpiSession &spi, int64_t promo_id, int64_t redemption_id, bool campaigns);
// The sweep's: what the code's holds owe its campaign goes into `owed`.
std::optional<int32_t> reclaim_expired_holds(SpiSession &spi, int64_t promo_id, bool campaigns,
                                             campaign::Owed &owed);

// Reclaims the code's expired holds only if no other transaction holds its
// queue or row and the code, locked, is still of `campaign_id` (otherwise
// empty, as for a code that turned out hot), giving their uses back to the
// code; the caller, holding the campaign's locks, gives them back to the
// campaign. Never waits, so the caller's own locks may come first.
std::optional<int32_t> try_reclaim_expired_holds(SpiSession &spi, int64_t promo_id, int64_t campaign_id);

}  // namespace promo::one_slot
