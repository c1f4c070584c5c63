#include "redemption_rules.hpp"

#include "error_bridge.hpp"

namespace promo {

namespace {

// $1 code_key: what the caller passed, normalized in C. Compares the stored
// key, so no function of promo's is called by name (an overload created in
// the extension's schema cannot capture the call).
const SqlStatement find_code_statement{"find_code", R"(
SELECT id, slots, max_uses_per_customer IS NOT NULL AS customer_limited
  FROM @extschema@.promo_codes
 WHERE code_key OPERATOR(pg_catalog.=) $1
)",
                                       {{"code_key", TEXTOID}}};

// $1 promo_id, $2 idempotency_key.
const SqlStatement find_key_statement{"find_key", R"(
SELECT id, customer_id, state, hold_expires_at,
       state OPERATOR(pg_catalog.=) 'held'
       AND hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired_hold
  FROM @extschema@.promo_redemptions
 WHERE promo_id OPERATOR(pg_catalog.=) $1
   AND idempotency_key OPERATOR(pg_catalog.=) $2
)",
                                      {{"promo_id", INT8OID}, {"idempotency_key", TEXTOID}}};

// $1 promo_id, $2 customer_id. Live = redeemed or held (an expired hold
// counts until it is reclaimed).
const SqlStatement customer_live_uses_statement{"customer_live_uses", R"(
SELECT pg_catalog.count(*)::integer AS live_uses
  FROM @extschema@.promo_redemptions
 WHERE promo_id OPERATOR(pg_catalog.=) $1
   AND customer_id OPERATOR(pg_catalog.=) $2
   AND state OPERATOR(pg_catalog.<>) 'released'
)",
                                                {{"promo_id", INT8OID}, {"customer_id", TEXTOID}}};

// $1 redemption_id. The caller holds the locks of its code.
const SqlStatement confirm_statement{"confirm_live_hold", R"(
UPDATE @extschema@.promo_redemptions
   SET state = 'redeemed'
 WHERE id OPERATOR(pg_catalog.=) $1
   AND state OPERATOR(pg_catalog.=) 'held'
   AND hold_expires_at OPERATOR(pg_catalog.>) pg_catalog.now()
RETURNING id
)",
                                     {{"redemption_id", INT8OID}}};

bool same_customer(const std::optional<std::string> &recorded, const std::optional<TextArgument> &given) {
  if (!recorded || !given) return !recorded && !given;  // NULL matches only NULL
  return *recorded == given->text;
}

}  // namespace

CodeState read_code_state(const ResultRow &row) {
  CodeState state;
  state.row.id = row.int8("promo_id").value();
  state.row.code = row.string("code").value();
  state.row.current_uses = row.int4("current_uses").value();
  state.row.max_uses = row.int4("max_uses");
  state.row.is_active = row.boolean("is_active").value();
  state.max_uses_per_customer = row.int4("max_uses_per_customer");
  state.slots = row.int4("slots").value();
  state.refusal = status_from_reason(row.string("refusal"));
  state.exhausted = row.boolean("exhausted").value();
  return state;
}

std::optional<FoundCode> find_code(SpiSession &spi, Datum code_key) {
  Rows rows = spi.execute(find_code_statement, {text_arg("code_key", code_key)});
  if (rows.empty()) return std::nullopt;
  return FoundCode{rows[0].int8("id").value(), rows[0].int4("slots").value(),
                   rows[0].boolean("customer_limited").value()};
}

std::optional<KeyedRedemption> find_key(SpiSession &spi, int64_t promo_id, const RedemptionRequest &request) {
  Rows rows =
      spi.execute(find_key_statement, {bigint_arg("promo_id", promo_id), text_arg("idempotency_key", request.key->datum)});
  if (rows.empty()) return std::nullopt;
  const ResultRow found = rows[0];
  if (!same_customer(found.string("customer_id"), request.customer))
    throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                   "idempotency key already names a redemption of this code for another customer",
                   "A retry must pass the same customer_id as the call it repeats; a new redemption needs a "
                   "new key.");
  KeyedRedemption keyed;
  keyed.entry = LedgerEntry{found.int8("id").value(), found.string("state").value(),
                            found.timestamptz("hold_expires_at"), true};
  keyed.expired_hold = found.boolean("expired_hold").value();
  return keyed;
}

Redemption replay_answer(const KeyedRedemption &keyed, const CodeRow &row) {
  // A replay answers about the caller's own key, so reasons hidden or not.
  Status status = keyed.entry.state == "released" ? Status::Released : Status::Redeemed;
  return Redemption{status, row, keyed.entry};
}

int32_t customer_live_uses(SpiSession &spi, int64_t promo_id, const TextArgument &customer) {
  Rows rows = spi.execute(customer_live_uses_statement,
                          {bigint_arg("promo_id", promo_id), text_arg("customer_id", customer.datum)});
  return rows[0].int4("live_uses").value();
}

bool customer_limited(const RedemptionRequest &request, const CodeState &code) {
  return request.customer && code.max_uses_per_customer;
}

bool confirm_live_hold(SpiSession &spi, int64_t redemption_id) {
  return !spi.execute(confirm_statement, {bigint_arg("redemption_id", redemption_id)}).empty();
}

Redemption refusal(Status status, const CodeRow &row, bool reveal_reasons) {
  if (!reveal_reasons) return Redemption{};
  return Redemption{status, row, std::nullopt};
}

}  // namespace promo
