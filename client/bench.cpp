#include "bench.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "bench_stats.hpp"
#include "database.hpp"

namespace promo_client {

namespace {

using Clock = std::chrono::steady_clock;

// Campaign and CampaignOneSlot (promo 1.5) are redeem_promo too, on the
// spread load's number of codes, all of one capped campaign: at its default
// slots, and at one slot. They run in the spread load, interleaved with its
// other variants, so that campaign / no campaign compares runs made alike.
// PromoOrder (promo 1.6) is redeem_promo with an order, on the same codes as
// Promo, whose codes then have a percentage discount with a ceiling and a
// currency: it runs in every load, beside Promo, so that the two compare.
enum class Variant { Seed, SeedLedger, Promo, Campaign, CampaignOneSlot, PromoOrder };
const Variant variants[] = {Variant::Seed, Variant::SeedLedger, Variant::Promo};
const Variant campaign_variants[] = {Variant::Campaign, Variant::CampaignOneSlot};

const char *variant_name(Variant variant) {
  switch (variant) {
    case Variant::Seed: return "seed";
    case Variant::SeedLedger: return "seed+ledger";
    case Variant::Promo: return "promo";
    case Variant::Campaign: return "campaign";
    case Variant::CampaignOneSlot: return "campaign-1slot";
    case Variant::PromoOrder: return "promo+order";
  }
  return "?";
}

// The seed's tables: its plain UPDATE runs on these, with the seed's unique
// index on code, and the like-for-like variant writes its own ledger row.
const char *const seed_schema_sql =
    "CREATE SCHEMA IF NOT EXISTS promo_bench;"
    "CREATE TABLE IF NOT EXISTS promo_bench.seed_codes ("
    "  id bigserial PRIMARY KEY, code text NOT NULL UNIQUE, max_uses integer,"
    "  current_uses integer NOT NULL DEFAULT 0, is_active boolean NOT NULL DEFAULT true,"
    "  valid_until timestamptz);"
    "CREATE TABLE IF NOT EXISTS promo_bench.seed_ledger ("
    "  id bigserial PRIMARY KEY, promo_id bigint NOT NULL REFERENCES promo_bench.seed_codes (id),"
    "  customer_id text, redeemed_at timestamptz NOT NULL DEFAULT now());"
    "CREATE INDEX IF NOT EXISTS seed_ledger_promo ON promo_bench.seed_ledger (promo_id, customer_id);";

const char *const seed_update_sql =
    "UPDATE promo_bench.seed_codes SET current_uses = current_uses + 1"
    " WHERE code = $1 AND is_active AND (valid_until IS NULL OR valid_until > NOW())"
    "   AND (max_uses IS NULL OR current_uses < max_uses)"
    " RETURNING id, code, current_uses, max_uses, is_active";
const char *const seed_ledger_sql = "INSERT INTO promo_bench.seed_ledger (promo_id) VALUES ($1)";

struct RunResult {
  double tps = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

// One session of a run; through a transaction pooler, its statements go
// unprepared.
class BenchSession {
 public:
  BenchSession(const std::string &dsn, const std::string &schema, bool prepared, bool orders)
      : connection_(dsn),
        prepared_(prepared),
        promo_sql_("SELECT * FROM " + schema + ".redeem_promo($1)"),
        order_sql_("SELECT * FROM " + schema + ".redeem_promo($1, order_amount => $2, currency => 'EUR')") {
    if (!prepared_) return;
    connection_.prepare("seed", seed_update_sql);
    connection_.prepare("seed_ledger", seed_ledger_sql);
    connection_.prepare("promo", promo_sql_);
    if (orders) connection_.prepare("promo_order", order_sql_);
  }

