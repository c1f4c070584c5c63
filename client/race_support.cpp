#include "race_support.hpp"

#include <memory>

namespace promo_client::race {

namespace {
constexpr size_t kFirstKept = 12;       // errors kept with their messages
constexpr long kFirstKeptPerCheck = 4;  // violations kept with their details, per check
}  // namespace

void merge(Counts &into, const Counts &from) {
  for (const auto &[label, n] : from) into[label] += n;
}

void merge(Table &into, const Table &from) {
  for (const auto &[kind, counts] : from) merge(into[kind], counts);
}

void Errors::add(const std::string &who, const std::string &sqlstate, const std::string &message) {
  ++by_sqlstate[sqlstate];
  // The first line names the error; PostgreSQL's CONTEXT lines repeat promo's statements.
  if (first.size() < kFirstKept)
    first.push_back(who + ": " + sqlstate + " " + message.substr(0, message.find('\n')));
}

void Errors::merge(const Errors &other) {
  race::merge(by_sqlstate, other.by_sqlstate);
  for (const std::string &line : other.first)
    if (first.size() < kFirstKept) first.push_back(line);
}

long Errors::total() const {
  long n = 0;
  for (const auto &[sqlstate, count] : by_sqlstate) n += count;
  return n;
}

std::string sqlstate_of(const pqxx::failure &error) {
  if (auto sql = dynamic_cast<const pqxx::sql_error *>(&error)) return sql->sqlstate();
  if (dynamic_cast<const pqxx::serialization_failure *>(&error)) return "40001";
  if (dynamic_cast<const pqxx::deadlock_detected *>(&error)) return "40P01";
  if (dynamic_cast<const pqxx::statement_completion_unknown *>(&error)) return "40003";
  if (dynamic_cast<const pqxx::transaction_rollback *>(&error)) return "40000";
  if (dynamic_cast<const pqxx::broken_connection *>(&error)) return "08000";
  return "client";
}

bool is_retryable(const std::string &sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";
}

void Violations::report(const std::string &check, const std::string &subject, const std::string &detail) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++sightings_;
  if (!seen_.insert(check + "\n" + subject).second) return;
  if (++by_check_[check] <= kFirstKeptPerCheck) first_.push_back(check + ": " + detail);
}

long Violations::sightings() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sightings_;
}

long Violations::distinct() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<long>(seen_.size());
}

Counts Violations::by_check() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return by_check_;
}

std::vector<std::string> Violations::first() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return first_;
}

void SharedKeys::observe(long long promo_id, const std::string &key, long long redemption_id,
                         Violations &violations) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto [known, inserted] = ids_.emplace(std::make_pair(promo_id, key), redemption_id);
  if (!inserted && known->second != redemption_id)
    violations.report("one redemption per key", std::to_string(promo_id) + " " + key,
                      "key " + key + " of code id " + std::to_string(promo_id) + " named redemption " +
                          std::to_string(known->second) + " and later " + std::to_string(redemption_id));
}

std::unique_ptr<pqxx::connection> session_connection(const Run &run) {
  auto connection = std::make_unique<pqxx::connection>(run.options.dsn);
  pqxx::nontransaction setup(*connection);
  setup.exec("SET statement_timeout = '30s'");
  return connection;
}

std::string promo_sql(const std::string &schema, std::string sql) {
  const std::string marker = "@promo.";
  for (size_t at = sql.find(marker); at != std::string::npos; at = sql.find(marker, at + schema.size() + 1))
    sql.replace(at, marker.size(), schema + ".");
  return sql;
}

const char *isolation_name(Isolation level) {
  switch (level) {
    case Isolation::ReadCommitted: return "READ COMMITTED";
    case Isolation::RepeatableRead: return "REPEATABLE READ";
    case Isolation::Serializable: return "SERIALIZABLE";
  }
  return "?";
}

std::string milliseconds(long ms) {
  return std::to_string(ms) + " milliseconds";
}

std::string seconds_interval(long seconds) {
  return std::to_string(seconds) + " seconds";
}

std::optional<int> optional_int(const pqxx::field &field) {
  return field.is_null() ? std::nullopt : std::optional<int>(field.as<int>());
}

}  // namespace promo_client::race
