#include "code_pattern.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace promo::codes {

namespace {

const char *const pattern_hint =
    "A pattern is the code as it will read, each # one random character of the charset, "
    "for example 'SUMMER-####-####'.";
const char *const charset_hint =
    "A charset lists the characters a # may become, each once, for example "
    "'23456789ABCDEFGHJKMNPQRSTUVWXYZ' (the default: digits and capitals without 0 O 1 I L).";

std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  return 4;
}

// a × b, or empty when it does not fit.
std::optional<uint64_t> product(uint64_t a, uint64_t b) {
  uint64_t result = 0;
  if (__builtin_mul_overflow(a, b, &result)) return std::nullopt;
  return result;
}

}  // namespace

std::vector<std::string> utf8_characters(std::string_view text) {
  std::vector<std::string> characters;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t length =
        std::min(utf8_sequence_length(static_cast<unsigned char>(text[at])), text.size() - at);
    characters.emplace_back(text.substr(at, length));
    at += length;
  }
  return characters;
}

std::variant<Charset, InputProblem> Charset::parse(std::string_view text, const Normalize &normalize) {
  // Counted before it is split: a charset of a gigabyte costs a scan, not
  // a string per character.
  const std::size_t length = utf8_length(text);
  if (length == 0) return InputProblem{"charset is empty", charset_hint};
  if (length > max_charset_characters)
    return InputProblem{"charset has " + std::to_string(length) + " characters, more than " +
                            std::to_string(max_charset_characters),
                        charset_hint};
  std::vector<std::string> characters = utf8_characters(text);
  std::map<std::string, std::string> by_folded;  // the character once normalized -> the character
  for (const std::string &character : characters) {
    if (trim_code_whitespace(character).empty() || has_control_character(character))
      return InputProblem{"charset contains white space or a control character", charset_hint};
    std::string folded = normalize(character);
    if (utf8_characters(folded).size() != 1)
      return InputProblem{"charset character '" + character + "' becomes '" + folded +
                              "' once case is folded: each must stay one character",
                          charset_hint};
    auto [earlier, inserted] = by_folded.emplace(folded, character);
    if (inserted) continue;
    if (earlier->second == character)
      return InputProblem{"charset has '" + character + "' twice", charset_hint};
    return InputProblem{"charset characters '" + earlier->second + "' and '" + character +
                            "' are one character once case is folded (codes are matched case-insensitively)",
                        charset_hint};
  }
  return Charset(std::move(characters));
}

std::variant<CodePattern, InputProblem> CodePattern::parse(std::string_view text) {
  if (text.find(slot_character) == std::string_view::npos)
    return InputProblem{"pattern has no #: each # stands for one random character", pattern_hint};
  const std::size_t length = utf8_length(text);
  if (length > max_code_characters)
    return InputProblem{"pattern has " + std::to_string(length) + " characters; a code has at most " +
                            std::to_string(max_code_characters),
                        pattern_hint};
  if (trim_code_whitespace(text).size() != text.size())
    return InputProblem{"pattern begins or ends with white space, which matching ignores", pattern_hint};
  if (has_control_character(text)) return InputProblem{"pattern contains a control character", pattern_hint};
  // '#' is one byte that no other UTF-8 character contains.
  std::vector<std::string> literals(1);
  for (char byte : text) {
    if (byte == slot_character)
      literals.emplace_back();
    else
      literals.back() += byte;
  }
  return CodePattern(std::move(literals));
}

Keyspace keyspace(const CodePattern &pattern, const Charset &charset) {
  Keyspace space{charset.size(), pattern.slots(), 1, false};
  for (std::size_t slot = 0; slot < pattern.slots() && !space.saturated; ++slot) {
    std::optional<uint64_t> larger = product(space.size, charset.size());
    space.saturated = !larger;
    space.size = larger.value_or(UINT64_MAX);
  }
  return space;
}

std::optional<InputProblem> check_keyspace(const Keyspace &space, uint64_t existing, uint64_t count) {
  const uint64_t codes = existing + count;  // both far below 2^63
  const std::optional<uint64_t> needed = product(guesses_per_hit, codes);
  if (space.saturated || (needed && space.size >= *needed)) return std::nullopt;
  return InputProblem{"the pattern's keyspace of " + std::to_string(space.size) + " codes (" +
                          std::to_string(space.characters) + "^" + std::to_string(space.slots) +
                          ") is too small for " + std::to_string(count) + " codes: the campaign would hold " +
                          std::to_string(codes) + " (" + std::to_string(existing) +
                          " now), so it must be at least " +
                          (needed ? std::to_string(*needed) : "more than " + std::to_string(UINT64_MAX)) +
                          " (" + std::to_string(guesses_per_hit) + " per code)",
                      "promo's bound: one random guess of the pattern may hit a code of the campaign with a "
                      "chance of at most "
                      "one in a million. Add # to the pattern or characters to the charset."};
}

std::optional<InputProblem> check_count(int64_t count) {
  if (count >= 1 && count <= max_count) return std::nullopt;
  return InputProblem{
      "count must be between 1 and " + std::to_string(max_count) + ", not " + std::to_string(count),
      "Generate more than ten million codes in several calls."};
}

namespace {

std::size_t checked_draw_size(std::size_t n) {
  if (n < 1 || n > 256) throw std::logic_error("IndexDraw draws from 1 to 256 characters");
  return n;
}

}  // namespace

IndexDraw::IndexDraw(std::size_t n, Fill fill)
    : n_(checked_draw_size(n)),
      limit_(256 - 256 % static_cast<unsigned>(n_)),
      fill_(std::move(fill)),
      buffer_(64 * 1024),
      used_(buffer_.size()) {}

std::size_t IndexDraw::next() {
  for (;;) {
    if (used_ == buffer_.size()) {
      fill_(buffer_.data(), buffer_.size());
      used_ = 0;
    }
    const unsigned byte = buffer_[used_++];
    if (byte < limit_) return byte % n_;
  }
}

Tally make_new_codes(uint64_t count, std::size_t batch_size,
                     const std::function<void(std::vector<std::string> &codes, std::size_t n)> &draw,
                     const std::function<uint64_t(const std::vector<std::string> &codes)> &insert) {
  Tally tally;
  std::vector<std::string> codes;
  while (tally.created < count) {
    const std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(batch_size, count - tally.created));
    draw(codes, n);
    const uint64_t fresh = insert(codes);
    if (fresh > n) throw std::logic_error("more new codes than candidates");
    tally.created += fresh;
    tally.candidates += n;
    ++tally.rounds;
    if (tally.created < count && tally.candidates >= crowded_after &&
        tally.created * crowded_ratio < tally.candidates) {
      tally.problem = InputProblem{
          "the pattern's keyspace is crowded: of " + std::to_string(tally.candidates) + " candidates only " +
              std::to_string(tally.created) + " were new codes",
          "Codes of this pattern outside the campaign fill nearly all of it: add # to the pattern or "
          "characters to the charset."};
      return tally;
    }
  }
  return tally;
}

}  // namespace promo::codes
