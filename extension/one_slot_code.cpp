#include "one_slot_code.hpp"

#include <iterator>
#include <stdexcept>
#include <vector>

#include "campaign.hpp"
#include "error_bridge.hpp"
#include "lock_scheme.hpp"
#include "redemption_rules.hpp"

namespace promo::one_slot {

namespace {

// The heart of promo: one guarded UPDATE and its ledger row, in one
// statement. PostgreSQL re-checks the guards on the newest row version once
// the row lock is granted, so concurrent redemptions can never push
// current_uses past max_uses, nor past a customer limit, nor redeem a code
// that a DBA made hot, inactive or out of date meanwhile.
//   $1 promo_id          $4 customer_live_uses: the customer's live uses,
//   $2 customer_id          counted under the queue lock (NULL: not counted)
//   $3 idempotency_key   $5 hold_expires_at (NULL: no hold)
//   $6 code_key: the code as the caller named it (NULL: any)
const SqlStatement redeem_statement{"one_slot_redeem",
                                    R"(
WITH code_row AS (
  UPDATE @extschema@.promo_codes
     SET current_uses = current_uses OPERATOR(pg_catalog.+) 1
   WHERE id OPERATOR(pg_catalog.=) $1
     AND ($6 IS NULL OR code_key OPERATOR(pg_catalog.=) $6)
     AND slots OPERATOR(pg_catalog.=) 1
     AND is_active
     AND (valid_from IS NULL OR valid_from OPERATOR(pg_catalog.<=) pg_catalog.now())
     AND (valid_until IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.<) valid_until)
     AND (max_uses IS NULL OR current_uses OPERATOR(pg_catalog.<) max_uses)
     AND (max_uses_per_customer IS NULL OR $2 IS NULL
          OR $4 OPERATOR(pg_catalog.<) max_uses_per_customer)
  RETURNING id, code, current_uses, max_uses, is_active
), ledger_row AS (
  INSERT INTO @extschema@.promo_redemptions (promo_id, customer_id, idempotency_key, state, hold_expires_at)
  SELECT id, $2, $3, CASE WHEN $5 IS NULL THEN 'redeemed' ELSE 'held' END, $5
    FROM code_row
  RETURNING id, state, hold_expires_at
)
SELECT c.id AS promo_id, c.code, c.current_uses, c.max_uses, c.is_active,
       l.id AS redemption_id, l.state, l.hold_expires_at
  FROM code_row c, ledger_row l
)",
                                    {{"promo_id", INT8OID},
                                     {"customer_id", TEXTOID},
                                     {"idempotency_key", TEXTOID},
                                     {"customer_live_uses", INT4OID},
                                     {"hold_expires_at", TIMESTAMPTZOID},
                                     {"code_key", TEXTOID}}};

// The same on 1.5's tables, also re-checking the code's campaign: $7
// campaign_id, the one whose use the caller took (NULL: none). A code that
// joined a campaign while the call waited is refused here and decided again
// with its campaign (decide_locked).
const SqlStatement campaign_redeem_statement{"one_slot_campaign_redeem",
                                    R"(
WITH code_row AS (
  UPDATE @extschema@.promo_codes
     SET current_uses = current_uses OPERATOR(pg_catalog.+) 1
   WHERE id OPERATOR(pg_catalog.=) $1
     AND ($6 IS NULL OR code_key OPERATOR(pg_catalog.=) $6)
     AND campaign_id IS NOT DISTINCT FROM $7
     AND slots OPERATOR(pg_catalog.=) 1
     AND is_active
     AND (valid_from IS NULL OR valid_from OPERATOR(pg_catalog.<=) pg_catalog.now())
     AND (valid_until IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.<) valid_until)
     AND (max_uses IS NULL OR current_uses OPERATOR(pg_catalog.<) max_uses)
     AND (max_uses_per_customer IS NULL OR $2 IS NULL
          OR $4 OPERATOR(pg_catalog.<) max_uses_per_customer)
  RETURNING id, code, current_uses, max_uses, is_active
), ledger_row AS (
  INSERT INTO @extschema@.promo_redemptions (promo_id, customer_id, idempotency_key, state, hold_expires_at)
  SELECT id, $2, $3, CASE WHEN $5 IS NULL THEN 'redeemed' ELSE 'held' END, $5
    FROM code_row
  RETURNING id, state, hold_expires_at
)
SELECT c.id AS promo_id, c.code, c.current_uses, c.max_uses, c.is_active,
       l.id AS redemption_id, l.state, l.hold_expires_at
  FROM code_row c, ledger_row l
)",
                                    {{"promo_id", INT8OID},
                                     {"customer_id", TEXTOID},
                                     {"idempotency_key", TEXTOID},
                                     {"customer_live_uses", INT4OID},
                                     {"hold_expires_at", TIMESTAMPTZOID},
                                     {"code_key", TEXTOID},
                                     {"campaign_id", INT8OID}}};

