// SPDX-License-Identifier: MIT
/*
 * Disk and partition device paths, byte by byte (include/mmuon/
 * devpath_disk.h). Nodes are packed little-endian structures with no
 * alignment, so every field is stored a byte at a time.
 */
#include <string.h>

#include <mmuon/devpath_disk.h>
#include <mmuon/devpath_util.h>

#define TYPE_HARDWARE 0x01
#define TYPE_ACPI 0x02
#define TYPE_MESSAGING 0x03
#define TYPE_MEDIA 0x04
#define SUB_PCI 0x01
#define SUB_VENDOR 0x04
#define SUB_ACPI 0x01
#define SUB_SCSI 0x02
#define SUB_HARDDRIVE 0x01
#define SUB_CDROM 0x02

/* PNP0A03, the PCI host bridge, as EISA_PNP_ID(0x0A03). */
#define PCI_ROOT_HID 0x0a0341d0
#define MBR_TYPE_PCAT 1
#define MBR_TYPE_GPT 2
#define SIGNATURE_TYPE_MBR 1
#define SIGNATURE_TYPE_GUID 2

/* EDK2's gVirtioMmioTransportGuid, 837dca9e-e874-4d82-b29a-23fe0e23d1e2. */
static const uint8_t virtio_mmio_guid[16] = {
	0x9e, 0xca, 0x7d, 0x83, 0x74, 0xe8, 0x82, 0x4d,
	0xb2, 0x9a, 0x23, 0xfe, 0x0e, 0x23, 0xd1, 0xe2,
};

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	while (bytes--) {
		*p++ = (uint8_t)v;
		v >>= 8;
	}
}

static uint8_t *node(uint8_t *p, uint8_t type, uint8_t subtype, uint16_t len)
{
	memset(p, 0, len);
	p[0] = type;
	p[1] = subtype;
	put_le(p + 2, len, 2);
	return p + len;
}

size_t devpath_disk(const struct blockdev_location *loc, void *buf, size_t size)
{
	uint8_t tmp[DEVPATH_DISK_MAX], *p = tmp;
	unsigned i;

	switch (loc->bus) {
	case BLOCKDEV_BUS_PCI:
		if (!loc->pci_depth || loc->pci_depth > BLOCKDEV_MAX_PCI_DEPTH)
			return 0;
		p = node(p, TYPE_ACPI, SUB_ACPI, 12);
		put_le(p - 8, PCI_ROOT_HID, 4); /* UID 0 */
		for (i = 0; i < loc->pci_depth; i++) {
			p = node(p, TYPE_HARDWARE, SUB_PCI, 6);
			p[-2] = loc->pci[i].function;
			p[-1] = loc->pci[i].device;
		}
		break;
	case BLOCKDEV_BUS_MMIO:
		p = node(p, TYPE_HARDWARE, SUB_VENDOR, 28);
		memcpy(p - 24, virtio_mmio_guid, 16);
		put_le(p - 8, loc->mmio_base, 8);
		break;
	default:
		return 0;
	}
	if (loc->scsi) {
		p = node(p, TYPE_MESSAGING, SUB_SCSI, 8);
		put_le(p - 4, loc->scsi_target, 2);
		put_le(p - 2, loc->scsi_lun, 2);
	}
	p += devpath_end(p, 4);
	if ((size_t)(p - tmp) > size)
		return 0;
	memcpy(buf, tmp, (size_t)(p - tmp));
	return (size_t)(p - tmp);
}

size_t devpath_partition_node(const struct partition *part,
			      uint8_t out[DEVPATH_PARTITION_NODE_MAX])
{
	uint8_t *p = out;

	if (part->scheme == PARTITION_ELTORITO) {
		node(p, TYPE_MEDIA, SUB_CDROM, 24);
		put_le(p + 4, part->number, 4);
		put_le(p + 8, part->path_start, 8);
		put_le(p + 16, part->path_size, 8);
		return 24;
	}
	if (part->scheme != PARTITION_GPT && part->scheme != PARTITION_MBR)
		return 0;
	node(p, TYPE_MEDIA, SUB_HARDDRIVE, 42);
	put_le(p + 4, part->number, 4);
	put_le(p + 8, part->path_start, 8);
	put_le(p + 16, part->path_size, 8);
	if (part->scheme == PARTITION_GPT) {
		memcpy(p + 24, part->signature, 16);
		p[40] = MBR_TYPE_GPT;
		p[41] = SIGNATURE_TYPE_GUID;
	} else {
		memcpy(p + 24, part->signature, 4);
		p[40] = MBR_TYPE_PCAT;
		p[41] = SIGNATURE_TYPE_MBR;
	}
	return 42;
}

size_t devpath_append(const void *path, size_t path_size, const void *nd,
		      void *buf, size_t size)
{
	size_t len = devpath_node_length(nd);
	size_t head = path_size - DEVPATH_HDR_SIZE, total = path_size + len;

	if (path_size < DEVPATH_HDR_SIZE || total > size)
		return 0;
	memmove(buf, path, head);
	memcpy((uint8_t *)buf + head, nd, len);
	devpath_end((uint8_t *)buf + head + len, DEVPATH_HDR_SIZE);
	return total;
}
