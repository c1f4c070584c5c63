#include "race_drain.hpp"

#include <mutex>
#include <set>
#include <thread>

namespace promo_client::race {

namespace {

constexpr int kDrainSessions = 8;

// The holds the workers left count until they are reclaimed, and a reclaim
// during the drain would give a use back to a code after its drain answered
// exhausted (a campaign's refusal reclaims the expired holds of its other
// codes too). They all expire within seconds of the run's end: wait for the
// last one, then sweep them, before the drain starts.
void reclaim_holds(pqxx::connection &connection, const Run &run) {
  pqxx::nontransaction call(connection);
  const double seconds = call.exec_params(promo_sql(run.schema, R"(
SELECT coalesce(extract(epoch FROM max(hold_expires_at) - clock_timestamp()), 0)::float8
  FROM @promo.promo_redemptions WHERE promo_id = ANY ($1::bigint[]) AND state = 'held')"),
                                          run.code_ids)[0][0]
                             .as<double>();
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds + 0.05));
  call.exec(promo_sql(run.schema, "SELECT @promo.promo_reclaim_expired_holds()"));
}

struct CappedCode {
  long long id = 0;
  std::string code;
  int max_uses = 0;  // the smaller of the code's and its campaign's
};

// Opens every code and campaign again (and drops their closed records in
// the same transaction, as the DBA would); returns the codes with a cap of
// their own or of their campaign.
std::vector<CappedCode> open_codes(pqxx::connection &connection, const Run &run) {
  pqxx::work open(connection);
  open.exec_params(promo_sql(run.schema, R"(
UPDATE @promo.promo_codes SET is_active = true, valid_from = NULL, valid_until = NULL
 WHERE id = ANY ($1::bigint[]) AND (NOT is_active OR valid_from IS NOT NULL OR valid_until IS NOT NULL))"),
                   run.code_ids);
  open.exec_params(promo_sql(run.schema, R"(
UPDATE @promo.promo_campaigns SET is_active = true, valid_from = NULL, valid_until = NULL
 WHERE id = ANY ($1::bigint[]) AND (NOT is_active OR valid_from IS NOT NULL OR valid_until IS NOT NULL))"),
                   run.campaign_ids);
  open.exec_params("DELETE FROM promo_race.closed WHERE promo_id = ANY ($1::bigint[])", run.code_ids);
  std::vector<CappedCode> capped;
  for (const pqxx::row &row : open.exec_params(promo_sql(run.schema, R"(
SELECT c.id, c.code, least(c.max_uses, g.max_uses) AS max_uses
  FROM @promo.promo_codes c LEFT JOIN @promo.promo_campaigns g ON g.id = c.campaign_id
 WHERE c.id = ANY ($1::bigint[]) AND (c.max_uses IS NOT NULL OR g.max_uses IS NOT NULL) ORDER BY c.id)"),
                                               run.code_ids))
    capped.push_back(CappedCode{row[0].as<long long>(), row[1].as<std::string>(), row[2].as<int>()});
  open.commit();
  return capped;
}

// How the drains of the codes ended: by whose `exhausted`, or otherwise.
struct Endings {
  std::set<long long> by_code, by_campaign;
  std::vector<std::string> other;  // any other status: every code and campaign was open
};

class Drainer {
 public:
  Drainer(const Run &run, const std::vector<CappedCode> &codes, DrainReport &report, Endings &endings,
          std::mutex &mutex)
      : run_(run), codes_(codes), report_(report), endings_(endings), mutex_(mutex) {}

  // Session `number` drains the codes starting from a different one than its neighbours.
  void run(int number) {
    try {
      std::unique_ptr<pqxx::connection> connection = session_connection(run_);
      for (size_t i = 0; i < codes_.size(); ++i) drain(*connection, codes_[(i + number) % codes_.size()]);
    } catch (const pqxx::failure &error) {
      std::lock_guard<std::mutex> lock(mutex_);
      report_.errors.add("drain " + std::to_string(number), sqlstate_of(error), error.what());
    }
  }

