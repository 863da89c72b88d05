// SPDX-License-Identifier: MIT
/*
 * MBR partition tables (UEFI 2.10 section 5.2.1), with the logical
 * partitions of an extended partition (a chain of EBRs, each holding one
 * logical partition and a link to the next). Validity, numbering and
 * order are EDK2's (include/mmuon/partition.h): primaries by slot, then
 * the logical partitions of each extended one. Unlike EDK2 the EBR chain
 * must move forward and is bounded, so a looping chain cannot hang the
 * boot.
 */
#include <string.h>

#include <mmuon/partition.h>

#define MBR_ENTRIES 446
#define MBR_DISK_SIGNATURE 440
#define EXTENDED_DOS 0x05
#define EXTENDED_WINDOWS 0x0f
#define EBR_MAX 256

static const uint8_t *entry(const uint8_t *mbr, unsigned i)
{
	return mbr + MBR_ENTRIES + 16 * i;
}

static uint8_t type_of(const uint8_t *e)
{
	return e[4];
}

static uint32_t start_of(const uint8_t *e)
{
	return get_le32(e + 8);
}

static uint32_t size_of(const uint8_t *e)
{
	return get_le32(e + 12);
}

static bool used(const uint8_t *e)
{
	return type_of(e) && size_of(e);
}

static bool extended(const uint8_t *e)
{
	return type_of(e) == EXTENDED_DOS || type_of(e) == EXTENDED_WINDOWS;
}

/*
 * EDK2's PartitionValidMbr: the 0x55AA signature (which a FAT boot sector
 * has too), at least one used entry, each ending by @last, none
 * overlapping another.
 */
static bool valid_mbr(const uint8_t *mbr, uint64_t last)
{
	bool any = false;
	unsigned i, j;

	if (mbr[510] != 0x55 || mbr[511] != 0xaa)
		return false;
	for (i = 0; i < 4; i++) {
		const uint8_t *a = entry(mbr, i);
		uint64_t end;

		if (!used(a))
			continue;
		any = true;
		end = (uint64_t)start_of(a) + size_of(a) - 1;
		if (end > last)
			return false;
		for (j = i + 1; j < 4; j++) {
			const uint8_t *b = entry(mbr, j);

			if (used(b) && start_of(b) <= end &&
			    (uint64_t)start_of(b) + size_of(b) - 1 >=
				    start_of(a))
				return false;
		}
	}
	return any;
}

static struct partition *add(struct partition_table *t, const uint8_t *e,
			     uint32_t number, uint64_t start, uint8_t parent)
{
	struct partition *p = partition_add(t);

	if (!p)
		return NULL;
	p->number = number;
	p->start = p->path_start = start;
	p->count = p->path_size = size_of(e);
	memcpy(p->mbr_record, e, 16);
	p->mbr_type = type_of(e);
	p->system = p->mbr_type == MBR_TYPE_EFI_SYSTEM;
	p->extended = extended(e);
	p->parent = parent;
	return p;
}

/*
 * The logical partitions of the extended partition @ext (index @parent):
 * an EBR at its start, each pointing to the next, relative to @ext's
 * start. Numbered from 1, with signature 0, as EDK2 does when it runs on
 * the extended partition's own handle.
 */
static void logical(struct blockdev *dev, struct partition_table *t,
		    uint8_t parent)
{
	uint64_t ext_start = t->part[parent].start;
	uint64_t ext_size = t->part[parent].count;
	uint64_t ebr = 0;
	uint32_t number = 1;
	unsigned hops;
	uint8_t *b = t->buf;

	for (hops = 0; hops < EBR_MAX; hops++) {
		const uint8_t *e0, *e1;
		uint64_t start;

		if (blockdev_read(dev, ext_start + ebr, 1, b) ||
		    b[510] != 0x55 || b[511] != 0xaa)
			return;
		/* Only the first EBR is held to the MBR rules (as EDK2). */
		if (!hops && !valid_mbr(b, ext_size - 1))
			return;
		e0 = entry(b, 0);
		e1 = entry(b, 1);
		if (!size_of(e0))
			return;
		if (extended(e0)) {
			if (start_of(e0) <= ebr)
				goto loop;
			ebr = start_of(e0);
			continue;
		}
		start = ext_start + ebr + start_of(e0);
		if (start <= ext_start ||
		    start + size_of(e0) > ext_start + ext_size)
			return;
		if (!add(t, e0, number++, start, parent))
			return;
		if (!extended(e1) || !start_of(e1))
			return;
		if (start_of(e1) <= ebr)
			goto loop;
		ebr = start_of(e1);
		if (ebr >= ext_size)
			return;
	}
loop:
	partition_note(t, "MBR: the chain of logical partitions loops or "
			  "runs back; followed no further");
}

bool mbr_scan(struct blockdev *dev, struct partition_table *t)
{
	uint8_t sig[4], table[64];
	unsigned i, n, primaries;

	if (dev->block_size < 512 || blockdev_read(dev, 0, 1, t->buf) ||
	    !valid_mbr(t->buf, dev->block_count - 1))
		return false;
	/* logical() reuses the buffer: keep what is needed of LBA 0. */
	memcpy(sig, t->buf + MBR_DISK_SIGNATURE, 4);
	memcpy(table, t->buf + MBR_ENTRIES, sizeof(table));
	for (i = 0; i < 4; i++) {
		const uint8_t *e = table + 16 * i;
		struct partition *p;

		if (!used(e) || type_of(e) == MBR_TYPE_GPT_PROTECTIVE)
			continue;
		p = add(t, e, i + 1, start_of(e), PARTITION_NO_PARENT);
		if (!p)
			return true;
		memcpy(p->signature, sig, 4);
	}
	/* Then what the extended ones hold, as EDK2 finds it: when it
	 * connects the primary partitions' own handles. */
	primaries = t->count;
	for (n = 0; n < primaries; n++)
		if (t->part[n].extended)
			logical(dev, t, (uint8_t)n);
	return true;
}
