// The C entry points of the codes by the million (1.5): generate_promo_codes
// and import_promo_codes, thin wrappers as every SQL-callable function of
// promo's is (entry_points.cpp): arguments read and checked for NULL, the
// C++ body run through cpp_boundary().
#include <stdexcept>
#include <string>

#include "code_generator.hpp"
#include "code_import.hpp"
#include "error_bridge.hpp"
#include "pg_compat.hpp"
#include "spi_session.hpp"
#include "tables_version.hpp"

extern "C" {
#include "utils/tuplestore.h"
PG_FUNCTION_INFO_V1(generate_promo_codes);
PG_FUNCTION_INFO_V1(import_promo_codes);
}

namespace promo::codes {
namespace {

void refuse_null(FunctionCallInfo fcinfo, int index, const char *what, const char *hint) {
  if (PG_ARGISNULL(index))
    throw SqlError(ERRCODE_NULL_VALUE_NOT_ALLOWED, std::string(what) + " must not be null", hint);
}

// A text argument as UTF-8 bytes (the database encoding is UTF8).
std::string text_bytes(FunctionCallInfo fcinfo, int index) {
  struct Bytes {
    const char *data;
    size_t length;
  };
  Bytes bytes = pg_call([&] {
    text *value = PG_GETARG_TEXT_PP(index);
    return Bytes{VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value)};
  });
  return std::string(bytes.data, bytes.length);
}

TextArgument campaign_argument(FunctionCallInfo fcinfo, int index) {
  refuse_null(fcinfo, index, "campaign", "Pass the campaign's name, for example 'newsletter-2026-12'.");
  return TextArgument{PG_GETARG_DATUM(index), text_bytes(fcinfo, index)};
}

std::optional<int32_t> optional_integer(FunctionCallInfo fcinfo, int index) {
  if (PG_ARGISNULL(index)) return std::nullopt;
  return PG_GETARG_INT32(index);
}

std::optional<TimestampTz> optional_timestamptz(FunctionCallInfo fcinfo, int index) {
  if (PG_ARGISNULL(index)) return std::nullopt;
  return PG_GETARG_TIMESTAMPTZ(index);
}

// The SPI connection of a call, on 1.5's tables or newer, promo_codes locked first as
// every call locks it (tables_version.hpp).
template <typename Body>
Datum on_tables(FunctionCallInfo fcinfo, Body &&body) {
  const std::string schema = function_schema(fcinfo);
  SpiSession spi(schema);
  const TablesVersion tables = tables_version(schema);
  refuse_call_older_than_tables(fcinfo, spi, tables);
  if (!has_campaigns(tables)) throw std::logic_error("the codes by the million run on 1.5's tables or newer");
  Datum result = body(spi, schema);
  spi.finish();
  return result;
}

// generate_promo_codes's arguments, in the order of its SQL signature.
enum GenerateArg {
  campaign_arg,
  count_arg,
  pattern_arg,
  charset_arg,
  max_uses_arg,
  max_uses_per_customer_arg,
  valid_from_arg,
  valid_until_arg,
  is_active_arg,
  generate_args
};

GenerationRequest generation_request(FunctionCallInfo fcinfo) {
  if (PG_NARGS() != generate_args) throw std::logic_error("generate_promo_codes takes 9 arguments");
  TextArgument campaign = campaign_argument(fcinfo, campaign_arg);
  refuse_null(fcinfo, count_arg, "count", "Pass how many codes to make, from 1 to 10000000.");
  refuse_null(fcinfo, pattern_arg, "pattern", "Pass a pattern such as 'SUMMER-####-####', or leave it out.");
  refuse_null(fcinfo, charset_arg, "charset", "Pass the characters a # may become, or leave it out.");
  return GenerationRequest{std::move(campaign),
                           PG_GETARG_INT32(count_arg),
                           text_bytes(fcinfo, pattern_arg),
                           text_bytes(fcinfo, charset_arg),
                           optional_integer(fcinfo, max_uses_arg),
                           optional_integer(fcinfo, max_uses_per_customer_arg),
                           optional_timestamptz(fcinfo, valid_from_arg),
                           optional_timestamptz(fcinfo, valid_until_arg),
                           PG_ARGISNULL(is_active_arg) ? true : PG_GETARG_BOOL(is_active_arg)};
}

Datum generate_body(FunctionCallInfo fcinfo) {
  const GenerationRequest request = generation_request(fcinfo);
  return on_tables(fcinfo, [&](SpiSession &spi, const std::string &schema) {
    return Int64GetDatum(generate_codes(spi, schema, request));
  });
}

// The rows import_promo_codes returns, put into its tuplestore one by one
// (materialize mode: the tuplestore spills to disk beyond work_mem).
class RefusalRows {
 public:
  explicit RefusalRows(FunctionCallInfo fcinfo) {
    Output output = pg_call([&] {
      InitMaterializedSRF(fcinfo, 0);
      auto *result = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
      return Output{result->setResult, result->setDesc};
    });
    store_ = output.store;
    desc_ = output.desc;
  }

  void put(const std::optional<std::string> &code, const std::string &reason) {
    const char *code_data = code ? code->data() : nullptr;
    const int code_length = code ? static_cast<int>(code->size()) : 0;
    const char *reason_data = reason.data();
    const int reason_length = static_cast<int>(reason.size());
    Tuplestorestate *store = store_;
    TupleDesc desc = desc_;
    pg_call([&] {
      Datum values[2] = {Datum(0), PointerGetDatum(cstring_to_text_with_len(reason_data, reason_length))};
      bool nulls[2] = {code_data == nullptr, false};
      if (code_data != nullptr) values[0] = PointerGetDatum(cstring_to_text_with_len(code_data, code_length));
      tuplestore_putvalues(store, desc, values, nulls);
      for (int i = 0; i < 2; ++i)
        if (!nulls[i]) pfree(DatumGetPointer(values[i]));
    });
  }

 private:
  struct Output {
    Tuplestorestate *store;
    TupleDesc desc;
  };
  Tuplestorestate *store_;
  TupleDesc desc_;
};

Datum import_body(FunctionCallInfo fcinfo) {
  const TextArgument campaign = campaign_argument(fcinfo, 0);
  RefusalRows rows(fcinfo);
  return on_tables(fcinfo, [&](SpiSession &spi, const std::string &schema) {
    import_codes(
        spi, schema, campaign,
        [&](const std::optional<std::string> &code, const std::string &reason) { rows.put(code, reason); });
    return Datum(0);
  });
}

}  // namespace
}  // namespace promo::codes

// generate_promo_codes(campaign text, count integer, pattern text, charset text,
//   max_uses integer, max_uses_per_customer integer, valid_from timestamptz,
//   valid_until timestamptz, is_active boolean) RETURNS bigint -- 1.5
Datum generate_promo_codes(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::codes::generate_body(fcinfo); });
}

// import_promo_codes(campaign text) RETURNS TABLE (code text, reason text) -- 1.5
Datum import_promo_codes(PG_FUNCTION_ARGS) {
  return promo::cpp_boundary([&] { return promo::codes::import_body(fcinfo); });
}