  // Redeems once; true if the redemption was granted.
  bool redeem(Variant variant, const std::string &code) {
    if (variant == Variant::Promo || variant == Variant::Campaign || variant == Variant::CampaignOneSlot) {
      pqxx::nontransaction call(connection_);
      return run(call, "promo", promo_sql_, code)[0]["redeemed"].as<bool>();
    }
    if (variant == Variant::PromoOrder) {
      pqxx::nontransaction call(connection_);
      constexpr long long amount = 12345;  // 123.45 EUR
      pqxx::result row = prepared_ ? call.exec_prepared("promo_order", code, amount)
                                   : call.exec_params(order_sql_, code, amount);
      return row[0]["redeemed"].as<bool>();
    }
    if (variant == Variant::Seed) {
      pqxx::nontransaction call(connection_);
      return !run(call, "seed", seed_update_sql, code).empty();
    }
    pqxx::work call(connection_);
    pqxx::result row = run(call, "seed", seed_update_sql, code);
    if (row.empty()) return false;
    run(call, "seed_ledger", seed_ledger_sql, row[0][0].as<long long>());
    call.commit();
    return true;
  }

 private:
  template <typename Parameter>
  pqxx::result run(pqxx::transaction_base &call, const char *name, const std::string &sql,
                   const Parameter &parameter) {
    return prepared_ ? call.exec_prepared(name, parameter) : call.exec_params(sql, parameter);
  }

  pqxx::connection connection_;
  bool prepared_;
  std::string promo_sql_, order_sql_;
};

RunResult run_once(std::vector<std::unique_ptr<BenchSession>> &sessions, Variant variant,
                   const std::vector<std::string> &codes, int seconds) {
  std::atomic<bool> go{false}, stop{false};
  std::vector<std::vector<double>> latencies(sessions.size());
  std::vector<long> granted(sessions.size(), 0);
  std::vector<std::string> failures(sessions.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < sessions.size(); ++i) {
    threads.emplace_back([&, i] {
      std::mt19937 random(static_cast<unsigned>(i * 7919 + 1));
      while (!go) std::this_thread::yield();
      try {
        while (!stop) {
          const std::string &code = codes[codes.size() == 1 ? 0 : random() % codes.size()];
          auto started = Clock::now();
          if (sessions[i]->redeem(variant, code)) ++granted[i];
          latencies[i].push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        }
      } catch (const std::exception &error) {
        failures[i] = error.what();
      }
    });
  }
  auto started = Clock::now();
  go = true;
  std::this_thread::sleep_for(std::chrono::seconds(seconds));  // the measured interval
  stop = true;
  for (std::thread &thread : threads) thread.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  for (const std::string &failure : failures)
    if (!failure.empty()) throw std::runtime_error(std::string(variant_name(variant)) + ": " + failure);

  std::vector<double> all;
  long total = 0;
  for (size_t i = 0; i < sessions.size(); ++i) {
    all.insert(all.end(), latencies[i].begin(), latencies[i].end());
    total += granted[i];
  }
  RunResult result;
  result.tps = total / elapsed;
  result.p50_ms = quantile(all, 0.5);
  result.p99_ms = quantile(all, 0.99);
  result.max_ms = quantile(all, 1.0);
  return result;
}

struct Point {
  std::string load;
  int connections;
  bool pooled;  // through the pooler
  std::map<Variant, std::vector<RunResult>> runs;

