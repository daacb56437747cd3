# kumo - one Makefile: `make`, `make test`, `make asan`, `make bench`, `make demo`.
# V=1 shows full commands.  As packagers expect: CFLAGS, CPPFLAGS and LDFLAGS are added to
# kumo's own, and `make install` honours PREFIX (/usr/local), SYSCONFDIR, LIBDIR, INCLUDEDIR,
# MANDIR and DESTDIR.

SHELL    := /bin/bash
PKGS     := libcurl libevent libxml-2.0 sqlite3 libpcre2-8 libidn2 libpsl libedit libcrypto zlib \
            libbrotlidec hiredis
TESTPKGS := criterion libbrotlienc
# Loaded with dlopen() when a command needs them (src/util/dlib.h), not linked: their headers
# build kumo, scripts/gen-sonames writes the sonames they were built for into sonames.h.
DLPKGS   := libedit hiredis
PREFIX   ?= /usr/local
SYSCONFDIR ?= $(PREFIX)/etc
LIBDIR   ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR   ?= $(PREFIX)/share/man
BUILD    ?= build
SANITIZE ?=
VERSION  := $(shell sed -n 's/^\#define KUMO_VERSION "\(.*\)"/\1/p' include/kumo/kumo.h)

# Packages: `make deps` installs what is missing (scripts/install-deps.sh), and so do the two
# targets a newcomer types, `make demo` and `make test`; any other target stops with one line.
ifeq ($(filter clean deps uninstall,$(MAKECMDGOALS)),)
  ifeq ($(shell pkg-config --exists $(PKGS) $(TESTPKGS) 2>/dev/null && echo ok),)
    ifneq ($(filter demo test asan,$(MAKECMDGOALS)),)
      $(info kumo: missing libraries, running scripts/install-deps.sh (make deps))
      $(if $(shell scripts/install-deps.sh >&2 && echo ok),,$(error scripts/install-deps.sh failed))
    else
      $(error missing libraries:$(shell for m in $(PKGS) $(TESTPKGS); do \
          pkg-config --exists $$m || printf ' %s' $$m; done); run 'make deps' (it installs\
          $(or $(shell scripts/install-deps.sh --missing),the packages)))
    endif
  endif
endif

CC       ?= cc
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
OPT      ?= -O2 -g
DIRS     := -DKUMO_CONF_PATH='"$(SYSCONFDIR)/kumo/kumo.conf"' \
            -DKUMO_SPIDER_LIBDIR='"$(LIBDIR)/kumo/spiders"' -DKUMO_INCLUDE_DIR='"$(INCLUDEDIR)"'
KCFLAGS  := $(OPT) $(EXTRA_CFLAGS) -std=gnu11 -D_GNU_SOURCE $(WARN) -fPIC -Iinclude -Isrc -Itests \
            -I$(BUILD)/gen $(SANITIZE) $(DIRS) $(shell pkg-config --cflags $(PKGS)) -MMD -MP \
            $(CPPFLAGS) $(CFLAGS)
