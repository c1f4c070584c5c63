#include "campaign.hpp"

#include <stdexcept>
#include <unordered_map>

#include "campaign_slots.hpp"
#include "error_bridge.hpp"
#include "lock_scheme.hpp"
#include "order_terms.hpp"
#include "redemption_rules.hpp"

extern "C" {
#include "storage/proc.h"
}

namespace promo::campaign {

namespace {

// $1 promo_id, whose locks the caller holds.
const SqlStatement code_campaign_statement{"code_campaign", R"(
SELECT campaign_id FROM @extschema@.promo_codes WHERE id OPERATOR(pg_catalog.=) $1
)",
                                           {{"promo_id", INT8OID}}};

// $1 campaign_id, read holding the campaign's guard.
const SqlStatement read_statement{"campaign_read",
                                  R"(
SELECT id, current_uses, max_uses, max_uses_per_customer, slots,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired
  FROM @extschema@.promo_campaigns
 WHERE id OPERATOR(pg_catalog.=) $1
)",
                                  {{"campaign_id", INT8OID}}};

// campaign_read and campaign_read_for_snapshot on 1.6's tables, with the
// campaign's order rules.
const SqlStatement read_with_rules_statement{"campaign_read_with_rules",
                                             R"(
SELECT id, current_uses, max_uses, max_uses_per_customer, slots, )" PROMO_ORDER_RULES_COLUMNS R"(,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired
  FROM @extschema@.promo_campaigns
 WHERE id OPERATOR(pg_catalog.=) $1
)",
                                             {{"campaign_id", INT8OID}}};

const SqlStatement read_with_rules_for_snapshot_statement{"campaign_read_with_rules_for_snapshot",
                                                          R"(
SELECT id, current_uses, max_uses, max_uses_per_customer, slots, )" PROMO_ORDER_RULES_COLUMNS R"(,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired
  FROM @extschema@.promo_campaigns
 WHERE id OPERATOR(pg_catalog.=) $1
   FOR SHARE
)",
                                                          {{"campaign_id", INT8OID}}};

// The same under REPEATABLE READ and SERIALIZABLE, before the guard: FOR
// SHARE raises 40001 if a DBA changed the row since the snapshot (FOR KEY
// SHARE would not: on this table a change of other columns than the key
// lets it lock the old version), and waits for a change in progress.
const SqlStatement read_for_snapshot_statement{"campaign_read_for_snapshot",
                                               R"(
SELECT id, current_uses, max_uses, max_uses_per_customer, slots,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired
  FROM @extschema@.promo_campaigns
 WHERE id OPERATOR(pg_catalog.=) $1
   FOR SHARE
)",
                                               {{"campaign_id", INT8OID}}};

// $1 campaign_id, $2 customer_id, $3 a redemption not to count (NULL: none):
// the customer's live uses of all the campaign's codes (a code changes
// campaign only without live uses).
const SqlStatement customer_live_uses_statement{"campaign_customer_live_uses",
                                                R"(
SELECT pg_catalog.count(*)::integer AS live_uses
  FROM @extschema@.promo_redemptions r
  JOIN @extschema@.promo_codes c ON c.id OPERATOR(pg_catalog.=) r.promo_id
 WHERE r.customer_id OPERATOR(pg_catalog.=) $2
   AND c.campaign_id OPERATOR(pg_catalog.=) $1
   AND r.state OPERATOR(pg_catalog.<>) 'released'
   AND ($3 IS NULL OR r.id OPERATOR(pg_catalog.<>) $3)
)",
                                                {{"campaign_id", INT8OID},
                                                 {"customer_id", TEXTOID},
                                                 {"not_counting", INT8OID}}};

// $1 campaign_id, $2 the code to leave out, $3 customer_id (NULL: anyone's).
// Every hold is in the partial index promo_redemptions_open_holds, and few
// are open at a time, so the holds are read first.
const SqlStatement codes_with_expired_holds_statement{"campaign_codes_with_expired_holds",
                                                      R"(
SELECT DISTINCT c.id AS promo_id, c.slots
  FROM @extschema@.promo_redemptions r
  JOIN @extschema@.promo_codes c ON c.id OPERATOR(pg_catalog.=) r.promo_id
 WHERE r.state OPERATOR(pg_catalog.=) 'held'
   AND r.hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()
   AND c.campaign_id OPERATOR(pg_catalog.=) $1
   AND c.id OPERATOR(pg_catalog.<>) $2
   AND ($3 IS NULL OR r.customer_id OPERATOR(pg_catalog.=) $3)
 ORDER BY c.id
 LIMIT 100
)",
                                                      {{"campaign_id", INT8OID},
                                                       {"except", INT8OID},
                                                       {"customer_id", TEXTOID}}};

