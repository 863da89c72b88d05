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

# libfdt for the firmware: the static library from Debian's libfdt-dev:arm64,
# unpacked into the cache by tools/fetch-arm64.sh (it cannot be installed
# beside the host's libfdt-dev, which the unit tests use).
LIBFDT_A  := $(MMUON_CACHE)/arm64/libfdt/usr/lib/aarch64-linux-gnu/libfdt.a

FW_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-builtin \
	-nostdinc -isystem $(shell $(CC_FW) -print-file-name=include) \
	-mgeneral-regs-only -mcmodel=small -fno-pic -fno-pie \
	-fno-stack-protector -fno-omit-frame-pointer -ffunction-sections -fdata-sections \
	-Iinclude -Iinclude/libc -Isrc -I$(MMUON_CACHE)/arm64/libfdt/usr/include -DMMUON_VERSION='"$(VERSION)"' \
	-DMMUON_FIRMWARE
FW_ASFLAGS := -Iinclude -Isrc -D__ASSEMBLY__
FW_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--gc-sections -Wl,--no-warn-rwx-segments \
	-Wl,-T,$(BUILD)/mmuon.lds -Wl,-Map,$(BUILD)/mmuon.map

FW_C_SRCS := $(sort $(wildcard src/*/*.c))
FW_S_SRCS := $(sort $(wildcard src/*/*.S))
FW_OBJS   := $(patsubst %,$(BUILD)/fw/%.o,$(FW_C_SRCS) $(FW_S_SRCS))

.PHONY: all
all: $(BUILD)/mmuon.bin

$(BUILD)/mmuon.bin: $(BUILD)/mmuon.elf
	$(OBJCOPY) -O binary $< $@
	@echo "  mmuon.bin: $$(stat -c %s $@) bytes"

$(BUILD)/mmuon.elf: $(FW_OBJS) $(BUILD)/mmuon.lds $(LIBFDT_A)
	$(CC_FW) $(FW_LDFLAGS) -o $@ $(FW_OBJS) $(LIBFDT_A) -lgcc

$(BUILD)/mmuon.lds: src/arch/mmuon.ld include/mmuon/layout.h
	@mkdir -p $(dir $@)
	$(CC_FW) -E -P -x c -Iinclude $< -o $@

$(BUILD)/fw/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC_FW) $(FW_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/fw/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC_FW) $(FW_ASFLAGS) -MMD -MP -c $< -o $@

$(LIBFDT_A):
	tools/fetch-arm64.sh libfdt

-include $(FW_OBJS:.o=.d)

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

# ---- QEMU boot tests (pytest) -------------------------------------------
.PHONY: boot-tests
boot-tests: all
	$(PYTEST) -q tests/boot

.PHONY: audit
audit: all
	$(PYTHON) tools/mmu_off_audit.py --el 1
	$(PYTHON) tools/mmu_off_audit.py --el 2

# ---- the README's two commands --------------------------------------------
.PHONY: deps
deps:
	tools/install-deps.sh
	tools/fetch-arm64.sh all

.PHONY: test
test: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) boot-tests

.PHONY: run
run: deps all
	tools/run.sh

# ---- housekeeping ---------------------------------------------------------
.PHONY: format check-format clean help
FORMAT_SRCS = $(shell git ls-files '*.c' '*.h')
format:
	clang-format -i $(FORMAT_SRCS)
check-format:
	clang-format --dry-run --Werror $(FORMAT_SRCS)
clean:
	rm -rf $(BUILD)
help:
	@echo "make run      boot Linux under QEMU with mmuon (installs what it needs)"
	@echo "make test     install, build and run every test"
	@echo "make          build build/mmuon.bin"
	@echo "make unit     host unit tests only"
	@echo "make audit    count data accesses before the MMU is on (EL1, EL2)"
