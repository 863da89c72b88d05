# EFI test applications, built with Debian's gnu-efi:arm64 (3.0.15), which
# tools/fetch-arm64.sh unpacks into the cache. gnu-efi's flow for AArch64:
# compile -fpic, link a shared object with its crt0 (which carries the
# PE/COFF header) and linker script, then objcopy -O binary: the PE file is
# the memory image, so every section's file offset is its RVA. The script
# puts .data at a 4 KiB boundary and the crt0 header says SectionAlignment
# 4096, so mmuon can map .text read-only+exec and .data read/write+XN.
#
# Each app is tests/efi_apps/<name>.c plus the sources in <name>_HELPERS.

EFI_APPS := contract_check
contract_check_HELPERS := tests/efi_apps/contract_mem.c tests/efi_apps/ptwalk.c \
	tests/efi_apps/detail.c

# services_check: UEFI services from the client side. child.efi is the
# image it loads from a buffer; child_blob.S embeds its bytes, and
# services_asm.S holds the register check around StartImage. The rules for
# those two assembly objects are at the end of this file.
EFI_APPS += services_check child
services_check_HELPERS := $(addprefix tests/efi_apps/,services_events.c \
	services_memory.c services_memattr.c services_protocols.c services_image.c \
	services_runtime.c services_keys.c services_loader_fs.c detail.c)

# blockio_check: the disks and partitions a client sees through BlockIo
# and DiskIo (tests/boot/test_storage.py).
EFI_APPS += blockio_check
blockio_check_HELPERS := tests/efi_apps/detail.c

GNUEFI      := $(MMUON_CACHE)/arm64/gnu-efi/usr
GNUEFI_CRT0 := $(GNUEFI)/lib/crt0-efi-aarch64.o
GNUEFI_LDS  := $(GNUEFI)/lib/elf_aarch64_efi.lds
LD_EFI      := $(CROSS)ld

EFI_APP_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-fpic -fshort-wchar -fno-strict-aliasing -fno-merge-all-constants \
	-ffreestanding -fno-stack-protector -fno-stack-check \
	-mno-outline-atomics -nostdinc \
	-isystem $(shell $(CC_FW) -print-file-name=include) \
	-I$(GNUEFI)/include/efi -I$(GNUEFI)/include/efi/aarch64 \
	-I$(GNUEFI)/include/efi/protocol -DCONFIG_aarch64
EFI_APP_LDFLAGS := -nostdlib --warn-common --no-undefined --fatal-warnings \
	--build-id=sha1 -shared -Bsymbolic --defsym=EFI_SUBSYSTEM=0xa \
	--no-warn-rwx-segments -T $(GNUEFI_LDS)
# (The script puts everything in one ELF segment; binutils >= 2.39 warns
# about it being RWX. Only the PE sections' permissions matter here.)
# What gnu-efi's Make.rules keeps of the shared object.
EFI_APP_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .rodata \
	-j .rel -j .rela -j .rel.* -j .rela.* -j .rel* -j .rela* -j .reloc

$(BUILD)/efi_apps/%.o: tests/efi_apps/%.c $(GNUEFI_CRT0) tests/efi_apps/efi_apps.mk
	@mkdir -p $(dir $@)
	$(CC_FW) $(EFI_APP_CFLAGS) -MMD -MP -c $< -o $@

efi_app_objs = $(patsubst tests/efi_apps/%.c,$(BUILD)/efi_apps/%.o,\
	tests/efi_apps/$(1).c $($(1)_HELPERS))

define efi_app_rule
$(BUILD)/efi_apps/$(1).so: $(call efi_app_objs,$(1))
	$$(LD_EFI) $$(EFI_APP_LDFLAGS) $$(GNUEFI_CRT0) $$(filter %.o,$$^) \
		-o $$@ -L$$(GNUEFI)/lib -lefi -lgnuefi \
		$$(shell $$(CC_FW) -print-libgcc-file-name)
endef
$(foreach a,$(EFI_APPS),$(eval $(call efi_app_rule,$(a))))

# The crt0's header says .data's raw data runs to _edata (its end rounded
# up to 512 bytes), but objcopy -O binary stops at the last byte of the
# last section, up to 511 bytes short: a section past the end of the file,
# which mmuon's PE parser rightly refuses. Padding the file to _edata with
# zeros makes it what the header says.
$(BUILD)/efi_apps/%.efi: $(BUILD)/efi_apps/%.so tests/efi_apps/efi_apps.mk
	$(OBJCOPY) $(EFI_APP_SECTIONS) -O binary $< $@.tmp
	edata=$$(($$($(CROSS)nm $< | sed -n 's/^\([0-9a-f]*\) . _edata$$/0x\1/p'))); \
	size=$$(stat -c %s $@.tmp); \
	if [ "$$size" -gt "$$edata" ]; then \
		echo "$@: file ($$size) longer than _edata ($$edata)" >&2; exit 1; \
	fi; \
	truncate -s "$$edata" $@.tmp
	mv $@.tmp $@
	@echo "  $(notdir $@): $$(stat -c %s $@) bytes"

# contract_check_nx.efi: the same checker declaring NX_COMPAT (PE
# DllCharacteristics 0x0100, 16 bits at e_lfanew + 24 + 70; gnu-efi's crt0
# leaves it 0), so that both kinds of image mmuon knows are checked.
$(BUILD)/efi_apps/contract_check_nx.efi: $(BUILD)/efi_apps/contract_check.efi
	cp $< $@.tmp
	off=$$(( $$(od -An -tu4 -j60 -N4 $<) + 24 + 70 )); \
	printf '\000\001' | dd of=$@.tmp bs=1 seek=$$off conv=notrunc status=none
	mv $@.tmp $@

$(GNUEFI_CRT0):
	tools/fetch-arm64.sh gnu-efi

.PHONY: efi-apps
efi-apps: $(addprefix $(BUILD)/efi_apps/,$(addsuffix .efi,$(EFI_APPS))) \
	$(BUILD)/efi_apps/contract_check_nx.efi

.SECONDARY: $(patsubst %,$(BUILD)/efi_apps/%.so,$(EFI_APPS)) \
	$(foreach a,$(EFI_APPS),$(call efi_app_objs,$(a)))
-include $(wildcard $(BUILD)/efi_apps/*.d)

# ---- services_check's assembly objects ------------------------------------
# The generic rules above link only objects made from C; these two come on
# top as extra prerequisites of the shared object (the link takes every .o
# it depends on).
SERVICES_ASM_OBJS := $(BUILD)/efi_apps/services_asm.o \
	$(BUILD)/efi_apps/child_blob.o
$(BUILD)/efi_apps/services_check.so: $(SERVICES_ASM_OBJS)

$(BUILD)/efi_apps/%.o: tests/efi_apps/%.S $(GNUEFI_CRT0) tests/efi_apps/efi_apps.mk
	@mkdir -p $(dir $@)
	$(CC_FW) $(EFI_APP_CFLAGS) -MMD -MP -c $< -o $@

# .incbin reads child.efi at assembly time: its path, and a dependency.
$(BUILD)/efi_apps/child_blob.o: tests/efi_apps/child_blob.S \
		$(BUILD)/efi_apps/child.efi tests/efi_apps/efi_apps.mk
	$(CC_FW) $(EFI_APP_CFLAGS) -DCHILD_EFI='"$(BUILD)/efi_apps/child.efi"' \
		-c $< -o $@
.SECONDARY: $(SERVICES_ASM_OBJS)
