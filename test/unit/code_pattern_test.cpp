// The pure rules of generate_promo_codes and import_promo_codes
// (extension/code_pattern.hpp, extension/code_import_rules.hpp), without a
// server: test/unit/run.sh builds and runs this.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <variant>

#include "code_import_rules.hpp"
#include "code_pattern.hpp"

using namespace promo;
using namespace promo::codes;

namespace {

// ASCII case folding, as promo's normalization folds ASCII; 'ß' folds to
// "ss" as ICU folds it.
std::string fold(std::string_view text) {
  if (text == "\xC3\x9F") return "ss";
  std::string folded(text);
  for (char &c : folded)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return folded;
}

Charset charset(std::string_view text) {
  auto parsed = Charset::parse(text, fold);
  if (auto *problem = std::get_if<InputProblem>(&parsed)) ADD_FAILURE() << problem->message;
  return std::get<Charset>(parsed);
}

std::string charset_problem(std::string_view text) {
  auto parsed = Charset::parse(text, fold);
  auto *problem = std::get_if<InputProblem>(&parsed);
  return problem ? problem->message : "";
}

CodePattern pattern(std::string_view text) {
  auto parsed = CodePattern::parse(text);
  if (auto *problem = std::get_if<InputProblem>(&parsed)) ADD_FAILURE() << problem->message;
  return std::get<CodePattern>(parsed);
}

std::string pattern_problem(std::string_view text) {
  auto parsed = CodePattern::parse(text);
  auto *problem = std::get_if<InputProblem>(&parsed);
  return problem ? problem->message : "";
}

}  // namespace

TEST(Charset, TheDefaultLeavesOutTheLookAlikes) {
  Charset set = charset(default_charset);
  EXPECT_EQ(set.size(), 31u);
  for (std::string_view look_alike : {"0", "O", "1", "I", "L"})
    EXPECT_EQ(std::string(default_charset).find(look_alike), std::string::npos) << look_alike;
}

TEST(Charset, RefusesWhatWouldMakeTwoDrawsOneCode) {
  EXPECT_EQ(charset_problem(""), "charset is empty");
  EXPECT_EQ(charset_problem("ABA"), "charset has 'A' twice");
  EXPECT_EQ(charset_problem("aBA"),
            "charset characters 'a' and 'A' are one character once case is folded (codes are matched "
            "case-insensitively)");
  EXPECT_EQ(charset_problem("s\xC3\x9F"),
            "charset character '\xC3\x9F' becomes 'ss' once case is folded: each must "
            "stay one character");
  EXPECT_EQ(charset_problem("A B"), "charset contains white space or a control character");
  EXPECT_EQ(charset_problem("A\x01"), "charset contains white space or a control character");
  EXPECT_EQ(charset(u8"\u00e9\u4e00A").size(), 3u);  // characters, not bytes
}

TEST(Charset, HoldsAtMost256Characters) {
  std::string many;
  for (int i = 0; i < 257; ++i)
    many += "\xE4" + std::string(1, static_cast<char>(0xB8 + i / 64)) +
            std::string(1, static_cast<char>(0x80 + i % 64));
  EXPECT_EQ(charset_problem(many), "charset has 257 characters, more than 256");
  EXPECT_EQ(charset(many.substr(0, 256 * 3)).size(), 256u);
}

TEST(CodePattern, RefusesPatternsThatMakeNoValidCode) {
  EXPECT_EQ(pattern_problem(""), "pattern has no #: each # stands for one random character");
  EXPECT_EQ(pattern_problem("SUMMER"), "pattern has no #: each # stands for one random character");
  EXPECT_EQ(pattern_problem(std::string(65, '#')), "pattern has 65 characters; a code has at most 64");
  EXPECT_EQ(pattern_problem("A\x7f#"), "pattern contains a control character");
  EXPECT_EQ(pattern_problem(" ##"), "pattern begins or ends with white space, which matching ignores");
  EXPECT_EQ(pattern_problem("##\t"), "pattern begins or ends with white space, which matching ignores");
  EXPECT_EQ(pattern(std::string(64, '#')).slots(), 64u);
  EXPECT_EQ(pattern("A B-#").slots(), 1u);
}

