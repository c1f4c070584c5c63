#include "options.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace promo_client {

namespace {

ParseResult failure(const std::string &message) {
  return ParseResult{std::nullopt, "promo-client: " + message + "\nTry 'promo-client --help'.", 2};
}

std::optional<int> parse_int(const std::string &text, int minimum, int maximum) {
  int value = 0;
  const char *end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end || value < minimum || value > maximum) return std::nullopt;
  return value;
}

std::optional<Command> command_named(const std::string &name) {
  if (name == "check") return Command::Check;
  if (name == "redeem") return Command::Redeem;
  if (name == "confirm") return Command::Confirm;
  if (name == "release") return Command::Release;
  if (name == "load") return Command::Load;
  if (name == "bench") return Command::Bench;
  if (name == "race") return Command::Race;
  if (name == "generate") return Command::Generate;
  return std::nullopt;
}

// "1,16,100": positive whole numbers up to 10000.
std::optional<std::vector<int>> parse_int_list(const std::string &text) {
  std::vector<int> values;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::optional<int> value = parse_int(item, 1, 10000);
    if (!value) return std::nullopt;
    values.push_back(*value);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values;
}

// "rc,rr,ser": each level once, in any order.
std::optional<std::vector<Isolation>> parse_isolation_list(const std::string &text) {
  std::vector<Isolation> levels;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    Isolation level;
    if (item == "rc")
      level = Isolation::ReadCommitted;
    else if (item == "rr")
      level = Isolation::RepeatableRead;
    else if (item == "ser")
      level = Isolation::Serializable;
    else
      return std::nullopt;
    if (std::find(levels.begin(), levels.end(), level) != levels.end()) return std::nullopt;
    levels.push_back(level);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return levels;
}

std::optional<unsigned long long> parse_seed(const std::string &text) {
  unsigned long long value = 0;
  const char *end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end || text.empty()) return std::nullopt;
  return value;
}

std::optional<long long> parse_id(const std::string &text) {
  long long value = 0;
  const char *end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end || value < 1) return std::nullopt;
  return value;
}

// An order amount: a whole number of minor units, 0 or more.
std::optional<long long> parse_amount(const std::string &text) {
  long long value = 0;
  const char *end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end || value < 0) return std::nullopt;
  return value;
}

}  // namespace

