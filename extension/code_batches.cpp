#include "code_batches.hpp"

#include "error_bridge.hpp"

extern "C" {
#include "utils/array.h"
}

namespace promo::codes {

namespace {

// $1 the campaign's name (code_batches.hpp says why this is the lock).
const SqlStatement lock_campaign_statement{"codes_lock_campaign",
                                           R"(
UPDATE @extschema@.promo_campaigns AS g SET name = g.name
 WHERE g.name OPERATOR(pg_catalog.=) $1
RETURNING g.id
)",
                                           {{"campaign", TEXTOID}}};

// $1 campaign_id.
const SqlStatement campaign_codes_statement{"codes_of_campaign",
                                            R"(
SELECT pg_catalog.count(*) AS codes FROM @extschema@.promo_codes
 WHERE campaign_id OPERATOR(pg_catalog.=) $1
)",
                                            {{"campaign_id", INT8OID}}};

}  // namespace

int64_t lock_campaign_for_codes(SpiSession &spi, const TextArgument &campaign) {
  Rows locked = spi.execute(lock_campaign_statement, {text_arg("campaign", campaign.datum)});
  if (locked.empty())
    throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, "campaign \"" + campaign.text + "\" does not exist",
                   "Create it with create_campaign(name, ...).");
  return locked[0].int8("id").value();
}

int64_t campaign_codes(SpiSession &spi, int64_t campaign_id) {
  return spi.execute(campaign_codes_statement, {bigint_arg("campaign_id", campaign_id)})[0]
      .int8("codes")
      .value();
}

Datum text_array(const std::vector<std::string> &values) {
  const std::string *first = values.data();
  const int n = static_cast<int>(values.size());
  return pg_call([&] {
    if (n == 0) return PointerGetDatum(construct_empty_array(TEXTOID));
    Datum *elements = static_cast<Datum *>(palloc(sizeof(Datum) * static_cast<size_t>(n)));
    for (int i = 0; i < n; ++i)
      elements[i] =
          PointerGetDatum(cstring_to_text_with_len(first[i].data(), static_cast<int>(first[i].size())));
    return PointerGetDatum(construct_array(elements, n, TEXTOID, -1, false, TYPALIGN_INT));
  });
}

Datum integer_array(const std::vector<std::optional<int32_t>> &values) {
  const std::optional<int32_t> *first = values.data();
  const int n = static_cast<int>(values.size());
  return pg_call([&] {
    if (n == 0) return PointerGetDatum(construct_empty_array(INT4OID));
    Datum *elements = static_cast<Datum *>(palloc(sizeof(Datum) * static_cast<size_t>(n)));
    bool *nulls = static_cast<bool *>(palloc(sizeof(bool) * static_cast<size_t>(n)));
    for (int i = 0; i < n; ++i) {
      nulls[i] = !first[i].has_value();
      elements[i] = Int32GetDatum(first[i].value_or(0));
    }
    int dims[1] = {n};
    int lower_bounds[1] = {1};
    return PointerGetDatum(construct_md_array(elements, nulls, 1, dims, lower_bounds, INT4OID, sizeof(int32),
                                              true, TYPALIGN_INT));
  });
}

}  // namespace promo::codes
