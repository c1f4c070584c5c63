// What the two concurrency checks share (check.cpp: one code;
// campaign_check.cpp: one campaign): the round's sessions, the race that
// runs one redemption on each behind a gate, and the monitor that proves
// they all waited at once.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "database.hpp"
#include "verdict.hpp"

namespace promo_client {

// One round, judged: whether it passed, and what to print of it.
struct RoundReport {
  bool pass = false;
  std::string text;  // lines for a terminal
  std::string json;  // one JSON object
};

// The verdict's last lines: "PASS: No overuse detected", or a FAIL line per problem.
std::string verdict_lines(const Verdict &verdict);

// The verdict as JSON members: "pass":...,"problems":[...]
std::string verdict_json(const Verdict &verdict);

// A tag no other run or round uses: the process id and a random number.
std::string unique_tag();

// Fails, saying what to change, if the server cannot take the check's
// sessions plus the gate and the monitor.
void require_connection_slots(pqxx::connection &admin, int connections);

// Every session of a round, connected before the race starts. The
// application_name goes in the connection string: a pooler passes it on
// with each transaction, where a SET would stay behind on a shared server
// connection. Fails naming the session the server refused.
std::vector<std::unique_ptr<pqxx::connection>> open_sessions(const std::string &dsn,
                                                             const std::string &application, int count);

// One call per session, each in its thread, behind a gate: a transaction
// whose locks the calls queue on. Whatever happens, the gate is opened
// (rolled back) before the threads are joined.
class GatedRace {
 public:
  explicit GatedRace(pqxx::work &gate) : gate_(gate) {}
  ~GatedRace() { open_gate_and_join(); }
  GatedRace(const GatedRace &) = delete;
  GatedRace &operator=(const GatedRace &) = delete;

  // Starts `call` in a thread of its own; it must not throw.
  void start(std::function<void()> call);

  // Calls that have returned.
  int finished() const { return finished_; }

  // Rolls the gate back, releasing every waiter together, and waits for all.
  void open_gate_and_join();

 private:
  pqxx::work &gate_;
  bool open_ = false;
  std::atomic<int> finished_{0};
  std::vector<std::thread> threads_;
};

// Sessions waiting on a lock on the server that holds the gate: the round's
// own (by application_name), or through a proxy, whose connections carry its
// name, every client backend but the gate. Plus, behind a PgBouncer, the
// clients it holds queued for a server connection (SHOW POOLS, cl_waiting).
int count_waiting(pqxx::connection &monitor, const std::string &application, bool via_proxy, int gate_pid,
                  PoolerConsole *pooler);

// What the monitor saw while the gate was closed.
struct QueueSeen {
  int most_waiting = 0;          // the most sessions seen waiting at the same moment
  int finished_before_gate = 0;  // calls that returned while the gate was closed: it held nothing
};

// Polls until `connections` sessions are seen waiting at once, a call
// returns while the gate is closed (none can, if the gate holds them), or
// wait_seconds pass.
QueueSeen wait_until_all_queued(pqxx::connection &monitor, const std::string &application, bool via_proxy,
                                int gate_pid, PoolerConsole *pooler, int connections, int wait_seconds,
                                const GatedRace &race);

}  // namespace promo_client
