# promo: PGXS build of the extension, the client, and the demo/test targets.

# --- the extension (PGXS) ----------------------------------------------------
MODULE_big = promo
# extension/legacy/ serves the tables of versions before 1.4.
OBJS = $(patsubst %.cpp,%.o,$(sort $(wildcard extension/*.cpp extension/legacy/*.cpp)))
MODULEDIR = extension
DATA = extension/promo.control $(sort $(wildcard extension/promo--*.sql)) \
       extension/promo_proxy.control $(sort $(wildcard extension/promo_proxy--*.sql))
PGFILEDESC = "promo - atomic promo-code redemption"

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
ISOLATION = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test

PG_CONFIG ?= pg_config
# PostgreSQL's headers are treated as system headers so that -Wextra speaks
# only of promo's own code; C++17 needs -Wno-register for them.
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server) -Iextension
PG_CXXFLAGS = -std=c++17 -Wextra -Werror -Wno-register $(PROMO_CXXFLAGS)
SHLIB_LINK = -lstdc++ $(PROMO_LDFLAGS)
EXTRA_CLEAN = client/promo-client client/promo-client-tests client/*.o client/tests/*.o test/tools/lost_reply_proxy test/tools/input_sweep \
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

# Test tools (built by the tests that use them).
test/tools/lost_reply_proxy: test/tools/lost_reply_proxy.cpp
	$(CXX) $(CLIENT_CXXFLAGS) -o $@ $< -pthread

test/tools/input_sweep: test/tools/input_sweep.cpp
	$(CXX) $(CLIENT_CXXFLAGS) -o $@ $< $(CLIENT_LIBS)

# `make` builds the server module alone (no libpqxx needed); the client is
# `make client` and `make install-client`.
.PHONY: client install-client
client: client/promo-client
install-client: client/promo-client
	install -D -m 755 client/promo-client '$(DESTDIR)$(PREFIX)/bin/promo-client'

# --- the two commands --------------------------------------------------------
.PHONY: demo test faults bench valgrind-test scale-demo scale-bench
demo:
	bash test/demo.sh

test:
	bash test/run-all.sh

# The benchmark against the seed; see test/bench.sh.
bench:
	bash test/bench.sh

# The fault, sweep and soak suites in their long form; see test/faults.sh.
faults:
	bash test/faults.sh

scale-demo:
	bash test/scale_demo.sh

scale-bench:
	bash test/scale_bench.sh

# The regression suites again, with every backend under valgrind memcheck.
valgrind-test:
	bash test/valgrind.sh
