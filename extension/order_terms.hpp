// A code's order terms as 1.6's tables hold them (promo_codes' columns
// requires_customer, currency, min_amount and the discount's), and what a
// call's order meets by them: a refusal of the order rules (order_rules.hpp)
// or the discount (discount.hpp). Read where the path reads the code's row;
// a statement that takes the use compares them again, as they were read.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "discount.hpp"
#include "order_rules.hpp"
#include "promo_types.hpp"
#include "spi_session.hpp"
#include "text_argument.hpp"

namespace promo {

struct OrderTerms {
  order::Rules rules;
  std::optional<discount::Percent> percent;
  std::optional<discount::Fixed> fixed;
};

// The order a call names (both or neither), validated.
struct OrderArgument {
  int64_t amount = 0;
  TextArgument currency;
};

// The select list that reads the terms, in every statement that reads a code
// row on 1.6's tables.
#define PROMO_ORDER_TERMS_COLUMNS \
  "requires_customer, currency, min_amount, discount_basis_points, discount_ceiling, discount_amount"

// A campaign's order rules (it has no discount of its own).
#define PROMO_ORDER_RULES_COLUMNS "requires_customer, currency, min_amount"

// Reads the columns of PROMO_ORDER_TERMS_COLUMNS, and of PROMO_ORDER_RULES_COLUMNS.
OrderTerms read_order_terms(const ResultRow &row);
order::Rules read_order_rules(const ResultRow &row);

// The status the terms refuse the call with (customer_required,
// wrong_currency or below_minimum), if any.
std::optional<Status> order_refusal(const order::Rules &rules, bool has_customer,
                                    const std::optional<OrderArgument> &order);

// The discount the terms grant the order: 0 without a discount rule; empty
// without an order.
std::optional<int64_t> order_discount(const OrderTerms &terms, const std::optional<OrderArgument> &order);

// The terms as a statement's parameters, in the order of
// PROMO_ORDER_TERMS_COLUMNS (named after them), for a guard that the row
// still has them.
std::vector<Argument> order_terms_arguments(const OrderTerms &terms);

// The ledger's order columns as a statement's parameters: order_amount,
// order_currency, discount (NULL without an order).
std::vector<Argument> order_ledger_arguments(const std::optional<OrderArgument> &order,
                                             std::optional<int64_t> discount);

}  // namespace promo
