// promo-client race: the codes a run creates, its own table, and the clean-up.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "race_support.hpp"

namespace promo_client::race {

// Creates the run's dozen codes (one-slot and hot, capped and unlimited, with
// and without a per-customer limit; caps and slot counts from the seed) and
// the workload's table of closed codes, if it is missing.
std::vector<RaceCode> create_codes(pqxx::connection &connection, const std::string &schema,
                                   const std::string &tag, Random &random);

// Removes the run's codes, their ledger and slot rows, and their closed records.
void remove_codes(pqxx::connection &connection, const std::string &schema, const std::string &code_ids);

// "{1,2,3}": the codes' ids as a bigint[] literal.
std::string id_array(const std::vector<RaceCode> &codes);

}  // namespace promo_client::race