std::string usage(std::optional<Command> command) {
  if (command == Command::Check)
    return "Usage: promo-client check [--connections N] [--max-uses N] [--rounds N] [--slots N]\n"
           "                          [--campaign] [--wait-seconds N] [--gate-dsn DSN]\n"
           "                          [--pooler-admin DSN] [--dsn DSN] [--json]\n"
           "Creates a code with max_uses, makes --connections sessions wait on its row lock\n"
           "at once (proved from pg_stat_activity), releases them together and verifies that\n"
           "exactly max_uses succeeded. Defaults: 100 connections, max_uses 50, 1 round.\n"
           "--slots N makes the code hot (promo 1.3): its uses spread over N slot rows.\n"
           "--campaign (promo 1.5): a campaign capped at --max-uses with --connections\n"
           "single-use codes, each redeemed by its own session; a gate holding the campaign\n"
           "makes them all wait at once (proved from pg_stat_activity and pg_blocking_pids),\n"
           "and the check verifies that exactly max_uses were redeemed, the rest refused by\n"
           "the campaign (exhausted, refused_by campaign), and that the campaign's usage and\n"
           "its codes' live ledger rows both equal max_uses. --slots N sets the campaign's\n"
           "slots (1 = one counter; without --slots, create_campaign's default).\n"
           "Through a PgBouncer (--dsn), --gate-dsn names the server itself and --pooler-admin\n"
           "its admin console; clients queued in the pooler count as waiting. Through a\n"
           "PL/Proxy database (promo_proxy), the code is created by create_promo and the\n"
           "gate runs on the shard that owns it (not with --campaign).\n"
           "The server needs connections + 2 free connection slots.\n"
           "Exit status: 0 every round passed, 1 otherwise.\n";
  if (command == Command::Generate)
    return "Usage: promo-client generate --campaign NAME --count N [--pattern P] [--charset C]\n"
           "                             [--max-uses N] [--max-uses-per-customer N] [--batch N]\n"
           "                             [--dsn DSN] [--json]\n"
           "Generates --count codes in the campaign NAME with the server's\n"
           "generate_promo_codes (promo 1.5), --batch codes per call (default 100000), all\n"
           "in one transaction: every code or none. --pattern, --charset, --max-uses (of\n"
           "each code) and --max-uses-per-customer are passed on; unset, the function's\n"
           "defaults apply. Shows a progress bar when stderr is a terminal; prints the\n"
           "number of codes made and the rate.\n"
           "Exit status: 0 all generated and committed, 1 otherwise (nothing committed).\n";
  if (command == Command::Redeem)
    return "Usage: promo-client redeem CODE [--customer ID] [--key KEY] [--hold DURATION]\n"
           "                           [--amount MINOR_UNITS --currency XXX] [--retries N] [--dsn DSN] [--json]\n"
           "Redeems one use of CODE and prints the row redeem_promo returned. --customer counts\n"
           "the use against the customer's limit; --key makes a retry return the same\n"
           "redemption; --hold (a PostgreSQL interval, such as '15 minutes') holds the use until\n"
           "it is confirmed or the hold expires. --amount (in minor units: 1999 for 19.99) and\n"
           "--currency (ISO 4217, such as EUR) name the order (promo 1.6): the code's minimum and\n"
           "currency decide, and the row says the discount. With --key, --retries N retries up to\n"
           "N times after a lost connection: the retry returns the original redemption, never a second.\n"
           "Exit status: 0 redeemed, 3 refused (the row says why), 1 error.\n";
  if (command == Command::Bench)
    return "Usage: promo-client bench [--connections 1,16,100] [--codes 1000] [--seconds 5] [--pairs 3]\n"
           "                          [--slots N] [--out DIR] [--dsn DSN] [--json]\n"
           "                          [--pooled-dsn DSN --pooled-connections 200]\n"
           "Measures redemptions per second and latency (p50/p99/max) of three variants, run\n"
           "in turn (A B C A B C ...) so that the machine's drift hits them alike: the seed's\n"
           "plain UPDATE, the seed's UPDATE followed by the client's own ledger INSERT in one\n"
           "transaction, and redeem_promo. Loads: hot (every session on one code) and spread\n"
           "(--codes codes), and with --slots N hot-slots (one code in hot mode, N slots).\n"
           "With campaigns (promo 1.5), the spread load also runs redeem_promo on --codes\n"
           "codes of one capped campaign, at create_campaign's default slots and at one slot,\n"
           "and reports each against the spread load's promo (the issue's target: 0.8).\n"
           "--pooled-connections run through --pooled-dsn, a pooler's transaction pool (such\n"
           "as PgBouncer's), with unprepared statements.\n"
           "Reports medians over --pairs runs and the ratios promo/seed;\n"
           "writes DIR/bench.json and, with gnuplot, DIR/bench.png.\n";
  if (command == Command::Load)
    return "Usage: promo-client load [--connections N] [--duration SECONDS] [--codes N] [--max-uses N]\n"
           "                         [--slots N] [--ack-log FILE] [--reconnect] [--dsn DSN] [--json]\n"
           "Runs a mixed workload on --codes fresh codes (max_uses --max-uses, 3 per customer;\n"
           "with --slots, every other code is hot with N slots):\n"
           "redemptions with customers, keyed redemptions and their replays, holds, confirms,\n"
           "releases and sweeps. --ack-log records every change the server acknowledged;\n"
           "--reconnect keeps sessions going through a restart or failover. Reports counts,\n"
           "errors by SQLSTATE, and backend memory at the start and the end.\n"
           "Defaults: 100 connections, 60 seconds, 4 codes, max_uses 2000.\n";
  if (command == Command::Race)
    return "Usage: promo-client race [--seed N] [--duration SECONDS] [--connections N]\n"
           "                         [--isolation rc,rr,ser] [--dsn DSN] [--json]\n"
           "The randomized concurrency workload. Creates 14 codes of its own (one-slot and\n"
           "hot, capped and unlimited, with and without a per-customer limit), 10 of them in\n"
           "two campaigns (one slot, many; small caps and customer limits), then for\n"
           "--duration seconds runs --connections worker sessions doing random redemptions\n"
           "(plain, keyed and their replays, for customers of a small pool, holds of 1-3 s),\n"
           "confirms, releases and sweeps, each in a transaction at a random isolation level\n"
           "of --isolation, some rolled back; 40001 and 40P01 are retried. One DBA session\n"
           "changes a random code's or campaign's slots, max_uses, max_uses_per_customer,\n"
           "is_active and validity, and moves codes between campaigns, in short open\n"
           "transactions; a monitor checks, every ~20 ms in one snapshot, for codes and\n"
           "campaigns: usage = live ledger rows, the cap, the per-customer limit, and that a\n"
           "closed code gains no ledger row. At the end the capped codes are redeemed until\n"
           "exhausted (a use promised twice then shows as overuse, a use left behind an\n"
           "'exhausted' as a code not full), the monitor checks again, and every acknowledged\n"
           "change is checked against the ledger. Session k's choices come from seed + k\n"
           "(0: the codes, 1..N: the workers, N+1: the DBA): the choices are reproducible,\n"
           "the thread interleaving is not. Exit status 0 only with no violation and no\n"
           "unexpected error.\n"
           "Defaults: a random seed (printed), 10 seconds, 16 connections, rc,rr,ser.\n";
  if (command == Command::Confirm)
    return "Usage: promo-client confirm REDEMPTION_ID [--dsn DSN] [--json]\n"
           "Makes a live hold a redemption. Exit status: 0 confirmed, 3 not (not a live hold), 1 error.\n";
  if (command == Command::Release)
    return "Usage: promo-client release REDEMPTION_ID [--dsn DSN] [--json]\n"
           "Gives a redemption's use back. Exit status: 0 released, 3 not (already released), 1 error.\n";
  return "Usage: promo-client [--dsn DSN] [--json] COMMAND [options]\n"
         "Commands:\n"
         "  check    the concurrency check: N sessions race for one code's last uses\n"
         "  redeem   redeem one code and print the result\n"
         "  confirm  confirm a held redemption\n"
         "  release  give a redemption's use back\n"
         "  load     a mixed workload that records what was acknowledged\n"
         "  bench    throughput and latency against the seed's plain UPDATE\n"
         "  race     randomized seeded workload with a DBA and an invariant monitor\n"
         "  generate generate a campaign's codes in one transaction\n"
         "Without --dsn, libpq's PG* environment variables choose the server.\n"
         "'promo-client COMMAND --help' describes a command.\n";
}

