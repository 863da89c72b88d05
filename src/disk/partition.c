// SPDX-License-Identifier: MIT
/*
 * Which partition scheme a disk uses, tried in EDK2's order (GPT, El
 * Torito, MBR: see include/mmuon/partition.h), and the bookkeeping the
 * scheme parsers share. Pure logic.
 */
#include <stdarg.h>
#include <string.h>

#include <mmuon/fmt.h>
#include <mmuon/partition.h>

void partition_note(struct partition_table *t, const char *fmt, ...)
{
	size_t used = strnlen(t->notes, sizeof(t->notes));
	va_list ap;

	if (used + 2 >= sizeof(t->notes))
		return;
	va_start(ap, fmt);
	used += fmt_vsnprintf(t->notes + used, sizeof(t->notes) - used - 1, fmt,
			      ap);
	va_end(ap);
	t->notes[used] = '\n';
	t->notes[used + 1] = 0;
}

struct partition *partition_add(struct partition_table *t)
{
	struct partition *p;

	if (t->count == PARTITION_MAX) {
		partition_note(t, "more than %d partitions: the rest ignored",
			       PARTITION_MAX);
		return NULL;
	}
	p = &t->part[t->count++];
	memset(p, 0, sizeof(*p));
	p->scheme = t->scheme;
	p->parent = PARTITION_NO_PARENT;
	return p;
}

unsigned partition_scan(struct blockdev *dev, struct partition_table *t)
{
	memset(t, 0, sizeof(*t) - sizeof(t->buf));
	if (!dev->media_present || !dev->block_count)
		return 0;
	if (dev->block_size > sizeof(t->buf)) {
		partition_note(t, "blocks of %u bytes: partitions not read",
			       dev->block_size);
		return 0;
	}
	t->scheme = PARTITION_GPT;
	if (gpt_scan(dev, t))
		return t->count;
	t->scheme = PARTITION_ELTORITO;
	if (eltorito_scan(dev, t))
		return t->count;
	t->scheme = PARTITION_MBR;
	if (mbr_scan(dev, t))
		return t->count;
	t->scheme = PARTITION_NONE;
	return 0;
}
