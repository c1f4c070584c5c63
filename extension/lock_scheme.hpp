// Every heavyweight lock promo's C++ takes: promo's own, taken from C with a
// lock tag class of the module's own (SQL's advisory-lock functions build
// tags of class 1 or 2 only, so no role can take, hold or queue for one of
// these); the table lock every call starts with; and, in namespace legacy,
// the advisory locks of the pre-1.4 tables. Row locks are taken by the
// statements themselves; their place in the order is written here too.
//
// The order every path takes them in (a transaction that takes them in this
// order never waits for one that does the same in a cycle), after
// promo_codes ROW EXCLUSIVE (lock_table_for_writing):
//   one-slot code:  CodeQueue(code) -> the code row -> ledger rows
//   hot code:       CodeGuard(code, share) -> CodeKey -> CodeCustomer
//                   -> Slot(s) -> slot rows -> ledger rows; under REPEATABLE
//                   READ and SERIALIZABLE the code row (FOR KEY SHARE) first,
//                   as a DBA's change takes it first
//   a code of a campaign: the code's own locks as above, up to and with its
//                   row or slot, then the campaign's: CampaignGuard (share;
//                   under REPEATABLE READ and SERIALIZABLE the campaign row
//                   FOR SHARE first) -> CampaignCustomer -> CampaignSlot(s)
//                   -> campaign slot rows -> ledger rows (campaign.hpp). A
//                   one-slot code's first attempt inserts its new ledger row
//                   with the code row's UPDATE, before the campaign's locks:
//                   no one else can wait for a row not yet committed but a
//                   caller of the same code and key, who queues on CodeQueue
//                   first.
//   a DBA's change of a code row (trigger): the code row -> CodeGuard
//                   (exclusive, hot codes only) -> slot rows
//   a DBA's change of a campaign row (trigger): the campaign row ->
//                   CampaignGuard (exclusive) -> campaign slot rows
// Codes met in one transaction are taken in the order they are met. A
// transaction that gave a use back through a hot code's slot (a release,
// confirm or sweep) holds that slot; a redemption of that code it makes
// later takes the key and customer locks without waiting (hot_code.cpp).
#pragma once

#include <cstdint>
#include <string_view>

#include "pg_headers.hpp"

namespace promo::locks {

enum class Lock : uint16_t {
  // Every one-slot redemption, confirm, release and reclaim of a code queues
  // here before it touches the code row: the lock manager grants a released
  // lock to the next in line, where a row lock wakes every waiter to race.
  CodeQueue = 0x7001,
  // Hot redemptions share it; a change of a hot code's row takes it
  // exclusively, so it waits for the redemptions in flight.
  CodeGuard = 0x7002,
  // A hot code's idempotency key and customer: one caller at a time.
  CodeKey = 0x7003,
  CodeCustomer = 0x7004,
  // One of a hot code's slots.
  Slot = 0x7005,
  // A campaign's (1.5; LockId's id is the campaign's): its codes'
  // redemptions share its guard, a change of its row takes it exclusively;
  // a customer within it, one caller at a time; one of its slots.
  CampaignGuard = 0x7006,
  CampaignCustomer = 0x7007,
  CampaignSlot = 0x7008,
};

enum class Mode { Share, Exclusive };

// Which lock: a class, a code (or campaign), and within it a slot number or
// a hash of a key or customer (0 for the code itself). Two different keys of one
// code may share a hash: then those two callers wait for each other, nothing
// worse.
struct LockId {
  Lock lock;
  int64_t promo_id;
  uint32_t sub = 0;
};

// 32-bit hash of a text, for CodeKey and CodeCustomer.
uint32_t text_hash(const char *data, size_t length);

// Whether a lock is held, and since when: Newly = taken by this call,
// Already = this transaction held it before.
enum class Held { No, Newly, Already };

// Waits for the lock; held until the transaction (or the subtransaction
// running when it was taken) ends, unless released.
Held acquire(const LockId &id, Mode mode);

// Takes the lock only if no one else holds it (Held::No if someone does).
Held try_acquire(const LockId &id, Mode mode);

// Whether this transaction holds the lock in that mode.
bool held_by_me(const LockId &id, Mode mode);

// Whether another transaction waits for the lock, which this one holds in
// that mode.
bool waited_for(const LockId &id, Mode mode);

// Gives back one acquisition before the transaction ends: for a lock taken
// in this call that turned out not to be needed.
void release(const LockId &id, Mode mode);

// ROW EXCLUSIVE on a table, as any INSERT or UPDATE takes it: every call
// takes it on promo_codes first (tables_version.hpp), so it waits for an
// ALTER EXTENSION promo UPDATE in progress.
void lock_table_for_writing(Oid table);

// The locks of the 1.1-1.3 tables (legacy/), keyed exactly as the SQL of
// 1.2 and 1.3 keys them: pg_advisory_xact_lock(hashtextextended(label,
// code id)), so that their triggers and backends still running an older
// library take the very same locks. These are SQL's own advisory locks,
// open to every role: one reason 1.4 has a class of its own.
//   Queue:          'queue'                      every 1.3 one-slot fast path
//   Code:           'code'                       1.3 hot redemptions (shared);
//                                                1.3's trigger promo_hot_code_guard
//                                                takes it exclusively
//   IdempotencyKey: 'key:' || key                a 1.3 hot code's key
//   Customer:       'customer:' || customer_id   a 1.3 hot code's customer
//   Slot:           'slot', then XOR the slot    a 1.3 hot code's slot
// The order, as 1.3 takes them: Code (shared) -> IdempotencyKey -> Customer
// -> Slot(s) -> slot rows -> ledger rows; a one-slot code: its row, or on the
// fast path its ledger row, then Queue, then its row.
// 1.3's safety of re-spreading hangs on trigger names: of its two BEFORE
// UPDATE triggers, promo_codes_hot_guard (Code, exclusive: waits for the hot
// redemptions in flight) fires before promo_codes_spread_slots_on_update
// (which rewrites the slot rows) only because "h" sorts before "s". The 1.3
// scripts are released and stay so; 1.4 has one trigger instead.
namespace legacy {

enum class Lock { Queue, Code, IdempotencyKey, Customer, Slot };

struct LockId {
  Lock lock;
  int64_t promo_id;
  std::string_view text = {};  // the key or customer_id (bytes as SQL hashes them)
  int32_t slot = 0;
};

Held acquire(const LockId &id, Mode mode);
Held try_acquire(const LockId &id, Mode mode);

}  // namespace legacy

}  // namespace promo::locks
