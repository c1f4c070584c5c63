#include "race_report.hpp"

#include <iostream>
#include <sstream>

#include "database.hpp"

namespace promo_client::race {

namespace {

std::string joined(const Counts &counts, const char *separator = ", ") {
  std::ostringstream text;
  bool first = true;
  for (const auto &[label, n] : counts) text << (first ? "" : separator) << label << " " << n, first = false;
  return first ? "none" : text.str();
}

// "1 slot, max_uses 80, 5 per customer; 37 slots, ...": as created.
std::string campaign_list(const Run &run) {
  std::string text;
  for (const RaceCampaign &campaign : run.campaigns)
    text += (text.empty() ? "" : "; ") + std::to_string(campaign.slots) +
            (campaign.slots == 1 ? " slot" : " slots") + ", max_uses " +
            (campaign.max_uses ? std::to_string(*campaign.max_uses) : "none") + ", " +
            (campaign.max_uses_per_customer ? std::to_string(*campaign.max_uses_per_customer) : "no limit") +
            " per customer";
  return text;
}

// "12 (exhausted 5, inactive 7)".
std::string total_and_joined(const Counts &counts) {
  long total = 0;
  for (const auto &[label, n] : counts) total += n;
  return std::to_string(total) + " (" + joined(counts) + ")";
}

std::string isolation_list(const Run &run) {
  std::string text;
  for (Isolation level : run.options.race.isolation)
    text += (text.empty() ? "" : ", ") + std::string(isolation_name(level));
  return text;
}

std::string json_counts(const Counts &counts) {
  std::string json = "{";
  for (const auto &[label, n] : counts)
    json += (json.size() > 1 ? "," : "") + json_string(label) + ":" + std::to_string(n);
  return json + "}";
}

std::string json_table(const Table &table) {
  std::string json = "{";
  for (const auto &[kind, counts] : table)
    json += (json.size() > 1 ? "," : "") + json_string(kind) + ":" + json_counts(counts);
  return json + "}";
}

std::string json_lines(const std::vector<std::string> &lines) {
  std::string json = "[";
  for (size_t i = 0; i < lines.size(); ++i) json += (i ? "," : "") + json_string(lines[i]);
  return json + "]";
}

void print_errors(const char *title, const Errors &errors, size_t lines = 12) {
  if (errors.by_sqlstate.empty()) return;
  std::cout << title << ": " << joined(errors.by_sqlstate) << "\n";
  for (size_t i = 0; i < errors.first.size() && i < lines; ++i) std::cout << "  " << errors.first[i] << "\n";
}

}  // namespace

std::string seed_line(const Run &run) {
  const int workers = run.options.race.connections;
  return "race: seed " + std::to_string(run.seed) +
         " (session k draws from seed + k: 0 the campaigns and codes, 1.." + std::to_string(workers) +
         " the workers, " + std::to_string(workers + 1) +
         " the DBA; --seed repeats the choices, not the thread interleaving, nor what the choices pick"
         " among the redemptions that interleaving produced)";
}

void print_text(const Summary &summary) {
  const Run &run = *summary.run;
  const WorkerReport &workers = summary.workers;
  std::cout << "race: " << run.options.race.connections << " workers, " << summary.seconds << " s, "
            << run.codes.size() << " codes RACE-" << run.tag << "-*, " << run.campaigns.size()
            << " campaigns (" << campaign_list(run) << "), isolation " << isolation_list(run) << "\n"
            << "operations:\n";
  for (const auto &[kind, counts] : workers.operations)
    std::cout << "  " << kind << ": " << joined(counts) << "\n";
  for (const char *by : {"code", "campaign"}) {
    auto found = workers.refusals.find(by);
    std::cout << "refusals by the " << by << ": "
              << (found == workers.refusals.end() ? "none" : total_and_joined(found->second)) << "\n";
  }
  std::cout << "transactions: " << joined(workers.transactions) << "\n"
            << "retries: " << joined(workers.retries) << "; DBA retries: " << joined(summary.dba.retries)
            << "\n"
            << "DBA changes:\n";
  for (const auto &[kind, counts] : summary.dba.changes)
    std::cout << "  " << kind << ": " << joined(counts) << "\n";
  std::cout << "DBA changes of campaigns:\n";
  for (const auto &[kind, counts] : summary.dba.campaign_changes)
    std::cout << "  " << kind << ": " << joined(counts) << "\n";
  std::cout << "DBA moves of codes between campaigns:\n";
  for (const auto &[kind, counts] : summary.dba.code_moves)
    std::cout << "  " << kind << ": " << joined(counts) << "\n";
  std::cout << "monitor: " << summary.monitor_checks << " checks (the two final ones included), slowest "
            << summary.slowest_check_ms << " ms\n"
            << "ledger: " << summary.audit.acknowledged << " acknowledged redemptions, "
            << summary.audit.ledger_rows << " ledger rows of the run's codes, " << summary.audit.unknown
            << " of unknown outcome\n";
  if (summary.violations == 0) {
    std::cout << "violations: none\n";
  } else {
    std::cout << "violations: " << summary.violations << " distinct, seen " << summary.violation_sightings
              << " times; by check: " << joined(summary.violations_by_check) << "\n";
    for (const std::string &line : summary.first_violations) std::cout << "  " << line << "\n";
  }
  if (summary.not_exercised.empty()) {
    std::cout << "exercised: refusals by the campaigns' and the codes' caps and customer limits, "
                 "the DBA's changes of campaigns and moves of codes\n";
  } else {
    std::cout << "NOT EXERCISED (the run proves nothing of these rules; run longer or with another seed):\n";
    for (const std::string &line : summary.not_exercised) std::cout << "  " << line << "\n";
  }
  print_errors("transactions given up after retries (not errors)", workers.gave_up, 3);
  print_errors("unexpected errors, workers", workers.errors);
  print_errors("unexpected errors, DBA", summary.dba.errors);
  print_errors("unexpected errors, monitor", summary.monitor_errors);
  std::cout << (summary.pass() ? "PASS" : "FAIL") << ": " << summary.violations << " violations, "
            << summary.unexpected_errors() << " unexpected errors, " << summary.not_exercised.size()
            << " rules not exercised (seed " << run.seed << ")\n";
}

void print_json(const Summary &summary) {
  const Run &run = *summary.run;
  const WorkerReport &workers = summary.workers;
  Errors all_errors = workers.errors;
  all_errors.merge(summary.dba.errors);
  all_errors.merge(summary.monitor_errors);
  std::cout << "{\"pass\":" << (summary.pass() ? "true" : "false") << ",\"seed\":" << run.seed
            << ",\"workers\":" << run.options.race.connections << ",\"seconds\":" << summary.seconds
            << ",\"tag\":" << json_string(run.tag) << ",\"operations\":" << json_table(workers.operations)
            << ",\"refusals\":" << json_table(workers.refusals)
            << ",\"transactions\":" << json_counts(workers.transactions)
            << ",\"retries\":" << json_counts(workers.retries)
            << ",\"dba_changes\":" << json_table(summary.dba.changes)
            << ",\"dba_campaign_changes\":" << json_table(summary.dba.campaign_changes)
            << ",\"dba_code_moves\":" << json_table(summary.dba.code_moves)
            << ",\"dba_retries\":" << json_counts(summary.dba.retries)
            << ",\"monitor_checks\":" << summary.monitor_checks
            << ",\"slowest_check_ms\":" << summary.slowest_check_ms
            << ",\"acknowledged\":" << summary.audit.acknowledged
            << ",\"ledger_rows\":" << summary.audit.ledger_rows
            << ",\"unknown_outcome\":" << summary.audit.unknown << ",\"violations\":" << summary.violations
            << ",\"violation_sightings\":" << summary.violation_sightings
            << ",\"violations_by_check\":" << json_counts(summary.violations_by_check)
            << ",\"first_violations\":" << json_lines(summary.first_violations)
            << ",\"not_exercised\":" << json_lines(summary.not_exercised)
            << ",\"errors\":" << json_counts(workers.errors.by_sqlstate)
            << ",\"dba_errors\":" << json_counts(summary.dba.errors.by_sqlstate)
            << ",\"monitor_errors\":" << json_counts(summary.monitor_errors.by_sqlstate)
            << ",\"first_errors\":" << json_lines(all_errors.first) << "}\n";
}

}  // namespace promo_client::race
