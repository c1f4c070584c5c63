#include "order_terms.hpp"

#include "error_bridge.hpp"

namespace promo {

namespace {

Argument optional_bigint(const char *name, std::optional<int64_t> value) {
  return value ? bigint_arg(name, *value) : Argument{name, INT8OID, Datum(0), true};
}

}  // namespace

order::Rules read_order_rules(const ResultRow &row) {
  return order::Rules{row.boolean("requires_customer").value(), row.string("currency"), row.int8("min_amount")};
}

OrderTerms read_order_terms(const ResultRow &row) {
  OrderTerms terms;
  terms.rules = read_order_rules(row);
  if (std::optional<int32_t> basis_points = row.int4("discount_basis_points"))
    terms.percent = discount::Percent{*basis_points, row.int8("discount_ceiling")};
  if (std::optional<int64_t> amount = row.int8("discount_amount")) terms.fixed = discount::Fixed{*amount};
  return terms;
}

std::optional<Status> order_refusal(const order::Rules &rules, bool has_customer,
                                    const std::optional<OrderArgument> &order) {
  order::Order call{has_customer, std::nullopt, std::nullopt};
  if (order) {
    call.amount = order->amount;
    call.currency = order->currency.text;
  }
  const std::optional<order::Refusal> refused = order::refusal(rules, call);
  if (!refused) return std::nullopt;
  switch (*refused) {
    case order::Refusal::CustomerRequired: return Status::CustomerRequired;
    case order::Refusal::WrongCurrency: return Status::WrongCurrency;
    case order::Refusal::BelowMinimum: return Status::BelowMinimum;
  }
  return std::nullopt;
}

std::optional<int64_t> order_discount(const OrderTerms &terms, const std::optional<OrderArgument> &order) {
  if (!order) return std::nullopt;
  if (terms.percent) return discount::for_order(*terms.percent, order->amount);
  if (terms.fixed) return discount::for_order(*terms.fixed, order->amount);
  return 0;
}

std::vector<Argument> order_terms_arguments(const OrderTerms &terms) {
  std::optional<Datum> currency;
  if (terms.rules.currency) {
    const char *text = terms.rules.currency->c_str();
    currency = pg_call([&] { return CStringGetTextDatum(text); });
  }
  std::optional<int32_t> basis_points;
  std::optional<int64_t> ceiling, fixed;
  if (terms.percent) {
    basis_points = terms.percent->basis_points;
    ceiling = terms.percent->ceiling;
  }
  if (terms.fixed) fixed = terms.fixed->amount;
  return {Argument{"requires_customer", BOOLOID, BoolGetDatum(terms.rules.requires_customer), false},
          text_arg("currency", currency),
          optional_bigint("min_amount", terms.rules.min_amount),
          integer_arg("discount_basis_points", basis_points),
          optional_bigint("discount_ceiling", ceiling),
          optional_bigint("discount_amount", fixed)};
}

std::vector<Argument> order_ledger_arguments(const std::optional<OrderArgument> &order,
                                             std::optional<int64_t> discount) {
  std::optional<int64_t> amount;
  std::optional<Datum> currency;
  if (order) {
    amount = order->amount;
    currency = order->currency.datum;
  }
  return {optional_bigint("order_amount", amount), text_arg("order_currency", currency),
          optional_bigint("discount", discount)};
}

}  // namespace promo
