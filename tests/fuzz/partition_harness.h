// SPDX-License-Identifier: MIT
/*
 * The libFuzzer harness of the partition table parsers (src/disk/),
 * included by fuzz_gpt.c, fuzz_mbr.c and fuzz_eltorito.c, which pick the
 * scheme (FUZZ_SCHEME_GPT, _MBR, _ELTORITO); each also runs the whole
 * partition_scan(), so the order in which schemes are tried is covered.
 *
 * The input: byte 0 picks the block size (512, 1024, 2048 or 4096), the
 * rest is the disk (a short last block is dropped), a RAM device behind
 * the checked entry points (src/disk/blockdev.c). After each scan:
 *  - every partition lies inside the disk, has at least one block (El
 *    Torito: the view is clamped to the disk), and its parent, if any, is
 *    an earlier extended partition that contains it;
 *  - the count is at most PARTITION_MAX, the notes are NUL-terminated;
 *  - GPT entries are numbered from 1 and strictly increasing; none
 *    overlaps another.
 * Violations abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/partition.h>

#include "../unit/ram_blockdev.h"

static uint8_t scratch[4096];

static void check(const struct blockdev *dev, const struct partition_table *t)
{
	unsigned i, j;

	if (t->count > PARTITION_MAX || !memchr(t->notes, 0, sizeof(t->notes)))
		abort();
	for (i = 0; i < t->count; i++) {
		const struct partition *p = &t->part[i];

		if (!p->count || p->start >= dev->block_count ||
		    p->count > dev->block_count - p->start)
			abort();
		if (p->parent != PARTITION_NO_PARENT) {
			const struct partition *e = &t->part[p->parent];

			if (p->parent >= i || !e->extended ||
			    p->start <= e->start ||
			    p->start + p->count > e->start + e->count)
				abort();
		}
		if (p->scheme != PARTITION_GPT)
			continue;
		if (!p->number || (i && p->number <= t->part[i - 1].number))
			abort();
		for (j = 0; j < i; j++)
			if (p->start < t->part[j].start + t->part[j].count &&
			    t->part[j].start < p->start + p->count)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t sizes[] = {512, 1024, 2048, 4096};
	static struct partition_table t;
	struct ram_blockdev ram;
	uint8_t *disk;
	uint32_t bs;

	if (size < 1)
		return 0;
	bs = sizes[data[0] & 3];
	size--;
	disk = malloc(size ? size : 1);
	memcpy(disk, data + 1, size);
	ram_blockdev_init(&ram, disk, size, bs);
	ram.dev.scratch = scratch;
	if (!ram.dev.block_count) {
		free(disk);
		return 0;
	}

	memset(&t, 0, sizeof(t) - sizeof(t.buf));
#if defined(FUZZ_SCHEME_GPT)
	t.scheme = PARTITION_GPT;
	gpt_scan(&ram.dev, &t);
#elif defined(FUZZ_SCHEME_MBR)
	t.scheme = PARTITION_MBR;
	mbr_scan(&ram.dev, &t);
#else
	t.scheme = PARTITION_ELTORITO;
	eltorito_scan(&ram.dev, &t);
#endif
	check(&ram.dev, &t);
	partition_scan(&ram.dev, &t);
	check(&ram.dev, &t);
	free(disk);
	return 0;
}
