#include <gtest/gtest.h>

#include "options.hpp"

using namespace promo_client;

namespace {
ParseResult parse(std::vector<std::string> arguments) {
  return parse_arguments(arguments);
}
}  // namespace

TEST(Options, CheckDefaultsMatchTheSeed) {
  ParseResult result = parse({"check"});
  ASSERT_TRUE(result.options);
  EXPECT_EQ(result.options->command, Command::Check);
  EXPECT_EQ(result.options->connections, 100);
  EXPECT_EQ(result.options->check.max_uses, 50);
  EXPECT_EQ(result.options->check.rounds, 1);
  EXPECT_FALSE(result.options->json);
  EXPECT_TRUE(result.options->dsn.empty());
}

TEST(Options, CheckTakesEveryOption) {
  ParseResult result = parse({"--dsn", "host=db port=5433", "check", "--connections", "20", "--max-uses", "7",
                              "--rounds", "3", "--wait-seconds", "9", "--json"});
  ASSERT_TRUE(result.options);
  EXPECT_EQ(result.options->dsn, "host=db port=5433");
  EXPECT_EQ(result.options->connections, 20);
  EXPECT_EQ(result.options->check.max_uses, 7);
  EXPECT_EQ(result.options->check.rounds, 3);
  EXPECT_EQ(result.options->check.wait_seconds, 9);
  EXPECT_TRUE(result.options->json);
}

TEST(Options, SlotsMakeTheCodeHot) {
  ParseResult result = parse({"check", "--slots", "16"});
  ASSERT_TRUE(result.options);
  EXPECT_EQ(result.options->check.slots, 16);
  EXPECT_FALSE(parse({"check"}).options->check.slots);  // unset: the extension's default, one slot
  EXPECT_EQ(parse({"bench", "--slots", "8"}).options->bench.slots, 8);
  EXPECT_FALSE(parse({"check", "--slots", "0"}).options);
  EXPECT_FALSE(parse({"check", "--slots", "257"}).options);
}

TEST(Options, RedeemNeedsExactlyOneCode) {
  ParseResult one = parse({"redeem", "SUMMER25"});
  ASSERT_TRUE(one.options);
  EXPECT_EQ(one.options->command, Command::Redeem);
  EXPECT_EQ(one.options->redeem.code, "SUMMER25");
  EXPECT_FALSE(parse({"redeem"}).options);
  EXPECT_EQ(parse({"redeem", "A", "B"}).exit_code, 2);
}

TEST(Options, RefusesBadNumbers) {
  for (const char *bad : {"0", "-1", "abc", "12x", "", "10001", "99999999999"}) {
    ParseResult result = parse({"check", "--connections", bad});
    EXPECT_FALSE(result.options) << bad;
    EXPECT_EQ(result.exit_code, 2) << bad;
    EXPECT_NE(result.message.find("--connections"), std::string::npos) << bad;
  }
  EXPECT_FALSE(parse({"check", "--max-uses", "-5"}).options);
  EXPECT_TRUE(parse({"check", "--max-uses", "0"}).options);
  EXPECT_FALSE(parse({"check", "--rounds", "0"}).options);
}

TEST(Options, RefusesMissingValuesAndUnknownWords) {
  EXPECT_EQ(parse({"check", "--rounds"}).exit_code, 2);
  EXPECT_EQ(parse({"check", "--dsn"}).exit_code, 2);
  EXPECT_EQ(parse({"check", "--frobnicate"}).exit_code, 2);
  EXPECT_EQ(parse({"launch"}).exit_code, 2);
  EXPECT_EQ(parse({}).exit_code, 2);
  EXPECT_EQ(parse({"check", "extra"}).exit_code, 2);
}

TEST(Options, HelpOnEveryCommand) {
  ParseResult general = parse({"--help"});
  EXPECT_FALSE(general.options);
  EXPECT_EQ(general.exit_code, 0);
  EXPECT_NE(general.message.find("Commands:"), std::string::npos);

  ParseResult check = parse({"check", "--help"});
  EXPECT_EQ(check.exit_code, 0);
  EXPECT_NE(check.message.find("promo-client check"), std::string::npos);

  ParseResult redeem = parse({"redeem", "-h"});
  EXPECT_EQ(redeem.exit_code, 0);
  EXPECT_NE(redeem.message.find("promo-client redeem"), std::string::npos);
}

