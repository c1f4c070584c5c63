#include "campaign_check.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "database.hpp"
#include "verdict.hpp"

namespace promo_client {

namespace {

// One session's answer, or the error it hit.
struct Outcome {
  std::string status;
  std::optional<std::string> refused_by;
  std::optional<long long> campaign_id;
  std::string error;
};

// The round's campaign and its codes, created committed on the server that
// holds them and removed again: by remove() after the round, or, when the
// round failed half-way, by the destructor (which can only warn).
class RoundCampaign {
 public:
  RoundCampaign(pqxx::connection &server, const std::string &schema, const std::string &name,
                const std::string &code_prefix, int codes, int max_uses, std::optional<int> slots)
      : server_(server), schema_(schema), name_(name) {
    pqxx::work create(server_);
    // Without --slots, create_campaign's own default.
    id_ =
        (slots ? create.exec_params("SELECT " + schema_ + ".create_campaign($1, $2, slots => $3)", name_,
                                    max_uses, *slots)
               : create.exec_params("SELECT " + schema_ + ".create_campaign($1, $2)", name_, max_uses))[0][0]
            .as<long long>();
    slots_ = create.exec_params("SELECT slots FROM " + schema_ + ".promo_campaigns WHERE id = $1", id_)[0][0]
                 .as<int>();
    create.exec_params("INSERT INTO " + schema_ +
                           ".promo_codes (code, max_uses, campaign_id)"
                           " SELECT $1 || g, 1, $2 FROM generate_series(1, $3) g",
                       code_prefix, id_, codes);
    create.commit();
  }

  ~RoundCampaign() {
    if (removed_) return;
    try {
      remove();
    } catch (const std::exception &error) {
      std::cerr << "promo-client: campaign \"" << name_ << "\" (id " << id_
                << ") of the check was left behind: " << error.what() << "\n";
    }
  }

  RoundCampaign(const RoundCampaign &) = delete;
  RoundCampaign &operator=(const RoundCampaign &) = delete;

  long long id() const { return id_; }
  int slots() const { return slots_; }

  // Its ledger rows, its codes, itself.
  void remove() {
    pqxx::work finish(server_);
    finish.exec_params("DELETE FROM " + schema_ + ".promo_redemptions WHERE promo_id IN (SELECT id FROM " +
                           schema_ + ".promo_codes WHERE campaign_id = $1)",
                       id_);
    finish.exec_params("DELETE FROM " + schema_ + ".promo_codes WHERE campaign_id = $1", id_);
    finish.exec_params("DELETE FROM " + schema_ + ".promo_campaigns WHERE id = $1", id_);
    finish.commit();
    removed_ = true;
  }

