// SPDX-License-Identifier: MIT
/* Reading the Arm generic timer (Arm ARM D11, "The Generic Timer"). */
#include <mmuon/timer.h>

/*
 * What QEMU's `virt` machine reported before QEMU 9.0 (62.5 MHz); used only
 * if CNTFRQ_EL0 reads 0, which means nobody at a higher EL programmed it.
 */
#define TIMER_FALLBACK_HZ 62500000ULL

uint64_t timer_frequency(void)
{
	uint64_t hz;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(hz));
	/* Bits [63:32] are RES0. */
	hz &= 0xffffffffULL;
	return hz ? hz : TIMER_FALLBACK_HZ;
}

uint64_t timer_count(void)
{
	uint64_t count;

	/*
	 * Counter reads may be performed out of order with respect to
	 * surrounding instructions (Arm ARM D11.2.2): the ISB makes the read
	 * happen after everything before it, so that a loop measuring its
	 * own duration sees time move forward.
	 */
	asm volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(count) : : "memory");
	return count;
}
