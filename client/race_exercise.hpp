// What a run of promo-client race must have exercised before its PASS says
// anything about campaigns: redemptions refused by a campaign's cap and by
// its per-customer limit (and by a code's own, so that both rules met the
// same calls), and the DBA's changes of campaigns and moves of codes
// between them applied. A run without them would pass by never testing the
// rules: it fails instead, saying what was missing. Pure: no I/O.
#pragma once

#include <string>
#include <vector>

#include "race_support.hpp"

namespace promo_client::race {

// `refusals`: whose rule refused (code, campaign) -> status -> count;
// `campaign_changes`, `code_moves`: the DBA's changes of campaigns' settings
// and its moves of codes -> outcome (applied, ...) -> count.
// Returns one line per thing the run never did; empty: all exercised.
std::vector<std::string> unexercised(const Table &refusals, const Table &campaign_changes,
                                     const Table &code_moves);

}  // namespace promo_client::race
