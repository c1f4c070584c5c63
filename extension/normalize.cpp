// promo_normalize_code(text): the one normalization of a code, in C so that
// the index scan key of every redemption costs a function call, not a SQL
// function execution. White space (space, tab, newline, carriage return,
// vertical tab, form feed) is trimmed, then case is folded upper-then-lower
// with the ICU root collation, so 'ß' and 'SS' fold alike whatever the
// database's locale.
#include "normalize.hpp"

#include "code_input.hpp"
#include "error_bridge.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "nodes/value.h"
PG_FUNCTION_INFO_V1(promo_normalize_code);
}

namespace promo {
namespace {

// pg_catalog."und-x-icu", looked up once per backend.
Oid icu_root_collation() {
  static Oid collation = InvalidOid;
  if (!OidIsValid(collation))
    collation = pg_call([] {
      return get_collation_oid(
          list_make2(makeString(pstrdup("pg_catalog")), makeString(pstrdup("und-x-icu"))), false);
    });
  return collation;
}

}  // namespace

Datum normalized_code(Datum code_datum) {
  struct Bytes {
    const char *data;
    size_t length;
  };
  Bytes bytes = pg_call([&] {
    text *code = DatumGetTextPP(code_datum);
    return Bytes{VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code)};
  });
  std::string_view trimmed = trim_code_whitespace(std::string_view(bytes.data, bytes.length));
  const Oid collation = icu_root_collation();
  return pg_call([&] {
    Datum text = PointerGetDatum(cstring_to_text_with_len(trimmed.data(), static_cast<int>(trimmed.size())));
    return DirectFunctionCall1Coll(lower, collation, DirectFunctionCall1Coll(upper, collation, text));
  });
}

}  // namespace promo

// promo_normalize_code(code text) RETURNS text -- from 1.2; IMMUTABLE STRICT
Datum promo_normalize_code(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::normalized_code(PG_GETARG_DATUM(0)); });
}
