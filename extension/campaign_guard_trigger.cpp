// promo_campaigns_guard(): the trigger that keeps a DBA's change of a
// campaign from breaking its count (1.5), as promo_codes_guard does for a
// hot code (code_guard_trigger.cpp). One function, one trigger per event.
//   BEFORE UPDATE: waits for the redemptions in flight of the campaign's
//     codes (CampaignGuard, exclusive), then, if slots, max_uses or
//     current_uses change, folds the slots' uses into current_uses (the
//     slots then start from their new shares); CHECK constraints see the
//     sum. An UPDATE of the id is refused while codes or slot rows name it.
//   BEFORE DELETE: the same wait; refused (23503) while codes name the
//     campaign, as a foreign key would refuse it; its slot rows go with it.
//   A DELETE or a change of the id runs only in READ COMMITTED (0A000): a
//     snapshot would not see a code that joined the campaign since.
//     (No foreign key: pg_restore -j would have to load the campaigns
//     before the codes.)
//   AFTER TRUNCATE (READ COMMITTED only) of promo_campaigns: refused while
//     codes name a campaign; the slot rows go with the campaigns. Of
//     promo_campaign_slots: refused while a campaign exists, whose uses would
//     be lost.
#include <stdexcept>
#include <string>

#include "campaign_slots.hpp"
#include "error_bridge.hpp"
#include "lock_scheme.hpp"
#include "pg_headers.hpp"
#include "spi_session.hpp"
#include "trigger_row.hpp"

extern "C" {
#include "commands/trigger.h"
PG_FUNCTION_INFO_V1(promo_campaigns_guard);
}

namespace promo {

namespace {

// $1 campaign_id.
const SqlStatement has_codes_statement{"campaign_has_codes", R"(
SELECT EXISTS (SELECT FROM @extschema@.promo_codes WHERE campaign_id OPERATOR(pg_catalog.=) $1) AS found
)",
                                       {{"campaign_id", INT8OID}}};

const SqlStatement any_code_in_a_campaign_statement{"any_code_in_a_campaign", R"(
SELECT EXISTS (SELECT FROM @extschema@.promo_codes WHERE campaign_id IS NOT NULL) AS found
)",
                                                    {}};

const SqlStatement any_campaign_statement{"any_campaign", R"(
SELECT EXISTS (SELECT FROM @extschema@.promo_campaigns) AS found
)",
                                          {}};

const SqlStatement clear_campaign_slots_statement{"clear_campaign_slots", R"(
DELETE FROM @extschema@.promo_campaign_slots
)",
                                                  {}};

bool found(SpiSession &spi, const SqlStatement &statement, std::initializer_list<Argument> arguments) {
  return spi.execute(statement, arguments)[0].boolean("found").value();
}

[[noreturn]] void refuse_with_codes(const std::string &name, const char *what) {
  throw SqlError(ERRCODE_FOREIGN_KEY_VIOLATION, "campaign \"" + name + "\" has codes, so " + what,
                 "Move its codes to another campaign first, or deactivate it: is_active = false.");
}

// A code that joins a campaign locks its row FOR KEY SHARE; a DELETE or a
// change of the id, which waits for it, then sees the code only with a new
// snapshot.
void refuse_under_snapshot(const char *what) {
  if (IsolationUsesXactSnapshot())
    throw SqlError(ERRCODE_FEATURE_NOT_SUPPORTED,
                   std::string("a campaign's ") + what + " only in a READ COMMITTED transaction",
                   "Run it in a transaction of its own, at the default isolation level.");
}

void wait_for_redemptions(int64_t campaign_id) {
  locks::acquire({locks::Lock::CampaignGuard, campaign_id}, locks::Mode::Exclusive);
}

// Removes the campaign's slot rows; returns their uses. Under REPEATABLE
// READ a use taken since the snapshot raises 40001 instead of going unseen.
int32_t take_slots(SpiSession &spi, int64_t campaign_id, int32_t slots) {
  return SlottedCounter(spi, campaign_slots, campaign_id, slots, std::nullopt).fold();
}

