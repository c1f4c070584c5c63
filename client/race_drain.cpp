#include "race_drain.hpp"

#include <mutex>
#include <thread>

namespace promo_client::race {

namespace {

constexpr int kDrainSessions = 8;

struct CappedCode {
  long long id = 0;
  std::string code;
  int max_uses = 0;
};

// Opens every code again (and drops their closed records in the same
// transaction, as the DBA would); returns the capped ones.
std::vector<CappedCode> open_codes(pqxx::connection &connection, const Run &run) {
  pqxx::work open(connection);
  open.exec_params(promo_sql(run.schema, R"(
UPDATE @promo.promo_codes SET is_active = true, valid_from = NULL, valid_until = NULL
 WHERE id = ANY ($1::bigint[]) AND (NOT is_active OR valid_from IS NOT NULL OR valid_until IS NOT NULL))"),
                   run.code_ids);
  open.exec_params("DELETE FROM promo_race.closed WHERE promo_id = ANY ($1::bigint[])", run.code_ids);
  std::vector<CappedCode> capped;
  for (const pqxx::row &row : open.exec_params(promo_sql(run.schema, R"(
SELECT id, code, max_uses FROM @promo.promo_codes
 WHERE id = ANY ($1::bigint[]) AND max_uses IS NOT NULL ORDER BY id)"),
                                               run.code_ids))
    capped.push_back(CappedCode{row[0].as<long long>(), row[1].as<std::string>(), row[2].as<int>()});
  open.commit();
  return capped;
}

class Drainer {
 public:
  Drainer(const Run &run, const std::vector<CappedCode> &codes, DrainReport &report, std::mutex &mutex)
      : run_(run), codes_(codes), report_(report), mutex_(mutex) {}

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
      const pqxx::row row = call.exec_params(
          promo_sql(run_.schema, "SELECT status, redemption_id FROM @promo.redeem_promo($1)"), code.code)[0];
      const std::string status = row[0].as<std::string>();
      std::lock_guard<std::mutex> lock(mutex_);
      ++report_.answers[status];
      if (status != "redeemed") return;
      report_.acknowledged[row[1].as<long long>()] = Acknowledged{code.id, "redeemed", "", ""};
    }
  }

  const Run &run_;
  const std::vector<CappedCode> &codes_;
  DrainReport &report_;
  std::mutex &mutex_;
};

// After the drain every capped code is full: a use left over means some
// call answered exhausted while a use remained.
void check_full(pqxx::connection &connection, const Run &run, Violations &violations) {
  pqxx::work read(connection);
  for (const pqxx::row &row : read.exec_params(promo_sql(run.schema, R"(
SELECT promo_id, code, slots, uses, max_uses FROM @promo.promo_code_usage
 WHERE promo_id = ANY ($1::bigint[]) AND uses < max_uses)"),
                                               run.code_ids))
    violations.report("drained code is full", row["promo_id"].c_str(),
                      std::string("after the drain: ") + row["code"].c_str() + " (id " +
                          row["promo_id"].c_str() + ", slots " + row["slots"].c_str() +
                          ") answered exhausted with usage " + row["uses"].c_str() + " < max_uses " +
                          row["max_uses"].c_str());
}

}  // namespace

DrainReport drain_codes(const Run &run, Violations &violations) {
  DrainReport report;
  std::unique_ptr<pqxx::connection> connection = session_connection(run);
  const std::vector<CappedCode> codes = open_codes(*connection, run);
  std::mutex mutex;
  Drainer drainer(run, codes, report, mutex);
  std::vector<std::thread> threads;
  for (int i = 0; i < kDrainSessions; ++i) threads.emplace_back([&, i] { drainer.run(i); });
  for (std::thread &thread : threads) thread.join();
  check_full(*connection, run, violations);
  return report;
}

}  // namespace promo_client::race
