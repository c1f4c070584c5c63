// The SQL-callable functions: thin C wrappers, each handing its C++ body to
// cpp_boundary() so that no exception escapes into PostgreSQL.
#include <new>
#include <stdexcept>

#include "code_input.hpp"
#include "error_bridge.hpp"
#include "pg_headers.hpp"
#include "redemption.hpp"
#include "result_row.hpp"
#include "settings.hpp"
#include "spi_session.hpp"

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
PG_FUNCTION_INFO_V1(redeem_promo);
}

namespace promo {
namespace {

// Reads a text argument as UTF-8 bytes (the database encoding is UTF8).
std::string text_argument(FunctionCallInfo fcinfo, int index) {
  struct Bytes {
    const char *data;
    int length;
  };
  Bytes bytes = pg_call([&] {
    text *value = PG_GETARG_TEXT_PP(index);
    return Bytes{VARDATA_ANY(value), static_cast<int>(VARSIZE_ANY_EXHDR(value))};
  });
  return std::string(bytes.data, static_cast<size_t>(bytes.length));
}

void inject_debug_fault() {
  switch (debug_fault()) {
    case DebugFault::None: return;
    case DebugFault::CppException: throw std::runtime_error("promo.debug_fault injected a C++ exception");
    case DebugFault::OutOfMemory: throw std::bad_alloc();
  }
}

Datum redeem_promo_body(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0))
    throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "promo code must not be null",
                   "Pass the code as text, for example redeem_promo('SUMMER25').");
  if (auto problem = check_code(text_argument(fcinfo, 0)))
    throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, problem->message, problem->hint);

  SpiSession spi(function_schema(fcinfo));
  inject_debug_fault();
  Redemption redemption = redeem_code(spi, PG_GETARG_DATUM(0), reveal_reasons());
  spi.finish();
  return redemption_datum(fcinfo, redemption);
}

}  // namespace
}  // namespace promo

void _PG_init(void) {
  promo::define_settings();
}

// redeem_promo(code text) RETURNS promo_redemption
Datum redeem_promo(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::redeem_promo_body(fcinfo); });
}