// The same on 1.6's tables, also re-checking the code's order terms as the
// caller read them ($8 to $13, PROMO_ORDER_TERMS_COLUMNS): the discount
// $16, which the caller computed from them for the order ($14 order_amount,
// $15 currency; NULL: none), is recorded only if the row still has them. A
// code a DBA changed meanwhile is refused here and decided again with its
// row locked (decide_locked).
const SqlStatement order_redeem_statement{"one_slot_order_redeem",
                                          R"(
WITH code_row AS (
  UPDATE @extschema@.promo_codes
     SET current_uses = current_uses OPERATOR(pg_catalog.+) 1
   WHERE id OPERATOR(pg_catalog.=) $1
     AND ($6 IS NULL OR code_key OPERATOR(pg_catalog.=) $6)
     AND campaign_id IS NOT DISTINCT FROM $7
     AND slots OPERATOR(pg_catalog.=) 1
     AND is_active
     AND (valid_from IS NULL OR valid_from OPERATOR(pg_catalog.<=) pg_catalog.now())
     AND (valid_until IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.<) valid_until)
     AND (max_uses IS NULL OR current_uses OPERATOR(pg_catalog.<) max_uses)
     AND (max_uses_per_customer IS NULL OR $2 IS NULL
          OR $4 OPERATOR(pg_catalog.<) max_uses_per_customer)
     AND requires_customer OPERATOR(pg_catalog.=) $8
     AND currency IS NOT DISTINCT FROM $9
     AND min_amount IS NOT DISTINCT FROM $10
     AND discount_basis_points IS NOT DISTINCT FROM $11
     AND discount_ceiling IS NOT DISTINCT FROM $12
     AND discount_amount IS NOT DISTINCT FROM $13
  RETURNING id, code, current_uses, max_uses, is_active
), ledger_row AS (
  INSERT INTO @extschema@.promo_redemptions
         (promo_id, customer_id, idempotency_key, state, hold_expires_at, order_amount, currency, discount)
  SELECT id, $2, $3, CASE WHEN $5 IS NULL THEN 'redeemed' ELSE 'held' END, $5, $14, $15, $16
    FROM code_row
  RETURNING id, state, hold_expires_at, discount, currency
)
SELECT c.id AS promo_id, c.code, c.current_uses, c.max_uses, c.is_active,
       l.id AS redemption_id, l.state, l.hold_expires_at, l.discount, l.currency
  FROM code_row c, ledger_row l
)",
                                          {{"promo_id", INT8OID},
                                           {"customer_id", TEXTOID},
                                           {"idempotency_key", TEXTOID},
                                           {"customer_live_uses", INT4OID},
                                           {"hold_expires_at", TIMESTAMPTZOID},
                                           {"code_key", TEXTOID},
                                           {"campaign_id", INT8OID},
                                           {"requires_customer", BOOLOID},
                                           {"currency", TEXTOID},
                                           {"min_amount", INT8OID},
                                           {"discount_basis_points", INT4OID},
                                           {"discount_ceiling", INT8OID},
                                           {"discount_amount", INT8OID},
                                           {"order_amount", INT8OID},
                                           {"order_currency", TEXTOID},
                                           {"discount", INT8OID}}};

