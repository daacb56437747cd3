# kumo - one Makefile: `make`, `make test`, `make asan`, `make bench`, `make demo`.
# V=1 shows full commands.  PREFIX=/usr/local for `make install`.

SHELL    := /bin/bash
PKGS     := libcurl libevent libxml-2.0 sqlite3 libpcre2-8 libidn2 zlib
TESTPKGS := criterion
PREFIX   ?= /usr/local
BUILD    ?= build
SANITIZE ?=

ifeq ($(shell pkg-config --exists $(PKGS) $(TESTPKGS) 2>/dev/null && echo ok),)
  ifeq ($(filter clean,$(MAKECMDGOALS)),)
    $(info kumo: missing libraries, running scripts/install-deps.sh)
    $(if $(shell scripts/install-deps.sh >&2 && echo ok),,$(error scripts/install-deps.sh failed))
  endif
endif

CC       ?= cc
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
OPT      ?= -O2 -g
CFLAGS   := $(OPT) $(EXTRA_CFLAGS) -std=gnu11 -D_GNU_SOURCE $(WARN) -fPIC -Iinclude -Isrc -Itests $(SANITIZE) \
            $(shell pkg-config --cflags $(PKGS)) -MMD -MP
LDLIBS   := $(shell pkg-config --libs $(PKGS)) -lm -ldl -lpthread
TESTLIBS := $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)

ifeq ($(V),1)
  Q :=
  say :=
else
  Q := @
  say = @printf '  %-6s %s\n' $(1) $(2);
endif

