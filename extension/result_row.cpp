#include "result_row.hpp"

#include "error_bridge.hpp"

namespace promo {

namespace {

// Column order of promo_redemption; the ledger columns exist from 1.1 on.
enum Column {
  kStatus,
  kRedeemed,
  kPromoId,
  kCode,
  kCurrentUses,
  kMaxUses,
  kRemaining,
  kIsActive,
  kRedemptionId,
  kReplayed,
  kRedemptionState,
  kHoldExpiresAt,
  kColumns
};

}  // namespace

Datum redemption_datum(FunctionCallInfo fcinfo, const Redemption &redemption) {
  Datum values[kColumns] = {};
  bool nulls[kColumns];
  for (bool &null : nulls) null = true;

  const char *label = status_label(redemption.status);
  values[kRedeemed] = BoolGetDatum(redemption.status == Status::Redeemed);
  nulls[kStatus] = nulls[kRedeemed] = false;

  const std::string *code = nullptr;
  if (redemption.row) {
    const CodeRow &row = *redemption.row;
    values[kPromoId] = Int64GetDatum(row.id);
    values[kCurrentUses] = Int32GetDatum(row.current_uses);
    values[kIsActive] = BoolGetDatum(row.is_active);
    nulls[kPromoId] = nulls[kCurrentUses] = nulls[kIsActive] = false;
    if (row.max_uses) {
      values[kMaxUses] = Int32GetDatum(*row.max_uses);
      values[kRemaining] = Int32GetDatum(*row.max_uses - row.current_uses);
      nulls[kMaxUses] = nulls[kRemaining] = false;
    }
    code = &row.code;
  }
  const std::string *state = nullptr;
  if (redemption.entry) {
    const LedgerEntry &entry = *redemption.entry;
    values[kRedemptionId] = Int64GetDatum(entry.id);
    values[kReplayed] = BoolGetDatum(entry.replayed);
    nulls[kRedemptionId] = nulls[kReplayed] = false;
    if (entry.hold_expires_at) {
      values[kHoldExpiresAt] = TimestampTzGetDatum(*entry.hold_expires_at);
      nulls[kHoldExpiresAt] = false;
    }
    state = &entry.state;
  }

  return pg_call([&] {
    TupleDesc descriptor;
    if (get_call_result_type(fcinfo, nullptr, &descriptor) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "promo: function must return a composite type");
    if (descriptor->natts != kIsActive + 1 && descriptor->natts != kColumns)
      elog(ERROR, "promo: promo_redemption has %d columns, expected %d or %d", descriptor->natts,
           kIsActive + 1, kColumns);
    descriptor = BlessTupleDesc(descriptor);
    Oid status_type = TupleDescAttr(descriptor, kStatus)->atttypid;
    Oid label_oid = GetSysCacheOid2(ENUMTYPOIDNAME, Anum_pg_enum_oid, ObjectIdGetDatum(status_type),
                                    CStringGetDatum(label));
    if (!OidIsValid(label_oid)) elog(ERROR, "promo: promo_status has no label \"%s\"", label);
    values[kStatus] = ObjectIdGetDatum(label_oid);
    if (code != nullptr) {
      values[kCode] = PointerGetDatum(cstring_to_text_with_len(code->data(), code->size()));
      nulls[kCode] = false;
    }
    if (state != nullptr && descriptor->natts == kColumns) {
      values[kRedemptionState] = PointerGetDatum(cstring_to_text_with_len(state->data(), state->size()));
      nulls[kRedemptionState] = false;
    }
    return HeapTupleGetDatum(heap_form_tuple(descriptor, values, nulls));
  });
}

}  // namespace promo
