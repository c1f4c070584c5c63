#include "race_dba.hpp"

#include <thread>

#include "race_dba_campaigns.hpp"
#include "race_dba_rules.hpp"

namespace promo_client::race {

namespace {

constexpr int kMaxRetries = 10;
// Of the DBA's changes: of a campaign's settings, and moves of a code
// between campaigns; the rest change a code's settings.
constexpr int kCampaignChangePercent = 25;
constexpr int kMovePercent = 20;

// The DBA's changes of the run's codes: every setting of a code. Every
// random choice is made before the change's transaction starts (a retry
// repeats it); the Dba below runs it in a transaction it keeps open.
class CodeChanges {
 public:
  enum class Kind {
    SlotsOn,
    SlotsChange,
    SlotsOff,
    CapUp,
    CapDown,
    CapRemove,
    CapSet,
    LimitSet,
    LimitRaise,
    LimitRemove,
    Deactivate,
    Activate,
    CloseFuture,
    ClosePast,
    OpenWindow,
  };

  static const char *kind_name(Kind kind) {
    switch (kind) {
      case Kind::SlotsOn: return "slots 1 -> N";
      case Kind::SlotsChange: return "slots N -> M";
      case Kind::SlotsOff: return "slots N -> 1";
      case Kind::CapUp: return "max_uses raised";
      case Kind::CapDown: return "max_uses lowered";
      case Kind::CapRemove: return "max_uses removed";
      case Kind::CapSet: return "max_uses set";
      case Kind::LimitSet: return "max_uses_per_customer set";
      case Kind::LimitRaise: return "max_uses_per_customer raised";
      case Kind::LimitRemove: return "max_uses_per_customer removed";
      case Kind::Deactivate: return "deactivated";
      case Kind::Activate: return "activated";
      case Kind::CloseFuture: return "window moved to the future";
      case Kind::ClosePast: return "window moved to the past";
      case Kind::OpenWindow: return "window opened";
    }
    return "?";
  }

  // One change, with every random choice made before its transaction starts.
  struct Change {
    Kind kind = Kind::SlotsOff;
    size_t code = 0;
    int number = 0;            // slots; the cap's step or offset from usage; the limit's margin
    int seconds = 0;           // a window bound's distance beyond the hour
    bool both_bounds = false;  // a window with both ends, or one
    int open_ms = 0;           // how long the transaction stays open after the change
    bool rollback = false;
  };

  CodeChanges(const Run &run, Random &random) : run_(run), random_(random) {
    for (const RaceCode &code : run.codes)
      settings_.push_back(Settings{code.slots, code.max_uses, code.max_uses_per_customer, true, true,
                                   code.max_uses.has_value()});
  }

  // A cap below usage: the database itself refuses it. A cap set on an
  // unlimited code aims at the usage read just before, which calls may pass
  // before the UPDATE (the read locks nothing).
  static bool refusal_expected(Kind kind, const std::string &sqlstate) {
    return sqlstate == "23514" && (kind == Kind::CapDown || kind == Kind::CapSet);
  }

  // --- choosing ---------------------------------------------------------------

  Change choose() {
    Change change;
    change.code = random_.below(settings_.size());
    change.open_ms = random_.between(10, 300);
    change.rollback = random_.chance(10);
    change.seconds = random_.between(0, 3600);
    change.both_bounds = random_.chance(50);
    // Closed codes are mostly opened again soon: most of the time most codes
    // take redemptions.
    const std::vector<size_t> closed = closed_codes();
    if (!closed.empty() && random_.chance(40)) {
      change.code = closed[random_.below(closed.size())];
      change.kind = settings_[change.code].active ? Kind::OpenWindow : Kind::Activate;
      return change;
    }
    const Settings &now = settings_[change.code];
    const int group = static_cast<int>(random_.below(100));
    if (group < 24)
      choose_slots(now, change);
    else if (group < 44)
      choose_cap(now, change);
    else if (group < 78)
      choose_limit(now, change);
    else if (group < 89)
      change.kind = now.active ? Kind::Deactivate : Kind::Activate;
    else
      change.kind = !now.open_window     ? Kind::OpenWindow
                    : random_.chance(50) ? Kind::CloseFuture
                                         : Kind::ClosePast;
    return change;
  }

  // --- running ----------------------------------------------------------------

