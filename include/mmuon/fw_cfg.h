/* SPDX-License-Identifier: MIT */
/*
 * QEMU's firmware configuration device (docs/specs/fw_cfg.rst in QEMU):
 * the kernel, initrd and command line given with -kernel/-initrd/-append,
 * and named files. Bulk data moves by DMA only, straight to its destination.
 */
#ifndef MMUON_FW_CFG_H
#define MMUON_FW_CFG_H

#include <stdbool.h>
#include <stdint.h>

/* Well-known items (little-endian 32-bit sizes, raw data). */
#define FW_CFG_KERNEL_SIZE 0x08
#define FW_CFG_INITRD_SIZE 0x0b
#define FW_CFG_KERNEL_DATA 0x11
#define FW_CFG_INITRD_DATA 0x12
#define FW_CFG_CMDLINE_SIZE 0x14
#define FW_CFG_CMDLINE_DATA 0x15
#define FW_CFG_FILE_DIR 0x19

enum fw_cfg_status {
	FW_CFG_OK = 0,
	FW_CFG_NO_DEVICE = -1, /* not initialised, or no DMA interface */
	FW_CFG_DMA_ERROR = -2, /* the device set the error bit */
	FW_CFG_NOT_FOUND = -3,
};

/* Checks the DMA signature at base; FW_CFG_OK if usable. */
int fw_cfg_init(uint64_t base);
bool fw_cfg_present(void);

/*
 * DMA len bytes of item key, starting offset bytes into it, to dst. The
 * device writes guest memory through the coherent interconnect (the DT
 * marks fw-cfg dma-coherent), so no cache maintenance is needed for dst.
 */
int fw_cfg_read(uint16_t key, uint32_t offset, void *dst, uint32_t len);

/*
 * DMA len bytes from src into item key at offset. QEMU accepts writes only
 * to the few files it made writable (etc/vmgenid_addr,
 * etc/hardware_errors_addr: the table loader's WRITE_POINTER targets);
 * anything else ends with FW_CFG_DMA_ERROR.
 */
int fw_cfg_write(uint16_t key, uint32_t offset, const void *src, uint32_t len);

/* A little-endian 32-bit item such as FW_CFG_KERNEL_SIZE; 0 if absent. */
uint32_t fw_cfg_read_u32(uint16_t key);

/* Looks a file up by name in the directory ("etc/..."). */
int fw_cfg_find_file(const char *name, uint16_t *key, uint32_t *size);

/* Bytes moved by DMA since boot (the firmware's copy counters). */
uint64_t fw_cfg_dma_bytes(void);

#endif