 private:
  pqxx::connection &server_;
  std::string schema_;
  std::string name_;
  long long id_ = 0;
  int slots_ = 0;
  bool removed_ = false;
};

// Takes the gate: the campaign row updated, whose trigger takes the
// campaign's guard lock exclusively; every redemption of its codes shares
// that lock, so all of them wait until the gate rolls back. A gate that
// cannot be had within wait_seconds (another transaction holds the campaign)
// fails the round. Then reads, holding it, where the round starts from.
void take_gate(pqxx::work &gate, const std::string &schema, long long campaign_id, int wait_seconds,
               CampaignRoundResult &result) {
  gate.exec_params("SELECT pg_catalog.set_config('lock_timeout', $1, true)",
                   std::to_string(wait_seconds) + "s");
  pqxx::result held;
  try {
    held = gate.exec_params("UPDATE " + schema + ".promo_campaigns SET is_active = is_active WHERE id = $1",
                            campaign_id);
  } catch (const pqxx::sql_error &error) {
    throw std::runtime_error("the gate could not take campaign " + std::to_string(campaign_id) + " within " +
                             std::to_string(wait_seconds) +
                             " s (another transaction holds it?): " + error.what());
  }
  if (held.affected_rows() != 1)
    throw std::runtime_error("the gate found no campaign " + std::to_string(campaign_id));
  const pqxx::row start =
      gate.exec_params1("SELECT (SELECT uses FROM " + schema +
                            ".promo_campaign_usage WHERE campaign_id = $1),"
                            "       count(*),"
                            "       count(*) FILTER (WHERE is_active AND max_uses = 1 AND current_uses = 0)"
                            "  FROM " +
                            schema + ".promo_codes WHERE campaign_id = $1",
                        campaign_id);
  result.usage_before = start[0].as<int>();
  result.codes = start[1].as<int>();
  result.codes_ready = start[2].as<int>();
}

// With the gate still closed: the round's sessions that the gate blocks on
// the server, and those a pooler holds queued.
void count_behind_gate(pqxx::connection &server, const std::string &application, int gate_pid,
                       PoolerConsole *pooler, CampaignRoundResult &result) {
  pqxx::nontransaction query(server);
  result.blocked_by_gate = query
                               .exec_params1(
                                   "SELECT count(*) FROM pg_catalog.pg_stat_activity"
                                   " WHERE application_name = $1 AND wait_event_type = 'Lock'"
                                   "   AND $2 = ANY (pg_catalog.pg_blocking_pids(pid))",
                                   application, gate_pid)[0]
                               .as<int>();
  result.queued_in_pooler = pooler ? pooler->waiting_clients() : 0;
}

void classify(const std::vector<Outcome> &outcomes, long long campaign_id, CampaignRoundResult &result) {
  for (const Outcome &outcome : outcomes) {
    if (!outcome.error.empty()) {
      result.errors.push_back(outcome.error);
      continue;
    }
    if (outcome.campaign_id != campaign_id) ++result.wrong_campaign;
    const std::string refused_by = outcome.refused_by.value_or("");
    bool odd = false;
    if (outcome.status == "redeemed" && refused_by.empty())
      ++result.succeeded;
    else if (outcome.status == "exhausted" && refused_by == "campaign")
      ++result.refused_by_campaign;
    else if (refused_by == "code")
      ++result.refused_by_code, odd = true;
    else
      ++result.other_refusals, odd = true;
    if (odd && result.odd_answer.empty())
      result.odd_answer = outcome.status + " (refused_by " + (refused_by.empty() ? "null" : refused_by) + ")";
  }
}

// The campaign's usage, its codes' uses and their live ledger rows, in one
// snapshot.
void count_final(pqxx::connection &server, const std::string &schema, long long campaign_id,
                 CampaignRoundResult &result) {
  pqxx::work count(server);
  const pqxx::row counts =
      count.exec_params1("SELECT (SELECT uses FROM " + schema +
                             ".promo_campaign_usage WHERE campaign_id = $1),"
                             "       (SELECT coalesce(sum(current_uses), 0) FROM " +
                             schema +
                             ".promo_codes WHERE campaign_id = $1),"
                             "       (SELECT count(*) FROM " +
                             schema + ".promo_redemptions r JOIN " + schema +
                             ".promo_codes c ON c.id = r.promo_id"
                             "         WHERE c.campaign_id = $1 AND r.state IN ('redeemed', 'held'))",
                         campaign_id);
  result.final_uses = counts[0].as<int>();
  result.codes_uses = counts[1].as<int>();
  result.ledger_live_rows = counts[2].as<int>();
  count.commit();
}

CampaignRoundResult run_round(const Options &options, int round_number) {
  const CheckOptions &check = options.check;
  CampaignRoundResult result;
  result.connections = options.connections;
  result.max_uses = check.max_uses;
  const std::string tag = unique_tag() + "-" + std::to_string(round_number);
  const std::string application = "promo-check-" + tag;
  const std::string code_prefix = "CHECK-" + tag + "-";

  // Every session connects before anything is created: a server that
  // refuses them leaves nothing behind.
  std::vector<std::unique_ptr<pqxx::connection>> sessions =
      open_sessions(options.dsn, application, options.connections);
  const std::string server_dsn = check.gate_dsn.empty() ? options.dsn : check.gate_dsn;
  pqxx::connection server(server_dsn);
  // Creating, counting and removing wait no longer for a lock than the
  // sessions may take to queue: a table someone holds fails the round.
  pqxx::nontransaction(server).exec_params("SELECT pg_catalog.set_config('lock_timeout', $1, false)",
                                           std::to_string(check.wait_seconds) + "s");
  const std::string schema = promo_schema(server);
  RoundCampaign campaign(server, schema, "check-" + tag, code_prefix, options.connections, check.max_uses,
                         check.slots);
  result.slots = campaign.slots();

  pqxx::connection gate_connection(server_dsn);
  pqxx::work gate(gate_connection);
  take_gate(gate, schema, campaign.id(), check.wait_seconds, result);
  const int gate_pid = gate_connection.backendpid();
  std::unique_ptr<PoolerConsole> pooler;
  if (!check.pooler_admin_dsn.empty()) pooler = std::make_unique<PoolerConsole>(check.pooler_admin_dsn);

  std::vector<Outcome> outcomes(options.connections);
  GatedRace race(gate);
  for (int i = 0; i < options.connections; ++i) {
    race.start([&, i] {
      Outcome &outcome = outcomes[i];
      try {
        pqxx::work redeem(*sessions[i]);
        const pqxx::row row =
            redeem.exec_params1("SELECT status, refused_by, campaign_id FROM " + schema + ".redeem_promo($1)",
                                code_prefix + std::to_string(i + 1));
        redeem.commit();
        outcome.status = row[0].as<std::string>();
        if (!row[1].is_null()) outcome.refused_by = row[1].as<std::string>();
        if (!row[2].is_null()) outcome.campaign_id = row[2].as<long long>();
      } catch (const std::exception &error) {
        outcome.error = error.what();
      }
    });
  }

  const QueueSeen seen = wait_until_all_queued(server, application, false, gate_pid, pooler.get(),
                                               options.connections, check.wait_seconds, race);
  result.waiting_at_once = seen.most_waiting;
  // A session counted as waiting may have waited for another process's
  // short lock on its way (a page being added to the ledger, seen to take
  // 84 ms; autovacuum truncating a table the previous round emptied): it
  // reaches the gate a moment later. Each count is one query, one instant.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(std::min(check.wait_seconds, 10));
  do {
    count_behind_gate(server, application, gate_pid, pooler.get(), result);
    if (result.blocked_by_gate + result.queued_in_pooler >= options.connections || race.finished() > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (std::chrono::steady_clock::now() < deadline);
  result.finished_before_gate = std::max(seen.finished_before_gate, race.finished());
  race.open_gate_and_join();  // releases every waiter together

  classify(outcomes, campaign.id(), result);
  count_final(server, schema, campaign.id(), result);
  campaign.remove();
  return result;
}

std::string round_text(int round_number, int rounds, const CampaignRoundResult &round,
                       const Verdict &verdict) {
  std::ostringstream text;
  text << "Round " << round_number << "/" << rounds << ": campaign of " << round.slots
       << (round.slots == 1 ? " slot" : " slots") << ", " << round.connections
       << " single-use codes: " << round.waiting_at_once << " of " << round.connections
       << " sessions were waiting on the campaign's lock at once, " << round.blocked_by_gate
       << " of them for the gate" << (round.queued_in_pooler ? " (the rest queued in the pooler)" : "")
       << "\n"
       << "Results: " << round.succeeded << " succeeded, " << round.refused_by_campaign
       << " rejected by the campaign\n"
       << "Final campaign uses: " << round.final_uses << ", max_uses: " << round.max_uses
       << " (its codes count " << round.codes_uses << ")\n"
       << "Ledger: " << round.ledger_live_rows << " live redemptions\n"
       << verdict_lines(verdict);
  return text.str();
}

std::string round_json(int round_number, const CampaignRoundResult &round, const Verdict &verdict) {
  std::ostringstream json;
  json << "{\"round\":" << round_number << ",\"connections\":" << round.connections
       << ",\"max_uses\":" << round.max_uses << ",\"slots\":" << round.slots
       << ",\"usage_before\":" << round.usage_before << ",\"codes\":" << round.codes
       << ",\"codes_ready\":" << round.codes_ready << ",\"waiting_at_once\":" << round.waiting_at_once
       << ",\"blocked_by_gate\":" << round.blocked_by_gate
       << ",\"queued_in_pooler\":" << round.queued_in_pooler
       << ",\"finished_before_gate\":" << round.finished_before_gate << ",\"succeeded\":" << round.succeeded
       << ",\"refused_by_campaign\":" << round.refused_by_campaign
       << ",\"refused_by_code\":" << round.refused_by_code << ",\"other_refusals\":" << round.other_refusals
       << ",\"wrong_campaign\":" << round.wrong_campaign << ",\"errors\":" << round.errors.size()
       << ",\"final_uses\":" << round.final_uses << ",\"codes_uses\":" << round.codes_uses
       << ",\"ledger_live_rows\":" << round.ledger_live_rows << "," << verdict_json(verdict) << "}";
  return json.str();
}

}  // namespace

void require_campaigns(pqxx::connection &admin) {
  if (!extension_schema(admin, "promo_proxy").empty())
    throw std::runtime_error(
        "check --campaign does not run through a PL/Proxy database: a campaign spans shards, and"
        " promo_proxy routes codes only. Run it against a server (or a PgBouncer with --gate-dsn).");
  const std::string schema = promo_schema(admin);
  pqxx::nontransaction query(admin);
  const pqxx::row version = query.exec_params1(
      "SELECT extversion, pg_catalog.to_regclass($1 || '.promo_campaigns') IS NOT NULL"
      "  FROM pg_catalog.pg_extension WHERE extname = 'promo'",
      schema);
  if (!version[1].as<bool>())
    throw std::runtime_error(
        "promo " + version[0].as<std::string>() +
        " in this database has no campaigns; they came with 1.5 (ALTER EXTENSION promo UPDATE)");
}

RoundReport campaign_round(const Options &options, int round_number) {
  const CampaignRoundResult round = run_round(options, round_number);
  const Verdict verdict = judge(round);
  return {verdict.pass, round_text(round_number, options.check.rounds, round, verdict),
          round_json(round_number, round, verdict)};
}

}  // namespace promo_client
