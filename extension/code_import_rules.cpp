#include "code_import_rules.hpp"

#include <limits>

#include "code_input.hpp"

namespace promo::codes {

std::optional<int32_t> parse_limit(std::string_view text) {
  std::string_view digits = trim_code_whitespace(text);
  if (digits.empty() || digits.size() > 10) return std::nullopt;
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > std::numeric_limits<int32_t>::max()) return std::nullopt;
  return static_cast<int32_t>(value);
}

std::optional<std::string> staged_code_problem(const std::optional<std::string> &code) {
  if (!code) return std::string("promo code is null");
  if (std::optional<InputProblem> problem = check_code(*code)) return problem->message;
  return std::nullopt;
}

std::string limit_problem(std::string_view name) {
  return std::string(name) + " is not a whole number from 0 to 2147483647";
}

}  // namespace promo::codes
