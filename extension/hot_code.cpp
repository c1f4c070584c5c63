#include "hot_code.hpp"

#include <cstdint>
#include <vector>

#include "error_bridge.hpp"

#include "campaign.hpp"
#include "lock_scheme.hpp"
#include "redemption_rules.hpp"
#include "slotted_counter.hpp"

namespace promo::hot {

namespace {

// $1 promo_id, $2 code_key (NULL: any). Read holding the code's guard, which
// every change of a hot code's row waits for; `exhausted` is the slots' to
// say, not the row's.
const SqlStatement read_statement{"hot_read",
                                  R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, slots,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       false AS exhausted
  FROM @extschema@.promo_codes
 WHERE id OPERATOR(pg_catalog.=) $1
   AND ($2 IS NULL OR code_key OPERATOR(pg_catalog.=) $2)
)",
                                  {{"promo_id", INT8OID}, {"code_key", TEXTOID}}};

// The same under REPEATABLE READ and SERIALIZABLE: FOR KEY SHARE raises
// 40001 if a DBA changed the row since the snapshot (and waits for no one:
// a change in progress waits for this transaction's guard instead).
const SqlStatement read_for_snapshot_statement{"hot_read_for_snapshot",
                                               R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, slots,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       false AS exhausted
  FROM @extschema@.promo_codes
 WHERE id OPERATOR(pg_catalog.=) $1
   AND ($2 IS NULL OR code_key OPERATOR(pg_catalog.=) $2)
   FOR KEY SHARE
)",
                                               {{"promo_id", INT8OID}, {"code_key", TEXTOID}}};

// hot_read and hot_read_for_snapshot on 1.6's tables, with the code's order
// terms, which a DBA's change waits for the guard to change.
const SqlStatement read_with_terms_statement{"hot_read_with_terms",
                                             R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, slots,
       )" PROMO_ORDER_TERMS_COLUMNS R"(,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       false AS exhausted
  FROM @extschema@.promo_codes
 WHERE id OPERATOR(pg_catalog.=) $1
   AND ($2 IS NULL OR code_key OPERATOR(pg_catalog.=) $2)
)",
                                             {{"promo_id", INT8OID}, {"code_key", TEXTOID}}};

const SqlStatement read_with_terms_for_snapshot_statement{"hot_read_with_terms_for_snapshot",
                                                          R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, slots,
       )" PROMO_ORDER_TERMS_COLUMNS R"(,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       false AS exhausted
  FROM @extschema@.promo_codes
 WHERE id OPERATOR(pg_catalog.=) $1
   AND ($2 IS NULL OR code_key OPERATOR(pg_catalog.=) $2)
   FOR KEY SHARE
)",
                                                          {{"promo_id", INT8OID}, {"code_key", TEXTOID}}};

// $1 promo_id, $2 customer_id, $3 idempotency_key, $4 hold_expires_at,
// $5 slot: the ledger row of a use taken from a slot.
const SqlStatement insert_ledger_statement{"hot_insert_ledger",
                                           R"(
INSERT INTO @extschema@.promo_redemptions
       (promo_id, customer_id, idempotency_key, state, hold_expires_at, slot)
VALUES ($1, $2, $3, CASE WHEN $4 IS NULL THEN 'redeemed' ELSE 'held' END, $4, $5)
RETURNING id AS redemption_id, state, hold_expires_at
)",
                                           {{"promo_id", INT8OID},
                                            {"customer_id", TEXTOID},
                                            {"idempotency_key", TEXTOID},
                                            {"hold_expires_at", TIMESTAMPTZOID},
                                            {"slot", INT4OID}}};

