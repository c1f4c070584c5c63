#include "load.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "database.hpp"

namespace promo_client {

namespace {

using Clock = std::chrono::steady_clock;

// One line per change the server acknowledged: "<kind> <redemption id> <result>".
class AckLog {
 public:
  explicit AckLog(const std::string &path) {
    if (!path.empty()) {
      file_.open(path, std::ios::out | std::ios::trunc);
      if (!file_) throw std::runtime_error("cannot write " + path);
    }
  }
  void record(const char *kind, long long id, const std::string &result) {
    if (!file_.is_open()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    file_ << kind << ' ' << id << ' ' << result << '\n';
    file_.flush();
  }

 private:
  std::mutex mutex_;
  std::ofstream file_;
};

// What one session did; merged at the end.
struct Tally {
  std::map<std::string, long> counts;  // by action and outcome
  std::map<std::string, long> errors;  // by SQLSTATE
  long calls = 0;
  long connection_losses = 0;
  long replay_mismatches = 0;
  long memory_start = -1;  // bytes in the backend's memory contexts
  long memory_end = -1;

  void merge(const Tally &other) {
    for (const auto &[key, n] : other.counts) counts[key] += n;
    for (const auto &[key, n] : other.errors) errors[key] += n;
    calls += other.calls;
    connection_losses += other.connection_losses;
    replay_mismatches += other.replay_mismatches;
  }
};

std::string rollback_sqlstate(const pqxx::transaction_rollback &error) {
  if (dynamic_cast<const pqxx::deadlock_detected *>(&error) != nullptr) return "40P01";
  if (dynamic_cast<const pqxx::serialization_failure *>(&error) != nullptr) return "40001";
  if (dynamic_cast<const pqxx::statement_completion_unknown *>(&error) != nullptr) return "40003";
  return "40000";
}

bool is_connection_loss(const std::string &sqlstate) {
  return sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0;
}

class Session {
 public:
  Session(const Options &options, const std::string &schema, const std::vector<std::string> &codes,
          const std::string &tag, int number, Clock::time_point deadline, AckLog &acks)
      : options_(options),
        schema_(schema),
        codes_(codes),
        tag_(tag),
        number_(number),
        deadline_(deadline),
        acks_(acks),
        random_(std::random_device{}() + number) {}

  Tally run() {
    if (!connect()) return tally_;
    for (long iteration = 0; Clock::now() < deadline_; ++iteration) {
      if (iteration == 50) tally_.memory_start = backend_memory();
      if (!step(iteration)) break;
    }
    tally_.memory_end = backend_memory();
    return tally_;
  }

 private:
  bool connect() {
    while (true) {
      try {
        connection_ = std::make_unique<pqxx::connection>(options_.dsn);
        return true;
      } catch (const pqxx::broken_connection &) {
        if (!options_.load.reconnect || Clock::now() >= deadline_) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the server is restarting
      }
    }
  }

  long backend_memory() {
    try {
      pqxx::nontransaction query(*connection_);
      return query.exec("SELECT sum(total_bytes) FROM pg_catalog.pg_backend_memory_contexts")[0][0]
          .as<long>();
    } catch (const std::exception &) {
      return -1;
    }
  }

  // Runs one action; false when the session must stop.
  bool step(long iteration) {
    try {
      ++tally_.calls;
      act(iteration);
      return true;
    } catch (const pqxx::broken_connection &) {
      return lost_connection();
    } catch (const pqxx::sql_error &error) {
      if (is_connection_loss(error.sqlstate())) return lost_connection();
      ++tally_.errors[error.sqlstate()];
      return true;
    } catch (const pqxx::transaction_rollback &error) {
      // libpqxx 6 derives these (40001, 40P01) from failure, not sql_error.
      ++tally_.errors[rollback_sqlstate(error)];
      return true;
    }
  }

  bool lost_connection() {
    ++tally_.connection_losses;
    held_.clear();  // outcomes in flight are unknown; the ack log has what counts
    return options_.load.reconnect && connect();
  }

  template <typename... Args>
  pqxx::row call(const std::string &sql, Args... args) {
    pqxx::nontransaction query(*connection_);  // autocommit: an answer is a commit
    return query.exec_params(sql, args...)[0];
  }

