// promo_stats (1.5.2): redeem_promo's answers counted per code class and
// status, and those that waited for one of promo's locks, in shared memory.
// The counters exist only when the module is in shared_preload_libraries;
// otherwise counting does nothing and reading them is an error.
#pragma once

#include <optional>

#include "pg_headers.hpp"
#include "promo_types.hpp"

namespace promo::stats {

// What kind of code answered: none was found, one row, or slots (hot).
enum class CodeClass { None, OneSlot, Hot };

// Asks for the shared memory; from _PG_init, outside any C++ frame.
void request_shared_memory();

// Whether answers are counted: preloaded, and promo.track_stats on.
bool counting();

// One redemption call, from its start to its answer. A redemption nested in
// it (a trigger calling redeem_promo) has a call of its own, and the outer
// call's notes are back when the inner one ends, by an answer or an error.
class Call {
 public:
  Call();
  ~Call();
  Call(const Call &) = delete;
  Call &operator=(const Call &) = delete;

 private:
  std::optional<Status> outer_true_status_;
  bool outer_waited_;
};
// What the innermost call noted. Refusals hidden by promo.reveal_reasons are
// counted by their true status.
void note_true_status(Status status);  // a refusal, before it is hidden
void note_lock_wait();                 // a lock that was not free at once
void count_answer(CodeClass code_class, Status answered, bool reasons_hidden);

// Every counter of the statuses `version` has ("1.5.3": those its
// promo_status knows), for the SQL function behind the view.
Datum counters(FunctionCallInfo fcinfo, const char *version);
void reset();

}  // namespace promo::stats
