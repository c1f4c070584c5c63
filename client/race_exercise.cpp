#include "race_exercise.hpp"

namespace promo_client::race {

namespace {

long count_of(const Table &table, const std::string &row, const std::string &column) {
  auto found = table.find(row);
  if (found == table.end()) return 0;
  auto cell = found->second.find(column);
  return cell == found->second.end() ? 0 : cell->second;
}

long applied(const Table &changes) {
  long n = 0;
  for (const auto &[change, outcomes] : changes) {
    auto found = outcomes.find("applied");
    if (found != outcomes.end()) n += found->second;
  }
  return n;
}

}  // namespace

std::vector<std::string> unexercised(const Table &refusals, const Table &campaign_changes,
                                     const Table &code_moves) {
  std::vector<std::string> missing;
  const struct {
    const char *by, *status, *rule;
  } kRules[] = {
      {"campaign", "exhausted", "a campaign's max_uses"},
      {"campaign", "customer_limit_reached", "a campaign's max_uses_per_customer"},
      {"code", "exhausted", "a code's max_uses"},
      {"code", "customer_limit_reached", "a code's max_uses_per_customer"},
  };
  for (const auto &rule : kRules)
    if (count_of(refusals, rule.by, rule.status) == 0)
      missing.push_back(std::string("no redemption was refused by ") + rule.rule + " (" + rule.status +
                        ", refused_by " + rule.by + ")");
  if (applied(campaign_changes) == 0) missing.push_back("the DBA applied no change of a campaign's settings");
  if (applied(code_moves) == 0) missing.push_back("the DBA moved no code into, out of or between campaigns");
  return missing;
}

}  // namespace promo_client::race
