#include "order_rules.hpp"

#include <algorithm>

namespace promo::order {

bool is_currency_code(std::string_view text) {
  return text.size() == 3 && std::all_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::optional<InputProblem> check_order(std::optional<int64_t> amount, const std::optional<std::string> &currency) {
  if (amount.has_value() != currency.has_value())
    return InputProblem{"an order amount and its currency come together",
                        "Pass both order_amount and currency, or neither."};
  if (amount && *amount < 0)
    return InputProblem{"an order amount must not be negative", "Pass the amount in minor units, 0 or more."};
  if (currency && !is_currency_code(*currency))
    return InputProblem{"a currency is three capital letters (ISO 4217)", "For example EUR or USD."};
  return std::nullopt;
}

std::optional<Refusal> refusal(const Rules &rules, const Order &order) {
  if (rules.requires_customer && !order.has_customer) return Refusal::CustomerRequired;
  if (rules.currency && order.currency && *order.currency != *rules.currency) return Refusal::WrongCurrency;
  if (rules.min_amount && (!order.amount || *order.amount < *rules.min_amount)) return Refusal::BelowMinimum;
  return std::nullopt;
}

}  // namespace promo::order