// The same on 1.6's ledger, with the order ($6 order_amount, $7 currency)
// and the discount granted ($8).
const SqlStatement insert_order_ledger_statement{"hot_insert_order_ledger",
                                                 R"(
INSERT INTO @extschema@.promo_redemptions
       (promo_id, customer_id, idempotency_key, state, hold_expires_at, slot, order_amount, currency, discount)
VALUES ($1, $2, $3, CASE WHEN $4 IS NULL THEN 'redeemed' ELSE 'held' END, $4, $5, $6, $7, $8)
RETURNING id AS redemption_id, state, hold_expires_at, discount, currency
)",
                                                 {{"promo_id", INT8OID},
                                                  {"customer_id", TEXTOID},
                                                  {"idempotency_key", TEXTOID},
                                                  {"hold_expires_at", TIMESTAMPTZOID},
                                                  {"slot", INT4OID},
                                                  {"order_amount", INT8OID},
                                                  {"order_currency", TEXTOID},
                                                  {"discount", INT8OID}}};

// A hot code opened for a call: its guard shared, its row read under it.
struct HotCode {
  CodeState code;
  SlottedCounter counter;
};

enum class Opened { Gone, OneSlot, Hot };

// Shares the code's guard and reads its row. A code that is gone or has one
// slot gives the guard back (it was taken by this call: a change of the row
// could not have committed while this transaction held it).
// Under REPEATABLE READ and SERIALIZABLE the row is locked (FOR KEY SHARE)
// before the guard, the order a DBA's change takes them in (row, then guard),
// and the caller locks every slot once it holds the key's and customer's
// locks (snapshot_locks), keeping the order of lock_scheme.hpp.
// On 1.6's tables (`orders`) the row's order terms are read with it.
Opened open(SpiSession &spi, int64_t promo_id, std::optional<Datum> code_key, bool campaigns,
            std::optional<HotCode> &hot, bool orders = false) {
  const bool snapshot = IsolationUsesXactSnapshot();
  const std::initializer_list<Argument> arguments = {bigint_arg("promo_id", promo_id),
                                                     text_arg("code_key", code_key)};
  std::optional<Rows> read;
  if (snapshot)
    read = spi.execute(orders ? read_with_terms_for_snapshot_statement : read_for_snapshot_statement, arguments);
  const locks::LockId guard{locks::Lock::CodeGuard, promo_id};
  const locks::Held held = locks::acquire(guard, locks::Mode::Share);
  if (!snapshot) read = spi.execute(orders ? read_with_terms_statement : read_statement, arguments);
  const Rows &rows = *read;
  const Opened opened = rows.empty()                        ? Opened::Gone
                        : rows[0].int4("slots").value() > 1 ? Opened::Hot
                                                            : Opened::OneSlot;
  if (opened != Opened::Hot) {
    if (held == locks::Held::Newly) locks::release(guard, locks::Mode::Share);
    return opened;
  }
  CodeState code = read_code_state(rows[0]);
  if (orders) code.terms = read_order_terms(rows[0]);
  if (campaigns) code.campaign_id = campaign::of_code(spi, promo_id);  // the guard keeps it
  const std::optional<int32_t> left =
      SlottedCounter::left_when_spread(code.row.max_uses, code.row.current_uses);
  hot.emplace(HotCode{code, SlottedCounter(spi, code_slots, promo_id, code.slots, left)});
  return Opened::Hot;
}

// REPEATABLE READ and SERIALIZABLE: every slot locked, as a one-slot code's
// row is, so that a change since the snapshot raises 40001.
void snapshot_locks(HotCode &hot) {
  if (IsolationUsesXactSnapshot()) hot.counter.lock_every_slot_for_snapshot();
}

// Reclaims the code's expired holds, giving their uses back through `slot`
// (held by the caller) and to the code's campaign: through `campaign` if the
// caller opened it, into `owed` for the caller to settle later, or through
// one opened here; returns how many.
int32_t reclaim_through(SpiSession &spi, HotCode &hot, int32_t slot, campaign::Campaign *campaign = nullptr,
                        campaign::Owed *owed = nullptr) {
  const int32_t released = release_expired_holds(spi, hot.code.row.id);
  if (released == 0) return 0;
  hot.counter.give_back(slot, released);
  if (campaign != nullptr)
    campaign->give_back(released);
  else if (owed != nullptr)
    owed->add(hot.code.campaign_id, released);
  else if (hot.code.campaign_id)
    campaign::Campaign(spi, *hot.code.campaign_id).give_back(released);
  return released;
}

