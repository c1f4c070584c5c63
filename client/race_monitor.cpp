#include "race_monitor.hpp"

#include <thread>

namespace promo_client::race {

namespace {

std::string code_label(const pqxx::row &row) {
  return row["code"].as<std::string>() + " (id " + row["promo_id"].c_str() + ", slots " +
         row["slots"].c_str() + ")";
}

std::string campaign_label(const pqxx::row &row) {
  return "campaign " + row["name"].as<std::string>() + " (id " + row["campaign_id"].c_str() + ", slots " +
         row["slots"].c_str() + ")";
}

std::string or_null(const pqxx::field &field) {
  return field.is_null() ? "null" : field.c_str();
}

}  // namespace

void Monitor::run(const std::atomic<bool> &stop) {
  std::unique_ptr<pqxx::connection> connection = session_connection(run_);
  while (!stop) {
    try {
      check(*connection);
    } catch (const pqxx::broken_connection &error) {
      errors_.add("monitor", "08000", error.what());
      connection = session_connection(run_);
    } catch (const pqxx::failure &error) {
      errors_.add("monitor", sqlstate_of(error), error.what());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // pacing only
  }
}

void Monitor::check(pqxx::connection &connection) {
  const auto started = Clock::now();
  const std::string when = "check " + std::to_string(checks_ + 1);
  // One snapshot for every query: all of them see the same commits.
  pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> snapshot(connection);
  check_usage(snapshot, when);
  check_customers(snapshot, when);
  check_campaign_usage(snapshot, when);
  check_campaign_customers(snapshot, when);
  check_closed(snapshot, when);
  snapshot.commit();
  ++checks_;
  slowest_ms_ =
      std::max(slowest_ms_, std::chrono::duration<double, std::milli>(Clock::now() - started).count());
}

void Monitor::check_usage(pqxx::transaction_base &snapshot, const std::string &when) {
  const pqxx::result rows = snapshot.exec_params(promo_sql(run_.schema, R"(
SELECT u.promo_id, u.code, u.slots, u.uses, u.max_uses,
       (SELECT count(*) FROM @promo.promo_redemptions r
         WHERE r.promo_id = u.promo_id AND r.state IN ('redeemed', 'held')) AS live
  FROM @promo.promo_code_usage u
 WHERE u.promo_id = ANY ($1::bigint[]))"),
                                                 run_.code_ids);
  for (const pqxx::row &row : rows) {
    const long uses = row["uses"].as<long>(), live = row["live"].as<long>();
    if (uses != live)
      violations_.report("usage = live ledger rows", row["promo_id"].c_str(),
                         when + ": " + code_label(row) + ": usage " + std::to_string(uses) +
                             ", live ledger rows " + std::to_string(live));
    if (!row["max_uses"].is_null() && uses > row["max_uses"].as<long>())
      violations_.report("usage <= max_uses", row["promo_id"].c_str(),
                         when + ": " + code_label(row) + ": usage " + std::to_string(uses) + " > max_uses " +
                             row["max_uses"].c_str() + " (live ledger rows " + std::to_string(live) + ")");
  }
}

// The newest of the customer's live rows says which path made it: a slot
// number for a hot redemption, none for a one-slot one.
void Monitor::check_customers(pqxx::transaction_base &snapshot, const std::string &when) {
  const pqxx::result rows = snapshot.exec_params(promo_sql(run_.schema, R"(
SELECT c.id AS promo_id, c.code, c.slots, r.customer_id, count(*) AS live, c.max_uses_per_customer,
       max(r.id) AS newest, (array_agg(r.slot ORDER BY r.id DESC))[1] AS newest_slot
  FROM @promo.promo_codes c JOIN @promo.promo_redemptions r ON r.promo_id = c.id
 WHERE c.id = ANY ($1::bigint[]) AND c.max_uses_per_customer IS NOT NULL
   AND r.customer_id IS NOT NULL AND r.state IN ('redeemed', 'held')
 GROUP BY c.id, r.customer_id
HAVING count(*) > c.max_uses_per_customer)"),
                                                 run_.code_ids);
  for (const pqxx::row &row : rows)
    violations_.report("live rows per customer <= max_uses_per_customer",
                       std::string(row["promo_id"].c_str()) + " " + row["customer_id"].c_str(),
                       when + ": " + code_label(row) + ": customer " + row["customer_id"].c_str() + " has " +
                           row["live"].c_str() + " live redemptions, max_uses_per_customer " +
                           row["max_uses_per_customer"].c_str() + " (newest: redemption " +
                           row["newest"].c_str() + ", slot " +
                           (row["newest_slot"].is_null() ? "none" : row["newest_slot"].c_str()) + ")");
}

// A campaign's usage against the live rows of the codes it has now: a code
// changes campaign only without live rows, so they are all its uses.
void Monitor::check_campaign_usage(pqxx::transaction_base &snapshot, const std::string &when) {
  const pqxx::result rows = snapshot.exec_params(promo_sql(run_.schema, R"(
SELECT u.campaign_id, u.name, u.slots, u.uses, u.max_uses,
       (SELECT count(*) FROM @promo.promo_codes c JOIN @promo.promo_redemptions r ON r.promo_id = c.id
         WHERE c.campaign_id = u.campaign_id AND r.state IN ('redeemed', 'held')) AS live,
       (SELECT string_agg(c.id::text, ',' ORDER BY c.id) FROM @promo.promo_codes c
         WHERE c.campaign_id = u.campaign_id) AS codes
  FROM @promo.promo_campaign_usage u
 WHERE u.campaign_id = ANY ($1::bigint[]))"),
                                                 run_.campaign_ids);
  for (const pqxx::row &row : rows) {
    const long uses = row["uses"].as<long>(), live = row["live"].as<long>();
    const std::string codes = " (codes " + or_null(row["codes"]) + ")";
    if (uses != live)
      violations_.report("campaign usage = live ledger rows of its codes", row["campaign_id"].c_str(),
                         when + ": " + campaign_label(row) + ": usage " + std::to_string(uses) +
                             ", live ledger rows of its codes " + std::to_string(live) + codes);
    if (!row["max_uses"].is_null() && uses > row["max_uses"].as<long>())
      violations_.report("campaign usage <= max_uses", row["campaign_id"].c_str(),
                         when + ": " + campaign_label(row) + ": usage " + std::to_string(uses) +
                             " > max_uses " + row["max_uses"].c_str() + " (live ledger rows " +
                             std::to_string(live) + ")" + codes);
  }
}

// As for a code: the newest of the customer's live rows, and its code, say
// which path made it.
void Monitor::check_campaign_customers(pqxx::transaction_base &snapshot, const std::string &when) {
  const pqxx::result rows = snapshot.exec_params(promo_sql(run_.schema, R"(
SELECT g.id AS campaign_id, g.name, g.slots, r.customer_id, count(*) AS live, g.max_uses_per_customer,
       max(r.id) AS newest, (array_agg(r.promo_id ORDER BY r.id DESC))[1] AS newest_code,
       (array_agg(r.slot ORDER BY r.id DESC))[1] AS newest_slot,
       string_agg(DISTINCT r.promo_id::text, ',') AS codes
  FROM @promo.promo_campaigns g
  JOIN @promo.promo_codes c ON c.campaign_id = g.id
  JOIN @promo.promo_redemptions r ON r.promo_id = c.id
 WHERE g.id = ANY ($1::bigint[]) AND g.max_uses_per_customer IS NOT NULL
   AND r.customer_id IS NOT NULL AND r.state IN ('redeemed', 'held')
 GROUP BY g.id, r.customer_id
HAVING count(*) > g.max_uses_per_customer)"),
                                                 run_.campaign_ids);
  for (const pqxx::row &row : rows)
    violations_.report("live rows per customer <= the campaign's max_uses_per_customer",
                       std::string(row["campaign_id"].c_str()) + " " + row["customer_id"].c_str(),
                       when + ": " + campaign_label(row) + ": customer " + row["customer_id"].c_str() +
                           " has " + row["live"].c_str() + " live redemptions of its codes (" +
                           row["codes"].c_str() + "), max_uses_per_customer " +
                           row["max_uses_per_customer"].c_str() + " (newest: redemption " +
                           row["newest"].c_str() + " of code id " + row["newest_code"].c_str() + ", slot " +
                           (row["newest_slot"].is_null() ? "none" : row["newest_slot"].c_str()) + ")");
}

void Monitor::check_closed(pqxx::transaction_base &snapshot, const std::string &when) {
  // Windows are an hour or more from now, so now() decides them for every caller alike.
  const pqxx::result rows = snapshot.exec_params(promo_sql(run_.schema, R"(
SELECT c.id AS promo_id, c.code, c.slots, c.is_active, c.valid_from, c.valid_until,
       g.name AS campaign, g.is_active AS campaign_active, g.valid_from AS campaign_from,
       g.valid_until AS campaign_until,
       k.ledger_rows, k.recorded_at, n.rows_now, n.newest, n.newest_slot
  FROM promo_race.closed k
  JOIN @promo.promo_codes c ON c.id = k.promo_id
  LEFT JOIN @promo.promo_campaigns g ON g.id = c.campaign_id
 CROSS JOIN LATERAL (SELECT count(*) AS rows_now, max(r.id) AS newest,
                            (array_agg(r.slot ORDER BY r.id DESC))[1] AS newest_slot
                       FROM @promo.promo_redemptions r WHERE r.promo_id = c.id) n
 WHERE c.id = ANY ($1::bigint[])
   AND (NOT c.is_active OR c.valid_from > now() OR c.valid_until <= now()
        OR NOT g.is_active OR g.valid_from > now() OR g.valid_until <= now()) IS TRUE)"),
                                                 run_.code_ids);
  for (const pqxx::row &row : rows) {
    if (row["rows_now"].as<long>() <= row["ledger_rows"].as<long>()) continue;
    const std::string campaign = row["campaign"].is_null()
                                     ? ", in no campaign"
                                     : ", in campaign " + std::string(row["campaign"].c_str()) +
                                           " (is_active " + row["campaign_active"].c_str() + ", valid_from " +
                                           or_null(row["campaign_from"]) + ", valid_until " +
                                           or_null(row["campaign_until"]) + ")";
    violations_.report(
        "no redemption of a closed code", row["promo_id"].c_str(),
        when + ": " + code_label(row) + " closed (is_active " + row["is_active"].c_str() + ", valid_from " +
            or_null(row["valid_from"]) + ", valid_until " + or_null(row["valid_until"]) + campaign + ") at " +
            row["recorded_at"].c_str() + " with " + row["ledger_rows"].c_str() + " ledger rows, now " +
            row["rows_now"].c_str() + " (newest: redemption " + row["newest"].c_str() + ", slot " +
            (row["newest_slot"].is_null() ? "none" : row["newest_slot"].c_str()) + ")");
  }
}

}  // namespace promo_client::race
