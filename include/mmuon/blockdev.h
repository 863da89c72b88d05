/* SPDX-License-Identifier: MIT */
/*
 * A block device, as the storage drivers below UEFI offer it (virtio-blk, a
 * virtio-scsi LUN) and as the pure layers above consume it (partitions,
 * filesystems). It knows nothing of UEFI: src/efi/block_io.c wraps each one
 * in EFI_BLOCK_IO_PROTOCOL and EFI_DISK_IO_PROTOCOL, and host tests back
 * one with a RAM buffer.
 *
 * Polled and synchronous. Layers above call the checked entry points
 * below (blockdev_read() and friends), never ops directly: they validate
 * the request once (media, range, read-only), so drivers see only
 * requests they can carry out. A driver moves data by DMA straight into or
 * out of the caller's buffer when it is aligned to io_align; the entry
 * points bounce through dev->scratch only when it is not, and the byte
 * interface (blockdev_read_bytes, DiskIo's semantics) only for the partial
 * blocks at either end. So a whole-block read into an aligned buffer -- a
 * file read by FAT into the kernel's final slot -- is one DMA, no copy.
 *
 * A partition is a blockdev too (struct blockdev_slice): LBA 0 is its
 * first block, and reads go to the disk underneath with the offset added.
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

/* Called only through the blockdev_* entry points, with checked requests:
 * count >= 1, [lba, lba + count) inside the device, media present, and
 * buf aligned to io_align. */
struct blockdev_ops {
	int (*read)(struct blockdev *dev, uint64_t lba, uint64_t count,
		    void *buf);
	int (*write)(struct blockdev *dev, uint64_t lba, uint64_t count,
		     const void *buf);
	int (*flush)(struct blockdev *dev);
};

/*
 * Where a disk sits, in the terms EDK2 names it by (device paths): the
 * PCI functions from the root bus down (the bridges, then the device), or
 * a virtio-mmio transport; and a SCSI target/LUN behind that controller.
 */
#define BLOCKDEV_MAX_PCI_DEPTH 8

enum blockdev_bus {
	BLOCKDEV_BUS_NONE, /* a RAM disk in a test */
	BLOCKDEV_BUS_PCI,
	BLOCKDEV_BUS_MMIO,
};

struct blockdev_location {
	enum blockdev_bus bus;
	uint8_t pci_depth;
	struct {
		uint8_t device, function;
	} pci[BLOCKDEV_MAX_PCI_DEPTH]; /* root bus first */
	uint64_t mmio_base;
	bool scsi;
	uint16_t scsi_target, scsi_lun;
};

struct blockdev {
	const struct blockdev_ops *ops;
	char name[32];	      /* for messages: "virtio-blk 00:02.0" */
	uint32_t block_size;  /* bytes per logical block: 512, 2048, 4096 */
	uint64_t block_count; /* 0 for empty media */
	uint32_t io_align;    /* buffer alignment for zero-copy I/O (1 = any) */
	/* Topology (BlockIo revision 3): the first LBA on a physical block
	 * boundary, logical blocks per physical one, the optimal transfer
	 * size in logical blocks (0 = not reported). */
	uint64_t lowest_aligned_lba;
	uint32_t blocks_per_physical;
	uint32_t optimal_transfer_blocks;
	bool read_only;
	bool removable;
	bool media_present;
	struct blockdev_location location;
	/* One block, aligned to io_align, DMA-able: for bounces and partial
	 * blocks. Set by whoever registers the device (src/efi/block_io.c
	 * allocates it if NULL); a slice shares its parent's. */
	void *scratch;
	void *priv; /* the driver's */
};

/* Whole blocks; count may be 0. BLOCKDEV_OK or a blockdev_status. */
int blockdev_read(struct blockdev *dev, uint64_t lba, uint64_t count,
		  void *buf);
int blockdev_write(struct blockdev *dev, uint64_t lba, uint64_t count,
		   const void *buf);
int blockdev_flush(struct blockdev *dev);

/* Any byte range (EFI_DISK_IO_PROTOCOL's semantics); len may be 0. */
int blockdev_read_bytes(struct blockdev *dev, uint64_t offset, uint64_t len,
			void *buf);
int blockdev_write_bytes(struct blockdev *dev, uint64_t offset, uint64_t len,
			 const void *buf);

/* A short English phrase for a blockdev_status ("device error"). */
const char *blockdev_strerror(int status);

/* [start, start + count) of a parent device, as a device of its own. */
struct blockdev_slice {
	struct blockdev dev;
	struct blockdev *parent;
	uint64_t start;
};

/*
 * Makes @s a view of @parent's blocks [start, start + count), clamped to
 * the parent's end. It inherits block size, alignment, read-only and
 * media state, and the parent's scratch buffer.
 */
void blockdev_slice_init(struct blockdev_slice *s, struct blockdev *parent,
			 uint64_t start, uint64_t count);

#endif
