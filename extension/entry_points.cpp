// The SQL-callable functions: thin C wrappers, each handing its C++ body to
// cpp_boundary() so that no exception escapes into PostgreSQL. One C entry
// point per SQL signature, so that a newer library still serves the SQL
// objects of an older version until ALTER EXTENSION promo UPDATE.
#include <new>
#include <stdexcept>

#include "call_site.hpp"
#include "code_input.hpp"
#include "code_redemption.hpp"
#include "error_bridge.hpp"
#include "legacy/legacy_redemption.hpp"
#include "library_version.hpp"
#include "normalize.hpp"
#include "order_rules.hpp"
#include "order_terms.hpp"
#include "pg_headers.hpp"
#include "redemption.hpp"
#include "result_row.hpp"
#include "settings.hpp"
#include "spi_session.hpp"
#include "stats.hpp"
#include "tables_version.hpp"

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
PG_FUNCTION_INFO_V1(redeem_promo);
PG_FUNCTION_INFO_V1(redeem_promo_v1_1);
PG_FUNCTION_INFO_V1(confirm_promo);
PG_FUNCTION_INFO_V1(release_promo);
PG_FUNCTION_INFO_V1(promo_reclaim_expired_holds);
PG_FUNCTION_INFO_V1(redeem_promo_v1_3);
PG_FUNCTION_INFO_V1(confirm_promo_v1_3);
PG_FUNCTION_INFO_V1(release_promo_v1_3);
PG_FUNCTION_INFO_V1(promo_reclaim_expired_holds_v1_3);
PG_FUNCTION_INFO_V1(redeem_promo_v1_4);
PG_FUNCTION_INFO_V1(confirm_promo_v1_4);
PG_FUNCTION_INFO_V1(release_promo_v1_4);
PG_FUNCTION_INFO_V1(promo_reclaim_expired_holds_v1_4);
PG_FUNCTION_INFO_V1(promo_stats_counters);
PG_FUNCTION_INFO_V1(promo_stats_reset);
PG_FUNCTION_INFO_V1(promo_library_version);
PG_FUNCTION_INFO_V1(redeem_promo_v1_6);
PG_FUNCTION_INFO_V1(promo_stats_counters_v1_6);
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

void refuse_null(FunctionCallInfo fcinfo, int index, const char *what, const char *hint) {
  if (PG_ARGISNULL(index))
    throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, std::string(what) + " must not be null", hint);
}

void throw_if(const std::optional<InputProblem> &problem) {
  if (problem) throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, problem->message, problem->hint);
}

// The code argument: not NULL, and valid.
Datum code_argument(FunctionCallInfo fcinfo) {
  refuse_null(fcinfo, 0, "promo code", "Pass the code as text, for example redeem_promo('SUMMER25').");
  throw_if(check_code(text_argument(fcinfo, 0)));
  return PG_GETARG_DATUM(0);
}

// An optional customer_id or idempotency_key: NULL means none.
std::optional<TextArgument> identifier_argument(FunctionCallInfo fcinfo, int index, const char *name) {
  if (PG_ARGISNULL(index)) return std::nullopt;
  TextArgument argument{PG_GETARG_DATUM(index), text_argument(fcinfo, index)};
  throw_if(check_identifier(argument.text, name));
  return argument;
}

// A hold, as the exact time it lasts: months count 30 days and days 24
// hours, as PostgreSQL compares intervals, so what is checked (positive, at
// most 30 days) is what the hold lasts, whatever the calendar says.
std::optional<TimeOffset> hold_microseconds(FunctionCallInfo fcinfo, int index) {
  if (PG_ARGISNULL(index)) return std::nullopt;
  Interval *hold = PG_GETARG_INTERVAL_P(index);  // pass-by-reference, never toasted
  long double days = static_cast<long double>(hold->month) * DAYS_PER_MONTH + hold->day;
  long double microseconds = days * USECS_PER_DAY + hold->time;
  throw_if(check_hold(microseconds));
  return static_cast<TimeOffset>(microseconds);
}

// For the older tables' statements, which add the hold to now(): the same
// hold as a plain time interval.
std::optional<Datum> exact_interval(std::optional<TimeOffset> microseconds) {
  if (!microseconds) return std::nullopt;
  return pg_call([&] {
    auto *exact = static_cast<Interval *>(palloc0(sizeof(Interval)));
    exact->time = *microseconds;
    return PointerGetDatum(exact);
  });
}

