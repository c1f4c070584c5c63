#include "code_import.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "code_batches.hpp"
#include "code_import_rules.hpp"
#include "error_bridge.hpp"
#include "normalize.hpp"

namespace promo::codes {

namespace {

constexpr int32_t batch_rows = 100'000;

// $1 the last id taken, $2 how many. The next staged rows in arrival order,
// deleted: up to the $2-th id after $1, or all that remain. A row another
// import is taking is waited for, and skipped once that import has
// committed. (An id range, not a join with the ids: a fifth of the time.)
const SqlStatement take_statement{"import_take",
                                  R"(
DELETE FROM @extschema@.promo_code_imports AS i
 WHERE i.id OPERATOR(pg_catalog.>) $1
   AND i.id OPERATOR(pg_catalog.<=) COALESCE(
         (SELECT j.id FROM @extschema@.promo_code_imports j
           WHERE j.id OPERATOR(pg_catalog.>) $1
           ORDER BY j.id
          OFFSET $2 OPERATOR(pg_catalog.-) 1 LIMIT 1),
         9223372036854775807)
RETURNING i.id, i.code, i.max_uses, i.max_uses_per_customer
)",
                                  {{"after_id", INT8OID}, {"rows", INT4OID}}};

// $1 the last id taken: whether staged rows remain after it (a batch that
// found its rows taken by another import is not the end).
const SqlStatement more_statement{"import_more",
                                  R"(
SELECT EXISTS (SELECT FROM @extschema@.promo_code_imports j WHERE j.id OPERATOR(pg_catalog.>) $1) AS more
)",
                                  {{"after_id", INT8OID}}};

// One batch of good rows, distinct under normalization. A code whose key
// exists (committed, or being inserted by a transaction that then commits)
// is skipped; RETURNING names those that went in.
const SqlStatement insert_statement{"import_insert",
                                    R"(
INSERT INTO @extschema@.promo_codes AS c (code, max_uses, max_uses_per_customer, campaign_id)
SELECT staged.code, staged.max_uses, staged.max_uses_per_customer, $4
  FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3))
       AS staged(code, max_uses, max_uses_per_customer)
    ON CONFLICT (code_key) DO NOTHING
RETURNING c.id, c.code_key
)",
                                    {{"codes", TEXTARRAYOID},
                                     {"max_uses", INT4ARRAYOID},
                                     {"max_uses_per_customer", INT4ARRAYOID},
                                     {"campaign_id", INT8OID}}};

// $1 keys that did not go in: the codes that hold them.
const SqlStatement holders_statement{"import_key_holders",
                                     R"(
SELECT c.id, c.code_key FROM @extschema@.promo_codes c
 WHERE c.code_key OPERATOR(pg_catalog.=) ANY ($1)
)",
                                     {{"keys", TEXTARRAYOID}}};

struct StagedRow {
  int64_t id;
  std::optional<std::string> code;
  std::optional<std::string> max_uses;
  std::optional<std::string> max_uses_per_customer;
};

struct Candidate {
  int64_t id;
  std::string code;
  std::string key;
  std::optional<int32_t> max_uses;
  std::optional<int32_t> max_uses_per_customer;
};

struct Refusal {
  int64_t id;
  std::optional<std::string> code;
  std::string reason;
};

std::string key_of(const std::string &code) {
  Datum input = pg_call(
      [&] { return PointerGetDatum(cstring_to_text_with_len(code.data(), static_cast<int>(code.size()))); });
  Datum key = normalized_code(input);
  struct Bytes {
    const char *data;
    size_t length;
  };
  Bytes bytes = pg_call([&] {
    text *folded = DatumGetTextPP(key);
    return Bytes{VARDATA_ANY(folded), VARSIZE_ANY_EXHDR(folded)};
  });
  return std::string(bytes.data, bytes.length);
}

// The limits of a row, or the reason it is refused.
std::optional<std::string> read_limits(const StagedRow &row, Candidate &candidate) {
  if (row.max_uses) {
    candidate.max_uses = parse_limit(*row.max_uses);
    if (!candidate.max_uses) return limit_problem("max_uses");
  }
  if (row.max_uses_per_customer) {
    candidate.max_uses_per_customer = parse_limit(*row.max_uses_per_customer);
    if (!candidate.max_uses_per_customer) return limit_problem("max_uses_per_customer");
  }
  return std::nullopt;
}

class Import {
 public:
  Import(const std::string &schema, int64_t campaign_id) : schema_(schema), campaign_id_(campaign_id) {}

  // Takes and imports the next batch after `after_id`; false when there was
  // none. Its refusals are appended to `refusals`, in arrival order.
  bool next_batch(int64_t &after_id, std::vector<Refusal> &refusals) {
    pg_call([] { CHECK_FOR_INTERRUPTS(); });
    // One SPI connection per batch: its end frees the batch's rows and arrays.
    SpiSession batch(schema_);
    std::vector<StagedRow> staged = take(batch, after_id);
    if (staged.empty()) {
      const bool more =
          batch.execute(more_statement, {bigint_arg("after_id", after_id)})[0].boolean("more").value();
      batch.finish();
      return more;
    }
    after_id = staged.back().id;
    std::vector<Candidate> repeats;
    std::vector<Candidate> candidates = check(staged, repeats, refusals);
    if (!candidates.empty()) insert(batch, candidates, repeats, refusals);
    batch.finish();
    std::sort(refusals.begin(), refusals.end(),
              [](const Refusal &a, const Refusal &b) { return a.id < b.id; });
    return true;
  }