// $1 campaign_id, $2 slot (locked by the caller), $3 the number of slots the
// caller expects, $4 whether the call names a customer. The campaign's row
// read and a use taken from the slot in one statement, only if the campaign
// has that many slots and every rule of it allows the use without counting
// a customer; no row otherwise (the caller decides by the general path).
// The share is share_of's, from the row as it is now.
const SqlStatement quick_take_statement{"campaign_quick_take",
                                        R"(
WITH g AS (
  SELECT CASE WHEN max_uses IS NULL THEN NULL
              ELSE (GREATEST(max_uses OPERATOR(pg_catalog.-) current_uses, 0) OPERATOR(pg_catalog./) slots)
                   OPERATOR(pg_catalog.+)
                   ($2 OPERATOR(pg_catalog.<)
                    (GREATEST(max_uses OPERATOR(pg_catalog.-) current_uses, 0) OPERATOR(pg_catalog.%) slots))::integer
         END AS share
    FROM @extschema@.promo_campaigns
   WHERE id OPERATOR(pg_catalog.=) $1
     AND slots OPERATOR(pg_catalog.=) $3
     AND is_active
     AND (valid_from IS NULL OR valid_from OPERATOR(pg_catalog.<=) pg_catalog.now())
     AND (valid_until IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.<) valid_until)
     AND (NOT $4 OR max_uses_per_customer IS NULL)
), taken AS (
  UPDATE @extschema@.promo_campaign_slots s
     SET uses = s.uses OPERATOR(pg_catalog.+) 1,
         remaining = CASE WHEN g.share IS NOT NULL THEN s.remaining OPERATOR(pg_catalog.-) 1 END
    FROM g
   WHERE s.campaign_id OPERATOR(pg_catalog.=) $1 AND s.slot OPERATOR(pg_catalog.=) $2
     AND (g.share IS NULL OR s.remaining OPERATOR(pg_catalog.>) 0)
  RETURNING s.slot
), created AS (
  INSERT INTO @extschema@.promo_campaign_slots (campaign_id, slot, uses, remaining)
  SELECT $1, $2, 1, g.share OPERATOR(pg_catalog.-) 1
    FROM g
   WHERE (g.share IS NULL OR g.share OPERATOR(pg_catalog.>) 0)
     AND NOT EXISTS (SELECT FROM @extschema@.promo_campaign_slots
                      WHERE campaign_id OPERATOR(pg_catalog.=) $1 AND slot OPERATOR(pg_catalog.=) $2)
  RETURNING slot
)
SELECT slot FROM taken UNION ALL SELECT slot FROM created
)",
                                        {{"campaign_id", INT8OID},
                                         {"slot", INT4OID},
                                         {"slots", INT4OID},
                                         {"with_customer", BOOLOID}}};

// The same on 1.6's tables, where the campaign's order rules must allow
// the call's order too ($5 order_amount, $6 currency; NULL: none).
const SqlStatement quick_take_with_order_statement{"campaign_quick_take_with_order",
                                        R"(
WITH g AS (
  SELECT CASE WHEN max_uses IS NULL THEN NULL
              ELSE (GREATEST(max_uses OPERATOR(pg_catalog.-) current_uses, 0) OPERATOR(pg_catalog./) slots)
                   OPERATOR(pg_catalog.+)
                   ($2 OPERATOR(pg_catalog.<)
                    (GREATEST(max_uses OPERATOR(pg_catalog.-) current_uses, 0) OPERATOR(pg_catalog.%) slots))::integer
         END AS share
    FROM @extschema@.promo_campaigns
   WHERE id OPERATOR(pg_catalog.=) $1
     AND slots OPERATOR(pg_catalog.=) $3
     AND is_active
     AND (valid_from IS NULL OR valid_from OPERATOR(pg_catalog.<=) pg_catalog.now())
     AND (valid_until IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.<) valid_until)
     AND (NOT $4 OR max_uses_per_customer IS NULL)
     AND (NOT requires_customer OR $4)
     AND (currency IS NULL OR $6 IS NULL OR currency OPERATOR(pg_catalog.=) $6)
     AND (min_amount IS NULL OR min_amount OPERATOR(pg_catalog.<=) $5)
), taken AS (
  UPDATE @extschema@.promo_campaign_slots s
     SET uses = s.uses OPERATOR(pg_catalog.+) 1,
         remaining = CASE WHEN g.share IS NOT NULL THEN s.remaining OPERATOR(pg_catalog.-) 1 END
    FROM g
   WHERE s.campaign_id OPERATOR(pg_catalog.=) $1 AND s.slot OPERATOR(pg_catalog.=) $2
     AND (g.share IS NULL OR s.remaining OPERATOR(pg_catalog.>) 0)
  RETURNING s.slot
), created AS (
  INSERT INTO @extschema@.promo_campaign_slots (campaign_id, slot, uses, remaining)
  SELECT $1, $2, 1, g.share OPERATOR(pg_catalog.-) 1
    FROM g
   WHERE (g.share IS NULL OR g.share OPERATOR(pg_catalog.>) 0)
     AND NOT EXISTS (SELECT FROM @extschema@.promo_campaign_slots
                      WHERE campaign_id OPERATOR(pg_catalog.=) $1 AND slot OPERATOR(pg_catalog.=) $2)
  RETURNING slot
)
SELECT slot FROM taken UNION ALL SELECT slot FROM created
)",
                                        {{"campaign_id", INT8OID},
                                         {"slot", INT4OID},
                                         {"slots", INT4OID},
                                         {"with_customer", BOOLOID},
                                         {"order_amount", INT8OID},
                                         {"order_currency", TEXTOID}}};

