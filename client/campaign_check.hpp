// check --campaign (promo 1.5): the seed's concurrency check lifted to a
// campaign. Each round creates a campaign capped at --max-uses with
// --connections single-use codes, opens one session per code, makes them
// all wait at once behind a gate that holds the campaign, releases them
// together and judges what they were answered and what the database counts.
#pragma once

#include <pqxx/pqxx>

#include "check_support.hpp"
#include "options.hpp"

namespace promo_client {

// Fails, saying why, where the campaign check cannot run: promo older than
// 1.5, or --dsn a PL/Proxy database (a campaign spans shards).
void require_campaigns(pqxx::connection &admin);

// One round, judged.
RoundReport campaign_round(const Options &options, int round_number);

}  // namespace promo_client
