#include "check.hpp"

#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

#include "database.hpp"

namespace promo_client {

namespace {

using Clock = std::chrono::steady_clock;

// One session's answer: the status it got, or the error it hit.
struct Outcome {
  std::string status;
  std::string error;
};

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

// Where each part of a round runs. The sessions call redeem_promo through
// --dsn: the server itself, a PgBouncer in front of it, or a PL/Proxy
// database. The gate, the monitor and the final counts need the server that
// holds the code's row: --dsn itself, --gate-dsn, or (through a proxy) the
// shard promo_shard_of() names.
struct Topology {
  std::string proxy_schema;  // promo_proxy's schema on --dsn, if --dsn is a proxy
  bool via_proxy() const { return !proxy_schema.empty(); }
};

Topology detect_topology(pqxx::connection &admin) {
  return Topology{extension_schema(admin, "promo_proxy")};
}

// Sessions waiting on a lock on the code's server: the round's own (by
// application_name), or through a proxy, whose connections carry its name,
// every client backend but the gate. Plus, behind a PgBouncer, the clients
// it holds queued for a server connection (SHOW POOLS, cl_waiting).
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

// Polls until every session of the round is seen waiting at once, or the
// deadline passes. Returns the most seen waiting at the same moment.
int wait_until_all_queued(pqxx::connection &monitor, const std::string &application, bool via_proxy,
                          int gate_pid, PoolerConsole *pooler, int connections, int wait_seconds) {
  const auto deadline = Clock::now() + std::chrono::seconds(wait_seconds);
  int most = 0;
  while (true) {
    int waiting = count_waiting(monitor, application, via_proxy, gate_pid, pooler);
    most = std::max(most, waiting);
    if (waiting >= connections || Clock::now() > deadline) return most;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

RoundResult run_round(const Options &options, const Topology &topology, int round_number) {
  const CheckOptions &check = options.check;
  RoundResult result;
  result.connections = options.connections;
  result.max_uses = check.max_uses;
  const bool hot = check.slots > 1;
  const std::string tag = unique_tag() + "-" + std::to_string(round_number);
  const std::string code = "CHECK-" + tag;
  const std::string application = "promo-check-" + tag;

  // The code is created where redemptions go: through a proxy, by create_promo on its shard.
  pqxx::connection admin(options.dsn);
  std::string row_dsn = check.gate_dsn.empty() ? options.dsn : check.gate_dsn;
  long long promo_id = 0;
  if (topology.via_proxy()) {
    pqxx::work create(admin);
    promo_id = create
                   .exec_params("SELECT " + topology.proxy_schema + ".create_promo($1, $2, slots => $3)",
                                code, check.max_uses, check.slots)[0][0]
                   .as<long long>();
    if (check.gate_dsn.empty())
      row_dsn = create.exec_params("SELECT " + topology.proxy_schema + ".promo_shard_of($1)", code)[0][0]
                    .as<std::string>();
    create.commit();
  }
  pqxx::connection row_server(row_dsn);
  const std::string schema = promo_schema(row_server);
  const bool has_ledger = promo_has_ledger(row_server);
  if (!topology.via_proxy()) {
    pqxx::work create(row_server);
    promo_id = create
                   .exec_params("INSERT INTO " + schema + ".promo_codes (code, max_uses" +
                                    (hot ? ", slots" : "") + ") VALUES ($1, $2" +
                                    (hot ? ", " + std::to_string(check.slots) : "") + ") RETURNING id",
                                code, check.max_uses)[0][0]
                   .as<long long>();
    create.commit();
  }

  // Every session connects before the race starts. application_name goes in
  // the connection string: a pooler passes it on with each transaction,
  // where a SET would stay behind on a shared server connection.
  std::vector<std::unique_ptr<pqxx::connection>> sessions;
  for (int i = 0; i < options.connections; ++i)
    sessions.push_back(std::make_unique<pqxx::connection>(options.dsn + " application_name=" + application));

  // The gate: a transaction holding the code until all are queued. Its
  // UPDATE holds the row lock, and for a hot code a trigger also takes the
  // code's guard lock exclusively, which hot redemptions share.
  pqxx::connection gate_connection(row_dsn);
  pqxx::work gate(gate_connection);
  gate.exec_params("UPDATE " + schema + ".promo_codes SET is_active = is_active WHERE id = $1", promo_id);
  const int gate_pid = gate_connection.backendpid();
  std::unique_ptr<PoolerConsole> pooler;
  if (!check.pooler_admin_dsn.empty()) pooler = std::make_unique<PoolerConsole>(check.pooler_admin_dsn);

  std::vector<std::thread> threads;
  std::vector<Outcome> outcomes(options.connections);
  // Whatever happens below, open the gate before waiting for the sessions.
  struct OpenGateAndJoin {
    pqxx::work &gate;
    std::vector<std::thread> &threads;
    ~OpenGateAndJoin() {
      try {
        gate.abort();
      } catch (...) {
      }
      for (std::thread &thread : threads)
        if (thread.joinable()) thread.join();
    }
  } open_gate_and_join{gate, threads};
  const std::string redeem_schema = topology.via_proxy() ? topology.proxy_schema : schema;
  for (int i = 0; i < options.connections; ++i) {
    threads.emplace_back([&, i] {
      try {
        pqxx::work redeem(*sessions[i]);
        pqxx::result row =
            redeem.exec_params("SELECT status FROM " + redeem_schema + ".redeem_promo($1)", code);
        redeem.commit();
        outcomes[i].status = row[0][0].as<std::string>();
      } catch (const std::exception &error) {
        outcomes[i].error = error.what();
      }
    });
  }

  result.waiting_at_once = wait_until_all_queued(row_server, application, topology.via_proxy(), gate_pid,
                                                 pooler.get(), options.connections, check.wait_seconds);
  gate.abort();  // releases every waiter together
  for (std::thread &thread : threads) thread.join();

  for (const Outcome &outcome : outcomes) {
    if (!outcome.error.empty())
      result.errors.push_back(outcome.error);
    else if (outcome.status == "redeemed")
      ++result.succeeded;
    else if (outcome.status == "exhausted")
      ++result.rejected;
    else
      ++result.other_statuses;
  }

  pqxx::work finish(row_server);
  // A hot code's usage is its counter plus its slots' uses.
  const std::string usage = hot ? "SELECT uses FROM " + schema + ".promo_code_usage WHERE promo_id = $1"
                                : "SELECT current_uses FROM " + schema + ".promo_codes WHERE id = $1";
  result.final_current_uses = finish.exec_params(usage, promo_id)[0][0].as<int>();
  if (has_ledger) {
    result.ledger_live_rows = finish
                                  .exec_params("SELECT count(*) FROM " + schema +
                                                   ".promo_redemptions WHERE promo_id = $1"
                                                   " AND state IN ('redeemed', 'held')",
                                               promo_id)[0][0]
                                  .as<int>();
    finish.exec_params("DELETE FROM " + schema + ".promo_redemptions WHERE promo_id = $1", promo_id);
  }
  finish.exec_params("DELETE FROM " + schema + ".promo_codes WHERE id = $1", promo_id);
  finish.commit();
  return result;
}

void print_text(int round_number, int rounds, const RoundResult &round, const Verdict &verdict) {
  std::cout << "Round " << round_number << "/" << rounds << ": " << round.waiting_at_once << " of "
            << round.connections << " sessions were waiting on the code's lock at once\n"
            << "Results: " << round.succeeded << " succeeded, " << round.rejected << " rejected\n"
            << "Final current_uses: " << round.final_current_uses << ", max_uses: " << round.max_uses << "\n";
  if (round.ledger_live_rows) std::cout << "Ledger: " << *round.ledger_live_rows << " live redemptions\n";
  if (verdict.pass) {
    std::cout << "PASS: No overuse detected\n";
  } else {
    for (const std::string &problem : verdict.problems) std::cout << "FAIL: " << problem << "\n";
  }
}

std::string round_json(int round_number, const RoundResult &round, const Verdict &verdict) {
  std::ostringstream json;
  json << "{\"round\":" << round_number << ",\"connections\":" << round.connections
       << ",\"max_uses\":" << round.max_uses << ",\"waiting_at_once\":" << round.waiting_at_once
       << ",\"succeeded\":" << round.succeeded << ",\"rejected\":" << round.rejected
       << ",\"errors\":" << round.errors.size() << ",\"final_current_uses\":" << round.final_current_uses
       << ",\"ledger_live_rows\":"
       << (round.ledger_live_rows ? std::to_string(*round.ledger_live_rows) : "null")
       << ",\"pass\":" << (verdict.pass ? "true" : "false") << ",\"problems\":[";
  for (size_t i = 0; i < verdict.problems.size(); ++i)
    json << (i ? "," : "") << json_string(verdict.problems[i]);
  json << "]}";
  return json.str();
}

}  // namespace

int run_check(const Options &options) {
  pqxx::connection admin(options.dsn);
  const Topology topology = detect_topology(admin);
  // Behind a pooler or a proxy, the server's own limit is not the client's.
  if (!topology.via_proxy() && options.check.pooler_admin_dsn.empty())
    require_connection_slots(admin, options.connections);

  int passed = 0;
  std::vector<std::string> rounds_json;
  for (int round_number = 1; round_number <= options.check.rounds; ++round_number) {
    RoundResult round = run_round(options, topology, round_number);
    Verdict verdict = judge(round);
    if (verdict.pass) ++passed;
    if (options.json)
      rounds_json.push_back(round_json(round_number, round, verdict));
    else
      print_text(round_number, options.check.rounds, round, verdict);
  }

  const bool all_passed = passed == options.check.rounds;
  if (options.json) {
    std::cout << "{\"pass\":" << (all_passed ? "true" : "false") << ",\"rounds_passed\":" << passed
              << ",\"rounds\":[";
    for (size_t i = 0; i < rounds_json.size(); ++i) std::cout << (i ? "," : "") << rounds_json[i];
    std::cout << "]}\n";
  } else if (options.check.rounds > 1) {
    std::cout << passed << " of " << options.check.rounds << " rounds passed\n";
  }
  return all_passed ? 0 : 1;
}

}  // namespace promo_client
