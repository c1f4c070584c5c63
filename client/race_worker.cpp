#include "race_worker.hpp"

#include <algorithm>
#include <limits>
#include <thread>
#include <unordered_map>

namespace promo_client::race {

namespace {

constexpr int kMaxRetries = 30;  // then the client gives the transaction up
constexpr int kCustomers = 8;    // a small pool, so that per-customer limits are reached
constexpr int kSharedKeysPerCode = 4;

enum class Kind { Plain, Customer, Keyed, Replay, SharedKey, Hold, Confirm, Release, Sweep };

const char *kind_name(Kind kind) {
  switch (kind) {
    case Kind::Plain: return "plain redemption";
    case Kind::Customer: return "customer redemption";
    case Kind::Keyed: return "keyed redemption";
    case Kind::Replay: return "replay of a key";
    case Kind::SharedKey: return "shared-key redemption";
    case Kind::Hold: return "held redemption";
    case Kind::Confirm: return "confirm";
    case Kind::Release: return "release";
    case Kind::Sweep: return "sweep";
  }
  return "?";
}

bool is_redemption(Kind kind) {
  return kind != Kind::Confirm && kind != Kind::Release && kind != Kind::Sweep;
}

// One call of a transaction, chosen before it starts, so that a retry repeats it.
struct Step {
  Kind kind = Kind::Plain;
  size_t code = 0;       // index into the run's codes
  std::string customer;  // empty: NULL
  std::string key;       // empty: NULL
  int hold_ms = 0;       // 0: no hold
  long long target = 0;  // confirm, release, replay: the redemption
  std::optional<long long> amount;  // promo 1.6: an order of this many EUR cents; unset: no order
};

struct Plan {
  std::vector<Step> steps;
  Isolation isolation = Isolation::ReadCommitted;
  bool rollback = false;  // ROLLBACK instead of COMMIT
};

// What the server answered to one step.
struct Answer {
  std::string status;           // redeem_promo's status; "true" or "false"; "ran" for a sweep
  long long redemption_id = 0;  // 0: none
  bool replayed = false;
  std::string state;         // redemption_state
  bool unlimited = false;    // the code row the call decided on: max_uses NULL
  bool active = true;        // and is_active
  bool in_campaign = false;  // the answer names the code's campaign
  std::string refused_by;    // a refusal's: code or campaign; empty: NULL
  int reclaimed = 0;         // a sweep's count
  std::optional<long long> discount;  // promo 1.6: the discount answered; unset: NULL
};

enum class Outcome { Committed, RolledBack, Retry, Failed, InDoubt };

struct Attempt {
  Outcome outcome = Outcome::Failed;
  std::vector<Answer> answers;
  std::string sqlstate;
};

// One of this session's redemptions; `state` is what its acknowledged commits imply.
struct Mine {
  size_t code = 0;
  std::string state;
  std::string customer, key;
  int hold_ms = 0;
  std::optional<long long> amount, discount;  // its order and the discount it was granted (1.6)
};

// Ids to draw from at random, removed in constant time.
class IdPool {
 public:
  bool empty() const { return ids_.empty(); }
  void add(long long id) {
    at_[id] = ids_.size();
    ids_.push_back(id);
  }
  void remove(long long id) {
    auto found = at_.find(id);
    if (found == at_.end()) return;
    const size_t at = found->second;
    ids_[at] = ids_.back();
    at_[ids_[at]] = at;
    ids_.pop_back();
    at_.erase(id);
  }
  long long pick(Random &random) const { return ids_[random.below(ids_.size())]; }

