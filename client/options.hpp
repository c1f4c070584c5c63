// Command-line parsing for promo-client. Pure: no I/O, no database.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace promo_client {

enum class Command { Check, Redeem, Confirm, Release };

struct CheckOptions {
  int connections = 100;
  int max_uses = 50;
  int rounds = 1;
  int wait_seconds = 60;  // how long all sessions may take to queue on the lock
};

struct RedeemOptions {
  std::string code;
  std::optional<std::string> customer;
  std::optional<std::string> key;
  std::optional<std::string> hold;  // a PostgreSQL interval, such as '15 minutes'
};

// confirm and release take a redemption id.
struct LedgerOptions {
  long long redemption_id = 0;
};

struct Options {
  Command command = Command::Check;
  std::string dsn;  // empty: libpq's PG* environment variables
  bool json = false;
  CheckOptions check;
  RedeemOptions redeem;
  LedgerOptions ledger;
};

// What parsing produced: options to run, or a text to print and an exit code.
struct ParseResult {
  std::optional<Options> options;
  std::string message;  // help text or error
  int exit_code = 0;
};

ParseResult parse_arguments(const std::vector<std::string> &arguments);

std::string usage(std::optional<Command> command);

}  // namespace promo_client
