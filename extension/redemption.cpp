#include "redemption.hpp"

#include <stdexcept>

namespace promo {

const char *status_label(Status status) {
  switch (status) {
    case Status::Redeemed: return "redeemed";
    case Status::NotFound: return "not_found";
    case Status::Inactive: return "inactive";
    case Status::NotYetValid: return "not_yet_valid";
    case Status::Expired: return "expired";
    case Status::Exhausted: return "exhausted";
    case Status::CustomerLimitReached: return "customer_limit_reached";
    case Status::Released: return "released";
  }
  throw std::logic_error("unknown status");
}

std::optional<Status> status_from_reason(const std::optional<std::string> &reason) {
  if (!reason) return std::nullopt;
  if (*reason == "inactive") return Status::Inactive;
  if (*reason == "not_yet_valid") return Status::NotYetValid;
  if (*reason == "expired") return Status::Expired;
  if (*reason == "exhausted") return Status::Exhausted;
  throw std::logic_error("unknown refusal reason " + *reason);
}

CodeRow read_code_row(const SpiSession &spi) {
  CodeRow row;
  row.id = spi.int8_value(0, 0).value();
  row.code = spi.text_value(0, 1).value();
  row.current_uses = spi.int4_value(0, 2).value();
  row.max_uses = spi.int4_value(0, 3);
  row.is_active = spi.bool_value(0, 4).value();
  return row;
}

}  // namespace promo
