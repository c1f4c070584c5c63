// Prints promo's C++ lists of the SQL types a redemption answers with
// (extension/promo_types.hpp) as they are in a given version, one line each:
//   status LABEL                (promo_status, in its order)
//   column NAME TYPE            (promo_redemption, in its order)
// test/static/cpp_matches_sql.sh compares this with what the catalog says.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "promo_types.hpp"

namespace {

// "1.10" > "1.9": versions compare as numbers, part by part.
bool at_most(const std::string &since, const std::string &version) {
  const auto parts = [](const std::string &text) {
    const size_t dot = text.find('.');
    return std::make_pair(std::atoi(text.substr(0, dot).c_str()), std::atoi(text.substr(dot + 1).c_str()));
  };
  return parts(since) <= parts(version);
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s VERSION\n", argv[0]);
    return 2;
  }
  const std::string version = argv[1];
  for (const promo::StatusInfo &status : promo::statuses)
    if (at_most(status.since, version)) std::printf("status %s\n", status.label);
  for (const promo::ColumnInfo &column : promo::redemption_columns)
    if (at_most(column.since, version)) std::printf("column %s %s\n", column.name, column.type);
  return 0;
}
