#include "race_dba_campaigns.hpp"

#include <stdexcept>

#include "race_dba_rules.hpp"

namespace promo_client::race {

namespace {

constexpr int kMaxCampaignSlots = 64;

}  // namespace

const char *CampaignChanges::kind_name(Kind kind) {
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
    case Kind::CodeJoins: return "a code joins a campaign";
    case Kind::CodeLeaves: return "a code leaves its campaign";
    case Kind::CodeSwitches: return "a code moves to the other campaign";
  }
  return "?";
}

CampaignChanges::CampaignChanges(const Run &run, Random &random) : run_(run), random_(random) {
  for (const RaceCampaign &campaign : run.campaigns)
    settings_.push_back(
        Settings{campaign.slots, campaign.max_uses, campaign.max_uses_per_customer, true, true});
  for (const RaceCode &code : run.codes) campaign_of_.push_back(code.campaign);
}

bool CampaignChanges::refusal_expected(Kind kind, const std::string &sqlstate) {
  if (is_move(kind)) return sqlstate == "55000";
  // A cap set on an unlimited campaign aims at the usage read just before,
  // which calls may pass before the UPDATE (the read locks nothing).
  return sqlstate == "23514" && (kind == Kind::CapDown || kind == Kind::CapSet);
}

// --- choosing ---------------------------------------------------------------

CampaignChanges::Change CampaignChanges::choose() {
  Change change;
  change.campaign = random_.below(settings_.size());
  // Every call for any of its codes queues behind a campaign's change: it
  // stays open for less time than a code's, or the run is mostly waiting.
  change.open_ms = random_.between(10, 120);
  change.rollback = random_.chance(10);
  change.seconds = random_.between(0, 3600);
  change.both_bounds = random_.chance(50);
  // A closed campaign closes all its codes: it is mostly opened again soon.
  // A campaign without a cap proves nothing of it: it is mostly capped again soon.
  const std::vector<size_t> closed =
      campaigns_where([](const Settings &s) { return !s.active || !s.open_window; });
  if (!closed.empty() && random_.chance(60)) {
    change.campaign = closed[random_.below(closed.size())];
    change.kind = settings_[change.campaign].active ? Kind::OpenWindow : Kind::Activate;
    return change;
  }
  const std::vector<size_t> uncapped = campaigns_where([](const Settings &s) { return !s.max_uses; });
  if (!uncapped.empty() && random_.chance(40)) {
    change.campaign = uncapped[random_.below(uncapped.size())];
    choose_cap(settings_[change.campaign], change);
    return change;
  }
  const Settings &now = settings_[change.campaign];
  const int group = static_cast<int>(random_.below(100));
  if (group < 20)
    choose_slots(now, change);
  else if (group < 44)
    choose_cap(now, change);
  else if (group < 73)
    choose_limit(now, change);
  else if (group < 87)
    change.kind = now.active ? Kind::Deactivate : Kind::Activate;
  else
    change.kind = !now.open_window     ? Kind::OpenWindow
                  : random_.chance(50) ? Kind::CloseFuture
                                       : Kind::ClosePast;
  return change;
}

std::vector<size_t> CampaignChanges::campaigns_where(bool (*which)(const Settings &)) const {
  std::vector<size_t> found;
  for (size_t i = 0; i < settings_.size(); ++i)
    if (which(settings_[i])) found.push_back(i);
  return found;
}

void CampaignChanges::choose_slots(const Settings &now, Change &change) {
  change.number = random_.between(2, kMaxCampaignSlots);
  if (now.slots == 1)
    change.kind = Kind::SlotsOn;
  else
    change.kind = random_.chance(40) || change.number == now.slots ? Kind::SlotsOff : Kind::SlotsChange;
}

