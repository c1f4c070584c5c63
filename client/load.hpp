// promo-client load: a mixed workload of every promo function, from many
// sessions, recording what the server acknowledged so a fault test can check
// that nothing acknowledged was lost.
#pragma once

#include "options.hpp"

namespace promo_client {

int run_load(const Options &options);

}  // namespace promo_client
