#include "redeem_command.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>

#include "database.hpp"

namespace promo_client {

namespace {

const char *or_null(const std::optional<std::string> &value) {
  return value ? value->c_str() : nullptr;
}

void print_row(const pqxx::row &row, bool json) {
  if (!json) {
    for (pqxx::row::size_type i = 0; i < row.size(); ++i)
      std::cout << row[i].name() << ": " << (row[i].is_null() ? "(null)" : row[i].c_str()) << "\n";
    return;
  }
  constexpr pqxx::oid bool_type = 16, int8_type = 20, int4_type = 23;
  std::cout << "{";
  for (pqxx::row::size_type i = 0; i < row.size(); ++i) {
    std::cout << (i ? "," : "") << json_string(row[i].name()) << ":";
    if (row[i].is_null())
      std::cout << "null";
    else if (row[i].type() == bool_type)
      std::cout << (row[i].as<bool>() ? "true" : "false");
    else if (row[i].type() == int8_type || row[i].type() == int4_type)
      std::cout << row[i].c_str();
    else
      std::cout << json_string(row[i].c_str());
  }
  std::cout << "}\n";
}

}  // namespace

pqxx::result call_redeem_promo(const Options &options) {
  pqxx::connection connection(options.dsn);
  const std::string schema = promo_schema(connection);
  const RedeemOptions &redeem = options.redeem;
  // Autocommit: an answer that arrives is a committed redemption.
  pqxx::nontransaction call(connection);
  const std::string call_text = "SELECT * FROM " + schema +
                                ".redeem_promo($1, customer_id => $2, idempotency_key => $3, hold => $4::interval";
  // Without an order the call is the one every version since 1.1 takes.
  if (!redeem.amount)
    return call.exec_params(call_text + ")", redeem.code, or_null(redeem.customer), or_null(redeem.key),
                            or_null(redeem.hold));
  return call.exec_params(call_text + ", order_amount => $5::bigint, currency => $6)", redeem.code,
                          or_null(redeem.customer), or_null(redeem.key), or_null(redeem.hold), *redeem.amount,
                          *redeem.currency);
}

int run_redeem(const Options &options) {
  // A connection lost after the call was sent leaves its outcome unknown. With
  // a key, asking again is safe: the server answers with the original redemption.
  for (int attempt = 0;; ++attempt) {
    try {
      pqxx::result rows = call_redeem_promo(options);
      print_row(rows[0], options.json);
      return rows[0]["redeemed"].as<bool>() ? 0 : exit_refused;
    } catch (const pqxx::broken_connection &lost) {
      if (attempt >= options.redeem.retries) throw;
      std::cerr << "promo-client: connection lost (" << lost.what() << "); retrying with the same key\n";
      std::this_thread::sleep_for(std::chrono::milliseconds(100) * (1 << std::min(attempt, 5)));
    }
  }
}

int run_confirm_or_release(const Options &options) {
  pqxx::connection connection(options.dsn);
  const std::string schema = promo_schema(connection);
  const char *function = options.command == Command::Confirm ? "confirm_promo" : "release_promo";
  pqxx::work call(connection);
  pqxx::result rows = call.exec_params("SELECT " + schema + "." + function + "($1) AS " + function,
                                       options.ledger.redemption_id);
  call.commit();
  print_row(rows[0], options.json);
  return rows[0][0].as<bool>() ? 0 : exit_refused;
}

}  // namespace promo_client
