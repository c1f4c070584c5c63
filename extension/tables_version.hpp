// Which version of promo's tables a call finds. The SQL functions of an
// older version go on calling into a newer library until ALTER EXTENSION
// promo UPDATE, and a call that waited for that update finds the new tables
// when it goes on: each call looks, after its first lock, and runs the logic
// of the tables it finds.
#pragma once

#include <string>

#include "pg_headers.hpp"
#include "spi_session.hpp"

namespace promo {

enum class TablesVersion { V1_0, V1_1, V1_3, V1_4, V1_5, V1_6 };

// Whether the tables are 1.4's or newer: the core (code_redemption.hpp) serves them.
inline bool served_by_core(TablesVersion tables) {
  return tables == TablesVersion::V1_4 || tables == TablesVersion::V1_5 || tables == TablesVersion::V1_6;
}

// Whether codes may have a campaign (1.5's tables and newer).
inline bool has_campaigns(TablesVersion tables) {
  return tables == TablesVersion::V1_5 || tables == TablesVersion::V1_6;
}

// Whether codes have order terms and the ledger records orders (1.6's tables).
inline bool has_orders(TablesVersion tables) {
  return tables == TablesVersion::V1_6;
}

// Locks promo_codes (ROW EXCLUSIVE, which every redemption takes anyway; it
// waits for an update of the extension in progress) and reads its columns.
TablesVersion tables_version(const std::string &schema);

// After tables_version: a call whose SQL function the update dropped while it
// waited, or whose REPEATABLE READ snapshot predates the update (a table the
// update rewrote reads as empty to it), ends with 40001: its retry runs the
// new functions on the new tables. One whose snapshot sees a version newer
// than this library (a session that loaded it before make install) ends
// with 55000: it must reconnect.
void refuse_call_older_than_tables(FunctionCallInfo fcinfo, SpiSession &spi, TablesVersion tables);

}  // namespace promo
