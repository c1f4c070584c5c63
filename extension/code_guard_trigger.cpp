// promo_codes_guard(): the trigger that keeps a DBA's change of promo's
// tables from breaking a count. One function, so the order of what it does
// is written here, not left to the names of several triggers.
//   BEFORE UPDATE of a code that is or becomes hot: waits for the code's hot
//     redemptions (CodeGuard, exclusive), then, if slots, max_uses or
//     current_uses change, folds the slots' uses into current_uses (the
//     slots then start from their new shares); CHECK constraints see the sum.
//   BEFORE DELETE: the same wait for a hot code; a code with ledger rows is
//     refused (23503), as a foreign key would refuse it; its slot rows go
//     with it (no foreign key does that: its check would lock the code row
//     on every slot a redemption starts, and pg_restore -j could load the
//     slots before the codes and lose them).
//   An UPDATE of a code's id is refused while ledger or slot rows name it;
//     of its campaign_id (1.5), while it has live (redeemed or held) ones.
//   AFTER TRUNCATE (READ COMMITTED only) of promo_codes: refused while the ledger has rows, which
//     would be left without their code; the slot rows go with the codes. Of
//     promo_code_slots: refused while a code is hot, whose uses would be
//     lost. Of promo_redemptions: refused while codes exist, whose counts,
//     keys and customer limits it holds, or while a campaign (1.5) counts
//     uses.
// Under REPEATABLE READ and SERIALIZABLE the change sees the slots as they
// are now, not as its snapshot saw them, or fails with 40001 (take_slots).
//
// The order of triggers: on each of promo_codes, promo_code_slots and
// promo_redemptions, 1.4 has one promo trigger per event and timing (see
// promo--1.4.sql), so no two of them fire for the same change and their
// names decide nothing (1.3 had two BEFORE UPDATE triggers whose safety
// hung on their names sorting in the right order: lock_scheme.hpp).
// test/static/cpp_matches_sql.sh checks that it stays so. A DBA's own BEFORE UPDATE
// trigger named after promo_codes_guard_update that changes slots, max_uses
// or current_uses would change them after the fold: do not add one.
#include <stdexcept>
#include <string>

#include "error_bridge.hpp"
#include "lock_scheme.hpp"
#include "pg_headers.hpp"
#include "slotted_counter.hpp"
#include "spi_session.hpp"
#include "trigger_row.hpp"

extern "C" {
#include "commands/trigger.h"
PG_FUNCTION_INFO_V1(promo_codes_guard);
}

namespace promo {

namespace {

// $1 promo_id.
const SqlStatement has_ledger_rows_statement{"has_ledger_rows", R"(
SELECT EXISTS (SELECT FROM @extschema@.promo_redemptions
                WHERE promo_id OPERATOR(pg_catalog.=) $1) AS found
)",
                                             {{"promo_id", INT8OID}}};

// $1 promo_id.
// $1 promo_id.
const SqlStatement has_live_ledger_rows_statement{"has_live_ledger_rows", R"(
SELECT EXISTS (SELECT FROM @extschema@.promo_redemptions
                WHERE promo_id OPERATOR(pg_catalog.=) $1
                  AND state OPERATOR(pg_catalog.<>) 'released') AS found
)",
                                                  {{"promo_id", INT8OID}}};

// $1 campaign_id. Locked as a foreign key's check locks it, so that a
// concurrent DELETE of the campaign (or a change of its id) waits for this
// transaction and then sees the code (campaign_guard_trigger.cpp).
const SqlStatement campaign_exists_statement{"campaign_exists", R"(
SELECT EXISTS (SELECT FROM @extschema@.promo_campaigns WHERE id OPERATOR(pg_catalog.=) $1 FOR KEY SHARE) AS found
)",
                                             {{"campaign_id", INT8OID}}};

const SqlStatement has_slot_rows_statement{"has_slot_rows", R"(
SELECT EXISTS (SELECT FROM @extschema@.promo_code_slots
                WHERE promo_id OPERATOR(pg_catalog.=) $1) AS found
)",
                                           {{"promo_id", INT8OID}}};

// Whether the tables have campaigns (1.5); then whether one counts uses,
// which are its codes' ledger rows.
const SqlStatement has_campaigns_statement{"has_campaigns", R"(
SELECT pg_catalog.to_regclass('@extschema@.promo_campaigns') IS NOT NULL AS found
)",
                                           {}};
const SqlStatement any_campaign_uses_statement{"any_campaign_uses", R"(
SELECT EXISTS (SELECT FROM @extschema@.promo_campaigns WHERE current_uses OPERATOR(pg_catalog.<>) 0)
    OR EXISTS (SELECT FROM @extschema@.promo_campaign_slots WHERE uses OPERATOR(pg_catalog.<>) 0) AS found
)",
                                               {}};