  // Whether the code could still be redeemed before the change.
  bool uses_left(pqxx::work &transaction, const Change &change) {
    return transaction
        .exec_params(promo_sql(run_.schema, R"(
SELECT max_uses IS NULL OR uses < max_uses FROM @promo.promo_code_usage WHERE promo_id = $1)"),
                     run_.codes[change.code].id)[0][0]
        .as<bool>();
  }

  // Runs the change's UPDATE; returns the code row as it leaves it.
  pqxx::row update(pqxx::work &transaction, const Change &change) {
    const long long id = run_.codes[change.code].id;
    const char *const null = nullptr;
    switch (change.kind) {
      case Kind::SlotsOn:
      case Kind::SlotsChange: return set(transaction, "slots = $2", id, change.number);
      case Kind::SlotsOff: return set(transaction, "slots = 1", id);
      case Kind::CapUp: return set(transaction, "max_uses = max_uses + $2", id, change.number);
      case Kind::CapDown:
      case Kind::CapSet:
        return set(transaction, "max_uses = $2", id,
                   cap_target(usage(transaction, id), change.number, settings_[change.code].max_uses,
                              change.kind == Kind::CapDown));
      case Kind::CapRemove: return set(transaction, "max_uses = NULL", id);
      case Kind::LimitSet:
      case Kind::LimitRaise: return set_limit(transaction, id, change);
      case Kind::LimitRemove: return set(transaction, "max_uses_per_customer = NULL", id);
      case Kind::Deactivate: return set(transaction, "is_active = false", id);
      case Kind::Activate: return set(transaction, "is_active = true", id);
      case Kind::CloseFuture:
      case Kind::ClosePast:
      case Kind::OpenWindow: {
        const Window window = window_for(change.kind == Kind::CloseFuture ? WindowMove::ToFuture
                                         : change.kind == Kind::ClosePast ? WindowMove::ToPast
                                                                          : WindowMove::Open,
                                         change.seconds, change.both_bounds);
        const std::string from = window.from ? seconds_interval(*window.from) : "";
        const std::string until = window.until ? seconds_interval(*window.until) : "";
        return set(transaction, "valid_from = now() + $2::interval, valid_until = now() + $3::interval", id,
                   window.from ? from.c_str() : null, window.until ? until.c_str() : null);
      }
    }
    throw std::logic_error("unknown change");
  }

  // The change committed: the DBA's view follows the row it left.
  void committed(const Change &change, const pqxx::row &row) {
    settings_[change.code] = settings_from(row, settings_[change.code].created_capped);
  }

 private:
  // The DBA's view of a code's settings, refreshed from the row it commits.
  struct Settings {
    int slots = 1;
    std::optional<int> max_uses, per_customer;
    bool active = true;
    bool open_window = true;      // neither before valid_from nor at or after valid_until
    bool created_capped = false;  // a cap is mostly kept, an unlimited code mostly left so
  };

  std::vector<size_t> closed_codes() const {
    std::vector<size_t> closed;
    for (size_t i = 0; i < settings_.size(); ++i)
      if (!settings_[i].active || !settings_[i].open_window) closed.push_back(i);
    return closed;
  }

  void choose_slots(const Settings &now, Change &change) {
    change.number = random_.between(2, 8);
    if (now.slots == 1)
      change.kind = Kind::SlotsOn;
    else
      change.kind = random_.chance(60) || change.number == now.slots ? Kind::SlotsOff : Kind::SlotsChange;
  }

  void choose_cap(const Settings &now, Change &change) {
    const int roll = static_cast<int>(random_.below(100));
    if (!now.max_uses) {
      // An unlimited code mostly stays so; a cap removed is mostly put back.
      if (!now.created_capped && roll >= 25) return choose_slots(now, change);
      change.kind = Kind::CapSet;  // at usage or a little above it (23514 if calls pass it first)
      change.number = random_.between(0, 10);
      return;
    }
    if (roll < (now.created_capped ? 5 : 40)) {
      change.kind = Kind::CapRemove;
    } else if (roll < 55) {
      change.kind = Kind::CapUp;
      change.number = random_.between(1, 30);
    } else {
      // Below usage (refused, 23514), at usage (exhausted from now on) or just above.
      change.kind = Kind::CapDown;
      change.number = random_.between(-2, 2);
    }
  }

