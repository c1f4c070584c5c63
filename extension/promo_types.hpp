// The SQL types a redemption answers with, listed once for C++: the labels of
// the enum promo_status and the columns of the composite promo_redemption,
// each in its SQL order, with the version that brought it. Pure C++ (no
// PostgreSQL headers): test/cpp_matches_sql.sh compiles a program against
// this header and compares its lists with a fresh CREATE EXTENSION of every
// version. Adding a status: one line here, plus the new version's script.
#pragma once

#include <cstddef>

namespace promo {

// X(C++ name, SQL label, version that added it). A new label goes last:
// ALTER TYPE ... ADD VALUE appends.
#define PROMO_STATUSES(X)                                  \
  X(Redeemed, "redeemed", "1.0")                           \
  X(NotFound, "not_found", "1.0")                          \
  X(Inactive, "inactive", "1.0")                           \
  X(NotYetValid, "not_yet_valid", "1.0")                   \
  X(Expired, "expired", "1.0")                             \
  X(Exhausted, "exhausted", "1.0")                         \
  X(CustomerLimitReached, "customer_limit_reached", "1.1") \
  X(Released, "released", "1.1")                           \
  X(CustomerRequired, "customer_required", "1.6")          \
  X(WrongCurrency, "wrong_currency", "1.6")                \
  X(BelowMinimum, "below_minimum", "1.6")

// X(C++ name, SQL column, SQL type (pg_type.typname), version that added it).
#define PROMO_REDEMPTION_COLUMNS(X)                     \
  X(Status, "status", "promo_status", "1.0")            \
  X(Redeemed, "redeemed", "bool", "1.0")                \
  X(PromoId, "promo_id", "int8", "1.0")                 \
  X(Code, "code", "text", "1.0")                        \
  X(CurrentUses, "current_uses", "int4", "1.0")         \
  X(MaxUses, "max_uses", "int4", "1.0")                 \
  X(Remaining, "remaining", "int4", "1.0")              \
  X(IsActive, "is_active", "bool", "1.0")               \
  X(RedemptionId, "redemption_id", "int8", "1.1")       \
  X(Replayed, "replayed", "bool", "1.1")                \
  X(RedemptionState, "redemption_state", "text", "1.1") \
  X(HoldExpiresAt, "hold_expires_at", "timestamptz", "1.1") \
  X(CampaignId, "campaign_id", "int8", "1.5")               \
  X(RefusedBy, "refused_by", "text", "1.5")                \
  X(Discount, "discount", "int8", "1.6")                    \
  X(Currency, "currency", "text", "1.6")

enum class Status {
#define PROMO_STATUS_ENUMERATOR(name, label, since) name,
  PROMO_STATUSES(PROMO_STATUS_ENUMERATOR)
#undef PROMO_STATUS_ENUMERATOR
};

struct StatusInfo {
  Status status;
  const char *label;
  const char *since;
};

inline constexpr StatusInfo statuses[] = {
#define PROMO_STATUS_INFO(name, label, since) {Status::name, label, since},
    PROMO_STATUSES(PROMO_STATUS_INFO)
#undef PROMO_STATUS_INFO
};

// The column numbers of promo_redemption (0-based), and how many there are.
enum class Column {
#define PROMO_COLUMN_ENUMERATOR(name, column, type, since) name,
  PROMO_REDEMPTION_COLUMNS(PROMO_COLUMN_ENUMERATOR)
#undef PROMO_COLUMN_ENUMERATOR
};

struct ColumnInfo {
  Column column;
  const char *name;
  const char *type;
  const char *since;
};

inline constexpr ColumnInfo redemption_columns[] = {
#define PROMO_COLUMN_INFO(name, column, type, since) {Column::name, column, type, since},
    PROMO_REDEMPTION_COLUMNS(PROMO_COLUMN_INFO)
#undef PROMO_COLUMN_INFO
};

inline constexpr std::size_t column_count = sizeof redemption_columns / sizeof redemption_columns[0];

// Whether version `since` ("1.5") is at most `version`: part by part, as numbers.
constexpr bool version_at_most(const char *since, const char *version) {
  auto number = [](const char *&text) {
    int value = 0;
    for (; *text >= '0' && *text <= '9'; ++text) value = value * 10 + (*text - '0');
    if (*text == '.') ++text;
    return value;
  };
  const int since_major = number(since), version_major = number(version);
  if (since_major != version_major) return since_major < version_major;
  return number(since) <= number(version);
}

// How many columns promo_redemption has in a version (1.0: up to is_active;
// the ledger's came with 1.1, the campaign's with 1.5, the order's with 1.6).
constexpr std::size_t columns_in(const char *version) {
  std::size_t count = 0;
  for (const ColumnInfo &info : redemption_columns)
    if (version_at_most(info.since, version)) ++count;
  return count;
}

constexpr const char *status_label(Status status) {
  return statuses[static_cast<std::size_t>(status)].label;
}

}  // namespace promo
