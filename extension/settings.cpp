#include "settings.hpp"

#include "pg_compat.hpp"

namespace promo {

namespace {

bool reveal_reasons_setting = true;
bool track_stats_setting = true;
int debug_fault_setting = static_cast<int>(DebugFault::None);

const struct config_enum_entry debug_fault_options[] = {
    {"none", static_cast<int>(DebugFault::None), false},
    {"cpp_exception", static_cast<int>(DebugFault::CppException), false},
    {"out_of_memory", static_cast<int>(DebugFault::OutOfMemory), false},
    {nullptr, 0, false},
};

}  // namespace

bool reveal_reasons() {
  return reveal_reasons_setting;
}

bool track_stats() {
  return track_stats_setting;
}

DebugFault debug_fault() {
  return static_cast<DebugFault>(debug_fault_setting);
}

// Runs from _PG_init, outside any C++ frame that owns resources.
void define_settings() {
  DefineCustomBoolVariable(
      "promo.reveal_reasons", "Tells callers why a code was refused.",
      "When off, every refusal reads exactly like an unknown code (not_found), so callers "
      "cannot probe which codes exist. Only a superuser can change it; put promo in "
      "shared_preload_libraries wherever it is off.",
      &reveal_reasons_setting, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomBoolVariable(
      "promo.track_stats", "Counts redeem_promo's answers and lock waits in promo_stats.",
      "Needs promo in shared_preload_libraries; only a superuser can change it.", &track_stats_setting, true,
      PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomEnumVariable("promo.debug_fault", "Injects a fault inside redeem_promo, for tests only.",
                           nullptr, &debug_fault_setting, static_cast<int>(DebugFault::None),
                           debug_fault_options, PGC_SUSET, GUC_NOT_IN_SAMPLE, nullptr, nullptr, nullptr);
  MarkGUCPrefixReserved("promo");
}

}  // namespace promo