// $1 promo_id, $2 code_key (NULL: any). The code row, locked as the UPDATE
// locks it, and what it says against a new use. Under REPEATABLE READ a row
// changed since the snapshot raises 40001 here.
const SqlStatement lock_statement{"one_slot_lock",
                                  R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, slots,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       max_uses IS NOT NULL AND current_uses OPERATOR(pg_catalog.>=) max_uses AS exhausted
  FROM @extschema@.promo_codes
 WHERE id OPERATOR(pg_catalog.=) $1
   AND ($2 IS NULL OR code_key OPERATOR(pg_catalog.=) $2)
   FOR NO KEY UPDATE
)",
                                  {{"promo_id", INT8OID}, {"code_key", TEXTOID}}};

// The same on 1.5's tables, with the code's campaign (which the row lock
// keeps: a code changes campaign only by an UPDATE of its row).
const SqlStatement campaign_lock_statement{"one_slot_campaign_lock",
                                           R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, slots, campaign_id,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       max_uses IS NOT NULL AND current_uses OPERATOR(pg_catalog.>=) max_uses AS exhausted
  FROM @extschema@.promo_codes
 WHERE id OPERATOR(pg_catalog.=) $1
   AND ($2 IS NULL OR code_key OPERATOR(pg_catalog.=) $2)
   FOR NO KEY UPDATE
)",
                                           {{"promo_id", INT8OID}, {"code_key", TEXTOID}}};

// The same on 1.6's tables, with the code's order terms.
const SqlStatement order_lock_statement{"one_slot_order_lock",
                                        R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, slots, campaign_id,
       )" PROMO_ORDER_TERMS_COLUMNS R"(,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       max_uses IS NOT NULL AND current_uses OPERATOR(pg_catalog.>=) max_uses AS exhausted
  FROM @extschema@.promo_codes
 WHERE id OPERATOR(pg_catalog.=) $1
   AND ($2 IS NULL OR code_key OPERATOR(pg_catalog.=) $2)
   FOR NO KEY UPDATE
)",
                                        {{"promo_id", INT8OID}, {"code_key", TEXTOID}}};

// $1 promo_id, whose row the caller has locked, $2 uses released from its
// ledger. Gives them back to the counter; returns the row as one_slot_lock.
const SqlStatement give_back_statement{"one_slot_give_back",
                                       R"(
UPDATE @extschema@.promo_codes
   SET current_uses = current_uses OPERATOR(pg_catalog.-) $2
 WHERE id OPERATOR(pg_catalog.=) $1
RETURNING id AS promo_id, code, current_uses, max_uses, is_active, max_uses_per_customer, slots,
          NOT is_active AS inactive,
          valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
          valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
          max_uses IS NOT NULL AND current_uses OPERATOR(pg_catalog.>=) max_uses AS exhausted
)",
                                       {{"promo_id", INT8OID}, {"uses", INT4OID}}};

// $1 promo_id, $2 redemption_id: a redemption this transaction just made of
// the code, taken back (its campaign refused it); the code's queue and row
// locks, held since, kept anyone else from seeing it.
const SqlStatement undo_statement{"one_slot_undo", R"(
WITH undone AS (
  DELETE FROM @extschema@.promo_redemptions WHERE id OPERATOR(pg_catalog.=) $2 RETURNING promo_id
)
UPDATE @extschema@.promo_codes
   SET current_uses = current_uses OPERATOR(pg_catalog.-) 1
 WHERE id OPERATOR(pg_catalog.=) $1 AND id IN (SELECT promo_id FROM undone)
)",
                                  {{"promo_id", INT8OID}, {"redemption_id", INT8OID}}};

// $1 promo_id: the code row, locked unless another transaction holds it
// (then no row), with its campaign as the lock keeps it: for giving back a
// campaign's expired holds without waiting.
const SqlStatement try_lock_statement{"one_slot_try_lock", R"(
SELECT slots, campaign_id FROM @extschema@.promo_codes WHERE id OPERATOR(pg_catalog.=) $1 FOR NO KEY UPDATE SKIP LOCKED
)",
                                      {{"promo_id", INT8OID}}};

