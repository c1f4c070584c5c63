#include "statements.hpp"

namespace promo {

namespace {

// Columns shared by both statements, in this order: id, code, current_uses,
// max_uses, is_active.
const StatementText texts[] = {
    // RedeemGuarded: $1 = code as given. Re-checked by PostgreSQL on the
    // newest row version once the row lock is granted, so it never overuses.
    {"UPDATE @extschema@.promo_codes"
     "   SET current_uses = current_uses OPERATOR(pg_catalog.+) 1"
     " WHERE @extschema@.promo_normalize_code(code)"
     "       OPERATOR(pg_catalog.=) @extschema@.promo_normalize_code($1)"
     "   AND is_active"
     "   AND (valid_from IS NULL OR valid_from OPERATOR(pg_catalog.<=) pg_catalog.now())"
     "   AND (valid_until IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.<) valid_until)"
     "   AND (max_uses IS NULL OR current_uses OPERATOR(pg_catalog.<) max_uses)"
     " RETURNING id, code, current_uses, max_uses, is_active",
     1,
     {TEXTOID}},
    // LockAndClassify: $1 = code as given. The first reason that applies
    // wins; NULL means the locked row is eligible after all.
    {"SELECT id, code, current_uses, max_uses, is_active,"
     "       CASE WHEN NOT is_active THEN 'inactive'"
     "            WHEN valid_from OPERATOR(pg_catalog.>) pg_catalog.now() THEN 'not_yet_valid'"
     "            WHEN valid_until OPERATOR(pg_catalog.<=) pg_catalog.now() THEN 'expired'"
     "            WHEN current_uses OPERATOR(pg_catalog.>=) max_uses THEN 'exhausted'"
     "       END"
     "  FROM @extschema@.promo_codes"
     " WHERE @extschema@.promo_normalize_code(code)"
     "       OPERATOR(pg_catalog.=) @extschema@.promo_normalize_code($1)"
     "   FOR NO KEY UPDATE",
     1,
     {TEXTOID}},
};

static_assert(sizeof texts / sizeof texts[0] == static_cast<size_t>(Statement::Count),
              "one text per statement");

}  // namespace

const StatementText &statement_text(Statement statement) {
  return texts[static_cast<size_t>(statement)];
}

}  // namespace promo
