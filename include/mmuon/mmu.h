/* SPDX-License-Identifier: MIT */
/* The live translation tables in RAM. */
#ifndef MMUON_MMU_H
#define MMUON_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include <mmuon/pgtable.h>
#include <mmuon/platform.h>
#include <mmuon/sysreg.h>

/* The first address mmuon's tables cannot map (TCR.T0SZ, sysreg.h). */
#define MMU_VA_LIMIT (1ull << MMUON_VA_BITS)

/*
 * Builds tables from what the DT says (flash, RAM, the devices mmuon uses),
 * W^X, and switches to them with the MMU left on. Panics on failure. e2h:
 * at EL2, whether reset.S set HCR_EL2.E2H (the EL1 descriptor format).
 */
void mmu_init(const struct platform *p, unsigned el, bool e2h);

/* Changes a range of the live tables, with break-before-make. */
int mmu_map(uint64_t pa, uint64_t size, unsigned flags);

/* The live tables, for inspection. */
const struct pgtable *mmu_tables(void);

/*
 * Where the page-table pool grows once its static pages run low: take(n)
 * returns n free, 64 KiB-aligned pages of RAM that are the pool's for good
 * (never freed, never given to a client), or 0.
 */
void mmu_pool_grow_from(uint64_t (*take)(uint64_t pages));

/* The page-table pool, for tests (a vendor protocol shows it to EFI apps). */
struct mmu_pool_stats {
	uint64_t tables; /* pages the pool holds: static and grown */
	uint64_t in_use; /* tables in the live tree, the root included */
	uint64_t peak;	 /* the most in use at once */
	uint64_t grown;	 /* pages taken from RAM */
};

const struct mmu_pool_stats *mmu_pool_stats(void);

#endif