locks::LockId queue_of(int64_t promo_id) {
  return {locks::Lock::CodeQueue, promo_id};
}

// The code row, locked, with its campaign on 1.5's tables and its order
// terms on 1.6's; empty if it is gone (or was renamed).
std::optional<CodeState> lock_row(SpiSession &spi, int64_t promo_id, std::optional<Datum> code_key,
                                  bool campaigns, bool orders = false) {
  const SqlStatement &statement = orders ? order_lock_statement : campaigns ? campaign_lock_statement : lock_statement;
  Rows rows = spi.execute(statement, {bigint_arg("promo_id", promo_id), text_arg("code_key", code_key)});
  if (rows.empty()) return std::nullopt;
  CodeState code = read_code_state(rows[0]);
  if (campaigns) code.campaign_id = rows[0].int8("campaign_id");
  if (orders) code.terms = read_order_terms(rows[0]);
  return code;
}

// Reclaims the locked code's expired holds; returns how many, and the row
// as they left it. Their uses go back to the code, and to its campaign:
// through `campaign` (opened by the caller), into `owed` (for the caller to
// settle later), or through one opened here.
int32_t reclaim(SpiSession &spi, std::optional<CodeState> &code, campaign::Campaign *campaign = nullptr,
                campaign::Owed *owed = nullptr) {
  const int32_t released = release_expired_holds(spi, code->row.id);
  if (released == 0) return 0;
  const std::optional<int64_t> campaign_id = code->campaign_id;
  const std::optional<OrderTerms> terms = code->terms;
  code = read_code_state(
      spi.execute(give_back_statement, {bigint_arg("promo_id", code->row.id), integer_arg("uses", released)})[0]);
  code->campaign_id = campaign_id;
  code->terms = terms;
  if (campaign != nullptr)
    campaign->give_back(released);
  else if (owed != nullptr)
    owed->add(campaign_id, released);
  else if (campaign_id)
    campaign::Campaign(spi, *campaign_id).give_back(released);
  return released;
}

// On 1.6's tables: the guarded UPDATE with the code's order terms as they
// were read, and the discount they grant the order.
std::optional<Redemption> try_redeem_order(SpiSession &spi, const RedemptionRequest &request,
                                           std::vector<Argument> arguments, const OrderTerms &terms) {
  for (const Argument &term : order_terms_arguments(terms)) arguments.push_back(term);
  for (const Argument &column : order_ledger_arguments(request.order, order_discount(terms, request.order)))
    arguments.push_back(column);
  Rows rows = spi.execute(order_redeem_statement, arguments);
  if (rows.empty()) return std::nullopt;
  return Redemption{Status::Redeemed, read_code_row(rows[0]), read_ledger_entry_with_order(rows[0], false),
                    std::nullopt, std::nullopt};
}

// Runs the guarded UPDATE; empty if it refused. On 1.5's tables it also
// checks that the code's campaign is still `campaign_id`, on 1.6's that its
// order terms are still `terms`.
std::optional<Redemption> try_redeem(SpiSession &spi, const RedemptionRequest &request, int64_t promo_id,
                                     std::optional<int32_t> customer_uses, std::optional<int64_t> campaign_id,
                                     const std::optional<OrderTerms> &terms) {
  std::optional<Datum> customer, key;
  if (request.customer) customer = request.customer->datum;
  if (request.key) key = request.key->datum;
  const Argument arguments[] = {bigint_arg("promo_id", promo_id),
                                text_arg("customer_id", customer),
                                text_arg("idempotency_key", key),
                                integer_arg("customer_live_uses", customer_uses),
                                timestamptz_arg("hold_expires_at", request.hold_expires),
                                text_arg("code_key", request.code_key)};
  const Argument campaign = campaign_id ? bigint_arg("campaign_id", *campaign_id)
                                        : Argument{"campaign_id", INT8OID, Datum(0), true};
  if (request.orders) {
    std::vector<Argument> with_campaign(std::begin(arguments), std::end(arguments));
    with_campaign.push_back(campaign);
    std::optional<Redemption> redeemed = try_redeem_order(spi, request, std::move(with_campaign), *terms);
    if (redeemed) redeemed->campaign_id = campaign_id;
    return redeemed;
  }
  Rows rows = request.campaigns
                  ? spi.execute(campaign_redeem_statement, {arguments[0], arguments[1], arguments[2], arguments[3],
                                                            arguments[4], arguments[5], campaign})
                  : spi.execute(redeem_statement,
                                {arguments[0], arguments[1], arguments[2], arguments[3], arguments[4], arguments[5]});
  if (rows.empty()) return std::nullopt;
  return Redemption{Status::Redeemed, read_code_row(rows[0]), read_ledger_entry(rows[0], false), campaign_id,
                    std::nullopt};
}