// The tables of a version before 1.4, as the legacy service names them; the
// 1.1 functions on 1.0's tables (a call that waited for the update) run as 1.1.
legacy::Tables legacy_tables(TablesVersion tables, bool ledger_call) {
  switch (tables) {
    case TablesVersion::V1_0: return ledger_call ? legacy::Tables::V1_1 : legacy::Tables::V1_0;
    case TablesVersion::V1_1: return legacy::Tables::V1_1;
    case TablesVersion::V1_3: return legacy::Tables::V1_3;
    case TablesVersion::V1_4:
    case TablesVersion::V1_5:
    case TablesVersion::V1_6: break;
  }
  throw std::logic_error("1.4's tables and newer have no legacy service");
}

// The order of a 1.6 call (order_amount, currency): both or neither.
std::optional<OrderArgument> order_argument(FunctionCallInfo fcinfo, int amount_index, int currency_index) {
  std::optional<int64_t> amount;
  std::optional<std::string> currency;
  if (!PG_ARGISNULL(amount_index)) amount = PG_GETARG_INT64(amount_index);
  if (!PG_ARGISNULL(currency_index)) currency = text_argument(fcinfo, currency_index);
  throw_if(order::check_order(amount, currency));
  if (!amount) return std::nullopt;
  return OrderArgument{*amount, TextArgument{PG_GETARG_DATUM(currency_index), *currency}};
}

int64_t redemption_id_argument(FunctionCallInfo fcinfo) {
  refuse_null(fcinfo, 0, "redemption_id", "Pass the redemption_id that redeem_promo returned.");
  return PG_GETARG_INT64(0);
}

void inject_debug_fault() {
  switch (debug_fault()) {
    case DebugFault::None: return;
    case DebugFault::CppException: throw std::runtime_error("promo.debug_fault injected a C++ exception");
    case DebugFault::OutOfMemory: throw std::bad_alloc();
  }
}

// Every redeem_promo, whichever version's SQL function called: its
// arguments (the 1.0 one has only the code), run by the logic of the tables
// the call finds (tables_version.hpp).
Datum redeem_body(FunctionCallInfo fcinfo) {
  Datum code = code_argument(fcinfo);
  const bool ledger_arguments = PG_NARGS() >= 4;
  std::optional<TextArgument> customer, key;
  std::optional<TimeOffset> hold;
  std::optional<OrderArgument> order;
  if (ledger_arguments) {
    customer = identifier_argument(fcinfo, 1, "customer_id");
    key = identifier_argument(fcinfo, 2, "idempotency_key");
    hold = hold_microseconds(fcinfo, 3);
  }
  if (PG_NARGS() == 6) order = order_argument(fcinfo, 4, 5);
  const std::string schema = function_schema(fcinfo);
  SpiSession spi(schema);
  const TablesVersion tables = tables_version(schema);
  refuse_call_older_than_tables(fcinfo, spi, tables);
  inject_debug_fault();
  Redemption redemption;
  if (served_by_core(tables)) {
    std::optional<TimestampTz> expires;
    if (hold) expires = GetCurrentTransactionStartTimestamp() + *hold;
    RedemptionRequest request{normalized_code(code), customer, key, expires, has_campaigns(tables), {},
                              has_orders(tables), order};
    redemption = redeem_code(spi, std::move(request), reveal_reasons());
  } else {
    const legacy::Request request{code, customer, key, exact_interval(hold)};
    redemption = legacy::redeem(spi, request, reveal_reasons(), legacy_tables(tables, false));
  }
  spi.finish();
  return redemption_datum(fcinfo, redemption);
}

// confirm_promo, release_promo and the sweep, whichever version's SQL
// function called, by the tables the call finds.
template <typename Older, typename Newest>
Datum ledger_action(FunctionCallInfo fcinfo, Older &&older, Newest &&newest) {
  const std::string schema = function_schema(fcinfo);
  SpiSession spi(schema);
  const TablesVersion tables = tables_version(schema);
  refuse_call_older_than_tables(fcinfo, spi, tables);
  Datum result = served_by_core(tables) ? newest(spi, has_campaigns(tables))
                                        : older(spi, legacy_tables(tables, true));
  spi.finish();
  return result;
}

Datum confirm_body(FunctionCallInfo fcinfo) {
  int64_t id = redemption_id_argument(fcinfo);
  return ledger_action(
      fcinfo, [&](SpiSession &spi, legacy::Tables older) { return BoolGetDatum(legacy::confirm(spi, id, older)); },
      [&](SpiSession &spi, bool campaigns) { return BoolGetDatum(confirm_code_redemption(spi, id, campaigns)); });
}