Datum before_update(SpiSession &spi, TriggerData *trigger) {
  const RowColumns columns(trigger->tg_relation->rd_att);
  HeapTuple old_row = trigger->tg_trigtuple;
  HeapTuple new_row = trigger->tg_newtuple;
  const int64_t campaign_id = columns.id(old_row);
  const std::string name = columns.string(old_row, "name");
  if (columns.id(new_row) != campaign_id) refuse_under_snapshot("id can be changed");
  wait_for_redemptions(campaign_id);
  if (columns.id(new_row) != campaign_id && found(spi, has_codes_statement, {bigint_arg("campaign_id", campaign_id)}))
    refuse_with_codes(name, "its id cannot change");
  const bool respread = columns.id(old_row) != columns.id(new_row) ||
                        columns.slots(old_row) != columns.slots(new_row) ||
                        columns.max_uses(old_row) != columns.max_uses(new_row) ||
                        columns.current_uses(old_row) != columns.current_uses(new_row);
  if (!respread) return PointerGetDatum(new_row);
  const int64_t usage = static_cast<int64_t>(columns.current_uses(new_row)) +
                        take_slots(spi, campaign_id, columns.slots(old_row));
  if (columns.id(new_row) != campaign_id && usage != columns.current_uses(new_row))
    throw SqlError(ERRCODE_FOREIGN_KEY_VIOLATION, "campaign \"" + name + "\" has uses, so its id cannot change",
                   "Its slots name it by id.");
  if (usage == columns.current_uses(new_row)) return PointerGetDatum(new_row);
  if (usage > INT32_MAX)
    throw SqlError(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE, "campaign \"" + name + "\" counts more than 2147483647 uses",
                   "A campaign counts at most 2147483647 uses.");
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
  const int64_t campaign_id = columns.id(old_row);
  refuse_under_snapshot("row can be deleted");
  wait_for_redemptions(campaign_id);
  if (found(spi, has_codes_statement, {bigint_arg("campaign_id", campaign_id)}))
    refuse_with_codes(columns.string(old_row, "name"), "it cannot be deleted");
  take_slots(spi, campaign_id, columns.slots(old_row));
  return PointerGetDatum(old_row);
}

Datum after_truncate(SpiSession &spi, TriggerData *trigger) {
  const std::string table = pg_call([&] { return RelationGetRelationName(trigger->tg_relation); });
  if (IsolationUsesXactSnapshot())
    throw SqlError(ERRCODE_FEATURE_NOT_SUPPORTED, table + " can be truncated only in a READ COMMITTED transaction",
                   "Run the TRUNCATE in a transaction of its own, at the default isolation level.");
  if (table == "promo_campaigns") {
    if (found(spi, any_code_in_a_campaign_statement, {}))
      throw SqlError(ERRCODE_FOREIGN_KEY_VIOLATION, "promo_campaigns cannot be truncated while codes name a campaign",
                     "Truncate promo_codes in the same statement, or move the codes out of their campaigns.");
    spi.execute(clear_campaign_slots_statement, {});
  }
  if (table == "promo_campaign_slots" && found(spi, any_campaign_statement, {}))
    throw SqlError(ERRCODE_FOREIGN_KEY_VIOLATION, "promo_campaign_slots cannot be truncated while campaigns exist",
                   "Their slots count their uses: truncate promo_campaigns in the same statement, with promo_codes and promo_redemptions.");
  return PointerGetDatum(nullptr);
}

Datum guard(FunctionCallInfo fcinfo) {
  if (!CALLED_AS_TRIGGER(fcinfo)) throw std::logic_error("promo_campaigns_guard() must be called as a trigger");
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

// promo_campaigns_guard() RETURNS trigger -- from 1.5
Datum promo_campaigns_guard(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::guard(fcinfo); });
}
