// The pre-1.4 service: redemption on the tables of 1.0, 1.1/1.2 and 1.3,
// which a newer library serves until ALTER EXTENSION promo UPDATE (each
// call finds its tables: tables_version.hpp). It behaves exactly as those
// versions did and takes the locks their SQL takes (lock_scheme.hpp,
// namespace legacy), so that old backends, old triggers and this library can
// run side by side. Nothing new goes here.
//   legacy_redemption.cpp  this dispatcher: by tables, then by the code's slots
//   legacy_request.hpp     what a call asks for, and which tables it found
//   counter_redemption     1.0: the counter alone
//   ledger_redemption      1.1-1.3, a code with one slot
//   hot_redemption         1.3, a hot code (subtransaction.hpp for its slot locks)
//   code_lock              locking a code row as 1.1 and 1.3 lock it
// Below them all: redemption_rules.hpp (the rules 1.4 keeps too) and
// lock_scheme.hpp (the advisory keys of 1.2 and 1.3's SQL).
#pragma once

#include <cstdint>

#include "legacy/legacy_request.hpp"
#include "redemption.hpp"
#include "spi_session.hpp"

namespace promo::legacy {

Redemption redeem(SpiSession &spi, const Request &request, bool reveal_reasons, Tables tables);

// true if a live hold became a redemption; an expired hold is reclaimed instead.
bool confirm(SpiSession &spi, int64_t redemption_id, Tables tables);

// true if a live (redeemed or held) redemption gave its use back.
bool release(SpiSession &spi, int64_t redemption_id, Tables tables);

// Releases every expired hold, code by code in id order; returns how many.
int reclaim_all_expired_holds(SpiSession &spi, Tables tables);

}  // namespace promo::legacy
