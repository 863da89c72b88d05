/* SPDX-License-Identifier: MIT */
/*
 * A NOR flash in RAM (include/mmuon/flash.h) for tests and host tools:
 * programs AND bits in (1 -> 0 only), erases set a block to 1s. It counts
 * what it is asked to do and can cut the power: the operation that meets
 * the cut is torn -- a program clears only some of the bits it was to
 * clear, an erase sets only some bits -- and every later call fails with
 * FLASH_ERR_POWER_CUT.
 */
#ifndef MMUON_RAM_FLASH_H
#define MMUON_RAM_FLASH_H

#include <stdbool.h>
#include <stdint.h>

#include <mmuon/flash.h>

struct ram_flash {
	struct flash flash; /* what the store is given: &rf->flash */
	uint8_t *mem;
	long ops_before_cut; /* programs + erases still to complete; < 0: no cut */
	bool power_off;
	uint64_t rng;
	/* What happened. */
	unsigned long programs, erases, reads;
	unsigned long programmed_bytes;
	/* Programs that asked for a 0 -> 1 change: a bug in the caller. */
	unsigned long raised_bits;
};

void ram_flash_init(struct ram_flash *rf, void *mem, uint32_t size,
		    uint32_t erase_size, uint32_t program_align);

/* The power goes after `ops` more programs or erases (the next one is torn);
 * seed drives which bits the torn one gets to. */
void ram_flash_cut_after(struct ram_flash *rf, long ops, uint64_t seed);

#endif
