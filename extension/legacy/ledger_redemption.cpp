#include "legacy/ledger_redemption.hpp"

#include <stdexcept>

#include "lock_scheme.hpp"
#include "redemption_rules.hpp"

namespace promo::legacy {

namespace {

// 1.1: $1 code, $2 customer_id, $3 hold. The guarded UPDATE and its ledger
// row in one statement and one row lock. No key, and no customer limit to
// count (that count must follow the row lock, so it takes the locked path).
const SqlStatement redeem_unlocked_1_1{"legacy_redeem_unlocked_1_1",
                                       R"(
WITH code_row AS (
  UPDATE @extschema@.promo_codes
     SET current_uses = current_uses OPERATOR(pg_catalog.+) 1
   WHERE @extschema@.promo_normalize_code(code) OPERATOR(pg_catalog.=) @extschema@.promo_normalize_code($1)
     AND is_active
     AND (valid_from IS NULL OR valid_from OPERATOR(pg_catalog.<=) pg_catalog.now())
     AND (valid_until IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.<) valid_until)
     AND (max_uses IS NULL OR current_uses OPERATOR(pg_catalog.<) max_uses)
     AND (max_uses_per_customer IS NULL OR $2 IS NULL)
  RETURNING id, code, current_uses, max_uses, is_active
), ledger_row AS (
  INSERT INTO @extschema@.promo_redemptions (promo_id, customer_id, idempotency_key, state, hold_expires_at)
  SELECT id, $2, NULL, CASE WHEN $3 IS NULL THEN 'redeemed' ELSE 'held' END,
         pg_catalog.now() OPERATOR(pg_catalog.+) $3
    FROM code_row
  RETURNING id, state, hold_expires_at
)
SELECT c.id AS promo_id, c.code, c.current_uses, c.max_uses, c.is_active,
       l.id AS redemption_id, l.state, l.hold_expires_at
  FROM code_row c, ledger_row l
)",
                                       {{"code", TEXTOID}, {"customer_id", TEXTOID}, {"hold", INTERVALOID}}};

// 1.3's unlocked path writes the ledger row first (1.3 has no foreign key,
// so the INSERT does not touch the code row), then queues on the code's
// legacy Queue lock, and only then takes the row lock for the guarded
// UPDATE: both locks are held from the UPDATE to the commit only. The lock
// manager hands a released lock to the next in line, where a row lock wakes
// every waiter to race for it. The INSERT's filter, on its snapshot, keeps
// out what the UPDATE would refuse; a race it misses leaves a ledger row that
// the caller deletes.

// 1.3: $1 code, $2 customer_id, $3 hold.
const SqlStatement insert_ledger_row_1_3{
    "legacy_insert_ledger_row_1_3",
    R"(
INSERT INTO @extschema@.promo_redemptions (promo_id, customer_id, state, hold_expires_at)
SELECT id, $2, CASE WHEN $3 IS NULL THEN 'redeemed' ELSE 'held' END,
       pg_catalog.now() OPERATOR(pg_catalog.+) $3
  FROM @extschema@.promo_codes
 WHERE @extschema@.promo_normalize_code(code) OPERATOR(pg_catalog.=) @extschema@.promo_normalize_code($1)
   AND is_active
   AND (valid_from IS NULL OR valid_from OPERATOR(pg_catalog.<=) pg_catalog.now())
   AND (valid_until IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.<) valid_until)
   AND (max_uses IS NULL OR current_uses OPERATOR(pg_catalog.<) max_uses)
   AND slots OPERATOR(pg_catalog.=) 1
   AND (max_uses_per_customer IS NULL OR $2 IS NULL)
RETURNING id AS redemption_id, promo_id, state, hold_expires_at
)",
    {{"code", TEXTOID}, {"customer_id", TEXTOID}, {"hold", INTERVALOID}}};

