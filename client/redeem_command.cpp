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

int run_redeem(const Options &options) {
  pqxx::connection connection(options.dsn);
  const std::string schema = promo_schema(connection);
  const RedeemOptions &redeem = options.redeem;
  pqxx::work call(connection);
  pqxx::result rows =
      call.exec_params("SELECT * FROM " + schema +
                           ".redeem_promo($1, customer_id => $2, idempotency_key => $3,"
                           " hold => $4::interval)",
                       redeem.code, or_null(redeem.customer), or_null(redeem.key), or_null(redeem.hold));
  call.commit();
  print_row(rows[0], options.json);
  return rows[0]["redeemed"].as<bool>() ? 0 : exit_refused;
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