TEST(Options, RedeemTakesCustomerKeyAndHold) {
  ParseResult result =
      parse({"redeem", "SUMMER25", "--customer", "alice", "--key", "order-1", "--hold", "15 minutes"});
  ASSERT_TRUE(result.options);
  EXPECT_EQ(result.options->redeem.code, "SUMMER25");
  EXPECT_EQ(result.options->redeem.customer, "alice");
  EXPECT_EQ(result.options->redeem.key, "order-1");
  EXPECT_EQ(result.options->redeem.hold, "15 minutes");
  ParseResult plain = parse({"redeem", "SUMMER25"});
  ASSERT_TRUE(plain.options);
  EXPECT_FALSE(plain.options->redeem.customer);
  EXPECT_FALSE(plain.options->redeem.key);
  EXPECT_FALSE(plain.options->redeem.hold);
  EXPECT_EQ(parse({"redeem", "X", "--customer"}).exit_code, 2);
  EXPECT_EQ(parse({"check", "--customer", "alice"}).exit_code, 2);
}

TEST(Options, RedeemTakesAnOrder) {
  ParseResult order = parse({"redeem", "SUMMER25", "--amount", "1999", "--currency", "EUR"});
  ASSERT_TRUE(order.options);
  EXPECT_EQ(order.options->redeem.amount, 1999);
  EXPECT_EQ(order.options->redeem.currency, "EUR");
  ParseResult zero = parse({"redeem", "X", "--amount", "0", "--currency", "EUR"});
  ASSERT_TRUE(zero.options);
  EXPECT_EQ(zero.options->redeem.amount, 0);
  ParseResult largest = parse({"redeem", "X", "--amount", "9223372036854775807", "--currency", "EUR"});
  ASSERT_TRUE(largest.options);
  EXPECT_EQ(largest.options->redeem.amount, 9223372036854775807LL);
  EXPECT_EQ(parse({"redeem", "X", "--amount", "9223372036854775808", "--currency", "EUR"}).exit_code, 2);
  EXPECT_EQ(parse({"redeem", "X", "--amount", "-1", "--currency", "EUR"}).exit_code, 2);
  EXPECT_EQ(parse({"redeem", "X", "--amount", "19.99", "--currency", "EUR"}).exit_code, 2);
  EXPECT_EQ(parse({"redeem", "X", "--amount", "100"}).exit_code, 2);
  EXPECT_EQ(parse({"redeem", "X", "--currency", "EUR"}).exit_code, 2);
  EXPECT_EQ(parse({"check", "--amount", "100", "--currency", "EUR"}).exit_code, 2);
}

TEST(Options, ConfirmAndReleaseTakeOneRedemptionId) {
  ParseResult confirm = parse({"confirm", "42"});
  ASSERT_TRUE(confirm.options);
  EXPECT_EQ(confirm.options->command, Command::Confirm);
  EXPECT_EQ(confirm.options->ledger.redemption_id, 42);
  ParseResult release = parse({"release", "9000000000", "--json"});
  ASSERT_TRUE(release.options);
  EXPECT_EQ(release.options->command, Command::Release);
  EXPECT_EQ(release.options->ledger.redemption_id, 9000000000LL);
  for (const char *bad : {"0", "-3", "4x", ""}) EXPECT_EQ(parse({"release", bad}).exit_code, 2) << bad;
  EXPECT_EQ(parse({"confirm"}).exit_code, 2);
  EXPECT_EQ(parse({"confirm", "1", "2"}).exit_code, 2);
  EXPECT_EQ(parse({"release", "--help"}).exit_code, 0);
}

TEST(Options, RaceHasDefaultsOfItsOwn) {
  ParseResult result = parse({"race"});
  ASSERT_TRUE(result.options);
  EXPECT_EQ(result.options->command, Command::Race);
  EXPECT_FALSE(result.options->race.seed);
  EXPECT_EQ(result.options->race.duration_seconds, 10);
  EXPECT_EQ(result.options->race.connections, 16);
  EXPECT_EQ(result.options->connections, 16);
  std::vector<Isolation> all = {Isolation::ReadCommitted, Isolation::RepeatableRead, Isolation::Serializable};
  EXPECT_EQ(result.options->race.isolation, all);
}

