#include "race_codes.hpp"

namespace promo_client::race {

namespace {

// The mix of codes: small caps, where redemptions race for the last uses;
// larger ones that fill during the run, so that settings also change while
// uses remain (and what a change got wrong shows once the code is full);
// customer limits that a pool of a few customers reaches.
struct CodeShape {
  bool hot;
  int cap;           // 0: unlimited
  int per_customer;  // 0: no limit
};
constexpr CodeShape kShapes[] = {
    {false, 40, 0}, {false, 300, 2}, {false, 0, 3},  {false, 0, 0}, {false, 15, 1}, {false, 30, 0},
    {true, 60, 0},  {true, 25, 2},   {true, 300, 3}, {true, 0, 2},  {true, 0, 0},   {false, 200, 4},
};

void ensure_closed_table(pqxx::connection &connection) {
  // Two runs starting together may both try to create them: the loser retries once.
  for (int attempt = 0;; ++attempt) {
    try {
      pqxx::work create(connection);
      create.exec("CREATE SCHEMA IF NOT EXISTS promo_race");
      create.exec(R"(
CREATE TABLE IF NOT EXISTS promo_race.closed (
  promo_id    bigint PRIMARY KEY,
  ledger_rows bigint NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp()
))");
      create.commit();
      return;
    } catch (const pqxx::unique_violation &) {
      if (attempt > 0) throw;
    }
  }
}

}  // namespace

std::vector<RaceCode> create_codes(pqxx::connection &connection, const std::string &schema,
                                   const std::string &tag, Random &random) {
  ensure_closed_table(connection);
  std::vector<RaceCode> codes;
  pqxx::work create(connection);
  for (const CodeShape &shape : kShapes) {
    RaceCode code;
    code.code = "RACE-" + tag + "-" + std::to_string(codes.size());
    code.slots = shape.hot ? random.between(2, 8) : 1;
    if (shape.cap > 0) code.max_uses = shape.cap + random.between(-shape.cap / 8, shape.cap / 8);
    if (shape.per_customer > 0) code.max_uses_per_customer = shape.per_customer;
    const std::string max_uses = code.max_uses ? std::to_string(*code.max_uses) : "";
    const std::string per_customer =
        code.max_uses_per_customer ? std::to_string(*code.max_uses_per_customer) : "";
    code.id = create
                  .exec_params(promo_sql(schema, R"(
SELECT @promo.create_promo($1, max_uses => $2::integer, max_uses_per_customer => $3::integer, slots => $4))"),
                               code.code, code.max_uses ? max_uses.c_str() : nullptr,
                               code.max_uses_per_customer ? per_customer.c_str() : nullptr, code.slots)[0][0]
                  .as<long long>();
    codes.push_back(code);
  }
  create.commit();
  return codes;
}

void remove_codes(pqxx::connection &connection, const std::string &schema, const std::string &code_ids) {
  pqxx::work remove(connection);
  remove.exec_params("DELETE FROM promo_race.closed WHERE promo_id = ANY ($1::bigint[])", code_ids);
  // The ledger first: a code with ledger rows cannot be deleted.
  remove.exec_params(
      promo_sql(schema, "DELETE FROM @promo.promo_redemptions WHERE promo_id = ANY ($1::bigint[])"),
      code_ids);
  remove.exec_params(promo_sql(schema, "DELETE FROM @promo.promo_codes WHERE id = ANY ($1::bigint[])"),
                     code_ids);
  remove.commit();
}

std::string id_array(const std::vector<RaceCode> &codes) {
  std::string ids = "{";
  for (size_t i = 0; i < codes.size(); ++i) ids += (i ? "," : "") + std::to_string(codes[i].id);
  return ids + "}";
}

}  // namespace promo_client::race
