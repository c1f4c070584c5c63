// The order rules (extension/order_rules.cpp): each refusal, their order,
// the edges of the minimum, and the order arguments a call may pass.
#include "order_rules.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

using promo::order::check_order;
using promo::order::is_currency_code;
using promo::order::Order;
using promo::order::Refusal;
using promo::order::refusal;
using promo::order::Rules;

namespace {

const Order guest_without_order{};
Order customer_eur(int64_t amount) { return Order{true, amount, "EUR"}; }

TEST(OrderRules, NoRulesAcceptEveryCall) {
  EXPECT_EQ(refusal(Rules{}, guest_without_order), std::nullopt);
  EXPECT_EQ(refusal(Rules{}, Order{false, 0, "USD"}), std::nullopt);
}

TEST(OrderRules, CustomerRequired) {
  const Rules rules{true, {}, {}};
  EXPECT_EQ(refusal(rules, guest_without_order), Refusal::CustomerRequired);
  EXPECT_EQ(refusal(rules, Order{false, 5000, "EUR"}), Refusal::CustomerRequired);
  EXPECT_EQ(refusal(rules, Order{true, {}, {}}), std::nullopt);
}

TEST(OrderRules, WrongCurrency) {
  const Rules rules{false, "EUR", {}};
  EXPECT_EQ(refusal(rules, Order{false, 100, "USD"}), Refusal::WrongCurrency);
  EXPECT_EQ(refusal(rules, Order{false, 100, "EUR"}), std::nullopt);
  EXPECT_EQ(refusal(rules, guest_without_order), std::nullopt);  // no order, no minimum: as before 1.6
}

TEST(OrderRules, MinimumAtItsEdges) {
  const Rules rules{false, "EUR", 5000};
  EXPECT_EQ(refusal(rules, customer_eur(4999)), Refusal::BelowMinimum);
  EXPECT_EQ(refusal(rules, customer_eur(5000)), std::nullopt);
  EXPECT_EQ(refusal(rules, customer_eur(std::numeric_limits<int64_t>::max())), std::nullopt);
  EXPECT_EQ(refusal(rules, Order{true, {}, {}}), Refusal::BelowMinimum);  // unknown amount
  EXPECT_EQ(refusal(Rules{false, "EUR", 0}, customer_eur(0)), std::nullopt);
}

TEST(OrderRules, DecidedInOrder) {
  const Rules all{true, "EUR", 5000};
  EXPECT_EQ(refusal(all, Order{false, 100, "USD"}), Refusal::CustomerRequired);
  EXPECT_EQ(refusal(all, Order{true, 100, "USD"}), Refusal::WrongCurrency);
  EXPECT_EQ(refusal(all, Order{true, 100, "EUR"}), Refusal::BelowMinimum);
  EXPECT_EQ(refusal(all, Order{true, 5000, "EUR"}), std::nullopt);
}

TEST(OrderArguments, AmountAndCurrencyTogether) {
  EXPECT_FALSE(check_order({}, {}));
  EXPECT_FALSE(check_order(0, "EUR"));
  EXPECT_FALSE(check_order(std::numeric_limits<int64_t>::max(), "JPY"));
  EXPECT_TRUE(check_order(100, {}));
  EXPECT_TRUE(check_order({}, "EUR"));
  EXPECT_TRUE(check_order(-1, "EUR"));
  EXPECT_TRUE(check_order(100, "eur"));
  EXPECT_TRUE(check_order(100, "EURO"));
  EXPECT_TRUE(check_order(100, ""));
}

TEST(OrderArguments, CurrencyCodes) {
  EXPECT_TRUE(is_currency_code("EUR"));
  EXPECT_FALSE(is_currency_code("EU"));
  EXPECT_FALSE(is_currency_code("E1R"));
  EXPECT_FALSE(is_currency_code("ÉUR"));
  EXPECT_FALSE(is_currency_code(std::string_view("EU\0", 3)));
}

}  // namespace
