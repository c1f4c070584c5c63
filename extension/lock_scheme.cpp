#include "lock_scheme.hpp"

#include <string>

#include "error_bridge.hpp"
#include "stats.hpp"

extern "C" {
#include "common/hashfn.h"
#include "storage/lmgr.h"
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

enum class Wait { Yes, No };

// Every acquisition, of promo's own tags and of the legacy advisory ones.
Held acquire_tag(const LOCKTAG &tag, Mode mode, Wait wait) {
  const LOCKMODE lockmode = lock_mode(mode);
  return held_from(pg_call([&] { return LockAcquire(&tag, lockmode, false, wait == Wait::No); }));
}

}  // namespace

uint32_t text_hash(const char *data, size_t length) {
  return hash_bytes(reinterpret_cast<const unsigned char *>(data), static_cast<int>(length));
}

// A lock that is not free at once is counted (promo_stats) and waited for.
Held acquire(const LockId &id, Mode mode) {
  const LOCKTAG tag = tag_of(id);
  if (!stats::counting()) return acquire_tag(tag, mode, Wait::Yes);
  const Held at_once = acquire_tag(tag, mode, Wait::No);
  if (at_once != Held::No) return at_once;
  stats::note_lock_wait();
  return acquire_tag(tag, mode, Wait::Yes);
}

Held try_acquire(const LockId &id, Mode mode) {
  return acquire_tag(tag_of(id), mode, Wait::No);
}

bool held_by_me(const LockId &id, Mode mode) {
  const LOCKTAG tag = tag_of(id);
  const LOCKMODE lockmode = lock_mode(mode);
#if PG_VERSION_NUM >= 170000
  return pg_call([&] { return LockHeldByMe(&tag, lockmode, false); });
#else
  return pg_call([&] { return LockHeldByMe(&tag, lockmode); });
#endif
}

bool waited_for(const LockId &id, Mode mode) {
  const LOCKTAG tag = tag_of(id);
  const LOCKMODE lockmode = lock_mode(mode);
  return pg_call([&] { return LockHasWaiters(&tag, lockmode, false); });
}

void release(const LockId &id, Mode mode) {
  const LOCKTAG tag = tag_of(id);
  const LOCKMODE lockmode = lock_mode(mode);
  pg_call([&] { LockRelease(&tag, lockmode, false); });
}

void lock_table_for_writing(Oid table) {
  pg_call([&] { LockRelationOid(table, RowExclusiveLock); });
}

namespace legacy {

namespace {

// hashtextextended(label, promo_id), as SQL computes it (the default
// collation is deterministic): hash_any_extended of the text's bytes.
uint64_t sql_key(const LockId &id) {
  std::string label;
  switch (id.lock) {
    case Lock::Queue: label = "queue"; break;
    case Lock::Code: label = "code"; break;
    case Lock::IdempotencyKey: label = "key:"; break;
    case Lock::Customer: label = "customer:"; break;
    case Lock::Slot: label = "slot"; break;
  }
  label.append(id.text.data(), id.text.size());
  const auto *bytes = reinterpret_cast<const unsigned char *>(label.data());
  const int length = static_cast<int>(label.size());
  const uint64 seed = static_cast<uint64>(id.promo_id);
  uint64_t key = DatumGetUInt64(pg_call([&] { return hash_any_extended(bytes, length, seed); }));
  if (id.lock == Lock::Slot) key ^= static_cast<uint64_t>(static_cast<int64_t>(id.slot));
  return key;
}

// pg_advisory_xact_lock(bigint)'s tag: class 1, the key in two halves.
LOCKTAG tag_of(const LockId &id) {
  const uint64_t key = sql_key(id);
  LOCKTAG tag;
  SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, static_cast<uint32>(key >> 32), static_cast<uint32>(key), 1);
  return tag;
}

}  // namespace

Held acquire(const LockId &id, Mode mode) {
  return acquire_tag(tag_of(id), mode, Wait::Yes);
}

Held try_acquire(const LockId &id, Mode mode) {
  return acquire_tag(tag_of(id), mode, Wait::No);
}

}  // namespace legacy

}  // namespace promo::locks