// The answer names the code's campaign wherever it shows the code.
Redemption in_campaign(Redemption redemption, const CodeState &code) {
  if (redemption.row) redemption.campaign_id = code.campaign_id;
  return redemption;
}

// An idempotency replay, answered with the code row locked.
std::optional<Redemption> replay(SpiSession &spi, const RedemptionRequest &request, int64_t promo_id,
                                 KeyedRedemption keyed) {
  std::optional<CodeState> code = lock_row(spi, promo_id, std::nullopt, request.campaigns);
  if (!code) return Redemption{};
  if (code->slots > 1) return std::nullopt;
  if (keyed.expired_hold && reclaim(spi, code) > 0) keyed = *find_key(spi, promo_id, request);
  return in_campaign(replay_of(keyed.entry, code->row), *code);
}

// The campaign's rules, for a code that passed its own (the code row
// locked, the customer's uses of the code counted): the use is taken from
// the campaign and the code, or the campaign's refusal answered.
// `reclaim_code` reclaims the code's expired holds at most once, giving
// their uses back to the code and to the campaign it is passed.
Redemption decide_campaign(SpiSession &spi, const RedemptionRequest &request, const CodeState &code,
                           std::optional<int32_t> customer_uses, bool reveal_reasons,
                           const std::function<int32_t(campaign::Campaign *)> &reclaim_code, campaign::Owed &owed) {
  campaign::Campaign campaign(spi, *code.campaign_id, request.orders);
  auto refuse = [&](Status status) {
    owed.settle(spi);
    return in_campaign(refusal(status, code.row, reveal_reasons, Scope::Campaign), code);
  };
  if (std::optional<Status> refused = campaign.refusal()) return refuse(*refused);
  if (std::optional<Status> refused = campaign.order_refusal(request)) return refuse(*refused);
  auto reclaim_all = [&] {
    const int32_t own = reclaim_code(&campaign);
    const int32_t elsewhere = request.reclaim_elsewhere(campaign.id(), code.row.id, request.customer);
    if (elsewhere > 0) campaign.give_back(elsewhere);
    return own + elsewhere;
  };
  if (!campaign.customer_may_use(request.customer, reclaim_all)) return refuse(Status::CustomerLimitReached);
  owed.settle(spi);  // the customer's lock is held: the slots may be taken now
  if (!campaign.take([&](int32_t) { return reclaim_all(); })) return refuse(Status::Exhausted);
  if (customer_uses)  // counted again: a reclaim may have released some
    customer_uses = customer_live_uses(spi, code.row.id, *request.customer);
  if (std::optional<Redemption> redeemed =
          try_redeem(spi, request, code.row.id, customer_uses, campaign.id(), code.terms))
    return *redeemed;
  throw std::logic_error("an eligible code of a campaign, locked, was not redeemed");
}