// The number of slots this backend last read for each campaign: where
// quick_take looks first (a hint; the statement checks it).
std::unordered_map<int64_t, int32_t> slots_seen;

// The campaign customer locks taken in this backend's current transaction
// (others' are forgotten when a new one starts): a caller waiting for one
// may hold another code's queue lock, as a waiter for a slot may.
LocalTransactionId customer_locks_transaction = InvalidLocalTransactionId;
std::vector<locks::LockId> customer_locks_taken;

LocalTransactionId current_local_transaction() {
#if PG_VERSION_NUM >= 170000
  return MyProc->vxid.lxid;
#else
  return MyProc->lxid;
#endif
}

void remember_customer_lock(const locks::LockId &lock) {
  if (customer_locks_transaction != current_local_transaction()) {
    customer_locks_transaction = current_local_transaction();
    customer_locks_taken.clear();
  }
  customer_locks_taken.push_back(lock);
}

// Whether another transaction waits for a customer lock of the campaign
// that this one holds (a savepoint rolled back may have released it).
bool customer_lock_waited_for(int64_t campaign_id) {
  if (customer_locks_transaction != current_local_transaction()) return false;
  for (const locks::LockId &lock : customer_locks_taken)
    if (lock.promo_id == campaign_id && locks::held_by_me(lock, locks::Mode::Exclusive) &&
        locks::waited_for(lock, locks::Mode::Exclusive))
      return true;
  return false;
}

}  // namespace

bool quick_take(SpiSession &spi, int64_t campaign_id, const RedemptionRequest &request) {
  const bool with_customer = request.customer.has_value();
  if (IsolationUsesXactSnapshot()) return false;
  const auto seen = slots_seen.find(campaign_id);
  if (seen == slots_seen.end()) return false;
  const int32_t slots = seen->second;
  locks::acquire({locks::Lock::CampaignGuard, campaign_id}, locks::Mode::Share);
  for (int32_t step = 0; step < slots; ++step) {
    const auto slot = static_cast<uint32_t>((MyProcPid + step) % slots);
    const locks::LockId lock{locks::Lock::CampaignSlot, campaign_id, slot};
    const locks::Held held = locks::try_acquire(lock, locks::Mode::Exclusive);
    if (held == locks::Held::No) continue;
    std::vector<Argument> arguments = {bigint_arg("campaign_id", campaign_id),
                                       integer_arg("slot", static_cast<int32_t>(slot)), integer_arg("slots", slots),
                                       Argument{"with_customer", BOOLOID, BoolGetDatum(with_customer), false}};
    if (request.orders) {
      const std::vector<Argument> order = order_ledger_arguments(request.order, std::nullopt);
      arguments.insert(arguments.end(), order.begin(), order.begin() + 2);  // order_amount, order_currency
    }
    Rows rows = spi.execute(request.orders ? quick_take_with_order_statement : quick_take_statement, arguments);
    if (!rows.empty()) return true;
    if (held == locks::Held::Newly) locks::release(lock, locks::Mode::Exclusive);
    return false;
  }
  return false;
}

std::optional<int64_t> of_code(SpiSession &spi, int64_t promo_id) {
  Rows rows = spi.execute(code_campaign_statement, {bigint_arg("promo_id", promo_id)});
  if (rows.empty()) return std::nullopt;
  return rows[0].int8("campaign_id");
}

