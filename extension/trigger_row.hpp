// The columns of the row a trigger of promo's sees (a code's or a
// campaign's), read by name.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "error_bridge.hpp"
#include "pg_headers.hpp"

namespace promo {

class RowColumns {
 public:
  explicit RowColumns(TupleDesc descriptor) : descriptor_(descriptor) {}

  int number(const char *column) const {
    int number = pg_call([&] { return SPI_fnumber(descriptor_, column); });
    if (number <= 0) throw std::logic_error(std::string("the table has no column ") + column);
    return number;
  }

  bool has(const char *column) const {
    return pg_call([&] { return SPI_fnumber(descriptor_, column); }) > 0;
  }

  std::optional<Datum> value(HeapTuple row, const char *column) const {
    const int attribute = number(column);
    bool is_null = false;
    Datum datum = pg_call([&] { return heap_getattr(row, attribute, descriptor_, &is_null); });
    if (is_null) return std::nullopt;
    return datum;
  }

  // A BEFORE trigger runs before the NOT NULL checks: a NULL here is refused
  // as they would refuse it.
  Datum not_null(HeapTuple row, const char *column) const {
    std::optional<Datum> datum = value(row, column);
    if (!datum)
      throw SqlError(ERRCODE_NOT_NULL_VIOLATION, std::string("null value in column \"") + column + "\"",
                     "The column is NOT NULL.");
    return *datum;
  }

  int64_t id(HeapTuple row) const { return DatumGetInt64(not_null(row, "id")); }
  int32_t slots(HeapTuple row) const { return DatumGetInt32(not_null(row, "slots")); }
  std::optional<int32_t> max_uses(HeapTuple row) const { return int4(row, "max_uses"); }
  int32_t current_uses(HeapTuple row) const { return DatumGetInt32(not_null(row, "current_uses")); }
  std::optional<int64_t> int8(HeapTuple row, const char *column) const {
    std::optional<Datum> datum = value(row, column);
    return datum ? std::optional<int64_t>(DatumGetInt64(*datum)) : std::nullopt;
  }
  std::optional<int32_t> int4(HeapTuple row, const char *column) const {
    std::optional<Datum> datum = value(row, column);
    return datum ? std::optional<int32_t>(DatumGetInt32(*datum)) : std::nullopt;
  }
  std::string string(HeapTuple row, const char *column) const {
    Datum datum = not_null(row, column);
    return pg_call([&] { return TextDatumGetCString(datum); });
  }

 private:
  TupleDesc descriptor_;
};

}  // namespace promo
