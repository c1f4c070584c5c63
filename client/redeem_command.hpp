// promo-client redeem, confirm and release: one call each, printed.
#pragma once

#include "options.hpp"

namespace promo_client {

// Exit code when the call worked but the answer was no (refused, not confirmed, not released).
inline constexpr int exit_refused = 3;

int run_redeem(const Options &options);
int run_confirm_or_release(const Options &options);

}  // namespace promo_client
