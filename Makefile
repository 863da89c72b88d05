# mmuon — build, test and run. `make help` lists the targets.

CROSS     ?= aarch64-linux-gnu-
CC_FW      = $(CROSS)gcc
OBJCOPY    = $(CROSS)objcopy
HOSTCC    ?= gcc
PYTHON    ?= /usr/bin/python3
PYTEST    ?= $(PYTHON) -m pytest
MMUON_CACHE ?= $(HOME)/.cache/mmuon
export MMUON_CACHE

BUILD     := build
VERSION   := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
# The release date SMBIOS reports (mm/dd/yyyy), so that a build is
# reproducible: SOURCE_DATE_EPOCH's (dpkg-buildpackage sets it from the
# changelog), else the commit's.
ifdef SOURCE_DATE_EPOCH
RELEASE_DATE := $(shell date -u -d @$(SOURCE_DATE_EPOCH) +%m/%d/%Y)
else
RELEASE_DATE := $(shell git log -1 --format=%cd --date=format:%m/%d/%Y 2>/dev/null || echo 01/01/1970)
endif

# libfdt for the firmware, built here with the firmware's own flags (no
# FP/SIMD, no x18) from the source tools/fetch-arm64.sh unpacks into the
# cache: Debian's arm-trusted-firmware source package, pinned, whose
# lib/libfdt is upstream libfdt (the prebuilt libfdt.a of libfdt-dev:arm64
# has AdvSIMD code). The unit tests use the host's libfdt-dev.
LIBFDT_DIR  := $(MMUON_CACHE)/arm64/libfdt-src
LIBFDT_INC  := $(LIBFDT_DIR)/include/lib/libfdt
LIBFDT_SRCS := $(addprefix $(LIBFDT_DIR)/lib/libfdt/,fdt.c fdt_addresses.c \
	fdt_empty_tree.c fdt_ro.c fdt_rw.c fdt_strerror.c fdt_sw.c fdt_wip.c)
LIBFDT_OBJS := $(patsubst $(LIBFDT_DIR)/lib/libfdt/%.c,$(BUILD)/libfdt/%.o,$(LIBFDT_SRCS))
LIBFDT_A    := $(BUILD)/libfdt/libfdt.a

FW_CFLAGS := -std=gnu11 -g -Wall -Wextra -Werror -ffreestanding -fno-builtin \
	-nostdinc -isystem $(shell $(CC_FW) -print-file-name=include) \
	-mgeneral-regs-only -ffixed-x18 -mcmodel=small -fno-pic -fno-pie \
	-fno-stack-protector -fno-omit-frame-pointer -ffunction-sections -fdata-sections \
	-Iinclude -Iinclude/libc -Isrc -I$(LIBFDT_INC) -DMMUON_VERSION='"$(VERSION)"' -DMMUON_DATE='"$(RELEASE_DATE)"' \
	-DMMUON_FIRMWARE
FW_ASFLAGS := -Iinclude -Isrc -D__ASSEMBLY__
# --emit-relocs keeps the relocations in the ELF for tools/check_runtime.py.
FW_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--gc-sections -Wl,--no-warn-rwx-segments \
	-Wl,--emit-relocs \
	-Wl,-T,$(BUILD)/mmuon.lds -Wl,-Map,$(BUILD)/mmuon.map

# Runtime services code: what may run after ExitBootServices, from the
# EfiRuntimeServicesCode copy in RAM (docs/architecture.md, "Runtime services
# in RAM"). Every section of these objects is renamed .rt.* (the linker script
# puts them in the runtime regions). RT_SHARED_SRCS are linked twice: as boot
# code, and as runtime code whose global symbols are renamed __rt_* in every
# runtime object (memcpy in runtime code is __rt_memcpy). tools/check_runtime.py
# then fails the build if runtime code or data refers to anything else.
RT_SRCS        := src/efi/runtime.c src/efi/variables.c src/vars/vars.c \
		  src/vars/varlog.c src/vars/varstore.c \
		  src/drivers/cfi_flash.c src/platform/pl031.c \
		  src/lib/time_convert.c
RT_SHARED_SRCS := src/lib/string.c src/lib/ucs2.c src/lib/crc32.c \
		  src/arch/timer.c

