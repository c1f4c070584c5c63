// What generation (code_generator.hpp) and import (code_import.hpp) share:
// the campaign's lock they both take before they count or add its codes,
// and the arrays a batch of codes travels in to its one INSERT.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg_headers.hpp"
#include "spi_session.hpp"
#include "text_argument.hpp"

namespace promo::codes {

// Locks the campaign named `campaign` for adding codes and returns its id;
// 22023 if there is none. The lock is a new version of the campaign's row
// (name set to itself): generations and imports into one campaign take
// turns, the second counting the first one's codes once it has committed;
// under REPEATABLE READ and SERIALIZABLE the second ends with 40001 instead
// of counting without them. Redemptions are not blocked (they never lock the
// row for update), but one under REPEATABLE READ or SERIALIZABLE whose
// snapshot predates the commit ends with 40001, as after any change of the
// campaign's row. name is in no trigger's column list, so the guard of a
// DBA's change (which waits for the redemptions in flight) does not fire.
int64_t lock_campaign_for_codes(SpiSession &spi, const TextArgument &campaign);

// The codes the campaign holds now.
int64_t campaign_codes(SpiSession &spi, int64_t campaign_id);

// A text[] or integer[] of a batch, built in the current memory context
// (the batch's own SPI connection, or a context reset per batch).
Datum text_array(const std::vector<std::string> &values);
Datum integer_array(const std::vector<std::optional<int32_t>> &values);

inline Argument text_array_arg(const char *name, Datum array) {
  return {name, TEXTARRAYOID, array, false};
}
inline Argument integer_array_arg(const char *name, Datum array) {
  return {name, INT4ARRAYOID, array, false};
}

}  // namespace promo::codes
