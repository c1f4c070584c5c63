// Turns a Redemption into the SQL composite promo_redemption.
#pragma once

#include "pg_headers.hpp"
#include "redemption.hpp"

namespace promo {

Datum redemption_datum(FunctionCallInfo fcinfo, const Redemption &redemption);

}  // namespace promo
