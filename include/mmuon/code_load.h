/* SPDX-License-Identifier: MIT */
/*
 * The code the image carries compressed (docs/architecture.md, "Boot code
 * in RAM"; the linker script src/arch/mmuon.ld lays it out,
 * tools/pack_image.py compresses it): the runtime services' code and the
 * boot code -- the code and read-only data of every object not built to
 * run from flash (the Makefile's FW_FLASH_SRCS) -- each an lz4 legacy
 * frame at the end of the image, runtime first.
 */
#ifndef MMUON_CODE_LOAD_H
#define MMUON_CODE_LOAD_H

/* In flash: where the frames start. */
extern char __packed_load[];
/* The boot code: EfiBootServicesCode, at the end of the firmware's RAM.
 * (The runtime code's region is in runtime.h.) */
extern char __boot_start[], __boot_end[];

/*
 * Decompresses the runtime code and the boot code into their RAM regions
 * and makes them visible to instruction fetch, or stops with a message.
 * Called once by mmu_init(), while the RAM is still mapped read/write and
 * execute-never; mmu_init() then maps both read-only and executable.
 * Nothing in them may run before.
 */
void code_load(void);

#endif
