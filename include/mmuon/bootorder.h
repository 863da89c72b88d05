/* SPDX-License-Identifier: MIT */
/*
 * QEMU's "bootorder" fw_cfg file: the devices given bootindex=, in that
 * order, one OpenFirmware-style path a line, NUL-terminated; "HALT" as the
 * last line with -boot strict=on. On arm64 virt (QEMU 10.0, read back from
 * the file itself):
 *
 *   /pci@ffffffffffffffff/scsi@1/disk@0,0            virtio-blk-pci at 00:01.0
 *   /pci@ffffffffffffffff/pci-bridge@1/scsi@0/disk@0,0
 *                                                    the same behind a root port
 *   /pci@ffffffffffffffff/scsi@1f,3/channel@0/disk@c8,3fff
 *                                          virtio-scsi-pci at 00:1f.3, target
 *                                          0xc8, LUN 0x3fff (scsi-hd, scsi-cd)
 *   /virtio-mmio@000000000a003e00/disk@0,0           virtio-blk-device
 *   /virtio-mmio@000000000a003e00/channel@0/disk@0,0 virtio-scsi-device
 *   /pci@ffffffffffffffff/ethernet@1/ethernet-phy@0  virtio-net-pci
 *
 * Slots, functions, targets and LUNs are hexadecimal. -boot order=/once=
 * add nothing on virt (QEMU's legacy boot order is an x86 notion).
 *
 * Pure: the entries become locations (PCI functions from the root bus,
 * or a virtio-mmio base; a SCSI target and LUN) that the boot manager
 * compares with its disks. Host-tested and fuzzed.
 */
#ifndef MMUON_BOOTORDER_H
#define MMUON_BOOTORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOTORDER_MAX 32
#define BOOTORDER_PCI_DEPTH 8
#define BOOTORDER_TEXT 96

enum bootorder_bus {
	BOOTORDER_BUS_NONE, /* a path mmuon does not understand */
	BOOTORDER_BUS_PCI,
	BOOTORDER_BUS_MMIO,
};

enum bootorder_kind {
	BOOTORDER_DISK,	 /* a block device (virtio-blk) */
	BOOTORDER_SCSI,	 /* a SCSI target/LUN behind a controller */
	BOOTORDER_NET,	 /* a network device: no network boot here */
	BOOTORDER_OTHER, /* a controller or anything else */
};

struct bootorder_entry {
	enum bootorder_bus bus;
	enum bootorder_kind kind;
	uint8_t pci_depth; /* functions from the root bus: bridges, device */
	struct {
		uint8_t device, function;
	} pci[BOOTORDER_PCI_DEPTH];
	uint64_t mmio_base;
	uint16_t scsi_target, scsi_lun;
	char text[BOOTORDER_TEXT]; /* the line as QEMU wrote it (cut) */
};

struct bootorder {
	unsigned count;
	bool strict;	  /* HALT: boot nothing that is not listed */
	unsigned dropped; /* lines past BOOTORDER_MAX */
	struct bootorder_entry entry[BOOTORDER_MAX];
};

/*
 * Parses @size bytes of the file (a NUL or the end stops it). Every line
 * becomes an entry, with bus NONE if it is not understood.
 */
void bootorder_parse(const char *data, size_t size, struct bootorder *bo);

/* VenHw GUID EDK2 gives virtio-mmio transports (the base follows, LE). */
#define BOOTORDER_VIRTIO_MMIO_GUID                                             \
	0x9e, 0xca, 0x7d, 0x83, 0x74, 0xe8, 0x82, 0x4d, 0xb2, 0x9a, 0x23,      \
		0xfe, 0x0e, 0x23, 0xd1, 0xe2

/* Longest path bootorder_device_path() writes. */
#define BOOTORDER_PATH_MAX (12 + 6 * BOOTORDER_PCI_DEPTH + 8 + 4)

/*
 * The device path prefix EDK2 gives the device of @e, End included:
 * PciRoot(0x0)/Pci(d,f).../[Scsi(target,lun)] or
 * VenHw(837DCA9E-E874-4D82-B29A-23FE0E23D1E2,<base>)/[Scsi(target,lun)].
 * Every path of the device (its partitions, files on them) starts with
 * it. Returns its size, or 0 for entries without a bus.
 */
size_t bootorder_device_path(const struct bootorder_entry *e,
			     uint8_t buf[BOOTORDER_PATH_MAX]);

#endif
