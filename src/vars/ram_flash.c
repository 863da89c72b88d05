// SPDX-License-Identifier: MIT
/* A NOR flash in RAM that can lose power: see include/mmuon/ram_flash.h. */
#include <string.h>

#include <mmuon/ram_flash.h>

/* xorshift64*: reproducible torn operations from a seed. */
static uint8_t random_byte(struct ram_flash *rf)
{
	rf->rng ^= rf->rng >> 12;
	rf->rng ^= rf->rng << 25;
	rf->rng ^= rf->rng >> 27;
	return (uint8_t)((rf->rng * 0x2545f4914f6cdd1dull) >> 56);
}

static bool in_range(const struct ram_flash *rf, uint32_t offset, uint32_t len)
{
	return offset <= rf->flash.size && len <= rf->flash.size - offset;
}

/* Counts an operation; false if the power is gone. *torn: this is the one
 * the cut falls on. */
static bool power_for_one_more(struct ram_flash *rf, bool *torn)
{
	*torn = false;
	if (rf->power_off)
		return false;
	if (rf->ops_before_cut == 0) {
		*torn = true;
		rf->power_off = true;
		return true;
	}
	if (rf->ops_before_cut > 0)
		rf->ops_before_cut--;
	return true;
}

static int ram_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
	struct ram_flash *rf = ctx;

	if (rf->power_off)
		return FLASH_ERR_POWER_CUT;
	if (!in_range(rf, offset, len))
		return FLASH_ERR_RANGE;
	rf->reads++;
	memcpy(buf, rf->mem + offset, len);
	return FLASH_OK;
}

static int ram_program(void *ctx, uint32_t offset, const void *buf,
		       uint32_t len)
{
	struct ram_flash *rf = ctx;
	const uint8_t *src = buf;
	uint32_t i;
	bool torn;

	if (!in_range(rf, offset, len) ||
	    (offset | len) % rf->flash.program_align)
		return FLASH_ERR_RANGE;
	if (!power_for_one_more(rf, &torn))
		return FLASH_ERR_POWER_CUT;
	rf->programs++;
	rf->programmed_bytes += len;
	for (i = 0; i < len; i++) {
		uint8_t *cell = rf->mem + offset + i;
		uint8_t clear = *cell & ~src[i];

		if (src[i] & ~*cell)
			rf->raised_bits++;
		if (torn)
			clear &= random_byte(rf);
		*cell &= ~clear;
	}
	return torn ? FLASH_ERR_POWER_CUT : FLASH_OK;
}

static int ram_erase(void *ctx, uint32_t offset)
{
	struct ram_flash *rf = ctx;
	uint32_t size = rf->flash.erase_size, i;
	bool torn;

	if (offset % size || !in_range(rf, offset, size))
		return FLASH_ERR_RANGE;
	if (!power_for_one_more(rf, &torn))
		return FLASH_ERR_POWER_CUT;
	rf->erases++;
	if (!torn) {
		memset(rf->mem + offset, 0xff, size);
		return FLASH_OK;
	}
	for (i = 0; i < size; i++)
		rf->mem[offset + i] |= random_byte(rf);
	return FLASH_ERR_POWER_CUT;
}

static const struct flash_ops ram_flash_ops = {
	.read = ram_read,
	.program = ram_program,
	.erase = ram_erase,
};

void ram_flash_init(struct ram_flash *rf, void *mem, uint32_t size,
		    uint32_t erase_size, uint32_t program_align)
{
	*rf = (struct ram_flash){
		.flash = {.ops = &ram_flash_ops,
			  .ctx = rf,
			  .size = size,
			  .erase_size = erase_size,
			  .program_align = program_align},
		.mem = mem,
		.ops_before_cut = -1,
	};
}

void ram_flash_cut_after(struct ram_flash *rf, long ops, uint64_t seed)
{
	rf->ops_before_cut = ops;
	rf->power_off = false;
	rf->rng = seed | 1;
}
