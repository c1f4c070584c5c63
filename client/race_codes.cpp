#include "race_codes.hpp"

#include <stdexcept>

namespace promo_client::race {

namespace {

// The campaigns: one counted in one slot (every redemption of its codes
// waits for its counter in turn), one counted in many. Their caps are
// reached within seconds, as are their per-customer limits by the busiest
// customer, so that the campaigns refuse while their codes still would not.
struct CampaignShape {
  bool many_slots;
  int cap;           // 0: unlimited
  int per_customer;  // 0: no limit
};
constexpr CampaignShape kCampaignShapes[] = {{false, 50, 5}, {true, 100, 7}};

constexpr int kNoCampaign = -1;

// The mix of codes: small caps, where redemptions race for the last uses;
// larger ones that fill during the run, so that settings also change while
// uses remain (and what a change got wrong shows once the code is full);
// customer limits that a pool of a few customers reaches. Either campaign
// has one-slot and hot codes, capped and unlimited, with a customer limit
// of their own and without; some codes stay outside any campaign. The
// roaming codes often have no live redemption: the DBA moves them between
// campaigns.
struct CodeShape {
  bool hot;
  int cap;           // 0: unlimited
  int per_customer;  // 0: no limit
  int campaign;      // index into kCampaignShapes, or kNoCampaign
  bool roaming;
};
constexpr CodeShape kShapes[] = {
    {false, 40, 0, 0, false}, {false, 300, 2, kNoCampaign, false},
    {false, 0, 3, 1, false},  {false, 0, 0, kNoCampaign, false},
    {false, 15, 1, 0, false}, {false, 30, 0, 1, false},
    {true, 60, 0, 0, false},  {true, 25, 2, kNoCampaign, false},
    {true, 300, 3, 1, false}, {true, 0, 2, kNoCampaign, false},
    {true, 0, 0, 1, false},   {false, 200, 4, kNoCampaign, false},
    {false, 0, 0, 0, true},   {true, 0, 2, 1, true},
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

void require_campaigns(pqxx::connection &connection, const std::string &schema) {
  pqxx::nontransaction query(connection);
  if (query.exec_params("SELECT to_regclass($1) IS NULL", schema + ".promo_campaigns")[0][0].as<bool>())
    throw std::runtime_error(
        "race needs promo 1.5 or later (its workload covers campaigns): ALTER EXTENSION promo UPDATE");
}

// "" for an unset value: passed as NULL.
template <typename Number>
std::string text_of(const std::optional<Number> &value) {
  return value ? std::to_string(*value) : "";
}

template <typename Number>
const char *or_null(const std::optional<Number> &value, const std::string &text) {
  return value ? text.c_str() : nullptr;
}

// A cap within an eighth of its shape's, from the seed.
std::optional<int> cap_near(int cap, Random &random) {
  if (cap == 0) return std::nullopt;
  return cap + random.between(-cap / 8, cap / 8);
}

RaceCampaign create_campaign(pqxx::work &create, const Run &run, const CampaignShape &shape, size_t number,
                             Random &random) {
  RaceCampaign campaign;
  campaign.name = "RACE-" + run.tag + "-campaign-" + std::to_string(number);
  campaign.slots = shape.many_slots ? random.between(16, 64) : 1;
  campaign.max_uses = cap_near(shape.cap, random);
  if (shape.per_customer > 0) campaign.max_uses_per_customer = shape.per_customer;
  const std::string max_uses = text_of(campaign.max_uses),
                    per_customer = text_of(campaign.max_uses_per_customer);
  campaign.id = create
                    .exec_params(promo_sql(run.schema, R"(
SELECT @promo.create_campaign($1, max_uses => $2::integer, max_uses_per_customer => $3::integer, slots => $4))"),
                                 campaign.name, or_null(campaign.max_uses, max_uses),
                                 or_null(campaign.max_uses_per_customer, per_customer), campaign.slots)[0][0]
                    .as<long long>();
  return campaign;
}

// promo 1.6: a third of the codes take a percentage (some with a ceiling),
// a third a fixed amount, a third none, all in EUR, without a minimum, so
// that no order is refused and every redemption's discount can be checked.
void set_discount(pqxx::work &create, const Run &run, RaceCode &code, size_t number, Random &random) {
  DiscountRule rule;
  if (number % 3 == 0) {
    rule.basis_points = random.between(1, 10000);
    if (random.chance(50)) rule.ceiling = random.between(0, 5000);
  } else if (number % 3 == 1) {
    rule.fixed = random.between(0, 5000);
  }
  code.discount = rule;
  const std::string basis_points = std::to_string(rule.basis_points), ceiling = text_of(rule.ceiling),
                    fixed = text_of(rule.fixed);
  create.exec_params(promo_sql(run.schema, R"(
UPDATE @promo.promo_codes SET currency = 'EUR', discount_basis_points = NULLIF($2::integer, 0),
       discount_ceiling = $3::bigint, discount_amount = $4::bigint
 WHERE id = $1)"),
                     code.id, basis_points, or_null(rule.ceiling, ceiling), or_null(rule.fixed, fixed));
}

RaceCode create_code(pqxx::work &create, const Run &run, const CodeShape &shape, size_t number,
                     Random &random) {
  RaceCode code;
  code.code = "RACE-" + run.tag + "-" + std::to_string(number);
  code.slots = shape.hot ? random.between(2, 8) : 1;
  code.max_uses = cap_near(shape.cap, random);
  if (shape.per_customer > 0) code.max_uses_per_customer = shape.per_customer;
  if (shape.campaign != kNoCampaign) code.campaign = static_cast<size_t>(shape.campaign);
  code.roaming = shape.roaming;
  const std::string max_uses = text_of(code.max_uses), per_customer = text_of(code.max_uses_per_customer);
  const char *campaign = code.campaign ? run.campaigns[*code.campaign].name.c_str() : nullptr;
  code.id = create
                .exec_params(promo_sql(run.schema, R"(
SELECT @promo.create_promo($1, max_uses => $2::integer, max_uses_per_customer => $3::integer, slots => $4,
                           campaign => $5))"),
                             code.code, or_null(code.max_uses, max_uses),
                             or_null(code.max_uses_per_customer, per_customer), code.slots, campaign)[0][0]
                .as<long long>();
  if (run.orders) set_discount(create, run, code, number, random);
  return code;
}

}  // namespace

void create_campaigns_and_codes(pqxx::connection &connection, Run &run, Random &random) {
  require_campaigns(connection, run.schema);
  ensure_closed_table(connection);
  run.orders = pqxx::nontransaction(connection)
                   .exec_params1("SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass($1)"
                                 " AND attname = 'discount_basis_points')",
                                 run.schema + ".promo_codes")[0]
                   .as<bool>();
  pqxx::work create(connection);
  for (const CampaignShape &shape : kCampaignShapes)
    run.campaigns.push_back(create_campaign(create, run, shape, run.campaigns.size(), random));
  for (const CodeShape &shape : kShapes)
    run.codes.push_back(create_code(create, run, shape, run.codes.size(), random));
  create.commit();
  run.campaign_ids = id_array(run.campaigns);
  run.code_ids = id_array(run.codes);
}

void remove_campaigns_and_codes(pqxx::connection &connection, const Run &run) {
  pqxx::work remove(connection);
  remove.exec_params("DELETE FROM promo_race.closed WHERE promo_id = ANY ($1::bigint[])", run.code_ids);
  // The ledger first: a code with ledger rows cannot be deleted; then the
  // codes: a campaign with codes cannot be.
  remove.exec_params(
      promo_sql(run.schema, "DELETE FROM @promo.promo_redemptions WHERE promo_id = ANY ($1::bigint[])"),
      run.code_ids);
  remove.exec_params(promo_sql(run.schema, "DELETE FROM @promo.promo_codes WHERE id = ANY ($1::bigint[])"),
                     run.code_ids);
  remove.exec_params(
      promo_sql(run.schema, "DELETE FROM @promo.promo_campaigns WHERE id = ANY ($1::bigint[])"),
      run.campaign_ids);
  remove.commit();
}

std::string id_array(const std::vector<RaceCode> &codes) {
  std::string ids = "{";
  for (size_t i = 0; i < codes.size(); ++i) ids += (i ? "," : "") + std::to_string(codes[i].id);
  return ids + "}";
}

std::string id_array(const std::vector<RaceCampaign> &campaigns) {
  std::string ids = "{";
  for (size_t i = 0; i < campaigns.size(); ++i) ids += (i ? "," : "") + std::to_string(campaigns[i].id);
  return ids + "}";
}

}  // namespace promo_client::race
