# Test targets, included by the top-level GNUmakefile.
#
# make test runs, in order: unit tests (CUnit), ABI conformance (fake
# plugins), the Tcl integration suite over tcp and unix, then the TLS suites
# for each TLS transport that was built.

UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(UNIT_SRC:.c=)
ABI_FAKE_SRC := $(wildcard tests/abi/fake-*.c)
ABI_FAKES := $(ABI_FAKE_SRC:.c=.so)
TEST_JOBS ?= 4

.PHONY: deps tests-clean

deps:
	@./utils/deps.sh

test: deps all
	@$(MAKE) --no-print-directory test-unit test-abi
	@$(MAKE) --no-print-directory test-integration
	@$(MAKE) --no-print-directory test-tls

tests/unit/test-%: tests/unit/test-%.c $(CORE_OBJ)
	$(call say,LINK,$@)$(CC) $(ALL_CFLAGS) -Isrc -o $@ $< $(CORE_OBJ) $(ALL_LDFLAGS) -lcunit $(SERVER_LIBS)

test-unit: $(UNIT_BIN) $(TRANSPORTS)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; ./$$t; done

tests/abi/%.so: tests/abi/%.c include/keyport/transport.h
	$(call say,CC,$@)$(CC) $(PLUGIN_CFLAGS) -o $@ $< $(PLUGIN_LDFLAGS)

test-abi: src/keyport-server $(ABI_FAKES) $(TRANSPORTS)
	@tclsh tests/abi/run.tcl

test-integration: all
	@./runtest --transport tcp --clients $(TEST_JOBS)
	@./runtest --transport unix --clients $(TEST_JOBS)

test-tls: all
	@set -e; for t in openssl gnutls; do \
	  if [ -f transports/$$t/keyport-$$t.so ]; then ./runtest --transport $$t --clients $(TEST_JOBS); \
	  else echo "test-tls: $$t transport not built, skipped"; fi; done

tests-clean:
	rm -f $(UNIT_BIN) tests/abi/*.so tests/abi/*.o tests/abi/*.d
	rm -rf tests/tmp
