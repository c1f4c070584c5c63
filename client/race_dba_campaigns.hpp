// The DBA's changes of the run's campaigns in promo-client race: every
// setting of a campaign (slots, max_uses, max_uses_per_customer, is_active,
// its window), and moves of a code into, out of or between campaigns. As
// for a code's changes (race_dba.cpp), every random choice is made before
// the change's transaction starts (a retry repeats it), and the DBA session
// runs it in a transaction it keeps open.
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "race_support.hpp"

namespace promo_client::race {

class CampaignChanges {
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
    CodeJoins,     // a code outside any campaign joins one
    CodeLeaves,    // a code leaves its campaign
    CodeSwitches,  // a code moves to the other campaign
  };
  static const char *kind_name(Kind kind);
  static bool is_move(Kind kind) {
    return kind == Kind::CodeJoins || kind == Kind::CodeLeaves || kind == Kind::CodeSwitches;
  }

  struct Change {
    Kind kind = Kind::SlotsOff;
    size_t campaign = 0;       // index into the run's campaigns: the one changed, or the one a code joins
    size_t code = 0;           // a move's code, index into the run's codes
    int number = 0;            // slots; the cap's step or offset from usage; the limit's margin
    int seconds = 0;           // a window bound's distance beyond the hour
    bool both_bounds = false;  // a window with both ends, or one
    int open_ms = 0;           // how long the transaction stays open after the change
    bool rollback = false;
  };

  CampaignChanges(const Run &run, Random &random);

  // A cap below the campaign's usage: the CHECK refuses it (23514); a move of
  // a code with live redemptions: the guard refuses it (55000).
  static bool refusal_expected(Kind kind, const std::string &sqlstate);

  // A change of a campaign's settings; a move of a code.
  Change choose();
  Change choose_move();

  // Whether the campaign (for a move, the code) could still take a use
  // before the change.
  bool uses_left(pqxx::work &transaction, const Change &change);

  // Runs the change's UPDATE; returns the row as it leaves it: the
  // campaign's, or for a move the code's.
  pqxx::row update(pqxx::work &transaction, const Change &change);

  // The change committed: the DBA's view follows the row it left.
  void committed(const Change &change, const pqxx::row &row);

 private:
  // The DBA's view of a campaign's settings, refreshed from the row it commits.
  struct Settings {
    int slots = 1;
    std::optional<int> max_uses, per_customer;
    bool active = true;
    bool open_window = true;  // neither before valid_from nor at or after valid_until
  };

  std::vector<size_t> campaigns_where(bool (*which)(const Settings &)) const;
  void choose_slots(const Settings &now, Change &change);
  void choose_cap(const Settings &now, Change &change);
  void choose_limit(const Settings &now, Change &change);

  pqxx::row set_limit(pqxx::work &transaction, long long id, const Change &change);
  pqxx::row move(pqxx::work &transaction, const Change &change);
  int usage(pqxx::work &transaction, long long id);
  template <typename... Values>
  pqxx::row set(pqxx::work &transaction, const std::string &assignments, long long id, Values... values);

  const Run &run_;
  Random &random_;
  std::vector<Settings> settings_;
  std::vector<std::optional<size_t>> campaign_of_;  // per code: its campaign, as the DBA's moves left it
};

}  // namespace promo_client::race