TEST(Options, RaceTakesEveryOption) {
  ParseResult result = parse({"--dsn", "dbname=x", "race", "--seed", "18446744073709551615", "--duration",
                              "45", "--connections", "4", "--isolation", "ser,rc", "--json"});
  ASSERT_TRUE(result.options);
  EXPECT_EQ(result.options->dsn, "dbname=x");
  EXPECT_EQ(result.options->race.seed, 18446744073709551615ULL);
  EXPECT_EQ(result.options->race.duration_seconds, 45);
  EXPECT_EQ(result.options->race.connections, 4);
  std::vector<Isolation> chosen = {Isolation::Serializable, Isolation::ReadCommitted};
  EXPECT_EQ(result.options->race.isolation, chosen);
  EXPECT_TRUE(result.options->json);
  EXPECT_EQ(parse({"race", "--seed", "0"}).options->race.seed, 0ULL);
  EXPECT_EQ(parse({"race", "--isolation", "rr"}).options->race.isolation,
            std::vector<Isolation>{Isolation::RepeatableRead});
}

TEST(Options, RaceRefusesBadSeedsAndLevels) {
  for (const char *bad : {"-1", "abc", "", "1e3", "18446744073709551616"})
    EXPECT_EQ(parse({"race", "--seed", bad}).exit_code, 2) << bad;
  for (const char *bad : {"", "rc,", "read committed", "rc,rc", "RC", "rc,rr,ser,xx"}) {
    ParseResult result = parse({"race", "--isolation", bad});
    EXPECT_EQ(result.exit_code, 2) << bad;
    EXPECT_NE(result.message.find("--isolation"), std::string::npos) << bad;
  }
  EXPECT_EQ(parse({"race", "--seed"}).exit_code, 2);
  EXPECT_EQ(parse({"race", "--duration", "0"}).exit_code, 2);
  EXPECT_EQ(parse({"race", "--connections", "1,2"}).exit_code, 2);
  EXPECT_EQ(parse({"race", "extra"}).exit_code, 2);
}

TEST(Options, SeedAndIsolationBelongToRace) {
  EXPECT_EQ(parse({"load", "--seed", "1"}).exit_code, 2);
  EXPECT_EQ(parse({"check", "--isolation", "rc"}).exit_code, 2);
  EXPECT_EQ(parse({"load", "--duration", "5"}).options->load.duration_seconds, 5);
}