LIBSRC  := $(sort $(wildcard src/*/*.c))
LIBSRC  := $(filter-out src/cli/%,$(LIBSRC))
CLISRC  := $(sort $(wildcard src/cli/*.c))
TESTSRC := $(filter-out tests/lib/demo_main.c tests/lib/seltool.c,\
             $(sort $(wildcard tests/unit/*/*.c tests/integration/*.c tests/lib/*.c)))
SPIDERS := $(patsubst %.c,%.so,$(sort $(wildcard spiders/*.c)))

LIBOBJ  := $(LIBSRC:%.c=$(BUILD)/%.o)
CLIOBJ  := $(CLISRC:%.c=$(BUILD)/%.o)
TESTOBJ := $(TESTSRC:%.c=$(BUILD)/%.o)
LIBKUMO := $(BUILD)/libkumo.a
TESTBIN := $(BUILD)/kumo-test
DEMOBIN := $(BUILD)/kumo-demo-site
BIN     ?= kumo
SPIDERDIR ?= spiders
SPIDERSO := $(patsubst spiders/%.c,$(SPIDERDIR)/%.so,$(sort $(wildcard spiders/*.c)))

.PHONY: all spiders test asan tsan valgrind bench bench-real demo install clean lint seltool \
        conf man fuzz fuzz-build
all: $(BIN) $(SPIDERSO)
spiders: $(SPIDERSO)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(CFLAGS) -c -o $@ $<

$(LIBKUMO): $(LIBOBJ)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

# Plugins link against exactly what include/kumo/ declares: --whole-archive keeps every
# public function in the binary, the dynamic list (made from the headers) exports those only.
EXPORTS := $(BUILD)/kumo.exports
$(EXPORTS): $(wildcard include/kumo/*.h) scripts/gen-exports
	@mkdir -p $(BUILD)
	$(call say,GEN,$@)scripts/gen-exports --list > $@.tmp && mv $@.tmp $@

$(BIN): $(CLIOBJ) $(LIBKUMO) $(EXPORTS)
	$(call say,LINK,$@)$(CC) $(CFLAGS) -Wl,--dynamic-list=$(EXPORTS) -o $@ $(CLIOBJ) \
	    -Wl,--whole-archive $(LIBKUMO) -Wl,--no-whole-archive $(LDLIBS)

$(SPIDERDIR)/%.so: spiders/%.c
	@mkdir -p $(SPIDERDIR) $(BUILD)/spiders
	$(call say,SPIDER,$@)$(CC) $(CFLAGS) -MF $(BUILD)/spiders/$*.d -MT $@ -shared -o $@ $<

$(TESTBIN): $(TESTOBJ) $(LIBKUMO) $(EXPORTS)
	$(call say,LINK,$@)$(CC) $(CFLAGS) -Wl,--dynamic-list=$(EXPORTS) -o $@ $(TESTOBJ) \
	    -Wl,--whole-archive $(LIBKUMO) -Wl,--no-whole-archive $(LDLIBS) $(TESTLIBS)

DEMOOBJ := $(BUILD)/tests/lib/demo_main.o $(BUILD)/tests/lib/server.o \
           $(BUILD)/tests/lib/site_quotes.o $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/lib/routes_*.c))
$(DEMOBIN): $(DEMOOBJ) $(LIBKUMO)
	$(call say,LINK,$@)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(TESTLIBS)

# A selector driver for scripts/parsel-diff.py: kumo-seltool PAGE EXPR... prints repr()s.
SELTOOL := $(BUILD)/kumo-seltool
$(SELTOOL): $(BUILD)/tests/lib/seltool.o $(LIBKUMO)
	$(call say,LINK,$@)$(CC) $(CFLAGS) -o $@ $< \
	    -Wl,--whole-archive $(LIBKUMO) -Wl,--no-whole-archive $(LDLIBS)

# Fuzzing: each tests/fuzz/fuzz_NAME.c is a libFuzzer harness with its seeds and every crash
# it ever found in tests/fuzz/corpus/NAME/.  `make test` replays the corpora through the
# harnesses built with this build's compiler and a standalone main() (tests/fuzz/driver.c);
# `make fuzz` builds the clang + libFuzzer + ASan/UBSan harnesses in build-fuzz/, and
# `make fuzz FUZZ_SECONDS=N` runs each for N seconds (tests/fuzz/run.sh).
FUZZSRC   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZNAMES := $(patsubst tests/fuzz/fuzz_%.c,%,$(FUZZSRC))
REPLAYBIN := $(FUZZNAMES:%=$(BUILD)/fuzz-replay/%)
FUZZCC    ?= clang
FUZZ_SECONDS ?=

$(BUILD)/fuzz-replay/%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/driver.o $(LIBKUMO)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(CFLAGS) -o $@ $(filter %.o,$^) \
	    -Wl,--whole-archive $(LIBKUMO) -Wl,--no-whole-archive $(LDLIBS)

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/fuzz_%.o $(LIBKUMO)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    -Wl,--whole-archive $(LIBKUMO) -Wl,--no-whole-archive $(LDLIBS)

fuzz-build: $(FUZZNAMES:%=$(BUILD)/fuzz/%)
.SECONDARY: $(FUZZSRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/fuzz/driver.o

fuzz:
	$(MAKE) BUILD=build-fuzz CC=$(FUZZCC) OPT="-O1 -g" fuzz-build \
	    SANITIZE="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	              -fno-sanitize-recover=all"
	$(if $(FUZZ_SECONDS),tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZNAMES))

# conf/kumo.conf is generated from the settings table (src/core/settings_defaults.c).
conf: $(BIN)
	./$(BIN) settings --conf > conf/kumo.conf

seltool: $(SELTOOL)

# Every test; deterministic, talks to 127.0.0.1 only.  First the floors: no include or call
# points up (scripts/check-layers), and the console reads top-down.  KUMO_SPIDER_DIR lets the
# plugin tests load the spiders built for this configuration.
test: $(TESTBIN) $(BIN) $(SPIDERSO) $(REPLAYBIN)
	@for check in "scripts/check-layers $(BUILD)" scripts/check-console-order; do \
	    out=$$($$check 2>&1) || { echo "$$out"; exit 1; }; echo "$$out" | tail -1; done
	@n=0; for t in $(FUZZNAMES); do \
	    out=$$($(TESTENV) $(BUILD)/fuzz-replay/$$t tests/fuzz/corpus/$$t) || \
	        { echo "$$out"; echo "fuzz replay: $$t failed"; exit 1; }; \
	    n=$$((n + $$(echo "$$out" | tail -1 | awk '{print $$2}'))); done; \
	    echo "fuzz replay: $$n inputs through $(words $(FUZZNAMES)) harnesses, all fine"
	$(TESTENV) KUMO_SPIDER_DIR=$(SPIDERDIR) KUMO_BIN=./$(BIN) ./$(TESTBIN) --jobs 2 $(TESTARGS)

# Criterion runs each test in a child process whose sanitizer report does not always fail
# the test: the run's output is also searched for any report.
asan:
	@mkdir -p build-asan
	set -o pipefail; $(MAKE) BUILD=build-asan BIN=build-asan/kumo SPIDERDIR=build-asan/spiders \
	    SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    OPT="-O1 -g" test \
	    TESTENV="ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1" \
	    2>&1 | tee build-asan/test.log
	@! grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' build-asan/test.log

# ThreadSanitizer on real crawls of the demo site with parse threads (Criterion's runner does
# not start under TSan): scripts/tsan-crawl.sh fails on any report.
tsan:
	$(MAKE) BUILD=build-tsan BIN=build-tsan/kumo SPIDERDIR=build-tsan/spiders \
	    SANITIZE="-fsanitize=thread" OPT="-O1 -g" build-tsan/kumo build-tsan/kumo-demo-site \
	    build-tsan/spiders/quotes.so build-tsan/spiders/follow.so
	scripts/tsan-crawl.sh build-tsan

# A real crawl of the demo site under valgrind --leak-check=full: nothing definitely lost.
valgrind: all $(DEMOBIN)
	scripts/valgrind-crawl.sh

# compare.sh runs the crawlers from its own output directory: give it kumo's full path.
SHARED ?= ../shared
bench: all
	$(SHARED)/bench/compare.sh --pages 2000 --scrapy \
	    --kumo '$(CURDIR)/kumo crawl bench -a url={url} -o {out}'

# kumo, wget2 and (with SCRAPY=1) Scrapy on two real documentation trees: wall, CPU, RSS.
bench-real: all
	scripts/bench-real.sh --runs 3 $(if $(SCRAPY),--scrapy)

demo: all $(DEMOBIN)
	scripts/demo.sh

# The headers are what `kumo runspider` compiles against (PREFIX/include, found from the
# binary's PREFIX/bin); the man page is doc/kumo.1.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/kumo \
	    $(DESTDIR)$(PREFIX)/lib/kumo/spiders $(DESTDIR)$(PREFIX)/etc/kumo \
	    $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 kumo $(DESTDIR)$(PREFIX)/bin/kumo
	install -m 644 include/kumo/*.h $(DESTDIR)$(PREFIX)/include/kumo/
	install -m 755 spiders/*.so $(DESTDIR)$(PREFIX)/lib/kumo/spiders/
	install -m 644 conf/kumo.conf $(DESTDIR)$(PREFIX)/etc/kumo/kumo.conf
	install -m 644 doc/kumo.1 $(DESTDIR)$(PREFIX)/share/man/man1/kumo.1

# The man page renders without a warning (groff, when installed).
man:
	@if command -v groff >/dev/null; then \
	    out=$$(groff -man -Tutf8 -ww -z doc/kumo.1 2>&1); \
	    if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; echo "doc/kumo.1: ok"; \
	else echo "man: groff is not installed, doc/kumo.1 not checked"; fi

# Style report (does not fail the build): clang-format against .clang-format, then
# clang-tidy's bug-prone checks.
lint:
	-clang-format --dry-run $(LIBSRC) $(CLISRC) include/kumo/*.h 2>&1 | grep -c warning
	-clang-tidy -quiet -checks='-*,bugprone-*,-bugprone-easily-swappable-parameters' \
	    $(LIBSRC) -- $(CFLAGS) 2>/dev/null | grep -E 'warning:' | head -50

clean:
	rm -rf build build-asan build-tsan build-fuzz kumo spiders/*.so

-include $(LIBOBJ:.o=.d) $(CLIOBJ:.o=.d) $(TESTOBJ:.o=.d) $(DEMOOBJ:.o=.d) \
    $(FUZZSRC:%.c=$(BUILD)/%.d) $(BUILD)/tests/fuzz/driver.d \
    $(BUILD)/tests/lib/seltool.d \
    $(wildcard $(BUILD)/spiders/*.d)
