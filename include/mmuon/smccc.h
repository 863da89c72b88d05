/* SPDX-License-Identifier: MIT */
/*
 * An SMC Calling Convention call (DEN0028) on a given conduit. Inline, so
 * that boot code (power.c, entropy.c) and runtime code (ResetSystem) each
 * get their own copy: runtime code may not call boot code.
 */
#ifndef MMUON_SMCCC_H
#define MMUON_SMCCC_H

#include <stdint.h>

#include <mmuon/platform.h>

struct smccc_result {
	uint64_t a0, a1, a2, a3;
};

static inline struct smccc_result smccc_call_on(enum psci_conduit conduit,
						uint32_t fn, uint64_t a1,
						uint64_t a2, uint64_t a3)
{
	register uint64_t x0 asm("x0") = fn;
	register uint64_t x1 asm("x1") = a1;
	register uint64_t x2 asm("x2") = a2;
	register uint64_t x3 asm("x3") = a3;

	/* SMCCC: x4-x17 may be clobbered by the callee. */
	if (conduit == PSCI_HVC)
		asm volatile("hvc #0"
			     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			     :
			     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
			       "x12", "x13", "x14", "x15", "x16", "x17",
			       "memory");
	else if (conduit == PSCI_SMC)
		asm volatile("smc #0"
			     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			     :
			     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
			       "x12", "x13", "x14", "x15", "x16", "x17",
			       "memory");
	else
		x0 = (uint64_t)-1; /* NOT_SUPPORTED */
	return (struct smccc_result){x0, x1, x2, x3};
}

#endif