// The run's campaigns are created capped: a cap is mostly kept, and put back
// soon when it was removed.
void CampaignChanges::choose_cap(const Settings &now, Change &change) {
  const int roll = static_cast<int>(random_.below(100));
  if (!now.max_uses) {
    change.kind = Kind::CapSet;  // at usage or a little above it (23514 if calls pass it first)
    change.number = random_.between(0, 10);
  } else if (roll < 5) {
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

// Mostly exactly the busiest customer's live uses across the campaign's
// codes, and mostly where there was no limit or a higher one: a waiting
// redemption for that customer must then be refused by the campaign.
void CampaignChanges::choose_limit(const Settings &now, Change &change) {
  const int roll = static_cast<int>(random_.below(100));
  change.number = random_.chance(85) ? 0 : random_.between(1, 2);
  if (!now.per_customer || roll < 50)
    change.kind = Kind::LimitSet;
  else if (roll < 75)
    change.kind = Kind::LimitRaise;
  else
    change.kind = Kind::LimitRemove;
}

// Mostly a roaming code, which often has no live redemption: it joins,
// leaves or switches campaigns. Sometimes another code of a campaign, which
// mostly has live redemptions (refused, 55000): it may only switch, so that
// the codes created outside any campaign stay outside and the others in one.
CampaignChanges::Change CampaignChanges::choose_move() {
  Change change;
  change.open_ms = random_.between(10, 300);  // as a code's change: it holds one code
  change.rollback = random_.chance(10);
  std::vector<size_t> roaming, others;
  for (size_t i = 0; i < run_.codes.size(); ++i)
    if (run_.codes[i].roaming)
      roaming.push_back(i);
    else if (campaign_of_[i])
      others.push_back(i);
  if (roaming.empty() && others.empty()) throw std::logic_error("race: no code to move");
  const bool pick_roaming = !roaming.empty() && (others.empty() || random_.chance(75));
  change.code = pick_roaming ? roaming[random_.below(roaming.size())] : others[random_.below(others.size())];
  const std::optional<size_t> now = campaign_of_[change.code];
  const size_t campaigns = settings_.size();
  if (!now) {
    change.kind = Kind::CodeJoins;
    change.campaign = random_.below(campaigns);
  } else if (campaigns < 2 || (pick_roaming && random_.chance(50))) {
    change.kind = Kind::CodeLeaves;
    change.campaign = *now;
  } else {
    change.kind = Kind::CodeSwitches;
    change.campaign = (*now + 1 + random_.below(campaigns - 1)) % campaigns;
  }
  return change;
}

// --- running ----------------------------------------------------------------

bool CampaignChanges::uses_left(pqxx::work &transaction, const Change &change) {
  if (is_move(change.kind))
    return transaction
        .exec_params(promo_sql(run_.schema, R"(
SELECT max_uses IS NULL OR uses < max_uses FROM @promo.promo_code_usage WHERE promo_id = $1)"),
                     run_.codes[change.code].id)[0][0]
        .as<bool>();
  return transaction
      .exec_params(promo_sql(run_.schema, R"(
SELECT max_uses IS NULL OR uses < max_uses FROM @promo.promo_campaign_usage WHERE campaign_id = $1)"),
                   run_.campaigns[change.campaign].id)[0][0]
      .as<bool>();
}

pqxx::row CampaignChanges::update(pqxx::work &transaction, const Change &change) {
  const long long id = run_.campaigns[change.campaign].id;
  const char *const null = nullptr;
  switch (change.kind) {
    case Kind::SlotsOn:
    case Kind::SlotsChange: return set(transaction, "slots = $2", id, change.number);
    case Kind::SlotsOff: return set(transaction, "slots = 1", id);
    case Kind::CapUp: return set(transaction, "max_uses = max_uses + $2", id, change.number);
    case Kind::CapDown:
    case Kind::CapSet:
      return set(transaction, "max_uses = $2", id,
                 cap_target(usage(transaction, id), change.number, settings_[change.campaign].max_uses,
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
    case Kind::CodeJoins:
    case Kind::CodeLeaves:
    case Kind::CodeSwitches: return move(transaction, change);
  }
  throw std::logic_error("unknown change");
}

void CampaignChanges::committed(const Change &change, const pqxx::row &row) {
  if (is_move(change.kind)) {
    campaign_of_[change.code].reset();
    if (row["campaign_id"].is_null()) return;
    for (size_t i = 0; i < run_.campaigns.size(); ++i)
      if (run_.campaigns[i].id == row["campaign_id"].as<long long>()) campaign_of_[change.code] = i;
    return;
  }
  settings_[change.campaign] = Settings{row["slots"].as<int>(), optional_int(row["max_uses"]),
                                        optional_int(row["max_uses_per_customer"]),
                                        row["is_active"].as<bool>(), row["open_window"].as<bool>()};
}

// A limit no customer is above at this moment across the campaign's codes:
// counted after an UPDATE has locked the campaign row (and waited for the
// redemptions of its codes in flight), so no redemption of them commits
// between the count and the new limit. (Only this session moves codes.)
pqxx::row CampaignChanges::set_limit(pqxx::work &transaction, long long id, const Change &change) {
  const pqxx::row locked = set(transaction, "max_uses_per_customer = max_uses_per_customer", id);
  const int busiest = transaction
                          .exec_params(promo_sql(run_.schema, R"(
SELECT coalesce(max(n), 0)
  FROM (SELECT count(*) AS n
          FROM @promo.promo_codes c JOIN @promo.promo_redemptions r ON r.promo_id = c.id
         WHERE c.campaign_id = $1 AND r.customer_id IS NOT NULL AND r.state IN ('redeemed', 'held')
         GROUP BY r.customer_id) AS per_customer)"),
                                       id)[0][0]
                          .as<int>();
  return set(transaction, "max_uses_per_customer = $2", id,
             limit_target(busiest, change.number, optional_int(locked["max_uses_per_customer"]),
                          change.kind == Kind::LimitRaise));
}

// The code's campaign_id: the guard refuses it (55000) while the code has
// live redemptions, having waited for those in flight.
pqxx::row CampaignChanges::move(pqxx::work &transaction, const Change &change) {
  const std::string campaign = std::to_string(run_.campaigns[change.campaign].id);
  return transaction.exec_params(promo_sql(run_.schema, R"(
UPDATE @promo.promo_codes SET campaign_id = $2::bigint WHERE id = $1 RETURNING campaign_id)"),
                                 run_.codes[change.code].id,
                                 change.kind == Kind::CodeLeaves ? nullptr : campaign.c_str())[0];
}

int CampaignChanges::usage(pqxx::work &transaction, long long id) {
  return transaction
      .exec_params(
          promo_sql(run_.schema, "SELECT uses FROM @promo.promo_campaign_usage WHERE campaign_id = $1"),
          id)[0][0]
      .as<int>();
}

// Runs UPDATE promo_campaigns SET <assignments> for the campaign, with $2...
// the values; returns its settings as it leaves them.
template <typename... Values>
pqxx::row CampaignChanges::set(pqxx::work &transaction, const std::string &assignments, long long id,
                               Values... values) {
  return transaction.exec_params(
      promo_sql(run_.schema, "UPDATE @promo.promo_campaigns SET " + assignments + R"(
 WHERE id = $1
RETURNING slots, max_uses, max_uses_per_customer, is_active,
          (valid_from > now() OR valid_until <= now()) IS NOT TRUE AS open_window)"),
      id, values...)[0];
}

}  // namespace promo_client::race
