/* SPDX-License-Identifier: MIT */
/*
 * The Arm generic timer, read-only: the firmware never programs a timer
 * interrupt (it runs with IRQs masked and polls), it only reads the
 * system counter to measure time.
 *
 * The virtual counter CNTVCT_EL0 is used because it is readable at EL1
 * and at EL2 without any trap configuration. At EL2 it is the physical
 * count minus CNTVOFF_EL2, which is constant, so differences are exact
 * whatever that offset is.
 */
#ifndef MMUON_TIMER_H
#define MMUON_TIMER_H

#include <stdint.h>

/* Counter ticks per second (CNTFRQ_EL0), never 0. */
uint64_t timer_frequency(void);

/* The virtual counter (CNTVCT_EL0), ordered after earlier instructions. */
uint64_t timer_count(void);

/*
 * A hint for busy-wait loops: `yield` tells a hypervisor or an SMT core
 * that this vCPU is spinning. Not `wfe`: nothing would send the event.
 */
static inline void cpu_relax(void)
{
#if defined(__aarch64__)
	asm volatile("yield" : : : "memory");
#else
	asm volatile("" : : : "memory");
#endif
}

#endif
