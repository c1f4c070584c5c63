#include "error_bridge.hpp"

#include <cstring>
#include <exception>
#include <new>

namespace promo {

namespace {

MemoryContext error_copies = nullptr;
int boundary_depth = 0;

}  // namespace

void create_error_copy_context() {
  if (error_copies == nullptr)
    error_copies = AllocSetContextCreate(TopMemoryContext, "promo error copies", ALLOCSET_SMALL_SIZES);
}

void enter_boundary() noexcept {
  // A longjmp that escaped a body would leave the depth above zero: then the
  // copies are kept longer, never freed early.
  if (boundary_depth++ == 0 && error_copies != nullptr) MemoryContextReset(error_copies);
}

void leave_boundary() noexcept {
  if (boundary_depth > 0) --boundary_depth;
}

void run_guarded(void (*call)(void *), void *context) {
  MemoryContext caller_context = CurrentMemoryContext;
  ErrorData *volatile error = nullptr;
  PG_TRY();
  { call(context); }
  PG_CATCH();
  {
    // Not in ErrorContext, which is reset soon, and not in the caller's
    // context, which may die with a subtransaction before the error leaves.
    MemoryContextSwitchTo(error_copies);
    error = CopyErrorData();
    FlushErrorState();
    MemoryContextSwitchTo(caller_context);
  }
  PG_END_TRY();
  if (error != nullptr) throw PgError(error);
}

namespace {

void copy_text(char *target, size_t size, const char *source) {
  std::strncpy(target, source, size - 1);
  target[size - 1] = '\0';
}

}  // namespace

// Called inside a catch block: touches only plain memory, never PostgreSQL,
// so nothing can longjmp while the exception is still alive.
void record_exception(CaughtError &caught) noexcept {
  try {
    throw;
  } catch (const PgError &error) {
    caught.pg_error = error.data();
  } catch (const SqlError &error) {
    caught.sqlstate = error.sqlstate();
    copy_text(caught.message, sizeof caught.message, error.message().c_str());
    copy_text(caught.hint, sizeof caught.hint, error.hint().c_str());
  } catch (const std::bad_alloc &) {
    caught.sqlstate = ERRCODE_OUT_OF_MEMORY;
    copy_text(caught.message, sizeof caught.message, "promo: out of memory");
  } catch (const std::exception &error) {
    caught.sqlstate = ERRCODE_INTERNAL_ERROR;
    copy_text(caught.message, sizeof caught.message, "promo: internal error: ");
    size_t used = std::strlen(caught.message);
    copy_text(caught.message + used, sizeof caught.message - used, error.what());
  } catch (...) {
    caught.sqlstate = ERRCODE_INTERNAL_ERROR;
    copy_text(caught.message, sizeof caught.message, "promo: internal error: unknown exception");
  }
}

void raise_caught_error(const CaughtError &caught) {
  if (caught.pg_error != nullptr) ReThrowError(caught.pg_error);
  ereport(ERROR, (errcode(caught.sqlstate), errmsg("%s", caught.message),
                  caught.hint[0] != '\0' ? errhint("%s", caught.hint) : 0));
  pg_unreachable();
}

}  // namespace promo
