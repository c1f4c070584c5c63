#include "code_lookup.hpp"

#include "error_bridge.hpp"

namespace promo {

namespace {

// What the lookup read, as plain values (pg_call returns nothing else).
struct Lookup {
  bool usable = false;  // promo's own index, no row-level security
  bool found = false;
  int64_t id = 0;
  int32_t slots = 1;
  bool customer_limited = false;
  bool has_campaign = false;
  int64_t campaign_id = 0;
  // The order terms (1.6), as plain values: a NULL column is false here.
  bool requires_customer = false;
  bool has_currency = false;
  char currency[4] = {};
  bool has_min_amount = false, has_basis_points = false, has_ceiling = false, has_fixed = false;
  int64_t min_amount = 0, ceiling = 0, fixed = 0;
  int32_t basis_points = 0;
};

struct Columns {
  AttrNumber id, code_key, slots, max_uses_per_customer, campaign_id;
  // PROMO_ORDER_TERMS_COLUMNS, on 1.6's tables; InvalidAttrNumber otherwise.
  AttrNumber requires_customer, currency, min_amount, basis_points, ceiling, fixed;
};

// The order terms of the row in `slot`. The currency's CHECK keeps it three
// ASCII letters; one that is not (a DBA dropped the CHECK) is copied as it
// fits, and the statement's guard then finds the row changed.
void read_terms(TupleTableSlot *slot, const Columns &columns, Lookup &out) {
  bool is_null = false;
  const Datum requires_customer = slot_getattr(slot, columns.requires_customer, &is_null);
  out.requires_customer = !is_null && DatumGetBool(requires_customer);
  const Datum currency = slot_getattr(slot, columns.currency, &is_null);
  out.has_currency = !is_null;
  if (!is_null) text_to_cstring_buffer(DatumGetTextPP(currency), out.currency, sizeof out.currency);
  auto int8_column = [&](AttrNumber column, bool &has, int64_t &value) {
    const Datum datum = slot_getattr(slot, column, &is_null);
    has = !is_null;
    if (!is_null) value = DatumGetInt64(datum);
  };
  int8_column(columns.min_amount, out.has_min_amount, out.min_amount);
  int8_column(columns.ceiling, out.has_ceiling, out.ceiling);
  int8_column(columns.fixed, out.has_fixed, out.fixed);
  const Datum basis_points = slot_getattr(slot, columns.basis_points, &is_null);
  out.has_basis_points = !is_null;
  if (!is_null) out.basis_points = DatumGetInt32(basis_points);
}

OrderTerms terms_of(const Lookup &lookup) {
  OrderTerms terms;
  terms.rules.requires_customer = lookup.requires_customer;
  if (lookup.has_currency) terms.rules.currency = std::string(lookup.currency);
  if (lookup.has_min_amount) terms.rules.min_amount = lookup.min_amount;
  if (lookup.has_basis_points) {
    terms.percent = discount::Percent{lookup.basis_points, std::nullopt};
    if (lookup.has_ceiling) terms.percent->ceiling = lookup.ceiling;
  }
  if (lookup.has_fixed) terms.fixed = discount::Fixed{lookup.fixed};
  return terms;
}

// promo_codes_code_key as promo creates it: unique, valid, a plain btree on
// code_key alone, in the column's collation, whose equality is text's =, so
// that one probe finds the one row whose key is equal; anything else is left
// to the statement. Like the planner, it skips an index built while a
// snapshot older than the index could still see rows it lacks (indcheckxmin).
bool is_promo_key_index(Relation index, Oid codes, AttrNumber code_key) {
  const Form_pg_index form = index->rd_index;
  Oid type = InvalidOid, collation = InvalidOid;
  int32 typmod = -1;
  get_atttypetypmodcoll(codes, code_key, &type, &typmod, &collation);
  return form->indrelid == codes && form->indisunique && form->indisvalid && form->indisready &&
         form->indnkeyatts == 1 && form->indkey.values[0] == code_key && index->rd_rel->relam == BTREE_AM_OID &&
         index->rd_indcollation[0] == collation &&
         heap_attisnull(index->rd_indextuple, Anum_pg_index_indexprs, nullptr) &&
         heap_attisnull(index->rd_indextuple, Anum_pg_index_indpred, nullptr) &&
         get_opfamily_member(index->rd_opfamily[0], TEXTOID, TEXTOID, BTEqualStrategyNumber) == TextEqualOperator &&
         (!form->indcheckxmin ||
          TransactionIdPrecedes(HeapTupleHeaderGetXmin(index->rd_indextuple->t_data), TransactionXmin));
}

// Reads the visible row whose key equals `code_key`, if any, with the
// snapshot SPI would take for a statement here: the transaction's (a new one
// per call in READ COMMITTED), after a command counter increment, so that
// the caller's own earlier changes are seen. Index and heap take the
// predicate locks of a SERIALIZABLE read themselves.
void read_row(Relation codes, Relation index, const Columns &columns, Datum code_key, Lookup &out) {
  CommandCounterIncrement();
  PushActiveSnapshot(GetTransactionSnapshot());
  UpdateActiveSnapshotCommandId();
  ScanKeyData key;
  ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber, InvalidOid, index->rd_indcollation[0], F_TEXTEQ,
                         code_key);
  TupleTableSlot *slot = table_slot_create(codes, nullptr);
#if PG_VERSION_NUM >= 180000
  IndexScanDesc scan = index_beginscan(codes, index, GetActiveSnapshot(), nullptr, 1, 0);
#else
  IndexScanDesc scan = index_beginscan(codes, index, GetActiveSnapshot(), 1, 0);
#endif
  index_rescan(scan, &key, 1, nullptr, 0);
  if (index_getnext_slot(scan, ForwardScanDirection, slot)) {
    bool is_null = false;
    out.found = true;
    out.id = DatumGetInt64(slot_getattr(slot, columns.id, &is_null));
    out.slots = DatumGetInt32(slot_getattr(slot, columns.slots, &is_null));
    slot_getattr(slot, columns.max_uses_per_customer, &is_null);
    out.customer_limited = !is_null;
    if (columns.campaign_id != InvalidAttrNumber) {
      const Datum campaign = slot_getattr(slot, columns.campaign_id, &is_null);
      out.has_campaign = !is_null;
      if (!is_null) out.campaign_id = DatumGetInt64(campaign);
    }
    if (columns.requires_customer != InvalidAttrNumber) read_terms(slot, columns, out);
  }
  index_endscan(scan);
  ExecDropSingleTupleTableSlot(slot);
  PopActiveSnapshot();
}

// The whole lookup, as one PostgreSQL call. The relations stay locked (as
// a statement's would) until the transaction ends; on an error its abort
// releases the scan, the slot's buffer and the snapshot.
Lookup look_up(const char *schema, Datum code_key, bool with_campaign, bool with_terms) {
  Lookup out;
  const Oid namespace_oid = get_namespace_oid(schema, false);
  const Oid codes_oid = get_relname_relid("promo_codes", namespace_oid);
  const Oid index_oid = get_relname_relid("promo_codes_code_key", namespace_oid);
  // A table or view can take the index's name (if the DBA renamed it).
  if (!OidIsValid(codes_oid) || !OidIsValid(index_oid) || get_rel_relkind(codes_oid) != RELKIND_RELATION ||
      get_rel_relkind(index_oid) != RELKIND_INDEX)
    return out;
  auto column = [&](bool wanted, const char *name) {
    return wanted ? get_attnum(codes_oid, name) : AttrNumber{InvalidAttrNumber};
  };
  const Columns columns{get_attnum(codes_oid, "id"),
                        get_attnum(codes_oid, "code_key"),
                        get_attnum(codes_oid, "slots"),
                        get_attnum(codes_oid, "max_uses_per_customer"),
                        column(with_campaign, "campaign_id"),
                        column(with_terms, "requires_customer"),
                        column(with_terms, "currency"),
                        column(with_terms, "min_amount"),
                        column(with_terms, "discount_basis_points"),
                        column(with_terms, "discount_ceiling"),
                        column(with_terms, "discount_amount")};
  if (columns.id == InvalidAttrNumber || columns.code_key == InvalidAttrNumber || columns.slots == InvalidAttrNumber ||
      columns.max_uses_per_customer == InvalidAttrNumber || (with_campaign && columns.campaign_id == InvalidAttrNumber))
    return out;
  for (AttrNumber terms_column : {columns.requires_customer, columns.currency, columns.min_amount, columns.basis_points,
                                  columns.ceiling, columns.fixed})
    if (with_terms && terms_column == InvalidAttrNumber) return out;
  Relation codes = table_open(codes_oid, AccessShareLock);
  Relation index = index_open(index_oid, AccessShareLock);
  // Under row-level security a statement applies the policies; this would not.
  out.usable = !codes->rd_rel->relrowsecurity && is_promo_key_index(index, codes_oid, columns.code_key);
  if (out.usable) read_row(codes, index, columns, code_key, out);
  index_close(index, NoLock);
  table_close(codes, NoLock);
  return out;
}

}  // namespace

std::optional<std::optional<FoundCode>> find_code_by_index(const std::string &schema, Datum code_key,
                                                             bool with_campaign, bool with_terms) {
  const char *schema_name = schema.c_str();
  const Lookup lookup = pg_call([&] { return look_up(schema_name, code_key, with_campaign, with_terms); });
  if (!lookup.usable) return std::nullopt;
  if (!lookup.found) return std::optional<FoundCode>{};
  FoundCode code{lookup.id, lookup.slots, lookup.customer_limited, std::nullopt, std::nullopt};
  if (lookup.has_campaign) code.campaign_id = lookup.campaign_id;
  if (with_terms) code.terms = terms_of(lookup);
  return std::optional<FoundCode>{code};
}

}  // namespace promo
