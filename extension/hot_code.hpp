// The hot path: a code with more than one slot. Its redemptions share the
// code's guard instead of locking its row, and take their uses from its
// slots (slotted_counter.hpp), so they run in parallel.
#pragma once

#include <cstdint>
#include <optional>

#include "campaign.hpp"
#include "redemption_rules.hpp"

namespace promo::hot {

// Redeems a use of the code `promo_id`, which was hot when it was found.
// Empty when the code turned out to have one slot (the caller takes the
// one-slot path; this call holds none of the hot path's locks then).
std::optional<Redemption> redeem(SpiSession &spi, const RedemptionRequest &request, int64_t promo_id,
                                 bool reveal_reasons);

// The same three as for one-slot codes; each empty when the code turned out
// to have one slot.
std::optional<bool> confirm(SpiSession &spi, int64_t promo_id, int64_t redemption_id, bool campaigns);
std::optional<bool> release(SpiSession &spi, int64_t promo_id, int64_t redemption_id, bool campaigns);
// The sweep's: what the code's holds owe its campaign goes into `owed`.
std::optional<int32_t> reclaim_expired_holds(SpiSession &spi, int64_t promo_id, bool campaigns,
                                             campaign::Owed &owed);

// As one_slot::try_reclaim_expired_holds: only if no DBA's change holds the
// code's guard, the code is still of `campaign_id` and one of its slots is
// free; never waits.
std::optional<int32_t> try_reclaim_expired_holds(SpiSession &spi, int64_t promo_id, int64_t campaign_id);

}  // namespace promo::hot
