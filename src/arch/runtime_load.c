// SPDX-License-Identifier: MIT
/*
 * Loading the runtime services' code into RAM (docs/architecture.md,
 * "Runtime services in RAM"). Its data was copied by the reset path with
 * .data; code needs more, because it will be executed.
 */
#include <string.h>

#include <mmuon/cache.h>
#include <mmuon/runtime.h>

/*
 * Writing instructions with data accesses and then executing them follows
 * the Arm ARM rule for modified code (B2.2.5, D7.5.9): clean the D-cache
 * to the Point of Unification, DSB, invalidate the I-cache to the PoU, DSB,
 * ISB (cache_sync_code). The region is still mapped read/write and
 * execute-never by the flash tables here, so nothing can fetch from it
 * early; mmu_init() then switches to tables that map it read-only and
 * executable, under the break-before-make rule of mmu_switch.S.
 */
void runtime_code_load(void)
{
	size_t size = __rt_code_end - __rt_code_start;

	memcpy(__rt_code_start, __rt_code_load, size);
	cache_sync_code(__rt_code_start, size);
}
