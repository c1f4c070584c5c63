#include "check.hpp"

#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>

#include "campaign_check.hpp"
#include "check_support.hpp"
#include "database.hpp"

namespace promo_client {

namespace {

// One session's answer: the status it got, or the error it hit.
struct Outcome {
  std::string status;
  std::string error;
};

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

RoundResult run_round(const Options &options, const Topology &topology, int round_number) {
  const CheckOptions &check = options.check;
  RoundResult result;
  result.connections = options.connections;
  result.max_uses = check.max_uses;
  const int slots = check.slots.value_or(1);
  const bool hot = slots > 1;
  const std::string tag = unique_tag() + "-" + std::to_string(round_number);
  const std::string code = "CHECK-" + tag;
  const std::string application = "promo-check-" + tag;

  // Every session connects before the race starts, and before the code is
  // created: a server that refuses them leaves nothing behind.
  std::vector<std::unique_ptr<pqxx::connection>> sessions =
      open_sessions(options.dsn, application, options.connections);

  // The code is created where redemptions go: through a proxy, by create_promo on its shard.
  pqxx::connection admin(options.dsn);
  std::string row_dsn = check.gate_dsn.empty() ? options.dsn : check.gate_dsn;
  long long promo_id = 0;
  if (topology.via_proxy()) {
    pqxx::work create(admin);
    promo_id = create
                   .exec_params("SELECT " + topology.proxy_schema + ".create_promo($1, $2, slots => $3)",
                                code, check.max_uses, slots)[0][0]
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
                                    (hot ? ", " + std::to_string(slots) : "") + ") RETURNING id",
                                code, check.max_uses)[0][0]
                   .as<long long>();
    create.commit();
  }

  // The gate: a transaction holding the code until all are queued. Its
  // UPDATE holds the row lock, and for a hot code a trigger also takes the
  // code's guard lock exclusively, which hot redemptions share.
  pqxx::connection gate_connection(row_dsn);
  pqxx::work gate(gate_connection);
  gate.exec_params("UPDATE " + schema + ".promo_codes SET is_active = is_active WHERE id = $1", promo_id);
  const int gate_pid = gate_connection.backendpid();
  std::unique_ptr<PoolerConsole> pooler;
  if (!check.pooler_admin_dsn.empty()) pooler = std::make_unique<PoolerConsole>(check.pooler_admin_dsn);

  std::vector<Outcome> outcomes(options.connections);
  GatedRace race(gate);
  const std::string redeem_schema = topology.via_proxy() ? topology.proxy_schema : schema;
  for (int i = 0; i < options.connections; ++i) {
    race.start([&, i] {
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

  const QueueSeen seen = wait_until_all_queued(row_server, application, topology.via_proxy(), gate_pid,
                                               pooler.get(), options.connections, check.wait_seconds, race);
  result.waiting_at_once = seen.most_waiting;
  result.finished_before_gate = std::max(seen.finished_before_gate, race.finished());
  race.open_gate_and_join();  // releases every waiter together

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

std::string round_text(int round_number, int rounds, const RoundResult &round, const Verdict &verdict) {
  std::ostringstream text;
  text << "Round " << round_number << "/" << rounds << ": " << round.waiting_at_once << " of "
       << round.connections << " sessions were waiting on the code's lock at once\n"
       << "Results: " << round.succeeded << " succeeded, " << round.rejected << " rejected\n"
       << "Final current_uses: " << round.final_current_uses << ", max_uses: " << round.max_uses << "\n";
  if (round.ledger_live_rows) text << "Ledger: " << *round.ledger_live_rows << " live redemptions\n";
  text << verdict_lines(verdict);
  return text.str();
}

std::string round_json(int round_number, const RoundResult &round, const Verdict &verdict) {
  std::ostringstream json;
  json << "{\"round\":" << round_number << ",\"connections\":" << round.connections
       << ",\"max_uses\":" << round.max_uses << ",\"waiting_at_once\":" << round.waiting_at_once
       << ",\"finished_before_gate\":" << round.finished_before_gate << ",\"succeeded\":" << round.succeeded
       << ",\"rejected\":" << round.rejected << ",\"errors\":" << round.errors.size()
       << ",\"final_current_uses\":" << round.final_current_uses << ",\"ledger_live_rows\":"
       << (round.ledger_live_rows ? std::to_string(*round.ledger_live_rows) : "null") << ","
       << verdict_json(verdict) << "}";
  return json.str();
}

RoundReport code_round(const Options &options, const Topology &topology, int round_number) {
  RoundResult round = run_round(options, topology, round_number);
  Verdict verdict = judge(round);
  return {verdict.pass, round_text(round_number, options.check.rounds, round, verdict),
          round_json(round_number, round, verdict)};
}

}  // namespace

int run_check(const Options &options) {
  Topology topology;
  {  // closed before the rounds, which need every connection slot they asked for
    pqxx::connection admin(options.dsn);
    topology = detect_topology(admin);
    if (options.check.campaign) require_campaigns(admin);
    // Behind a pooler or a proxy, the server's own limit is not the client's.
    if (!topology.via_proxy() && options.check.pooler_admin_dsn.empty())
      require_connection_slots(admin, options.connections);
  }

  int passed = 0;
  std::vector<std::string> rounds_json;
  for (int round_number = 1; round_number <= options.check.rounds; ++round_number) {
    const RoundReport report = options.check.campaign ? campaign_round(options, round_number)
                                                      : code_round(options, topology, round_number);
    if (report.pass) ++passed;
    if (options.json)
      rounds_json.push_back(report.json);
    else
      std::cout << report.text << std::flush;
  }

  const bool all_passed = passed == options.check.rounds;
  if (options.json) {
    std::cout << "{\"mode\":\"" << (options.check.campaign ? "campaign" : "code")
              << "\",\"pass\":" << (all_passed ? "true" : "false") << ",\"rounds_passed\":" << passed
              << ",\"rounds\":[";
    for (size_t i = 0; i < rounds_json.size(); ++i) std::cout << (i ? "," : "") << rounds_json[i];
    std::cout << "]}\n";
  } else if (options.check.rounds > 1) {
    std::cout << passed << " of " << options.check.rounds << " rounds passed\n";
  }
  return all_passed ? 0 : 1;
}

}  // namespace promo_client