// 1.3: $1 promo_id, $2 customer_id. The guarded UPDATE, holding the Queue
// lock; re-checked on the newest row version: still one slot, and still no
// customer limit to count.
const SqlStatement redeem_queued_1_3{"legacy_redeem_queued_1_3",
                                     R"(
UPDATE @extschema@.promo_codes
   SET current_uses = current_uses OPERATOR(pg_catalog.+) 1
 WHERE id OPERATOR(pg_catalog.=) $1
   AND is_active
   AND (valid_from IS NULL OR valid_from OPERATOR(pg_catalog.<=) pg_catalog.now())
   AND (valid_until IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.<) valid_until)
   AND (max_uses IS NULL OR current_uses OPERATOR(pg_catalog.<) max_uses)
   AND slots OPERATOR(pg_catalog.=) 1
   AND (max_uses_per_customer IS NULL OR $2 IS NULL)
RETURNING id AS promo_id, code, current_uses, max_uses, is_active
)",
                                     {{"promo_id", INT8OID}, {"customer_id", TEXTOID}}};

// 1.3: $1 redemption_id, a ledger row whose UPDATE was refused.
const SqlStatement drop_ledger_row_1_3{"legacy_drop_ledger_row_1_3",
                                       R"(
DELETE FROM @extschema@.promo_redemptions WHERE id OPERATOR(pg_catalog.=) $1
)",
                                       {{"redemption_id", INT8OID}}};

// $1 promo_id (locked), $2 customer_id, $3 idempotency_key, $4 hold. The
// guarded UPDATE and its ledger row, on the locked code.
const SqlStatement redeem_locked{
    "legacy_redeem_locked",
    R"(
WITH code_row AS (
  UPDATE @extschema@.promo_codes
     SET current_uses = current_uses OPERATOR(pg_catalog.+) 1
   WHERE id OPERATOR(pg_catalog.=) $1
     AND is_active
     AND (valid_from IS NULL OR valid_from OPERATOR(pg_catalog.<=) pg_catalog.now())
     AND (valid_until IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.<) valid_until)
     AND (max_uses IS NULL OR current_uses OPERATOR(pg_catalog.<) max_uses)
  RETURNING id, code, current_uses, max_uses, is_active
), ledger_row AS (
  INSERT INTO @extschema@.promo_redemptions (promo_id, customer_id, idempotency_key, state, hold_expires_at)
  SELECT id, $2, $3, CASE WHEN $4 IS NULL THEN 'redeemed' ELSE 'held' END,
         pg_catalog.now() OPERATOR(pg_catalog.+) $4
    FROM code_row
  RETURNING id, state, hold_expires_at
)
SELECT c.id AS promo_id, c.code, c.current_uses, c.max_uses, c.is_active,
       l.id AS redemption_id, l.state, l.hold_expires_at
  FROM code_row c, ledger_row l
)",
    {{"promo_id", INT8OID}, {"customer_id", TEXTOID}, {"idempotency_key", TEXTOID}, {"hold", INTERVALOID}}};

// $1 promo_id (locked), $2 uses released from its ledger.
const SqlStatement give_back{"legacy_give_back",
                             R"(
UPDATE @extschema@.promo_codes
   SET current_uses = current_uses OPERATOR(pg_catalog.-) $2
 WHERE id OPERATOR(pg_catalog.=) $1
)",
                             {{"promo_id", INT8OID}, {"uses", INT4OID}}};

std::optional<Datum> datum_of(const std::optional<TextArgument> &argument) {
  if (!argument) return std::nullopt;
  return argument->datum;
}

