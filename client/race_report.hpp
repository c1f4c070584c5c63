// promo-client race: the summary of a run, as text or JSON.
#pragma once

#include <string>
#include <vector>

#include "race_dba.hpp"
#include "race_support.hpp"
#include "race_worker.hpp"

namespace promo_client::race {

// The ledger against what was acknowledged, at the end of the run.
struct Audit {
  long acknowledged = 0;  // redemptions whose transaction's COMMIT succeeded
  long ledger_rows = 0;   // rows of the run's codes
  long unknown = 0;       // rows left aside: their commit outcome is unknown
};

struct Summary {
  const Run *run = nullptr;
  double seconds = 0;
  WorkerReport workers;  // every worker's, merged
  DbaReport dba;
  long monitor_checks = 0;
  double slowest_check_ms = 0;
  Errors monitor_errors;
  Audit audit;
  long violation_sightings = 0, violations = 0;
  Counts violations_by_check;
  std::vector<std::string> first_violations;
  std::vector<std::string> not_exercised;  // race_exercise.hpp

  long unexpected_errors() const {
    return workers.errors.total() + dba.errors.total() + monitor_errors.total();
  }
  bool pass() const { return violations == 0 && unexpected_errors() == 0 && not_exercised.empty(); }
};

void print_text(const Summary &summary);
void print_json(const Summary &summary);

// "race: seed 42 ...", with how to repeat the run's choices.
std::string seed_line(const Run &run);

}  // namespace promo_client::race