int32_t reclaim(SpiSession &spi, HotCode &hot, campaign::Campaign *campaign = nullptr,
                campaign::Owed *owed = nullptr) {
  return reclaim_through(spi, hot, hot.counter.slot_for_giving_back(), campaign, owed);
}

// The code row with its usage: current_uses plus the slots' uses, which
// must still fit the integer every count is.
CodeRow plus_slot_uses(CodeRow row, int32_t slot_uses) {
  const int64_t usage = static_cast<int64_t>(row.current_uses) + slot_uses;
  if (usage > INT32_MAX)
    throw SqlError(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
                   "promo code \"" + row.code + "\" would count more than 2147483647 uses",
                   "A code counts at most 2147483647 uses; create another one.");
  row.current_uses = static_cast<int32_t>(usage);
  return row;
}

CodeRow with_usage(HotCode &hot) {
  return plus_slot_uses(hot.code.row, hot.counter.slot_uses());
}

Redemption refuse(HotCode &hot, Status status, bool reveal_reasons, Scope scope = Scope::Code) {
  if (!reveal_reasons) return refusal(status, hot.code.row, false);
  Redemption refused = refusal(status, with_usage(hot), true, scope);
  refused.campaign_id = hot.code.campaign_id;
  return refused;
}

// The campaign's rules, for a redemption that took its use from the code's
// slot `taken`: the campaign's use taken too (true), or the code's given
// back and the campaign's refusal in `refused`.
bool take_from_campaign(SpiSession &spi, const RedemptionRequest &request, HotCode &hot,
                        const SlottedCounter::Taken &taken, bool reveal_reasons, std::optional<Redemption> &refused,
                        campaign::Owed &owed) {
  if (owed.empty() && campaign::quick_take(spi, *hot.code.campaign_id, request)) return true;
  campaign::Campaign campaign(spi, *hot.code.campaign_id, request.orders);
  auto refuse_by_campaign = [&](Status status) {
    owed.settle(spi);
    hot.counter.give_back(taken.slot, 1);
    refused = refuse(hot, status, reveal_reasons, Scope::Campaign);
    return false;
  };
  if (std::optional<Status> refusal = campaign.refusal()) return refuse_by_campaign(*refusal);
  if (std::optional<Status> refusal = campaign.order_refusal(request)) return refuse_by_campaign(*refusal);
  auto reclaim_all = [&] {
    const int32_t own = reclaim_through(spi, hot, taken.slot, &campaign);
    const int32_t elsewhere = request.reclaim_elsewhere(campaign.id(), hot.code.row.id, request.customer);
    if (elsewhere > 0) campaign.give_back(elsewhere);
    return own + elsewhere;
  };
  if (!campaign.customer_may_use(request.customer, reclaim_all))
    return refuse_by_campaign(Status::CustomerLimitReached);
  owed.settle(spi);  // the customer's lock is held: the slots may be taken now
  if (!campaign.take([&](int32_t) { return reclaim_all(); })) return refuse_by_campaign(Status::Exhausted);
  return true;
}

// Whether this transaction holds one of the code's slots: it gave a use
// back through it earlier (a release, confirm or sweep).
bool holds_a_slot(const HotCode &hot, int64_t promo_id) {
  for (int32_t slot = 0; slot < hot.code.slots; ++slot)
    if (locks::held_by_me({locks::Lock::Slot, promo_id, static_cast<uint32_t>(slot)}, locks::Mode::Exclusive))
      return true;
  return false;
}

