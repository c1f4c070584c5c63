#include "code_lock.hpp"

#include <stdexcept>

namespace promo {

namespace {

struct LockStatements {
  Statement peek, exclusive, shared;
};

// The slots seen unlocked choose the lock; the locked row has the last word.
// A code that stopped being hot meanwhile is locked again exclusively (a
// lock upgrade, which can only deadlock with another such upgrade: 40P01,
// retryable, nothing changed). A code that became hot is served under the
// stronger lock already held.
std::optional<LockedCode> lock_with(SpiSession &spi, const LockStatements &statements, Datum key) {
  const Datum args[] = {key};
  if (spi.run(statements.peek, args, nullptr) == 0) return std::nullopt;
  bool hot = spi.int4_value(0, 1).value() > 1;
  if (hot) {
    if (spi.run(statements.shared, args, nullptr) == 0) return std::nullopt;
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
  return lock_with(spi, {Statement::SlottedPeekCode, Statement::SlottedLockCode, Statement::HotShareCode}, code);
}

std::optional<LockedCode> lock_code_by_id(SpiSession &spi, int64_t promo_id) {
  return lock_with(spi,
                   {Statement::SlottedPeekCodeById, Statement::SlottedLockCodeById, Statement::HotShareCodeById},
                   Int64GetDatum(promo_id));
}

}  // namespace promo