TEST(CodePattern, WritesTheLiteralsAndOneCharacterPerSlot) {
  Charset set = charset(u8"X\u00e9");
  std::size_t turn = 0;
  std::string code;
  pattern(u8"\u00c9T\u00c9-##-#").write(code, set, [&] { return turn++ % 2; });
  EXPECT_EQ(code, u8"\u00c9T\u00c9-X\u00e9-X");
}

TEST(Keyspace, IsCharactersToThePowerOfSlotsAndSaturates) {
  Keyspace space = keyspace(pattern("SUMMER-####"), charset(default_charset));
  EXPECT_EQ(space.size, 923521u);
  EXPECT_FALSE(space.saturated);
  EXPECT_TRUE(keyspace(pattern(std::string(64, '#')), charset(default_charset)).saturated);
  EXPECT_EQ(keyspace(pattern("##"), charset("A")).size, 1u);
}

TEST(Keyspace, TheBoundIsOneInAMillionPerCode) {
  Keyspace million = keyspace(pattern("######"), charset("0123456789"));
  EXPECT_EQ(million.size, 1000000u);
  EXPECT_FALSE(check_keyspace(million, 0, 1));  // right at the bound
  auto refused = check_keyspace(million, 0, 2);
  ASSERT_TRUE(refused);
  EXPECT_EQ(
      refused->message,
      "the pattern's keyspace of 1000000 codes (10^6) is too small for 2 codes: the campaign would hold 2 (0 "
      "now), so it must be at least 2000000 (1000000 per code)");
  EXPECT_TRUE(check_keyspace(million, 1, 1));  // the campaign's codes count too
  EXPECT_FALSE(check_keyspace(keyspace(pattern(std::string(64, '#')), charset("AB")), 0, max_count));
  // a need beyond 2^64 is refused without overflowing
  Keyspace big{2, 63, uint64_t(1) << 63, false};
  EXPECT_TRUE(check_keyspace(big, uint64_t(1) << 62, 1));
}

TEST(Count, FromOneToTenMillion) {
  EXPECT_TRUE(check_count(0));
  EXPECT_TRUE(check_count(-1));
  EXPECT_FALSE(check_count(1));
  EXPECT_FALSE(check_count(10'000'000));
  EXPECT_TRUE(check_count(10'000'001));
}

TEST(IndexDraw, HasNoModuloBias) {
  // Every byte value once: for 6 characters the 252 bytes below 256 - 256 % 6
  // give each index 42 times, and the 4 above are drawn again.
  std::size_t fills = 0;
  IndexDraw draw(6, [&](unsigned char *bytes, std::size_t length) {
    ++fills;
    for (std::size_t i = 0; i < length; ++i) bytes[i] = static_cast<unsigned char>(i % 256);
  });
  std::map<std::size_t, int> counts;
  for (int i = 0; i < 252 * 256; ++i) ++counts[draw.next()];  // the first 65536 bytes, 252 kept per 256
  EXPECT_EQ(fills, 1u);
  ASSERT_EQ(counts.size(), 6u);
  for (auto [index, count] : counts) EXPECT_EQ(count, 42 * 256) << index;
}

TEST(IndexDraw, RefillsAndCoversEveryCharacter) {
  unsigned char next = 0;
  std::size_t fills = 0;
  IndexDraw draw(256, [&](unsigned char *bytes, std::size_t length) {
    ++fills;
    for (std::size_t i = 0; i < length; ++i) bytes[i] = next++;
  });
  std::set<std::size_t> seen;
  for (int i = 0; i < 70000; ++i) seen.insert(draw.next());
  EXPECT_EQ(seen.size(), 256u);
  EXPECT_EQ(fills, 2u);
  EXPECT_THROW(IndexDraw(0, {}), std::logic_error);
  EXPECT_THROW(IndexDraw(257, {}), std::logic_error);
}

