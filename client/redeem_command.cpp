#include "redeem_command.hpp"

#include <iostream>

#include "database.hpp"

namespace promo_client {

int run_redeem(const Options &options) {
  pqxx::connection connection(options.dsn);
  const std::string schema = promo_schema(connection);
  pqxx::work redeem(connection);
  pqxx::result rows =
      redeem.exec_params("SELECT * FROM " + schema + ".redeem_promo($1)", options.redeem.code);
  redeem.commit();

  const pqxx::row row = rows[0];
  if (options.json) {
    std::cout << "{";
    for (pqxx::row::size_type i = 0; i < row.size(); ++i) {
      std::cout << (i ? "," : "") << json_string(row[i].name()) << ":";
      if (row[i].is_null())
        std::cout << "null";
      else if (row[i].type() == 16)
        std::cout << (row[i].as<bool>() ? "true" : "false");  // bool
      else if (row[i].type() == 20 || row[i].type() == 23)
        std::cout << row[i].c_str();  // int8, int4
      else
        std::cout << json_string(row[i].c_str());
    }
    std::cout << "}\n";
  } else {
    for (pqxx::row::size_type i = 0; i < row.size(); ++i)
      std::cout << row[i].name() << ": " << (row[i].is_null() ? "(null)" : row[i].c_str()) << "\n";
  }
  return row["redeemed"].as<bool>() ? 0 : exit_refused;
}

}  // namespace promo_client
