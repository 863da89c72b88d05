/* SPDX-License-Identifier: MIT */
/*
 * A block device, as the storage drivers below UEFI offer it (virtio-blk, a
 * virtio-scsi LUN) and as the pure layers above consume it (partitions,
 * filesystems). It knows nothing of UEFI: src/efi/ wraps each one in an
 * EFI_BLOCK_IO_PROTOCOL, and host tests back one with a RAM buffer.
 *
 * Polled and synchronous. A driver moves data by DMA straight into or out of
 * the caller's buffer when it is aligned to io_align, and bounces only when
 * it is not.
 */
#ifndef MMUON_BLOCKDEV_H
#define MMUON_BLOCKDEV_H

#include <stdbool.h>
#include <stdint.h>

enum blockdev_status {
	BLOCKDEV_OK = 0,
	BLOCKDEV_ERR_IO = -1,	     /* the device reported an error */
	BLOCKDEV_ERR_RANGE = -2,     /* outside [0, block_count) */
	BLOCKDEV_ERR_READ_ONLY = -3, /* write to read-only media */
	BLOCKDEV_ERR_NO_MEDIA = -4,  /* e.g. an empty CD drive */
	BLOCKDEV_ERR_NO_MEMORY = -5, /* no bounce buffer */
	BLOCKDEV_ERR_TIMEOUT = -6,   /* the device did not answer */
};

struct blockdev;

struct blockdev_ops {
	/* count whole blocks from lba; count may be 0. */
	int (*read)(struct blockdev *dev, uint64_t lba, uint64_t count,
		    void *buf);
	int (*write)(struct blockdev *dev, uint64_t lba, uint64_t count,
		     const void *buf);
	int (*flush)(struct blockdev *dev);
};

struct blockdev {
	const struct blockdev_ops *ops;
	uint32_t block_size;  /* bytes per logical block: 512, 2048, 4096 */
	uint64_t block_count; /* 0 for empty media */
	uint32_t io_align;    /* buffer alignment for zero-copy I/O (1 = any) */
	bool read_only;
	bool removable;
	bool media_present;
	void *priv; /* the driver's */
};

#endif