// The key's or customer's lock. Holding a slot already, this call must not
// wait for it: a single call holding it may be waiting for that very slot,
// and the deadlock would end the single call. This transaction fails
// instead, as a deadlock does, and retries.
void take_argument_lock(locks::Lock lock, int64_t promo_id, const TextArgument &argument, bool holding_a_slot) {
  const locks::LockId id{lock, promo_id, locks::text_hash(argument.text.data(), argument.text.size())};
  if (!holding_a_slot) {
    locks::acquire(id, locks::Mode::Exclusive);
    return;
  }
  if (locks::try_acquire(id, locks::Mode::Exclusive) == locks::Held::No)
    throw SqlError(ERRCODE_T_R_DEADLOCK_DETECTED,
                   "a redemption of a hot code after a release, confirm or sweep of it in the same transaction "
                   "would wait for a caller that waits for this transaction",
                   "Retry the transaction; redeeming before the release avoids it.");
}

}  // namespace

std::optional<Redemption> redeem(SpiSession &spi, const RedemptionRequest &request, int64_t promo_id,
                                 bool reveal_reasons) {
  std::optional<HotCode> opened;
  switch (open(spi, promo_id, request.code_key, request.campaigns, opened, request.orders)) {
    case Opened::Gone: return Redemption{};
    case Opened::OneSlot: return std::nullopt;
    case Opened::Hot: break;
  }
  HotCode &hot = *opened;
  const CodeState &code = hot.code;
  const bool holding_a_slot = (request.key || customer_limited(request, code)) && holds_a_slot(hot, promo_id);
  if (request.key) take_argument_lock(locks::Lock::CodeKey, promo_id, *request.key, holding_a_slot);
  if (customer_limited(request, code))
    take_argument_lock(locks::Lock::CodeCustomer, promo_id, *request.customer, holding_a_slot);
  snapshot_locks(hot);

  if (request.key) {
    if (std::optional<KeyedRedemption> keyed = find_key(spi, promo_id, request)) {
      if (keyed->expired_hold && reclaim(spi, hot) > 0) keyed = find_key(spi, promo_id, request);
      Redemption replayed = replay_of(keyed->entry, with_usage(hot));
      replayed.campaign_id = hot.code.campaign_id;
      return replayed;
    }
  }
  if (code.refusal) return refuse(hot, *code.refusal, reveal_reasons);
  if (std::optional<Status> refused = order_refusal(request, code)) return refuse(hot, *refused, reveal_reasons);
  // What the code's reclaimed holds owe its campaign, given back once the
  // campaign's customer lock is held (lock_scheme.hpp), or on a refusal.
  campaign::Owed owed;
  if (customer_limited(request, code) &&
      !uses_below_customer_limit(spi, request, code, [&] { return reclaim(spi, hot, nullptr, &owed); })) {
    owed.settle(spi);
    return refuse(hot, Status::CustomerLimitReached, reveal_reasons);
  }

  std::optional<SlottedCounter::Taken> taken =
      hot.counter.take([&](int32_t held_slot) { return reclaim_through(spi, hot, held_slot, nullptr, &owed); });
  if (!taken) {
    owed.settle(spi);
    return refuse(hot, Status::Exhausted, reveal_reasons);
  }
  if (code.campaign_id) {
    std::optional<Redemption> refused;
    if (!take_from_campaign(spi, request, hot, *taken, reveal_reasons, refused, owed)) return refused;
  }

  std::optional<Datum> customer, key;
  if (request.customer) customer = request.customer->datum;
  if (request.key) key = request.key->datum;
  std::vector<Argument> arguments = {bigint_arg("promo_id", promo_id), text_arg("customer_id", customer),
                                     text_arg("idempotency_key", key),
                                     timestamptz_arg("hold_expires_at", request.hold_expires),
                                     integer_arg("slot", taken->slot)};
  if (!request.orders) {
    Rows rows = spi.execute(insert_ledger_statement, arguments);
    return Redemption{Status::Redeemed, plus_slot_uses(code.row, taken->slot_uses),
                      read_ledger_entry(rows[0], false), code.campaign_id, std::nullopt};
  }
  for (const Argument &column : order_ledger_arguments(request.order, order_discount(*code.terms, request.order)))
    arguments.push_back(column);
  Rows rows = spi.execute(insert_order_ledger_statement, arguments);
  return Redemption{Status::Redeemed, plus_slot_uses(code.row, taken->slot_uses),
                    read_ledger_entry_with_order(rows[0], false), code.campaign_id, std::nullopt};
}

