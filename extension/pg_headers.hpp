// PostgreSQL's C headers, included once, postgres.h first, with C linkage.
#pragma once

extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_index.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
}

// SQL reaches PostgreSQL only through the SPI layer (spi_session.cpp, which
// defines PROMO_SPI_LAYER), from an SqlText: anywhere else, naming a call
// that prepares, runs or opens a cursor on SQL is a compile error.
#ifndef PROMO_SPI_LAYER
#pragma GCC poison SPI_exec SPI_execute SPI_execute_extended SPI_execute_with_args SPI_execp SPI_execute_plan
#pragma GCC poison SPI_execute_plan_extended SPI_execute_plan_with_paramlist SPI_execute_snapshot
#pragma GCC poison SPI_prepare SPI_prepare_cursor SPI_prepare_extended SPI_prepare_params
#pragma GCC poison SPI_cursor_open SPI_cursor_open_with_args SPI_cursor_open_with_paramlist SPI_cursor_parse_open
#endif
