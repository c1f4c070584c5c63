// Validation of the text arguments of the promo functions. Pure C++ (no
// PostgreSQL), so the client's unit tests can exercise it too.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace promo {

// Why an argument was refused: always SQLSTATE 22023 (invalid_parameter_value).
struct InputProblem {
  std::string message;
  std::string hint;
};

inline constexpr std::size_t max_code_characters = 64;

// The code as matched: the surrounding white space (space, tab, newline,
// carriage return, vertical tab, form feed) removed. Case is folded in SQL.
std::string_view trim_code_whitespace(std::string_view text);

// Number of characters in valid UTF-8 text.
std::size_t utf8_length(std::string_view text);

// True if the text holds a C0 or C1 control character (U+0000-U+001F, U+007F-U+009F).
bool has_control_character(std::string_view text);

// Checks a code as given by the caller (valid UTF-8, not NULL).
std::optional<InputProblem> check_code(std::string_view raw_code);

inline constexpr std::size_t max_identifier_characters = 255;

// Checks a customer_id or idempotency_key (valid UTF-8, not NULL): taken as
// given, 1 to 255 characters, no control characters. `name` names the argument.
std::optional<InputProblem> check_identifier(std::string_view value, const std::string &name);

// Checks a hold duration given in microseconds (months counted as 30 days, as
// PostgreSQL compares intervals): positive and at most 30 days.
std::optional<InputProblem> check_hold(long double microseconds);

}  // namespace promo