KLDFLAGS := $(LDFLAGS)
LDLIBS   := $(shell pkg-config --libs $(filter-out $(DLPKGS),$(PKGS))) -lm -ldl -lpthread
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
DOCS    := $(sort $(wildcard doc/*.md))
DOCSRC  := $(BUILD)/gen/docs.c
CLIOBJ  := $(CLISRC:%.c=$(BUILD)/%.o) $(DOCSRC:.c=.o)
TESTOBJ := $(TESTSRC:%.c=$(BUILD)/%.o)
LIBKUMO := $(BUILD)/libkumo.a
TESTBIN := $(BUILD)/kumo-test
DEMOBIN := $(BUILD)/kumo-demo-site
BIN     ?= kumo
SPIDERDIR ?= spiders
SPIDERSO := $(patsubst spiders/%.c,$(SPIDERDIR)/%.so,$(sort $(wildcard spiders/*.c)))

.PHONY: all spiders test asan tsan valgrind bench bench-real bench-redis demo install uninstall \
        deps deb check-install clean lint seltool conf man fuzz fuzz-build
all: $(BIN) $(SPIDERSO)
spiders: $(SPIDERSO)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(KCFLAGS) -c -o $@ $<

# The doc/ pages, built into the binary for `kumo help TOPIC`.
$(DOCSRC): $(DOCS) scripts/gen-docs
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)scripts/gen-docs $(DOCS) > $@.tmp && mv $@.tmp $@

$(DOCSRC:.c=.o): $(DOCSRC)
	$(call say,CC,$<)$(CC) $(KCFLAGS) -c -o $@ $<

# The Redis Functions library (src/redis/kumo.lua) is embedded as a C string.
$(BUILD)/gen/redis_lua.h: src/redis/kumo.lua
	@mkdir -p $(dir $@)
	$(call say,GEN,$@){ echo '/* generated from src/redis/kumo.lua by the Makefile */'; \
	    echo 'static const char redis_lua[] ='; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $<; \
	    echo ';'; } > $@.tmp && mv $@.tmp $@
$(BUILD)/src/redis/queue_redis.o: $(BUILD)/gen/redis_lua.h

# The sonames of the dlopen()ed libraries, from the linker; again when a .pc file changes.
SONAMES := $(BUILD)/gen/sonames.h
$(SONAMES): scripts/gen-sonames $(foreach p,$(DLPKGS),$(wildcard \
            $(shell pkg-config --variable=pcfiledir $(p) 2>/dev/null)/$(p).pc))
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)CC='$(CC)' LDFLAGS='$(LDFLAGS)' scripts/gen-sonames \
	    HIREDIS:hiredis:hiredis EDIT:edit:libedit > $@.tmp && mv $@.tmp $@
$(BUILD)/src/redis/hiredis_dl.o $(BUILD)/src/cli/editline.o: $(SONAMES)
$(BUILD)/tests/unit/redis/test_hiredis_dl.o $(BUILD)/tests/unit/cli/test_editline.o: $(SONAMES)
$(BUILD)/tests/integration/test_dlopen.o: $(SONAMES)

# The web service's page is embedded with .incbin: its object depends on the page.
$(BUILD)/src/ext/webpage.o: src/ext/webpage.html

$(LIBKUMO): $(LIBOBJ)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

# Plugins link against exactly what include/kumo/ declares: --whole-archive keeps every
# public function in the binary, the dynamic list (made from the headers) exports those only.
EXPORTS := $(BUILD)/kumo.exports
$(EXPORTS): $(wildcard include/kumo/*.h) scripts/gen-exports
	@mkdir -p $(BUILD)
	$(call say,GEN,$@)scripts/gen-exports --list > $@.tmp && mv $@.tmp $@

$(BIN): $(CLIOBJ) $(LIBKUMO) $(EXPORTS)
	$(call say,LINK,$@)$(CC) $(KCFLAGS) $(KLDFLAGS) -Wl,--dynamic-list=$(EXPORTS) -o $@ $(CLIOBJ) \
	    -Wl,--whole-archive $(LIBKUMO) -Wl,--no-whole-archive $(LDLIBS)

$(SPIDERDIR)/%.so: spiders/%.c
	@mkdir -p $(SPIDERDIR) $(BUILD)/spiders
	$(call say,SPIDER,$@)$(CC) $(KCFLAGS) $(KLDFLAGS) -MF $(BUILD)/spiders/$*.d -MT $@ -shared -o $@ $<

$(TESTBIN): $(TESTOBJ) $(LIBKUMO) $(EXPORTS)
	$(call say,LINK,$@)$(CC) $(KCFLAGS) $(KLDFLAGS) -Wl,--dynamic-list=$(EXPORTS) -o $@ $(TESTOBJ) \
	    -Wl,--whole-archive $(LIBKUMO) -Wl,--no-whole-archive $(LDLIBS) $(TESTLIBS)

DEMOOBJ := $(BUILD)/tests/lib/demo_main.o $(BUILD)/tests/lib/server.o \
           $(BUILD)/tests/lib/site_quotes.o $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/lib/routes_*.c))
$(DEMOBIN): $(DEMOOBJ) $(LIBKUMO)
	$(call say,LINK,$@)$(CC) $(KCFLAGS) $(KLDFLAGS) -o $@ $^ $(LDLIBS) $(TESTLIBS)

# A selector driver for scripts/parsel-diff.py: kumo-seltool PAGE EXPR... prints repr()s.
SELTOOL := $(BUILD)/kumo-seltool
$(SELTOOL): $(BUILD)/tests/lib/seltool.o $(BUILD)/tests/lib/lecases.o $(LIBKUMO)
	$(call say,LINK,$@)$(CC) $(KCFLAGS) $(KLDFLAGS) -o $@ $(filter %.o,$^) \
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
	$(call say,LINK,$@)$(CC) $(KCFLAGS) $(KLDFLAGS) -o $@ $(filter %.o,$^) \
	    -Wl,--whole-archive $(LIBKUMO) -Wl,--no-whole-archive $(LDLIBS)

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/fuzz_%.o $(LIBKUMO)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(KCFLAGS) $(KLDFLAGS) -fsanitize=fuzzer -o $@ $< \
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
	@for check in "scripts/check-layers $(BUILD)" scripts/check-console-order \
	    "scripts/check-docs ./$(BIN)"; do \
	    out=$$($$check 2>&1) || { echo "$$out"; exit 1; }; echo "$$out" | tail -1; done
	@n=0; for t in $(FUZZNAMES); do \
	    out=$$($(TESTENV) $(BUILD)/fuzz-replay/$$t tests/fuzz/corpus/$$t) || \
	        { echo "$$out"; echo "fuzz replay: $$t failed"; exit 1; }; \
	    n=$$((n + $$(echo "$$out" | tail -1 | awk '{print $$2}'))); done; \
	    echo "fuzz replay: $$n inputs through $(words $(FUZZNAMES)) harnesses, all fine"
	$(TESTENV) KUMO_SPIDER_DIR=$(SPIDERDIR) KUMO_BIN=./$(BIN) ./$(TESTBIN) --jobs 2 $(TESTARGS)
	$(if $(SANITIZE),,scripts/check-install.sh)

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

# The Redis scheduler against the memory one on the bench site: CPU per page, 2 workers vs 1,
# Redis memory per seen url (scripts/bench-redis.sh; needs redis-server).
bench-redis: all
	scripts/bench-redis.sh --pages 2000 --shared $(SHARED)

demo: all $(DEMOBIN)
	scripts/demo.sh

deps:
	scripts/install-deps.sh

# What `make install` puts where; `make uninstall` removes exactly these.  The headers are
# what `kumo runspider` and out-of-tree spiders compile against (kumo.pc gives their flags).
ABI := $(shell sed -n 's/^\#define KUMO_ABI \([0-9]*\)$$/\1/p' include/kumo/spider.h)
PCFILE := $(BUILD)/kumo.pc
$(PCFILE): scripts/kumo.pc.in include/kumo/kumo.h include/kumo/spider.h
	@mkdir -p $(BUILD)
	$(call say,GEN,$@)sed -e 's|@PREFIX@|$(PREFIX)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@LIBDIR@|$(LIBDIR)|; s|@VERSION@|$(VERSION)|; s|@ABI@|$(ABI)|' $< > $@

MANPAGES := $(wildcard doc/*.1)
HEADERS  := $(wildcard include/kumo/*.h)
INSTALLED := $(PREFIX)/bin/kumo $(HEADERS:include/%=$(INCLUDEDIR)/%) \
    $(SPIDERSO:$(SPIDERDIR)/%=$(LIBDIR)/kumo/spiders/%) $(SYSCONFDIR)/kumo/kumo.conf \
    $(LIBDIR)/pkgconfig/kumo.pc $(MANPAGES:doc/%=$(MANDIR)/man1/%)

install: all $(PCFILE)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(INCLUDEDIR)/kumo \
	    $(DESTDIR)$(LIBDIR)/kumo/spiders $(DESTDIR)$(SYSCONFDIR)/kumo \
	    $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/kumo
	install -m 644 $(HEADERS) $(DESTDIR)$(INCLUDEDIR)/kumo/
	install -m 755 $(SPIDERSO) $(DESTDIR)$(LIBDIR)/kumo/spiders/
	install -m 644 conf/kumo.conf $(DESTDIR)$(SYSCONFDIR)/kumo/kumo.conf
	install -m 644 $(PCFILE) $(DESTDIR)$(LIBDIR)/pkgconfig/kumo.pc
	install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(INSTALLED:%=$(DESTDIR)%)
	-rmdir $(DESTDIR)$(INCLUDEDIR)/kumo $(DESTDIR)$(LIBDIR)/kumo/spiders \
	    $(DESTDIR)$(LIBDIR)/kumo $(DESTDIR)$(SYSCONFDIR)/kumo 2>/dev/null

# Install into a temporary root, build a spider out of the tree with pkg-config, load it with
# the installed binary, uninstall: nothing may be left behind (scripts/check-install.sh).
check-install: all
	scripts/check-install.sh

# A Debian package of kumo (binary, spiders, headers, kumo.pc, man pages, conf in /etc),
# built with dpkg-deb in build-deb/: `apt install ./build-deb/kumo_VERSION_ARCH.deb`.
deb:
	scripts/make-deb.sh

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
	    $(LIBSRC) -- $(KCFLAGS) 2>/dev/null | grep -E 'warning:' | head -50

clean:
	rm -rf build build-asan build-tsan build-fuzz build-deb kumo spiders/*.so

-include $(LIBOBJ:.o=.d) $(CLIOBJ:.o=.d) $(TESTOBJ:.o=.d) $(DEMOOBJ:.o=.d) \
    $(FUZZSRC:%.c=$(BUILD)/%.d) $(BUILD)/tests/fuzz/driver.d \
    $(BUILD)/tests/lib/seltool.d \
    $(wildcard $(BUILD)/spiders/*.d)
