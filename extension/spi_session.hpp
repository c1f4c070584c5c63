// The SPI layer: a connection for the length of one call, plans prepared once
// per backend and kept (one per SqlStatement, found by its address), and
// result rows read by column name. The only file that prepares or executes
// SQL, and the only one that reads a column by its number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <initializer_list>

#include "pg_headers.hpp"
#include "sql_statement.hpp"

namespace promo {

// One row of a statement's result, read by column name.
class ResultRow {
 public:
  ResultRow(SPITupleTable *table, uint64_t index) : table_(table), index_(index) {}
  std::optional<int64_t> int8(const char *column) const;
  std::optional<int32_t> int4(const char *column) const;
  std::optional<bool> boolean(const char *column) const;
  std::optional<std::string> string(const char *column) const;
  std::optional<TimestampTz> timestamptz(const char *column) const;

 private:
  std::optional<Datum> datum(const char *column) const;
  SPITupleTable *table_;
  uint64_t index_;
};

// The rows a statement returned; valid until the SPI connection ends.
class Rows {
 public:
  Rows(SPITupleTable *table, uint64_t count) : table_(table), count_(count) {}
  uint64_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  ResultRow operator[](uint64_t index) const;

 private:
  SPITupleTable *table_;
  uint64_t count_;
};

// The schema the called function lives in: the extension's schema.
std::string function_schema(FunctionCallInfo fcinfo);

class SpiSession {
 public:
  explicit SpiSession(std::string schema);
  SpiSession(const SpiSession &) = delete;
  SpiSession &operator=(const SpiSession &) = delete;
  // No SPI_finish here: a destructor must not call PostgreSQL. On an error
  // the (sub)transaction abort releases the SPI connection.
  ~SpiSession() = default;

  // Ends the connection; call once, on success.
  void finish();

  // Runs a statement (prepared once per backend) with its arguments, given in
  // the order and with the names and types the statement declares.
  Rows execute(const SqlStatement &statement, std::initializer_list<Argument> arguments);
  Rows execute(const SqlStatement &statement, const std::vector<Argument> &arguments);

  // Rows the last statement returned or changed.
  uint64_t processed() const { return processed_; }

  // The extension's schema, which the statements name.
  const std::string &schema() const { return schema_; }

 private:
  std::string schema_;
  bool connected_ = false;
  uint64_t processed_ = 0;
};

}  // namespace promo
