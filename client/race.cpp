#include "race.hpp"

#include <unistd.h>

#include <atomic>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "database.hpp"
#include "race_codes.hpp"
#include "race_dba.hpp"
#include "race_drain.hpp"
#include "race_exercise.hpp"
#include "race_monitor.hpp"
#include "race_report.hpp"
#include "race_worker.hpp"

namespace promo_client {

namespace race {

namespace {

// Twelve digits at most: short enough to type back.
unsigned long long random_seed() {
  std::random_device device;
  return (static_cast<unsigned long long>(device()) << 32 | device()) % 1000000000000ULL;
}

// Distinct for every run, whatever its seed: two runs with one seed do not collide.
std::string make_tag() {
  std::ostringstream tag;
  tag << std::hex << getpid() << "-" << (std::random_device{}() & 0xffffff);
  return tag.str();
}

// Shows the run going on a terminal; it synchronizes nothing.
void show_progress(const Run &run, const Violations &violations) {
  const auto started = Clock::now();
  while (Clock::now() < run.deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    if (!isatty(STDERR_FILENO)) continue;
    const long elapsed = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count();
    std::cerr << "\rrace: " << elapsed << "/" << run.options.race.duration_seconds << " s, "
              << violations.distinct() << " violations " << std::flush;
  }
  if (isatty(STDERR_FILENO)) std::cerr << "\n";
}

WorkerReport merge_workers(std::vector<WorkerReport> &reports, Violations &violations) {
  WorkerReport total;
  for (WorkerReport &report : reports) {
    merge(total.operations, report.operations);
    merge(total.refusals, report.refusals);
    merge(total.transactions, report.transactions);
    merge(total.retries, report.retries);
    total.errors.merge(report.errors);
    total.gave_up.merge(report.gave_up);
    total.unknown.insert(report.unknown.begin(), report.unknown.end());
    for (auto &[id, acknowledged] : report.acknowledged)
      if (!total.acknowledged.emplace(id, acknowledged).second)
        violations.report("ledger matches acknowledged commits", "id " + std::to_string(id),
                          "redemption id " + std::to_string(id) + " was acknowledged as new to two sessions");
  }
  return total;
}

bool state_as_acknowledged(const Acknowledged &expected, const std::string &state,
                           bool released_after_expiry) {
  if (expected.state == "held") return state == "held" || (state == "released" && released_after_expiry);
  return state == expected.state;
}

// Every acknowledged redemption is in the ledger as its acknowledged
// operations left it; every ledger row of the run's codes was acknowledged
// (rows of a commit whose outcome is unknown are left aside).
Audit audit_ledger(pqxx::connection &connection, const Run &run, const WorkerReport &workers,
                   Violations &violations) {
  Audit audit;
  audit.acknowledged = static_cast<long>(workers.acknowledged.size());
  pqxx::work read(connection);
  const pqxx::result rows = read.exec_params(promo_sql(run.schema, R"(
SELECT id, promo_id, state, coalesce(customer_id, '') AS customer_id,
       coalesce(idempotency_key, '') AS idempotency_key,
       coalesce(released_at >= hold_expires_at, false) AS released_after_expiry
  FROM @promo.promo_redemptions WHERE promo_id = ANY ($1::bigint[]) ORDER BY id)"),
                                             run.code_ids);
  std::set<long long> seen;
  for (const pqxx::row &row : rows) {
    ++audit.ledger_rows;
    const long long id = row["id"].as<long long>();
    const std::string state = row["state"].as<std::string>();
    seen.insert(id);
    if (workers.unknown.count(id)) {
      ++audit.unknown;
      continue;
    }
    auto found = workers.acknowledged.find(id);
    if (found == workers.acknowledged.end()) {
      violations.report("ledger matches acknowledged commits", "row " + std::to_string(id),
                        "ledger row " + std::to_string(id) + " (code id " + row["promo_id"].c_str() + ", " +
                            state + ") was made by no acknowledged commit");
      continue;
    }
    const Acknowledged &expected = found->second;
    const bool same_call = row["promo_id"].as<long long>() == expected.promo_id &&
                           row["customer_id"].as<std::string>() == expected.customer &&
                           row["idempotency_key"].as<std::string>() == expected.key;
    if (!same_call || !state_as_acknowledged(expected, state, row["released_after_expiry"].as<bool>()))
      violations.report(
          "ledger matches acknowledged commits", "row " + std::to_string(id),
          "ledger row " + std::to_string(id) + " is " + state + " (code id " + row["promo_id"].c_str() +
              ", customer '" + row["customer_id"].c_str() + "', key '" + row["idempotency_key"].c_str() +
              "'); acknowledged: " + expected.state + " (code id " + std::to_string(expected.promo_id) +
              ", customer '" + expected.customer + "', key '" + expected.key + "')");
  }
  for (const auto &[id, expected] : workers.acknowledged)
    if (!seen.count(id))
      violations.report("ledger matches acknowledged commits", "row " + std::to_string(id),
                        "acknowledged redemption " + std::to_string(id) + " (" + expected.state +
                            ", code id " + std::to_string(expected.promo_id) + ") is not in the ledger");
  return audit;
}

// Runs every session until the deadline, then the final checks.
Summary run_sessions(const Run &run) {
  Summary summary;
  summary.run = &run;
  Violations violations;
  SharedKeys shared_keys;
  const int workers = run.options.race.connections;
  const auto started = Clock::now();

  std::vector<WorkerReport> reports(workers);
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i)
    threads.emplace_back([&, i] { reports[i] = run_worker(run, i + 1, shared_keys, violations); });
  threads.emplace_back([&] { summary.dba = run_dba(run, workers + 1); });
  std::atomic<bool> stop{false};
  Monitor monitor(run, violations);
  std::thread monitor_thread([&] { monitor.run(stop); });

