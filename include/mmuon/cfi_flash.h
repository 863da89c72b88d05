/* SPDX-License-Identifier: MIT */
/*
 * CFI NOR flash with the Intel/Sharp command set (QEMU's cfi.pflash01, the
 * two banks of the `virt` machine): query, block erase, word and buffered
 * program, status and error handling, timeouts from the chip's own CFI
 * table. Polled, below any EFI notion; it exposes a region of the bank as a
 * struct flash (include/mmuon/flash.h) for the variable store.
 *
 * The bank must be mapped Device-nGnRE (read/write, never executable)
 * while the driver runs: in command mode the chip answers reads with its
 * status, and a cacheable mapping would serve stale array data. Every
 * access is one LDR or STR of 32 or 64 bits without writeback, so that a
 * hypervisor can emulate it (KVM needs a valid ESR_EL2.ISV: QEMU's flash
 * traps as MMIO while out of read-array mode). Each operation leaves the
 * bank in read-array mode. Runtime code (RT_SRCS): no allocation, no
 * printing.
 */
#ifndef MMUON_CFI_FLASH_H
#define MMUON_CFI_FLASH_H

#include <stddef.h>
#include <stdint.h>

#include <mmuon/flash.h>

enum cfi_probe_error {
	CFI_ERR_BUS_WIDTH = -1,	  /* only a 32-bit bus is supported */
	CFI_ERR_NO_QUERY = -2,	  /* no "QRY" answer: not CFI flash */
	CFI_ERR_COMMAND_SET = -3, /* not the Intel/Sharp command set */
	CFI_ERR_REGIONS = -4,	  /* erase blocks of more than one size */
	CFI_ERR_GEOMETRY = -5,	  /* the chips' size is not the DT's */
};

struct cfi_flash {
	uintptr_t base; /* the bank */
	uint64_t size;	/* its bytes */
	/* What the query found (for messages). */
	unsigned bank_width, command_set, erase_regions, blocks;
	uint32_t query;
	uint32_t lanes;	      /* chips side by side on the 32-bit bus */
	uint32_t replicate;   /* 0x01 per lane: a command byte to every chip */
	uint32_t erase_size;  /* bytes of one erase block, all chips */
	uint32_t buffer_size; /* bytes of one buffered program, all chips */
	/* Worst-case times from the CFI table, in counter ticks. */
	uint64_t word_timeout, buffer_timeout, erase_timeout;
	uint32_t region; /* where the region given to `flash` starts */
	struct flash flash;
};

/*
 * Identifies the chip(s) of a bank with `bank_width`-byte bus (only 4 is
 * supported) by the CFI query: 0, or a cfi_probe_error (the fields above
 * say what was found).
 */
int cfi_flash_probe(struct cfi_flash *c, uintptr_t base, uint64_t size,
		    unsigned bank_width);

/* Offers [offset, offset + size) of the bank, whole erase blocks, as
 * c->flash. */
void cfi_flash_set_region(struct cfi_flash *c, uint32_t offset, uint32_t size);

#endif