  std::string pick_code() { return codes_[random_() % codes_.size()]; }
  std::string pick_customer() { return "customer-" + std::to_string(random_() % 400); }

  void act(long iteration) {
    const std::string redeem =
        "SELECT status, redemption_id, replayed FROM " + schema_ +
        ".redeem_promo($1, customer_id => $2, idempotency_key => $3, hold => $4::interval)";
    const std::string code = pick_code(), customer = pick_customer();
    const char *const none = nullptr;  // SQL NULL
    const unsigned roll = random_() % 100;
    if (roll < 40) {
      pqxx::row row = call(redeem, code.c_str(), customer.c_str(), none, none);
      count_redemption("redeem", row);
    } else if (roll < 55) {
      const std::string key = tag_ + "-" + std::to_string(number_) + "-" + std::to_string(iteration);
      pqxx::row first = call(redeem, code.c_str(), customer.c_str(), key.c_str(), none);
      count_redemption("redeem", first);
      pqxx::row again = call(redeem, code.c_str(), customer.c_str(), key.c_str(), none);
      bool same = again["replayed"].as<bool>(false) &&
                  again["redemption_id"].as<long long>(-1) == first["redemption_id"].as<long long>(-2);
      if (!first["redemption_id"].is_null() && !same) ++tally_.replay_mismatches;
      ++tally_.counts[same ? "replay same redemption" : "replay of a refusal"];
    } else if (roll < 70) {
      pqxx::row row = call(redeem, code.c_str(), customer.c_str(), none, "2 seconds");
      if (count_redemption("hold", row)) held_.push_back(row["redemption_id"].as<long long>());
    } else if (roll < 80 && !held_.empty()) {
      long long id = take(held_);
      bool confirmed = call("SELECT " + schema_ + ".confirm_promo($1)", id)[0].as<bool>();
      acks_.record("confirm", id, confirmed ? "t" : "f");
      ++tally_.counts[confirmed ? "confirm true" : "confirm false"];
      if (confirmed) mine_.push_back(id);
    } else if (roll < 95 && !mine_.empty()) {
      long long id = take(mine_);
      bool released = call("SELECT " + schema_ + ".release_promo($1)", id)[0].as<bool>();
      acks_.record("release", id, released ? "t" : "f");
      ++tally_.counts[released ? "release true" : "release false"];
    } else if (roll >= 98) {
      int reclaimed = call("SELECT " + schema_ + ".promo_reclaim_expired_holds()")[0].as<int>();
      tally_.counts["sweep reclaimed"] += reclaimed;
    } else {
      ++tally_.counts["idle"];
    }
  }

  // Counts a redeem_promo answer; true if it redeemed (acknowledged).
  bool count_redemption(const char *kind, const pqxx::row &row) {
    const std::string status = row["status"].as<std::string>();
    ++tally_.counts[std::string(kind) + " " + status];
    if (status != "redeemed" || row["replayed"].as<bool>(false)) return false;
    long long id = row["redemption_id"].as<long long>();
    acks_.record(kind, id, "t");
    if (std::string(kind) == "redeem") mine_.push_back(id);
    return true;
  }

  long long take(std::vector<long long> &ids) {
    size_t at = random_() % ids.size();
    long long id = ids[at];
    ids[at] = ids.back();
    ids.pop_back();
    return id;
  }

