#include "redemption.hpp"

#include <stdexcept>

#include "error_bridge.hpp"

namespace promo {

namespace {

// Columns 0-4 of both statements: id, code, current_uses, max_uses, is_active.
CodeRow read_code_row(const SpiSession &spi) {
  CodeRow row;
  row.id = spi.int8_value(0, 0).value();
  row.code = spi.text_value(0, 1).value();
  row.current_uses = spi.int4_value(0, 2).value();
  row.max_uses = spi.int4_value(0, 3);
  row.is_active = spi.bool_value(0, 4).value();
  return row;
}

std::optional<Status> status_from_reason(const std::optional<std::string> &reason) {
  if (!reason) return std::nullopt;
  if (*reason == "inactive") return Status::Inactive;
  if (*reason == "not_yet_valid") return Status::NotYetValid;
  if (*reason == "expired") return Status::Expired;
  if (*reason == "exhausted") return Status::Exhausted;
  throw std::logic_error("unknown rejection reason " + *reason);
}

}  // namespace

const char *status_label(Status status) {
  switch (status) {
    case Status::Redeemed: return "redeemed";
    case Status::NotFound: return "not_found";
    case Status::Inactive: return "inactive";
    case Status::NotYetValid: return "not_yet_valid";
    case Status::Expired: return "expired";
    case Status::Exhausted: return "exhausted";
  }
  throw std::logic_error("unknown status");
}

Redemption redeem_code(SpiSession &spi, Datum code, bool reveal_reasons) {
  const Datum args[] = {code};

  // The classification runs with a newer snapshot than the UPDATE and locks
  // the row. If the locked row is eligible after all (a concurrent release or
  // reactivation committed in between), the UPDATE is run again: with the
  // lock held it cannot miss. Two passes therefore always decide.
  for (int pass = 0; pass < 2; ++pass) {
    if (spi.run(Statement::RedeemGuarded, args, nullptr) == 1)
      return Redemption{Status::Redeemed, read_code_row(spi)};

    if (spi.run(Statement::LockAndClassify, args, nullptr) == 0) return Redemption{};
    std::optional<Status> refused = status_from_reason(spi.text_value(0, 5));
    if (refused) {
      if (!reveal_reasons) return Redemption{};
      return Redemption{*refused, read_code_row(spi)};
    }
  }
  throw std::runtime_error("redemption undecided after the code row was locked");
}

}  // namespace promo
