// A campaign as a redemption of one of its codes meets it (1.5): its rules,
// read holding its guard, and its uses, a SlottedCounter over
// promo_campaign_slots (campaign_slots.hpp). A code's path opens the
// campaign once it holds the code's own locks, and decides the code's rules
// before the campaign's (redemption_rules.hpp); the campaign's locks come
// after the code's (lock_scheme.hpp). A DBA's change of the campaign row
// waits for the redemptions in flight (campaign_guard_trigger.cpp), so a
// call sees the campaign's rules and counter as one.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "redemption.hpp"
#include "slotted_counter.hpp"
#include "spi_session.hpp"
#include "order_rules.hpp"
#include "text_argument.hpp"

namespace promo {
struct RedemptionRequest;  // redemption_rules.hpp
}

namespace promo::campaign {

// The campaign of a code, read holding the code's locks (its row locked, or
// a hot code's guard), which keep it from changing until this transaction
// ends; empty: none. Only on 1.5's tables.
std::optional<int64_t> of_code(SpiSession &spi, int64_t promo_id);

// The common case in one statement, before a Campaign is opened: a READ
// COMMITTED call whose campaign allows the use by every rule (on 1.6's
// tables its order rules too, for the request's order) without a customer
// to count takes it from a free slot, holding the campaign's guard and that
// slot as take() would; false when anything is otherwise (a refusal, a
// customer limit, no use left in that slot, slots changed, a snapshot
// caller), and the caller decides by opening the Campaign.
bool quick_take(SpiSession &spi, int64_t campaign_id, const RedemptionRequest &request);

class Campaign {
 public:
  // Shares the campaign's guard and reads its row; under REPEATABLE READ and
  // SERIALIZABLE the row is locked FOR SHARE first (40001 if it changed
  // since the snapshot), as a hot code's is, and its slots are locked later,
  // before the first use of them (after the customer's lock).
  // On 1.6's tables (`orders`) its order rules are read too.
  Campaign(SpiSession &spi, int64_t campaign_id, bool orders = false);

  int64_t id() const { return id_; }

  // inactive, not_yet_valid or expired, by the campaign's own columns.
  std::optional<Status> refusal() const { return refusal_; }

  // customer_required, wrong_currency or below_minimum, by its order rules
  // (opened with `orders`), for the request.
  std::optional<Status> order_refusal(const RedemptionRequest &request) const;

  // Whether the customer may use the campaign once more: true without a
  // customer or a limit; otherwise, holding the customer's campaign lock,
  // whether their live uses across the campaign's codes are below its
  // max_uses_per_customer, counted again after reclaim() (which gives back
  // expired holds and returns how many) when they reach it. `not_counting`:
  // a redemption of this call's own, already in the ledger.
  bool customer_may_use(const std::optional<TextArgument> &customer, const std::function<int32_t()> &reclaim,
                        std::optional<int64_t> not_counting = std::nullopt);

  // Takes a use: the slot it came from; empty when none is left even after
  // reclaim(slot), called once holding every slot, which gives expired holds
  // back through `slot` and returns how many.
  std::optional<int32_t> take(const std::function<int32_t(int32_t)> &reclaim);

  // Gives uses back: through `slot`, which this transaction holds, or
  // through a slot found for it.
  void give_back_through(int32_t slot, int32_t uses);
  void give_back(int32_t uses);

  // The uses its slots count (for a refusal's figures).
  int32_t slot_uses() { return counter_->slot_uses(); }

 private:
  // REPEATABLE READ and SERIALIZABLE: every slot and slot row locked, as a
  // hot code's are, so that a use taken since the snapshot raises 40001;
  // once, after the customer's lock and before any slot's.
  void lock_for_snapshot();

  SpiSession &spi_;
  int64_t id_;
  std::optional<Status> refusal_;
  std::optional<order::Rules> rules_;
  std::optional<int32_t> max_uses_per_customer_;
  std::optional<SlottedCounter> counter_;
  bool snapshot_locked_ = false;
};

// Whether this transaction holds one of the campaign's slots (it took or
// gave back a use of it earlier) or customer locks that another
// transaction waits for. Such a transaction must not wait for another
// code's locks: their holder may be that waiter, and the deadlock would end
// that call.
bool holds_a_lock_waited_for(int64_t campaign_id);

// Uses a call gave back to its codes that it owes their campaigns: a code's
// expired holds reclaimed before the campaign's customer lock (which comes
// before any campaign slot's), or by the sweep, which holds several codes'
// locks. settle() gives them back, each campaign in id order, once the
// caller holds every code lock it will take.
class Owed {
 public:
  void add(std::optional<int64_t> campaign_id, int32_t uses);
  void settle(SpiSession &spi);
  bool empty() const { return uses_.empty(); }

 private:
  std::map<int64_t, int32_t> uses_;
};

// The campaign's codes other than `except` that have expired holds (of the
// customer, if one is given), at most 100, in id order: to give those uses
// back before the campaign refuses (code_redemption.cpp).
struct CodeWithHolds {
  int64_t promo_id;
  bool hot;
};
std::vector<CodeWithHolds> codes_with_expired_holds(SpiSession &spi, int64_t campaign_id, int64_t except,
                                                    const std::optional<TextArgument> &customer);

}  // namespace promo::campaign
