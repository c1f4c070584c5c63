#include "redemption_rules.hpp"

#include "error_bridge.hpp"
#include "stats.hpp"

namespace promo {

namespace {

// The ledger, as every version since 1.1 has it.

// $1 promo_id, $2 idempotency_key.
const SqlStatement find_key_statement{"find_key",
                                      R"(
SELECT id AS redemption_id, customer_id, state, hold_expires_at,
       state OPERATOR(pg_catalog.=) 'held'
       AND hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired_hold
  FROM @extschema@.promo_redemptions
 WHERE promo_id OPERATOR(pg_catalog.=) $1
   AND idempotency_key OPERATOR(pg_catalog.=) $2
)",
                                      {{"promo_id", INT8OID}, {"idempotency_key", TEXTOID}}};

// $1 promo_id, $2 customer_id. Live = redeemed or held (an expired hold
// counts until it is reclaimed).
const SqlStatement customer_live_uses_statement{"customer_live_uses",
                                                R"(
SELECT pg_catalog.count(*)::integer AS live_uses
  FROM @extschema@.promo_redemptions
 WHERE promo_id OPERATOR(pg_catalog.=) $1
   AND customer_id OPERATOR(pg_catalog.=) $2
   AND state OPERATOR(pg_catalog.<>) 'released'
)",
                                                {{"promo_id", INT8OID}, {"customer_id", TEXTOID}}};

// $1 promo_id, whose locks the caller holds.
const SqlStatement release_expired_holds_statement{"release_expired_holds",
                                                   R"(
WITH reclaimed AS (
  UPDATE @extschema@.promo_redemptions
     SET state = 'released', released_at = pg_catalog.now()
   WHERE promo_id OPERATOR(pg_catalog.=) $1
     AND state OPERATOR(pg_catalog.=) 'held'
     AND hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()
  RETURNING 1
)
SELECT pg_catalog.count(*)::integer AS reclaimed FROM reclaimed
)",
                                                   {{"promo_id", INT8OID}}};

// The same for a caller that must not wait: holds whose rows another
// transaction has locked (releasing or confirming them) are left to it.
const SqlStatement release_expired_holds_skip_locked_statement{"release_expired_holds_skip_locked",
                                                               R"(
WITH expired AS (
  SELECT id FROM @extschema@.promo_redemptions
   WHERE promo_id OPERATOR(pg_catalog.=) $1
     AND state OPERATOR(pg_catalog.=) 'held'
     AND hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now()
     FOR UPDATE SKIP LOCKED
), reclaimed AS (
  UPDATE @extschema@.promo_redemptions r
     SET state = 'released', released_at = pg_catalog.now()
    FROM expired e
   WHERE r.id OPERATOR(pg_catalog.=) e.id
  RETURNING 1
)
SELECT pg_catalog.count(*)::integer AS reclaimed FROM reclaimed
)",
                                                               {{"promo_id", INT8OID}}};

// $1 redemption_id, whose code's locks the caller holds.
const SqlStatement release_statement{"release_ledger_row",
                                     R"(
UPDATE @extschema@.promo_redemptions
   SET state = 'released', released_at = pg_catalog.now()
 WHERE id OPERATOR(pg_catalog.=) $1 AND state OPERATOR(pg_catalog.<>) 'released'
RETURNING id
)",
                                     {{"redemption_id", INT8OID}}};

// $1 redemption_id, whose code's locks the caller holds.
const SqlStatement confirm_statement{"confirm_live_hold",
                                     R"(
UPDATE @extschema@.promo_redemptions
   SET state = 'redeemed'
 WHERE id OPERATOR(pg_catalog.=) $1
   AND state OPERATOR(pg_catalog.=) 'held'
   AND hold_expires_at OPERATOR(pg_catalog.>) pg_catalog.now()
RETURNING id
)",
                                     {{"redemption_id", INT8OID}}};

// 1.4's tables.