std::optional<bool> confirm(SpiSession &spi, int64_t promo_id, int64_t redemption_id, bool campaigns) {
  std::optional<HotCode> hot;
  switch (open(spi, promo_id, std::nullopt, campaigns, hot)) {
    case Opened::Gone: return false;
    case Opened::OneSlot: return std::nullopt;
    case Opened::Hot: break;
  }
  snapshot_locks(*hot);
  if (confirm_live_hold(spi, redemption_id)) return true;
  reclaim(spi, *hot);  // an expired hold is reclaimed instead
  return false;
}

std::optional<bool> release(SpiSession &spi, int64_t promo_id, int64_t redemption_id, bool campaigns) {
  std::optional<HotCode> hot;
  switch (open(spi, promo_id, std::nullopt, campaigns, hot)) {
    case Opened::Gone: return false;
    case Opened::OneSlot: return std::nullopt;
    case Opened::Hot: break;
  }
  snapshot_locks(*hot);
  const int32_t slot = hot->counter.slot_for_giving_back();
  // The campaign's locks before the ledger row's, in the order of lock_scheme.hpp.
  std::optional<campaign::Campaign> campaign;
  if (hot->code.campaign_id) campaign.emplace(spi, *hot->code.campaign_id);
  if (!release_ledger_row(spi, redemption_id)) return false;
  hot->counter.give_back(slot, 1);
  if (campaign) campaign->give_back(1);
  return true;
}

std::optional<int32_t> reclaim_expired_holds(SpiSession &spi, int64_t promo_id, bool campaigns,
                                             campaign::Owed &owed) {
  std::optional<HotCode> hot;
  switch (open(spi, promo_id, std::nullopt, campaigns, hot)) {
    case Opened::Gone: return 0;
    case Opened::OneSlot: return std::nullopt;
    case Opened::Hot: break;
  }
  snapshot_locks(*hot);
  return reclaim(spi, *hot, nullptr, &owed);
}

std::optional<int32_t> try_reclaim_expired_holds(SpiSession &spi, int64_t promo_id, int64_t campaign_id) {
  const locks::LockId guard{locks::Lock::CodeGuard, promo_id};
  const locks::Held held = locks::try_acquire(guard, locks::Mode::Share);
  if (held == locks::Held::No) return std::nullopt;
  Rows rows = spi.execute(read_statement, {bigint_arg("promo_id", promo_id), text_arg("code_key", std::nullopt)});
  std::optional<int32_t> slot;
  // A code that left the campaign since it was listed owes it nothing; the
  // guard keeps it where it is now.
  if (!rows.empty() && rows[0].int4("slots").value() > 1 && campaign::of_code(spi, promo_id) == campaign_id) {
    const CodeState code = read_code_state(rows[0]);
    SlottedCounter counter(spi, code_slots, promo_id, code.slots,
                           SlottedCounter::left_when_spread(code.row.max_uses, code.row.current_uses));
    slot = counter.free_slot_for_giving_back();
    if (slot) {
      const int32_t released = release_expired_holds_without_waiting(spi, promo_id);
      if (released > 0) counter.give_back(*slot, released);
      return released;
    }
  }
  if (held == locks::Held::Newly) locks::release(guard, locks::Mode::Share);
  return std::nullopt;
}

}  // namespace promo::hot