// Decides with the code row locked, by the rules (redemption_rules.hpp).
std::optional<Redemption> decide_locked(SpiSession &spi, const RedemptionRequest &request, int64_t promo_id,
                                        bool reveal_reasons) {
  std::optional<CodeState> code = lock_row(spi, promo_id, request.code_key, request.campaigns, request.orders);
  if (!code) return Redemption{};
  if (code->slots > 1) return std::nullopt;
  // What the code's reclaimed holds owe its campaign, given back once the
  // campaign's customer lock is held (lock_scheme.hpp), or on a refusal.
  campaign::Owed owed;
  auto refuse = [&](Status status) {
    owed.settle(spi);
    return in_campaign(refusal(status, code->row, reveal_reasons), *code);
  };
  if (code->refusal) return refuse(*code->refusal);
  if (std::optional<Status> refused = order_refusal(request, *code)) return refuse(*refused);

  bool reclaimed = false;
  auto reclaim_once = [&](campaign::Campaign *campaign) {
    if (reclaimed) return 0;
    reclaimed = true;
    return reclaim(spi, code, campaign, &owed);
  };
  std::optional<int32_t> customer_uses;
  if (customer_limited(request, *code)) {
    customer_uses = uses_below_customer_limit(spi, request, *code, [&] { return reclaim_once(nullptr); });
    if (!customer_uses) return refuse(Status::CustomerLimitReached);
  }
  if (code->exhausted) {
    reclaim_once(nullptr);
    if (code->exhausted) return refuse(Status::Exhausted);
  }
  if (code->campaign_id)
    return decide_campaign(spi, request, *code, customer_uses, reveal_reasons, reclaim_once, owed);
  if (std::optional<Redemption> redeemed =
          try_redeem(spi, request, promo_id, customer_uses, std::nullopt, code->terms))
    return redeemed;
  throw std::logic_error("an eligible code, locked, was not redeemed");
}

// For a code of a campaign whose own guarded UPDATE just took a use (the
// code row locked): whether the campaign grants it too. Its refusals are
// answered by decide_locked, after the use is undone, in the order of the
// rules; this path is the common case in one statement less.
bool campaign_grants(SpiSession &spi, const RedemptionRequest &request, const Redemption &redeemed) {
  if (campaign::quick_take(spi, *redeemed.campaign_id, request)) return true;
  campaign::Campaign campaign(spi, *redeemed.campaign_id, request.orders);
  if (campaign.refusal() || campaign.order_refusal(request)) return false;
  auto reclaim_elsewhere = [&] {
    const int32_t elsewhere = request.reclaim_elsewhere(campaign.id(), redeemed.row->id, request.customer);
    if (elsewhere > 0) campaign.give_back(elsewhere);
    return elsewhere;
  };
  return campaign.customer_may_use(request.customer, reclaim_elsewhere, redeemed.entry->id) &&
         campaign.take([&](int32_t) { return reclaim_elsewhere(); });
}

}  // namespace

std::optional<Redemption> redeem(SpiSession &spi, const RedemptionRequest &request, const FoundCode &found,
                                 bool reveal_reasons) {
  // Every change of this code's uses and ledger is made holding this lock,
  // so what is read under it (a key, a customer's uses) stays true until
  // this transaction ends. A transaction that already used this code's
  // campaign, and holds a slot or customer lock of it that someone waits
  // for, does not wait for this lock: its holder may be that waiter, and
  // PostgreSQL would end the call that waited first; this one fails
  // instead, and retries. When nobody waits for those, it waits: a cycle
  // that forms later is a deadlock PostgreSQL detects and ends.
  if (found.campaign_id && campaign::holds_a_lock_waited_for(*found.campaign_id)) {
    if (locks::try_acquire(queue_of(found.id), locks::Mode::Exclusive) == locks::Held::No)
      throw SqlError(ERRCODE_T_R_DEADLOCK_DETECTED,
                     "a redemption of a campaign's code after another use of the campaign in the same transaction "
                     "would wait for a caller that waits for this transaction",
                     "Retry the transaction; one redemption of a campaign per transaction avoids it.");
  } else {
    locks::acquire(queue_of(found.id), locks::Mode::Exclusive);
  }
  if (request.key)
    if (std::optional<KeyedRedemption> keyed = find_key(spi, found.id, request))
      return replay(spi, request, found.id, *keyed);

  // The one-statement path (the statement checks that the code's campaign
  // is still the one it was found with); a code of a campaign then meets the
  // campaign's rules.
  // On 1.6's tables an order the code's terms (as found) refuse is decided
  // with the row locked, where the refusal is answered in its place among
  // the rules.
  if (request.orders && order_refusal(found.terms->rules, request.customer.has_value(), request.order))
    return decide_locked(spi, request, found.id, reveal_reasons);
  std::optional<int32_t> customer_uses;
  if (request.customer && found.customer_limited) customer_uses = customer_live_uses(spi, found.id, *request.customer);
  if (std::optional<Redemption> redeemed =
          try_redeem(spi, request, found.id, customer_uses, found.campaign_id, found.terms)) {
    if (!found.campaign_id || campaign_grants(spi, request, *redeemed)) return redeemed;
    spi.execute(undo_statement, {bigint_arg("promo_id", found.id), bigint_arg("redemption_id", redeemed->entry->id)});
  }
  return decide_locked(spi, request, found.id, reveal_reasons);
}

