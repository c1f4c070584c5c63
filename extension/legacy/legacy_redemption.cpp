#include "legacy/legacy_redemption.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "error_bridge.hpp"
#include "legacy/code_lock.hpp"
#include "legacy/counter_redemption.hpp"
#include "legacy/hot_redemption.hpp"
#include "legacy/ledger_redemption.hpp"
#include "redemption_rules.hpp"

namespace promo::legacy {

namespace {

// $1 redemption_id. Its code.
const SqlStatement find_redemption{"legacy_find_redemption",
                                   R"(
SELECT promo_id FROM @extschema@.promo_redemptions WHERE id OPERATOR(pg_catalog.=) $1
)",
                                   {{"redemption_id", INT8OID}}};

// The codes that have expired holds, in id order.
const SqlStatement codes_with_expired_holds{"legacy_codes_with_expired_holds",
                                            R"(
SELECT DISTINCT promo_id
  FROM @extschema@.promo_redemptions
 WHERE state OPERATOR(pg_catalog.=) 'held'
   AND hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()
 ORDER BY promo_id
)",
                                            {}};

int64_t code_of(SpiSession &spi, int64_t redemption_id) {
  Rows rows = spi.execute(find_redemption, {bigint_arg("redemption_id", redemption_id)});
  if (rows.empty())
    throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                   "redemption " + std::to_string(redemption_id) + " does not exist",
                   "Pass the redemption_id that redeem_promo returned.");
  return rows[0].int8("promo_id").value();
}

// Locks a code row as a redemption of it would.
LockedCode lock_for_action(SpiSession &spi, int64_t promo_id, Tables tables) {
  if (std::optional<LockedCode> locked = lock_code_by_id(spi, promo_id, tables)) return *locked;
  throw std::runtime_error(tables == Tables::V1_3 ? "the code of a redemption vanished"
                                                  : "locked code row vanished");
}

// Reclaims the expired holds of a locked code; returns how many.
int32_t reclaim_locked(SpiSession &spi, const LockedCode &locked) {
  return locked.slots > 1 ? reclaim_hot(spi, locked) : reclaim_one_slot(spi, locked.row.id);
}

}  // namespace

Redemption redeem(SpiSession &spi, const Request &request, bool reveal_reasons, Tables tables) {
  if (tables == Tables::V1_0) return redeem_counter_only(spi, request.code, reveal_reasons);
  if (!request.key)
    if (std::optional<Redemption> redeemed = redeem_unlocked(spi, request, tables)) return *redeemed;
  std::optional<LockedCode> locked = lock_code(spi, request.code, tables);
  if (!locked) return Redemption{};
  if (locked->slots > 1) return redeem_hot(spi, request, *locked, reveal_reasons);
  return redeem_one_slot(spi, request, *locked, reveal_reasons);
}

bool confirm(SpiSession &spi, int64_t redemption_id, Tables tables) {
  const LockedCode locked = lock_for_action(spi, code_of(spi, redemption_id), tables);
  if (confirm_live_hold(spi, redemption_id)) return true;
  reclaim_locked(spi, locked);  // an expired hold is reclaimed instead
  return false;
}

bool release(SpiSession &spi, int64_t redemption_id, Tables tables) {
  const LockedCode locked = lock_for_action(spi, code_of(spi, redemption_id), tables);
  if (locked.slots > 1) return release_hot(spi, redemption_id, locked);
  return release_one_slot(spi, locked.row.id, redemption_id);
}

int reclaim_all_expired_holds(SpiSession &spi, Tables tables) {
  Rows rows = spi.execute(codes_with_expired_holds, {});
  std::vector<int64_t> codes;
  for (uint64_t i = 0; i < rows.size(); ++i) codes.push_back(rows[i].int8("promo_id").value());
  int reclaimed = 0;
  for (int64_t promo_id : codes) reclaimed += reclaim_locked(spi, lock_for_action(spi, promo_id, tables));
  return reclaimed;
}

}  // namespace promo::legacy
