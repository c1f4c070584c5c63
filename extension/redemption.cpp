#include "redemption.hpp"

namespace promo {

CodeRow read_code_row(const ResultRow &row) {
  return CodeRow{row.int8("promo_id").value(), row.string("code").value(), row.int4("current_uses").value(),
                 row.int4("max_uses"), row.boolean("is_active").value()};
}

LedgerEntry read_ledger_entry(const ResultRow &row, bool replayed) {
  return LedgerEntry{row.int8("redemption_id").value(), row.string("state").value(),
                     row.timestamptz("hold_expires_at"), replayed, std::nullopt, std::nullopt};
}

LedgerEntry read_ledger_entry_with_order(const ResultRow &row, bool replayed) {
  LedgerEntry entry = read_ledger_entry(row, replayed);
  entry.discount = row.int8("discount");
  entry.currency = row.string("currency");
  return entry;
}

}  // namespace promo
