#include "code_redemption.hpp"

#include <stdexcept>
#include <vector>

#include "campaign.hpp"
#include "error_bridge.hpp"
#include "hot_code.hpp"
#include "one_slot_code.hpp"
#include "stats.hpp"

namespace promo {

namespace {

// $1 redemption_id. Its code, and whether that code was hot when read.
const SqlStatement find_redemption_statement{"find_redemption", R"(
SELECT r.promo_id, c.slots
  FROM @extschema@.promo_redemptions r
  LEFT JOIN @extschema@.promo_codes c ON c.id OPERATOR(pg_catalog.=) r.promo_id
 WHERE r.id OPERATOR(pg_catalog.=) $1
)",
                                             {{"redemption_id", INT8OID}}};

// The codes that have expired holds, in id order, at most $1 of them: a
// sweep holds each code's locks until it commits, as every path does, and
// so many must fit the lock table beside everyone else's.
const SqlStatement codes_with_expired_holds_statement{"codes_with_expired_holds", R"(
SELECT DISTINCT r.promo_id, c.slots
  FROM @extschema@.promo_redemptions r
  JOIN @extschema@.promo_codes c ON c.id OPERATOR(pg_catalog.=) r.promo_id
 WHERE r.state OPERATOR(pg_catalog.=) 'held'
   AND r.hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()
 ORDER BY r.promo_id
 LIMIT $1
)",
                                                      {{"codes", INT8OID}}};

constexpr int64_t codes_per_sweep = 1000;

// Runs `one_slot` or `hot` by what the code was when read; each answers
// empty when it finds the code is of the other kind now. After one switch
// the path holds the lock that keeps the kind from changing again, so a
// third attempt is a bug.
template <typename Result, typename OneSlot, typename Hot>
Result on_either_path(bool hot, OneSlot &&one_slot, Hot &&hot_path) {
  for (int attempt = 0; attempt < 3; ++attempt, hot = !hot) {
    std::optional<Result> result = hot ? hot_path() : one_slot();
    if (result) return *result;
  }
  throw std::logic_error("a code kept changing between one slot and hot");
}

struct RedemptionCode {
  int64_t promo_id;
  bool hot;
};

RedemptionCode code_of_redemption(SpiSession &spi, int64_t redemption_id) {
  Rows rows = spi.execute(find_redemption_statement, {bigint_arg("redemption_id", redemption_id)});
  const char *hint = "Pass the redemption_id that redeem_promo returned.";
  if (rows.empty())
    throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, "redemption " + std::to_string(redemption_id) + " does not exist",
                   hint);
  std::optional<int32_t> slots = rows[0].int4("slots");
  if (!slots)
    throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                   "the code of redemption " + std::to_string(redemption_id) + " no longer exists", hint);
  return {rows[0].int8("promo_id").value(), *slots > 1};
}

// The expired holds of a campaign's codes other than `except`, reclaimed
// from each code no other transaction is using at the moment (the caller
// holds its own code's locks and the campaign's, so it must not wait for
// another code's): their uses go back to their codes; the caller gives
// them back to the campaign. A code in use is left to its own redemptions,
// which reclaim its holds, and to the sweep; so are the codes of a
// REPEATABLE READ or SERIALIZABLE caller.
int32_t reclaim_elsewhere(SpiSession &spi, int64_t campaign_id, int64_t except,
                          const std::optional<TextArgument> &customer) {
  // A snapshot caller would read the other codes as its snapshot saw them,
  // and could give a use back by a spread a DBA has since changed.
  if (IsolationUsesXactSnapshot()) return 0;
  int32_t reclaimed = 0;
  for (const campaign::CodeWithHolds &code : campaign::codes_with_expired_holds(spi, campaign_id, except, customer)) {
    std::optional<int32_t> released = code.hot ? hot::try_reclaim_expired_holds(spi, code.promo_id, campaign_id)
                                               : one_slot::try_reclaim_expired_holds(spi, code.promo_id, campaign_id);
    reclaimed += released.value_or(0);
  }
  return reclaimed;
}

}  // namespace

Redemption redeem_code(SpiSession &spi, RedemptionRequest request, bool reveal_reasons) {
  const stats::Call call;
  std::optional<FoundCode> found = find_code(spi, request.code_key, request.campaigns, request.orders);
  if (!found) {
    stats::count_answer(stats::CodeClass::None, Status::NotFound, !reveal_reasons);
    return Redemption{};
  }
  request.reclaim_elsewhere = [&spi](int64_t campaign_id, int64_t except, const std::optional<TextArgument> &customer) {
    return reclaim_elsewhere(spi, campaign_id, except, customer);
  };
  stats::CodeClass answered_by = stats::CodeClass::OneSlot;
  Redemption redemption = on_either_path<Redemption>(
      found->slots > 1,
      [&] {
        answered_by = stats::CodeClass::OneSlot;
        return one_slot::redeem(spi, request, *found, reveal_reasons);
      },
      [&] {
        answered_by = stats::CodeClass::Hot;
        return hot::redeem(spi, request, found->id, reveal_reasons);
      });
  stats::count_answer(answered_by, redemption.status, !reveal_reasons);
  return redemption;
}

bool confirm_code_redemption(SpiSession &spi, int64_t redemption_id, bool campaigns) {
  const RedemptionCode code = code_of_redemption(spi, redemption_id);
  return on_either_path<bool>(
      code.hot, [&] { return one_slot::confirm(spi, code.promo_id, redemption_id, campaigns); },
      [&] { return hot::confirm(spi, code.promo_id, redemption_id, campaigns); });
}

bool release_code_redemption(SpiSession &spi, int64_t redemption_id, bool campaigns) {
  const RedemptionCode code = code_of_redemption(spi, redemption_id);
  return on_either_path<bool>(
      code.hot, [&] { return one_slot::release(spi, code.promo_id, redemption_id, campaigns); },
      [&] { return hot::release(spi, code.promo_id, redemption_id, campaigns); });
}

int reclaim_all_expired_code_holds(SpiSession &spi, bool campaigns) {
  Rows rows = spi.execute(codes_with_expired_holds_statement, {bigint_arg("codes", codes_per_sweep)});
  std::vector<RedemptionCode> codes;
  for (uint64_t i = 0; i < rows.size(); ++i)
    codes.push_back({rows[i].int8("promo_id").value(), rows[i].int4("slots").value() > 1});
  // The campaigns' uses are given back after every code's (lock_scheme.hpp:
  // a code's locks come before its campaign's).
  campaign::Owed owed;
  int reclaimed = 0;
  for (const RedemptionCode &code : codes)
    reclaimed += on_either_path<int32_t>(
        code.hot, [&] { return one_slot::reclaim_expired_holds(spi, code.promo_id, campaigns, owed); },
        [&] { return hot::reclaim_expired_holds(spi, code.promo_id, campaigns, owed); });
  owed.settle(spi);
  return reclaimed;
}

}  // namespace promo