  show_progress(run, violations);
  for (std::thread &thread : threads) thread.join();
  stop = true;
  monitor_thread.join();
  summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();

  // Every session has ended: check the state they left. What a change
  // promised twice is still hidden in slots until the codes are used up:
  // drain them, then check once more.
  pqxx::connection connection(run.options.dsn);
  monitor.check(connection);
  DrainReport drain = drain_codes(run, violations);
  monitor.check(connection);
  summary.monitor_checks = monitor.checks();
  summary.slowest_check_ms = monitor.slowest_check_ms();
  summary.monitor_errors = monitor.errors();
  summary.workers = merge_workers(reports, violations);
  summary.workers.operations["drain (after the run, plain)"] = drain.answers;
  summary.workers.errors.merge(drain.errors);
  summary.workers.acknowledged.insert(drain.acknowledged.begin(), drain.acknowledged.end());
  summary.audit = audit_ledger(connection, run, summary.workers, violations);
  summary.not_exercised =
      unexercised(summary.workers.refusals, summary.dba.campaign_changes, summary.dba.code_moves);

  summary.violation_sightings = violations.sightings();
  summary.violations = violations.distinct();
  summary.violations_by_check = violations.by_check();
  summary.first_violations = violations.first();
  return summary;
}

}  // namespace

}  // namespace race

int run_race(const Options &options) {
  using namespace race;
  Run run(options);
  run.seed = options.race.seed ? *options.race.seed : random_seed();
  run.tag = make_tag();
  (options.json ? std::cerr : std::cout) << seed_line(run) << std::endl;

  pqxx::connection admin(options.dsn);
  run.schema = promo_schema(admin);
  Random random(run.seed);  // session 0: the campaigns and codes
  create_campaigns_and_codes(admin, run, random);
  run.deadline = Clock::now() + std::chrono::seconds(options.race.duration_seconds);

  Summary summary;
  try {
    summary = run_sessions(run);
  } catch (...) {
    remove_campaigns_and_codes(admin, run);
    throw;
  }
  remove_campaigns_and_codes(admin, run);
  if (options.json)
    print_json(summary);
  else
    print_text(summary);
  return summary.pass() ? 0 : 1;
}

}  // namespace promo_client
