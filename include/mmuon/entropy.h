/* SPDX-License-Identifier: MIT */
/*
 * Where randomness comes from, best first:
 *   RNDR         the CPU's random number register (FEAT_RNG), when
 *                ID_AA64ISAR0_EL1.RNDR says it exists (QEMU -cpu max);
 *   SMCCC TRNG   the hypervisor's or secure firmware's TRNG service
 *                (Arm DEN0098), when SMCCC >= 1.1 and TRNG_RND64 exist;
 *   rng-seed     bytes the VMM put in the DT's /chosen, usable once.
 * RNDR and the TRNG are "raw" sources that can be asked again; rng-seed is
 * one-shot and only good for seeding a DRBG. Boot time only.
 */
#ifndef MMUON_ENTROPY_H
#define MMUON_ENTROPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmuon/platform.h>

/* Probes RNDR and the TRNG (once; later calls do nothing). */
void entropy_probe(void);

bool entropy_have_rndr(void);
bool entropy_have_trng(void);
static inline bool entropy_have_raw(void)
{
	return entropy_have_rndr() || entropy_have_trng();
}

/*
 * Fill buf from one source, retrying a transient failure a few times.
 * False if the source does not exist or keeps failing; buf may then hold
 * partial output, which the caller must not use.
 */
bool entropy_get_rndr(void *buf, size_t len);
bool entropy_get_trng(void *buf, size_t len);
/* The best raw source that works: RNDR, else the TRNG. */
bool entropy_get_raw(void *buf, size_t len);

/*
 * Copies up to max bytes of the DT's /chosen/rng-seed into buf and returns
 * how many. The property is then erased from the DTB (its bytes zeroed and
 * the property turned into FDT_NOP tags, as Linux does after reading it),
 * so the seed is never handed to anyone else: the OS must not believe a
 * seed that mmuon already used is fresh. 0 if there is none.
 */
size_t entropy_take_dt_seed(const struct platform *p, void *buf, size_t max);

/* The virtual counter: not entropy, but unique per call (a DRBG nonce). */
uint64_t entropy_timestamp(void);

#endif
