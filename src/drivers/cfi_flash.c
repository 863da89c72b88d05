// SPDX-License-Identifier: MIT
/*
 * CFI NOR flash, Intel/Sharp command set: see include/mmuon/cfi_flash.h.
 *
 * The facts (JEDEC JESD68 "Common Flash Interface", Intel's "Common Flash
 * Interface and Command Sets" application note 646, and QEMU's
 * hw/block/pflash_cfi01.c, which `virt` instantiates with a 4-byte bus of
 * two x16 chips, 256 KiB blocks, a 4 KiB write buffer):
 *
 *   0xff read array        0x98 CFI query         0x70 read status
 *   0x50 clear status      0x20 0xd0 block erase  0x60 0xd0 block unlock
 *   0x40 word program      0xe8 n-1 data.. 0xd0   buffered program
 *
 * Commands go to every chip at once: the byte replicated into each chip's
 * lane of the bus word. The CFI table is read at (address << 2), one byte
 * per chip lane. Status bits per chip: 7 ready, 5 erase error, 4 program
 * error, 3 VPP low, 1 block locked.
 */
#include <stdbool.h>

#include <mmuon/cfi_flash.h>
#include <mmuon/mmio.h>
#include <mmuon/timer.h>

#define CMD_READ_ARRAY 0xff
#define CMD_QUERY 0x98
#define CMD_CLEAR_STATUS 0x50
#define CMD_READ_STATUS 0x70
#define CMD_BLOCK_ERASE 0x20
#define CMD_BLOCK_UNLOCK 0x60
#define CMD_CONFIRM 0xd0
#define CMD_WORD_PROGRAM 0x40
#define CMD_BUFFER_PROGRAM 0xe8

#define SR_READY 0x80
#define SR_ERASE_ERROR 0x20
#define SR_PROGRAM_ERROR 0x10
#define SR_VPP_LOW 0x08
#define SR_LOCKED 0x02

/* CFI table (byte addresses of the query structure). */
#define CFI_QUERY_ADDRESS 0x55
#define CFI_QRY 0x10
#define CFI_COMMAND_SET 0x13
#define CFI_WORD_TIMEOUT 0x1f	/* 2^n us, typical */
#define CFI_BUFFER_TIMEOUT 0x20 /* 2^n us, typical */
#define CFI_ERASE_TIMEOUT 0x21	/* 2^n ms, typical */
#define CFI_WORD_MAX 0x23	/* 2^n times typical */
#define CFI_BUFFER_MAX 0x24
#define CFI_ERASE_MAX 0x25
#define CFI_DEVICE_SIZE 0x27 /* 2^n bytes per chip */
#define CFI_BUFFER_SIZE 0x2a /* 2^n bytes per chip, 16 bits */
#define CFI_ERASE_REGIONS 0x2c
#define CFI_REGION_BLOCKS 0x2d /* blocks - 1, 16 bits */
#define CFI_REGION_SIZE 0x2f   /* block size / 256, 16 bits */

#define BUS_WIDTH 4

/* Intel/Sharp extended (1) and standard (3) command sets. */
#define CMDSET_INTEL_EXTENDED 1
#define CMDSET_INTEL_STANDARD 3

static void write_cmd(const struct cfi_flash *c, uint32_t offset, uint8_t cmd)
{
	mmio_write32(c->base + offset, cmd * c->replicate);
}

/* One byte of the CFI table, from the first chip's lane. */
static uint32_t cfi_byte(const struct cfi_flash *c, unsigned address)
{
	return mmio_read32(c->base + address * BUS_WIDTH) & 0xff;
}

static uint32_t cfi_u16(const struct cfi_flash *c, unsigned address)
{
	return cfi_byte(c, address) | cfi_byte(c, address + 1) << 8;
}

/* 2^typical x 2^max (CFI gives 0 for "not specified": then 16 times). */
static uint64_t timeout_ticks(const struct cfi_flash *c, unsigned typical,
			      unsigned max, uint64_t unit_per_second)
{
	uint64_t t = (uint64_t)1 << (cfi_byte(c, typical) & 31);
	unsigned m = cfi_byte(c, max) & 31;
	uint64_t ticks;

	t <<= m ? m : 4;
	/* Twice the worst case, and never under 10 ms: a virtual CPU can be
	 * descheduled between the command and the first status read. */
	ticks = 2 * t * timer_frequency() / unit_per_second;
	if (ticks < timer_frequency() / 100)
		ticks = timer_frequency() / 100;
	return ticks;
}