# Optimisation, one rule for every firmware object (boot and runtime copies,
# libfdt): -Os, so that the image fits in 128 KiB (tests/boot/test_figures.py),
# except the boot's measured hot paths, FW_HOT_SRCS, which stay -O2 so that
# the boot takes no more instructions (test_figures.py guards that count
# too). What is hot is measured, not guessed: of the ~10.8 M instructions
# mmuon executes before the kernel (make record-figures, -m 1G), memset (the
# kernel's BSS, page tables) takes 61 %, libfdt's tag walk (fdt_offset_ptr,
# fdt_next_tag: every DT lookup walks the tree) 27 %, SHA-256's compression
# 2 %, memchr/memcpy/memcmp 2.5 %, the page-table walk 1 %; the rest is
# spread thin. -Os on those few files would add ~50 % to the count; on all
# the others it adds nothing measurable and saves kilobytes.
FW_HOT_SRCS := src/lib/string.c src/lib/sha256.c src/arch/pgtable.c src/lib/lz4.c \
	$(addprefix $(LIBFDT_DIR)/lib/libfdt/,fdt.c fdt_ro.c)
fw_opt = $(if $(filter $(FW_HOT_SRCS),$<),-O2,-Os)
# Link-time optimisation for the boot code and libfdt: GCC then inlines and
# drops code across files, and -Os/-O2 still apply per function, as each
# was compiled. 8 KiB smaller, and 1.6 % fewer instructions before the
# kernel. The runtime objects (RT_OBJS) are not LTO: their sections and
# symbols are renamed after compiling (below), which needs real code. The
# checks after the link (check_runtime.py, check_regs.py) read the final
# ELF, so they hold whatever LTO did.
FW_LTO := -flto
# One partition: the whole program optimised as one unit. The default
# splits it by the jobs make offers, and the image then varied by 4 KiB
# from one build of the same tree to the next.
FW_LTO_LINK := $(if $(FW_LTO),-flto-partition=one)

# What runs from flash (docs/architecture.md, "Boot code in RAM"): the
# reset path and everything the boot runs before the boot code is in RAM
# -- DT discovery, the console, panic and power-off, the RAM page tables,
# loading the runtime and boot code -- and the exception handler, which
# must work at any time. Every assembly source too. Not LTO: their
# sections are renamed .flash.* after compiling, for the linker script.
# All other code and read-only data (boot code: .text*, .rodata*) is
# linked to run from RAM and stored in the image compressed
# (tools/pack_image.py, lz4); mmu_init() decompresses it. check_flash.py
# fails the link if flash code reaches into it anywhere but from
# mmuon_main, after mmu_init().
FW_FLASH_SRCS := src/boot/main.c src/platform/dt.c src/platform/console.c \
	src/platform/pl011.c src/platform/panic.c src/platform/power.c \
	src/lib/fmt.c src/lib/string.c src/lib/lz4.c src/arch/mmu.c \
	src/arch/pgtable.c src/arch/code_load.c \
	src/arch/cache.c src/arch/exception.c src/arch/esr.c
LIBFDT_FLASH_SRCS := $(addprefix $(LIBFDT_DIR)/lib/libfdt/,fdt.c fdt_ro.c \
	fdt_addresses.c fdt_strerror.c)
LIBFDT_FLASH_OBJS := $(patsubst $(LIBFDT_DIR)/lib/libfdt/%.c,$(BUILD)/libfdt/%.o,$(LIBFDT_FLASH_SRCS))
fw_in_flash = $(filter $<,$(FW_FLASH_SRCS) $(LIBFDT_FLASH_SRCS))
fw_lto = $(if $(fw_in_flash),,$(FW_LTO))
# In place: the object's allocated sections get the .flash prefix.
fw_flash_rename = $(if $(fw_in_flash),$(OBJCOPY) --prefix-alloc-sections=.flash $@)

# Every other source under src/, at any depth (src/drivers/virtio/blk.c too).
FW_C_SRCS := $(filter-out $(RT_SRCS),$(sort $(shell find src -name '*.c')))
FW_S_SRCS := $(sort $(shell find src -name '*.S'))
FW_OBJS   := $(patsubst %,$(BUILD)/fw/%.o,$(FW_C_SRCS) $(FW_S_SRCS))
RT_OBJS   := $(patsubst %,$(BUILD)/fw/rt/%.o,$(RT_SRCS) $(RT_SHARED_SRCS))
RT_SYMS   := $(BUILD)/fw/rt/shared.syms

