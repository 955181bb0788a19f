# SwiftBPF: a drop-in libbpf.so.1 (libbpf 1.1.2 ABI) written in Embedded Swift.
#
#   make            build build/libbpf.so.1.1.2 (+ symlinks), build/libbpf.a, build/libbpf.pc
#   make install    DESTDIR, PREFIX (/usr/local), LIBDIR, INCLUDEDIR as libbpf's Makefile
#   make test       Swift unit tests (normal Swift) + C conformance/differential tests (Embedded .so)
#   make demo       build, install into build/demo-prefix, run a C consumer against it
#   make bench      ours/reference ratios
#   make status     regenerate abi/STATUS.md

VERSION      := 1.1.2
SONAME       := libbpf.so.1
PREFIX       ?= /usr/local
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

SWIFTC       ?= swiftc
CC           ?= cc
BUILD        := build
OBJ          := $(BUILD)/obj
EMBEDDED_LIB := $(dir $(shell command -v $(SWIFTC)))../lib/swift/embedded/x86_64-unknown-linux-gnu

HEADERS      := libbpf.h bpf.h btf.h libbpf_common.h libbpf_legacy.h libbpf_version.h
SWIFT_SRCS   := $(shell find Sources/BPFCore Sources/LibBPF -name '*.swift' | LC_ALL=C sort)
GLUE_SRCS    := Sources/CBPF/glue.c
CBPF_HDRS    := $(wildcard Sources/CBPF/include/*.h)
PUBLIC_HDRS  := $(addprefix include/bpf/,$(HEADERS))

# One whole-module Embedded compile of core + C-ABI layer: no Swift runtime at run time.
# -Osize with LLVM's machine outliner: the library is 2x smaller than with -O
# (the reference's size is the yardstick); the hot paths measured by `make bench`
# stay within their targets (see bench/*.sh), a few carry @_optimize(speed).
SWIFTFLAGS   := -enable-experimental-feature Embedded -wmo -parse-as-library -Osize \
                -Xllvm -enable-machine-outliner=always \
                -module-name SwiftBPF -D SWIFTBPF_EMBEDDED \
                -I Sources/CBPF/include -Xcc -fPIC -Xfrontend -function-sections
CFLAGS_GLUE  := -O2 -fPIC -ffunction-sections -Wall -Wextra -I Sources/CBPF/include

.PHONY: FORCE all deps install uninstall test unit-test c-test demo bench status clean
all: $(BUILD)/libbpf.so.$(VERSION) $(BUILD)/libbpf.a $(BUILD)/libbpf.pc

# Packages a fresh Debian machine of this kind lacks; installed only when missing.
DEB_PKGS := libelf-dev zlib1g-dev pkg-config libbpf-dev linux-libc-dev gcc g++ binutils libxdp1
deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

$(OBJ)/swiftbpf.o: $(SWIFT_SRCS) $(PUBLIC_HDRS) $(CBPF_HDRS) scripts/set-default-visibility.py | deps
	@mkdir -p $(OBJ)
	$(SWIFTC) $(SWIFTFLAGS) -c $(SWIFT_SRCS) -o $@
	python3 scripts/set-default-visibility.py $@ abi/reference-symbols.txt

$(OBJ)/glue.o: $(GLUE_SRCS) $(CBPF_HDRS) $(PUBLIC_HDRS) | deps
	@mkdir -p $(OBJ)
	$(CC) $(CFLAGS_GLUE) -c $< -o $@

# Code layout: the functions a bpf_object open+close runs (bench/text-order.txt,
# made by bench/src/gen-text-order.sh) go first in .text, in that order: their
# -function-sections sections are renamed .text.sorted.NNNNN, which GNU ld's
# default script places first, sorted by name. An open then touches ~150 KB of
# contiguous code instead of pages all over .text: a consumer's resident memory
# (the kernel maps 64 KiB around each faulting page), i-cache and TLB. Names not
# in the build are ignored (those functions stay where the linker puts them).
TEXT_ORDER   := bench/text-order.txt
$(OBJ)/text-order.args: $(TEXT_ORDER)
	@mkdir -p $(OBJ)
	awk 'NF { printf "--rename-section %s=.text.sorted.%05d\n", $$1, NR }' $< > $@

$(OBJ)/%.ordered.o: $(OBJ)/%.o $(OBJ)/text-order.args
	objcopy @$(OBJ)/text-order.args $< $@

# Linked with full symbols into $(BUILD)/.debug/ (where gdb, valgrind and perf
# look for the .gnu_debuglink file), shipped stripped like the reference.
$(BUILD)/libbpf.so.$(VERSION): $(OBJ)/swiftbpf.ordered.o $(OBJ)/glue.ordered.o libbpf.map
	@mkdir -p $(BUILD)/.debug
	$(CC) -shared -o $(BUILD)/.debug/libbpf.so.$(VERSION).debug $(OBJ)/swiftbpf.ordered.o $(OBJ)/glue.ordered.o \
	  -Wl,-soname,$(SONAME) -Wl,--version-script=libbpf.map -Wl,--gc-sections \
	  -Wl,-z,defs -Wl,-z,relro -Wl,-z,now -Wl,--no-as-needed -lelf -lz -lc
	objcopy --strip-all --add-gnu-debuglink=$(BUILD)/.debug/libbpf.so.$(VERSION).debug \
	  $(BUILD)/.debug/libbpf.so.$(VERSION).debug $@
	ln -sf libbpf.so.$(VERSION) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libbpf.so

# The static library: one relocatable object in which only the libbpf API stays
# global, so the Swift runtime and glue cannot clash with a consumer's symbols.
$(BUILD)/libbpf.a: $(OBJ)/swiftbpf.o $(OBJ)/glue.o abi/reference-symbols.txt
	sed 's/@.*//' abi/reference-symbols.txt > $(OBJ)/api-symbols.txt
	$(LD) -r -o $(OBJ)/libbpf-static.o $(OBJ)/swiftbpf.o $(OBJ)/glue.o
	objcopy --keep-global-symbols=$(OBJ)/api-symbols.txt $(OBJ)/libbpf-static.o
	rm -f $@ && ar rcs $@ $(OBJ)/libbpf-static.o

# The .pc records PREFIX/LIBDIR/INCLUDEDIR, so it is regenerated whenever they change.
PC_SUBST := -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
            -e 's|@VERSION@|$(VERSION)|'
$(BUILD)/libbpf.pc: libbpf.pc.template FORCE
	@mkdir -p $(BUILD)
	@sed $(PC_SUBST) $< > $@.tmp && { cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@; }
FORCE:

install: all
	install -d -m 755 $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/bpf $(DESTDIR)$(PKGCONFIGDIR)
	install -m 755 $(BUILD)/libbpf.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libbpf.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libbpf.so
	install -m 644 $(BUILD)/libbpf.a $(DESTDIR)$(LIBDIR)/
	install -m 644 $(PUBLIC_HDRS) $(DESTDIR)$(INCLUDEDIR)/bpf/
	install -m 644 $(BUILD)/libbpf.pc $(DESTDIR)$(PKGCONFIGDIR)/

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libbpf.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME) $(DESTDIR)$(LIBDIR)/libbpf.so \
	      $(DESTDIR)$(LIBDIR)/libbpf.a $(DESTDIR)$(PKGCONFIGDIR)/libbpf.pc
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/bpf/,$(HEADERS))

unit-test: deps
	swift test 2>&1 | tee $(BUILD)/unit-test.log

c-test: all
	bash scripts/run-c-tests.sh

test: all
	bash scripts/run-tests.sh

demo: all
	bash scripts/demo.sh

bench: all
	bash bench/run.sh

status:
	python3 scripts/gen-status.py > abi/STATUS.md

clean:
	rm -rf $(BUILD) .build
