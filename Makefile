# promo: PGXS build of the extension, the client, and the demo/test targets.

# --- the extension (PGXS) ----------------------------------------------------
MODULE_big = promo
# extension/legacy/ serves the tables of versions before 1.4.
OBJS = $(patsubst %.cpp,%.o,$(sort $(wildcard extension/*.cpp extension/legacy/*.cpp)))
MODULEDIR = extension
DATA = extension/promo.control $(sort $(wildcard extension/promo--*.sql)) \
       extension/promo_proxy.control $(sort $(wildcard extension/promo_proxy--*.sql))
PGFILEDESC = "promo - atomic promo-code redemption"

# The in-database suites, in pgvector's layout under test/: pg_regress
# (test/sql), isolation (test/specs), both compared with test/expected; pgTAP
# (test/pgtap). `make installcheck` runs all three against the server in the
# PG* environment; REGRESS=, ISOLATION= or PGTAP= leaves one out.
REGRESS = $(patsubst test/sql/%.sql,%,$(sort $(wildcard test/sql/*.sql)))
REGRESS_OPTS = --inputdir=test
ISOLATION = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test
PGTAP = $(sort $(wildcard test/pgtap/*.sql))
PGTAP_DB = promo_pgtap
PG_PROVE ?= pg_prove
# PGXS's own installcheck stops at the first failing suite and knows no pgTAP;
# ours is below.
NO_INSTALLCHECK = 1

PG_CONFIG ?= pg_config
# PostgreSQL's headers are treated as system headers so that -Wextra speaks
# only of promo's own code; C++17 needs -Wno-register for them.
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server) -Iextension
PG_CXXFLAGS = -std=c++17 -Wextra -Werror -Wno-register $(PROMO_CXXFLAGS)
SHLIB_LINK = -lstdc++ $(PROMO_LDFLAGS)
EXTRA_CLEAN = client/promo-client client/promo-client-tests client/*.o client/tests/*.o test/faults/tools/lost_reply_proxy test/faults/tools/input_sweep \
              results output_iso regression.diffs regression.out

# No LLVM bitcode: JIT inlining of promo's functions is not worth a clang build.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Every object is rebuilt when a header changes.
$(OBJS): $(wildcard extension/*.hpp extension/legacy/*.hpp)

# --- the client --------------------------------------------------------------
PREFIX ?= /usr/local
CLIENT_CXXFLAGS = -std=c++17 -O2 -g -Wall -Wextra -Werror -pthread -Iclient -Iextension -I$(shell $(PG_CONFIG) --includedir)
CLIENT_LIBS = -lpqxx -lpq -pthread
CLIENT_SOURCES = $(filter-out client/main.cpp,$(sort $(wildcard client/*.cpp))) extension/code_input.cpp
CLIENT_TEST_SOURCES = $(sort $(wildcard client/tests/*.cpp))

client/promo-client: client/main.cpp $(CLIENT_SOURCES) $(wildcard client/*.hpp)
	$(CXX) $(CLIENT_CXXFLAGS) -o $@ client/main.cpp $(CLIENT_SOURCES) $(CLIENT_LIBS)

client/promo-client-tests: $(CLIENT_TEST_SOURCES) $(CLIENT_SOURCES) $(wildcard client/*.hpp)
	$(CXX) $(CLIENT_CXXFLAGS) -o $@ $(CLIENT_TEST_SOURCES) $(CLIENT_SOURCES) -lgtest -lgtest_main $(CLIENT_LIBS)

# The fault suites' tools (built by the suites that use them).
test/faults/tools/lost_reply_proxy: test/faults/tools/lost_reply_proxy.cpp
	$(CXX) $(CLIENT_CXXFLAGS) -o $@ $< -pthread

test/faults/tools/input_sweep: test/faults/tools/input_sweep.cpp
	$(CXX) $(CLIENT_CXXFLAGS) -o $@ $< $(CLIENT_LIBS)

# `make` builds the server module alone (no libpqxx needed); the client is
# `make client` and `make install-client`.
.PHONY: client install-client
client: client/promo-client
install-client: client/promo-client
	install -D -m 755 client/promo-client '$(DESTDIR)$(PREFIX)/bin/promo-client'

# --- the in-database suites against an existing server ------------------------
.PHONY: installcheck installcheck-regress installcheck-isolation installcheck-pgtap
# Every suite runs even when an earlier one fails; the target fails if any did.
installcheck:
	@status=0; \
	$(MAKE) --no-print-directory installcheck-regress || status=1; \
	$(MAKE) --no-print-directory installcheck-isolation || status=1; \
	$(MAKE) --no-print-directory installcheck-pgtap || status=1; \
	exit $$status

installcheck-regress: submake $(REGRESS_PREP)
ifdef REGRESS
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)
endif

installcheck-isolation: submake
ifdef ISOLATION
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(ISOLATION)
endif

# Each pgTAP file creates the extensions it needs in a transaction it rolls
# back, so one fresh database serves them all (kept afterwards, as pg_regress
# keeps its own).
installcheck-pgtap:
ifdef PGTAP
	@echo "+++ pgTAP install-check +++"
	'$(bindir)/dropdb' --if-exists $(PGTAP_DB)
	'$(bindir)/createdb' $(PGTAP_DB)
	$(PG_PROVE) --psql-bin '$(bindir)/psql' -d $(PGTAP_DB) $(PGTAP)
endif

# --- the two commands --------------------------------------------------------
.PHONY: demo test faults bench valgrind-test scale-demo scale-bench deb test-versions
demo:
	bash test/demo.sh

test:
	bash test/run-all.sh

# pg_regress and the isolation specs on PostgreSQL 13 and 18; see
# test/versions/test_versions.sh.
test-versions:
	bash test/versions/test_versions.sh

# The Debian packages, in debs/; see test/packaging/build_deb.sh.
deb:
	bash test/packaging/build_deb.sh

# The benchmark against the seed; see test/bench/bench.sh.
bench:
	bash test/bench/bench.sh

# The fault, sweep and soak suites in their long form; see test/faults/faults.sh.
faults:
	bash test/faults/faults.sh

scale-demo:
	bash test/scale/scale_demo.sh

scale-bench:
	bash test/scale/scale_bench.sh

# The regression suites again, with every backend under valgrind memcheck.
valgrind-test:
	bash test/instrumented/valgrind.sh