  double median_of(Variant variant, double RunResult::*field) const {
    std::vector<double> values;
    for (const RunResult &run : runs.at(variant)) values.push_back(run.*field);
    return median(values);
  }
};

std::vector<std::string> create_codes(pqxx::connection &admin, const std::string &schema,
                                      const std::string &prefix, int count, bool via_proxy, int slots = 1) {
  pqxx::work create(admin);
  create.exec(seed_schema_sql);
  const std::string insert = " (code, max_uses) SELECT $1 || g, 2147483647 FROM generate_series(1, $2) g";
  create.exec_params("INSERT INTO promo_bench.seed_codes" + insert, prefix, count);
  if (via_proxy) {  // each code is created on the shard that owns it
    create.exec_params("SELECT " + schema +
                           ".create_promo($1 || g, 2147483647, slots => $3)"
                           "  FROM generate_series(1, $2) g",
                       prefix, count, slots);
  } else {
    create.exec_params("INSERT INTO " + schema + ".promo_codes" + insert, prefix, count);
    if (slots > 1)
      create.exec_params("UPDATE " + schema + ".promo_codes SET slots = $2 WHERE starts_with(code, $1)",
                         prefix, slots);
  }
  create.commit();
  std::vector<std::string> codes;
  for (int i = 1; i <= count; ++i) codes.push_back(prefix + std::to_string(i));
  return codes;
}

// A campaign capped far beyond what a run can use (a bench that exhausted
// it would measure refusals), and `count` codes in it, as unlimited as the
// spread load's. Without `slots`, create_campaign's default.
struct BenchCampaign {
  long long id = 0;
  int slots = 0;
  std::vector<std::string> codes;
};

BenchCampaign create_campaign_codes(pqxx::connection &admin, const std::string &schema,
                                    const std::string &name, int count, std::optional<int> slots) {
  pqxx::work create(admin);
  BenchCampaign campaign;
  const std::string cap = "2147483647";
  campaign.id =
      (slots ? create.exec_params("SELECT " + schema + ".create_campaign($1, " + cap + ", slots => $2)", name,
                                  *slots)
             : create.exec_params("SELECT " + schema + ".create_campaign($1, " + cap + ")", name))[0][0]
          .as<long long>();
  campaign.slots =
      create.exec_params1("SELECT slots FROM " + schema + ".promo_campaigns WHERE id = $1", campaign.id)[0]
          .as<int>();
  create.exec_params("INSERT INTO " + schema +
                         ".promo_codes (code, max_uses, campaign_id)"
                         " SELECT $1 || g, 2147483647, $2 FROM generate_series(1, $3) g",
                     name + "-", campaign.id, count);
  create.commit();
  for (int i = 1; i <= count; ++i) campaign.codes.push_back(name + "-" + std::to_string(i));
  return campaign;
}

// Whether this database's codes have order terms (promo 1.6).
bool has_orders(pqxx::connection &admin, const std::string &schema) {
  pqxx::nontransaction query(admin);
  return query.exec_params1("SELECT EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = "
                            "pg_catalog.to_regclass($1 || '.promo_codes') AND attname = 'discount_basis_points')",
                            schema)[0]
      .as<bool>();
}

// The order terms every bench code has on 1.6, so that both promo variants
// redeem codes alike: 10 % off, at most 5.00 EUR (no minimum: a call
// without an order must be granted too, or promo would measure refusals).
void add_order_terms(pqxx::connection &admin, const std::string &schema) {
  pqxx::work update(admin);
  update.exec("UPDATE " + schema +
              ".promo_codes SET discount_basis_points = 1000, discount_ceiling = 500, currency = 'EUR'"
              " WHERE starts_with(code, 'BENCH-')");
  update.commit();
}

// Whether this database has campaigns (promo 1.5), where codes can be made.
bool has_campaigns(pqxx::connection &admin, const std::string &schema) {
  pqxx::nontransaction query(admin);
  return query.exec_params1("SELECT pg_catalog.to_regclass($1 || '.promo_campaigns') IS NOT NULL", schema)[0]
      .as<bool>();
}

// The codes every load and variant redeems.
struct LoadCodes {
  std::vector<std::string> hot, spread, hot_slots;
  std::optional<BenchCampaign> campaign, campaign_one_slot;

