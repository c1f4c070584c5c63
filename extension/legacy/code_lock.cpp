#include "legacy/code_lock.hpp"

#include <stdexcept>

#include "lock_scheme.hpp"
#include "redemption_rules.hpp"

namespace promo::legacy {

namespace {

// Every statement below returns a code row with what it has against a new
// use; 1.1's tables have no slots column, so those say 1.

// 1.1: $1 code.
const SqlStatement lock_code_1_1{"legacy_lock_code_1_1",
                                 R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, 1 AS slots,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       max_uses IS NOT NULL AND current_uses OPERATOR(pg_catalog.>=) max_uses AS exhausted
  FROM @extschema@.promo_codes
 WHERE @extschema@.promo_normalize_code(code) OPERATOR(pg_catalog.=) @extschema@.promo_normalize_code($1)
   FOR NO KEY UPDATE
)",
                                 {{"code", TEXTOID}}};

// 1.1: $1 promo_id. Also relocks a one-slot code of 1.3.
const SqlStatement lock_code_by_id_1_1{"legacy_lock_code_by_id_1_1",
                                       R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, 1 AS slots,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       max_uses IS NOT NULL AND current_uses OPERATOR(pg_catalog.>=) max_uses AS exhausted
  FROM @extschema@.promo_codes
 WHERE id OPERATOR(pg_catalog.=) $1
   FOR NO KEY UPDATE
)",
                                       {{"promo_id", INT8OID}}};

// 1.3: $1 code. The common case, a one-slot code, locked by one statement.
const SqlStatement lock_one_slot_code_1_3{"legacy_lock_one_slot_code_1_3",
                                          R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, slots,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       max_uses IS NOT NULL AND current_uses OPERATOR(pg_catalog.>=) max_uses AS exhausted
  FROM @extschema@.promo_codes
 WHERE @extschema@.promo_normalize_code(code) OPERATOR(pg_catalog.=) @extschema@.promo_normalize_code($1)
   AND slots OPERATOR(pg_catalog.=) 1
   FOR NO KEY UPDATE
)",
                                          {{"code", TEXTOID}}};

// 1.3: $1 promo_id.
const SqlStatement lock_one_slot_code_by_id_1_3{"legacy_lock_one_slot_code_by_id_1_3",
                                                R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, slots,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       max_uses IS NOT NULL AND current_uses OPERATOR(pg_catalog.>=) max_uses AS exhausted
  FROM @extschema@.promo_codes
 WHERE id OPERATOR(pg_catalog.=) $1
   AND slots OPERATOR(pg_catalog.=) 1
   FOR NO KEY UPDATE
)",
                                                {{"promo_id", INT8OID}}};

// 1.3: $1 code. Its id and slots, unlocked: is it hot?
const SqlStatement peek_code_1_3{"legacy_peek_code_1_3",
                                 R"(
SELECT id AS promo_id, slots
  FROM @extschema@.promo_codes
 WHERE @extschema@.promo_normalize_code(code) OPERATOR(pg_catalog.=) @extschema@.promo_normalize_code($1)
)",
                                 {{"code", TEXTOID}}};

// 1.3: $1 promo_id.
const SqlStatement peek_code_by_id_1_3{"legacy_peek_code_by_id_1_3",
                                       R"(
SELECT id AS promo_id, slots
  FROM @extschema@.promo_codes
 WHERE id OPERATOR(pg_catalog.=) $1
)",
                                       {{"promo_id", INT8OID}}};

// 1.3: $1 promo_id. A hot code, read holding its Code lock (shared).
const SqlStatement read_hot_code_1_3{"legacy_read_hot_code_1_3",
                                     R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, slots,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       max_uses IS NOT NULL AND current_uses OPERATOR(pg_catalog.>=) max_uses AS exhausted
  FROM @extschema@.promo_codes
 WHERE id OPERATOR(pg_catalog.=) $1
)",
                                     {{"promo_id", INT8OID}}};

