// Redemption logic: the one guarded UPDATE, then, if it matched nothing, the
// reason why, read with the code row locked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "spi_session.hpp"

namespace promo {

// The labels of the SQL enum promo_status, in its order.
enum class Status { Redeemed, NotFound, Inactive, NotYetValid, Expired, Exhausted };

const char *status_label(Status status);

// A code row as the redemption left it.
struct CodeRow {
  int64_t id = 0;
  std::string code;
  int32_t current_uses = 0;
  std::optional<int32_t> max_uses;
  bool is_active = false;
};

struct Redemption {
  Status status = Status::NotFound;
  std::optional<CodeRow> row;  // absent for not_found and for hidden reasons
};

// Redeems one use of the code (a text Datum, already validated), or says why
// it cannot. With reveal_reasons off, every rejection reads as not_found.
Redemption redeem_code(SpiSession &spi, Datum code, bool reveal_reasons);

}  // namespace promo
