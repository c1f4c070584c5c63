// Running part of a call in a subtransaction of its own, the way PL/pgSQL runs
// a block with an EXCEPTION clause: kept when the part says so, rolled back
// (with every lock it took) when not, and always rolled back before an error
// leaves, so the caller's own subtransactions stay intact. SPI rows read
// inside are freed with a rolled-back subtransaction: the part returns plain
// values only.
#pragma once

#include "error_bridge.hpp"
#include "pg_headers.hpp"

namespace promo::legacy {

// part() returns something testable; false/empty means roll it back.
template <typename Part>
auto in_subtransaction(Part &&part) -> decltype(part()) {
  const MemoryContext context = CurrentMemoryContext;
  const ResourceOwner owner = CurrentResourceOwner;
  auto restore = [&] {
    MemoryContextSwitchTo(context);
    CurrentResourceOwner = owner;
  };
  pg_call([] { BeginInternalSubTransaction(nullptr); });
  try {
    auto result = part();
    pg_call([&] {
      if (result)
        ReleaseCurrentSubTransaction();
      else
        RollbackAndReleaseCurrentSubTransaction();
    });
    restore();
    return result;
  } catch (...) {
    pg_call([] { RollbackAndReleaseCurrentSubTransaction(); });
    restore();
    throw;
  }
}

}  // namespace promo::legacy
