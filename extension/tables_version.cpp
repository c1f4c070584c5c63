#include "tables_version.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "error_bridge.hpp"
#include "library_version.hpp"
#include "lock_scheme.hpp"
#include "pg_headers.hpp"

extern "C" {
#include "catalog/namespace.h"
}

namespace promo {

namespace {

// The version of the extension the transaction's snapshot sees.
const SqlStatement snapshot_version_statement{"snapshot_version",
                                              R"(
SELECT extversion FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'promo'
)",
                                              {}};

[[noreturn]] void updated_meanwhile() {
  throw SqlError(ERRCODE_T_R_SERIALIZATION_FAILURE, "promo was updated while this call waited",
                 "Retry the transaction: it will use the updated functions and tables.");
}

// A version as numbers; one that does not parse reads as newer than any.
std::vector<long> version_numbers(const std::string &version) {
  std::vector<long> numbers;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = version.find('.', start);
    const std::string part = version.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos) return {};
    numbers.push_back(std::stol(part));
    if (dot == std::string::npos) return numbers;
    start = dot + 1;
  }
}

bool newer_than_library(const std::string &version) {
  const std::vector<long> seen = version_numbers(version);
  return seen.empty() || seen > version_numbers(library_version);
}

// A session keeps the library it loaded (the server, with promo preloaded):
// after make install and the update, it runs older code than the SQL. Its
// retry would fail again; a new session (or a restart) is what helps.
[[noreturn]] void library_older_than(const std::string &version) {
  throw SqlError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                 std::string("this session runs promo's library ") + library_version +
                     ", older than the installed promo " + version,
                 "Reconnect: a new session loads the new library (with promo in shared_preload_libraries, "
                 "restart the server).");
}

}  // namespace

TablesVersion tables_version(const std::string &schema) {
  const char *schema_name = schema.c_str();
  struct Columns {
    bool requires_customer, campaign_id, code_key, slots, max_uses_per_customer;
  };
  const Oid codes =
      pg_call([&] { return get_relname_relid("promo_codes", get_namespace_oid(schema_name, false)); });
  if (!OidIsValid(codes)) throw std::runtime_error("promo_codes is missing from the extension's schema");
  // The lock waits for an update in progress; once granted, the catalog it
  // committed is what the lookups below see.
  locks::lock_table_for_writing(codes);
  Columns columns = pg_call([&] {
    return Columns{get_attnum(codes, "requires_customer") != InvalidAttrNumber,
                   get_attnum(codes, "campaign_id") != InvalidAttrNumber,
                   get_attnum(codes, "code_key") != InvalidAttrNumber,
                   get_attnum(codes, "slots") != InvalidAttrNumber,
                   get_attnum(codes, "max_uses_per_customer") != InvalidAttrNumber};
  });
  if (columns.requires_customer) return TablesVersion::V1_6;
  if (columns.campaign_id) return TablesVersion::V1_5;
  if (columns.code_key) return TablesVersion::V1_4;
  if (columns.slots) return TablesVersion::V1_3;
  if (columns.max_uses_per_customer) return TablesVersion::V1_1;
  return TablesVersion::V1_0;
}

}  // namespace promo

namespace promo {

void refuse_call_older_than_tables(FunctionCallInfo fcinfo, SpiSession &spi, TablesVersion tables) {
  const Oid function = fcinfo->flinfo->fn_oid;
  if (!pg_call([&] { return SearchSysCacheExists1(PROCOID, ObjectIdGetDatum(function)); }))
    updated_meanwhile();
  if (!served_by_core(tables) || !IsolationUsesXactSnapshot()) return;
  // The versions whose update made these tables (1.5.1, 1.5.2 and 1.5.3 rewrote
  // none of 1.5's).
  const std::vector<std::string> versions = tables == TablesVersion::V1_6   ? std::vector<std::string>{"1.6"}
                                            : tables == TablesVersion::V1_5 ? std::vector<std::string>{"1.5", "1.5.1",
                                                                                                      "1.5.2", "1.5.3"}
                                                                            : std::vector<std::string>{"1.4"};
  Rows rows = spi.execute(snapshot_version_statement, {});
  if (rows.empty()) updated_meanwhile();
  const std::string seen = rows[0].string("extversion").value_or("");
  if (std::find(versions.begin(), versions.end(), seen) != versions.end()) return;
  if (newer_than_library(seen)) library_older_than(seen);
  updated_meanwhile();
}

}  // namespace promo