  const Options &options_;
  const std::string &schema_;
  const std::vector<std::string> &codes_;
  const std::string &tag_;
  const int number_;
  const Clock::time_point deadline_;
  AckLog &acks_;
  std::mt19937 random_;
  std::unique_ptr<pqxx::connection> connection_;
  std::vector<long long> held_, mine_;
  Tally tally_;
};

std::vector<std::string> create_codes(const Options &options, const std::string &schema,
                                      const std::string &tag) {
  pqxx::connection admin(options.dsn);
  pqxx::work create(admin);
  std::vector<std::string> codes;
  for (int i = 0; i < options.load.codes; ++i) {
    codes.push_back("LOAD-" + tag + "-" + std::to_string(i));
    create.exec_params(
        "INSERT INTO " + schema + ".promo_codes (code, max_uses, max_uses_per_customer) VALUES ($1, $2, 3)",
        codes.back(), options.load.max_uses);
    // With --slots, every other code is hot (promo 1.3).
    if (options.check.slots.value_or(1) > 1 && i % 2 == 1)
      create.exec_params("UPDATE " + schema + ".promo_codes SET slots = $2 WHERE code = $1", codes.back(),
                         *options.check.slots);
  }
  create.commit();
  return codes;
}

long median(std::vector<long> values) {
  values.erase(std::remove(values.begin(), values.end(), -1), values.end());
  if (values.empty()) return -1;
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

}  // namespace

int run_load(const Options &options) {
  std::string schema;
  {
    pqxx::connection admin(options.dsn);
    schema = promo_schema(admin);
  }
  std::ostringstream tag_text;
  tag_text << getpid() << "-" << std::hex << std::random_device{}();
  const std::string tag = tag_text.str();
  const std::vector<std::string> codes = create_codes(options, schema, tag);
  AckLog acks(options.load.ack_log);

  const auto started = Clock::now();
  const auto deadline = started + std::chrono::seconds(options.load.duration_seconds);
  std::vector<Tally> tallies(options.connections);
  std::vector<std::thread> threads;
  for (int i = 0; i < options.connections; ++i)
    threads.emplace_back(
        [&, i] { tallies[i] = Session(options, schema, codes, tag, i, deadline, acks).run(); });
  for (std::thread &thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();

  Tally total;
  std::vector<long> memory_start, memory_end;
  long largest_growth = 0;
  for (const Tally &tally : tallies) {
    total.merge(tally);
    memory_start.push_back(tally.memory_start);
    memory_end.push_back(tally.memory_end);
    if (tally.memory_start > 0 && tally.memory_end > 0)
      largest_growth = std::max(largest_growth, tally.memory_end - tally.memory_start);
  }
  long unexpected_errors = 0;
  for (const auto &[sqlstate, n] : total.errors)
    if (sqlstate != "40001") unexpected_errors += n;
  const bool pass = unexpected_errors == 0 && total.replay_mismatches == 0;

  if (options.json) {
    std::cout << "{\"pass\":" << (pass ? "true" : "false") << ",\"codes\":[";
    for (size_t i = 0; i < codes.size(); ++i) std::cout << (i ? "," : "") << json_string(codes[i]);
    std::cout << "],\"seconds\":" << seconds << ",\"calls\":" << total.calls << ",\"counts\":{";
    bool first = true;
    for (const auto &[key, n] : total.counts)
      std::cout << (first ? "" : ",") << json_string(key) << ":" << n, first = false;
    std::cout << "},\"errors\":{";
    first = true;
    for (const auto &[key, n] : total.errors)
      std::cout << (first ? "" : ",") << json_string(key) << ":" << n, first = false;
    std::cout << "},\"connection_losses\":" << total.connection_losses
              << ",\"replay_mismatches\":" << total.replay_mismatches
              << ",\"memory_start_median_bytes\":" << median(memory_start)
              << ",\"memory_end_median_bytes\":" << median(memory_end)
              << ",\"largest_memory_growth_bytes\":" << largest_growth << "}\n";
  } else {
    std::cout << "load: " << options.connections << " sessions, " << seconds << " s, " << codes.size()
              << " codes (LOAD-" << tag << "-*)\n"
              << "calls: " << total.calls << " (" << static_cast<long>(total.calls / seconds) << "/s)\n";
    for (const auto &[key, n] : total.counts) std::cout << "  " << key << ": " << n << "\n";
    std::cout << "errors:";
    if (total.errors.empty()) std::cout << " none";
    for (const auto &[key, n] : total.errors) std::cout << " " << key << " x" << n;
    std::cout << "\nconnection losses: " << total.connection_losses
              << "\nreplays that did not return their redemption: " << total.replay_mismatches
              << "\nbackend memory, median over sessions: " << median(memory_start) / 1024
              << " KiB after warm-up, " << median(memory_end) / 1024 << " KiB at the end; largest growth "
              << largest_growth / 1024 << " KiB\n"
              << (pass ? "PASS" : "FAIL") << ": " << unexpected_errors << " unexpected errors\n";
  }
  return pass ? 0 : 1;
}

}  // namespace promo_client
