// One redemption per call site and row. PostgreSQL expands
// SELECT (redeem_promo('X')).* into one call per column of the result, all
// copies of the call at the same place of the query text, evaluated for the
// same row: twelve redemptions where the caller wrote one. Every copy after
// the first, for the same row and the same arguments, gets the first one's
// result instead. Calls written at different places (redeem_promo('X'),
// redeem_promo('X')), other rows, later statements and later loop
// iterations of PL/pgSQL each redeem as written. (A stored query -- a view,
// a rule, a BEGIN ATOMIC body, a column DEFAULT -- keeps no place of its
// calls: there, identical calls in one row redeem once.)
#pragma once

#include <functional>

#include "pg_headers.hpp"

namespace promo {

Datum once_per_call_site(FunctionCallInfo fcinfo, const std::function<Datum()> &call);

}  // namespace promo
