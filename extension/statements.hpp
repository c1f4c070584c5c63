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
  LedgerRedeemByCode,      // the guarded UPDATE and its ledger row, in one statement
  LedgerLockCode,          // locks the code row by code, with the reason and customer limit
  LedgerLockCodeById,      // the same, by id
  LedgerRedeemById,        // the guarded UPDATE and its ledger row, on a locked code
  LedgerFindKey,           // the redemption an idempotency key names
  LedgerCustomerLiveUses,  // a customer's live redemptions of a code
  LedgerReclaimHolds,      // releases a locked code's expired holds
  LedgerFindRedemption,    // the code of a redemption
  LedgerConfirm,           // makes a live hold a redemption
  LedgerRelease,           // gives a redemption's use back
  LedgerCodesWithExpiredHolds,
  // Version 1.3 schema: hot codes (slots > 1) beside the counter.
  SlottedRedeemByCode,         // the fast path for codes with one slot: ledger row, then the guarded UPDATE
  SlottedDropLedgerRow,        // removes a fast-path ledger row whose UPDATE was refused
  SlottedLockOneSlotCode,      // the 1.1 lock (FOR NO KEY UPDATE), slots as column 7, one-slot codes only
  SlottedLockOneSlotCodeById,  // the same, by id
  SlottedPeekCode,             // a code's id and slots, unlocked: is it hot?
  SlottedPeekCodeById,         // the same, by id
  SlottedLockCode,             // the 1.1 lock with slots as column 7, whatever the slots
  SlottedLockCodeById,         // the same, by id
  HotShareCode,                // shares a hot code's advisory lock (its changes take it exclusively)
  HotReadCodeById,             // the SlottedLockCode columns, read under that shared lock
  HotLockKey,                  // transaction advisory lock on (code, idempotency key)
  HotLockCustomer,             // transaction advisory lock on (code, customer)
  HotTakeFreeSlot,             // locks the first free slot with stock, from a preferred one on
  HotWaitForSlot,              // waits for the lock of the nearest slot with stock
  HotTakeSlot,                 // takes a use from a slot, if it has one
  HotLockSlots,                // locks every slot of a code, in slot order
  HotInsertLedger,             // the ledger row of a hot redemption, and the slots' uses
  HotSlotUses,                 // the uses counted in a code's slots
  HotReclaimHolds,             // releases expired holds of a code whose slots the caller locked
  HotLockSlotOf,               // locks the slot a redemption gives back to
  HotRelease,                  // gives a hot redemption's use back to its slot
  Count
};

struct StatementText {
  std::string sql;
  int arg_count;
  Oid arg_types[5];
};

const StatementText &statement_text(Statement statement);

}  // namespace promo