int cfi_flash_probe(struct cfi_flash *c, uintptr_t base, uint64_t size,
		    unsigned bank_width)
{
	uint32_t block, chip_size;

	*c = (struct cfi_flash){
		.base = base, .size = size, .bank_width = bank_width};
	if (bank_width != BUS_WIDTH)
		return CFI_ERR_BUS_WIDTH;
	/* Every byte lane gets the command, whatever the chips' width. */
	c->replicate = 0x01010101;
	write_cmd(c, 0, CMD_READ_ARRAY);
	write_cmd(c, CFI_QUERY_ADDRESS * BUS_WIDTH, CMD_QUERY);
	c->query = mmio_read32(base + CFI_QRY * BUS_WIDTH);
	/* 'Q' once per chip: one x32, two x16 or four x8 chips. */
	if (c->query == 'Q')
		c->lanes = 1, c->replicate = 0x1;
	else if (c->query == 'Q' * 0x00010001)
		c->lanes = 2, c->replicate = 0x00010001;
	else if (c->query == 'Q' * 0x01010101)
		c->lanes = 4, c->replicate = 0x01010101;
	if (!c->lanes || cfi_byte(c, CFI_QRY + 1) != 'R' ||
	    cfi_byte(c, CFI_QRY + 2) != 'Y') {
		write_cmd(c, 0, CMD_READ_ARRAY);
		return CFI_ERR_NO_QUERY;
	}

	c->command_set = cfi_u16(c, CFI_COMMAND_SET);
	c->erase_regions = cfi_byte(c, CFI_ERASE_REGIONS);
	chip_size = cfi_byte(c, CFI_DEVICE_SIZE);
	c->blocks = cfi_u16(c, CFI_REGION_BLOCKS) + 1;
	block = cfi_u16(c, CFI_REGION_SIZE);
	block = block ? block * 256 : 128;
	c->erase_size = block * c->lanes;
	c->buffer_size = (1u << (cfi_u16(c, CFI_BUFFER_SIZE) & 15)) * c->lanes;
	c->word_timeout =
		timeout_ticks(c, CFI_WORD_TIMEOUT, CFI_WORD_MAX, 1000000);
	c->buffer_timeout =
		timeout_ticks(c, CFI_BUFFER_TIMEOUT, CFI_BUFFER_MAX, 1000000);
	c->erase_timeout =
		timeout_ticks(c, CFI_ERASE_TIMEOUT, CFI_ERASE_MAX, 1000);
	write_cmd(c, 0, CMD_READ_ARRAY);

	if (c->command_set != CMDSET_INTEL_EXTENDED &&
	    c->command_set != CMDSET_INTEL_STANDARD)
		return CFI_ERR_COMMAND_SET;
	if (c->erase_regions != 1)
		return CFI_ERR_REGIONS;
	if (chip_size > 31 || ((uint64_t)1 << chip_size) * c->lanes != size ||
	    (uint64_t)c->blocks * c->erase_size != size)
		return CFI_ERR_GEOMETRY;
	if (c->buffer_size < BUS_WIDTH || c->buffer_size > c->erase_size)
		c->buffer_size = 0; /* word programs only */
	return 0;
}

/* ---- operations -------------------------------------------------------------- */

/*
 * Polls the status of the chips at `offset` until all say ready. The
 * status is read before the clock is looked at, so a late look never turns
 * a finished operation into a timeout.
 */
static int wait_ready(const struct cfi_flash *c, uint32_t offset,
		      uint64_t timeout, uint32_t *status)
{
	uint32_t ready = SR_READY * c->replicate;
	uint64_t start = timer_count();

	for (;;) {
		*status = mmio_read32(c->base + offset);
		if ((*status & ready) == ready)
			return FLASH_OK;
		if (timer_count() - start > timeout)
			return FLASH_ERR_TIMEOUT;
		cpu_relax();
	}
}

/* The error a status word reports for any of the chips. */
static int status_error(const struct cfi_flash *c, uint32_t status)
{
	if (status & SR_LOCKED * c->replicate)
		return FLASH_ERR_LOCKED;
	if (status & SR_ERASE_ERROR * c->replicate)
		return FLASH_ERR_ERASE;
	if (status & (SR_PROGRAM_ERROR | SR_VPP_LOW) * c->replicate)
		return FLASH_ERR_PROGRAM;
	return FLASH_OK;
}

