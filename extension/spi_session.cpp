// The one file that may prepare and run SQL (pg_headers.hpp).
#define PROMO_SPI_LAYER
#include "spi_session.hpp"

#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "error_bridge.hpp"

namespace promo {

namespace {

// Plans live for the backend's lifetime, prepared for one schema. If the
// extension reappears under another schema name, they are prepared again.
struct PlanCache {
  std::string schema;
  std::unordered_map<const SqlStatement *, SPIPlanPtr> statement_plans;
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
  while (!plan_cache.statement_plans.empty()) {
    SPIPlanPtr doomed = plan_cache.statement_plans.begin()->second;
    plan_cache.statement_plans.erase(plan_cache.statement_plans.begin());
    pg_call([&] { SPI_freeplan(doomed); });
  }
}

// The only call of SPI_prepare: its text comes from an SqlText, which only a
// string literal makes, with the extension's schema (quoted) filled in.
SPIPlanPtr prepare(SqlText sql, int arg_count, Oid *arg_types, const std::string &schema) {
  const char *quoted = pg_call([&] { return quote_identifier(schema.c_str()); });
  std::string text = expand_schema(sql.c_str(), quoted);
  const char *text_chars = text.c_str();
  return pg_call([&] {
    SPIPlanPtr fresh = SPI_prepare(text_chars, arg_count, arg_types);
    if (fresh == nullptr) elog(ERROR, "promo: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    SPI_keepplan(fresh);
    return fresh;
  });
}

void use_schema(const std::string &schema) {
  if (plan_cache.schema != schema) {
    forget_plans();
    plan_cache.schema = schema;
  }
}

SPIPlanPtr statement_plan(const SqlStatement &statement, const std::string &schema) {
  use_schema(schema);
  auto found = plan_cache.statement_plans.find(&statement);
  if (found != plan_cache.statement_plans.end()) return found->second;
  std::vector<Oid> types;
  for (const Parameter &parameter : statement.parameters) types.push_back(parameter.type);
  SPIPlanPtr plan = prepare(statement.text, static_cast<int>(types.size()), types.data(), schema);
  plan_cache.statement_plans.emplace(&statement, plan);
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

Rows SpiSession::execute(const SqlStatement &statement, std::initializer_list<Argument> arguments) {
  return execute(statement, std::vector<Argument>(arguments));
}

Rows SpiSession::execute(const SqlStatement &statement, const std::vector<Argument> &arguments) {
  if (arguments.size() != statement.parameters.size())
    throw std::logic_error(std::string("statement ") + statement.name + " takes " +
                           std::to_string(statement.parameters.size()) + " arguments");
  std::vector<Datum> values;
  std::string nulls;
  size_t position = 0;
  for (const Argument &argument : arguments) {
    const Parameter &parameter = statement.parameters[position++];
    if (std::string(parameter.name) != argument.name || parameter.type != argument.type)
      throw std::logic_error(std::string("statement ") + statement.name + ": parameter $" +
                             std::to_string(position) + " is " + parameter.name + ", not " + argument.name);
    values.push_back(argument.value);
    nulls.push_back(argument.is_null ? 'n' : ' ');
  }
  SPIPlanPtr plan = statement_plan(statement, schema_);
  Datum *value_array = values.data();
  const char *null_flags = nulls.c_str();
  struct Outcome {
    SPITupleTable *table;
    uint64 processed;
  };
  Outcome outcome = pg_call([&] {
    int result = SPI_execute_plan(plan, value_array, null_flags, false, 0);
    if (result < 0) elog(ERROR, "promo: SPI_execute_plan failed: %s", SPI_result_code_string(result));
    return Outcome{SPI_tuptable, SPI_processed};
  });
  processed_ = outcome.processed;
  return Rows(outcome.table, outcome.table == nullptr ? 0 : outcome.processed);
}

ResultRow Rows::operator[](uint64_t index) const {
  if (index >= count_) throw std::logic_error("no result row " + std::to_string(index));
  return ResultRow(table_, index);
}

std::optional<Datum> ResultRow::datum(const char *column) const {
  struct Read {
    Datum value;
    bool is_null;
    bool found;
  };
  Read read = pg_call([&] {
    int number = SPI_fnumber(table_->tupdesc, column);
    if (number <= 0) return Read{Datum(0), true, false};
    bool is_null = false;
    Datum value = SPI_getbinval(table_->vals[index_], table_->tupdesc, number, &is_null);
    return Read{value, is_null, true};
  });
  if (!read.found) throw std::logic_error(std::string("result has no column ") + column);
  if (read.is_null) return std::nullopt;
  return read.value;
}

std::optional<int64_t> ResultRow::int8(const char *column) const {
  std::optional<Datum> value = datum(column);
  return value ? std::optional<int64_t>(DatumGetInt64(*value)) : std::nullopt;
}

std::optional<int32_t> ResultRow::int4(const char *column) const {
  std::optional<Datum> value = datum(column);
  return value ? std::optional<int32_t>(DatumGetInt32(*value)) : std::nullopt;
}

std::optional<bool> ResultRow::boolean(const char *column) const {
  std::optional<Datum> value = datum(column);
  return value ? std::optional<bool>(DatumGetBool(*value)) : std::nullopt;
}

std::optional<TimestampTz> ResultRow::timestamptz(const char *column) const {
  std::optional<Datum> value = datum(column);
  return value ? std::optional<TimestampTz>(DatumGetTimestampTz(*value)) : std::nullopt;
}

std::optional<std::string> ResultRow::string(const char *column) const {
  std::optional<Datum> value = datum(column);
  if (!value) return std::nullopt;
  const char *chars = pg_call([&] { return TextDatumGetCString(*value); });
  return std::string(chars);
}

}  // namespace promo
