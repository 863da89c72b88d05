// SPDX-License-Identifier: MIT
/* Cache maintenance for loaded code; see include/mmuon/cache.h. */
#include <stdint.h>

#include <mmuon/cache.h>

#define CTR_IDC (1ull << 28) /* D-cache clean to PoU not required */
#define CTR_DIC (1ull << 29) /* I-cache invalidation to PoU not required */

static uint64_t read_ctr(void)
{
	uint64_t ctr;

	asm volatile("mrs %0, ctr_el0" : "=r"(ctr));
	return ctr;
}

/* Line sizes in bytes: CTR_EL0.DminLine [19:16], IminLine [3:0], log2
 * of words. */
static uintptr_t dcache_line(uint64_t ctr)
{
	return 4ul << ((ctr >> 16) & 0xf);
}

static uintptr_t icache_line(uint64_t ctr)
{
	return 4ul << (ctr & 0xf);
}

void cache_sync_code(const void *start, size_t len)
{
	uint64_t ctr = read_ctr();
	uintptr_t end = (uintptr_t)start + len, p, line;

	if (!(ctr & CTR_IDC)) {
		line = dcache_line(ctr);
		for (p = (uintptr_t)start & ~(line - 1); p < end; p += line)
			asm volatile("dc cvau, %0" : : "r"(p) : "memory");
	}
	asm volatile("dsb ish" : : : "memory");
	if (!(ctr & CTR_DIC)) {
		line = icache_line(ctr);
		for (p = (uintptr_t)start & ~(line - 1); p < end; p += line)
			asm volatile("ic ivau, %0" : : "r"(p) : "memory");
		asm volatile("dsb ish" : : : "memory");
	}
	asm volatile("isb" : : : "memory");
}