.PHONY: all
all: $(BUILD)/mmuon.bin $(BUILD)/mmuon-code.fd $(BUILD)/mmuon-vars.fd

# The flash image: the ELF's load image, the boot code compressed.
$(BUILD)/mmuon.bin: $(BUILD)/mmuon.elf tools/pack_image.py
	$(PYTHON) tools/pack_image.py --cross $(CROSS) $< $@

$(BUILD)/mmuon.elf: $(FW_OBJS) $(RT_OBJS) $(BUILD)/mmuon.lds $(LIBFDT_FLASH_OBJS) $(LIBFDT_A) \
		tools/check_runtime.py tools/check_regs.py tools/check_flash.py tools/elf_scan.py
	$(CC_FW) $(FW_CFLAGS) -Os $(FW_LTO) $(FW_LTO_LINK) $(FW_LDFLAGS) -o $@.tmp \
		$(FW_OBJS) $(RT_OBJS) $(LIBFDT_FLASH_OBJS) $(LIBFDT_A) -lgcc
	$(PYTHON) tools/check_runtime.py --cross $(CROSS) $@.tmp
	$(PYTHON) tools/check_regs.py --cross $(CROSS) $@.tmp
	$(PYTHON) tools/check_flash.py --cross $(CROSS) $@.tmp
	mv $@.tmp $@

# The pflash pair libvirt and QEMU's -drive if=pflash take: the firmware
# padded to QEMU virt's 64 MiB bank (unit 0, read-only), and the NVRAM
# template (unit 1; each VM gets a copy): an empty variable store at its
# start, zeros after it. Both sparse where they are zeros.
FLASH_BANK_SIZE := 67108864
$(BUILD)/mmuon-code.fd: $(BUILD)/mmuon.bin
	cp $< $@.tmp
	truncate -s $(FLASH_BANK_SIZE) $@.tmp
	mv $@.tmp $@

$(BUILD)/mmuon-vars.fd: $(BUILD)/host/mmuon-varstore
	$< format $@.tmp --size $(FLASH_BANK_SIZE)
	mv $@.tmp $@

# The variable store's code built for the host (tools/varstore.c): writes
# the template above and reads a VARS.fd after a test.
VARS_HOST_SRCS := src/vars/vars.c src/vars/varlog.c src/vars/varstore.c \
	src/vars/ram_flash.c src/lib/crc32.c src/lib/ucs2.c
