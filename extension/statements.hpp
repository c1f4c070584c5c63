// The SQL that promo runs through SPI. Every object is schema-qualified:
// @extschema@ is replaced by the extension's schema, resolved at run time,
// and everything else is pg_catalog's. Values are always SPI parameters.
#pragma once

#include "pg_headers.hpp"

namespace promo {

enum class Statement {
  RedeemGuarded,    // the one guarded UPDATE
  LockAndClassify,  // locks the code row and names the reason it was refused
  Count
};

struct StatementText {
  const char *sql;
  int arg_count;
  Oid arg_types[4];
};

const StatementText &statement_text(Statement statement);

}  // namespace promo