std::optional<bool> confirm(SpiSession &spi, int64_t promo_id, int64_t redemption_id, bool campaigns) {
  locks::acquire(queue_of(promo_id), locks::Mode::Exclusive);
  std::optional<CodeState> code = lock_row(spi, promo_id, std::nullopt, campaigns);
  if (!code) return false;
  if (code->slots > 1) return std::nullopt;
  if (confirm_live_hold(spi, redemption_id)) return true;
  reclaim(spi, code);  // an expired hold is reclaimed instead
  return false;
}

std::optional<bool> release(SpiSession &spi, int64_t promo_id, int64_t redemption_id, bool campaigns) {
  locks::acquire(queue_of(promo_id), locks::Mode::Exclusive);
  std::optional<CodeState> code = lock_row(spi, promo_id, std::nullopt, campaigns);
  if (!code) return false;
  if (code->slots > 1) return std::nullopt;
  // The campaign's locks before the ledger row's, in the order of lock_scheme.hpp.
  std::optional<campaign::Campaign> campaign;
  if (code->campaign_id) campaign.emplace(spi, *code->campaign_id);
  if (!release_ledger_row(spi, redemption_id)) return false;
  spi.execute(give_back_statement, {bigint_arg("promo_id", promo_id), integer_arg("uses", 1)});
  if (campaign) campaign->give_back(1);
  return true;
}

std::optional<int32_t> reclaim_expired_holds(SpiSession &spi, int64_t promo_id, bool campaigns,
                                             campaign::Owed &owed) {
  locks::acquire(queue_of(promo_id), locks::Mode::Exclusive);
  std::optional<CodeState> code = lock_row(spi, promo_id, std::nullopt, campaigns);
  if (!code) return 0;
  if (code->slots > 1) return std::nullopt;
  return reclaim(spi, code, nullptr, &owed);
}

std::optional<int32_t> try_reclaim_expired_holds(SpiSession &spi, int64_t promo_id, int64_t campaign_id) {
  const locks::LockId queue = queue_of(promo_id);
  const locks::Held held = locks::try_acquire(queue, locks::Mode::Exclusive);
  if (held == locks::Held::No) return std::nullopt;
  Rows rows = spi.execute(try_lock_statement, {bigint_arg("promo_id", promo_id)});
  // A code that left the campaign since it was listed owes it nothing.
  if (rows.empty() || rows[0].int4("slots").value() > 1 || rows[0].int8("campaign_id") != campaign_id) {
    if (held == locks::Held::Newly) locks::release(queue, locks::Mode::Exclusive);
    return std::nullopt;
  }
  const int32_t released = release_expired_holds_without_waiting(spi, promo_id);
  if (released > 0)
    spi.execute(give_back_statement, {bigint_arg("promo_id", promo_id), integer_arg("uses", released)});
  return released;
}

}  // namespace promo::one_slot