ParseResult parse_arguments(const std::vector<std::string> &arguments) {
  Options options;
  std::optional<Command> command;
  std::vector<std::string> positionals;
  bool help = false;
  bool connection_list = false;
  bool connections_given = false, duration_given = false, race_options = false, generate_options = false;

  for (size_t i = 0; i < arguments.size(); ++i) {
    const std::string &argument = arguments[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= arguments.size()) return std::nullopt;
      return arguments[++i];
    };
    auto number = [&](int minimum, int maximum, int &target) -> std::optional<ParseResult> {
      std::optional<std::string> text = value();
      if (!text) return failure(argument + " needs a value");
      std::optional<int> parsed = parse_int(*text, minimum, maximum);
      if (!parsed)
        return failure(argument + " must be a whole number from " + std::to_string(minimum) + " to " +
                       std::to_string(maximum) + ", not '" + *text + "'");
      target = *parsed;
      return std::nullopt;
    };
    std::optional<ParseResult> problem;

    if (argument == "--help" || argument == "-h") {
      help = true;
    } else if (argument == "--json") {
      options.json = true;
    } else if (argument == "--dsn") {
      std::optional<std::string> text = value();
      if (!text) return failure("--dsn needs a value");
      options.dsn = *text;
    } else if (argument == "--connections") {
      std::optional<std::string> text = value();
      std::optional<std::vector<int>> counts = text ? parse_int_list(*text) : std::nullopt;
      if (!counts)
        return failure("--connections takes a whole number from 1 to 10000, or a list such as 1,16,100");
      options.connections = counts->front();
      connections_given = true;
      options.bench.connection_counts = *counts;
      connection_list = counts->size() > 1;
    } else if (argument == "--pooled-dsn") {
      std::optional<std::string> text = value();
      if (!text) return failure("--pooled-dsn needs a value");
      options.bench.pooled_dsn = *text;
    } else if (argument == "--pooled-connections") {
      std::optional<std::string> text = value();
      std::optional<std::vector<int>> counts = text ? parse_int_list(*text) : std::nullopt;
      if (!counts) return failure("--pooled-connections takes a list such as 200, of numbers from 1 to 10000");
      options.bench.pooled_connection_counts = *counts;
    } else if (argument == "--seconds") {
      problem = number(1, 3600, options.bench.seconds);
    } else if (argument == "--pairs") {
      problem = number(1, 100, options.bench.pairs);
    } else if (argument == "--out") {
      std::optional<std::string> text = value();
      if (!text) return failure("--out needs a value");
      options.bench.out = *text;
    } else if (argument == "--max-uses") {
      problem = number(0, std::numeric_limits<int>::max(), options.check.max_uses);
      options.load.max_uses = options.check.max_uses;
      options.generate.max_uses = options.check.max_uses;
    } else if (argument == "--slots") {
      problem = number(1, 256, options.bench.slots);
      options.check.slots = options.bench.slots;
    } else if (argument == "--campaign") {
      // check --campaign is a mode; generate --campaign NAME names one. The
      // command must come first to tell them apart.
      if (!command)
        return failure("--campaign comes after the command: check --campaign, generate --campaign NAME");
      if (*command == Command::Generate) {
        std::optional<std::string> text = value();
        if (!text || text->empty()) return failure("--campaign needs a campaign name");
        options.generate.campaign = *text;
      } else {
        options.check.campaign = true;
      }
    } else if (argument == "--count") {
      problem = number(1, std::numeric_limits<int>::max(), options.generate.count);
      generate_options = true;
    } else if (argument == "--batch") {
      problem = number(1, std::numeric_limits<int>::max(), options.generate.batch);
      generate_options = true;
    } else if (argument == "--max-uses-per-customer") {
      int limit = 0;
      problem = number(0, std::numeric_limits<int>::max(), limit);
      options.generate.max_uses_per_customer = limit;
      generate_options = true;
    } else if (argument == "--pattern" || argument == "--charset") {
      std::optional<std::string> text = value();
      if (!text) return failure(argument + " needs a value");
      (argument == "--pattern" ? options.generate.pattern : options.generate.charset) = *text;
      generate_options = true;
    } else if (argument == "--duration") {
      problem = number(1, 7 * 24 * 3600, options.load.duration_seconds);
      duration_given = true;
    } else if (argument == "--seed") {
      std::optional<std::string> text = value();
      std::optional<unsigned long long> seed = text ? parse_seed(*text) : std::nullopt;
      if (!seed) return failure("--seed takes a whole number from 0 to 18446744073709551615");
      options.race.seed = seed;
      race_options = true;
    } else if (argument == "--isolation") {
      std::optional<std::string> text = value();
      std::optional<std::vector<Isolation>> levels = text ? parse_isolation_list(*text) : std::nullopt;
      if (!levels) return failure("--isolation takes a list of rc, rr and ser, such as rc,ser");
      options.race.isolation = *levels;
      race_options = true;
    } else if (argument == "--codes") {
      problem = number(1, 1000000, options.load.codes);
      options.bench.codes = options.load.codes;
    } else if (argument == "--retries") {
      problem = number(0, 100, options.redeem.retries);
    } else if (argument == "--reconnect") {
      options.load.reconnect = true;
    } else if (argument == "--ack-log") {
      std::optional<std::string> text = value();
      if (!text) return failure("--ack-log needs a value");
      options.load.ack_log = *text;
    } else if (argument == "--rounds") {
      problem = number(1, 1000000, options.check.rounds);
    } else if (argument == "--customer" || argument == "--key" || argument == "--hold") {
      std::optional<std::string> text = value();
      if (!text) return failure(argument + " needs a value");
      if (argument == "--customer")
        options.redeem.customer = *text;
      else if (argument == "--key")
        options.redeem.key = *text;
      else
        options.redeem.hold = *text;
    } else if (argument == "--amount") {
      std::optional<std::string> text = value();
      std::optional<long long> amount = text ? parse_amount(*text) : std::nullopt;
      if (!amount) return failure("--amount takes a whole number of minor units, 0 or more");
      options.redeem.amount = amount;
    } else if (argument == "--currency") {
      std::optional<std::string> text = value();
      if (!text) return failure("--currency needs a value");
      options.redeem.currency = *text;
    } else if (argument == "--gate-dsn" || argument == "--pooler-admin") {
      std::optional<std::string> text = value();
      if (!text) return failure(argument + " needs a value");
      (argument == "--gate-dsn" ? options.check.gate_dsn : options.check.pooler_admin_dsn) = *text;
    } else if (argument == "--wait-seconds") {
      problem = number(1, 3600, options.check.wait_seconds);
    } else if (argument.size() > 1 && argument[0] == '-') {
      return failure("unknown option " + argument);
    } else if (!command) {
      command = command_named(argument);
      if (!command) return failure("unknown command '" + argument + "'");
    } else {
      positionals.push_back(argument);
    }
    if (problem) return *problem;
  }

  if (help) return ParseResult{std::nullopt, usage(command), 0};
  if (!command) return failure("no command given");
  options.command = *command;

  const bool redeem_options = options.redeem.customer || options.redeem.key || options.redeem.hold ||
                              options.redeem.retries > 0 || options.redeem.amount || options.redeem.currency;
  if (redeem_options && options.command != Command::Redeem)
    return failure("--customer, --key, --hold, --amount, --currency and --retries belong to redeem");
  if (options.redeem.amount.has_value() != options.redeem.currency.has_value())
    return failure("--amount and --currency come together: an amount is in a currency");
  if (options.redeem.retries > 0 && !options.redeem.key)
    return failure("--retries needs --key: only a keyed redemption can be retried safely");
  if (options.command == Command::Redeem) {
    if (positionals.size() != 1) return failure("redeem takes exactly one CODE");
    options.redeem.code = positionals[0];
  } else if (options.command == Command::Confirm || options.command == Command::Release) {
    if (positionals.size() != 1) return failure("confirm and release take exactly one REDEMPTION_ID");
    std::optional<long long> id = parse_id(positionals[0]);
    if (!id) return failure("REDEMPTION_ID must be a positive whole number, not '" + positionals[0] + "'");
    options.ledger.redemption_id = *id;
  } else if (!positionals.empty()) {
    return failure("unexpected argument '" + positionals[0] + "'");
  }
  if (options.command != Command::Bench && connection_list)
    return failure("a list of --connections belongs to bench");
  if (options.command != Command::Bench &&
      (!options.bench.pooled_dsn.empty() || !options.bench.pooled_connection_counts.empty()))
    return failure("--pooled-dsn and --pooled-connections belong to bench");
  if (options.bench.pooled_dsn.empty() != options.bench.pooled_connection_counts.empty())
    return failure("--pooled-dsn and --pooled-connections go together");
  for (int count : options.bench.pooled_connection_counts)
    for (int direct : options.bench.connection_counts)
      if (count == direct)
        return failure(std::to_string(count) + " connections cannot be both direct and --pooled-connections");
  if (race_options && options.command != Command::Race)
    return failure("--seed and --isolation belong to race");
  if (generate_options && options.command != Command::Generate)
    return failure("--count, --batch, --pattern, --charset and --max-uses-per-customer belong to generate");
  if (options.check.campaign && options.command != Command::Check)
    return failure("--campaign without a name belongs to check; generate takes --campaign NAME");
  if (options.command == Command::Generate) {
    if (options.generate.campaign.empty()) return failure("generate needs --campaign NAME");
    if (options.generate.count == 0) return failure("generate needs --count N");
  }
  if (options.command == Command::Race) {
    // race has defaults of its own: a short run with a few sessions.
    if (connections_given) options.race.connections = options.connections;
    if (duration_given) options.race.duration_seconds = options.load.duration_seconds;
    options.connections = options.race.connections;
  }
  return ParseResult{options, "", 0};
}

}  // namespace promo_client