  const std::vector<std::string> &of(const std::string &load, Variant variant) const {
    if (variant == Variant::Campaign) return campaign->codes;
    if (variant == Variant::CampaignOneSlot) return campaign_one_slot->codes;
    return load == "hot" ? hot : load == "spread" ? spread : hot_slots;
  }
};

// The points of each connection count, by load.
std::map<int, std::map<std::string, const Point *>> by_connections(const std::vector<Point> &points) {
  std::map<int, std::map<std::string, const Point *>> grouped;
  for (const Point &point : points) grouped[point.connections][point.load] = &point;
  return grouped;
}

// Distinct codes of one capped campaign against distinct codes without one
// (the spread load's promo), from runs interleaved in one point: the ratio
// of medians, each pair's own ratio, and p99. The target is 0.8.
void print_campaign_ratios(const std::vector<Point> &points, const LoadCodes &codes) {
  for (const Point &point : points) {
    if (!point.runs.count(Variant::Campaign)) continue;
    const double promo = point.median_of(Variant::Promo, &RunResult::tps);
    const double seed = point.median_of(Variant::Seed, &RunResult::tps);
    for (Variant variant : campaign_variants) {
      const int slots = (variant == Variant::Campaign ? codes.campaign : codes.campaign_one_slot)->slots;
      const double tps = point.median_of(variant, &RunResult::tps);
      const double ratio = promo > 0 ? tps / promo : 0;
      std::cout << "campaign, " << point.connections << (point.pooled ? " pooled" : "") << " conns, " << slots
                << (slots == 1 ? " slot: " : " slots: ") << tps << " granted/s, p99 "
                << point.median_of(variant, &RunResult::p99_ms) << " ms = " << ratio
                << " x distinct codes without a campaign (" << promo << " granted/s, p99 "
                << point.median_of(Variant::Promo, &RunResult::p99_ms) << " ms), "
                << (seed > 0 ? tps / seed : 0) << " x the seed's UPDATE; per pair:";
      const std::vector<RunResult> &runs = point.runs.at(variant), &plain = point.runs.at(Variant::Promo);
      for (size_t i = 0; i < runs.size() && i < plain.size(); ++i)
        std::cout << " " << (plain[i].tps > 0 ? runs[i].tps / plain[i].tps : 0);
      std::cout << "; target >= 0.80: " << (ratio >= 0.8 ? "met" : "NOT met") << "\n";
    }
  }
}

// A redemption with an order against one without, on the same codes, from
// runs interleaved in one point: the ratio of medians and each pair's own.
// The target: an order costs at most 10 % more (ratio >= 0.90).
void print_order_ratios(const std::vector<Point> &points) {
  for (const Point &point : points) {
    if (!point.runs.count(Variant::PromoOrder)) continue;
    const double promo = point.median_of(Variant::Promo, &RunResult::tps);
    const double seed = point.median_of(Variant::Seed, &RunResult::tps);
    const double tps = point.median_of(Variant::PromoOrder, &RunResult::tps);
    const double ratio = promo > 0 ? tps / promo : 0;
    std::cout << "order, " << point.load << ", " << point.connections << (point.pooled ? " pooled" : "")
              << " conns: " << tps << " granted/s, p99 " << point.median_of(Variant::PromoOrder, &RunResult::p99_ms)
              << " ms = " << ratio << " x the same codes without an order (" << promo << " granted/s), "
              << (seed > 0 ? tps / seed : 0) << " x the seed's UPDATE; per pair:";
    const std::vector<RunResult> &runs = point.runs.at(Variant::PromoOrder), &plain = point.runs.at(Variant::Promo);
    for (size_t i = 0; i < runs.size() && i < plain.size(); ++i)
      std::cout << " " << (plain[i].tps > 0 ? runs[i].tps / plain[i].tps : 0);
    std::cout << "; target >= 0.90: " << (ratio >= 0.9 ? "met" : "NOT met") << "\n";
  }
}

// Hot mode against spread codes and against the seed on one hot row.
void print_hot_mode_ratios(const std::vector<Point> &points) {
  for (const auto &[connections, loads] : by_connections(points)) {
    if (!loads.count("hot-slots") || !loads.count("spread") || !loads.count("hot")) continue;
    const double hot_mode = loads.at("hot-slots")->median_of(Variant::Promo, &RunResult::tps);
    const double spread = loads.at("spread")->median_of(Variant::Promo, &RunResult::tps);
    const double seed_hot = loads.at("hot")->median_of(Variant::Seed, &RunResult::tps);
    std::cout << "hot mode, " << connections << (loads.at("spread")->pooled ? " pooled" : "") << " conns: " << hot_mode
              << " granted/s = " << (spread > 0 ? hot_mode / spread : 0) << " x promo on spread codes, "
              << (seed_hot > 0 ? hot_mode / seed_hot : 0) << " x the seed's UPDATE on the hot code\n";
  }
}

// The chart's lines: each load's variants (hot mode's seed sides repeat the
// hot load's), and the campaigns beside the spread load.
const std::vector<std::pair<const char *, Variant>> chart_series = {
    {"hot", Variant::Seed},        {"hot", Variant::SeedLedger},         {"hot", Variant::Promo},
    {"spread", Variant::Seed},     {"spread", Variant::SeedLedger},      {"spread", Variant::Promo},
    {"hot-slots", Variant::Promo}, {"spread", Variant::Campaign},        {"spread", Variant::CampaignOneSlot}};

// bench.png: throughput above, p99 below, against connections; the medians
// of each point's runs.
void write_chart(const std::string &out, const std::vector<Point> &points) {
  int x_end = 1;
  std::set<int> pooled_counts;
  for (const Point &point : points) {
    x_end = std::max(x_end, point.connections * 3 / 2);
    if (point.pooled) pooled_counts.insert(point.connections);
  }
  std::string pooled;        // for the axis's label
  std::string pooled_marks;  // a dashed line at each pooled point
  for (int count : pooled_counts) {
    pooled += (pooled.empty() ? "" : ", ") + std::to_string(count);
    pooled_marks += "set arrow from " + std::to_string(count) + ", graph 0 to " + std::to_string(count) +
                    ", graph 1 nohead dashtype 2\nset label 'PgBouncer' at " + std::to_string(count) +
                    ", graph 0.95 right offset -0.5,0\n";
  }
  std::ofstream data(out + "/bench.dat");
  data << "connections";
  for (int panel = 0; panel < 2; ++panel)  // the same lines in both
    for (const auto &[load, variant] : chart_series) data << " " << load << ":" << variant_name(variant);
  data << "\n";
  for (const auto &[connections, loads] : by_connections(points)) {
    data << connections;
    for (double RunResult::*field : {&RunResult::tps, &RunResult::p99_ms})
      for (const auto &[load, variant] : chart_series) {
        const bool ran = loads.count(load) && loads.at(load)->runs.count(variant);
        data << " " << (ran ? std::to_string(loads.at(load)->median_of(variant, field)) : "NaN");
      }
    data << "\n";
  }
  data.close();
  const size_t series = chart_series.size();
  std::ofstream script(out + "/bench.gnuplot");
  script << "set terminal png size 900,900\nset output '" << out << "/bench.png'\n"
         << "set multiplot layout 2,1 title 'promo bench: medians of runs, fsync on'\n"
         << "set logscale x\nset grid\nset xrange [0.8:" << x_end << "]\nset datafile missing 'NaN'\n"
         << "set key outside right autotitle columnhead\n"
         << "set xlabel 'connections" << (pooled.empty() ? "" : " (" + pooled + " through PgBouncer)") << "'\n"
         << pooled_marks
         << "set ylabel 'granted redemptions per second'\n"
         << "plot for [i=2:" << series + 1 << "] '" << out << "/bench.dat' using 1:i with linespoints\n"
         << "set ylabel 'p99 latency, ms'\nset logscale y\n"
         << "plot for [i=" << series + 2 << ":" << 2 * series + 1 << "] '" << out
         << "/bench.dat' using 1:i with linespoints\n"
         << "unset multiplot\n";
  script.close();
  if (std::system(("gnuplot '" + out + "/bench.gnuplot' 2>/dev/null").c_str()) != 0)
    std::cerr << "promo-client: gnuplot is not installed; " << out << "/bench.png was not drawn\n";
}

}  // namespace

int run_bench(const Options &options) {
  const BenchOptions &bench = options.bench;
  pqxx::connection admin(options.dsn);
  // Through a PL/Proxy database (promo_proxy), redeem_promo and create_promo
  // are its routing functions; the seed's tables live on the proxy's server.
  const std::string proxy_schema = extension_schema(admin, "promo_proxy");
  const bool via_proxy = !proxy_schema.empty();
  const std::string schema = via_proxy ? proxy_schema : promo_schema(admin);
  const std::string tag = std::to_string(getpid());
  LoadCodes codes;
  codes.hot = create_codes(admin, schema, "BENCH-HOT-" + tag + "-", 1, via_proxy);
  codes.spread = create_codes(admin, schema, "BENCH-" + tag + "-", bench.codes, via_proxy);
  std::vector<const char *> loads = {"hot", "spread"};
  // Hot mode: one code whose uses are spread over slots (the seed's side of
  // this load is again one plain row).
  codes.hot_slots =
      bench.slots > 1 ? create_codes(admin, schema, "BENCH-HOTSLOTS-" + tag + "-", 1, via_proxy, bench.slots)
                      : codes.hot;
  if (bench.slots > 1) loads.push_back("hot-slots");
  // Campaigns (promo 1.5, on a server of its own: a campaign spans shards,
  // which promo_proxy does not route).
  if (!via_proxy && has_campaigns(admin, schema)) {
    codes.campaign = create_campaign_codes(admin, schema, "BENCH-CAMPAIGN-" + tag, bench.codes, std::nullopt);
    codes.campaign_one_slot = create_campaign_codes(admin, schema, "BENCH-CAMPAIGN1-" + tag, bench.codes, 1);
  }

  // Orders (promo 1.6, not through a router, whose redeem_promo takes none).
  const bool orders = !via_proxy && has_orders(admin, schema);
  if (orders) add_order_terms(admin, schema);

  std::vector<std::pair<int, bool>> counts;  // connections, through the pooler
  for (int connections : bench.connection_counts) counts.emplace_back(connections, false);
  for (int connections : bench.pooled_connection_counts) counts.emplace_back(connections, true);
  std::vector<Point> points;
  for (const char *load : loads) {
    for (const auto &[connections, pooled] : counts) {
      std::vector<std::unique_ptr<BenchSession>> sessions;
      for (int i = 0; i < connections; ++i)
        sessions.push_back(
            std::make_unique<BenchSession>(pooled ? bench.pooled_dsn : options.dsn, schema, !pooled, orders));
      Point point{load, connections, pooled, {}};
      for (int pair = 0; pair < bench.pairs; ++pair) {
        std::vector<Variant> to_run(std::begin(variants), std::end(variants));
        if (codes.campaign && std::string(load) == "spread")
          to_run.insert(to_run.end(), std::begin(campaign_variants), std::end(campaign_variants));
        if (orders) to_run.push_back(Variant::PromoOrder);
        for (Variant variant : to_run) {
          point.runs[variant].push_back(run_once(sessions, variant, codes.of(load, variant), bench.seconds));
          if (isatty(STDERR_FILENO))
            std::cerr << "\r" << load << " " << connections << (pooled ? " pooled" : "") << " conns, run " << pair + 1 << "/"
                      << bench.pairs << " " << variant_name(variant) << "            " << std::flush;
        }
      }
      points.push_back(point);
    }
  }
  if (isatty(STDERR_FILENO)) std::cerr << "\r" << std::string(60, ' ') << "\r";

  std::string mkdir = "mkdir -p '" + bench.out + "'";
  if (std::system(mkdir.c_str()) != 0) throw std::runtime_error("cannot create " + bench.out);
  std::ostringstream json;
  json << "{\"seconds_per_run\":" << bench.seconds << ",\"pairs\":" << bench.pairs << ",\"points\":[";
  std::cout << std::fixed << std::setprecision(2);
  std::cout << "load       conns  variant         tps median  [min .. max]       p50 ms  p99 ms  max ms   "
               "promo/this\n";
  for (size_t p = 0; p < points.size(); ++p) {
    const Point &point = points[p];
    const double promo_tps = point.median_of(Variant::Promo, &RunResult::tps);
    json << (p ? "," : "") << "{\"load\":\"" << point.load << "\",\"connections\":" << point.connections
         << ",\"pooled\":" << (point.pooled ? "true" : "false") << ",\"variants\":{";
    bool first = true;
    for (const auto &[variant, runs] : point.runs) {
      std::vector<double> tps;
      double max_ms = 0;
      for (const RunResult &run : runs) {
        tps.push_back(run.tps);
        max_ms = std::max(max_ms, run.max_ms);
      }
      const double median_tps = median(tps);
      const double ratio = median_tps > 0 ? promo_tps / median_tps : 0;
      // A campaign's runs and an order's are judged against promo's
      // (print_campaign_ratios, print_order_ratios).
      const bool campaign =
          variant == Variant::Campaign || variant == Variant::CampaignOneSlot || variant == Variant::PromoOrder;
      std::cout << std::left << std::setw(11) << point.load << std::setw(7)
                << (std::to_string(point.connections) + (point.pooled ? "*" : ""))
                << std::setw(15) << variant_name(variant) << std::right << std::setw(10) << median_tps
                << "  [" << std::setw(8) << *std::min_element(tps.begin(), tps.end()) << " .. "
                << std::setw(8) << *std::max_element(tps.begin(), tps.end()) << "]  " << std::setw(7)
                << point.median_of(variant, &RunResult::p50_ms) << " " << std::setw(7)
                << point.median_of(variant, &RunResult::p99_ms) << " " << std::setw(7) << max_ms << "   "
                << (variant == Variant::Promo || campaign ? std::string("")
                                                          : std::to_string(ratio).substr(0, 4))
                << "\n";
      json << (first ? "" : ",") << "\"" << variant_name(variant) << "\":{\"tps\":[";
      for (size_t i = 0; i < tps.size(); ++i) json << (i ? "," : "") << tps[i];
      json << "],\"median_tps\":" << median_tps
           << ",\"p50_ms\":" << point.median_of(variant, &RunResult::p50_ms)
           << ",\"p99_ms\":" << point.median_of(variant, &RunResult::p99_ms) << ",\"max_ms\":" << max_ms
           << ",\"promo_over_this\":" << ratio;
      if (campaign) json << ",\"this_over_promo\":" << (promo_tps > 0 ? median_tps / promo_tps : 0);
      json << "}";
      first = false;
    }
    json << "}}";
  }
  json << "]";
  if (codes.campaign) {
    json << ",\"campaigns\":[";
    bool first = true;
    for (const BenchCampaign *campaign : {&*codes.campaign, &*codes.campaign_one_slot}) {
      const pqxx::row usage = pqxx::nontransaction(admin).exec_params1(
          "SELECT uses, max_uses FROM " + schema + ".promo_campaign_usage WHERE campaign_id = $1",
          campaign->id);
      std::cout << "campaign of " << campaign->slots << (campaign->slots == 1 ? " slot" : " slots") << ": "
                << usage[0].as<long long>() << " uses of its max_uses " << usage[1].as<long long>()
                << (usage[0].as<long long>() < usage[1].as<long long>()
                        ? ", never exhausted\n"
                        : ": EXHAUSTED, its figures are refusals\n");
      json << (first ? "" : ",") << "{\"slots\":" << campaign->slots
           << ",\"uses\":" << usage[0].as<long long>() << ",\"max_uses\":" << usage[1].as<long long>() << "}";
      first = false;
    }
    json << "]";
  }
  json << "}";
  if (!bench.pooled_connection_counts.empty())
    std::cout << "* through the pooler (" << bench.pooled_dsn << "), statements unprepared\n";
  print_hot_mode_ratios(points);
  print_campaign_ratios(points, codes);
  print_order_ratios(points);
  std::ofstream(bench.out + "/bench.json") << json.str() << "\n";
  if (options.json) std::cout << json.str() << "\n";
  write_chart(bench.out, points);
  std::cout << "wrote " << bench.out << "/bench.json and " << bench.out << "/bench.png\n";
  return 0;
}

}  // namespace promo_client
