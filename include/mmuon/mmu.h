/* SPDX-License-Identifier: MIT */
/* The live translation tables in RAM. */
#ifndef MMUON_MMU_H
#define MMUON_MMU_H

#include <stdint.h>

#include <mmuon/pgtable.h>
#include <mmuon/platform.h>

/*
 * Builds tables from what the DT says (flash, RAM, the devices mmuon uses),
 * W^X, and switches to them with the MMU left on. Panics on failure.
 */
void mmu_init(const struct platform *p, unsigned el);

/* Changes a range of the live tables, with break-before-make. */
int mmu_map(uint64_t pa, uint64_t size, unsigned flags);

/* The live tables, for inspection. */
const struct pgtable *mmu_tables(void);

#endif
