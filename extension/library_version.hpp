// The newest version of promo's SQL this library serves, as
// promo_library_version() reports it and the scripts from 1.5.3 on check.
// Versions are plain dotted numbers. Every new version of the SQL bumps it
// (a session would otherwise refuse the new version as newer than itself),
// and names its tables' layout in tables_version.cpp's list of versions.
#pragma once

namespace promo {

constexpr const char *library_version = "1.6";

}  // namespace promo