// 1.3: $1 code. A code whose slots changed meanwhile: the row lock, the
// stronger lock, serves a hot code too.
const SqlStatement lock_any_code_1_3{"legacy_lock_any_code_1_3",
                                     R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, slots,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       max_uses IS NOT NULL AND current_uses OPERATOR(pg_catalog.>=) max_uses AS exhausted
  FROM @extschema@.promo_codes
 WHERE @extschema@.promo_normalize_code(code) OPERATOR(pg_catalog.=) @extschema@.promo_normalize_code($1)
   FOR NO KEY UPDATE
)",
                                     {{"code", TEXTOID}}};

// 1.3: $1 promo_id.
const SqlStatement lock_any_code_by_id_1_3{"legacy_lock_any_code_by_id_1_3",
                                           R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, slots,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       max_uses IS NOT NULL AND current_uses OPERATOR(pg_catalog.>=) max_uses AS exhausted
  FROM @extschema@.promo_codes
 WHERE id OPERATOR(pg_catalog.=) $1
   FOR NO KEY UPDATE
)",
                                           {{"promo_id", INT8OID}}};

LockedCode read_locked_code(const ResultRow &row) {
  return LockedCode{read_code_row(row), read_row_refusal(row), row.boolean("exhausted").value(),
                    row.int4("max_uses_per_customer"), row.int4("slots").value()};
}

std::optional<LockedCode> first(const Rows &rows) {
  if (rows.empty()) return std::nullopt;
  return read_locked_code(rows[0]);
}

struct LockStatements {
  const SqlStatement &lock_one_slot, &peek, &lock_any;
  const char *argument;
  Oid type;
};

// 1.3: a one-slot code is locked by the first statement, as in 1.1.
// Otherwise (no such code, or a hot one) the unlocked slots decide. A hot
// code is read after its Code lock is shared, so a change committed before
// is seen, and one in progress waits for this call.
std::optional<LockedCode> lock_1_3(SpiSession &spi, const LockStatements &statements, Datum key) {
  const Argument argument{statements.argument, statements.type, key, false};
  if (std::optional<LockedCode> locked = first(spi.execute(statements.lock_one_slot, {argument})))
    return locked;
  Rows peeked = spi.execute(statements.peek, {argument});
  if (peeked.empty()) return std::nullopt;
  if (peeked[0].int4("slots").value() > 1) {
    const int64_t promo_id = peeked[0].int8("promo_id").value();
    locks::legacy::acquire({locks::legacy::Lock::Code, promo_id}, locks::Mode::Share);
    std::optional<LockedCode> hot = first(spi.execute(read_hot_code_1_3, {bigint_arg("promo_id", promo_id)}));
    if (!hot) return std::nullopt;
    if (hot->slots > 1) return hot;
  }
  return first(spi.execute(statements.lock_any, {argument}));
}

}  // namespace

std::optional<LockedCode> lock_code(SpiSession &spi, Datum code, Tables tables) {
  if (tables != Tables::V1_3) return first(spi.execute(lock_code_1_1, {text_arg("code", code)}));
  return lock_1_3(spi, {lock_one_slot_code_1_3, peek_code_1_3, lock_any_code_1_3, "code", TEXTOID}, code);
}

std::optional<LockedCode> lock_code_by_id(SpiSession &spi, int64_t promo_id, Tables tables) {
  if (tables != Tables::V1_3)
    return first(spi.execute(lock_code_by_id_1_1, {bigint_arg("promo_id", promo_id)}));
  return lock_1_3(
      spi, {lock_one_slot_code_by_id_1_3, peek_code_by_id_1_3, lock_any_code_by_id_1_3, "promo_id", INT8OID},
      Int64GetDatum(promo_id));
}

LockedCode relock_one_slot_code(SpiSession &spi, int64_t promo_id) {
  std::optional<LockedCode> locked =
      first(spi.execute(lock_code_by_id_1_1, {bigint_arg("promo_id", promo_id)}));
  if (!locked) throw std::runtime_error("locked code row vanished");
  return *locked;
}

}  // namespace promo::legacy