TEST(Options, RaceHelp) {
  ParseResult help = parse({"race", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.message.find("promo-client race"), std::string::npos);
  EXPECT_NE(parse({"--help"}).message.find("race"), std::string::npos);
}

TEST(Options, CheckCampaignIsAModeOfCheck) {
  ParseResult result =
      parse({"check", "--campaign", "--connections", "100", "--max-uses", "50", "--rounds", "20"});
  ASSERT_TRUE(result.options) << result.message;
  EXPECT_EQ(result.options->command, Command::Check);
  EXPECT_TRUE(result.options->check.campaign);
  EXPECT_EQ(result.options->connections, 100);
  EXPECT_EQ(result.options->check.max_uses, 50);
  EXPECT_EQ(result.options->check.rounds, 20);
  // Without --slots, the extension's default; with it, the campaign's slots.
  EXPECT_FALSE(result.options->check.slots);
  EXPECT_EQ(parse({"check", "--campaign", "--slots", "1"}).options->check.slots, 1);
  EXPECT_EQ(parse({"check", "--slots", "16", "--campaign"}).options->check.slots, 16);
  EXPECT_FALSE(parse({"check"}).options->check.campaign);
  EXPECT_EQ(parse({"check", "--campaign", "--slots", "257"}).exit_code, 2);
}

TEST(Options, CampaignFlagBelongsToCheckAndComesAfterTheCommand) {
  // Before the command, --campaign could be the flag or take a name.
  ParseResult early = parse({"--campaign", "check"});
  EXPECT_EQ(early.exit_code, 2);
  EXPECT_NE(early.message.find("after the command"), std::string::npos);
  EXPECT_EQ(parse({"bench", "--campaign"}).exit_code, 2);
  EXPECT_EQ(parse({"redeem", "X", "--campaign"}).exit_code, 2);
  // check --campaign takes no name.
  EXPECT_EQ(parse({"check", "--campaign", "summer"}).exit_code, 2);
}

TEST(Options, GenerateNeedsCampaignAndCount) {
  ParseResult result =
      parse({"--dsn", "dbname=shop", "generate", "--campaign", "newsletter", "--count", "200000"});
  ASSERT_TRUE(result.options) << result.message;
  EXPECT_EQ(result.options->command, Command::Generate);
  EXPECT_EQ(result.options->generate.campaign, "newsletter");
  EXPECT_EQ(result.options->generate.count, 200000);
  EXPECT_EQ(result.options->generate.batch, 100000);
  // Unset settings are the server function's defaults.
  EXPECT_FALSE(result.options->generate.pattern);
  EXPECT_FALSE(result.options->generate.charset);
  EXPECT_FALSE(result.options->generate.max_uses);
  EXPECT_FALSE(result.options->generate.max_uses_per_customer);
  EXPECT_FALSE(result.options->check.campaign);

  ParseResult missing_count = parse({"generate", "--campaign", "x"});
  EXPECT_EQ(missing_count.exit_code, 2);
  EXPECT_NE(missing_count.message.find("--count"), std::string::npos);
  ParseResult missing_campaign = parse({"generate", "--count", "5"});
  EXPECT_EQ(missing_campaign.exit_code, 2);
  EXPECT_NE(missing_campaign.message.find("--campaign"), std::string::npos);
  EXPECT_EQ(parse({"generate", "--count", "5", "--campaign"}).exit_code, 2);
  EXPECT_EQ(parse({"generate", "--count", "5", "--campaign", ""}).exit_code, 2);
}

TEST(Options, GenerateTakesEverySetting) {
  ParseResult result =
      parse({"generate", "--campaign", "summer", "--count", "1000000", "--pattern", "SUMMER-####-####",
             "--charset", "ABCDEFGHJKMNPQRSTUVWXYZ23456789", "--max-uses", "3", "--max-uses-per-customer",
             "1", "--batch", "50000", "--json"});
  ASSERT_TRUE(result.options) << result.message;
  const GenerateOptions &generate = result.options->generate;
  EXPECT_EQ(generate.count, 1000000);
  EXPECT_EQ(generate.batch, 50000);
  EXPECT_EQ(generate.pattern, "SUMMER-####-####");
  EXPECT_EQ(generate.charset, "ABCDEFGHJKMNPQRSTUVWXYZ23456789");
  EXPECT_EQ(generate.max_uses, 3);
  EXPECT_EQ(generate.max_uses_per_customer, 1);
  EXPECT_TRUE(result.options->json);
}

TEST(Options, GenerateRefusesBadNumbers) {
  for (const char *bad : {"0", "-1", "abc", "", "2147483648", "1e6"}) {
    EXPECT_EQ(parse({"generate", "--campaign", "x", "--count", bad}).exit_code, 2) << bad;
    EXPECT_EQ(parse({"generate", "--campaign", "x", "--count", "10", "--batch", bad}).exit_code, 2) << bad;
  }
  EXPECT_TRUE(parse({"generate", "--campaign", "x", "--count", "2147483647"}).options);
  EXPECT_EQ(parse({"generate", "--campaign", "x", "--count", "5", "--max-uses-per-customer", "-1"}).exit_code,
            2);
  EXPECT_EQ(parse({"generate", "--campaign", "x", "--count", "5", "--pattern"}).exit_code, 2);
}

TEST(Options, GenerateOptionsBelongToGenerate) {
  for (std::vector<std::string> stray : {std::vector<std::string>{"check", "--count", "5"},
                                         {"check", "--pattern", "A-####"},
                                         {"bench", "--batch", "10"},
                                         {"load", "--charset", "ABC"},
                                         {"check", "--max-uses-per-customer", "1"}}) {
    ParseResult result = parse(stray);
    EXPECT_EQ(result.exit_code, 2) << stray[1];
    EXPECT_NE(result.message.find("belong to generate"), std::string::npos) << stray[1];
  }
}

TEST(Options, GenerateHelp) {
  ParseResult help = parse({"generate", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.message.find("promo-client generate"), std::string::npos);
  EXPECT_NE(parse({"--help"}).message.find("generate"), std::string::npos);
  EXPECT_NE(parse({"check", "--help"}).message.find("--campaign"), std::string::npos);
}