const SqlStatement any_ledger_rows_statement{"any_ledger_rows", R"(
SELECT EXISTS (SELECT FROM @extschema@.promo_redemptions) AS found
)",
                                             {}};

const SqlStatement any_hot_code_statement{"any_hot_code", R"(
SELECT EXISTS (SELECT FROM @extschema@.promo_codes WHERE slots OPERATOR(pg_catalog.>) 1) AS found
)",
                                          {}};

const SqlStatement any_code_statement{"any_code", R"(
SELECT EXISTS (SELECT FROM @extschema@.promo_codes) AS found
)",
                                      {}};

const SqlStatement clear_slots_statement{"clear_slots", R"(
DELETE FROM @extschema@.promo_code_slots
)",
                                         {}};

bool found(SpiSession &spi, const SqlStatement &statement, std::initializer_list<Argument> arguments) {
  return spi.execute(statement, arguments)[0].boolean("found").value();
}

void wait_for_hot_redemptions(int64_t promo_id) {
  locks::acquire({locks::Lock::CodeGuard, promo_id}, locks::Mode::Exclusive);
}

// Removes a code's slot rows, every one that exists now; returns their uses.
// (The shares do not matter: the rows go at once.)
int32_t take_slots(SpiSession &spi, int64_t promo_id, int32_t slots) {
  return SlottedCounter(spi, code_slots, promo_id, slots, std::nullopt).fold();
}

// A campaign counts its codes' live redemptions (1.5): a code joins or
// leaves one only without any, and joins only one that exists. A one-slot
// code's redemptions lock its row before they read its campaign, so this
// sees every one committed.
void check_campaign_change(SpiSession &spi, const RowColumns &columns, HeapTuple old_row, HeapTuple new_row) {
  const std::optional<int64_t> joins = columns.int8(new_row, "campaign_id");
  const std::optional<int64_t> leaves = columns.int8(old_row, "campaign_id");
  if (joins.has_value() == leaves.has_value() && (!joins || *joins == *leaves)) return;
  // A snapshot would not see a hot code's redemptions committed since (they
  // do not touch its row), so the check below could pass wrongly.
  if (IsolationUsesXactSnapshot())
    throw SqlError(ERRCODE_FEATURE_NOT_SUPPORTED,
                   "a code's campaign can be changed only in a READ COMMITTED transaction",
                   "Run the UPDATE in a transaction of its own, at the default isolation level.");
  if (found(spi, has_live_ledger_rows_statement, {bigint_arg("promo_id", columns.id(old_row))}))
    throw SqlError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                   "promo code \"" + columns.string(old_row, "code") +
                       "\" has live redemptions, so its campaign cannot change",
                   "Release them first, or create a new code in the other campaign.");
  if (joins && !found(spi, campaign_exists_statement, {bigint_arg("campaign_id", *joins)}))
    throw SqlError(ERRCODE_FOREIGN_KEY_VIOLATION, "campaign " + std::to_string(*joins) + " does not exist",
                   "A code's campaign_id names a row of promo_campaigns.");
}

Datum before_update(SpiSession &spi, TriggerData *trigger) {
  const RowColumns columns(trigger->tg_relation->rd_att);
  HeapTuple old_row = trigger->tg_trigtuple;
  HeapTuple new_row = trigger->tg_newtuple;
  const int64_t promo_id = columns.id(old_row);
  const bool hot = columns.slots(old_row) > 1 || columns.slots(new_row) > 1;
  if (hot) wait_for_hot_redemptions(promo_id);
  // The ledger and the slots name a code by its id, and its locks are keyed by it.
  if (columns.id(new_row) != promo_id &&
      (found(spi, has_ledger_rows_statement, {bigint_arg("promo_id", promo_id)}) ||
       found(spi, has_slot_rows_statement, {bigint_arg("promo_id", promo_id)})))
    throw SqlError(ERRCODE_FOREIGN_KEY_VIOLATION,
                   "promo code \"" + columns.string(old_row, "code") + "\" has redemptions, so its id cannot change",
                   "Its ledger rows name it by id.");
  if (columns.has("campaign_id")) check_campaign_change(spi, columns, old_row, new_row);
  if (!hot) return PointerGetDatum(new_row);

  const bool respread = columns.slots(old_row) != columns.slots(new_row) ||
                        columns.max_uses(old_row) != columns.max_uses(new_row) ||
                        columns.current_uses(old_row) != columns.current_uses(new_row);
  if (!respread) return PointerGetDatum(new_row);
  const int32_t folded = take_slots(spi, promo_id, columns.slots(old_row));
  if (folded == 0) return PointerGetDatum(new_row);
  const int64_t usage = static_cast<int64_t>(columns.current_uses(new_row)) + folded;
  if (usage > INT32_MAX)
    throw SqlError(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE,
                   "promo code \"" + columns.string(old_row, "code") + "\" counts more than 2147483647 uses",
                   "A code counts at most 2147483647 uses.");
  int attribute = columns.number("current_uses");
  Datum current = Int32GetDatum(static_cast<int32_t>(usage));
  Relation relation = trigger->tg_relation;
  // SPI_modifytuple makes the row in the caller's context, which outlives SPI.
  return pg_call([&] {
    HeapTuple modified = SPI_modifytuple(relation, new_row, 1, &attribute, &current, nullptr);
    if (modified == nullptr) elog(ERROR, "promo: SPI_modifytuple failed: %s", SPI_result_code_string(SPI_result));
    return PointerGetDatum(modified);
  });
}

