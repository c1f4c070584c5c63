#include "lock_scheme.hpp"

#include "error_bridge.hpp"

extern "C" {
#include "common/hashfn.h"
#include "storage/lock.h"
}

namespace promo::locks {

namespace {

// The tag: the database, the code's id in two halves with the sub key mixed
// into the upper one (ids stay below 2^32 in practice, so slots of one code
// never collide), and the class in the field SQL sets to 1 or 2.
LOCKTAG tag_of(const LockId &id) {
  const auto id_bits = static_cast<uint64_t>(id.promo_id);
  LOCKTAG tag;
  SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, static_cast<uint32>(id_bits),
                       static_cast<uint32>(id_bits >> 32) ^ id.sub, static_cast<uint16>(id.lock));
  return tag;
}

LOCKMODE lock_mode(Mode mode) {
  return mode == Mode::Share ? ShareLock : ExclusiveLock;
}

Held held_from(LockAcquireResult result) {
  switch (result) {
    case LOCKACQUIRE_NOT_AVAIL: return Held::No;
    case LOCKACQUIRE_OK: return Held::Newly;
    case LOCKACQUIRE_ALREADY_HELD:
    case LOCKACQUIRE_ALREADY_CLEAR: return Held::Already;
  }
  return Held::Already;
}

}  // namespace

uint32_t text_hash(const char *data, size_t length) {
  return hash_bytes(reinterpret_cast<const unsigned char *>(data), static_cast<int>(length));
}

Held acquire(const LockId &id, Mode mode) {
  const LOCKTAG tag = tag_of(id);
  const LOCKMODE lockmode = lock_mode(mode);
  return held_from(pg_call([&] { return LockAcquire(&tag, lockmode, false, false); }));
}

Held try_acquire(const LockId &id, Mode mode) {
  const LOCKTAG tag = tag_of(id);
  const LOCKMODE lockmode = lock_mode(mode);
  return held_from(pg_call([&] { return LockAcquire(&tag, lockmode, false, true); }));
}

void release(const LockId &id, Mode mode) {
  const LOCKTAG tag = tag_of(id);
  const LOCKMODE lockmode = lock_mode(mode);
  pg_call([&] { LockRelease(&tag, lockmode, false); });
}

}  // namespace promo::locks