  void choose_limit(const Settings &now, Change &change) {
    const int roll = static_cast<int>(random_.below(100));
    // Mostly exactly the busiest customer's live uses, and mostly where there
    // was no limit or a higher one: a waiting redemption for that customer
    // must then be refused.
    change.number = random_.chance(85) ? 0 : random_.between(1, 2);
    if (!now.per_customer || roll < 25)
      change.kind = Kind::LimitSet;
    else if (roll < 40)
      change.kind = Kind::LimitRaise;
    else
      change.kind = Kind::LimitRemove;
  }

  // A limit no customer is above at this moment: counted after an UPDATE has
  // locked the row (and waited for the code's redemptions in flight), so no
  // redemption of the code commits between the count and the new limit.
  pqxx::row set_limit(pqxx::work &transaction, long long id, const Change &change) {
    const pqxx::row locked = set(transaction, "max_uses_per_customer = max_uses_per_customer", id);
    const int busiest = transaction
                            .exec_params(promo_sql(run_.schema, R"(
SELECT coalesce(max(n), 0)
  FROM (SELECT count(*) AS n FROM @promo.promo_redemptions
         WHERE promo_id = $1 AND customer_id IS NOT NULL AND state IN ('redeemed', 'held')
         GROUP BY customer_id) AS per_customer)"),
                                         id)[0][0]
                            .as<int>();
    return set(transaction, "max_uses_per_customer = $2", id,
               limit_target(busiest, change.number, optional_int(locked["max_uses_per_customer"]),
                            change.kind == Kind::LimitRaise));
  }

  int usage(pqxx::work &transaction, long long id) {
    return transaction
        .exec_params(promo_sql(run_.schema, "SELECT uses FROM @promo.promo_code_usage WHERE promo_id = $1"),
                     id)[0][0]
        .as<int>();
  }

  // Runs UPDATE promo_codes SET <assignments> for the code, with $2... the
  // values; returns its settings as it leaves them.
  template <typename... Values>
  pqxx::row set(pqxx::work &transaction, const std::string &assignments, long long id, Values... values) {
    return transaction.exec_params(promo_sql(run_.schema, "UPDATE @promo.promo_codes SET " + assignments + R"(
 WHERE id = $1
RETURNING slots, max_uses, max_uses_per_customer, is_active,
          (valid_from > now() OR valid_until <= now()) IS NOT TRUE AS open_window)"),
                                   id, values...)[0];
  }

  static Settings settings_from(const pqxx::row &row, bool created_capped) {
    return Settings{row["slots"].as<int>(),
                    optional_int(row["max_uses"]),
                    optional_int(row["max_uses_per_customer"]),
                    row["is_active"].as<bool>(),
                    row["open_window"].as<bool>(),
                    created_capped};
  }

  const Run &run_;
  Random &random_;
  std::vector<Settings> settings_;
};

class Dba {
 public:
  Dba(const Run &run, int session)
      : run_(run),
        random_(run.seed + static_cast<unsigned long long>(session)),
        codes_(run, random_),
        campaigns_(run, random_) {}

  DbaReport run() {
    try {
      connection_ = session_connection(run_);
      while (Clock::now() < run_.deadline) {
        // A random moment; between changes the workers get the codes to themselves.
        std::this_thread::sleep_for(std::chrono::milliseconds(random_.between(10, 120)));
        const int roll = static_cast<int>(random_.below(100));
        if (roll < kCampaignChangePercent)
          perform(campaigns_, campaigns_.choose(), report_.campaign_changes);
        else if (roll < kCampaignChangePercent + kMovePercent)
          perform(campaigns_, campaigns_.choose_move(), report_.code_moves);
        else
          perform(codes_, codes_.choose(), report_.changes);
      }
    } catch (const std::exception &error) {
      report_.errors.add("dba", "session lost", error.what());
    }
    return std::move(report_);
  }

