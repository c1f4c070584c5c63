#include "ledger_redemption.hpp"

#include <stdexcept>

#include "code_lock.hpp"
#include "error_bridge.hpp"
#include "hot_redemption.hpp"

namespace promo {

namespace {

// Columns 0-4 code row, 5 redemption id, 6 state, 7 hold_expires_at.
Redemption redeemed_from_result(const SpiSession &spi) {
  LedgerEntry entry{spi.int8_value(0, 5).value(), spi.text_value(0, 6).value(), spi.int8_value(0, 7), false};
  return Redemption{Status::Redeemed, read_code_row(spi), entry};
}

// Without a key, and unless a customer limit must be checked, the guarded
// UPDATE and its ledger row are one statement and one row lock (in 1.3 the
// ledger row is written before the lock is taken).
std::optional<Redemption> try_fast_path(SpiSession &spi, const LedgerRequest &request, Schema schema) {
  char nulls[] = "   ";
  const Datum args[] = {request.code, datum_or_null(request.customer, nulls[1]),
                        request.hold.value_or(Datum(0))};
  nulls[2] = request.hold ? ' ' : 'n';
  Statement statement =
      schema == Schema::V1_3 ? Statement::SlottedRedeemByCode : Statement::LedgerRedeemByCode;
  if (spi.run(statement, args, nulls) != 1) return std::nullopt;
  if (!spi.int8_value(0, 0)) {  // 1.3: the UPDATE refused what the INSERT's snapshot allowed
    const Datum drop_args[] = {Int64GetDatum(spi.int8_value(0, 5).value())};
    spi.run(Statement::SlottedDropLedgerRow, drop_args, nullptr);
    return std::nullopt;
  }
  return redeemed_from_result(spi);
}

bool same_customer(const std::optional<std::string> &recorded, const std::optional<TextArgument> &given) {
  if (!recorded || !given) return !recorded && !given;  // NULL matches only NULL
  return *recorded == given->text;
}

std::optional<LockedCode> lock_for_redemption(SpiSession &spi, const LedgerRequest &request, Schema schema) {
  if (schema == Schema::V1_3) return lock_code(spi, request.code);
  const Datum code_args[] = {request.code};
  if (spi.run(Statement::LedgerLockCode, code_args, nullptr) == 0) return std::nullopt;
  return read_locked_code(spi);
}

// Everything that needs the code row locked first: replays, customer limits,
// reclaiming expired holds, and the reason for a refusal.
Redemption decide_under_lock(SpiSession &spi, const LedgerRequest &request, bool reveal_reasons,
                             Schema schema) {
  std::optional<LockedCode> found = lock_for_redemption(spi, request, schema);
  if (!found) return Redemption{};
  if (found->slots > 1) return redeem_hot(spi, request, *found, reveal_reasons);
  LockedCode locked = *found;

  if (request.key) {
    auto reclaim = [&](LockedCode &code) {
      reclaim_expired_holds_of(spi, code.row.id);
      code = relock_by_id(spi, code.row.id);
    };
    if (std::optional<Redemption> replayed = replay(spi, locked, request, reclaim)) return *replayed;
  }

  auto refuse = [&](Status status) {
    return reveal_reasons ? Redemption{status, locked.row, std::nullopt} : Redemption{};
  };
  if (locked.refusal && *locked.refusal != Status::Exhausted) return refuse(*locked.refusal);

  // customer_limit_reached and exhausted are decided after the code's expired
  // holds are reclaimed, once.
  bool reclaimed = false;
  auto reclaim_once = [&] {
    if (reclaimed) return;
    reclaimed = true;
    if (reclaim_expired_holds_of(spi, locked.row.id) > 0) locked = relock_by_id(spi, locked.row.id);
  };
  const bool limited = request.customer && locked.max_uses_per_customer;
  if (limited && customer_at_limit(spi, locked, *request.customer)) {
    reclaim_once();
    if (customer_at_limit(spi, locked, *request.customer)) return refuse(Status::CustomerLimitReached);
  }
  if (locked.refusal == Status::Exhausted) {
    reclaim_once();
    if (locked.refusal == Status::Exhausted) return refuse(Status::Exhausted);
  }

  char nulls[] = "    ";
  const Datum args[] = {Int64GetDatum(locked.row.id), datum_or_null(request.customer, nulls[1]),
                        datum_or_null(request.key, nulls[2]), request.hold.value_or(Datum(0))};
  nulls[3] = request.hold ? ' ' : 'n';
  if (spi.run(Statement::LedgerRedeemById, args, nulls) != 1)
    throw std::runtime_error("an eligible, locked code was not redeemed");
  return redeemed_from_result(spi);
}

}  // namespace

bool customer_at_limit(SpiSession &spi, const LockedCode &locked, const TextArgument &customer) {
  const Datum args[] = {Int64GetDatum(locked.row.id), customer.datum};
  spi.run(Statement::LedgerCustomerLiveUses, args, nullptr);
  return spi.int4_value(0, 0).value() >= *locked.max_uses_per_customer;
}

Datum datum_or_null(const std::optional<TextArgument> &argument, char &null_flag) {
  null_flag = argument ? ' ' : 'n';
  return argument ? argument->datum : Datum(0);
}

std::optional<Redemption> replay(SpiSession &spi, LockedCode &locked, const LedgerRequest &request,
                                 const std::function<void(LockedCode &)> &reclaim) {
  char nulls[] = "  ";
  const Datum args[] = {Int64GetDatum(locked.row.id), request.key->datum};
  if (spi.run(Statement::LedgerFindKey, args, nulls) == 0) return std::nullopt;
  if (!same_customer(spi.text_value(0, 1), request.customer))
    throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                   "idempotency key already names a redemption of this code for another customer",
                   "A retry must pass the same customer_id as the call it repeats; a new redemption needs a "
                   "new key.");
  if (spi.bool_value(0, 4).value()) {  // an expired hold: reclaimed on the way
    reclaim(locked);
    spi.run(Statement::LedgerFindKey, args, nulls);
  }
  LedgerEntry entry{spi.int8_value(0, 0).value(), spi.text_value(0, 2).value(), spi.int8_value(0, 3), true};
  Status status = entry.state == "released" ? Status::Released : Status::Redeemed;
  return Redemption{status, locked.row, entry};
}

int reclaim_expired_holds_of(SpiSession &spi, int64_t promo_id) {
  const Datum args[] = {Int64GetDatum(promo_id)};
  spi.run(Statement::LedgerReclaimHolds, args, nullptr);
  return spi.int4_value(0, 0).value();
}

Redemption redeem_with_ledger(SpiSession &spi, const LedgerRequest &request, bool reveal_reasons,
                              Schema schema) {
  if (!request.key)
    if (std::optional<Redemption> redeemed = try_fast_path(spi, request, schema)) return *redeemed;
  return decide_under_lock(spi, request, reveal_reasons, schema);
}

}  // namespace promo
