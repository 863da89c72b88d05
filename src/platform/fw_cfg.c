// SPDX-License-Identifier: MIT
/*
 * fw_cfg over MMIO with the DMA interface: selector at +8 (16-bit,
 * big-endian), DMA address at +16 (64-bit, big-endian; writing it starts
 * the transfer, which completes before the write returns on QEMU but is
 * polled for anyway, as the interface allows asynchronous completion).
 */
#include <string.h>

#include <mmuon/fw_cfg.h>
#include <mmuon/mmio.h>

#define REG_DMA 16
#define DMA_SIGNATURE 0x51454d5520434647ull /* "QEMU CFG", big-endian */

#define DMA_CTL_ERROR (1u << 0)
#define DMA_CTL_READ (1u << 1)
#define DMA_CTL_SKIP (1u << 2)
#define DMA_CTL_SELECT (1u << 3)
#define DMA_CTL_WRITE (1u << 4)

#define DIR_NAME_LEN 56

struct dma_access {
	uint32_t control; /* all fields big-endian */
	uint32_t length;
	uint64_t address;
};

struct dir_entry {
	uint32_t size; /* big-endian */
	uint16_t select;
	uint16_t reserved;
	char name[DIR_NAME_LEN];
};

static uint64_t base;
static uint64_t dma_bytes;

int fw_cfg_init(uint64_t mmio_base)
{
	if (__builtin_bswap64(mmio_read64(mmio_base + REG_DMA)) !=
	    DMA_SIGNATURE)
		return FW_CFG_NO_DEVICE;
	base = mmio_base;
	return FW_CFG_OK;
}

bool fw_cfg_present(void)
{
	return base != 0;
}

/*
 * One DMA operation; the descriptor lives on the stack, in normal RAM.
 * The DT marks fw-cfg dma-coherent: the device reads and writes guest
 * memory through the coherent interconnect, so neither the descriptor nor
 * the data needs cache maintenance, only the ordering barriers below.
 */
static int dma(uint32_t control, void *address, uint32_t len)
{
	volatile struct dma_access access = {
		.control = __builtin_bswap32(control),
		.length = __builtin_bswap32(len),
		.address = __builtin_bswap64((uintptr_t)address),
	};
	uint32_t status;

	if (!base)
		return FW_CFG_NO_DEVICE;
	/* The descriptor must be visible to the device before it starts. */
	dma_wmb();
	mmio_write64(base + REG_DMA, __builtin_bswap64((uintptr_t)&access));
	do
		status = __builtin_bswap32(access.control);
	while (status & ~DMA_CTL_ERROR);
	/* Reads of the data must not pass the completion we just saw. */
	dma_rmb();
	if (status & DMA_CTL_ERROR)
		return FW_CFG_DMA_ERROR;
	if (control & DMA_CTL_READ)
		dma_bytes += len;
	return FW_CFG_OK;
}

/* Select key, skip to offset, then one read or write of len bytes. */
static int transfer(uint16_t key, uint32_t offset, uint32_t direction,
		    void *buf, uint32_t len)
{
	uint32_t select = ((uint32_t)key << 16) | DMA_CTL_SELECT;
	int rc;

	if (offset) {
		rc = dma(select | DMA_CTL_SKIP, NULL, offset);
		if (rc)
			return rc;
		select = 0; /* already selected; the offset is kept */
	}
	return dma(select | direction, buf, len);
}

int fw_cfg_read(uint16_t key, uint32_t offset, void *dst, uint32_t len)
{
	return transfer(key, offset, DMA_CTL_READ, dst, len);
}

int fw_cfg_write(uint16_t key, uint32_t offset, const void *src, uint32_t len)
{
	/* The device only reads src: the cast drops const for the shared path. */
	return transfer(key, offset, DMA_CTL_WRITE, (void *)src, len);
}

uint32_t fw_cfg_read_u32(uint16_t key)
{
	uint32_t v = 0;

	if (fw_cfg_read(key, 0, &v, sizeof(v)))
		return 0;
	return v; /* these items are little-endian, like the CPU */
}

int fw_cfg_find_file(const char *name, uint16_t *key, uint32_t *size)
{
	uint32_t count, i;
	struct dir_entry e;
	int rc;

	rc = fw_cfg_read(FW_CFG_FILE_DIR, 0, &count, sizeof(count));
	if (rc)
		return rc;
	count = __builtin_bswap32(count);
	for (i = 0; i < count; i++) {
		rc = fw_cfg_read(FW_CFG_FILE_DIR, sizeof(count) + i * sizeof(e),
				 &e, sizeof(e));
		if (rc)
			return rc;
		if (!strncmp(e.name, name, DIR_NAME_LEN)) {
			*key = __builtin_bswap16(e.select);
			*size = __builtin_bswap32(e.size);
			return FW_CFG_OK;
		}
	}
	return FW_CFG_NOT_FOUND;
}

uint64_t fw_cfg_dma_bytes(void)
{
	return dma_bytes;
}
