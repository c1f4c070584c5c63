#include "statements.hpp"

#include <vector>

namespace promo {

namespace {

// Shared pieces. The guards are the heart of promo: PostgreSQL re-checks them
// on the newest row version once the row lock is granted, so concurrent
// redemptions can never push current_uses past max_uses.
const std::string code_matches_arg1 =
    " @extschema@.promo_normalize_code(code)"
    " OPERATOR(pg_catalog.=) @extschema@.promo_normalize_code($1)";
const std::string redeemable =
    " is_active"
    " AND (valid_from IS NULL OR valid_from OPERATOR(pg_catalog.<=) pg_catalog.now())"
    " AND (valid_until IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.<) valid_until)"
    " AND (max_uses IS NULL OR current_uses OPERATOR(pg_catalog.<) max_uses)";
const std::string increment =
    "UPDATE @extschema@.promo_codes SET current_uses = current_uses OPERATOR(pg_catalog.+) 1";
const std::string code_columns = " id, code, current_uses, max_uses, is_active";
// The first reason that applies wins; NULL means the row is eligible.
const std::string refusal_reason =
    " CASE WHEN NOT is_active THEN 'inactive'"
    "      WHEN valid_from OPERATOR(pg_catalog.>) pg_catalog.now() THEN 'not_yet_valid'"
    "      WHEN valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() THEN 'expired'"
    "      WHEN current_uses OPERATOR(pg_catalog.>=) max_uses THEN 'exhausted'"
    " END";
const std::string locked_code_columns = code_columns + "," + refusal_reason + ", max_uses_per_customer";

// Writes the ledger row of the code row the CTE code_row just incremented.
std::string with_ledger_row(const std::string &code_row_update, const char *customer, const char *key,
                            const char *hold) {
  return "WITH code_row AS (" + code_row_update + " RETURNING" + code_columns +
         "), ledger_row AS ("
         " INSERT INTO @extschema@.promo_redemptions"
         "   (promo_id, customer_id, idempotency_key, state, hold_expires_at)"
         " SELECT id, " +
         customer + ", " + key +
         ","
         "   CASE WHEN " +
         hold +
         " IS NULL THEN 'redeemed' ELSE 'held' END,"
         "   pg_catalog.now() OPERATOR(pg_catalog.+) " +
         hold +
         "   FROM code_row"
         " RETURNING id, state, hold_expires_at)"
         " SELECT c.id, c.code, c.current_uses, c.max_uses, c.is_active,"
         "        l.id, l.state, l.hold_expires_at"
         "   FROM code_row c, ledger_row l";
}

std::vector<StatementText> build_texts() {
  std::vector<StatementText> texts(static_cast<size_t>(Statement::Count));
  auto set = [&](Statement statement, StatementText text) { texts[static_cast<size_t>(statement)] = text; };

  // $1 code. Returns the code columns.
  set(Statement::CounterRedeem,
      {increment + " WHERE" + code_matches_arg1 + " AND" + redeemable + " RETURNING" + code_columns,
       1,
       {TEXTOID}});
  // $1 code. Returns the code columns and the refusal reason.
  set(Statement::CounterLockAndClassify,
      {"SELECT" + code_columns + "," + refusal_reason + " FROM @extschema@.promo_codes WHERE" +
           code_matches_arg1 + " FOR NO KEY UPDATE",
       1,
       {TEXTOID}});

  // $1 code, $2 customer, $3 hold. The fast path: no key, and no customer
  // limit to check (that check must follow the row lock, so it takes the
  // locked path). Returns the code columns, redemption id, state, expiry.
  set(Statement::LedgerRedeemByCode,
      {with_ledger_row(increment + " WHERE" + code_matches_arg1 + " AND" + redeemable +
                           " AND (max_uses_per_customer IS NULL OR $2::text IS NULL)",
                       "$2", "NULL", "$3::interval"),
       3,
       {TEXTOID, TEXTOID, INTERVALOID}});
  // $1 code. Returns the code columns, the refusal reason, max_uses_per_customer.
  set(Statement::LedgerLockCode, {"SELECT" + locked_code_columns + " FROM @extschema@.promo_codes WHERE" +
                                      code_matches_arg1 + " FOR NO KEY UPDATE",
                                  1,
                                  {TEXTOID}});
  // $1 code id. Same columns.
  set(Statement::LedgerLockCodeById,
      {"SELECT" + locked_code_columns +
           " FROM @extschema@.promo_codes WHERE id OPERATOR(pg_catalog.=) $1 FOR NO KEY UPDATE",
       1,
       {INT8OID}});
  // $1 code id (locked), $2 customer, $3 key, $4 hold.
  set(Statement::LedgerRedeemById,
      {with_ledger_row(increment + " WHERE id OPERATOR(pg_catalog.=) $1 AND" + redeemable, "$2", "$3",
                       "$4::interval"),
       4,
       {INT8OID, TEXTOID, TEXTOID, INTERVALOID}});
  // $1 code id, $2 key. Returns id, customer_id, state, hold_expires_at, whether it is an expired hold.
  set(Statement::LedgerFindKey,
      {"SELECT id, customer_id, state, hold_expires_at,"
       "       state OPERATOR(pg_catalog.=) 'held'"
       "       AND hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()"
       "  FROM @extschema@.promo_redemptions"
       " WHERE promo_id OPERATOR(pg_catalog.=) $1 AND idempotency_key OPERATOR(pg_catalog.=) $2",
       2,
       {INT8OID, TEXTOID}});
  // $1 code id, $2 customer. Live = redeemed or held (an expired hold counts until reclaimed).
  set(Statement::LedgerCustomerLiveUses,
      {"SELECT pg_catalog.count(*)::integer FROM @extschema@.promo_redemptions"
       " WHERE promo_id OPERATOR(pg_catalog.=) $1 AND customer_id OPERATOR(pg_catalog.=) $2"
       "   AND state OPERATOR(pg_catalog.<>) 'released'",
       2,
       {INT8OID, TEXTOID}});
  // $1 code id, whose row the caller has locked. Returns how many holds it released.
  set(Statement::LedgerReclaimHolds,
      {"WITH reclaimed AS ("
       " UPDATE @extschema@.promo_redemptions"
       "    SET state = 'released', released_at = pg_catalog.now()"
       "  WHERE promo_id OPERATOR(pg_catalog.=) $1 AND state OPERATOR(pg_catalog.=) 'held'"
       "    AND hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()"
       " RETURNING 1), counted AS (SELECT pg_catalog.count(*)::integer AS n FROM reclaimed),"
       " given_back AS ("
       " UPDATE @extschema@.promo_codes SET current_uses = current_uses OPERATOR(pg_catalog.-) counted.n"
       "   FROM counted WHERE id OPERATOR(pg_catalog.=) $1 AND counted.n OPERATOR(pg_catalog.>) 0"
       " RETURNING 1)"
       " SELECT n FROM counted",
       1,
       {INT8OID}});
  // $1 redemption id. Returns its code id.
  set(Statement::LedgerFindRedemption,
      {"SELECT promo_id FROM @extschema@.promo_redemptions WHERE id OPERATOR(pg_catalog.=) $1",
       1,
       {INT8OID}});
  // $1 redemption id, whose code row the caller has locked.
  set(Statement::LedgerConfirm, {"UPDATE @extschema@.promo_redemptions SET state = 'redeemed'"
                                 " WHERE id OPERATOR(pg_catalog.=) $1 AND state OPERATOR(pg_catalog.=) 'held'"
                                 "   AND hold_expires_at OPERATOR(pg_catalog.>) pg_catalog.now()"
                                 " RETURNING id",
                                 1,
                                 {INT8OID}});
  // $1 redemption id, whose code row the caller has locked.
  set(Statement::LedgerRelease,
      {"WITH released AS ("
       " UPDATE @extschema@.promo_redemptions SET state = 'released', released_at = pg_catalog.now()"
       "  WHERE id OPERATOR(pg_catalog.=) $1 AND state OPERATOR(pg_catalog.<>) 'released'"
       " RETURNING promo_id)"
       " UPDATE @extschema@.promo_codes c SET current_uses = current_uses OPERATOR(pg_catalog.-) 1"
       "   FROM released WHERE c.id OPERATOR(pg_catalog.=) released.promo_id"
       " RETURNING c.id",
       1,
       {INT8OID}});
  set(Statement::LedgerCodesWithExpiredHolds,
      {"SELECT DISTINCT promo_id FROM @extschema@.promo_redemptions"
       " WHERE state OPERATOR(pg_catalog.=) 'held'"
       "   AND hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()"
       " ORDER BY promo_id",
       0,
       {}});

  // Version 1.3. $1 code, $2 customer, $3 hold. The fast path writes the
  // ledger row, queues on an advisory lock per code, and then takes the row
  // lock for the guarded UPDATE alone. The advisory lock is handed to the
  // next caller in line when its holder commits; a row lock wakes every
  // waiter to race for it, which is what makes one code collapse under load.
  // And both locks are held only from the UPDATE to the commit. (Without a
  // foreign key, the INSERT does not touch the code row.) The filter, on the
  // statement's snapshot, keeps out the calls the UPDATE would refuse; a race
  // it misses returns the ledger row with no code columns, and the caller
  // deletes it (SlottedDropLedgerRow). Hot codes take the other path: their uses live
  // in slots. Returns the code columns (null if refused), redemption id,
  // state, expiry.
  set(Statement::SlottedRedeemByCode,
      {"WITH ledger_row AS ("
       " INSERT INTO @extschema@.promo_redemptions (promo_id, customer_id, state, hold_expires_at)"
       " SELECT id, $2, CASE WHEN $3::interval IS NULL THEN 'redeemed' ELSE 'held' END,"
       "        pg_catalog.now() OPERATOR(pg_catalog.+) $3::interval"
       "   FROM @extschema@.promo_codes WHERE" +
           code_matches_arg1 + " AND" + redeemable +
           "    AND slots OPERATOR(pg_catalog.=) 1 AND (max_uses_per_customer IS NULL OR $2::text IS NULL)"
           " RETURNING id, promo_id, state, hold_expires_at),"
           " queued AS MATERIALIZED ("
           " SELECT promo_id, pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('queue', "
           "promo_id))"
           "   FROM ledger_row),"
           " code_row AS (" +
           increment + " WHERE id OPERATOR(pg_catalog.=) (SELECT promo_id FROM queued) AND" + redeemable +
           // Re-checked on the newest row version: still one slot, and
           // still no customer limit to count (1.4 fixes for the 1.3 schema).
           " AND slots OPERATOR(pg_catalog.=) 1 AND (max_uses_per_customer IS NULL OR $2::text IS NULL)"
           " RETURNING" + code_columns +
           ")"
           " SELECT c.id, c.code, c.current_uses, c.max_uses, c.is_active, l.id, l.state, l.hold_expires_at"
           "   FROM ledger_row l LEFT JOIN code_row c ON true",
       3,
       {TEXTOID, TEXTOID, INTERVALOID}});
  // $1 redemption id: a fast-path ledger row whose UPDATE was refused.
  set(Statement::SlottedDropLedgerRow,
      {"DELETE FROM @extschema@.promo_redemptions WHERE id OPERATOR(pg_catalog.=) $1", 1, {INT8OID}});
  const std::string by_code = " FROM @extschema@.promo_codes WHERE" + code_matches_arg1;
  const std::string by_id = " FROM @extschema@.promo_codes WHERE id OPERATOR(pg_catalog.=) $1";
  set(Statement::SlottedPeekCode, {"SELECT id, slots" + by_code, 1, {TEXTOID}});
  set(Statement::SlottedPeekCodeById, {"SELECT id, slots" + by_id, 1, {INT8OID}});
  const std::string slotted_columns = "SELECT" + locked_code_columns + ", slots";
  const std::string one_slot = " AND slots OPERATOR(pg_catalog.=) 1";
  set(Statement::SlottedLockOneSlotCode,
      {slotted_columns + by_code + one_slot + " FOR NO KEY UPDATE", 1, {TEXTOID}});
  set(Statement::SlottedLockOneSlotCodeById,
      {slotted_columns + by_id + one_slot + " FOR NO KEY UPDATE", 1, {INT8OID}});
  set(Statement::SlottedLockCode, {slotted_columns + by_code + " FOR NO KEY UPDATE", 1, {TEXTOID}});
  set(Statement::SlottedLockCodeById, {slotted_columns + by_id + " FOR NO KEY UPDATE", 1, {INT8OID}});
  // $1 code id. The same key as promo_hot_code_lock() in the install script.
  set(Statement::HotShareCode,
      {"SELECT pg_catalog.pg_advisory_xact_lock_shared(pg_catalog.hashtextextended('code', $1))",
       1,
       {INT8OID}});
  set(Statement::HotReadCodeById, {slotted_columns + by_id, 1, {INT8OID}});

  // $1 code id, $2 key / customer. A hash collision only serializes two
  // callers that need not wait for each other.
  set(Statement::HotLockKey, {"SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('key:' "
                              "OPERATOR(pg_catalog.||) $2, $1))",
                              2,
                              {INT8OID, TEXTOID}});
  set(Statement::HotLockCustomer, {"SELECT pg_catalog.pg_advisory_xact_lock("
                                   "pg_catalog.hashtextextended('customer:' OPERATOR(pg_catalog.||) $2, $1))",
                                   2,
                                   {INT8OID, TEXTOID}});

  const std::string slots_table = " @extschema@.promo_code_slots";
  const std::string take_use =
      " SET uses = s.uses OPERATOR(pg_catalog.+) 1, remaining = s.remaining OPERATOR(pg_catalog.-) 1";
  const std::string has_stock = " (remaining IS NULL OR remaining OPERATOR(pg_catalog.>) 0)";
  // Redemptions queue for a slot on an advisory lock per slot rather than on
  // its row: the lock manager hands a released lock to the next in line,
  // where a row lock wakes every waiter to race for it. The row lock still
  // guards the count; the advisory lock only orders the redemptions.
  const std::string slot_lock_key =
      "pg_catalog.hashtextextended('slot', $1) OPERATOR(pg_catalog.#) slot::bigint";
  const std::string slots_with_stock_in_turn =
      "SELECT slot FROM" + slots_table + " WHERE promo_id OPERATOR(pg_catalog.=) $1 AND" + has_stock +
      " ORDER BY (slot OPERATOR(pg_catalog.+) $3 OPERATOR(pg_catalog.-) $2) OPERATOR(pg_catalog.%) $3";
  // $1 code id, $2 preferred slot, $3 slots. The first slot with stock, from
  // the preferred one on, whose lock nobody holds; locks it.
  set(Statement::HotTakeFreeSlot,
      {"SELECT slot FROM (" + slots_with_stock_in_turn +
           " OFFSET 0) in_turn"  // OFFSET 0: try in this order
           " WHERE pg_catalog.pg_try_advisory_xact_lock(" +
           slot_lock_key + ") LIMIT 1",
       3,
       {INT8OID, INT4OID, INT4OID}});
  // $1 code id, $2 preferred slot, $3 slots. The first slot with stock, from
  // the preferred one on; waits for its lock.
  set(Statement::HotWaitForSlot, {"SELECT slot, pg_catalog.pg_advisory_xact_lock(" + slot_lock_key +
                                      ") FROM (" + slots_with_stock_in_turn + " LIMIT 1) nearest",
                                  3,
                                  {INT8OID, INT4OID, INT4OID}});
  // $1 code id, $2 slot. Takes a use if one is left.
  set(Statement::HotTakeSlot,
      {"UPDATE" + slots_table + " s" + take_use +
           " WHERE promo_id OPERATOR(pg_catalog.=) $1 AND slot OPERATOR(pg_catalog.=) $2 AND" + has_stock +
           " RETURNING slot",
       2,
       {INT8OID, INT4OID}});
  // $1 code id. Returns slot, whether it has stock.
  set(Statement::HotLockSlots,
      {"SELECT slot," + has_stock + " FROM" + slots_table +
           " WHERE promo_id OPERATOR(pg_catalog.=) $1 ORDER BY slot FOR NO KEY UPDATE",
       1,
       {INT8OID}});
  // $1 code id, $2 customer, $3 key, $4 hold, $5 slot. Returns the
  // redemption id, state, expiry, and the uses counted in the code's slots.
  set(Statement::HotInsertLedger,
      {"WITH ledger_row AS ("
       " INSERT INTO @extschema@.promo_redemptions"
       "   (promo_id, customer_id, idempotency_key, state, hold_expires_at, slot)"
       " VALUES ($1, $2, $3, CASE WHEN $4::interval IS NULL THEN 'redeemed' ELSE 'held' END,"
       "         pg_catalog.now() OPERATOR(pg_catalog.+) $4::interval, $5)"
       " RETURNING id, state, hold_expires_at)"
       " SELECT id, state, hold_expires_at, (SELECT COALESCE(pg_catalog.sum(uses), 0)::integer"
       "   FROM" +
           slots_table +
           " WHERE promo_id OPERATOR(pg_catalog.=) $1)"
           "   FROM ledger_row",
       5,
       {INT8OID, TEXTOID, TEXTOID, INTERVALOID, INT4OID}});
  set(Statement::HotSlotUses, {"SELECT COALESCE(pg_catalog.sum(uses), 0)::integer FROM" + slots_table +
                                   " WHERE promo_id OPERATOR(pg_catalog.=) $1",
                               1,
                               {INT8OID}});
  // $1 code id, $2 slots; the caller holds every slot's lock. Each expired
  // hold goes back to its slot. Returns how many.
  set(Statement::HotReclaimHolds,
      {"WITH reclaimed AS ("
       " UPDATE @extschema@.promo_redemptions"
       "    SET state = 'released', released_at = pg_catalog.now()"
       "  WHERE promo_id OPERATOR(pg_catalog.=) $1 AND state OPERATOR(pg_catalog.=) 'held'"
       "    AND hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()"
       " RETURNING COALESCE(slot, 0) OPERATOR(pg_catalog.%) $2 AS slot),"
       " per_slot AS (SELECT slot, pg_catalog.count(*)::integer AS n FROM reclaimed GROUP BY slot),"
       " given_back AS ("
       " UPDATE" +
           slots_table +
           " s SET uses = s.uses OPERATOR(pg_catalog.-) per_slot.n,"
           "        remaining = s.remaining OPERATOR(pg_catalog.+) per_slot.n"
           "   FROM per_slot WHERE s.promo_id OPERATOR(pg_catalog.=) $1 AND s.slot OPERATOR(pg_catalog.=) "
           "per_slot.slot"
           " RETURNING 1)"
           " SELECT COALESCE(pg_catalog.sum(n), 0)::integer FROM per_slot",
       2,
       {INT8OID, INT4OID}});
  // $1 redemption id, $2 code id, $3 slots. Locked before the ledger row, the
  // order every hot path keeps: code row, slots, ledger rows.
  set(Statement::HotLockSlotOf,
      {"SELECT slot FROM" + slots_table +
           " WHERE promo_id OPERATOR(pg_catalog.=) $2 AND slot OPERATOR(pg_catalog.=)"
           "  (SELECT COALESCE(slot, 0) OPERATOR(pg_catalog.%) $3"
           "     FROM @extschema@.promo_redemptions WHERE id OPERATOR(pg_catalog.=) $1)"
           " FOR NO KEY UPDATE",
       3,
       {INT8OID, INT8OID, INT4OID}});
  // $1 redemption id, $2 slots.
  set(Statement::HotRelease,
      {"WITH released AS ("
       " UPDATE @extschema@.promo_redemptions SET state = 'released', released_at = pg_catalog.now()"
       "  WHERE id OPERATOR(pg_catalog.=) $1 AND state OPERATOR(pg_catalog.<>) 'released'"
       " RETURNING promo_id, COALESCE(slot, 0) OPERATOR(pg_catalog.%) $2 AS slot)"
       " UPDATE" +
           slots_table +
           " s SET uses = s.uses OPERATOR(pg_catalog.-) 1,"
           "        remaining = s.remaining OPERATOR(pg_catalog.+) 1"
           "   FROM released WHERE s.promo_id OPERATOR(pg_catalog.=) released.promo_id"
           "    AND s.slot OPERATOR(pg_catalog.=) released.slot"
           " RETURNING s.promo_id",
       2,
       {INT8OID, INT4OID}});
  return texts;
}

}  // namespace

const StatementText &statement_text(Statement statement) {
  static const std::vector<StatementText> texts = build_texts();
  return texts[static_cast<size_t>(statement)];
}

}  // namespace promo
