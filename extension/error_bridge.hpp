// The error bridge between PostgreSQL (ereport, which longjmps) and C++
// (exceptions, which unwind). Two rules keep both worlds sound:
//  - every PostgreSQL call that can ereport runs through pg_call(), which
//    turns the error into a PgError exception, so no longjmp ever skips a
//    C++ destructor;
//  - every SQL-callable function runs its C++ body through cpp_boundary(),
//    which catches every exception and raises the PostgreSQL error only
//    after all C++ frames have unwound, keeping SQLSTATE, detail and hint.
// Destructors never call into PostgreSQL: on an error, the (sub)transaction
// abort cleans up SPI and memory.
#pragma once

#include <string>
#include <type_traits>

#include "pg_headers.hpp"

namespace promo {

// A PostgreSQL error caught inside pg_call(); owns a copy of its ErrorData.
class PgError {
 public:
  explicit PgError(ErrorData *data) : data_(data) {}
  ErrorData *data() const noexcept { return data_; }

 private:
  ErrorData *data_;
};

// An error promo raises itself, such as invalid input.
class SqlError {
 public:
  SqlError(int sqlstate, std::string message, std::string hint = {})
      : sqlstate_(sqlstate), message_(std::move(message)), hint_(std::move(hint)) {}
  int sqlstate() const noexcept { return sqlstate_; }
  const std::string &message() const noexcept { return message_; }
  const std::string &hint() const noexcept { return hint_; }

 private:
  int sqlstate_;
  std::string message_;
  std::string hint_;
};

// Runs call(context) inside PG_TRY. If it raises a PostgreSQL error, the
// error is copied, cleared, and thrown as PgError once PG_TRY has ended.
// The copy lives in promo's own memory context, not the caller's: the
// caller's may belong to a subtransaction that is rolled back (and freed)
// before the error is raised again.
void run_guarded(void (*call)(void *), void *context);

// Brackets one SQL-callable function's C++ body. The error copies are freed
// when the outermost body starts, when no error copy can still be waiting to
// be raised.
void enter_boundary() noexcept;

// Creates that context; called once, from _PG_init.
void create_error_copy_context();
void leave_boundary() noexcept;

// Runs one PostgreSQL call; an ereport(ERROR) inside it becomes a PgError.
// The callable must create no object with a destructor: a longjmp out of it
// would skip that destructor.
template <typename Call>
auto pg_call(Call &&call) -> decltype(call()) {
  using Result = decltype(call());
  if constexpr (std::is_void_v<Result>) {
    run_guarded([](void *context) { (*static_cast<Call *>(context))(); }, &call);
  } else {
    static_assert(std::is_trivially_copyable_v<Result>, "pg_call returns plain values only");
    struct Frame {
      Call *call;
      Result result;
    } frame{&call, Result{}};
    run_guarded(
        [](void *context) {
          auto *f = static_cast<Frame *>(context);
          f->result = (*f->call)();
        },
        &frame);
    return frame.result;
  }
}

// What cpp_boundary() caught, held in plain storage so that raising it needs
// no C++ object alive.
struct CaughtError {
  ErrorData *pg_error = nullptr;
  int sqlstate = 0;
  char message[512] = {0};
  char hint[512] = {0};
};

void record_exception(CaughtError &caught) noexcept;
[[noreturn]] void raise_caught_error(const CaughtError &caught);

// Runs the C++ body of a SQL-callable function. Nothing escapes as a C++
// exception: it leaves as a PostgreSQL ERROR, raised after the try block.
template <typename Body>
Datum cpp_boundary(Body &&body) {
  CaughtError caught;
  enter_boundary();
  try {
    Datum result = body();
    leave_boundary();
    return result;
  } catch (...) {
    record_exception(caught);
  }
  leave_boundary();
  raise_caught_error(caught);
}

}  // namespace promo
