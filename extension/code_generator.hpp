// generate_promo_codes (1.5): a campaign's codes by the million, from a
// pattern over a charset, each '#' drawn from the operating system's CSPRNG
// (pg_strong_random) without modulo bias, each code new under promo's
// normalization across the whole table. The rules without the server are in
// code_pattern.hpp; here: the campaign's lock and count, the bound, and the
// batches, each one INSERT ... SELECT FROM unnest($1) ON CONFLICT (code_key)
// DO NOTHING whose shortfall is drawn again. It runs in the caller's
// transaction, so an error leaves nothing behind.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pg_headers.hpp"
#include "spi_session.hpp"
#include "text_argument.hpp"

namespace promo::codes {

struct GenerationRequest {
  TextArgument campaign;  // its name
  int64_t count;
  std::string pattern;
  std::string charset;
  std::optional<int32_t> max_uses;  // of each code; empty: unlimited
  std::optional<int32_t> max_uses_per_customer;
  std::optional<TimestampTz> valid_from;
  std::optional<TimestampTz> valid_until;
  bool is_active;
};

// Checks every argument (22023 with the reason), then, holding the
// campaign's lock, the keyspace against the bound; makes request.count new
// codes in the campaign and returns how many (always request.count).
// `schema`: the extension's, for the SPI connection of each batch.
int64_t generate_codes(SpiSession &spi, const std::string &schema, const GenerationRequest &request);

}  // namespace promo::codes
