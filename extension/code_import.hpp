// import_promo_codes (1.5): a shop's existing codes by the million. The DBA
// COPYs them into the staging table promo_code_imports (scratch, never
// dumped; its columns are text, so a bad value is a refusal rather than an
// error that stops the COPY); the import takes the staged rows it sees in
// the order they arrived, in batches, each deleted from the staging table as
// it is taken, checks each row (code_import_rules.hpp), and puts the good
// ones into the campaign with one INSERT ... ON CONFLICT (code_key) DO
// NOTHING per batch. Every refused row is reported, and none stops the rest:
// a bad code or limit; a code equal under normalization to an earlier row of
// the import (the first one goes in); a code that exists. It runs in the
// caller's transaction, so an error leaves the staged rows and the codes as
// they were.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "spi_session.hpp"
#include "text_argument.hpp"

namespace promo::codes {

// Called for each refused row, in the order the rows arrived: its code (empty
// when NULL) and the reason.
using Refused = std::function<void(const std::optional<std::string> &code, const std::string &reason)>;

// Imports into `campaign` (by name; 22023 if there is none) holding the
// campaign's lock (code_batches.hpp); returns how many codes went in.
int64_t import_codes(SpiSession &spi, const std::string &schema, const TextArgument &campaign,
                     const Refused &refused);

}  // namespace promo::codes
