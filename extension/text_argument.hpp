// A text argument of a promo function, as SPI takes it and as bytes.
#pragma once

#include <string>

#include "pg_headers.hpp"

namespace promo {

struct TextArgument {
  Datum datum;
  std::string text;
};

}  // namespace promo
