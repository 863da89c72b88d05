/* SPDX-License-Identifier: MIT */
/* Leaving the machine: PSCI SYSTEM_OFF/RESET, or the secure GPIO at EL3. */
#ifndef MMUON_POWER_H
#define MMUON_POWER_H

#include <stdint.h>

#include <mmuon/platform.h>
#include <mmuon/smccc.h>

#define PSCI_VERSION 0x84000000
#define PSCI_SYSTEM_OFF 0x84000008
#define PSCI_SYSTEM_RESET 0x84000009
#define SMCCC_VERSION 0x80000000
#define SMCCC_ARCH_FEATURES 0x80000001
#define SMCCC_TRNG_VERSION 0x84000050
#define SMCCC_TRNG_RND64 0xC4000053

/* Before the DT is read: the conduit QEMU uses at this exception level
 * (HVC at EL1; SMC at EL2, where HVC would trap to mmuon itself). */
void power_set_default(unsigned el);
/* From the DT. */
void power_configure(const struct platform *p);
enum psci_conduit power_conduit(void);

/* An SMCCC call on the DT's conduit (boot code; see smccc.h). */
struct smccc_result smccc_call(uint32_t fn, uint64_t a1, uint64_t a2,
			       uint64_t a3);
__attribute__((noreturn)) void power_off(void);
__attribute__((noreturn)) void power_reset(void);

#endif