$(BUILD)/host/mmuon-varstore: tools/varstore.c $(VARS_HOST_SRCS) $(wildcard include/mmuon/*.h include/efi/*.h)
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -Isrc \
		-DMMUON_HOST_TEST -o $@ tools/varstore.c $(VARS_HOST_SRCS)


$(BUILD)/mmuon.lds: src/arch/mmuon.ld include/mmuon/layout.h
	@mkdir -p $(dir $@)
	$(CC_FW) -E -P -x c -Iinclude $< -o $@

# The flags objects were built with: a change (-ffixed-x18, say) rebuilds
# them all, so that an old object cannot slip into a new firmware.
FW_FLAGS_STAMP := $(BUILD)/fw/flags
FW_FLAGS_NOW   := $(filter-out -DMMUON_VERSION=% -DMMUON_DATE=%,$(FW_CFLAGS)) $(FW_ASFLAGS) \
	-O2:$(FW_HOT_SRCS) $(FW_LTO) flash:$(FW_FLASH_SRCS) $(LIBFDT_FLASH_SRCS)
ifneq ($(file <$(FW_FLAGS_STAMP)),$(FW_FLAGS_NOW))
$(shell mkdir -p $(BUILD)/fw)
$(file >$(FW_FLAGS_STAMP),$(FW_FLAGS_NOW))
endif

$(BUILD)/fw/%.c.o: %.c $(FW_FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC_FW) $(FW_CFLAGS) $(fw_opt) $(fw_lto) -MMD -MP -c $< -o $@
	$(fw_flash_rename)

# The runtime copy of a source: compiled as usual, then every section
# renamed .rt.* and the shared symbols renamed __rt_*.
$(BUILD)/fw/rt/%.c.o: %.c $(RT_SYMS) $(FW_FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC_FW) $(FW_CFLAGS) $(fw_opt) -MMD -MP -MT $@ -MF $(@:.o=.d) -c $< -o $@.tmp
	$(OBJCOPY) --prefix-alloc-sections=.rt --redefine-syms=$(RT_SYMS) $@.tmp $@
	@rm -f $@.tmp

# Also rebuilt when the lists change (a newly shared source).
$(RT_SYMS): $(patsubst %,$(BUILD)/fw/%.o,$(RT_SHARED_SRCS)) Makefile
	@mkdir -p $(dir $@)
	$(CROSS)gcc-nm --defined-only -g $(filter %.o,$^) | awk 'NF == 3 { print $$3, "__rt_" $$3 }' | sort -u > $@

$(BUILD)/fw/%.S.o: %.S $(FW_FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC_FW) $(FW_ASFLAGS) -MMD -MP -c $< -o $@
	$(OBJCOPY) --prefix-alloc-sections=.flash $@

# Third-party code: its warnings are shown, not fatal.
$(BUILD)/libfdt/%.o: $(LIBFDT_DIR)/lib/libfdt/%.c $(FW_FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC_FW) $(filter-out -Werror,$(FW_CFLAGS)) $(fw_opt) $(fw_lto) -MMD -MP -c $< -o $@
	$(fw_flash_rename)

# The members that run from flash are linked as objects, the rest (LTO)
# from the archive.
$(LIBFDT_A): $(filter-out $(LIBFDT_FLASH_OBJS),$(LIBFDT_OBJS))
	rm -f $@
	$(CROSS)gcc-ar rcs $@ $^

$(LIBFDT_SRCS) $(LIBFDT_INC)/libfdt.h:
	tools/fetch-arm64.sh libfdt
# Every firmware object may include libfdt.h.
$(FW_OBJS) $(RT_OBJS): | $(LIBFDT_INC)/libfdt.h

-include $(FW_OBJS:.o=.d) $(RT_OBJS:.o=.d) $(LIBFDT_OBJS:.o=.d)

# The banner's version (-DMMUON_VERSION) must be the tree's at build time,
# -dirty included: main.c is rebuilt whenever `git describe` changes (the
# stamp is rewritten only then). tools/bench.py reads it from the banner.
# SMBIOS's type 0 (firmware_tables.c) has the version and the date.
$(BUILD)/version.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION) $(RELEASE_DATE)' | cmp -s - $@ || echo '$(VERSION) $(RELEASE_DATE)' >$@
$(BUILD)/fw/src/boot/main.c.o $(BUILD)/fw/src/boot/firmware_tables.c.o: $(BUILD)/version.stamp
.PHONY: FORCE
FORCE:

# ---- host unit tests (cmocka) -------------------------------------------
# Each tests/unit/*.mk adds a test name to UNIT_TESTS and sets
# <name>_SRCS to the firmware sources it links against.
UNIT_TESTS :=
include $(sort $(wildcard tests/unit/*.mk))

HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iinclude -Isrc \
	-fsanitize=address,undefined -fno-omit-frame-pointer -DMMUON_HOST_TEST
HOST_LIBS   := -lcmocka -lfdt

define unit_test_rule
$(BUILD)/unit/$(1): tests/unit/$(1).c $$($(1)_SRCS) $$(wildcard include/mmuon/*.h)
	@mkdir -p $$(dir $$@)
	$$(HOSTCC) $$(HOST_CFLAGS) -o $$@ tests/unit/$(1).c $$($(1)_SRCS) $$(HOST_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_test_rule,$(t))))

.PHONY: unit
unit: $(addprefix $(BUILD)/unit/,$(UNIT_TESTS))
	@set -e; for t in $^; do echo "== $$t"; $$t; done

# ---- libFuzzer targets (clang) ---------------------------------------------
# Built from the same sources as the unit tests; tools/fuzz.sh runs them on
# the seed corpora in tests/fuzz/corpus/<target>/. fuzz-smoke fails if a
# target crashes (FUZZ_SMOKE_SECONDS each), fuzz runs FUZZ_SECONDS each.
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Iinclude -Isrc \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -DMMUON_HOST_TEST $(FUZZ_EXTRA_CFLAGS)
# Each tests/fuzz/*.mk adds a target to FUZZ_TARGETS and sets
# <name>_SRCS (and optionally <name>_LIBS), as the unit tests do.
FUZZ_TARGETS :=
include $(sort $(wildcard tests/fuzz/*.mk))

define fuzz_rule
$(BUILD)/fuzz/$(1): tests/fuzz/$(1).c $$($(1)_SRCS) $$(wildcard include/mmuon/*.h include/efi/*.h)
	@mkdir -p $$(dir $$@)
	$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ tests/fuzz/$(1).c $$($(1)_SRCS) $$($(1)_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_rule,$(t))))

.PHONY: fuzz-build fuzz-smoke fuzz fuzz-merge
fuzz-build: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
fuzz-smoke: fuzz-build
	BUILD=$(BUILD) tools/fuzz.sh smoke $(FUZZ_TARGETS)
fuzz: fuzz-build
	BUILD=$(BUILD) tools/fuzz.sh run $(FUZZ_TARGETS)
# Minimize the seed corpora plus what fuzz runs found (-merge=1).
fuzz-merge: fuzz-build
	BUILD=$(BUILD) tools/fuzz.sh merge $(FUZZ_TARGETS)

# ---- QEMU boot tests (pytest) -------------------------------------------
# -rsxX lists every skip, xfail and xpass with its reason; under CI=true a
# skip for something missing fails (tests/evidence.py).
.PHONY: boot-tests
boot-tests: all
	$(PYTEST) -q -rsxX tests/test_evidence.py tests/boot tests/tools tools/bench

.PHONY: audit
audit: all
	$(PYTHON) tools/mmu_off_audit.py --el 1
	$(PYTHON) tools/mmu_off_audit.py --el 2
	$(PYTHON) tools/mmu_off_audit.py --el 2 --e2h-res1 mmfr4
	$(PYTHON) tools/mmu_off_audit.py --el 2 --e2h-res1 hcr

# ---- the README's two commands --------------------------------------------
.PHONY: deps
deps:
	tools/install-deps.sh
	tools/fetch-arm64.sh all

.PHONY: test
test: deps
	$(MAKE) check-format
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) fuzz-smoke
	$(MAKE) boot-tests

.PHONY: run
run: deps all
	tools/run.sh

# ---- power loss: the flash variable store ------------------------------------
# 100 trials of tests/boot/test_variables.py::test_power_loss (make test runs
# 2): the guest writes variables in a loop, QEMU is SIGKILLed at a random
# moment, the flash is checked and booted again. TRIALS=N for another count.
TRIALS ?= 100
.PHONY: reliability
reliability: all
	MMUON_POWER_LOSS_TRIALS=$(TRIALS) $(PYTEST) -q -rsxX tests/boot/test_variables.py -k power_loss

# ---- installing: the images and QEMU's firmware descriptors -----------------
# PREFIX/share/mmuon/{mmuon.bin,mmuon-code.fd,mmuon-vars.fd} and, for QEMU
# and libvirt (docs/interop/firmware.json), PREFIX/share/qemu/firmware/
# 70-mmuon-aarch64.json (the pflash pair) and 71-mmuon-aarch64-memory.json
# (-bios). Numbered after Debian's EDK2 (60-): installing mmuon does not
# change which firmware `--boot uefi` picks (README, "libvirt").
PREFIX  ?= /usr/local
DESTDIR ?=
DATADIR := $(PREFIX)/share
DESCRIPTORS := $(wildcard dist/qemu-firmware/*.json.in)
.PHONY: install
install: all
	install -d $(DESTDIR)$(DATADIR)/mmuon $(DESTDIR)$(DATADIR)/qemu/firmware
	install -m 0644 $(BUILD)/mmuon.bin $(DESTDIR)$(DATADIR)/mmuon/
	@# cp keeps the images sparse where they are zeros; install would not.
	cp --sparse=always $(BUILD)/mmuon-code.fd $(BUILD)/mmuon-vars.fd $(DESTDIR)$(DATADIR)/mmuon/
	chmod 0644 $(DESTDIR)$(DATADIR)/mmuon/mmuon-code.fd $(DESTDIR)$(DATADIR)/mmuon/mmuon-vars.fd
	set -e; for d in $(DESCRIPTORS); do \
		sed 's|@DATADIR@|$(DATADIR)|g' $$d >$(DESTDIR)$(DATADIR)/qemu/firmware/$$(basename $$d .in); \
		chmod 0644 $(DESTDIR)$(DATADIR)/qemu/firmware/$$(basename $$d .in); \
	done

# ---- housekeeping ---------------------------------------------------------
.PHONY: format check-format clean help
FORMAT_SRCS = $(filter-out src/arch/asm.h,$(shell git ls-files '*.c' '*.h'))
format:
	@clang-format -i $(FORMAT_SRCS)
check-format:
	@clang-format --dry-run --Werror $(FORMAT_SRCS)
clean:
	rm -rf $(BUILD)
help:
	@echo "make run      boot Linux under QEMU with mmuon (installs what it needs)"
	@echo "make test     install, build and run every test"
	@echo "make          build build/mmuon.bin"
	@echo "make unit     host unit tests only"
	@echo "make audit    count data accesses before the MMU is on (EL1, EL2, EL2 with E2H RES1)"
	@echo "make mmu-off-table  whole-boot MMU-off accesses: mmuon, -kernel, EDK2, U-Boot"
	@echo "make bench    boot-time benchmark (N=10 runs each) -> results/"
	@echo "              PUBLISH=1: also docs/results/ and the README (clean tree only)"
	@echo "make record-figures  re-record the instruction count test_figures.py checks"
	@echo "make matrix   the full configuration matrix (slow)"
	@echo "make fuzz     libFuzzer targets, FUZZ_SECONDS each (fuzz-smoke: 20 s)"
	@echo "make install  images to PREFIX/share/mmuon, QEMU descriptors (DESTDIR too)"
	@echo "make reliability  100 power-loss trials of the flash variable store"

# ---- EFI test applications (gnu-efi) ---------------------------------------
# build/efi_apps/<name>.efi, run by mmuon as the "kernel" in tests/boot.
include tests/efi_apps/efi_apps.mk

# ---- whole-boot MMU-off audit (TCG plugin) ----------------------------------
include tools/plugin/plugin.mk

# Boots mmuon, QEMU -kernel, EDK2 and U-Boot at EL1 and EL2 under the
# mmu_off plugin and prints a markdown table (takes minutes; not in `test`).
.PHONY: mmu-off-table
mmu-off-table: all plugins
	$(PYTHON) tools/mmu_off_table.py

# ---- the configuration matrix (tests/boot/test_matrix.py) -------------------
# Every row: CPU models, EL1/EL2, 128M..16G, -smp 4, highmem=off, command
# lines, initrds, both kernels (minutes under TCG; `test` runs a few rows).
.PHONY: matrix
matrix: all
	MMUON_SLOW=1 $(PYTEST) -q tests/boot/test_matrix.py

# ---- the recorded figures (tests/boot/recorded_figures.toml) -----------------
# Re-measure mmuon's instructions before the kernel, as `make bench` counts
# them, and record the figure tests/boot/test_figures.py holds it to (±10 %).
.PHONY: record-figures
record-figures: all plugins
	tools/fetch-arm64.sh kernel-new
	$(PYTHON) tools/record_figures.py

# ---- boot-time benchmark ----------------------------------------------------
# Boots mmuon, QEMU -kernel, EDK2 and U-Boot N times each, interleaved, and
# writes results/bench.md, bench.csv and bench.png (tools/bench.py; minutes);
# then the variable store's costs (bench_vars.py: results/bench-vars.md) and
# booting from disk, mmuon vs EDK2 (bench_disk.py: results/bench-disk.md).
# PUBLISH=1 also copies them to docs/results/ and rewrites the README's
# figures, which bench.py refuses for a build from a dirty tree.
N ?= 10
.PHONY: bench
bench: all plugins
	tools/fetch-arm64.sh kernel-new
	$(PYTHON) tools/bench.py -n $(N) $(if $(filter 1,$(PUBLISH)),--publish)
	$(PYTHON) tools/bench_vars.py
	$(MAKE) efi-apps
	$(PYTHON) tools/bench_storage.py
	$(PYTHON) tools/bench_clients.py -n $(N)
	tools/fetch-arm64.sh shim grub-signed systemd-254
	$(PYTHON) tools/bench_disk.py -n $(N)
