// What the sessions of promo-client race share: the run's codes and
// campaigns, seeded random numbers, tallies, and the violations every check
// reports into.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "race_discount.hpp"
#include "options.hpp"

namespace promo_client::race {

using Clock = std::chrono::steady_clock;

// A campaign the run created, with the settings it was created with.
struct RaceCampaign {
  long long id = 0;
  std::string name;
  int slots = 1;
  std::optional<int> max_uses;               // unset: unlimited
  std::optional<int> max_uses_per_customer;  // unset: no limit
};

// A code the run created, with the settings it was created with.
struct RaceCode {
  long long id = 0;
  std::string code;
  int slots = 1;
  std::optional<int> max_uses;               // unset: unlimited
  std::optional<int> max_uses_per_customer;  // unset: no limit
  std::optional<size_t> campaign;            // index into Run::campaigns; the DBA moves codes later
  // Its sessions release each of its redemptions in their next transaction,
  // so it often has no live one and the DBA can move it between campaigns.
  bool roaming = false;
  // Its discount (promo 1.6 only), in EUR; set once, before the sessions start.
  std::optional<DiscountRule> discount;
};

// What every session of one run knows.
struct Run {
  explicit Run(const Options &run_options) : options(run_options) {}

  const Options &options;
  unsigned long long seed = 0;
  std::string schema;  // promo's schema, quoted
  std::string tag;     // in every code's and campaign's name, so that runs do not collide
  std::vector<RaceCampaign> campaigns;
  std::vector<RaceCode> codes;
  std::string code_ids;      // "{1,2,3}", for = ANY($1::bigint[])
  std::string campaign_ids;  // the same for the campaigns
  Clock::time_point deadline;
  bool orders = false;  // promo 1.6: half the redemptions name an order, and the answers' discounts are checked
};

// A seeded generator whose sequence is the same on every platform:
// mt19937_64 is fixed by the standard, and so are these reductions.
class Random {
 public:
  explicit Random(unsigned long long seed) : engine_(seed) {}
  uint64_t below(uint64_t n) { return engine_() % n; }
  int between(int low, int high) {
    return low + static_cast<int>(below(static_cast<uint64_t>(high - low) + 1));
  }
  bool chance(int percent) { return below(100) < static_cast<uint64_t>(percent); }

 private:
  std::mt19937_64 engine_;
};

// Counts by label; a Table groups them by kind ("plain" -> "exhausted" -> n).
using Counts = std::map<std::string, long>;
using Table = std::map<std::string, Counts>;
void merge(Counts &into, const Counts &from);
void merge(Table &into, const Table &from);

// Errors no client should see, by SQLSTATE, with the first few messages.
struct Errors {
  Counts by_sqlstate;
  std::vector<std::string> first;

  void add(const std::string &who, const std::string &sqlstate, const std::string &message);
  void merge(const Errors &other);
  long total() const;
};

// The SQLSTATE of a libpqxx error. libpqxx 6 throws serialization failures
// and deadlocks as classes of their own that are not sql_error and carry no
// SQLSTATE: their class names it.
std::string sqlstate_of(const pqxx::failure &error);

// Serialization failures and deadlocks: a client retries the transaction.
bool is_retryable(const std::string &sqlstate);

// A violation of what must hold, from any session. A lasting one (the same
// check on the same subject) is seen by many checks: it is counted each time
// and once as distinct; the first few of each check are kept with their details.
class Violations {
 public:
  void report(const std::string &check, const std::string &subject, const std::string &detail);
  long sightings() const;
  long distinct() const;
  Counts by_check() const;  // distinct violations per check
  std::vector<std::string> first() const;

 private:
  mutable std::mutex mutex_;
  long sightings_ = 0;
  std::set<std::string> seen_;
  Counts by_check_;
  std::vector<std::string> first_;  // in the order seen
};

// Idempotency keys that several sessions race for: each must name one
// redemption, whoever committed it.
class SharedKeys {
 public:
  void observe(long long promo_id, const std::string &key, long long redemption_id, Violations &violations);

 private:
  std::mutex mutex_;
  std::map<std::pair<long long, std::string>, long long> ids_;
};

// A fresh connection for a session, with a statement timeout so that a hang
// surfaces as an error (57014) instead of a stuck run.
std::unique_ptr<pqxx::connection> session_connection(const Run &run);

// The SQL text with every "@promo." replaced by promo's schema: statements
// stay whole and readable. Values never go in here: they travel as parameters.
std::string promo_sql(const std::string &schema, std::string sql);

// "READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE".
const char *isolation_name(Isolation level);

// "1500 milliseconds", "-3600 seconds": interval parameters.
std::string milliseconds(long ms);
std::string seconds_interval(long seconds);

// An integer column that may be NULL.
std::optional<int> optional_int(const pqxx::field &field);

}  // namespace promo_client::race
