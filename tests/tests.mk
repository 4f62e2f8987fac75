# Test targets, included by the top-level GNUmakefile.
#
# make test runs, in order: unit tests (CUnit), ABI conformance (fake
# plugins), the Tcl integration suite over tcp and unix, the differential
# test against redis-server, then the TLS suites for each TLS transport that
# was built.

UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(UNIT_SRC:.c=)
ABI_FAKE_SRC := $(wildcard tests/abi/fake-*.c)
ABI_FAKES := $(ABI_FAKE_SRC:.c=.so)
TEST_JOBS ?= 4

.PHONY: deps tests-clean difftest test-man

# Man pages: render cleanly, match --help and the config table (skips
# without groff).
test-man: $(PROGRAMS)
	@./tests/manpages.sh

deps:
	@./utils/deps.sh

test: deps all
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory test-unit test-abi test-man
	@$(MAKE) --no-print-directory test-integration
	@$(MAKE) --no-print-directory difftest
	@$(MAKE) --no-print-directory test-tls
	@if command -v dpkg-buildpackage >/dev/null 2>&1 && dpkg -s debhelper >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory package-test; \
	else echo "package-test: dpkg-buildpackage or debhelper not installed, skipped"; fi

tests/unit/test-%: tests/unit/test-%.c $(CORE_OBJ)
	$(call say,LINK,$@)$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< $(CORE_OBJ) $(ALL_LDFLAGS) -lcunit $(CORE_LIBS)

test-unit: $(UNIT_BIN) $(TRANSPORTS)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; ./$$t; done

tests/abi/%.so: tests/abi/%.c include/keyport/transport.h
	$(call say,CC,$@)$(CC) $(PLUGIN_CFLAGS) -o $@ $< $(PLUGIN_LDFLAGS)

# test-loader (a unit test) loads the fakes by path.
test-unit: $(ABI_FAKES)

test-abi: src/keyport-server $(ABI_FAKES) $(TRANSPORTS)
	@tclsh tests/abi/run.tcl

test-integration: all
	@./runtest --transport tcp --clients $(TEST_JOBS)
	@./runtest --transport unix --clients $(TEST_JOBS)

# Differential test (tests/difftest/difftest.py): keyport and Debian's
# redis-server get the same seeded random command stream, replies and
# keyspace notifications are compared. DIFFTEST_OPS bounds the run (about
# 20 s by default). The seed is fixed so that make test is reproducible
# (747825075 once found a PFADD crash within its first 1,400 operations);
# DIFFTEST_SEED=N runs another stream, DIFFTEST_SEED=random draws one (the
# seed is printed, as is a line that replays a failing run).
DIFFTEST_OPS ?= 60000
DIFFTEST_SEED ?= 747825075
difftest: src/keyport-server $(TRANSPORTS)
	@DIFFTEST_OPS=$(DIFFTEST_OPS) DIFFTEST_SEED=$(DIFFTEST_SEED) /usr/bin/python3 tests/difftest/difftest.py

test-tls: all
	@set -e; for t in openssl gnutls; do \
	  if [ -f transports/$$t/keyport-$$t.so ]; then ./runtest --transport $$t --clients $(TEST_JOBS); \
	  else echo "test-tls: $$t transport not built, skipped"; fi; done

# ---- fuzzing (clang + libFuzzer) ----------------------------------------------
# Each tests/fuzz/fuzz-NAME.c is a libFuzzer target with its own link rule
# below (the target plus the few sources it needs). `make fuzz` runs every
# target for FUZZ_SECONDS, starting from its committed seed corpus
# tests/fuzz/seed-NAME (new inputs go to tests/tmp/fuzz-NAME). Crashes are written to tests/tmp/ and, once fixed,
# become unit-test regression cases.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-D_GNU_SOURCE -Iinclude -Isrc -I/usr/include/liblzf
FUZZ_TARGETS := $(patsubst %.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_LINK = $(call say,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ -lm

tests/fuzz/fuzz-resp: tests/fuzz/fuzz-resp.c src/resp.c src/kstr.c src/zmalloc.c src/util.c
	$(FUZZ_LINK)

# The config parser reaches most of the server (listeners, transports).
tests/fuzz/fuzz-config: tests/fuzz/fuzz-config.c $(filter-out src/main.c,$(SERVER_SRC))
	$(FUZZ_LINK) -ldl -lpthread -llzf

# The RDB loader and DUMP decoder decode every value type: the whole core.
tests/fuzz/fuzz-rdb: tests/fuzz/fuzz-rdb.c $(filter-out src/main.c,$(SERVER_SRC))
	$(FUZZ_LINK) -ldl -lpthread -llzf

fuzz: $(FUZZ_TARGETS)
	@set -e; for t in $(FUZZ_TARGETS); do n=$${t#tests/fuzz/}; \
	  mkdir -p tests/tmp/$$n; echo "== $$t ($(FUZZ_SECONDS)s)"; \
	  ./$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=tests/tmp/$$n- tests/tmp/$$n tests/fuzz/seed-$${n#fuzz-}; done

tests-clean:
	rm -f $(UNIT_BIN) tests/abi/*.so tests/abi/*.o tests/abi/*.d $(FUZZ_TARGETS)
	rm -rf tests/tmp
