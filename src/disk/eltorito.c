// SPDX-License-Identifier: MIT
/*
 * El Torito boot catalogs (El Torito 1.0, 1995) on ISO 9660 media: the
 * volume descriptors from byte 32768 on (2 KiB each, up to the
 * terminator), a Boot Record ("EL TORITO SPECIFICATION") pointing to the
 * catalog, whose validation entry is checksummed and whose bootable
 * entries become partitions. The EFI one (platform 0xEF, in the
 * validation entry for the initial entry, in section headers for the
 * rest) is what UEFI boots from; if a catalog names no EFI entry, every
 * bootable entry is kept, as EDK2 keeps them all.
 *
 * Numbers and sizes are EDK2's (ElTorito.c), so CDROM(entry,start,size)
 * nodes come out the same: only the catalog's first media block is read;
 * the initial entry is number 0, later bootable entries count from 1; a
 * no-emulation image's sector count is taken in media blocks, and a count
 * under 2 means "to the end of the volume".
 */
#include <string.h>

#include <mmuon/partition.h>

#define ISO_SECTOR 2048
#define VOLUME_DESCRIPTORS 32768
#define MAX_DESCRIPTORS 64
#define VD_BOOT_RECORD 0
#define VD_PRIMARY 1
#define VD_TERMINATOR 255
#define ELTORITO_ID "EL TORITO SPECIFICATION"
#define PLATFORM_EFI 0xef

#define ENTRY_BOOTABLE 0x88
#define HEADER_MORE 0x90
#define HEADER_FINAL 0x91

/* The catalog's validation entry: header 1, 0x55 0xAA at 30, and the
 * 16-bit words summing to 0. */
static bool valid_catalog(const uint8_t *c)
{
	uint16_t sum = 0;
	unsigned i;

	if (c[0] != 1 || c[30] != 0x55 || c[31] != 0xaa)
		return false;
	for (i = 0; i < 32; i += 2)
		sum = (uint16_t)(sum + get_le16(c + i));
	return sum == 0;
}

/* EDK2's size of a bootable entry, in media blocks. */
static uint64_t entry_size(const uint8_t *e, uint32_t bs, uint64_t blocks,
			   uint32_t vol_space)
{
	uint32_t per = ISO_SECTOR / bs, sub = 512;
	uint32_t sectors = get_le16(e + 6), lba = get_le32(e + 8);

	switch (e[1] & 0x0f) {
	case 0: /* no emulation */
		sub = bs;
		break;
	case 1: /* 1.2 MB diskette */
		sectors = 80 * 2 * 15;
		break;
	case 2: /* 1.44 MB */
		sectors = 80 * 2 * 18;
		break;
	case 3: /* 2.88 MB */
		sectors = 80 * 2 * 36;
		break;
	case 4: /* hard disk */
		break;
	default:
		sectors = 0;
		sub = bs;
		break;
	}
	if (sectors >= 2)
		return ((uint64_t)sectors * per * sub + bs - 1) / bs;
	/* The whole rest of the volume (or of the media, if smaller). */
	if ((uint64_t)vol_space * per > blocks || vol_space <= lba)
		return blocks - (uint64_t)lba * per;
	return (uint64_t)(vol_space - lba) * per;
}

static void scan_catalog(struct blockdev *dev, struct partition_table *t,
			 const uint8_t *cat, uint32_t vol_space)
{
	uint32_t bs = dev->block_size, per = ISO_SECTOR / bs;
	uint32_t boot_entry = 1, index;
	uint8_t platform = cat[1];

	for (index = 1; index < bs / 32; index++) {
		const uint8_t *e = cat + 32 * index;
		uint64_t start = (uint64_t)get_le32(e + 8) * per, size;
		struct partition *p;

		if (e[0] == HEADER_MORE || e[0] == HEADER_FINAL) {
			platform = e[1];
			continue;
		}
		if (e[0] != ENTRY_BOOTABLE || !get_le32(e + 8))
			continue;
		if (index == 1)
			boot_entry = 0;
		size = entry_size(e, bs, dev->block_count, vol_space);
		if (start >= dev->block_count || !(p = partition_add(t)))
			return;
		p->number = boot_entry++;
		p->start = p->path_start = start;
		p->path_size = size;
		p->count = size < dev->block_count - start
				   ? size
				   : dev->block_count - start;
		p->platform = platform;
		p->system = platform == PLATFORM_EFI;
	}
}

/* Keeps only the EFI entries, if there are any. */
static void prefer_efi(struct partition_table *t, unsigned from)
{
	unsigned i, kept = from;
	bool any = false;

	for (i = from; i < t->count; i++)
		any |= t->part[i].platform == PLATFORM_EFI;
	if (!any)
		return;
	for (i = from; i < t->count; i++)
		if (t->part[i].platform == PLATFORM_EFI)
			t->part[kept++] = t->part[i];
	t->count = kept;
}

bool eltorito_scan(struct blockdev *dev, struct partition_table *t)
{
	uint32_t bs = dev->block_size, vol_space = 0, i;
	uint8_t *vd = t->buf, *cat = t->buf + ISO_SECTOR;

	if (bs > ISO_SECTOR || ISO_SECTOR % bs)
		return false;
	for (i = 0; i < MAX_DESCRIPTORS; i++) {
		uint64_t off = VOLUME_DESCRIPTORS + (uint64_t)i * ISO_SECTOR;
		uint32_t catalog;
		unsigned before;

		if ((off + ISO_SECTOR) / bs > dev->block_count ||
		    blockdev_read_bytes(dev, off, ISO_SECTOR, vd) ||
		    vd[0] == VD_TERMINATOR || memcmp(vd + 1, "CD001", 5))
			break;
		if (vd[0] == VD_PRIMARY)
			vol_space = get_le32(vd + 80);
		if (vd[0] != VD_BOOT_RECORD ||
		    memcmp(vd + 7, ELTORITO_ID, sizeof(ELTORITO_ID) - 1))
			continue;
		catalog = get_le32(vd + 71);
		if ((uint64_t)catalog * (ISO_SECTOR / bs) >= dev->block_count ||
		    blockdev_read_bytes(dev, (uint64_t)catalog * ISO_SECTOR, bs,
					cat))
			continue;
		if (!valid_catalog(cat)) {
			partition_note(t,
				       "El Torito: the boot catalog at "
				       "sector %u is not valid",
				       catalog);
			continue;
		}
		before = t->count;
		scan_catalog(dev, t, cat, vol_space);
		prefer_efi(t, before);
	}
	return t->count > 0;
}
