// promo-client: the command-line client of the promo extension.
#include <iostream>
#include <pqxx/pqxx>

#include "bench.hpp"
#include "check.hpp"
#include "generate_command.hpp"
#include "load.hpp"
#include "options.hpp"
#include "race.hpp"
#include "redeem_command.hpp"

int main(int argc, char **argv) {
  using namespace promo_client;
  ParseResult parsed = parse_arguments(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.options) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.message;
    if (!parsed.message.empty() && parsed.message.back() != '\n') std::cerr << "\n";
    return parsed.exit_code;
  }
  try {
    switch (parsed.options->command) {
      case Command::Check: return run_check(*parsed.options);
      case Command::Redeem: return run_redeem(*parsed.options);
      case Command::Confirm:
      case Command::Release: return run_confirm_or_release(*parsed.options);
      case Command::Load: return run_load(*parsed.options);
      case Command::Bench: return run_bench(*parsed.options);
      case Command::Race: return run_race(*parsed.options);
      case Command::Generate: return run_generate(*parsed.options);
    }
  } catch (const pqxx::sql_error &error) {
    std::cerr << "promo-client: " << error.what() << "SQLSTATE " << error.sqlstate() << "\n";
  } catch (const std::exception &error) {
    std::cerr << "promo-client: " << error.what() << "\n";
  }
  return 1;
}
