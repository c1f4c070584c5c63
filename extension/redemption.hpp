// What a redemption call answers, whichever tables and path served it, and
// how a statement's row is read into it. The rules that decide it:
// redemption_rules.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "promo_types.hpp"
#include "spi_session.hpp"

namespace promo {

// A code row as the call left it.
struct CodeRow {
  int64_t id = 0;
  std::string code;
  int32_t current_uses = 0;
  std::optional<int32_t> max_uses;
  bool is_active = false;
};

// Reads the columns promo_id, code, current_uses, max_uses, is_active.
CodeRow read_code_row(const ResultRow &row);

// The ledger row a call made or replayed (1.1).
struct LedgerEntry {
  int64_t id = 0;
  std::string state;                       // redeemed, held or released
  std::optional<int64_t> hold_expires_at;  // TimestampTz
  bool replayed = false;
  std::optional<int64_t> discount;       // granted to its order (1.6)
  std::optional<std::string> currency;   // the order's (1.6)
};

// Reads the columns redemption_id, state, hold_expires_at.
LedgerEntry read_ledger_entry(const ResultRow &row, bool replayed);

// The same with the order's columns discount and currency (1.6's ledger).
LedgerEntry read_ledger_entry_with_order(const ResultRow &row, bool replayed);

// Which rules refused a use: the code's own, or its campaign's (1.5).
enum class Scope { Code, Campaign };

constexpr const char *scope_label(Scope scope) {
  return scope == Scope::Code ? "code" : "campaign";
}

struct Redemption {
  Status status = Status::NotFound;
  std::optional<CodeRow> row;        // absent for not_found and for hidden reasons
  std::optional<LedgerEntry> entry;  // absent on a refusal, and always in 1.0
  std::optional<int64_t> campaign_id = std::nullopt;  // the code's campaign, when the row is shown (1.5)
  std::optional<Scope> refused_by = std::nullopt;     // on a refusal other than not_found (1.5)
};

}  // namespace promo
