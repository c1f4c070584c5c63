// Connection helpers shared by the client's commands.
#pragma once

#include <pqxx/pqxx>
#include <string>

namespace promo_client {

// The schema promo is installed in, quoted for SQL; fails if it is not installed.
std::string promo_schema(pqxx::connection_base &connection);

// The quoted schema of an extension, or empty if it is not installed.
std::string extension_schema(pqxx::connection_base &connection, const std::string &extension);

// True from promo 1.1 on: the ledger exists.
bool promo_has_ledger(pqxx::connection_base &connection);

// PgBouncer's admin console, through libpq itself: libpqxx refuses a server
// that reports a version below 9.0, as the console does.
class PoolerConsole {
 public:
  explicit PoolerConsole(const std::string &dsn);
  ~PoolerConsole();
  PoolerConsole(const PoolerConsole &) = delete;
  PoolerConsole &operator=(const PoolerConsole &) = delete;

  // Clients queued for a server connection, over every pool (SHOW POOLS, cl_waiting).
  int waiting_clients();

 private:
  struct pg_conn *connection_;
};

// JSON string literal for a text value.
std::string json_string(const std::string &text);

}  // namespace promo_client
