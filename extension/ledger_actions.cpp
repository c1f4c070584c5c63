#include "ledger_actions.hpp"

#include <stdexcept>
#include <vector>

#include "code_lock.hpp"
#include "error_bridge.hpp"
#include "hot_redemption.hpp"

namespace promo {

namespace {

int64_t code_of(SpiSession &spi, int64_t redemption_id) {
  const Datum args[] = {Int64GetDatum(redemption_id)};
  if (spi.run(Statement::LedgerFindRedemption, args, nullptr) == 0)
    throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                   "redemption " + std::to_string(redemption_id) + " does not exist",
                   "Pass the redemption_id that redeem_promo returned.");
  return spi.int8_value(0, 0).value();
}

// Locks a code row as a redemption of it would.
LockedCode lock_code_row(SpiSession &spi, int64_t promo_id, Schema schema) {
  if (schema == Schema::V1_3) {
    if (std::optional<LockedCode> locked = lock_code_by_id(spi, promo_id)) return *locked;
    throw std::runtime_error("the code of a redemption vanished");
  }
  return relock_by_id(spi, promo_id);
}

// Reclaims the expired holds of a locked code; returns how many.
int reclaim_locked(SpiSession &spi, const LockedCode &locked) {
  return locked.slots > 1 ? reclaim_hot(spi, locked) : reclaim_expired_holds_of(spi, locked.row.id);
}

}  // namespace

bool confirm_redemption(SpiSession &spi, int64_t redemption_id, Schema schema) {
  LockedCode locked = lock_code_row(spi, code_of(spi, redemption_id), schema);
  const Datum args[] = {Int64GetDatum(redemption_id)};
  if (spi.run(Statement::LedgerConfirm, args, nullptr) == 1) return true;
  reclaim_locked(spi, locked);
  return false;
}

bool release_redemption(SpiSession &spi, int64_t redemption_id, Schema schema) {
  LockedCode locked = lock_code_row(spi, code_of(spi, redemption_id), schema);
  if (locked.slots > 1) return release_hot(spi, redemption_id, locked);
  const Datum args[] = {Int64GetDatum(redemption_id)};
  return spi.run(Statement::LedgerRelease, args, nullptr) == 1;
}

int reclaim_all_expired_holds(SpiSession &spi, Schema schema) {
  spi.run(Statement::LedgerCodesWithExpiredHolds, nullptr, nullptr);
  std::vector<int64_t> codes;
  for (uint64_t row = 0; row < spi.processed(); ++row) codes.push_back(spi.int8_value(row, 0).value());

  int reclaimed = 0;
  for (int64_t promo_id : codes) reclaimed += reclaim_locked(spi, lock_code_row(spi, promo_id, schema));
  return reclaimed;
}

}  // namespace promo
