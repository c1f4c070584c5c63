// promo-client redeem: one redemption, printed.
#pragma once

#include "options.hpp"

namespace promo_client {

// Exit code when the call worked but the code was refused.
inline constexpr int exit_refused = 3;

int run_redeem(const Options &options);

}  // namespace promo_client
