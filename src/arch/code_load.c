// SPDX-License-Identifier: MIT
/*
 * Loading the code the image carries compressed into RAM
 * (docs/architecture.md, "Runtime services in RAM" and "Boot code in
 * RAM"): tools/pack_image.py stored the runtime code and the boot code as
 * two lz4 legacy frames at __packed_load, the end of the image.
 *
 * Instructions are written with data accesses, then made visible to
 * instruction fetch by cleaning the D-cache to the PoU and invalidating the
 * I-cache (cache_sync_code: the Arm ARM rule for modified code, B2.2.5,
 * D7.5.9), while the flash tables still map the RAM read/write and
 * execute-never, so nothing can fetch from it early; mmu_init() then
 * switches to tables that map it read-only and executable, under the
 * break-before-make rule of mmu_switch.S.
 */
#include <stdint.h>

#include <mmuon/cache.h>
#include <mmuon/code_load.h>
#include <mmuon/layout.h>
#include <mmuon/lz4.h>
#include <mmuon/panic.h>
#include <mmuon/runtime.h>

/* One frame at *frame into [start, end); *frame moves past it. */
static void load(char *start, char *end, const char **frame, const char *what)
{
	uintptr_t at = (uintptr_t)*frame;
	uint64_t size = (uint64_t)(end - start);
	long used = lz4_legacy_decode(start, size, *frame,
				      FLASH_BASE + FLASH_BANK_SIZE - at);

	if (used < 0)
		panic("the %s at 0x%llx in flash does not decompress to its "
		      "%llu bytes: a truncated or damaged mmuon image",
		      what, (unsigned long long)at, (unsigned long long)size);
	cache_sync_code(start, size);
	*frame += used;
}

void code_load(void)
{
	const char *frame = __packed_load;

	load(__rt_code_start, __rt_code_end, &frame, "runtime code");
	load(__boot_start, __boot_end, &frame, "boot code");
}
