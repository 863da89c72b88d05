/* SPDX-License-Identifier: MIT */
/*
 * Device paths for disks and partitions, built as EDK2 builds them on
 * ArmVirtQemu, so that Boot#### entries written by an OS installed under
 * EDK2 name the same devices under mmuon:
 *
 *   PciRoot(0x0)/Pci(0x2,0x0)                     virtio-blk on the root bus
 *   PciRoot(0x0)/Pci(0x1,0x0)/Pci(0x0,0x0)        behind a root port
 *   PciRoot(0x0)/Pci(0x3,0x0)/Scsi(0x0,0x1)       a virtio-scsi LUN
 *   VenHw(837DCA9E-E874-4D82-B29A-23FE0E23D1E2,003E000A00000000)
 *                                                 virtio-mmio at 0xa003e00
 *   .../HD(1,GPT,<unique GUID>,0x800,0x32000)     a GPT partition
 *   .../HD(1,MBR,0x<disk signature>,0x800,0x1000) an MBR partition
 *   .../CDROM(0x1,0x6c,0x2c0)                     an El Torito image
 *
 * Pure byte layouts (UEFI 2.10 section 10.3), host-tested.
 */
#ifndef MMUON_DEVPATH_DISK_H
#define MMUON_DEVPATH_DISK_H

#include <stddef.h>
#include <stdint.h>

#include <mmuon/blockdev.h>
#include <mmuon/partition.h>

/* Longest disk path: PciRoot, the PCI hops, Scsi or VenHw, End. */
#define DEVPATH_DISK_MAX (12 + 6 * BLOCKDEV_MAX_PCI_DEPTH + 28 + 8 + 4)
/* HD is the longer partition node. */
#define DEVPATH_PARTITION_NODE_MAX 42

/* The whole-disk path for @loc, End included, into @buf; its size, or 0
 * if @buf is too small or @loc names nothing. */
size_t devpath_disk(const struct blockdev_location *loc, void *buf,
		    size_t size);

/* The HD or CDROM node (no End) for @p into @node; its size, or 0. */
size_t devpath_partition_node(const struct partition *p,
			      uint8_t node[DEVPATH_PARTITION_NODE_MAX]);

/* @path (End included, @path_size bytes) with @node inserted before its
 * End, into @buf; the new size, or 0 if @buf is too small. */
size_t devpath_append(const void *path, size_t path_size, const void *node,
		      void *buf, size_t size);

#endif
