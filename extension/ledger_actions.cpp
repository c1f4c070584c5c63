#include "ledger_actions.hpp"

#include <stdexcept>
#include <vector>

#include "error_bridge.hpp"
#include "ledger_redemption.hpp"

namespace promo {

namespace {

// Locks the code row of a redemption and returns the code's id.
int64_t lock_code_of(SpiSession &spi, int64_t redemption_id) {
  const Datum args[] = {Int64GetDatum(redemption_id)};
  if (spi.run(Statement::LedgerFindRedemption, args, nullptr) == 0)
    throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                   "redemption " + std::to_string(redemption_id) + " does not exist",
                   "Pass the redemption_id that redeem_promo returned.");
  int64_t promo_id = spi.int8_value(0, 0).value();
  const Datum lock_args[] = {Int64GetDatum(promo_id)};
  if (spi.run(Statement::LedgerLockCodeById, lock_args, nullptr) != 1)
    throw std::runtime_error("the code of a redemption vanished");
  return promo_id;
}

}  // namespace

bool confirm_redemption(SpiSession &spi, int64_t redemption_id) {
  int64_t promo_id = lock_code_of(spi, redemption_id);
  const Datum args[] = {Int64GetDatum(redemption_id)};
  if (spi.run(Statement::LedgerConfirm, args, nullptr) == 1) return true;
  reclaim_expired_holds_of(spi, promo_id);
  return false;
}

bool release_redemption(SpiSession &spi, int64_t redemption_id) {
  lock_code_of(spi, redemption_id);
  const Datum args[] = {Int64GetDatum(redemption_id)};
  return spi.run(Statement::LedgerRelease, args, nullptr) == 1;
}

int reclaim_all_expired_holds(SpiSession &spi) {
  spi.run(Statement::LedgerCodesWithExpiredHolds, nullptr, nullptr);
  std::vector<int64_t> codes;
  for (uint64_t row = 0; row < spi.processed(); ++row) codes.push_back(spi.int8_value(row, 0).value());

  int reclaimed = 0;
  for (int64_t promo_id : codes) {
    const Datum args[] = {Int64GetDatum(promo_id)};
    if (spi.run(Statement::LedgerLockCodeById, args, nullptr) == 1)
      reclaimed += reclaim_expired_holds_of(spi, promo_id);
  }
  return reclaimed;
}

}  // namespace promo
