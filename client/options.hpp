// Command-line parsing for promo-client. Pure: no I/O, no database.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace promo_client {

enum class Command { Check, Redeem, Confirm, Release, Load, Bench, Race, Generate };

// A transaction isolation level the race workload may choose.
enum class Isolation { ReadCommitted, RepeatableRead, Serializable };

struct CheckOptions {
  int max_uses = 50;  // the code's, or with campaign the campaign's
  int rounds = 1;
  // More than 1: the code (promo 1.3) or the campaign is hot. Unset: the
  // extension's default (a code 1, a campaign 16).
  std::optional<int> slots;
  // promo 1.5: --connections single-use codes of one campaign capped at
  // max_uses, one session each; the gate holds the campaign.
  bool campaign = false;
  int wait_seconds = 60;         // how long all sessions may take to queue on the lock
  std::string gate_dsn;          // the server holding the code's row, when --dsn is a pooler
  std::string pooler_admin_dsn;  // PgBouncer's admin console: its queued clients count as waiting
};

struct RedeemOptions {
  std::string code;
  std::optional<std::string> customer;
  std::optional<std::string> key;
  std::optional<std::string> hold;  // a PostgreSQL interval, such as '15 minutes'
  int retries = 0;                  // with a key: retries after a lost connection
  // The order (promo 1.6): its amount in minor units and its currency, together.
  std::optional<long long> amount;
  std::optional<std::string> currency;
};

// load: a mixed workload that records every acknowledged change.
struct LoadOptions {
  int duration_seconds = 60;
  int codes = 4;
  int max_uses = 2000;
  std::string ack_log;     // file that receives one line per acknowledged change
  bool reconnect = false;  // ride through a server restart or failover
};

// bench: redeem_promo against the seed's plain UPDATE, interleaved.
struct BenchOptions {
  std::vector<int> connection_counts = {1, 16, 100};
  int codes = 1000;                   // the spread load; the hot load is one code
  int seconds = 5;                    // per run
  int pairs = 3;                      // runs of each variant per point, interleaved
  int slots = 1;                      // more than 1: also a hot-mode load, one code with these slots
  std::string out = "bench-results";  // bench.json and bench.png go here
  // Counts that connect through a pooler's transaction pool instead (more
  // clients than the server has connections), with unprepared statements:
  // PgBouncer 1.18 keeps no prepared statement across transactions.
  std::string pooled_dsn;
  std::vector<int> pooled_connection_counts;
};

// generate: generate_promo_codes in batches, all in one transaction. Unset
// settings are the server function's defaults.
struct GenerateOptions {
  std::string campaign;
  int count = 0;
  int batch = 100000;  // codes per call of generate_promo_codes
  std::optional<std::string> pattern;
  std::optional<std::string> charset;
  std::optional<int> max_uses;  // of each code
  std::optional<int> max_uses_per_customer;
};

// race: the randomized, seeded concurrency workload with a DBA and a monitor.
struct RaceOptions {
  std::optional<unsigned long long> seed;  // unset: a random seed, printed
  int duration_seconds = 10;
  int connections = 16;  // worker sessions
  std::vector<Isolation> isolation = {Isolation::ReadCommitted, Isolation::RepeatableRead,
                                      Isolation::Serializable};
};

// confirm and release take a redemption id.
struct LedgerOptions {
  long long redemption_id = 0;
};

struct Options {
  Command command = Command::Check;
  std::string dsn;  // empty: libpq's PG* environment variables
  bool json = false;
  int connections = 100;
  CheckOptions check;
  RedeemOptions redeem;
  LedgerOptions ledger;
  LoadOptions load;
  BenchOptions bench;
  RaceOptions race;
  GenerateOptions generate;
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