 private:
  // Autocommit calls until the code answers exhausted; a code that never
  // does is left after twice its cap, for the checks to judge.
  void drain(pqxx::connection &connection, const CappedCode &code) {
    for (int calls = 0; calls < 2 * code.max_uses + 100; ++calls) {
      pqxx::nontransaction call(connection);
      const pqxx::row row = call.exec_params(promo_sql(run_.schema, R"(
SELECT status, redemption_id, coalesce(refused_by, '') AS refused_by FROM @promo.redeem_promo($1))"),
                                             code.code)[0];
      const std::string status = row[0].as<std::string>(), refused_by = row[2].as<std::string>();
      std::lock_guard<std::mutex> lock(mutex_);
      ++report_.answers[refused_by == "campaign" ? status + " by the campaign" : status];
      if (status == "redeemed") {
        report_.acknowledged[row[1].as<long long>()] = Acknowledged{code.id, "redeemed", "", ""};
        continue;
      }
      if (status == "exhausted" && refused_by == "code")
        endings_.by_code.insert(code.id);
      else if (status == "exhausted" && refused_by == "campaign")
        endings_.by_campaign.insert(code.id);
      else
        endings_.other.push_back(code.code + " answered " + status + " (refused_by '" + refused_by + "')");
      return;
    }
  }

  const Run &run_;
  const std::vector<CappedCode> &codes_;
  DrainReport &report_;
  Endings &endings_;
  std::mutex &mutex_;
};

std::string id_array(const std::set<long long> &ids) {
  std::string text = "{";
  for (long long id : ids) text += (text.size() > 1 ? "," : "") + std::to_string(id);
  return text + "}";
}

// After the drain, whatever answered exhausted is full: a use left over
// means some call answered exhausted while a use remained. Nothing answers
// anything else: every code and campaign is open, and the drain names no
// customer.
void check_full(pqxx::connection &connection, const Run &run, const Endings &endings,
                Violations &violations) {
  pqxx::work read(connection);
  for (const pqxx::row &row : read.exec_params(promo_sql(run.schema, R"(
SELECT promo_id, code, slots, uses, max_uses FROM @promo.promo_code_usage
 WHERE promo_id = ANY ($1::bigint[]) AND uses < max_uses)"),
                                               id_array(endings.by_code)))
    violations.report("drained code is full", row["promo_id"].c_str(),
                      std::string("after the drain: ") + row["code"].c_str() + " (id " +
                          row["promo_id"].c_str() + ", slots " + row["slots"].c_str() +
                          ") answered exhausted with usage " + row["uses"].c_str() + " < max_uses " +
                          row["max_uses"].c_str());
  for (const pqxx::row &row : read.exec_params(promo_sql(run.schema, R"(
SELECT u.campaign_id, u.name, u.slots, u.uses, u.max_uses,
       string_agg(c.code, ', ' ORDER BY c.id) AS codes
  FROM @promo.promo_campaign_usage u JOIN @promo.promo_codes c ON c.campaign_id = u.campaign_id
 WHERE c.id = ANY ($1::bigint[]) AND u.uses < u.max_uses
 GROUP BY u.campaign_id, u.name, u.slots, u.uses, u.max_uses)"),
                                               id_array(endings.by_campaign)))
    violations.report("drained campaign is full", row["campaign_id"].c_str(),
                      std::string("after the drain: campaign ") + row["name"].c_str() + " (id " +
                          row["campaign_id"].c_str() + ", slots " + row["slots"].c_str() +
                          ") answered exhausted (" + row["codes"].c_str() + ") with usage " +
                          row["uses"].c_str() + " < max_uses " + row["max_uses"].c_str());
  for (const std::string &ending : endings.other)
    violations.report("a drained code answers redeemed or exhausted", ending, "after the drain: " + ending);
}

}  // namespace

DrainReport drain_codes(const Run &run, Violations &violations) {
  DrainReport report;
  std::unique_ptr<pqxx::connection> connection = session_connection(run);
  reclaim_holds(*connection, run);
  const std::vector<CappedCode> codes = open_codes(*connection, run);
  Endings endings;
  std::mutex mutex;
  Drainer drainer(run, codes, report, endings, mutex);
  std::vector<std::thread> threads;
  for (int i = 0; i < kDrainSessions; ++i) threads.emplace_back([&, i] { drainer.run(i); });
  for (std::thread &thread : threads) thread.join();
  check_full(*connection, run, endings, violations);
  return report;
}

}  // namespace promo_client::race
