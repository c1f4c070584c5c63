// A campaign's slots: promo_campaign_slots, the SlotTable of a campaign's
// counter (slotted_counter.hpp), as code_slots is a hot code's.
#pragma once

#include "slotted_counter.hpp"

namespace promo {

extern const SlotTable campaign_slots;

}  // namespace promo
