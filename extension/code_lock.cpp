#include "code_lock.hpp"

#include <stdexcept>

namespace promo {

namespace {

struct LockStatements {
  Statement peek, exclusive;
};

// The slots seen unlocked choose the lock. A hot code is read after its
// advisory lock is shared, so a change committed before is seen, and one in
// progress waits for this call; a code that stopped being hot meanwhile gets
// the row lock. A code that became hot meanwhile is served under the row
// lock, which is stronger.
std::optional<LockedCode> lock_with(SpiSession &spi, const LockStatements &statements, Datum key) {
  const Datum args[] = {key};
  if (spi.run(statements.peek, args, nullptr) == 0) return std::nullopt;
  if (spi.int4_value(0, 1).value() > 1) {
    const Datum id_args[] = {Int64GetDatum(spi.int8_value(0, 0).value())};
    spi.run(Statement::HotShareCode, id_args, nullptr);
    if (spi.run(Statement::HotReadCodeById, id_args, nullptr) == 0) return std::nullopt;
    LockedCode locked = read_locked_code(spi);
    if (locked.slots > 1) return locked;
  }
  if (spi.run(statements.exclusive, args, nullptr) == 0) return std::nullopt;
  return read_locked_code(spi);
}

}  // namespace

LockedCode read_locked_code(const SpiSession &spi) {
  LockedCode locked{read_code_row(spi), status_from_reason(spi.text_value(0, 5)), spi.int4_value(0, 6)};
  if (spi.columns() > 7) locked.slots = spi.int4_value(0, 7).value();
  return locked;
}

LockedCode relock_by_id(SpiSession &spi, int64_t promo_id) {
  const Datum args[] = {Int64GetDatum(promo_id)};
  if (spi.run(Statement::LedgerLockCodeById, args, nullptr) != 1)
    throw std::runtime_error("locked code row vanished");
  return read_locked_code(spi);
}

std::optional<LockedCode> lock_code(SpiSession &spi, Datum code) {
  return lock_with(spi, {Statement::SlottedPeekCode, Statement::SlottedLockCode}, code);
}

std::optional<LockedCode> lock_code_by_id(SpiSession &spi, int64_t promo_id) {
  return lock_with(spi, {Statement::SlottedPeekCodeById, Statement::SlottedLockCodeById},
                   Int64GetDatum(promo_id));
}

}  // namespace promo
