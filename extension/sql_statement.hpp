// A statement promo runs through SPI: its whole text and its parameters,
// named and typed. Texts are compile-time constants; @extschema@ stands for
// the extension's schema (resolved at run time), everything else is
// pg_catalog's, and every value travels as a parameter.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "pg_headers.hpp"

namespace promo {

struct Parameter {
  const char *name;
  Oid type;
};

// The text of a statement: only a string literal (an array of const char the
// compiler holds) converts to one, so no text built at run time, and no
// value, can reach SPI_prepare.
class SqlText {
 public:
  template <size_t N>
  constexpr SqlText(const char (&text)[N]) : text_(text) {}  // NOLINT: implicit by design
  template <size_t N>
  SqlText(char (&text)[N]) = delete;  // a writable buffer could hold anything
  constexpr const char *c_str() const { return text_; }

 private:
  const char *text_;
};

struct SqlStatement {
  const char *name;  // for messages
  SqlText text;
  std::vector<Parameter> parameters;  // $1, $2, ... in order
};

// A value for one parameter, named as the statement names it.
struct Argument {
  const char *name;
  Oid type;
  Datum value;
  bool is_null;
};

inline Argument bigint_arg(const char *name, int64_t value) {
  return {name, INT8OID, Int64GetDatum(value), false};
}
inline Argument integer_arg(const char *name, std::optional<int32_t> value) {
  return {name, INT4OID, value ? Int32GetDatum(*value) : Datum(0), !value};
}
inline Argument text_arg(const char *name, std::optional<Datum> value) {
  return {name, TEXTOID, value.value_or(Datum(0)), !value};
}
inline Argument interval_arg(const char *name, std::optional<Datum> value) {
  return {name, INTERVALOID, value.value_or(Datum(0)), !value};
}
inline Argument timestamptz_arg(const char *name, std::optional<TimestampTz> value) {
  return {name, TIMESTAMPTZOID, value ? TimestampTzGetDatum(*value) : Datum(0), !value};
}

}  // namespace promo
