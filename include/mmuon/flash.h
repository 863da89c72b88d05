/* SPDX-License-Identifier: MIT */
/*
 * A NOR flash region as the variable store sees it: read, program (bits go
 * from 1 to 0 only), erase (a whole block back to all 1s). Implemented by
 * the CFI driver (src/drivers/cfi_flash.c) on the hardware, and by a RAM
 * backend (src/vars/ram_flash.c) in tests and host tools, which can also
 * cut the power in the middle of an operation.
 *
 * Offsets are from the start of the region. A program must start and end on
 * `program_align` (the bus width); an erase names the start of a block.
 * Every call returns with the region readable again (read-array mode).
 */
#ifndef MMUON_FLASH_H
#define MMUON_FLASH_H

#include <stdint.h>

enum flash_error {
	FLASH_OK = 0,
	FLASH_ERR_RANGE = -1,	  /* outside the region, or misaligned */
	FLASH_ERR_TIMEOUT = -2,	  /* the device never said it was ready */
	FLASH_ERR_PROGRAM = -3,	  /* the device reported a program failure */
	FLASH_ERR_ERASE = -4,	  /* the device reported an erase failure */
	FLASH_ERR_LOCKED = -5,	  /* the block is protected */
	FLASH_ERR_POWER_CUT = -6, /* the RAM backend's simulated power loss */
};

struct flash_ops {
	int (*read)(void *ctx, uint32_t offset, void *buf, uint32_t len);
	int (*program)(void *ctx, uint32_t offset, const void *buf,
		       uint32_t len);
	int (*erase)(void *ctx, uint32_t offset);
};

struct flash {
	const struct flash_ops *ops;
	void *ctx;
	uint32_t size;		/* bytes */
	uint32_t erase_size;	/* bytes per erase block, a power of two */
	uint32_t program_align; /* 1, 2, 4 or 8 */
};

static inline int flash_read(const struct flash *f, uint32_t offset, void *buf,
			     uint32_t len)
{
	return f->ops->read(f->ctx, offset, buf, len);
}

static inline int flash_program(const struct flash *f, uint32_t offset,
				const void *buf, uint32_t len)
{
	return f->ops->program(f->ctx, offset, buf, len);
}

static inline int flash_erase(const struct flash *f, uint32_t offset)
{
	return f->ops->erase(f->ctx, offset);
}

/* A word for messages: "timeout", "program error"... */
const char *flash_strerror(int err);

#endif
