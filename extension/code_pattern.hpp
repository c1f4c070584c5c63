// The rules of generate_promo_codes that need no server: a pattern and its
// charset, the keyspace they span and the bound it must meet, unbiased draws
// from random bytes, and the loop that draws again for every candidate that
// was not new. Pure C++ (no PostgreSQL), so test/unit/ can prove it without
// a server; code_generator.cpp feeds it the server's normalization, the
// operating system's random bytes and the INSERT.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "code_input.hpp"

namespace promo::codes {

// Digits and capital letters without the look-alikes 0 O 1 I L: 31 characters.
inline constexpr std::string_view default_charset = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
// 12 random characters: 31^12 ≈ 7.9e17, room for 787 billion codes of one campaign.
inline constexpr std::string_view default_pattern = "####-####-####";
inline constexpr char slot_character = '#';
inline constexpr std::size_t max_charset_characters = 256;
inline constexpr int64_t max_count = 10'000'000;

// The bound: the chance that one random guess of the pattern hits any of the
// campaign's codes is at most one in guesses_per_hit, so the keyspace must be
// at least guesses_per_hit × (the campaign's codes after the generation).
inline constexpr uint64_t guesses_per_hit = 1'000'000;

// The characters (code points) of valid UTF-8 text, each as its bytes.
std::vector<std::string> utf8_characters(std::string_view text);

// promo's normalization of a code (promo_normalize_code), as bytes.
using Normalize = std::function<std::string(std::string_view)>;

// The characters a slot draws from. Each must stay itself under promo's
// normalization, one character and unlike every other once folded, so that
// two different draws are two different codes (and the keyspace is what it
// says): 'a' beside 'A', or 'ß' (which folds to "ss"), is refused. White
// space and control characters are refused too: a code cannot hold them.
class Charset {
 public:
  static std::variant<Charset, InputProblem> parse(std::string_view text, const Normalize &normalize);
  std::size_t size() const { return characters_.size(); }
  const std::string &operator[](std::size_t index) const { return characters_[index]; }

 private:
  explicit Charset(std::vector<std::string> characters) : characters_(std::move(characters)) {}
  std::vector<std::string> characters_;
};

// The code as it will read, each '#' one random character of the charset
// (there is no escape: a pattern cannot hold a literal '#'). The codes it
// makes are valid codes (code_input.hpp): at most 64 characters, no control
// character, and no white space at either end, which matching would ignore.
class CodePattern {
 public:
  static std::variant<CodePattern, InputProblem> parse(std::string_view text);
  std::size_t slots() const { return literals_.size() - 1; }

  // Appends one code: slot i takes charset[next()].
  template <typename NextIndex>
  void write(std::string &code, const Charset &charset, NextIndex &&next) const {
    for (std::size_t slot = 0; slot < slots(); ++slot) {
      code += literals_[slot];
      code += charset[next()];
    }
    code += literals_.back();
  }

 private:
  explicit CodePattern(std::vector<std::string> literals) : literals_(std::move(literals)) {}
  std::vector<std::string> literals_;  // the text before each slot, then the text after the last
};

// charset size ^ slots, the number of different codes the pattern makes;
// saturated (at UINT64_MAX) when larger.
struct Keyspace {
  std::size_t characters;
  std::size_t slots;
  uint64_t size;
  bool saturated;
};
Keyspace keyspace(const CodePattern &pattern, const Charset &charset);

// The refusal when the keyspace is below guesses_per_hit × (existing + count),
// with the numbers.
std::optional<InputProblem> check_keyspace(const Keyspace &space, uint64_t existing, uint64_t count);

// count: 1 to max_count.
std::optional<InputProblem> check_count(int64_t count);

// Uniform indexes in [0, n), 1 <= n <= 256, one random byte each: a byte at
// or above the largest multiple of n that fits in a byte is drawn again
// (rejection sampling), so no index is likelier than another.
class IndexDraw {
 public:
  using Fill = std::function<void(unsigned char *bytes, std::size_t length)>;
  IndexDraw(std::size_t n, Fill fill);
  std::size_t next();

 private:
  std::size_t n_;
  unsigned limit_;  // bytes below it are kept
  Fill fill_;
  std::vector<unsigned char> buffer_;
  std::size_t used_;
};

// The generation loop: draw(codes, n) replaces `codes` with n fresh
// candidates, insert(codes) stores the new ones and says how many were new
// (a candidate that matches an existing code, or another candidate, is not).
// Draws again for every candidate that was not new until `count` are, at
// most batch_size at a time. Collisions never end it; a keyspace so crowded
// (by codes outside the campaign) that fewer than one candidate in
// crowded_ratio is new, after crowded_after candidates, does, with a problem.
inline constexpr uint64_t crowded_after = 100'000;
inline constexpr uint64_t crowded_ratio = 10'000;
struct Tally {
  uint64_t created = 0;
  uint64_t candidates = 0;
  uint64_t rounds = 0;
  std::optional<InputProblem> problem;
};
Tally make_new_codes(uint64_t count, std::size_t batch_size,
                     const std::function<void(std::vector<std::string> &codes, std::size_t n)> &draw,
                     const std::function<uint64_t(const std::vector<std::string> &codes)> &insert);

}  // namespace promo::codes
