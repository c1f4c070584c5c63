// The module's configuration parameters (GUCs), defined when it is loaded.
#pragma once

namespace promo {

// promo.reveal_reasons: when off, every rejection reads as not_found.
bool reveal_reasons();

// promo.track_stats: when off, promo_stats counts nothing (1.5.2).
bool track_stats();

// promo.debug_fault: a test-only switch that injects a C++ exception inside a
// redemption, to prove the error bridge; superuser only.
enum class DebugFault { None = 0, CppException = 1, OutOfMemory = 2 };
DebugFault debug_fault();

void define_settings();

}  // namespace promo