// $1 code_key: what the caller passed, normalized in C. Compares the stored
// key, so no function of promo's is called by name (an overload created in
// the extension's schema cannot capture the call).
const SqlStatement find_code_statement{"find_code",
                                       R"(
SELECT id, slots, max_uses_per_customer IS NOT NULL AS customer_limited
  FROM @extschema@.promo_codes
 WHERE code_key OPERATOR(pg_catalog.=) $1
)",
                                       {{"code_key", TEXTOID}}};

// The same on 1.5's tables, with the code's campaign.
const SqlStatement find_campaign_code_statement{"find_campaign_code",
                                                R"(
SELECT id, slots, max_uses_per_customer IS NOT NULL AS customer_limited, campaign_id
  FROM @extschema@.promo_codes
 WHERE code_key OPERATOR(pg_catalog.=) $1
)",
                                                {{"code_key", TEXTOID}}};

// The same on 1.6's tables, with the code's order terms.
const SqlStatement find_code_with_terms_statement{"find_code_with_terms",
                                                  R"(
SELECT id, slots, max_uses_per_customer IS NOT NULL AS customer_limited, campaign_id, )" PROMO_ORDER_TERMS_COLUMNS R"(
  FROM @extschema@.promo_codes
 WHERE code_key OPERATOR(pg_catalog.=) $1
)",
                                                  {{"code_key", TEXTOID}}};

// find_key on 1.6's ledger, with the order's discount and currency.
const SqlStatement find_key_with_order_statement{"find_key_with_order",
                                                 R"(
SELECT id AS redemption_id, customer_id, state, hold_expires_at, discount, currency,
       state OPERATOR(pg_catalog.=) 'held'
       AND hold_expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired_hold
  FROM @extschema@.promo_redemptions
 WHERE promo_id OPERATOR(pg_catalog.=) $1
   AND idempotency_key OPERATOR(pg_catalog.=) $2
)",
                                                 {{"promo_id", INT8OID}, {"idempotency_key", TEXTOID}}};

bool same_customer(const std::optional<std::string> &recorded, const std::optional<TextArgument> &given) {
  if (!recorded || !given) return !recorded && !given;  // NULL matches only NULL
  return *recorded == given->text;
}

// 22023 for a key that names a redemption of another customer.
void refuse_other_customer(const ResultRow &found, const std::optional<TextArgument> &customer) {
  if (!same_customer(found.string("customer_id"), customer))
    throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE,
                   "idempotency key already names a redemption of this code for another customer",
                   "A retry must pass the same customer_id as the call it repeats; a new redemption needs a "
                   "new key.");
}

}  // namespace

std::optional<Status> read_row_refusal(const ResultRow &row) {
  for (Status status : {Status::Inactive, Status::NotYetValid, Status::Expired})
    if (row.boolean(status_label(status)).value()) return status;
  return std::nullopt;
}

Redemption refusal(Status status, const CodeRow &row, bool reveal_reasons, Scope scope) {
  stats::note_true_status(status);
  if (!reveal_reasons) return Redemption{};
  return Redemption{status, row, std::nullopt, std::nullopt, scope};
}

std::optional<KeyedRedemption> find_key(SpiSession &spi, int64_t promo_id, const TextArgument &key,
                                        const std::optional<TextArgument> &customer) {
  Rows rows = spi.execute(find_key_statement,
                          {bigint_arg("promo_id", promo_id), text_arg("idempotency_key", key.datum)});
  if (rows.empty()) return std::nullopt;
  const ResultRow found = rows[0];
  refuse_other_customer(found, customer);
  return KeyedRedemption{read_ledger_entry(found, true), found.boolean("expired_hold").value()};
}

Redemption replay_of(const LedgerEntry &entry, const CodeRow &row) {
  return Redemption{entry.state == "released" ? Status::Released : Status::Redeemed, row, entry};
}

int32_t customer_live_uses(SpiSession &spi, int64_t promo_id, const TextArgument &customer) {
  Rows rows = spi.execute(customer_live_uses_statement,
                          {bigint_arg("promo_id", promo_id), text_arg("customer_id", customer.datum)});
  return rows[0].int4("live_uses").value();
}

