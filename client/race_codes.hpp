// promo-client race: the campaigns and codes a run creates, its own table,
// and the clean-up.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "race_support.hpp"

namespace promo_client::race {

// Creates the run's two campaigns (one counted in one slot, one in many;
// caps and per-customer limits small enough to be reached) and its codes
// (one-slot and hot, capped and unlimited, with and without a per-customer
// limit, in either campaign or in none, two of them roaming; caps and slot
// counts from the seed), and the workload's table of closed codes, if it is
// missing. Sets the run's campaigns, codes and their id arrays. Campaigns
// came with promo 1.5: on an older promo it says so and creates nothing.
void create_campaigns_and_codes(pqxx::connection &connection, Run &run, Random &random);

// Removes the run's codes, their ledger and slot rows and their closed
// records, then its campaigns (a campaign with codes cannot be deleted).
void remove_campaigns_and_codes(pqxx::connection &connection, const Run &run);

// "{1,2,3}": the codes' (or campaigns') ids as a bigint[] literal.
std::string id_array(const std::vector<RaceCode> &codes);
std::string id_array(const std::vector<RaceCampaign> &campaigns);

}  // namespace promo_client::race
