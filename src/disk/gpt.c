// SPDX-License-Identifier: MIT
/*
 * GUID Partition Tables (UEFI 2.10 section 5.3). A table is used only if
 * its header and its entry array pass their CRC32s and the header's
 * fields are consistent with the disk: the primary at LBA 1, or else the
 * backup at the last LBA. Entries outside the usable range, overlapping
 * another, or marked "no block I/O protocol" (attribute bit 1) are
 * skipped, as EDK2 skips them. The entry array is streamed through the
 * table's 16 KiB buffer: a header may claim any size, it is read in
 * bounded steps; the usual array (128 entries of 128 bytes) is read once,
 * for its CRC, and parsed from the buffer.
 */
#include <string.h>

#include <mmuon/crc32.h>
#include <mmuon/partition.h>

#define GPT_SIGNATURE "EFI PART"
#define GPT_HEADER_MIN 92
#define GPT_ENTRY_MIN 128
/* No sane table has more: 128 is the norm, a few thousand the extreme. */
#define GPT_ENTRIES_MAX 16384
#define GPT_ATTR_NO_BLOCK_IO (1ull << 1)

struct gpt_header {
	uint64_t my_lba, alternate_lba;
	uint64_t first_usable, last_usable;
	uint64_t entry_lba;
	uint32_t entries, entry_size, entries_crc;
};

static const uint8_t esp_type[16] = {
	0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
	0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b,
};

/* LBA 0: a protective MBR, an 0xEE entry starting at LBA 1 (EDK2's test). */
static bool protective_mbr(const uint8_t *mbr)
{
	unsigned i;

	if (mbr[510] != 0x55 || mbr[511] != 0xaa)
		return false;
	for (i = 0; i < 4; i++) {
		const uint8_t *e = mbr + 446 + 16 * i;

		if (e[4] == MBR_TYPE_GPT_PROTECTIVE && get_le32(e + 8) == 1)
			return true;
	}
	return false;
}

static bool is_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* CRC32 of the entry array, read 4 KiB at a time. */
static int entries_crc(struct blockdev *dev, struct partition_table *t,
		       const struct gpt_header *h, uint32_t *crc)
{
	uint64_t off = h->entry_lba * dev->block_size;
	uint64_t left = (uint64_t)h->entries * h->entry_size;
	int rc;

	*crc = 0;
	while (left) {
		uint32_t n = left < sizeof(t->buf) ? (uint32_t)left
						   : (uint32_t)sizeof(t->buf);

		rc = blockdev_read_bytes(dev, off, n, t->buf);
		if (rc)
			return rc;
		*crc = crc32_update(*crc, t->buf, n);
		off += n;
		left -= n;
	}
	return 0;
}

/*
 * The header at @lba, checked; NULL if it is fine, else why not (for a
 * note). Uses t->buf, which holds the entry array afterwards when it fits.
 */
static const char *read_header(struct blockdev *dev, struct partition_table *t,
			       uint64_t lba, struct gpt_header *h)
{
	uint8_t *b = t->buf;
	uint32_t size, crc, entry_blocks;
	uint64_t array_bytes;

	if (blockdev_read(dev, lba, 1, b))
		return "cannot be read";
	if (memcmp(b, GPT_SIGNATURE, 8))
		return "has no GPT signature";
	size = get_le32(b + 12);
	if (size < GPT_HEADER_MIN || size > dev->block_size)
		return "has a bad header size";
	crc = get_le32(b + 16);
	memset(b + 16, 0, 4);
	if (crc32_calc(b, size) != crc)
		return "has a bad CRC";
	h->my_lba = get_le64(b + 24);
	h->alternate_lba = get_le64(b + 32);
	h->first_usable = get_le64(b + 40);
	h->last_usable = get_le64(b + 48);
	h->entry_lba = get_le64(b + 72);
	h->entries = get_le32(b + 80);
	h->entry_size = get_le32(b + 84);
	h->entries_crc = get_le32(b + 88);
	if (h->my_lba != lba)
		return "names another LBA as its own";
	/* 128 << n bytes: the array then tiles t->buf exactly. */
	if (h->entry_size < GPT_ENTRY_MIN || h->entry_size > sizeof(t->buf) ||
	    (h->entry_size & (h->entry_size - 1)))
		return "has a bad entry size";
	if (!h->entries || h->entries > GPT_ENTRIES_MAX)
		return "has a bad number of entries";
	array_bytes = (uint64_t)h->entries * h->entry_size;
	entry_blocks = (uint32_t)((array_bytes + dev->block_size - 1) /
				  dev->block_size);
	if (h->entry_lba < 2 || h->entry_lba >= dev->block_count ||
	    entry_blocks > dev->block_count - h->entry_lba)
		return "puts its entries outside the disk";
	if (h->first_usable > h->last_usable + 1 ||
	    h->last_usable >= dev->block_count)
		return "has a usable range outside the disk";
	if (entries_crc(dev, t, h, &crc))
		return "has entries that cannot be read";
	if (crc != h->entries_crc)
		return "has entries with a bad CRC";
	return NULL;
}