 private:
  // Runs a change of a code (CodeChanges) or of a campaign (CampaignChanges),
  // retrying on 40001 and 40P01; a refusal the change may meet counts as an
  // outcome, any other error is unexpected.
  template <typename Changes>
  void perform(Changes &changes, const typename Changes::Change &change, Table &report) {
    Counts &outcome = report[Changes::kind_name(change.kind)];
    for (int retries = 0;; ++retries) {
      try {
        const Applied applied = apply(changes, change);
        ++outcome[applied.committed ? "applied" : "rolled back"];
        if (applied.committed && applied.uses_left) ++outcome["applied while uses remained"];
        outcome["calls waiting at the end"] += applied.waiting;
        return;
      } catch (const pqxx::broken_connection &error) {
        report_.errors.add("dba", "08000", error.what());
        connection_ = session_connection(run_);
        return;
      } catch (const pqxx::failure &error) {
        const std::string sqlstate = sqlstate_of(error);
        if (Changes::refusal_expected(change.kind, sqlstate)) {
          ++outcome["refused (" + sqlstate + ")"];
          return;
        }
        if (is_retryable(sqlstate) && retries < kMaxRetries) {
          ++report_.retries[sqlstate];
          continue;
        }
        report_.errors.add("dba", sqlstate,
                           std::string(Changes::kind_name(change.kind)) + ": " + error.what());
        return;
      }
    }
  }

  struct Applied {
    bool committed = false;
    bool uses_left = false;  // the code (or campaign) could still be redeemed before the change
    long waiting = 0;        // calls waiting for this transaction when it ended
  };

  // The change in one transaction.
  template <typename Changes>
  Applied apply(Changes &changes, const typename Changes::Change &change) {
    Applied applied;
    pqxx::work transaction(*connection_);
    applied.uses_left = changes.uses_left(transaction, change);
    const pqxx::row row = changes.update(transaction, change);
    record_closed(transaction);
    // Stay open with the row (and, for a hot code or a campaign, its guard)
    // held: calls for the code, or the campaign's codes, queue behind the change.
    std::this_thread::sleep_for(std::chrono::milliseconds(change.open_ms));
    applied.waiting = waiting_calls(transaction);
    if (change.rollback) {
      transaction.abort();
      return applied;
    }
    transaction.commit();
    applied.committed = true;
    changes.committed(change, row);
    return applied;
  }

  // Sessions waiting for this one, directly or behind another waiter.
  static long waiting_calls(pqxx::work &transaction) {
    return transaction
        .exec(
            "WITH RECURSIVE waiting (pid) AS ("
            "  SELECT pid FROM pg_catalog.pg_stat_activity"
            "   WHERE pg_catalog.pg_backend_pid() = ANY (pg_catalog.pg_blocking_pids(pid))"
            "  UNION"
            "  SELECT a.pid FROM pg_catalog.pg_stat_activity a, waiting w"
            "   WHERE w.pid = ANY (pg_catalog.pg_blocking_pids(a.pid)))"
            " SELECT count(*) FROM waiting")[0][0]
        .as<long>();
  }

  // In the transaction of every change: a code that is now closed, by its
  // own settings or its campaign's, gets its ledger row count recorded (the
  // first count stands while it stays closed); a code that is open again
  // loses its record. Every code of the run, since a change of a campaign
  // or a move closes or opens codes the change does not name.
  void record_closed(pqxx::work &transaction) {
    transaction.exec_params(promo_sql(run_.schema, R"(
WITH code AS (
  SELECT c.id, (NOT c.is_active OR c.valid_from > now() OR c.valid_until <= now()
                OR NOT g.is_active OR g.valid_from > now() OR g.valid_until <= now()) IS TRUE AS closed
    FROM @promo.promo_codes c LEFT JOIN @promo.promo_campaigns g ON g.id = c.campaign_id
   WHERE c.id = ANY ($1::bigint[])
), reopened AS (
  DELETE FROM promo_race.closed k USING code WHERE k.promo_id = code.id AND NOT code.closed
)
INSERT INTO promo_race.closed (promo_id, ledger_rows)
SELECT code.id, (SELECT count(*) FROM @promo.promo_redemptions r WHERE r.promo_id = code.id)
  FROM code WHERE code.closed
    ON CONFLICT (promo_id) DO NOTHING)"),
                            run_.code_ids);
  }

  const Run &run_;
  Random random_;  // every choice, of code changes and campaign changes alike
  CodeChanges codes_;
  CampaignChanges campaigns_;
  std::unique_ptr<pqxx::connection> connection_;
  DbaReport report_;
};

}  // namespace

DbaReport run_dba(const Run &run, int session) {
  return Dba(run, session).run();
}

}  // namespace promo_client::race
