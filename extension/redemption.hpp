// What a redemption call answers, shared by the 1.0 counter and the 1.1 ledger.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "spi_session.hpp"

namespace promo {

// The labels of the SQL enum promo_status, in its order.
enum class Status {
  Redeemed,
  NotFound,
  Inactive,
  NotYetValid,
  Expired,
  Exhausted,
  CustomerLimitReached,  // from 1.1
  Released,              // from 1.1: a replay of a released redemption
};

const char *status_label(Status status);

// The reason a statement's refusal_reason column names, if any.
std::optional<Status> status_from_reason(const std::optional<std::string> &reason);

// A code row as the call left it.
struct CodeRow {
  int64_t id = 0;
  std::string code;
  int32_t current_uses = 0;
  std::optional<int32_t> max_uses;
  bool is_active = false;
};

// Reads columns 0-4 (id, code, current_uses, max_uses, is_active) of row 0.
CodeRow read_code_row(const SpiSession &spi);

// The ledger row a call made or replayed (1.1).
struct LedgerEntry {
  int64_t id = 0;
  std::string state;                       // redeemed, held or released
  std::optional<int64_t> hold_expires_at;  // TimestampTz
  bool replayed = false;
};

struct Redemption {
  Status status = Status::NotFound;
  std::optional<CodeRow> row;        // absent for not_found and for hidden reasons
  std::optional<LedgerEntry> entry;  // absent on a refusal, and always in 1.0
};

// Redeems one use of the code (a text Datum, already validated) on the 1.0
// schema: the counter alone. With reveal_reasons off, every refusal reads as
// not_found.
Redemption redeem_counter_only(SpiSession &spi, Datum code, bool reveal_reasons);

}  // namespace promo