static void add_entry(struct partition_table *t, const uint8_t *e,
		      uint32_t index)
{
	struct partition *p = partition_add(t);
	unsigned i;

	if (!p)
		return;
	memcpy(p->type_guid, e, 16);
	memcpy(p->signature, e + 16, 16);
	p->start = get_le64(e + 32);
	p->count = get_le64(e + 40) - p->start + 1;
	p->attributes = get_le64(e + 48);
	for (i = 0; i < 36; i++)
		p->name[i] = get_le16(e + 56 + 2 * i);
	p->number = index + 1;
	p->path_start = p->start;
	p->path_size = p->count;
	p->system = !memcmp(e, esp_type, 16);
}

/* Entries that pass the per-entry checks, in table order. */
static int read_entries(struct blockdev *dev, struct partition_table *t,
			const struct gpt_header *h)
{
	uint32_t per_buf = sizeof(t->buf) / h->entry_size, i, j;
	uint64_t off = h->entry_lba * dev->block_size;
	int rc;

	for (i = 0; i < h->entries; i += per_buf) {
		uint32_t n =
			h->entries - i < per_buf ? h->entries - i : per_buf;

		rc = blockdev_read_bytes(dev, off, (uint64_t)n * h->entry_size,
					 t->buf);
		if (rc)
			return rc;
		off += (uint64_t)n * h->entry_size;
		for (j = 0; j < n; j++) {
			const uint8_t *e = t->buf + j * h->entry_size;
			uint64_t start = get_le64(e + 32),
				 end = get_le64(e + 40);

			if (is_zero(e, 16))
				continue;
			if (get_le64(e + 48) & GPT_ATTR_NO_BLOCK_IO)
				continue;
			if (start < h->first_usable || end > h->last_usable ||
			    start > end) {
				partition_note(t,
					       "GPT entry %u lies outside the "
					       "usable blocks; skipped",
					       i + j + 1);
				continue;
			}
			add_entry(t, e, i + j);
		}
	}
	return 0;
}

/* EDK2 drops both entries of an overlapping pair. */
static void drop_overlaps(struct partition_table *t)
{
	bool overlaps[PARTITION_MAX] = {false};
	unsigned i, j, kept = 0;

	for (i = 0; i < t->count; i++)
		for (j = i + 1; j < t->count; j++) {
			const struct partition *a = &t->part[i],
					       *b = &t->part[j];

			if (a->start < b->start + b->count &&
			    b->start < a->start + a->count)
				overlaps[i] = overlaps[j] = true;
		}
	for (i = 0; i < t->count; i++) {
		if (overlaps[i]) {
			partition_note(t,
				       "GPT entry %u overlaps another; skipped",
				       t->part[i].number);
			continue;
		}
		t->part[kept++] = t->part[i];
	}
	t->count = kept;
}

bool gpt_scan(struct blockdev *dev, struct partition_table *t)
{
	uint64_t last = dev->block_count - 1;
	struct gpt_header h;
	const char *why;

	if (dev->block_size < 512 || dev->block_count < 3 ||
	    blockdev_read(dev, 0, 1, t->buf) || !protective_mbr(t->buf))
		return false;
	why = read_header(dev, t, 1, &h);
	if (why) {
		partition_note(t, "GPT: the primary header (LBA 1) %s", why);
		why = read_header(dev, t, last, &h);
		if (why) {
			partition_note(t,
				       "GPT: the backup header (LBA %llu) %s: "
				       "no GPT partitions",
				       (unsigned long long)last, why);
			return false;
		}
		partition_note(t, "GPT: using the backup header (LBA %llu)",
			       (unsigned long long)last);
	}
	if (read_entries(dev, t, &h)) {
		partition_note(t, "GPT: the entries cannot be read");
		t->count = 0;
		return true;
	}
	drop_overlaps(t);
	return true;
}
