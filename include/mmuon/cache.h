/* SPDX-License-Identifier: MIT */
#ifndef MMUON_CACHE_H
#define MMUON_CACHE_H

#include <stddef.h>

/*
 * Make instructions written to [start, start + len) by data accesses (CPU
 * stores or DMA) visible to instruction fetch, on this CPU and the others
 * in the inner shareable domain. Arm ARM D7.5.9 / B2.2.5: clean the data
 * cache to the Point of Unification, DSB, invalidate the instruction cache
 * by VA to the PoU, DSB, ISB — each step skipped only where CTR_EL0 says
 * it is not needed (IDC: no D-cache clean; DIC: no I-cache invalidation).
 */
void cache_sync_code(const void *start, size_t len);

#endif
