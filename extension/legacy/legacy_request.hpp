// A call on the tables of a version before 1.4: what it asks for, and which
// tables it found (tables_version.hpp).
#pragma once

#include <optional>

#include "pg_headers.hpp"
#include "text_argument.hpp"

namespace promo::legacy {

// V1_1 serves 1.2's tables too (the same tables).
enum class Tables { V1_0, V1_1, V1_3 };

struct Request {
  Datum code;                            // text, validated, as the caller typed it
  std::optional<TextArgument> customer;  // validated
  std::optional<TextArgument> key;       // validated
  std::optional<Datum> hold;             // interval, validated
};

}  // namespace promo::legacy
