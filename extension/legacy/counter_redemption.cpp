#include "legacy/counter_redemption.hpp"

#include <stdexcept>

#include "redemption_rules.hpp"

namespace promo::legacy {

namespace {

// $1 code. The one guarded UPDATE of 1.0.
const SqlStatement redeem_statement{"counter_redeem",
                                    R"(
UPDATE @extschema@.promo_codes
   SET current_uses = current_uses OPERATOR(pg_catalog.+) 1
 WHERE @extschema@.promo_normalize_code(code) OPERATOR(pg_catalog.=) @extschema@.promo_normalize_code($1)
   AND is_active
   AND (valid_from IS NULL OR valid_from OPERATOR(pg_catalog.<=) pg_catalog.now())
   AND (valid_until IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.<) valid_until)
   AND (max_uses IS NULL OR current_uses OPERATOR(pg_catalog.<) max_uses)
RETURNING id AS promo_id, code, current_uses, max_uses, is_active
)",
                                    {{"code", TEXTOID}}};

// $1 code. Locks the code row and says what it has against a new use.
const SqlStatement lock_statement{"counter_lock",
                                  R"(
SELECT id AS promo_id, code, current_uses, max_uses, is_active,
       NOT is_active AS inactive,
       valid_from IS NOT NULL AND valid_from OPERATOR(pg_catalog.>) pg_catalog.now() AS not_yet_valid,
       valid_until IS NOT NULL AND valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() AS expired,
       max_uses IS NOT NULL AND current_uses OPERATOR(pg_catalog.>=) max_uses AS exhausted
  FROM @extschema@.promo_codes
 WHERE @extschema@.promo_normalize_code(code) OPERATOR(pg_catalog.=) @extschema@.promo_normalize_code($1)
   FOR NO KEY UPDATE
)",
                                  {{"code", TEXTOID}}};

}  // namespace

Redemption redeem_counter_only(SpiSession &spi, Datum code, bool reveal_reasons) {
  // The classification runs with a newer snapshot than the UPDATE and locks
  // the row. If the locked row is eligible after all (a concurrent release or
  // reactivation committed in between), the UPDATE is run again: with the
  // lock held it cannot miss. Two passes therefore always decide.
  for (int pass = 0; pass < 2; ++pass) {
    Rows redeemed = spi.execute(redeem_statement, {text_arg("code", code)});
    if (!redeemed.empty()) return Redemption{Status::Redeemed, read_code_row(redeemed[0]), std::nullopt};

    Rows locked = spi.execute(lock_statement, {text_arg("code", code)});
    if (locked.empty()) return Redemption{};
    std::optional<Status> refused = read_row_refusal(locked[0]);
    if (!refused && locked[0].boolean("exhausted").value()) refused = Status::Exhausted;
    if (refused) return refusal(*refused, read_code_row(locked[0]), reveal_reasons);
  }
  throw std::runtime_error("redemption undecided after the code row was locked");
}

}  // namespace promo::legacy
