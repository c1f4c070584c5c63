#include "result_row.hpp"

#include "error_bridge.hpp"

namespace promo {

namespace {

// promo_redemption as versions 1.0, 1.1 to 1.4, 1.5 and 1.6 have it (promo_types.hpp).
constexpr int all_columns = static_cast<int>(column_count);
constexpr int columns_of_1_0 = static_cast<int>(columns_in("1.0"));
constexpr int columns_of_1_4 = static_cast<int>(columns_in("1.4"));
constexpr int columns_of_1_5 = static_cast<int>(columns_in("1.5"));
static_assert(columns_of_1_0 == 8 && columns_of_1_4 == 12 && columns_of_1_5 == 14 && all_columns == 16);

// Whether an older version's promo_redemption has this many columns.
constexpr bool older_shape(int columns) {
  return columns == columns_of_1_0 || columns == columns_of_1_4 || columns == columns_of_1_5;
}

class Values {
 public:
  Values() {
    for (bool &null : nulls_) null = true;
  }
  void set(Column column, Datum value) {
    values_[index(column)] = value;
    nulls_[index(column)] = false;
  }
  Datum *values() { return values_; }
  bool *nulls() { return nulls_; }

 private:
  static int index(Column column) { return static_cast<int>(column); }
  Datum values_[all_columns] = {};
  bool nulls_[all_columns];
};

}  // namespace

Datum redemption_datum(FunctionCallInfo fcinfo, const Redemption &redemption) {
  Values row;
  const char *label = status_label(redemption.status);
  row.set(Column::Redeemed, BoolGetDatum(redemption.status == Status::Redeemed));

  const std::string *code = nullptr;
  if (redemption.row) {
    const CodeRow &code_row = *redemption.row;
    row.set(Column::PromoId, Int64GetDatum(code_row.id));
    row.set(Column::CurrentUses, Int32GetDatum(code_row.current_uses));
    row.set(Column::IsActive, BoolGetDatum(code_row.is_active));
    if (code_row.max_uses) {
      row.set(Column::MaxUses, Int32GetDatum(*code_row.max_uses));
      row.set(Column::Remaining, Int32GetDatum(*code_row.max_uses - code_row.current_uses));
    }
    code = &code_row.code;
  }
  if (redemption.campaign_id) row.set(Column::CampaignId, Int64GetDatum(*redemption.campaign_id));
  const char *refused_by = redemption.refused_by ? scope_label(*redemption.refused_by) : nullptr;
  const std::string *state = nullptr;
  const std::string *currency = nullptr;
  if (redemption.entry) {
    const LedgerEntry &entry = *redemption.entry;
    row.set(Column::RedemptionId, Int64GetDatum(entry.id));
    row.set(Column::Replayed, BoolGetDatum(entry.replayed));
    if (entry.hold_expires_at) row.set(Column::HoldExpiresAt, TimestampTzGetDatum(*entry.hold_expires_at));
    if (entry.discount) row.set(Column::Discount, Int64GetDatum(*entry.discount));
    state = &entry.state;
    if (entry.currency) currency = &*entry.currency;
  }

  return pg_call([&] {
    TupleDesc descriptor;
    if (get_call_result_type(fcinfo, nullptr, &descriptor) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "promo: function must return a composite type");
    const int columns = descriptor->natts;
    if (!older_shape(columns) && columns != all_columns)
      elog(ERROR, "promo: promo_redemption has %d columns, expected %d, %d, %d or %d", columns, columns_of_1_0,
           columns_of_1_4, columns_of_1_5, all_columns);
    // A call in FROM planned before ALTER EXTENSION promo UPDATE added
    // columns (it waited for the update) expects the columns of then: it
    // gets those, as a row of its own shape.
    auto *set_info = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    if (set_info != nullptr && IsA(set_info, ReturnSetInfo) && set_info->expectedDesc != nullptr &&
        set_info->expectedDesc->natts < columns &&
        older_shape(set_info->expectedDesc->natts)) {
      descriptor = CreateTupleDescCopy(set_info->expectedDesc);
      descriptor->tdtypeid = RECORDOID;
      descriptor->tdtypmod = -1;
    }
    descriptor = BlessTupleDesc(descriptor);
    Oid status_type = TupleDescAttr(descriptor, static_cast<int>(Column::Status))->atttypid;
    Oid label_oid = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid, ObjectIdGetDatum(status_type),
                                    CStringGetDatum(label));
    if (!OidIsValid(label_oid)) elog(ERROR, "promo: promo_status has no label \"%s\"", label);
    row.set(Column::Status, ObjectIdGetDatum(label_oid));
    if (code != nullptr)
      row.set(Column::Code, PointerGetDatum(cstring_to_text_with_len(code->data(), code->size())));
    if (state != nullptr && columns >= columns_of_1_4)
      row.set(Column::RedemptionState,
              PointerGetDatum(cstring_to_text_with_len(state->data(), state->size())));
    if (refused_by != nullptr && columns >= columns_of_1_5)
      row.set(Column::RefusedBy, PointerGetDatum(cstring_to_text(refused_by)));
    if (currency != nullptr && columns == all_columns)
      row.set(Column::Currency, PointerGetDatum(cstring_to_text_with_len(currency->data(), currency->size())));
    return HeapTupleGetDatum(heap_form_tuple(descriptor, row.values(), row.nulls()));
  });
}

}  // namespace promo