Datum before_delete(SpiSession &spi, TriggerData *trigger) {
  const RowColumns columns(trigger->tg_relation->rd_att);
  HeapTuple old_row = trigger->tg_trigtuple;
  const int64_t promo_id = columns.id(old_row);
  if (columns.slots(old_row) > 1) wait_for_hot_redemptions(promo_id);
  // First the slots: under REPEATABLE READ a use taken since the snapshot
  // (whose ledger row the snapshot cannot see) raises 40001 there.
  take_slots(spi, promo_id, columns.slots(old_row));
  if (found(spi, has_ledger_rows_statement, {bigint_arg("promo_id", promo_id)}))
    throw SqlError(ERRCODE_FOREIGN_KEY_VIOLATION,
                   "promo code \"" + columns.string(old_row, "code") + "\" has redemptions and cannot be deleted",
                   "Deactivate it instead: is_active = false.");
  return PointerGetDatum(old_row);
}

Datum after_truncate(SpiSession &spi, TriggerData *trigger) {
  const std::string table = pg_call([&] { return RelationGetRelationName(trigger->tg_relation); });
  // Its checks read the other tables; an older snapshot would not see what
  // was committed since, and TRUNCATE is not undone by MVCC.
  if (IsolationUsesXactSnapshot())
    throw SqlError(ERRCODE_FEATURE_NOT_SUPPORTED,
                   table + " can be truncated only in a READ COMMITTED transaction",
                   "Run the TRUNCATE in a transaction of its own, at the default isolation level.");
  const char *both = "Truncate them in one statement: TRUNCATE promo_codes, promo_redemptions, promo_code_slots.";
  if (table == "promo_codes") {
    if (found(spi, any_ledger_rows_statement, {}))
      throw SqlError(ERRCODE_FOREIGN_KEY_VIOLATION, "promo_codes cannot be truncated while promo_redemptions has rows",
                     both);
    spi.execute(clear_slots_statement, {});
  }
  if (table == "promo_code_slots" && found(spi, any_hot_code_statement, {}))
    throw SqlError(ERRCODE_FOREIGN_KEY_VIOLATION, "promo_code_slots cannot be truncated while a code is hot",
                   "Its slots count uses: set slots = 1 on every hot code first.");
  if (table == "promo_redemptions" && found(spi, any_code_statement, {}))
    throw SqlError(ERRCODE_FOREIGN_KEY_VIOLATION, "promo_redemptions cannot be truncated while codes exist",
                   both);
  if (table == "promo_redemptions" && found(spi, has_campaigns_statement, {}) &&
      found(spi, any_campaign_uses_statement, {}))
    throw SqlError(ERRCODE_FOREIGN_KEY_VIOLATION,
                   "promo_redemptions cannot be truncated while a campaign counts uses of it",
                   "Truncate promo_campaigns and promo_campaign_slots in the same statement.");
  return PointerGetDatum(nullptr);
}

Datum guard(FunctionCallInfo fcinfo) {
  if (!CALLED_AS_TRIGGER(fcinfo)) throw std::logic_error("promo_codes_guard() must be called as a trigger");
  auto *trigger = reinterpret_cast<TriggerData *>(fcinfo->context);
  SpiSession spi(function_schema(fcinfo));
  Datum result;
  if (TRIGGER_FIRED_BY_TRUNCATE(trigger->tg_event))
    result = after_truncate(spi, trigger);
  else if (TRIGGER_FIRED_BY_DELETE(trigger->tg_event))
    result = before_delete(spi, trigger);
  else
    result = before_update(spi, trigger);
  spi.finish();
  return result;
}

}  // namespace
}  // namespace promo

// promo_codes_guard() RETURNS trigger -- from 1.4
Datum promo_codes_guard(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::guard(fcinfo); });
}