  int64_t imported() const { return static_cast<int64_t>(imported_ids_.size()); }

 private:
  std::vector<StagedRow> take(SpiSession &batch, int64_t after_id) {
    Rows rows =
        batch.execute(take_statement, {bigint_arg("after_id", after_id), integer_arg("rows", batch_rows)});
    std::vector<StagedRow> staged;
    staged.reserve(rows.size());
    for (uint64_t i = 0; i < rows.size(); ++i) {
      const ResultRow row = rows[i];
      staged.push_back(StagedRow{row.int8("id").value(), row.string("code"), row.string("max_uses"),
                                 row.string("max_uses_per_customer")});
    }
    std::sort(staged.begin(), staged.end(),
              [](const StagedRow &a, const StagedRow &b) { return a.id < b.id; });
    return staged;
  }

  // The rows that may go in: of rows equal under normalization within the
  // batch, the first; the later ones are `repeats`, which insert() reports
  // by what became of the first. Bad rows are refused.
  std::vector<Candidate> check(std::vector<StagedRow> &staged, std::vector<Candidate> &repeats,
                               std::vector<Refusal> &refusals) {
    std::vector<Candidate> candidates;
    std::unordered_set<std::string> keys;
    for (StagedRow &row : staged) {
      std::optional<std::string> problem = staged_code_problem(row.code);
      Candidate candidate{row.id, {}, {}, std::nullopt, std::nullopt};
      if (!problem) problem = read_limits(row, candidate);
      if (problem) {
        refusals.push_back(Refusal{row.id, std::move(row.code), std::move(*problem)});
        continue;
      }
      candidate.key = key_of(*row.code);
      candidate.code = std::move(*row.code);
      if (keys.insert(candidate.key).second)
        candidates.push_back(std::move(candidate));
      else
        repeats.push_back(std::move(candidate));
    }
    return candidates;
  }

  void insert(SpiSession &batch, std::vector<Candidate> &candidates, const std::vector<Candidate> &repeats,
              std::vector<Refusal> &refusals) {
    // In code order, so that consecutive insertions into code_key's index
    // land on neighbouring pages (as generation does).
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate &a, const Candidate &b) { return a.code < b.code; });
    std::vector<std::string> codes;
    std::vector<std::optional<int32_t>> max_uses, per_customer;
    for (const Candidate &candidate : candidates) {
      codes.push_back(candidate.code);
      max_uses.push_back(candidate.max_uses);
      per_customer.push_back(candidate.max_uses_per_customer);
    }
    Rows inserted = batch.execute(
        insert_statement,
        {text_array_arg("codes", text_array(codes)), integer_array_arg("max_uses", integer_array(max_uses)),
         integer_array_arg("max_uses_per_customer", integer_array(per_customer)),
         bigint_arg("campaign_id", campaign_id_)});
    const bool all_went_in = inserted.size() == candidates.size();
    std::unordered_set<std::string> inserted_keys;
    for (uint64_t i = 0; i < inserted.size(); ++i) {
      imported_ids_.push_back(inserted[i].int8("id").value());
      if (!all_went_in) inserted_keys.insert(inserted[i].string("code_key").value());
    }
    if (all_went_in && repeats.empty()) return;
    // The others, and the repeats: each a duplicate of a code this import
    // put in (now or in an earlier batch), or of one that existed.
    std::vector<const Candidate *> left_out;
    std::vector<std::string> left_out_keys;
    for (const Candidate &candidate : candidates)
      if (!all_went_in && !inserted_keys.count(candidate.key)) {
        left_out.push_back(&candidate);
        left_out_keys.push_back(candidate.key);
      }
    for (const Candidate &repeat : repeats) {
      left_out.push_back(&repeat);
      left_out_keys.push_back(repeat.key);
    }
    Rows holders = batch.execute(holders_statement, {text_array_arg("keys", text_array(left_out_keys))});
    std::sort(imported_ids_.begin(), imported_ids_.end());
    std::unordered_map<std::string, int64_t> holder_of;
    for (uint64_t i = 0; i < holders.size(); ++i)
      holder_of.emplace(holders[i].string("code_key").value(), holders[i].int8("id").value());
    for (const Candidate *candidate : left_out) {
      auto holder = holder_of.find(candidate->key);
      const bool earlier_row = holder != holder_of.end() &&
                               std::binary_search(imported_ids_.begin(), imported_ids_.end(), holder->second);
      refusals.push_back(Refusal{candidate->id, candidate->code,
                                 std::string(earlier_row ? duplicate_in_import : duplicate_of_existing)});
    }
  }

  const std::string &schema_;
  int64_t campaign_id_;
  std::vector<int64_t> imported_ids_;  // the codes this import put in (sorted before a lookup)
};

}  // namespace

int64_t import_codes(SpiSession &spi, const std::string &schema, const TextArgument &campaign,
                     const Refused &refused) {
  const int64_t campaign_id = lock_campaign_for_codes(spi, campaign);
  Import import(schema, campaign_id);
  int64_t after_id = std::numeric_limits<int64_t>::min();
  std::vector<Refusal> refusals;
  while (import.next_batch(after_id, refusals)) {
    for (const Refusal &refusal : refusals) refused(refusal.code, refusal.reason);
    refusals.clear();
  }
  return import.imported();
}

}  // namespace promo::codes
