#include "spi_session.hpp"

#include <array>
#include <stdexcept>

#include "error_bridge.hpp"

namespace promo {

namespace {

// Plans live for the backend's lifetime, prepared for one schema. If the
// extension reappears under another schema name, they are prepared again.
struct PlanCache {
  std::string schema;
  std::array<SPIPlanPtr, static_cast<size_t>(Statement::Count)> plans{};
};

PlanCache plan_cache;

std::string expand_schema(const char *sql, const std::string &quoted_schema) {
  static const std::string placeholder = "@extschema@";
  std::string text = sql;
  for (size_t at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + quoted_schema.size()))
    text.replace(at, placeholder.size(), quoted_schema);
  return text;
}

void forget_plans() {
  for (SPIPlanPtr &plan : plan_cache.plans) {
    if (plan != nullptr) {
      SPIPlanPtr doomed = plan;
      plan = nullptr;
      pg_call([&] { SPI_freeplan(doomed); });
    }
  }
}

SPIPlanPtr prepared_plan(Statement statement, const std::string &schema) {
  if (plan_cache.schema != schema) {
    forget_plans();
    plan_cache.schema = schema;
  }
  SPIPlanPtr &plan = plan_cache.plans[static_cast<size_t>(statement)];
  if (plan == nullptr) {
    const StatementText &text = statement_text(statement);
    const char *quoted = pg_call([&] { return quote_identifier(schema.c_str()); });
    std::string sql = expand_schema(text.sql.c_str(), quoted);
    const char *sql_text = sql.c_str();
    Oid *arg_types = const_cast<Oid *>(text.arg_types);
    plan = pg_call([&] {
      SPIPlanPtr fresh = SPI_prepare(sql_text, text.arg_count, arg_types);
      if (fresh == nullptr) elog(ERROR, "promo: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
      SPI_keepplan(fresh);
      return fresh;
    });
  }
  return plan;
}

}  // namespace

std::string function_schema(FunctionCallInfo fcinfo) {
  const char *name = pg_call([&] {
    Oid namespace_oid = get_func_namespace(fcinfo->flinfo->fn_oid);
    return get_namespace_name(namespace_oid);
  });
  if (name == nullptr) throw std::runtime_error("cannot find the schema of the called function");
  return name;
}

SpiSession::SpiSession(std::string schema) : schema_(std::move(schema)) {
  pg_call([] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  });
  connected_ = true;
}

void SpiSession::finish() {
  if (!connected_) return;
  connected_ = false;
  pg_call([] { SPI_finish(); });
}

uint64_t SpiSession::run(Statement statement, const Datum *args, const char *nulls) {
  SPIPlanPtr plan = prepared_plan(statement, schema_);
  processed_ = pg_call([&] {
    int result = SPI_execute_plan(plan, const_cast<Datum *>(args), nulls, false, 0);
    if (result < 0) elog(ERROR, "promo: SPI_execute_plan failed: %s", SPI_result_code_string(result));
    return SPI_processed;
  });
  return processed_;
}

int SpiSession::columns() const {
  return SPI_tuptable == nullptr ? 0 : SPI_tuptable->tupdesc->natts;
}

Datum SpiSession::value(uint64_t row, int column, bool &is_null) const {
  bool null_flag = false;
  Datum datum = pg_call([&] {
    if (SPI_tuptable == nullptr || row >= SPI_processed)
      elog(ERROR, "promo: no SPI result row " UINT64_FORMAT, row);
    return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column + 1, &null_flag);
  });
  is_null = null_flag;
  return datum;
}

std::optional<std::string> SpiSession::text_value(uint64_t row, int column) const {
  bool is_null = false;
  Datum datum = value(row, column, is_null);
  if (is_null) return std::nullopt;
  const char *chars = pg_call([&] { return TextDatumGetCString(datum); });
  return std::string(chars);
}

std::optional<int64_t> SpiSession::int8_value(uint64_t row, int column) const {
  bool is_null = false;
  Datum datum = value(row, column, is_null);
  if (is_null) return std::nullopt;
  return DatumGetInt64(datum);
}

std::optional<int32_t> SpiSession::int4_value(uint64_t row, int column) const {
  bool is_null = false;
  Datum datum = value(row, column, is_null);
  if (is_null) return std::nullopt;
  return DatumGetInt32(datum);
}

std::optional<bool> SpiSession::bool_value(uint64_t row, int column) const {
  bool is_null = false;
  Datum datum = value(row, column, is_null);
  if (is_null) return std::nullopt;
  return DatumGetBool(datum);
}

}  // namespace promo
