#include "call_site.hpp"

#include "error_bridge.hpp"

extern "C" {
#include "nodes/primnodes.h"
#include "utils/datum.h"
}

namespace promo {

namespace {

// A call site's result for the row being evaluated. It lives in the row's
// memory context (current while a row's expressions are evaluated, reset
// before the next row and between PL/pgSQL statements), and a reset
// callback unlinks it before that memory goes.
struct SiteResult {
  MemoryContext row_context;
  const FuncExpr *call;
  int arguments;
  Datum *values;
  bool *nulls;
  Datum result;
  MemoryContextCallback forget;
  SiteResult *next;
};

SiteResult *site_results = nullptr;

void forget_site_result(void *argument) {
  auto *doomed = static_cast<SiteResult *>(argument);
  for (SiteResult **link = &site_results; *link != nullptr; link = &(*link)->next)
    if (*link == doomed) {
      *link = doomed->next;
      return;
    }
}

// How an argument's type is stored: text is a varlena, interval is not.
struct TypeStorage {
  int16 length;
  bool by_value;
};

TypeStorage argument_storage(FunctionCallInfo fcinfo, int index) {
  TypeStorage storage{};
  get_typlenbyval(get_fn_expr_argtype(fcinfo->flinfo, index), &storage.length, &storage.by_value);
  return storage;
}

bool same_arguments(const SiteResult &site, FunctionCallInfo fcinfo) {
  if (site.arguments != fcinfo->nargs) return false;
  for (int i = 0; i < fcinfo->nargs; ++i) {
    const NullableDatum &argument = fcinfo->args[i];
    if (argument.isnull != site.nulls[i]) return false;
    if (argument.isnull) continue;
    const TypeStorage storage = argument_storage(fcinfo, i);
    if (!datumIsEqual(argument.value, site.values[i], storage.by_value, storage.length)) return false;
  }
  return true;
}

const FuncExpr *call_expression(FunctionCallInfo fcinfo) {
  Node *expression = fcinfo->flinfo != nullptr ? fcinfo->flinfo->fn_expr : nullptr;
  if (expression == nullptr || !IsA(expression, FuncExpr)) return nullptr;
  return reinterpret_cast<const FuncExpr *>(expression);
}

SiteResult *find_site(const FuncExpr *call, FunctionCallInfo fcinfo) {
  for (SiteResult *site = site_results; site != nullptr; site = site->next)
    if (site->row_context == CurrentMemoryContext && site->call->location == call->location &&
        equal(site->call, call) && same_arguments(*site, fcinfo))
      return site;
  return nullptr;
}

void remember(const FuncExpr *call, FunctionCallInfo fcinfo, Datum result) {
  auto *site = static_cast<SiteResult *>(palloc0(sizeof(SiteResult)));
  site->row_context = CurrentMemoryContext;
  site->call = call;
  site->arguments = fcinfo->nargs;
  site->values = static_cast<Datum *>(palloc0(sizeof(Datum) * (fcinfo->nargs + 1)));
  site->nulls = static_cast<bool *>(palloc0(sizeof(bool) * (fcinfo->nargs + 1)));
  for (int i = 0; i < fcinfo->nargs; ++i) {
    site->nulls[i] = fcinfo->args[i].isnull;
    if (site->nulls[i]) continue;
    const TypeStorage storage = argument_storage(fcinfo, i);
    site->values[i] = datumCopy(fcinfo->args[i].value, storage.by_value, storage.length);
  }
  site->result = datumCopy(result, false, -1);
  site->forget.func = forget_site_result;
  site->forget.arg = site;
  MemoryContextRegisterResetCallback(CurrentMemoryContext, &site->forget);
  site->next = site_results;
  site_results = site;
}

}  // namespace

Datum once_per_call_site(FunctionCallInfo fcinfo, const std::function<Datum()> &call) {
  const FuncExpr *expression = call_expression(fcinfo);
  if (expression == nullptr) return call();
  if (SiteResult *site = pg_call([&] { return find_site(expression, fcinfo); })) return site->result;
  Datum result = call();
  pg_call([&] { remember(expression, fcinfo, result); });
  return result;
}

}  // namespace promo