std::optional<Redemption> redeem_unlocked_1_3(SpiSession &spi, const Request &request) {
  Rows ledger = spi.execute(insert_ledger_row_1_3, {text_arg("code", request.code),
                                                    text_arg("customer_id", datum_of(request.customer)),
                                                    interval_arg("hold", request.hold)});
  if (ledger.empty()) return std::nullopt;
  const int64_t promo_id = ledger[0].int8("promo_id").value();
  const LedgerEntry entry = read_ledger_entry(ledger[0], false);
  locks::legacy::acquire({locks::legacy::Lock::Queue, promo_id}, locks::Mode::Exclusive);
  Rows code = spi.execute(redeem_queued_1_3, {bigint_arg("promo_id", promo_id),
                                              text_arg("customer_id", datum_of(request.customer))});
  if (code.empty()) {  // the UPDATE refused what the INSERT's snapshot allowed
    spi.execute(drop_ledger_row_1_3, {bigint_arg("redemption_id", entry.id)});
    return std::nullopt;
  }
  return Redemption{Status::Redeemed, read_code_row(code[0]), entry};
}

}  // namespace

std::optional<Redemption> redeem_unlocked(SpiSession &spi, const Request &request, Tables tables) {
  if (tables == Tables::V1_3) return redeem_unlocked_1_3(spi, request);
  Rows rows = spi.execute(redeem_unlocked_1_1, {text_arg("code", request.code),
                                                text_arg("customer_id", datum_of(request.customer)),
                                                interval_arg("hold", request.hold)});
  if (rows.empty()) return std::nullopt;
  return Redemption{Status::Redeemed, read_code_row(rows[0]), read_ledger_entry(rows[0], false)};
}

int32_t reclaim_one_slot(SpiSession &spi, int64_t promo_id) {
  const int32_t released = release_expired_holds(spi, promo_id);
  if (released > 0) spi.execute(give_back, {bigint_arg("promo_id", promo_id), integer_arg("uses", released)});
  return released;
}

bool release_one_slot(SpiSession &spi, int64_t promo_id, int64_t redemption_id) {
  if (!release_ledger_row(spi, redemption_id)) return false;
  spi.execute(give_back, {bigint_arg("promo_id", promo_id), integer_arg("uses", 1)});
  return true;
}

Redemption redeem_one_slot(SpiSession &spi, const Request &request, LockedCode locked, bool reveal_reasons) {
  const int64_t promo_id = locked.row.id;
  if (request.key) {
    if (std::optional<KeyedRedemption> keyed = find_key(spi, promo_id, *request.key, request.customer)) {
      if (keyed->expired_hold) {  // reclaimed on the way
        reclaim_one_slot(spi, promo_id);
        locked = relock_one_slot_code(spi, promo_id);
        keyed = find_key(spi, promo_id, *request.key, request.customer);
      }
      return replay_of(keyed->entry, locked.row);
    }
  }
  if (locked.refusal) return refusal(*locked.refusal, locked.row, reveal_reasons);

  // customer_limit_reached and exhausted are decided after the code's
  // expired holds are reclaimed, once.
  bool reclaimed = false;
  auto reclaim_once = [&] {
    if (reclaimed) return 0;
    reclaimed = true;
    const int32_t released = reclaim_one_slot(spi, promo_id);
    if (released > 0) locked = relock_one_slot_code(spi, promo_id);
    return released;
  };
  if (request.customer && locked.max_uses_per_customer &&
      !uses_below_customer_limit(spi, promo_id, *request.customer, *locked.max_uses_per_customer,
                                 reclaim_once))
    return refusal(Status::CustomerLimitReached, locked.row, reveal_reasons);
  if (locked.exhausted) {
    reclaim_once();
    if (locked.exhausted) return refusal(Status::Exhausted, locked.row, reveal_reasons);
  }

  Rows rows =
      spi.execute(redeem_locked,
                  {bigint_arg("promo_id", promo_id), text_arg("customer_id", datum_of(request.customer)),
                   text_arg("idempotency_key", datum_of(request.key)), interval_arg("hold", request.hold)});
  if (rows.empty()) throw std::runtime_error("an eligible, locked code was not redeemed");
  return Redemption{Status::Redeemed, read_code_row(rows[0]), read_ledger_entry(rows[0], false)};
}

}  // namespace promo::legacy
