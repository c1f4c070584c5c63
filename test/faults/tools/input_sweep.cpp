// The bad-input sweep: thousands of generated arguments for every promo
// function, each answered by a status or by a documented SQLSTATE; never a
// crash, and never a changed count on an error.
//   input_sweep DSN CALLS SEED
// The database must hold promo and nothing else writing to it. Prints the
// figures; exits non-zero on any unexpected answer.
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

// Codes that exist, chosen for case folding and white space traps.
const std::vector<std::string> known_codes = {"SUMMER25", "STRASSE", "İSTANBUL", "ﬀ-OFFER",
                                              "ΣΊΣΥΦΟΣ",  "CAFÉ",    "x"};

// Answers that bad input may get: invalid_parameter_value, null_value_not_allowed,
// character_not_in_repertoire (bytes that are not UTF-8), and the interval
// parser's own errors.
const std::set<std::string> documented = {"22023", "22004", "22021", "22007", "22008", "22015", "22P02"};

class Generator {
 public:
  explicit Generator(unsigned seed) : random_(seed) {}

  unsigned below(unsigned n) { return random_() % n; }

  std::string utf8(unsigned codepoint) {
    std::string out;
    if (codepoint < 0x80) {
      out += static_cast<char>(codepoint);
    } else if (codepoint < 0x800) {
      out += static_cast<char>(0xC0 | (codepoint >> 6));
      out += static_cast<char>(0x80 | (codepoint & 0x3F));
    } else if (codepoint < 0x10000) {
      out += static_cast<char>(0xE0 | (codepoint >> 12));
      out += static_cast<char>(0x80 | ((codepoint >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (codepoint & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (codepoint >> 18));
      out += static_cast<char>(0x80 | ((codepoint >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((codepoint >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (codepoint & 0x3F));
    }
    return out;
  }

  // One character from a mix of classes that matter for validation and folding.
  std::string character() {
    static const std::vector<unsigned> tricky = {
        0xDF,   0x130,   0x131,  0xFB00, 0x3A3, 0x3C2, 0x301, 0x308, 0x200B, 0xFEFF, 0x00A0,
        0x2028, 0x1F389, 0x4E2D, 0x85,   0x9F,  0x7F,  0x1,   0x9,   0xA,    0xB,    0xC,
        0xD,    0x20,    '\'',   ';',    '"',   '\\',  '$',   '%',   '_'};
    switch (below(4)) {
      case 0: return utf8(tricky[below(tricky.size())]);
      case 1: return utf8('A' + below(26));
      case 2: return utf8('a' + below(26));
      default: {
        unsigned codepoint = 1 + below(0x10FFFF);
        if (codepoint >= 0xD800 && codepoint <= 0xDFFF) codepoint = 'Z';  // surrogates are not characters
        return utf8(codepoint);
      }
    }
  }

  std::string text(unsigned max_length) {
    std::string out;
    for (unsigned n = below(max_length + 1); n > 0; --n) out += character();
    return out;
  }

  // NUL-free bytes, mostly not UTF-8.
  std::string noise() {
    std::string out;
    for (unsigned n = 1 + below(40); n > 0; --n) out += static_cast<char>(1 + below(255));
    return out;
  }

  // A known code, disguised by case and surrounding white space.
  std::string disguised_code() {
    std::string code = known_codes[below(known_codes.size())];
    static const std::vector<std::string> space = {"", " ", "\t", "\n", "\r", "\v", "\f", "  \t "};
    if (below(2) && code == "SUMMER25") code = "summer25";
    if (below(3) == 0 && code == "STRASSE") code = "straße";
    return space[below(space.size())] + code + space[below(space.size())];
  }

  std::optional<std::string> code() {
    switch (below(10)) {
      case 0: return std::nullopt;
      case 1: return noise();
      case 2:
      case 3:
      case 4: return disguised_code();
      default: return text(below(4) == 0 ? 90 : 12);
    }
  }

  std::optional<std::string> identifier() {
    switch (below(8)) {
      case 0:
      case 1:
      case 2: return std::nullopt;
      case 3: return noise();
      case 4: return text(300);
      default: return text(20);
    }
  }

  std::optional<std::string> hold() {
    static const std::vector<std::string> holds = {"15 minutes",
                                                   "0 seconds",
                                                   "-5 minutes",
                                                   "30 days",
                                                   "30 days 1 microsecond",
                                                   "1 month",
                                                   "1 mon -1 day",
                                                   "178000000 years",
                                                   "-178000000 years",
                                                   "1.5 seconds",
                                                   "P1D",
                                                   "1 fortnight",
                                                   "",
                                                   "infinity",
                                                   "'; DROP TABLE promo_codes; --"};
    if (below(3)) return std::nullopt;
    return below(4) ? holds[below(holds.size())] : noise();
  }

 private:
  std::mt19937 random_;
};

const char *or_null(const std::optional<std::string> &value) {
  return value ? value->c_str() : nullptr;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc != 4) {
    std::cerr << "usage: input_sweep DSN CALLS SEED\n";
    return 2;
  }
  const long calls = std::stol(argv[2]);
  Generator generate(static_cast<unsigned>(std::stoul(argv[3])));
  pqxx::connection connection(argv[1]);
  {
    pqxx::work setup(connection);
    for (const std::string &code : known_codes)
      setup.exec_params("INSERT INTO promo_codes (code) VALUES ($1)", code);
    setup.commit();
  }

  std::map<std::string, long> answers;
  long unexpected = 0, changed_on_error = 0;
  // Nothing else writes to this database: the state before a call that fails
  // must equal the state after it.
  auto snapshot = [&] {
    pqxx::nontransaction query(connection);
    return query
        .exec(
            "SELECT (SELECT coalesce(sum(current_uses), 0) FROM promo_codes) || '/' ||"
            "       (SELECT count(*) FROM promo_redemptions) || '/' ||"
            "       (SELECT count(*) FROM promo_redemptions WHERE state = 'released')")[0][0]
        .as<std::string>();
  };

  for (long i = 0; i < calls; ++i) {
    const std::string before = snapshot();
    std::optional<std::string> code = generate.code(), customer = generate.identifier(),
                               key = generate.identifier(), hold = generate.hold();
    try {
      pqxx::nontransaction call(connection);
      if (generate.below(10) == 0) {
        const char *function = generate.below(2) ? "confirm_promo" : "release_promo";
        std::optional<std::string> id;
        if (generate.below(4)) id = std::to_string(static_cast<long long>(generate.below(400)) - 50);
        bool done =
            call.exec_params(std::string("SELECT ") + function + "($1::bigint)", or_null(id))[0][0].as<bool>(
                false);
        ++answers[std::string(function) + (done ? " true" : " false")];
        continue;
      }
      pqxx::row row = call.exec_params(
          "SELECT status FROM redeem_promo($1, customer_id => $2, idempotency_key => $3, hold => "
          "$4::interval)",
          or_null(code), or_null(customer), or_null(key), or_null(hold))[0];
      const std::string status = row[0].as<std::string>();
      ++answers["status " + status];
    } catch (const pqxx::sql_error &error) {
      ++answers["SQLSTATE " + error.sqlstate()];
      if (!documented.count(error.sqlstate())) {
        ++unexpected;
        std::cerr << "unexpected " << error.sqlstate() << ": " << error.what();
      }
      if (snapshot() != before) ++changed_on_error;
    } catch (const pqxx::broken_connection &lost) {
      std::cerr << "FAIL: the connection broke: " << lost.what() << "\n";
      return 1;
    }
  }
  for (const auto &[answer, n] : answers) std::cout << "  " << answer << ": " << n << "\n";
  std::cout << calls << " calls; " << unexpected << " unexpected answers; " << changed_on_error
            << " errors that changed a count\n";
  return unexpected == 0 && changed_on_error == 0 ? 0 : 1;
}
