// The validation the extension applies to codes (extension/code_input.cpp).
#include <gtest/gtest.h>

#include "code_input.hpp"
#include "database.hpp"

using namespace promo;

TEST(CodeInput, TrimsTheSixWhiteSpaceCharacters) {
  EXPECT_EQ(trim_code_whitespace(" \t\n\r\v\fSUMMER25\f\v\r\n\t "), "SUMMER25");
  EXPECT_EQ(trim_code_whitespace("SUMMER 25"), "SUMMER 25");
  EXPECT_EQ(trim_code_whitespace("   "), "");
}

TEST(CodeInput, CountsCharactersNotBytes) {
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("été"), 3u);
  EXPECT_EQ(utf8_length("ﬀ"), 1u);
  EXPECT_EQ(utf8_length("🎉"), 1u);
}

TEST(CodeInput, FindsC0DelAndC1ControlCharacters) {
  EXPECT_TRUE(has_control_character(std::string("A\x01") + "B"));
  EXPECT_TRUE(has_control_character("A\x7f"));
  EXPECT_TRUE(has_control_character("A\xc2\x80"));   // U+0080
  EXPECT_TRUE(has_control_character("A\xc2\x9f"));   // U+009F
  EXPECT_FALSE(has_control_character("A\xc2\xa0"));  // U+00A0, no-break space
  EXPECT_FALSE(has_control_character("Straße"));
}

TEST(CodeInput, AcceptsAndRefusesCodes) {
  EXPECT_FALSE(check_code("SUMMER25"));
  EXPECT_FALSE(check_code("  summer25\n"));
  EXPECT_FALSE(check_code(std::string(64, 'x')));
  std::string sixty_four_accents;
  for (int i = 0; i < 64; ++i) sixty_four_accents += "é";
  EXPECT_FALSE(check_code(sixty_four_accents));

  EXPECT_EQ(check_code("")->message, "promo code is empty");
  EXPECT_EQ(check_code(" \t ")->message, "promo code is empty");
  EXPECT_EQ(check_code(std::string(65, 'x'))->message, "promo code is too long (65 characters)");
  EXPECT_EQ(check_code("SUM\nMER")->message, "promo code contains a control character");
  EXPECT_NE(check_code("")->hint.find("1 to 64 characters"), std::string::npos);
}

TEST(Json, EscapesStrings) {
  EXPECT_EQ(promo_client::json_string("plain"), "\"plain\"");
  EXPECT_EQ(promo_client::json_string("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
  EXPECT_EQ(promo_client::json_string(std::string("\x01")), "\"\\u0001\"");
}

TEST(CodeInput, IdentifiersAreTakenAsGivenWithinLimits) {
  EXPECT_FALSE(check_identifier("alice", "customer_id"));
  EXPECT_FALSE(check_identifier(" Alice ", "customer_id"));  // no trimming, no folding: just allowed
  EXPECT_FALSE(check_identifier(std::string(255, 'k'), "idempotency_key"));
  EXPECT_EQ(check_identifier("", "customer_id")->message, "customer_id is empty");
  EXPECT_EQ(check_identifier(std::string(256, 'k'), "idempotency_key")->message,
            "idempotency_key is too long (256 characters)");
  EXPECT_EQ(check_identifier("a\tb", "customer_id")->message, "customer_id contains a control character");
}

TEST(CodeInput, HoldsArePositiveAndAtMostThirtyDays) {
  const long double minute = 60.0L * 1000 * 1000;
  const long double day = 24 * 60 * minute;
  EXPECT_FALSE(check_hold(15 * minute));
  EXPECT_FALSE(check_hold(30 * day));
  EXPECT_FALSE(check_hold(1));
  EXPECT_TRUE(check_hold(0));
  EXPECT_TRUE(check_hold(-minute));
  EXPECT_TRUE(check_hold(30 * day + 1));
  EXPECT_TRUE(check_hold(1e30L));
}
