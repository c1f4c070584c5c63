// The rules of import_promo_codes that need no server: what a staged row
// must hold, and the reasons a refused one is reported with. Pure C++ (no
// PostgreSQL), so test/unit/ can prove it without a server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace promo::codes {

// A limit as staged (text): a whole number from 0 to 2147483647, white
// space around it allowed; empty when it is anything else.
std::optional<int32_t> parse_limit(std::string_view text);

// Why a staged code is refused: NULL, or what redeem_promo would refuse it
// for (check_code, code_input.hpp), in redeem_promo's own words; empty when
// it is a valid code.
std::optional<std::string> staged_code_problem(const std::optional<std::string> &code);

// Why a staged limit is refused ("max_uses is not a whole number from 0 to
// 2147483647"); `name` names the column.
std::string limit_problem(std::string_view name);

inline constexpr std::string_view duplicate_in_import = "duplicate of an earlier row of this import";
inline constexpr std::string_view duplicate_of_existing = "duplicate of an existing code";

}  // namespace promo::codes