std::optional<int32_t> uses_below_customer_limit(SpiSession &spi, int64_t promo_id,
                                                 const TextArgument &customer, int32_t limit,
                                                 const std::function<int32_t()> &reclaim) {
  int32_t uses = customer_live_uses(spi, promo_id, customer);
  if (uses < limit) return uses;
  if (reclaim() == 0) return std::nullopt;
  uses = customer_live_uses(spi, promo_id, customer);
  if (uses < limit) return uses;
  return std::nullopt;
}

int32_t release_expired_holds(SpiSession &spi, int64_t promo_id) {
  return spi.execute(release_expired_holds_statement, {bigint_arg("promo_id", promo_id)})[0]
      .int4("reclaimed")
      .value();
}

int32_t release_expired_holds_without_waiting(SpiSession &spi, int64_t promo_id) {
  return spi.execute(release_expired_holds_skip_locked_statement, {bigint_arg("promo_id", promo_id)})[0]
      .int4("reclaimed")
      .value();
}

bool release_ledger_row(SpiSession &spi, int64_t redemption_id) {
  return !spi.execute(release_statement, {bigint_arg("redemption_id", redemption_id)}).empty();
}

bool confirm_live_hold(SpiSession &spi, int64_t redemption_id) {
  return !spi.execute(confirm_statement, {bigint_arg("redemption_id", redemption_id)}).empty();
}

std::optional<FoundCode> find_code(SpiSession &spi, Datum code_key, bool campaigns, bool orders) {
  // The statement below is the fallback, for an index or a table that is
  // not as promo made it.
  if (std::optional<std::optional<FoundCode>> indexed = find_code_by_index(spi.schema(), code_key, campaigns, orders))
    return *indexed;
  const SqlStatement &statement = orders      ? find_code_with_terms_statement
                                  : campaigns ? find_campaign_code_statement
                                              : find_code_statement;
  Rows rows = spi.execute(statement, {text_arg("code_key", code_key)});
  if (rows.empty()) return std::nullopt;
  FoundCode found{rows[0].int8("id").value(), rows[0].int4("slots").value(),
                  rows[0].boolean("customer_limited").value(), std::nullopt, std::nullopt};
  if (campaigns) found.campaign_id = rows[0].int8("campaign_id");
  if (orders) found.terms = read_order_terms(rows[0]);
  return found;
}

CodeState read_code_state(const ResultRow &row) {
  CodeState state;
  state.row = read_code_row(row);
  state.refusal = read_row_refusal(row);
  state.exhausted = row.boolean("exhausted").value();
  state.max_uses_per_customer = row.int4("max_uses_per_customer");
  state.slots = row.int4("slots").value();
  return state;
}

std::optional<Status> order_refusal(const RedemptionRequest &request, const CodeState &code) {
  if (!request.orders) return std::nullopt;
  return order_refusal(code.terms->rules, request.customer.has_value(), request.order);
}

bool customer_limited(const RedemptionRequest &request, const CodeState &code) {
  return request.customer && code.max_uses_per_customer;
}

std::optional<KeyedRedemption> find_key(SpiSession &spi, int64_t promo_id, const RedemptionRequest &request) {
  if (!request.orders) return find_key(spi, promo_id, *request.key, request.customer);
  Rows rows = spi.execute(find_key_with_order_statement, {bigint_arg("promo_id", promo_id),
                                                          text_arg("idempotency_key", request.key->datum)});
  if (rows.empty()) return std::nullopt;
  const ResultRow found = rows[0];
  refuse_other_customer(found, request.customer);
  return KeyedRedemption{read_ledger_entry_with_order(found, true), found.boolean("expired_hold").value()};
}

std::optional<int32_t> uses_below_customer_limit(SpiSession &spi, const RedemptionRequest &request,
                                                 const CodeState &code,
                                                 const std::function<int32_t()> &reclaim) {
  return uses_below_customer_limit(spi, code.row.id, *request.customer, *code.max_uses_per_customer, reclaim);
}

}  // namespace promo