Datum release_body(FunctionCallInfo fcinfo) {
  int64_t id = redemption_id_argument(fcinfo);
  return ledger_action(
      fcinfo, [&](SpiSession &spi, legacy::Tables older) { return BoolGetDatum(legacy::release(spi, id, older)); },
      [&](SpiSession &spi, bool campaigns) { return BoolGetDatum(release_code_redemption(spi, id, campaigns)); });
}

Datum reclaim_body(FunctionCallInfo fcinfo) {
  return ledger_action(
      fcinfo, [&](SpiSession &spi, legacy::Tables older) {
        return Int32GetDatum(legacy::reclaim_all_expired_holds(spi, older));
      },
      [&](SpiSession &spi, bool campaigns) {
        return Int32GetDatum(reclaim_all_expired_code_holds(spi, campaigns));
      });
}

}  // namespace
}  // namespace promo

void _PG_init(void) {
  promo::create_error_copy_context();
  promo::define_settings();
  promo::stats::request_shared_memory();
}

// One C entry point per SQL signature of every version, so that a newer
// library serves the SQL functions of an older one until the update. Every
// redeem_promo runs once per call site and row (call_site.hpp).

namespace {

Datum redeem_entry(FunctionCallInfo fcinfo) {
  return promo::cpp_boundary(
      [&] { return promo::once_per_call_site(fcinfo, [&] { return promo::redeem_body(fcinfo); }); });
}

}  // namespace

// redeem_promo(code text) RETURNS promo_redemption -- version 1.0
Datum redeem_promo(PG_FUNCTION_ARGS) {
  return redeem_entry(fcinfo);
}

// redeem_promo(code, customer_id, idempotency_key, hold) RETURNS promo_redemption -- 1.1 and 1.2
Datum redeem_promo_v1_1(PG_FUNCTION_ARGS) {
  return redeem_entry(fcinfo);
}

// confirm_promo(redemption_id bigint) RETURNS boolean -- 1.1 and 1.2
Datum confirm_promo(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::confirm_body(fcinfo); });
}

// release_promo(redemption_id bigint) RETURNS boolean -- 1.1 and 1.2
Datum release_promo(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::release_body(fcinfo); });
}

// promo_reclaim_expired_holds() RETURNS integer -- 1.1 and 1.2
Datum promo_reclaim_expired_holds(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::reclaim_body(fcinfo); });
}

// The same four, 1.3.
Datum redeem_promo_v1_3(PG_FUNCTION_ARGS) {
  return redeem_entry(fcinfo);
}

Datum confirm_promo_v1_3(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::confirm_body(fcinfo); });
}

Datum release_promo_v1_3(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::release_body(fcinfo); });
}

Datum promo_reclaim_expired_holds_v1_3(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::reclaim_body(fcinfo); });
}

// The same four, 1.4.
Datum redeem_promo_v1_4(PG_FUNCTION_ARGS) {
  return redeem_entry(fcinfo);
}

Datum confirm_promo_v1_4(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::confirm_body(fcinfo); });
}

Datum release_promo_v1_4(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::release_body(fcinfo); });
}

Datum promo_reclaim_expired_holds_v1_4(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::reclaim_body(fcinfo); });
}

// redeem_promo(code, customer_id, idempotency_key, hold, order_amount,
// currency) RETURNS promo_redemption -- 1.6
Datum redeem_promo_v1_6(PG_FUNCTION_ARGS) {
  return redeem_entry(fcinfo);
}

// promo_stats_counters() RETURNS SETOF record, behind the view promo_stats,
// and promo_stats_reset() RETURNS void -- 1.5.2; the counters of the
// statuses up to 1.5.3's, which that view's promo_status has.
Datum promo_stats_counters(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::stats::counters(fcinfo, "1.5.3"); });
}

// The same, with 1.6's statuses -- 1.6
Datum promo_stats_counters_v1_6(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::stats::counters(fcinfo, "1.6"); });
}

Datum promo_stats_reset(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] {
    promo::stats::reset();
    return Datum(0);
  });
}

// promo_library_version() RETURNS text -- 1.5.3: the newest version whose
// SQL this library serves. Each version's scripts from 1.5.3 on compare it
// with their own, so that a server still running an older library (promo
// preloaded, installed anew without a restart) refuses them with a clear error.
Datum promo_library_version(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::pg_call([] { return CStringGetTextDatum(promo::library_version); }); });
}