Campaign::Campaign(SpiSession &spi, int64_t campaign_id, bool orders) : spi_(spi), id_(campaign_id) {
  const bool snapshot = IsolationUsesXactSnapshot();
  std::optional<Rows> read;
  if (snapshot)
    read = spi.execute(orders ? read_with_rules_for_snapshot_statement : read_for_snapshot_statement,
                       {bigint_arg("campaign_id", campaign_id)});
  locks::acquire({locks::Lock::CampaignGuard, campaign_id}, locks::Mode::Share);
  if (!snapshot)
    read = spi.execute(orders ? read_with_rules_statement : read_statement, {bigint_arg("campaign_id", campaign_id)});
  // The guard trigger keeps a campaign with codes; a code inserted with the
  // id of none is refused rather than redeemed without a cap.
  if (read->empty())
    throw SqlError(ERRCODE_FOREIGN_KEY_VIOLATION, "campaign " + std::to_string(campaign_id) + " does not exist",
                   "A code's campaign_id must name a row of promo_campaigns; create codes with create_promo.");
  const ResultRow row = (*read)[0];
  refusal_ = read_row_refusal(row);
  if (orders) rules_ = read_order_rules(row);
  max_uses_per_customer_ = row.int4("max_uses_per_customer");
  const std::optional<int32_t> left =
      SlottedCounter::left_when_spread(row.int4("max_uses"), row.int4("current_uses").value());
  counter_.emplace(spi, campaign_slots, campaign_id, row.int4("slots").value(), left);
  slots_seen[campaign_id] = row.int4("slots").value();
}

std::optional<Status> Campaign::order_refusal(const RedemptionRequest &request) const {
  if (!rules_) return std::nullopt;
  return promo::order_refusal(*rules_, request.customer.has_value(), request.order);
}

void Campaign::lock_for_snapshot() {
  if (snapshot_locked_ || !IsolationUsesXactSnapshot()) return;
  snapshot_locked_ = true;
  counter_->lock_every_slot_for_snapshot();
}

bool Campaign::customer_may_use(const std::optional<TextArgument> &customer,
                                const std::function<int32_t()> &reclaim, std::optional<int64_t> not_counting) {
  if (!customer || !max_uses_per_customer_) return true;
  const locks::LockId customer_lock{locks::Lock::CampaignCustomer, id_,
                                    locks::text_hash(customer->text.data(), customer->text.size())};
  if (locks::acquire(customer_lock, locks::Mode::Exclusive) == locks::Held::Newly) remember_customer_lock(customer_lock);
  lock_for_snapshot();  // after the customer's lock, in the order of lock_scheme.hpp
  auto live_uses = [&] {
    return spi_
        .execute(customer_live_uses_statement,
                 {bigint_arg("campaign_id", id_), text_arg("customer_id", customer->datum),
                  not_counting ? bigint_arg("not_counting", *not_counting)
                               : Argument{"not_counting", INT8OID, Datum(0), true}})[0]
        .int4("live_uses")
        .value();
  };
  if (live_uses() < *max_uses_per_customer_) return true;
  return reclaim() > 0 && live_uses() < *max_uses_per_customer_;
}

std::optional<int32_t> Campaign::take(const std::function<int32_t(int32_t)> &reclaim) {
  lock_for_snapshot();
  std::optional<SlottedCounter::Taken> taken = counter_->take(reclaim);
  if (!taken) return std::nullopt;
  return taken->slot;
}

void Campaign::give_back_through(int32_t slot, int32_t uses) {
  lock_for_snapshot();
  counter_->give_back(slot, uses);
}

void Campaign::give_back(int32_t uses) {
  lock_for_snapshot();
  counter_->give_back(counter_->slot_for_giving_back(), uses);
}

bool holds_a_lock_waited_for(int64_t campaign_id) {
  if (customer_lock_waited_for(campaign_id)) return true;
  constexpr uint32_t most_slots = 256;  // promo_campaigns_slots_range
  for (uint32_t slot = 0; slot < most_slots; ++slot) {
    const locks::LockId lock{locks::Lock::CampaignSlot, campaign_id, slot};
    if (locks::held_by_me(lock, locks::Mode::Exclusive) && locks::waited_for(lock, locks::Mode::Exclusive))
      return true;
  }
  return false;
}

void Owed::add(std::optional<int64_t> campaign_id, int32_t uses) {
  if (campaign_id && uses > 0) uses_[*campaign_id] += uses;
}

void Owed::settle(SpiSession &spi) {
  for (const auto &[campaign_id, uses] : uses_) Campaign(spi, campaign_id).give_back(uses);
  uses_.clear();
}

std::vector<CodeWithHolds> codes_with_expired_holds(SpiSession &spi, int64_t campaign_id, int64_t except,
                                                    const std::optional<TextArgument> &customer) {
  std::optional<Datum> customer_datum;
  if (customer) customer_datum = customer->datum;
  Rows rows = spi.execute(codes_with_expired_holds_statement,
                          {bigint_arg("campaign_id", campaign_id), bigint_arg("except", except),
                           text_arg("customer_id", customer_datum)});
  std::vector<CodeWithHolds> codes;
  for (uint64_t i = 0; i < rows.size(); ++i)
    codes.push_back({rows[i].int8("promo_id").value(), rows[i].int4("slots").value() > 1});
  return codes;
}

}  // namespace promo::campaign
