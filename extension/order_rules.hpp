// What an order must be for a code or a campaign to grant a use (promo 1.6,
// issue 15): a customer, a currency, a minimum amount. Pure C++ (no
// PostgreSQL), decided under the code's locks like every other rule.
// Amounts are integer minor units of their currency, an ISO 4217 code of
// three capital letters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "code_input.hpp"

namespace promo::order {

// A code's or a campaign's order rules; absent members ask nothing.
struct Rules {
  bool requires_customer = false;
  std::optional<std::string> currency;
  std::optional<int64_t> min_amount;  // in `currency`
};

// What the call says of its order: an amount comes with its currency.
struct Order {
  bool has_customer = false;
  std::optional<int64_t> amount;
  std::optional<std::string> currency;
};

// Why the rules refuse the order, in the order they are decided.
enum class Refusal { CustomerRequired, WrongCurrency, BelowMinimum };

// The first rule the order breaks, if any:
//  - customer_required: the rules ask for a customer and the call names none
//    (a guest would otherwise bypass max_uses_per_customer);
//  - wrong_currency: the rules have a currency and the order another one;
//  - below_minimum: the rules have a minimum and the order is smaller, or
//    the call gave no amount (an order of unknown amount meets no minimum).
// A call without an order meets rules that ask for none: as before 1.6.
std::optional<Refusal> refusal(const Rules &rules, const Order &order);

// Checks a call's order arguments (SQLSTATE 22023 when refused): an amount
// of 0 or more together with a currency, or neither.
std::optional<InputProblem> check_order(std::optional<int64_t> amount, const std::optional<std::string> &currency);

// Three capital letters A-Z, as ISO 4217 writes a currency.
bool is_currency_code(std::string_view text);

}  // namespace promo::order
