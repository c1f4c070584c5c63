#include "database.hpp"

#include <cstdio>
#include <stdexcept>

namespace promo_client {

std::string promo_schema(pqxx::connection_base &connection) {
  pqxx::nontransaction query(connection);
  pqxx::result rows = query.exec(
      "SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_extension e"
      "  JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'promo'");
  if (rows.empty()) throw std::runtime_error("the promo extension is not installed in this database");
  return rows[0][0].as<std::string>();
}

bool promo_has_ledger(pqxx::connection_base &connection) {
  pqxx::nontransaction query(connection);
  return query.exec("SELECT extversion <> '1.0' FROM pg_catalog.pg_extension WHERE extname = 'promo'")[0][0]
      .as<bool>();
}

std::string json_string(const std::string &text) {
  std::string quoted = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': quoted += "\\\""; break;
      case '\\': quoted += "\\\\"; break;
      case '\n': quoted += "\\n"; break;
      case '\r': quoted += "\\r"; break;
      case '\t': quoted += "\\t"; break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          quoted += escaped;
        } else {
          quoted += static_cast<char>(c);
        }
    }
  }
  return quoted + "\"";
}

}  // namespace promo_client
