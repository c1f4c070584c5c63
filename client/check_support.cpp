#include "check_support.hpp"

#include <unistd.h>

#include <chrono>
#include <random>
#include <sstream>

namespace promo_client {

using Clock = std::chrono::steady_clock;

std::string verdict_lines(const Verdict &verdict) {
  if (verdict.pass) return "PASS: No overuse detected\n";
  std::string lines;
  for (const std::string &problem : verdict.problems) lines += "FAIL: " + problem + "\n";
  return lines;
}

std::string verdict_json(const Verdict &verdict) {
  std::string json = std::string("\"pass\":") + (verdict.pass ? "true" : "false") + ",\"problems\":[";
  for (size_t i = 0; i < verdict.problems.size(); ++i)
    json += (i ? "," : "") + json_string(verdict.problems[i]);
  return json + "]";
}

std::string unique_tag() {
  std::random_device seed;
  std::ostringstream tag;
  tag << getpid() << "-" << std::hex << seed();
  return tag.str();
}

void require_connection_slots(pqxx::connection &admin, int connections) {
  pqxx::nontransaction query(admin);
  int max_connections = query.exec("SHOW max_connections")[0][0].as<int>();
  if (max_connections < connections + 2)
    throw std::runtime_error("the server's max_connections is " + std::to_string(max_connections) +
                             "; the check needs " + std::to_string(connections + 2) +
                             " (connections + 2). Raise max_connections or lower --connections.");
}

std::vector<std::unique_ptr<pqxx::connection>> open_sessions(const std::string &dsn,
                                                             const std::string &application, int count) {
  std::vector<std::unique_ptr<pqxx::connection>> sessions;
  for (int i = 0; i < count; ++i) {
    try {
      sessions.push_back(std::make_unique<pqxx::connection>(dsn + " application_name=" + application));
    } catch (const std::exception &error) {
      throw std::runtime_error("the server refused session " + std::to_string(i + 1) + " of " +
                               std::to_string(count) + ": " + error.what());
    }
  }
  return sessions;
}

void GatedRace::start(std::function<void()> call) {
  threads_.emplace_back([this, call = std::move(call)] {
    call();
    ++finished_;
  });
}

void GatedRace::open_gate_and_join() {
  if (!open_) {
    open_ = true;
    try {
      gate_.abort();
    } catch (...) {
      // A gate whose connection is gone holds nothing any more.
    }
  }
  for (std::thread &thread : threads_)
    if (thread.joinable()) thread.join();
}

int count_waiting(pqxx::connection &monitor, const std::string &application, bool via_proxy, int gate_pid,
                  PoolerConsole *pooler) {
  pqxx::nontransaction query(monitor);
  int waiting =
      query
          .exec_params(
              "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE wait_event_type = 'Lock'"
              "   AND (application_name = $1 OR ($2 AND backend_type = 'client backend' AND pid <> $3))",
              application, via_proxy, gate_pid)[0][0]
          .as<int>();
  return waiting + (pooler ? pooler->waiting_clients() : 0);
}

QueueSeen wait_until_all_queued(pqxx::connection &monitor, const std::string &application, bool via_proxy,
                                int gate_pid, PoolerConsole *pooler, int connections, int wait_seconds,
                                const GatedRace &race) {
  const auto deadline = Clock::now() + std::chrono::seconds(wait_seconds);
  QueueSeen seen;
  while (true) {
    int waiting = count_waiting(monitor, application, via_proxy, gate_pid, pooler);
    seen.most_waiting = std::max(seen.most_waiting, waiting);
    // Read after the count: a call that returned is no longer waiting.
    seen.finished_before_gate = race.finished();
    if (waiting >= connections || seen.finished_before_gate > 0 || Clock::now() > deadline) return seen;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace promo_client
