/* SPDX-License-Identifier: MIT */
/*
 * The UEFI side of every disk and partition: a handle with
 * EFI_BLOCK_IO_PROTOCOL (revision 3), EFI_DISK_IO_PROTOCOL and its device
 * path, plus, on a partition, EFI_PARTITION_INFO_PROTOCOL and (as EDK2
 * does) its GPT type GUID as a protocol with no interface -- so the ESPs
 * are LocateHandle(ByProtocol, EFI_PART_TYPE_EFI_SYSTEM_PART_GUID) away.
 * src/efi/block_io.c; DiskIo in src/efi/disk_io.c.
 *
 * For the layers above (filesystems, the boot manager), each such handle
 * is a struct efi_block:
 *
 *   static void attach_fat(struct efi_block *blk)
 *   {
 *           if (fat_probe(blk->dev))      // blk->dev: LBA 0 is the
 *                   install_sfs(blk->handle, blk->dev); // partition's
 *   }
 *   ...
 *   efi_block_watch(attach_fat);  // in efi_init(), before or after the
 *                                 // disks are found: it sees them all
 *
 * efi_block_watch() calls the watcher at once for every handle that
 * exists, then for each new one as it is installed (a disk, then each of
 * its partitions). Reads through blk->dev go by DMA straight into the
 * caller's buffer (see include/mmuon/blockdev.h).
 */
#ifndef MMUON_EFI_BLOCK_H
#define MMUON_EFI_BLOCK_H

#include <efi/efi.h>
#include <efi/protocol/block_io.h>

#include <mmuon/blockdev.h>
#include <mmuon/partition.h>

#define EFI_BLOCK_WATCHERS 8

struct efi_block {
	EFI_HANDLE handle;
	/* The disk, or the partition as a device of its own (LBA 0 = its
	 * first block). */
	struct blockdev *dev;
	EFI_DEVICE_PATH_PROTOCOL *device_path;
	/* A partition's disk (or extended partition); NULL for a disk. */
	struct efi_block *parent;
	/* What the partition table said; NULL for a disk. */
	const struct partition *partition;
	struct efi_block *next; /* in creation order */

	/* The protocols' storage (private to src/efi). */
	EFI_BLOCK_IO_PROTOCOL block_io;
	EFI_BLOCK_IO_MEDIA media;
	EFI_DISK_IO_PROTOCOL disk_io;
	EFI_PARTITION_INFO_PROTOCOL partition_info;
	struct blockdev_slice slice;
	struct partition part;
};

typedef void (*efi_block_watcher)(struct efi_block *blk);

/* Calls @fn for every existing BlockIo handle, then for each new one.
 * At most EFI_BLOCK_WATCHERS; -1 if full. */
int efi_block_watch(efi_block_watcher fn);

/* The efi_block of a handle, or NULL. */
struct efi_block *efi_block_find(EFI_HANDLE handle);

/* The first of all, in creation order (then ->next). */
struct efi_block *efi_block_first(void);

/*
 * Installs a disk found by a driver, then its partitions (messages about
 * the partition table are printed). NULL if it could not be installed.
 */
struct efi_block *efi_block_add_disk(struct blockdev *dev);

/* EFI_STATUS of a blockdev_status. */
EFI_STATUS efi_block_status(int blockdev_status);

/* DiskIo for @blk (src/efi/disk_io.c). */
void efi_disk_io_init(struct efi_block *blk);

#endif
