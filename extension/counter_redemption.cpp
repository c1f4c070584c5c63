// Redemption on the 1.0 schema, where the counter is all there is. Kept for
// the 1.0 SQL function, which calls into a newer library until
// ALTER EXTENSION promo UPDATE replaces it.
#include <stdexcept>

#include "redemption.hpp"

namespace promo {

Redemption redeem_counter_only(SpiSession &spi, Datum code, bool reveal_reasons) {
  const Datum args[] = {code};

  // The classification runs with a newer snapshot than the UPDATE and locks
  // the row. If the locked row is eligible after all (a concurrent release or
  // reactivation committed in between), the UPDATE is run again: with the
  // lock held it cannot miss. Two passes therefore always decide.
  for (int pass = 0; pass < 2; ++pass) {
    if (spi.run(Statement::CounterRedeem, args, nullptr) == 1)
      return Redemption{Status::Redeemed, read_code_row(spi), std::nullopt};

    if (spi.run(Statement::CounterLockAndClassify, args, nullptr) == 0) return Redemption{};
    std::optional<Status> refused = status_from_reason(spi.text_value(0, 5));
    if (refused) {
      if (!reveal_reasons) return Redemption{};
      return Redemption{*refused, read_code_row(spi), std::nullopt};
    }
  }
  throw std::runtime_error("redemption undecided after the code row was locked");
}

}  // namespace promo
