/* SPDX-License-Identifier: MIT */
/*
 * The few AArch64 instructions the contract checker needs: system register
 * reads and address translation (AT) probes. Written from the Arm ARM, not
 * from mmuon's headers: the checker must not share the firmware's mistakes.
 */
#ifndef CONTRACT_ARM64_H
#define CONTRACT_ARM64_H

#include <stdbool.h>
#include <stdint.h>

#define read_sysreg(name)                                                      \
	({                                                                     \
		uint64_t __v;                                                  \
		asm volatile("mrs %0, " #name : "=r"(__v));                    \
		__v;                                                           \
	})

static inline unsigned current_el(void)
{
	return (read_sysreg(CurrentEL) >> 2) & 3;
}

static inline uint64_t current_sp(void)
{
	uint64_t sp;

	asm volatile("mov %0, sp" : "=r"(sp));
	return sp;
}

/* PAR_EL1 after a successful AT (Arm ARM D17.2.113). */
#define PAR_F (1ull << 0)
#define PAR_SH(par) (((par) >> 7) & 3)
#define PAR_PA(par) ((par)&0x0000fffffffff000ull)
#define PAR_ATTR(par) ((uint8_t)((par) >> 56))

/*
 * Stage 1 translation of @va by the MMU itself, for a read or a write at
 * the current EL (AT S1E1R/W at EL1, S1E2R/W at EL2). Interrupts are
 * masked so that a handler's own AT cannot overwrite PAR_EL1 between the
 * probe and the read (Arm ARM: the ISB makes the AT result visible).
 */
static inline uint64_t at_probe(unsigned el, uint64_t va, bool write)
{
	uint64_t daif, par;

	asm volatile("mrs %0, daif\n\tmsr daifset, #0xf" : "=r"(daif));
	if (el == 2 && write)
		asm volatile("at s1e2w, %0" : : "r"(va));
	else if (el == 2)
		asm volatile("at s1e2r, %0" : : "r"(va));
	else if (write)
		asm volatile("at s1e1w, %0" : : "r"(va));
	else
		asm volatile("at s1e1r, %0" : : "r"(va));
	asm volatile("isb\n\tmrs %0, par_el1" : "=r"(par));
	asm volatile("msr daif, %0" : : "r"(daif));
	return par;
}

#endif
