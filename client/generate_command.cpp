#include "generate_command.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "database.hpp"
#include "progress.hpp"

namespace promo_client {

namespace {

using Clock = std::chrono::steady_clock;

// The call: campaign and count by position, each setting given by name so
// that the function's own default applies to the rest. All values are
// parameters ($1 campaign, $2 count, then the settings in this order).
struct Call {
  std::string sql;
  std::vector<std::string> settings;  // the values of $3...
};

Call generate_call(const std::string &schema, const GenerateOptions &generate) {
  Call call{"SELECT " + schema + ".generate_promo_codes($1::text, $2::integer", {}};
  auto named = [&](const char *name, const char *type, const std::string &value) {
    call.settings.push_back(value);
    call.sql += std::string(", ") + name + " => $" + std::to_string(call.settings.size() + 2) + "::" + type;
  };
  if (generate.pattern) named("pattern", "text", *generate.pattern);
  if (generate.charset) named("charset", "text", *generate.charset);
  if (generate.max_uses) named("max_uses", "integer", std::to_string(*generate.max_uses));
  if (generate.max_uses_per_customer)
    named("max_uses_per_customer", "integer", std::to_string(*generate.max_uses_per_customer));
  call.sql += ")";
  return call;
}

// Fails, saying why, where there is no generator to call.
void require_generator(pqxx::connection &connection, const std::string &schema) {
  pqxx::nontransaction query(connection);
  const pqxx::row found = query.exec_params1(
      "SELECT extversion, EXISTS (SELECT FROM pg_catalog.pg_proc WHERE proname = 'generate_promo_codes'"
      "                             AND pronamespace = $1::regnamespace)"
      "  FROM pg_catalog.pg_extension WHERE extname = 'promo'",
      schema);
  if (!found[1].as<bool>())
    throw std::runtime_error("promo " + found[0].as<std::string>() +
                             " in this database has no generate_promo_codes (code generation, promo 1.5)");
}

// Clears the progress line, so that what follows starts on a clean one.
void clear_progress(bool terminal) {
  if (terminal) std::cerr << "\r\033[K" << std::flush;
}

}  // namespace

std::vector<int> batch_sizes(int count, int batch) {
  std::vector<int> sizes;
  for (int left = count; left > 0; left -= std::min(left, batch)) sizes.push_back(std::min(left, batch));
  return sizes;
}

int run_generate(const Options &options) {
  const GenerateOptions &generate = options.generate;
  pqxx::connection connection(options.dsn);
  const std::string schema = promo_schema(connection);
  require_generator(connection, schema);
  const Call call = generate_call(schema, generate);
  const std::vector<int> batches = batch_sizes(generate.count, generate.batch);
  const bool terminal = isatty(STDERR_FILENO);
  auto seconds_since = [](Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  auto rolled_back = [&](const std::string &why) {
    clear_progress(terminal);
    std::cerr << "promo-client: generate: " << why
              << "\nNothing was generated: the transaction was rolled back.\n";
    return 1;
  };

  const auto started = Clock::now();
  long long made = 0;
  pqxx::work work(connection);  // every batch in it: all or nothing
  if (terminal) std::cerr << progress_line(0, generate.count, 0) << std::flush;
  for (size_t i = 0; i < batches.size(); ++i) {
    std::vector<std::string> values = {generate.campaign, std::to_string(batches[i])};
    values.insert(values.end(), call.settings.begin(), call.settings.end());
    long long made_now = 0;
    try {
      made_now = work.exec_params1(call.sql, pqxx::prepare::make_dynamic_params(values))[0].as<long long>();
    } catch (const pqxx::sql_error &error) {
      return rolled_back("call " + std::to_string(i + 1) + " of " + std::to_string(batches.size()) + " (" +
                         with_thousands(made) + " codes made before it) failed: " + error.what() +
                         "SQLSTATE " + error.sqlstate());
    } catch (const pqxx::broken_connection &error) {
      // Before COMMIT was sent, the server rolls the transaction back.
      return rolled_back("the connection was lost during call " + std::to_string(i + 1) + " of " +
                         std::to_string(batches.size()) + ": " + error.what());
    }
    // The function answers how many it made; a call that made fewer than
    // asked would leave --count unkept.
    if (made_now != batches[i])
      return rolled_back("call " + std::to_string(i + 1) + " made " + with_thousands(made_now) +
                         " codes where " + with_thousands(batches[i]) + " were asked");
    made += made_now;
    if (terminal)
      std::cerr << "\r\033[K" << progress_line(made, generate.count, seconds_since(started)) << std::flush;
  }
  try {
    work.commit();
  } catch (const pqxx::in_doubt_error &error) {
    clear_progress(terminal);
    std::cerr << "promo-client: generate: the connection was lost during COMMIT: " << error.what()
              << "The codes may or may not have been committed; count the codes of campaign \""
              << generate.campaign << "\" to know.\n";
    return 1;
  } catch (const std::exception &error) {
    return rolled_back(std::string("COMMIT failed: ") + error.what());
  }
  const double seconds = seconds_since(started);
  const double rate = seconds > 0 ? made / seconds : 0;
  clear_progress(terminal);
  if (options.json) {
    std::cout << "{\"campaign\":" << json_string(generate.campaign) << ",\"count\":" << made
              << ",\"calls\":" << batches.size() << ",\"seconds\":" << std::fixed << std::setprecision(3)
              << seconds << ",\"codes_per_second\":" << std::setprecision(0) << rate << "}\n";
  } else {
    std::cout << "Generated " << with_thousands(made) << " codes in campaign \"" << generate.campaign
              << "\" in " << std::fixed << std::setprecision(1) << seconds
              << " s: " << with_thousands(std::llround(rate)) << " codes/s\n";
  }
  return 0;
}

}  // namespace promo_client