/* Waits, checks, and leaves the chips in read-array mode either way. */
static int finish(const struct cfi_flash *c, uint32_t offset, uint64_t timeout)
{
	uint32_t status;
	int err = wait_ready(c, offset, timeout, &status);

	if (!err)
		err = status_error(c, status);
	if (err)
		write_cmd(c, offset, CMD_CLEAR_STATUS);
	write_cmd(c, offset, CMD_READ_ARRAY);
	return err;
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static int program_word(const struct cfi_flash *c, uint32_t offset,
			uint32_t value)
{
	write_cmd(c, offset, CMD_WORD_PROGRAM);
	mmio_write32(c->base + offset, value);
	return finish(c, offset, c->word_timeout);
}

/* Up to one write buffer, inside one buffer-aligned window. */
static int program_buffer(const struct cfi_flash *c, uint32_t offset,
			  const uint8_t *src, uint32_t words)
{
	uint32_t status, i;
	int err;

	write_cmd(c, offset, CMD_BUFFER_PROGRAM);
	err = wait_ready(c, offset, c->buffer_timeout, &status);
	if (err) {
		write_cmd(c, offset, CMD_READ_ARRAY);
		return err;
	}
	/* The count, n - 1 words, goes to every chip. */
	mmio_write32(c->base + offset, (words - 1) * c->replicate);
	for (i = 0; i < words; i++)
		mmio_write32(c->base + offset + 4 * i, get32(src + 4 * i));
	write_cmd(c, offset, CMD_CONFIRM);
	return finish(c, offset, c->buffer_timeout);
}

static bool all_ones(const uint8_t *p, uint32_t len)
{
	while (len--)
		if (*p++ != 0xff)
			return false;
	return true;
}

static int cfi_program(void *ctx, uint32_t offset, const void *buf,
		       uint32_t len)
{
	struct cfi_flash *c = ctx;
	const uint8_t *src = buf;
	int err = FLASH_OK;

	if ((offset | len) % BUS_WIDTH || offset > c->flash.size ||
	    len > c->flash.size - offset)
		return FLASH_ERR_RANGE;
	offset += c->region;
	while (len && !err) {
		uint32_t n = BUS_WIDTH;

		if (c->buffer_size) {
			n = c->buffer_size - offset % c->buffer_size;
			if (n > len)
				n = len;
		}
		/* Erased words need no programming. */
		if (all_ones(src, n))
			err = FLASH_OK;
		else if (n == BUS_WIDTH)
			err = program_word(c, offset, get32(src));
		else
			err = program_buffer(c, offset, src, n / BUS_WIDTH);
		offset += n;
		src += n;
		len -= n;
	}
	return err;
}

static int cfi_erase(void *ctx, uint32_t offset)
{
	struct cfi_flash *c = ctx;
	int err;

	if (offset % c->erase_size || offset >= c->flash.size)
		return FLASH_ERR_RANGE;
	offset += c->region;
	/* Blocks may come out of reset locked (real chips do). */
	write_cmd(c, offset, CMD_BLOCK_UNLOCK);
	write_cmd(c, offset, CMD_CONFIRM);
	err = finish(c, offset, c->word_timeout);
	if (err)
		return err;
	write_cmd(c, offset, CMD_BLOCK_ERASE);
	write_cmd(c, offset, CMD_CONFIRM);
	return finish(c, offset, c->erase_timeout);
}

/* Read-array mode: plain loads, 64 bits where both sides are aligned. */
static int cfi_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
	struct cfi_flash *c = ctx;
	uint8_t *dst = buf;
	uintptr_t addr;

	if (offset > c->flash.size || len > c->flash.size - offset)
		return FLASH_ERR_RANGE;
	addr = c->base + c->region + offset;
	while (len && ((addr | (uintptr_t)dst) & 7)) {
		uint32_t word = mmio_read32(addr & ~(uintptr_t)3);

		*dst++ = word >> (8 * (addr & 3));
		addr++;
		len--;
	}
	for (; len >= 8; len -= 8, addr += 8, dst += 8)
		*(uint64_t *)dst = mmio_read64(addr);
	for (; len; len--, addr++) {
		uint32_t word = mmio_read32(addr & ~(uintptr_t)3);

		*dst++ = word >> (8 * (addr & 3));
	}
	return FLASH_OK;
}

static const struct flash_ops cfi_flash_ops = {
	.read = cfi_read,
	.program = cfi_program,
	.erase = cfi_erase,
};

void cfi_flash_set_region(struct cfi_flash *c, uint32_t offset, uint32_t size)
{
	c->region = offset;
	c->flash = (struct flash){
		.ops = &cfi_flash_ops,
		.ctx = c,
		.size = size,
		.erase_size = c->erase_size,
		.program_align = BUS_WIDTH,
	};
}
