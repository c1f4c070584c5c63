// The one normalization of a code (see normalize.cpp).
#pragma once

#include "pg_headers.hpp"

namespace promo {

// The normalized form of a code (a text Datum): promo_codes.code_key.
Datum normalized_code(Datum code);

}  // namespace promo
