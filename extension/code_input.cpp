#include "code_input.hpp"

namespace promo {

namespace {

bool is_code_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

std::string_view trim_code_whitespace(std::string_view text) {
  while (!text.empty() && is_code_whitespace(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_code_whitespace(text.back())) text.remove_suffix(1);
  return text;
}

std::size_t utf8_length(std::string_view text) {
  std::size_t characters = 0;
  for (unsigned char byte : text)
    if ((byte & 0xC0) != 0x80) ++characters;  // continuation bytes are 10xxxxxx
  return characters;
}

bool has_control_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7F) return true;
    // U+0080-U+009F are encoded as C2 80 .. C2 9F.
    if (byte == 0xC2 && i + 1 < text.size()) {
      auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

std::optional<InputProblem> check_code(std::string_view raw_code) {
  static const char *const accepted =
      "A code has 1 to 64 characters, without control characters, after surrounding white "
      "space is removed.";
  std::string_view code = trim_code_whitespace(raw_code);
  if (code.empty()) return InputProblem{"promo code is empty", accepted};
  std::size_t length = utf8_length(code);
  if (length > max_code_characters)
    return InputProblem{"promo code is too long (" + std::to_string(length) + " characters)", accepted};
  if (has_control_character(code)) return InputProblem{"promo code contains a control character", accepted};
  return std::nullopt;
}

std::optional<InputProblem> check_identifier(std::string_view value, const std::string &name) {
  const std::string accepted =
      name + " has 1 to 255 characters and no control characters; it is taken exactly as given.";
  if (value.empty()) return InputProblem{name + " is empty", accepted};
  std::size_t length = utf8_length(value);
  if (length > max_identifier_characters)
    return InputProblem{name + " is too long (" + std::to_string(length) + " characters)", accepted};
  if (has_control_character(value)) return InputProblem{name + " contains a control character", accepted};
  return std::nullopt;
}

std::optional<InputProblem> check_hold(long double microseconds) {
  constexpr long double thirty_days = 30.0L * 24 * 60 * 60 * 1000 * 1000;
  if (microseconds > 0 && microseconds <= thirty_days) return std::nullopt;
  return InputProblem{"hold must be a positive interval of at most 30 days",
                      "Pass the time a checkout may take, for example interval '15 minutes'."};
}

}  // namespace promo
