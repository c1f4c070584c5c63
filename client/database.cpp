#include "database.hpp"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace promo_client {

std::string extension_schema(pqxx::connection_base &connection, const std::string &extension) {
  pqxx::nontransaction query(connection);
  pqxx::result rows = query.exec_params(
      "SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_extension e"
      "  JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = $1",
      extension);
  return rows.empty() ? "" : rows[0][0].as<std::string>();
}

std::string promo_schema(pqxx::connection_base &connection) {
  std::string schema = extension_schema(connection, "promo");
  if (schema.empty()) throw std::runtime_error("the promo extension is not installed in this database");
  return schema;
}

bool promo_has_ledger(pqxx::connection_base &connection) {
  pqxx::nontransaction query(connection);
  return query.exec("SELECT extversion <> '1.0' FROM pg_catalog.pg_extension WHERE extname = 'promo'")[0][0]
      .as<bool>();
}

PoolerConsole::PoolerConsole(const std::string &dsn) : connection_(PQconnectdb(dsn.c_str())) {
  if (PQstatus(connection_) != CONNECTION_OK) {
    std::string message = PQerrorMessage(connection_);
    PQfinish(connection_);
    throw std::runtime_error("cannot reach the pooler's admin console: " + message);
  }
}

PoolerConsole::~PoolerConsole() {
  PQfinish(connection_);
}

int PoolerConsole::waiting_clients() {
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection_, "SHOW POOLS"), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK)
    throw std::runtime_error(std::string("SHOW POOLS failed: ") + PQerrorMessage(connection_));
  const int column = PQfnumber(result.get(), "cl_waiting");
  if (column < 0) throw std::runtime_error("SHOW POOLS has no cl_waiting column");
  int waiting = 0;
  for (int row = 0; row < PQntuples(result.get()); ++row)
    waiting += std::atoi(PQgetvalue(result.get(), row, column));
  return waiting;
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
