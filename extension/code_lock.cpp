#include "code_lock.hpp"

#include <stdexcept>

namespace promo {

namespace {

struct LockStatements {
  Statement lock_one_slot, peek, lock;
};

// A one-slot code, by far the common case, is locked by the first statement,
// as in 1.1. Otherwise (no such code, or a hot one) the unlocked slots decide.
// A hot code is read after its advisory lock is shared, so a change committed
// before is seen, and one in progress waits for this call. A code whose slots
// changed meanwhile gets the row lock, which serves a hot code too: it is the
// stronger lock.
std::optional<LockedCode> lock_with(SpiSession &spi, const LockStatements &statements, Datum key) {
  const Datum args[] = {key};
  if (spi.run(statements.lock_one_slot, args, nullptr) == 1) return read_locked_code(spi);
  if (spi.run(statements.peek, args, nullptr) == 0) return std::nullopt;
  if (spi.int4_value(0, 1).value() > 1) {
    const Datum id_args[] = {Int64GetDatum(spi.int8_value(0, 0).value())};
    spi.run(Statement::HotShareCode, id_args, nullptr);
    if (spi.run(Statement::HotReadCodeById, id_args, nullptr) == 0) return std::nullopt;
    LockedCode locked = read_locked_code(spi);
    if (locked.slots > 1) return locked;
  }
  if (spi.run(statements.lock, args, nullptr) == 0) return std::nullopt;
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
  return lock_with(
      spi, {Statement::SlottedLockOneSlotCode, Statement::SlottedPeekCode, Statement::SlottedLockCode}, code);
}

std::optional<LockedCode> lock_code_by_id(SpiSession &spi, int64_t promo_id) {
  return lock_with(
      spi,
      {Statement::SlottedLockOneSlotCodeById, Statement::SlottedPeekCodeById, Statement::SlottedLockCodeById},
      Int64GetDatum(promo_id));
}

}  // namespace promo
