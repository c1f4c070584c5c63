// The monitor of promo-client race: each check reads one REPEATABLE READ
// snapshot, so what it sees is some moment between commits, where every
// rule must hold.
#pragma once

#include <atomic>
#include <pqxx/pqxx>
#include <string>

#include "race_support.hpp"

namespace promo_client::race {

class Monitor {
 public:
  Monitor(const Run &run, Violations &violations) : run_(run), violations_(violations) {}

  // Checks every ~20 ms on a connection of its own until stop is set.
  void run(const std::atomic<bool> &stop);

  // One check of every rule in one snapshot:
  //   usage (promo_code_usage.uses) = the code's live (redeemed or held) ledger rows;
  //   usage <= max_uses; a customer's live rows <= max_uses_per_customer;
  //   for every campaign, the same over its codes (promo_campaign_usage.uses
  //   = their live ledger rows, <= its max_uses; a customer's live rows of
  //   them <= its max_uses_per_customer);
  //   a code recorded as closed (by its own settings or its campaign's) and
  //   still closed has no more ledger rows than then.
  // The DBA never sets a customer limit below a customer's live uses (it
  // counts them with the code's or campaign's redemptions waited for), so a
  // customer above the limit now was granted a use the limit refused.
  void check(pqxx::connection &connection);

  long checks() const { return checks_; }
  double slowest_check_ms() const { return slowest_ms_; }
  const Errors &errors() const { return errors_; }

 private:
  void check_usage(pqxx::transaction_base &snapshot, const std::string &when);
  void check_customers(pqxx::transaction_base &snapshot, const std::string &when);
  void check_campaign_usage(pqxx::transaction_base &snapshot, const std::string &when);
  void check_campaign_customers(pqxx::transaction_base &snapshot, const std::string &when);
  void check_closed(pqxx::transaction_base &snapshot, const std::string &when);

  const Run &run_;
  Violations &violations_;
  long checks_ = 0;
  double slowest_ms_ = 0;
  Errors errors_;
};

}  // namespace promo_client::race