// A table that refuses what it holds and what a batch repeats, as the
// unique index on code_key does.
struct FakeTable {
  std::set<std::string> keys;
  std::vector<std::size_t> batch_sizes;
  uint64_t insert(const std::vector<std::string> &codes) {
    batch_sizes.push_back(codes.size());
    uint64_t fresh = 0;
    for (const std::string &code : codes) fresh += keys.insert(fold(code)).second;
    return fresh;
  }
};

TEST(MakeNewCodes, DrawsAgainForEveryCollision) {
  FakeTable table;
  table.keys = {"a", "b", "c"};
  // Draws: the existing codes first (in another case), then a repeat within
  // a batch, then fresh ones.
  std::vector<std::string> stream = {"A", "B", "d", "d", "C", "e", "f", "g", "h"};
  std::size_t at = 0;
  auto draw = [&](std::vector<std::string> &codes, std::size_t n) {
    codes.assign(stream.begin() + at, stream.begin() + at + n);
    at += n;
  };
  Tally tally = make_new_codes(4, 3, draw, [&](const auto &codes) { return table.insert(codes); });
  EXPECT_FALSE(tally.problem);
  EXPECT_EQ(tally.created, 4u);
  // batch 1: A B d -> d new; batch 2: d C e -> e new (2 so far); batch 3: f g -> 4
  EXPECT_EQ(table.batch_sizes, (std::vector<std::size_t>{3, 3, 2}));
  EXPECT_EQ(tally.candidates, 8u);
  EXPECT_EQ(tally.rounds, 3u);
  EXPECT_EQ(table.keys, (std::set<std::string>{"a", "b", "c", "d", "e", "f", "g"}));
}

TEST(MakeNewCodes, GivesUpOnlyOnANearlyFullKeyspace) {
  // One new code in 5,000 candidates is slow but goes on...
  uint64_t drawn = 0;
  auto draw = [&](std::vector<std::string> &codes, std::size_t n) { codes.assign(n, "x"); };
  Tally slow = make_new_codes(30, 1000, draw, [&](const auto &codes) {
    drawn += codes.size();
    return drawn % 5000 < codes.size() ? 1 : 0;
  });
  EXPECT_FALSE(slow.problem);
  EXPECT_EQ(slow.created, 30u);
  // ... none in 100,000 ends it, with the numbers.
  Tally full = make_new_codes(5, 1000, draw, [](const auto &) { return 0; });
  ASSERT_TRUE(full.problem);
  EXPECT_EQ(full.created, 0u);
  EXPECT_EQ(full.candidates, crowded_after);
  EXPECT_EQ(full.problem->message,
            "the pattern's keyspace is crowded: of 100000 candidates only 0 were new codes");
  EXPECT_THROW(make_new_codes(1, 1, draw, [](const auto &) { return 2; }), std::logic_error);
}

TEST(ImportRules, LimitsAreWholeNumbersInRange) {
  EXPECT_EQ(parse_limit("0"), 0);
  EXPECT_EQ(parse_limit(" 7 "), 7);
  EXPECT_EQ(parse_limit("2147483647"), 2147483647);
  for (std::string_view bad : {"", " ", "-1", "+1", "1.0", "2147483648", "99999999999", "abc", "1 2"})
    EXPECT_FALSE(parse_limit(bad)) << bad;
  EXPECT_EQ(limit_problem("max_uses"), "max_uses is not a whole number from 0 to 2147483647");
}

TEST(ImportRules, CodesAreRefusedInRedeemPromosWords) {
  EXPECT_EQ(staged_code_problem(std::nullopt), "promo code is null");
  EXPECT_EQ(staged_code_problem(std::string(" \t")), "promo code is empty");
  EXPECT_EQ(staged_code_problem(std::string(65, 'x')), "promo code is too long (65 characters)");
  EXPECT_EQ(staged_code_problem(std::string("a\x01z")), "promo code contains a control character");
  EXPECT_FALSE(staged_code_problem(std::string(" SUMMER25\n")));
}
