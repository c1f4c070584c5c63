// The SQL that promo runs through SPI. Every object is schema-qualified:
// @extschema@ is replaced by the extension's schema, resolved at run time,
// and everything else is pg_catalog's. Values are always SPI parameters.
#pragma once

#include <string>

#include "pg_headers.hpp"

namespace promo {

enum class Statement {
  // Version 1.0 schema: the counter alone.
  CounterRedeem,           // the one guarded UPDATE
  CounterLockAndClassify,  // locks the code row and names the reason it was refused
  // Version 1.1 schema: the counter and the ledger.
  LedgerRedeemByCode,        // the guarded UPDATE and its ledger row, in one statement
  LedgerLockCode,            // locks the code row by code, with the reason and customer limit
  LedgerLockCodeById,        // the same, by id
  LedgerRedeemById,          // the guarded UPDATE and its ledger row, on a locked code
  LedgerFindKey,             // the redemption an idempotency key names
  LedgerCustomerLiveUses,    // a customer's live redemptions of a code
  LedgerReclaimHolds,        // releases a locked code's expired holds
  LedgerFindRedemption,      // the code of a redemption
  LedgerConfirm,             // makes a live hold a redemption
  LedgerRelease,             // gives a redemption's use back
  LedgerCodesWithExpiredHolds,
  Count
};

struct StatementText {
  std::string sql;
  int arg_count;
  Oid arg_types[4];
};

const StatementText &statement_text(Statement statement);

}  // namespace promo
