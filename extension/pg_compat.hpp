// What PostgreSQL 15 added that promo uses, for 13 and 14 (and 15.0, which
// named InitMaterializedSRF SetSingleFuncCall; 15.1 renamed it).
#pragma once

#include "pg_headers.hpp"

#if PG_VERSION_NUM >= 150000 && PG_VERSION_NUM < 150001
inline void InitMaterializedSRF(FunctionCallInfo fcinfo, bits32 flags) {
  SetSingleFuncCall(fcinfo, flags);
}
#endif

#if PG_VERSION_NUM < 150000
extern "C" {
#include "utils/tuplestore.h"
}

// PostgreSQL 15's InitMaterializedSRF without flags: a tuplestore and the
// function's row type, in the query's memory, set as the call's result. The
// same errors as 15's.
inline void InitMaterializedSRF(FunctionCallInfo fcinfo, [[maybe_unused]] bits32 flags) {
  Assert(flags == 0);
  auto *result = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
  if (result == nullptr || !IsA(result, ReturnSetInfo))
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("set-valued function called in context that cannot accept a set")));
  if (!(result->allowedModes & SFRM_Materialize))
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("materialize mode required, but it is not allowed in this context")));
  MemoryContext caller_context = MemoryContextSwitchTo(result->econtext->ecxt_per_query_memory);
  TupleDesc desc;
  if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
    elog(ERROR, "return type must be a row type");
  result->setResult = tuplestore_begin_heap((result->allowedModes & SFRM_Materialize_Random) != 0, false, work_mem);
  result->setDesc = desc;
  result->returnMode = SFRM_Materialize;
  MemoryContextSwitchTo(caller_context);
}

// 15 renamed it and made a reserved prefix's unknown settings errors; 13 and
// 14 only warn of them.
inline void MarkGUCPrefixReserved(const char *prefix) {
  EmitWarningsOnPlaceholders(prefix);
}
#endif
