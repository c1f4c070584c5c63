// Connection helpers shared by the client's commands.
#pragma once

#include <pqxx/pqxx>
#include <string>

namespace promo_client {

// The schema promo is installed in, quoted for SQL; fails if it is not installed.
std::string promo_schema(pqxx::connection_base &connection);

// True from promo 1.1 on: the ledger exists.
bool promo_has_ledger(pqxx::connection_base &connection);

// JSON string literal for a text value.
std::string json_string(const std::string &text);

}  // namespace promo_client
