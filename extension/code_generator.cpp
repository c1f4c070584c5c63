#include "code_generator.hpp"

#include <algorithm>
#include <stdexcept>
#include <variant>
#include <vector>

#include "code_batches.hpp"
#include "code_pattern.hpp"
#include "error_bridge.hpp"
#include "normalize.hpp"

namespace promo::codes {

namespace {

// Candidates per INSERT: a few megabytes of array. Each batch is sorted, so
// that consecutive insertions into the unique index on code_key land on
// neighbouring pages (a fifth less CPU for 1,000,000 codes than in drawn
// order, measured); larger batches gained little more.
constexpr std::size_t batch_size = 100'000;

// One batch. A candidate whose normalized key exists (committed, or
// inserted earlier in this statement) is skipped; one that another
// transaction is inserting waits for it to end. SPI_processed is the number
// inserted.
const SqlStatement insert_statement{"generation_insert",
                                    R"(
INSERT INTO @extschema@.promo_codes AS c
       (code, max_uses, max_uses_per_customer, valid_from, valid_until, is_active, campaign_id)
SELECT candidate.code, $2, $3, $4, $5, $6, $7
  FROM pg_catalog.unnest($1) AS candidate(code)
    ON CONFLICT (code_key) DO NOTHING
)",
                                    {{"codes", TEXTARRAYOID},
                                     {"max_uses", INT4OID},
                                     {"max_uses_per_customer", INT4OID},
                                     {"valid_from", TIMESTAMPTZOID},
                                     {"valid_until", TIMESTAMPTZOID},
                                     {"is_active", BOOLOID},
                                     {"campaign_id", INT8OID}}};

[[noreturn]] void refuse(const InputProblem &problem) {
  throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, problem.message, problem.hint);
}

template <typename Parsed>
Parsed parsed_or_refuse(std::variant<Parsed, InputProblem> parsed) {
  if (auto *problem = std::get_if<InputProblem>(&parsed)) refuse(*problem);
  return std::get<Parsed>(std::move(parsed));
}

// promo's normalization of one charset character (promo_normalize_code).
std::string normalize(std::string_view characters) {
  Datum input = pg_call([&] {
    return PointerGetDatum(cstring_to_text_with_len(characters.data(), static_cast<int>(characters.size())));
  });
  Datum output = normalized_code(input);
  struct Bytes {
    const char *data;
    size_t length;
  };
  Bytes bytes = pg_call([&] {
    text *folded = DatumGetTextPP(output);
    return Bytes{VARDATA_ANY(folded), VARSIZE_ANY_EXHDR(folded)};
  });
  return std::string(bytes.data, bytes.length);
}

void check_settings(const GenerationRequest &request) {
  if (request.max_uses && *request.max_uses < 0)
    refuse({"max_uses must be at least 0", "Pass the uses each code allows, or NULL for no limit."});
  if (request.max_uses_per_customer && *request.max_uses_per_customer < 0)
    refuse({"max_uses_per_customer must be at least 0",
            "Pass the uses a customer may make, or NULL for no limit."});
  if (request.valid_from && request.valid_until && *request.valid_from >= *request.valid_until)
    refuse({"valid_from must be before valid_until", "valid_from is inclusive, valid_until exclusive."});
}

// The operating system's CSPRNG, as PostgreSQL reads it (OpenSSL when built
// with it, else /dev/urandom). Never random(): its output can be predicted.
void fill_strong_random(unsigned char *bytes, std::size_t length) {
  if (!pg_call([&] { return pg_strong_random(bytes, length); }))
    throw SqlError(ERRCODE_INTERNAL_ERROR, "could not read random bytes from the operating system");
}

}  // namespace

int64_t generate_codes(SpiSession &spi, const std::string &schema, const GenerationRequest &request) {
  if (auto problem = check_count(request.count)) refuse(*problem);
  const CodePattern pattern = parsed_or_refuse(CodePattern::parse(request.pattern));
  const Charset charset = parsed_or_refuse(Charset::parse(request.charset, normalize));
  check_settings(request);

  const int64_t campaign_id = lock_campaign_for_codes(spi, request.campaign);
  if (auto problem =
          check_keyspace(keyspace(pattern, charset), static_cast<uint64_t>(campaign_codes(spi, campaign_id)),
                         static_cast<uint64_t>(request.count)))
    refuse(*problem);

  IndexDraw draw_index(charset.size(), fill_strong_random);
  auto draw = [&](std::vector<std::string> &codes, std::size_t n) {
    codes.resize(n);
    for (std::string &code : codes) {
      code.clear();
      pattern.write(code, charset, [&] { return draw_index.next(); });
    }
    std::sort(codes.begin(), codes.end());
  };
  // Each batch on an SPI connection of its own, whose memory (the array) its
  // end frees.
  auto insert = [&](const std::vector<std::string> &codes) -> uint64_t {
    pg_call([] { CHECK_FOR_INTERRUPTS(); });
    SpiSession batch(schema);
    batch.execute(insert_statement,
                  {text_array_arg("codes", text_array(codes)), integer_arg("max_uses", request.max_uses),
                   integer_arg("max_uses_per_customer", request.max_uses_per_customer),
                   timestamptz_arg("valid_from", request.valid_from),
                   timestamptz_arg("valid_until", request.valid_until),
                   Argument{"is_active", BOOLOID, BoolGetDatum(request.is_active), false},
                   bigint_arg("campaign_id", campaign_id)});
    const uint64_t inserted = batch.processed();
    batch.finish();
    return inserted;
  };
  Tally tally = make_new_codes(static_cast<uint64_t>(request.count), batch_size, draw, insert);
  if (tally.problem) refuse(*tally.problem);
  if (tally.created != static_cast<uint64_t>(request.count))
    throw std::logic_error("generated fewer codes than asked");
  return static_cast<int64_t>(tally.created);
}

}  // namespace promo::codes