 private:
  std::vector<long long> ids_;
  std::unordered_map<long long, size_t> at_;
};

const char *or_null(const std::string &text) {
  return text.empty() ? nullptr : text.c_str();
}

class Worker {
 public:
  Worker(const Run &run, int session, SharedKeys &shared_keys, Violations &violations)
      : run_(run),
        session_(session),
        shared_keys_(shared_keys),
        violations_(violations),
        random_(run.seed + static_cast<unsigned long long>(session)),
        jitter_(~(run.seed + static_cast<unsigned long long>(session))),
        redeem_sql_(promo_sql(run.schema, R"(
SELECT status, redemption_id, replayed, redemption_state, max_uses IS NULL AS unlimited, is_active,
       campaign_id IS NOT NULL AS in_campaign, refused_by
  FROM @promo.redeem_promo($1, customer_id => $2, idempotency_key => $3, hold => $4::interval))")),
        confirm_sql_(promo_sql(run.schema, "SELECT @promo.confirm_promo($1)")),
        release_sql_(promo_sql(run.schema, "SELECT @promo.release_promo($1)")),
        sweep_sql_(promo_sql(run.schema, "SELECT @promo.promo_reclaim_expired_holds()")),
        order_sql_(promo_sql(run.schema, R"(
SELECT status, redemption_id, replayed, redemption_state, max_uses IS NULL AS unlimited, is_active,
       campaign_id IS NOT NULL AS in_campaign, refused_by, discount
  FROM @promo.redeem_promo($1, customer_id => $2, idempotency_key => $3, hold => $4::interval,
                           order_amount => $5::bigint, currency => $6))")) {}

  WorkerReport run() {
    try {
      connection_ = session_connection(run_);
      while (Clock::now() < run_.deadline) perform(make_plan());
    } catch (const std::exception &error) {
      report_.errors.add(who(), "session lost", error.what());
    }
    for (const auto &[id, mine] : mine_)
      report_.acknowledged[id] = Acknowledged{run_.codes[mine.code].id, mine.state, mine.customer, mine.key};
    return std::move(report_);
  }

 private:
  std::string who() const { return "worker " + std::to_string(session_); }

  // --- choosing what to do ---------------------------------------------------

  Plan make_plan() {
    Plan plan;
    const std::vector<Isolation> &levels = run_.options.race.isolation;
    plan.isolation = levels[random_.below(levels.size())];
    plan.rollback = random_.chance(8);
    std::set<long long> used;  // a redemption is the target of one step per transaction
    if (!roaming_live_.empty()) {
      // A roaming code's redemption goes back at once, with the next call.
      const long long id = *roaming_live_.begin();
      used.insert(id);
      plan.rollback = false;
      plan.steps.push_back(Step{Kind::Release, mine_.at(id).code, "", "", 0, id, std::nullopt});
      if (random_.chance(50)) plan.steps.push_back(random_step(used));
      return plan;
    }
    const int shape = static_cast<int>(random_.below(100));
    // Mostly one call: a transaction of several holds its first code's locks
    // while it waits for the next, and too many of them make one convoy.
    if (shape < 6) {
      // Release, then redeem: two codes' locks in one transaction, taken in
      // either order by different sessions.
      plan.steps.push_back(target_step(Kind::Release, used));
      plan.steps.push_back(redeem_step(random_.chance(50) ? Kind::Plain : Kind::Customer));
    } else {
      const int calls = shape < 14 ? random_.between(2, 3) : 1;
      for (int i = 0; i < calls; ++i) plan.steps.push_back(random_step(used));
    }
    return plan;
  }

  Step random_step(std::set<long long> &used) {
    const int roll = static_cast<int>(random_.below(100));
    if (roll < 12) return redeem_step(Kind::Plain);
    if (roll < 36) return redeem_step(Kind::Customer);
    if (roll < 46) return redeem_step(Kind::Keyed);
    if (roll < 54) return replay_step(used);
    if (roll < 58) return redeem_step(Kind::SharedKey);
    if (roll < 70) return redeem_step(Kind::Hold);
    if (roll < 80) return target_step(Kind::Confirm, used);
    if (roll < 96) return target_step(Kind::Release, used);
    Step sweep;
    sweep.kind = Kind::Sweep;
    return sweep;
  }

  Step redeem_step(Kind kind) {
    Step step;
    step.kind = kind;
    step.code = random_.below(run_.codes.size());
    const bool sometimes = random_.chance(50), rarely = random_.chance(25);
    if (kind == Kind::Customer || ((kind == Kind::Keyed || kind == Kind::Hold) && sometimes))
      step.customer = "customer-" + std::to_string(pick_customer());
    if (kind == Kind::Keyed || (kind == Kind::Hold && rarely))
      step.key = "key-" + std::to_string(session_) + "-" + std::to_string(next_key_++);
    // Shared keys have no customer: every session may send them.
    if (kind == Kind::SharedKey) step.key = "shared-" + std::to_string(random_.below(kSharedKeysPerCode));
    if (kind == Kind::Hold) step.hold_ms = random_.between(1000, 3000);
    if (run_.orders && random_.chance(50)) step.amount = order_amount();
    return step;
  }

  // An order: mostly a shop's, sometimes nothing or the largest there is.
  long long order_amount() {
    const int roll = static_cast<int>(random_.below(100));
    if (roll < 3) return 0;
    if (roll < 5) return std::numeric_limits<long long>::max() - static_cast<long long>(random_.below(1000));
    return static_cast<long long>(random_.below(200000));
  }

  // Half the calls are customer-0's, so that the busiest customer of a code
  // is often among the calls that wait for it.
  uint64_t pick_customer() { return random_.chance(45) ? 0 : random_.below(kCustomers); }

  // A retry of an earlier keyed call: the same arguments.
  Step replay_step(std::set<long long> &used) {
    if (keyed_.empty()) return redeem_step(Kind::Keyed);
    const long long id = keyed_[random_.below(keyed_.size())];
    if (!used.insert(id).second) return redeem_step(Kind::Plain);
    const Mine &mine = mine_.at(id);
    Step step;
    step.kind = Kind::Replay;
    step.code = mine.code;
    step.customer = mine.customer;
    step.key = mine.key;
    step.hold_ms = mine.hold_ms;
    step.amount = mine.amount;
    step.target = id;
    return step;
  }

  // Confirm or release one of this session's redemptions: mostly one it can
  // change, sometimes one whose answer must be false.
  Step target_step(Kind kind, std::set<long long> &used) {
    const int roll = static_cast<int>(random_.below(100));
    IdPool &pool = kind == Kind::Confirm ? (roll < 85   ? held_
                                            : roll < 93 ? redeemed_
                                                        : released_)
                                         : (roll < 60   ? redeemed_
                                            : roll < 92 ? held_
                                                        : released_);
    if (pool.empty()) return redeem_step(kind == Kind::Confirm ? Kind::Hold : Kind::Plain);
    const long long id = pool.pick(random_);
    if (!used.insert(id).second) return redeem_step(Kind::Plain);
    Step step;
    step.kind = kind;
    step.code = mine_.at(id).code;
    step.target = id;
    return step;
  }

  // --- running it --------------------------------------------------------------

  // Runs the plan, retrying on 40001 and 40P01 as a client would.
  void perform(const Plan &plan) {
    for (int retries = 0;; ++retries) {
      Attempt attempt = try_plan(plan);
      if (attempt.outcome != Outcome::Retry) return settle(plan, attempt);
      ++report_.retries[attempt.sqlstate];
      if (retries == kMaxRetries) {
        ++report_.transactions["gave up after retries"];
        report_.gave_up.add(who(), attempt.sqlstate, "[" + describe(plan) + "]");
        return;
      }
      // A short, growing back-off lets the conflicting transaction finish. Its
      // own generator keeps the plan's draws independent of how often we retry.
      std::this_thread::sleep_for(std::chrono::microseconds(jitter_.below(500 * (retries + 1))));
    }
  }

  Attempt try_plan(const Plan &plan) {
    Attempt attempt;
    try {
      switch (plan.isolation) {
        case Isolation::ReadCommitted: run_at<pqxx::read_committed>(plan, attempt); break;
        case Isolation::RepeatableRead: run_at<pqxx::repeatable_read>(plan, attempt); break;
        case Isolation::Serializable: run_at<pqxx::serializable>(plan, attempt); break;
      }
    } catch (const pqxx::in_doubt_error &) {
      attempt.outcome = Outcome::InDoubt;
    } catch (const pqxx::broken_connection &error) {
      attempt.outcome = Outcome::Failed;
      report_.errors.add(who(), "08000", error.what());
      connection_ = session_connection(run_);
    } catch (const pqxx::failure &error) {
      attempt.sqlstate = sqlstate_of(error);
      attempt.outcome = is_retryable(attempt.sqlstate) ? Outcome::Retry : Outcome::Failed;
      if (attempt.outcome == Outcome::Failed)
        report_.errors.add(who(), attempt.sqlstate, "[" + describe(plan) + "] " + error.what());
    }
    return attempt;
  }

  template <pqxx::isolation_level Level>
  void run_at(const Plan &plan, Attempt &attempt) {
    pqxx::transaction<Level> transaction(*connection_);
    for (const Step &step : plan.steps) attempt.answers.push_back(execute(transaction, step));
    if (plan.rollback) {
      transaction.abort();
      attempt.outcome = Outcome::RolledBack;
    } else {
      transaction.commit();
      attempt.outcome = Outcome::Committed;
    }
  }

  Answer execute(pqxx::transaction_base &transaction, const Step &step) {
    Answer answer;
    if (is_redemption(step.kind)) {
      const std::string hold = milliseconds(step.hold_ms);
      const std::string amount = step.amount ? std::to_string(*step.amount) : "";
      const pqxx::row row =
          run_.orders
              ? transaction.exec_params(order_sql_, run_.codes[step.code].code, or_null(step.customer),
                                        or_null(step.key), step.hold_ms ? hold.c_str() : nullptr,
                                        or_null(amount), step.amount ? "EUR" : nullptr)[0]
              : transaction.exec_params(redeem_sql_, run_.codes[step.code].code, or_null(step.customer),
                                        or_null(step.key), step.hold_ms ? hold.c_str() : nullptr)[0];
      answer.status = row["status"].as<std::string>();
      answer.redemption_id = row["redemption_id"].as<long long>(0);
      answer.replayed = row["replayed"].as<bool>(false);
      answer.state = row["redemption_state"].as<std::string>("");
      answer.unlimited = row["unlimited"].as<bool>();
      answer.active = row["is_active"].as<bool>(true);
      answer.in_campaign = row["in_campaign"].as<bool>();
      answer.refused_by = row["refused_by"].as<std::string>("");
      if (run_.orders && !row["discount"].is_null()) answer.discount = row["discount"].as<long long>();
    } else if (step.kind == Kind::Sweep) {
      answer.status = "ran";
      answer.reclaimed = transaction.exec(sweep_sql_)[0][0].as<int>();
    } else {
      const std::string &sql = step.kind == Kind::Confirm ? confirm_sql_ : release_sql_;
      answer.status = transaction.exec_params(sql, step.target)[0][0].as<bool>() ? "true" : "false";
    }
    return answer;
  }

  // --- what the answers mean ------------------------------------------------------

  void settle(const Plan &plan, const Attempt &attempt) {
    if (attempt.answers.size() == plan.steps.size())  // every call was answered
      for (size_t i = 0; i < plan.steps.size(); ++i) {
        count(plan.steps[i], attempt.answers[i]);
        check_answer(plan.steps[i], attempt.answers[i]);
      }
    switch (attempt.outcome) {
      case Outcome::Committed:
        ++report_.transactions["committed"];
        for (size_t i = 0; i < plan.steps.size(); ++i) apply(plan.steps[i], attempt.answers[i]);
        break;
      case Outcome::RolledBack: ++report_.transactions["rolled back on purpose"]; break;
      case Outcome::Failed: ++report_.transactions["failed"]; break;
      case Outcome::InDoubt:
        // Whatever it made or changed is left out of every later check.
        ++report_.transactions["commit outcome unknown"];
        for (size_t i = 0; i < attempt.answers.size(); ++i) {
          if (attempt.answers[i].redemption_id) report_.unknown.insert(attempt.answers[i].redemption_id);
          if (plan.steps[i].target) forget(plan.steps[i].target);
        }
        break;
      case Outcome::Retry: break;
    }
  }

  void count(const Step &step, const Answer &answer) {
    Counts &counts = report_.operations[kind_name(step.kind)];
    if (step.kind == Kind::Sweep) {
      ++counts["ran"];
      counts["holds reclaimed"] += answer.reclaimed;
    } else if (answer.status == "redeemed" && answer.state == "held") {
      ++counts[answer.replayed ? "replayed held" : "held"];
    } else if (answer.refused_by == "campaign") {
      ++counts[answer.status + " by the campaign"];
    } else {
      ++counts[step.kind != Kind::Replay && answer.replayed ? "replayed " + answer.status : answer.status];
    }
    if (!answer.refused_by.empty()) ++report_.refusals[answer.refused_by][answer.status];
  }

  void check_answer(const Step &step, const Answer &answer) {
    if (step.kind == Kind::Replay) return check_replay(step, answer);
    if (step.kind == Kind::Confirm || step.kind == Kind::Release) return check_ledger_call(step, answer);
    if (!is_redemption(step.kind)) return;
    std::string problem;
    if (answer.status == "not_found") problem = "not_found for a code that exists";
    if (answer.replayed && step.kind != Kind::SharedKey)
      problem = "replayed a call with no earlier redemption";
    if (answer.status == "released" && !answer.replayed) problem = "released without a replay";
    // The row in the answer is the one the call decided on; the campaign's
    // own columns are not in it.
    const bool by_code = answer.refused_by == "code";
    if (answer.status == "exhausted" && by_code && answer.unlimited)
      problem = "exhausted by the code, and the code has no max_uses";
    if (answer.status == "inactive" && by_code && answer.active)
      problem = "inactive by the code, and the code is active";
    const bool refusal = answer.status != "redeemed" && answer.status != "released";
    if (refusal && answer.refused_by != "code" && answer.refused_by != "campaign")
      problem = "a refusal with refused_by '" + answer.refused_by + "', expected code or campaign";
    if (!refusal && !answer.refused_by.empty())
      problem = "refused_by '" + answer.refused_by + "' on an answer " + answer.status;
    if (answer.refused_by == "campaign" && !answer.in_campaign)
      problem = answer.status + " by the campaign, and the answer names no campaign";
    if (answer.status == "redeemed" && !answer.replayed && !answer.active)
      problem = "redeemed an inactive code";
    const std::string expected = step.hold_ms ? "held" : "redeemed";
    if (answer.status == "redeemed" && !answer.replayed &&
        (!answer.redemption_id || answer.state != expected))
      problem = "redeemed with redemption_state '" + answer.state + "', expected '" + expected + "'";
    if (run_.orders && answer.status == "redeemed" && !answer.replayed) check_discount(step, answer);
    if (!problem.empty())
      violations_.report(
          "answers", run_.codes[step.code].code + " " + problem,
          who() + ": " + kind_name(step.kind) + " of " + run_.codes[step.code].code + ": " + problem);
  }

  // promo 1.6: a new redemption's discount is its code's rule applied to
  // the order (NULL without one); a refusal answers none.
  void check_discount(const Step &step, const Answer &answer) {
    const RaceCode &code = run_.codes[step.code];
    std::optional<long long> expected;
    if (step.amount) expected = expected_discount(*code.discount, *step.amount);
    if (answer.discount == expected) return;
    auto text = [](const std::optional<long long> &value) { return value ? std::to_string(*value) : "NULL"; };
    violations_.report("discounts", code.code,
                       who() + ": " + code.code + " granted " + text(answer.discount) + " to an order of " +
                           text(step.amount) + ", expected " + text(expected));
  }

  // A replay returns its redemption, in the state this session's acknowledged
  // commits left it (a hold may have been reclaimed since).
  void check_replay(const Step &step, const Answer &answer) {
    const Mine &mine = mine_.at(step.target);
    bool right = answer.replayed && answer.redemption_id == step.target;
    if (mine.state == "redeemed")
      right = right && answer.status == "redeemed" && answer.state == "redeemed";
    else if (mine.state == "released")
      right = right && answer.status == "released";
    else
      right =
          right && ((answer.status == "redeemed" && answer.state == "held") || answer.status == "released");
    // and the discount it was granted (1.6)
    if (run_.orders && (answer.status == "redeemed" || answer.status == "released"))
      right = right && answer.discount == mine.discount;
    if (right) return;
    violations_.report("a replay returns its redemption", std::to_string(step.target),
                       who() + ": key " + step.key + " of " + run_.codes[step.code].code + " (redemption " +
                           std::to_string(step.target) + ", " + mine.state + ") answered status " +
                           answer.status + ", redemption " + std::to_string(answer.redemption_id) +
                           ", replayed " + (answer.replayed ? "true" : "false") + ", state " + answer.state);
  }

  void check_ledger_call(const Step &step, const Answer &answer) {
    const std::string &state = mine_.at(step.target).state;
    const bool result = answer.status == "true";
    std::string problem;
    if (step.kind == Kind::Confirm && result && state != "held")
      problem = "confirm_promo true for a " + state + " row";
    if (step.kind == Kind::Release && result && state == "released")
      problem = "release_promo true for a released row";
    if (step.kind == Kind::Release && !result && state == "redeemed")
      problem = "release_promo false for a redeemed row";
    if (!problem.empty())
      violations_.report("confirm and release answers", std::to_string(step.target),
                         who() + ": " + problem + " (redemption " + std::to_string(step.target) + " of " +
                             run_.codes[step.code].code + ")");
  }

  // A committed step's effect on this session's redemptions.
  void apply(const Step &step, const Answer &answer) {
    const long long id = answer.redemption_id;
    if (step.kind == Kind::SharedKey && id)
      shared_keys_.observe(run_.codes[step.code].id, step.key, id, violations_);
    if (is_redemption(step.kind)) {
      if (answer.status == "redeemed" && !answer.replayed && id) {
        add_mine(id, Mine{step.code, step.hold_ms ? "held" : "redeemed", step.customer, step.key, step.hold_ms,
                          step.amount, answer.discount});
        if (run_.codes[step.code].roaming) roaming_live_.insert(id);
      }
      return;
    }
    if (step.kind == Kind::Sweep) return;
    const bool result = answer.status == "true";
    const std::string state = mine_.at(step.target).state;
    // A hold that could be neither confirmed nor released had expired: it was reclaimed.
    if (step.kind == Kind::Confirm && state == "held")
      set_state(step.target, result ? "redeemed" : "released");
    if (step.kind == Kind::Release && (result || state == "held")) set_state(step.target, "released");
  }

  void add_mine(long long id, const Mine &mine) {
    if (!mine_.emplace(id, mine).second) {
      violations_.report(
          "answers", "id " + std::to_string(id),
          who() + ": redemption id " + std::to_string(id) + " was answered for two new redemptions");
      return;
    }
    pool(mine.state).add(id);
    if (!mine.key.empty()) keyed_.push_back(id);
  }

  void set_state(long long id, const std::string &state) {
    Mine &mine = mine_.at(id);
    pool(mine.state).remove(id);
    mine.state = state;
    pool(state).add(id);
    if (state == "released") roaming_live_.erase(id);
  }

  void forget(long long id) {
    auto found = mine_.find(id);
    if (found == mine_.end()) return;
    pool(found->second.state).remove(id);
    keyed_.erase(std::remove(keyed_.begin(), keyed_.end(), id), keyed_.end());
    roaming_live_.erase(id);
    mine_.erase(found);
    report_.unknown.insert(id);
  }

  IdPool &pool(const std::string &state) {
    return state == "held" ? held_ : state == "redeemed" ? redeemed_ : released_;
  }

  std::string describe(const Plan &plan) const {
    std::string text = isolation_name(plan.isolation);
    for (const Step &step : plan.steps) {
      text += std::string(", ") + kind_name(step.kind);
      if (is_redemption(step.kind)) text += " of " + run_.codes[step.code].code;
      if (step.target) text += " " + std::to_string(step.target);
    }
    return text;
  }

  const Run &run_;
  const int session_;
  SharedKeys &shared_keys_;
  Violations &violations_;
  Random random_;  // every choice of what to do
  Random jitter_;  // back-off only
  const std::string redeem_sql_, confirm_sql_, release_sql_, sweep_sql_, order_sql_;
  std::unique_ptr<pqxx::connection> connection_;
  long next_key_ = 0;
  std::map<long long, Mine> mine_;
  IdPool redeemed_, held_, released_;
  std::vector<long long> keyed_;      // redemptions made with a key, to replay
  std::set<long long> roaming_live_;  // live redemptions of roaming codes, to release next
  WorkerReport report_;
};

}  // namespace

WorkerReport run_worker(const Run &run, int session, SharedKeys &shared_keys, Violations &violations) {
  return Worker(run, session, shared_keys, violations).run();
}

}  // namespace promo_client::race
