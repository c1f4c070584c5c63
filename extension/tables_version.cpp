#include "tables_version.hpp"

#include <stdexcept>

#include "error_bridge.hpp"
#include "pg_headers.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "storage/lmgr.h"
}

namespace promo {

TablesVersion tables_version(const std::string &schema) {
  const char *schema_name = schema.c_str();
  struct Columns {
    bool found, code_key, slots, max_uses_per_customer;
  };
  Columns columns = pg_call([&] {
    Oid codes = get_relname_relid("promo_codes", get_namespace_oid(schema_name, false));
    if (!OidIsValid(codes)) return Columns{false, false, false, false};
    // The lock waits for an update in progress; once granted, the catalog
    // it committed is what the lookups below see.
    LockRelationOid(codes, RowExclusiveLock);
    return Columns{true, get_attnum(codes, "code_key") != InvalidAttrNumber,
                   get_attnum(codes, "slots") != InvalidAttrNumber,
                   get_attnum(codes, "max_uses_per_customer") != InvalidAttrNumber};
  });
  if (!columns.found) throw std::runtime_error("promo_codes is missing from the extension's schema");
  if (columns.code_key) return TablesVersion::V1_4;
  if (columns.slots) return TablesVersion::V1_3;
  if (columns.max_uses_per_customer) return TablesVersion::V1_1;
  return TablesVersion::V1_0;
}

}  // namespace promo
