#include "stats.hpp"

#include <cstddef>

#include "error_bridge.hpp"
#include "pg_compat.hpp"
#include "settings.hpp"

extern "C" {
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
}

namespace promo::stats {

namespace {

constexpr std::size_t class_count = 3;
constexpr std::size_t status_count = sizeof statuses / sizeof statuses[0];
constexpr const char *class_labels[class_count] = {"none", "one_slot", "hot"};

// Shared by every backend. Plain atomic adds: a call costs two at most, with
// no lock; a reader sees each counter exact, the set not as one snapshot.
struct SharedCounters {
  pg_atomic_uint64 calls[class_count][status_count];
  pg_atomic_uint64 lock_waits[class_count][status_count];
  pg_atomic_uint64 reset_at;  // a TimestampTz
};

SharedCounters *shared = nullptr;  // null unless preloaded

// The innermost call in progress in this backend; Call keeps the outer one's.
struct CallState {
  std::optional<Status> true_status;
  bool waited = false;
};
CallState call;

#if PG_VERSION_NUM >= 150000
shmem_request_hook_type previous_request_hook = nullptr;
#endif
shmem_startup_hook_type previous_startup_hook = nullptr;

// PostgreSQL's hooks: plain C frames, which an ereport may leave by longjmp.
void request_space() {
#if PG_VERSION_NUM >= 150000
  if (previous_request_hook) previous_request_hook();
#endif
  RequestAddinShmemSpace(sizeof(SharedCounters));
}

void attach_counters() {
  if (previous_startup_hook) previous_startup_hook();
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  bool found = false;
  auto *counters = static_cast<SharedCounters *>(ShmemInitStruct("promo stats", sizeof(SharedCounters), &found));
  if (!found) {
    for (std::size_t c = 0; c < class_count; ++c)
      for (std::size_t s = 0; s < status_count; ++s) {
        pg_atomic_init_u64(&counters->calls[c][s], 0);
        pg_atomic_init_u64(&counters->lock_waits[c][s], 0);
      }
    pg_atomic_init_u64(&counters->reset_at, static_cast<uint64>(GetCurrentTimestamp()));
  }
  LWLockRelease(AddinShmemInitLock);
  shared = counters;
}

SharedCounters &counters_or_error() {
  if (shared == nullptr)
    throw SqlError(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "promo_stats needs promo in shared_preload_libraries",
                   "Add promo to shared_preload_libraries and restart the server.");
  return *shared;
}

}  // namespace

void request_shared_memory() {
  if (!process_shared_preload_libraries_in_progress) return;
#if PG_VERSION_NUM >= 150000
  previous_request_hook = shmem_request_hook;
  shmem_request_hook = request_space;
#else
  request_space();
#endif
  previous_startup_hook = shmem_startup_hook;
  shmem_startup_hook = attach_counters;
}

Call::Call() : outer_true_status_(call.true_status), outer_waited_(call.waited) {
  call = CallState{};
}

Call::~Call() {
  call = CallState{outer_true_status_, outer_waited_};
}

void note_true_status(Status status) {
  call.true_status = status;
}

void note_lock_wait() {
  call.waited = true;
}

bool counting() {
  return shared != nullptr && track_stats();
}

void count_answer(CodeClass code_class, Status answered, bool reasons_hidden) {
  if (!counting()) return;
  // A hidden refusal answers not_found; the DBA's counters say why.
  const bool hidden = reasons_hidden && answered == Status::NotFound && call.true_status;
  const Status status = hidden ? *call.true_status : answered;
  const auto c = static_cast<std::size_t>(code_class);
  const auto s = static_cast<std::size_t>(status);
  pg_atomic_fetch_add_u64(&shared->calls[c][s], 1);
  if (call.waited) pg_atomic_fetch_add_u64(&shared->lock_waits[c][s], 1);
}

Datum counters(FunctionCallInfo fcinfo, const char *version) {
  SharedCounters &counters = counters_or_error();
  pg_call([&] {
    InitMaterializedSRF(fcinfo, 0);
    auto *result = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
    const Datum reset_at = TimestampTzGetDatum(static_cast<TimestampTz>(pg_atomic_read_u64(&counters.reset_at)));
    for (std::size_t c = 0; c < class_count; ++c)
      for (std::size_t s = 0; s < status_count; ++s) {
        if (!version_at_most(statuses[s].since, version)) continue;
        Datum values[5] = {CStringGetTextDatum(class_labels[c]), CStringGetTextDatum(statuses[s].label),
                           Int64GetDatum(static_cast<int64>(pg_atomic_read_u64(&counters.calls[c][s]))),
                           Int64GetDatum(static_cast<int64>(pg_atomic_read_u64(&counters.lock_waits[c][s]))),
                           reset_at};
        bool nulls[5] = {false, false, false, false, false};
        tuplestore_putvalues(result->setResult, result->setDesc, values, nulls);
      }
  });
  return Datum(0);
}

void reset() {
  SharedCounters &counters = counters_or_error();
  for (std::size_t c = 0; c < class_count; ++c)
    for (std::size_t s = 0; s < status_count; ++s) {
      pg_atomic_write_u64(&counters.calls[c][s], 0);
      pg_atomic_write_u64(&counters.lock_waits[c][s], 0);
    }
  const TimestampTz now = pg_call([] { return GetCurrentTimestamp(); });
  pg_atomic_write_u64(&counters.reset_at, static_cast<uint64>(now));
}

}  // namespace promo::stats
