// SPDX-License-Identifier: MIT
/*
 * Stage 1 table walk in software (see ptwalk.h). Descriptor layout, 4 KiB
 * granule, Arm ARM D8.3:
 *
 *   bits[1:0]  0b11 table (levels 0-2) or page (level 3); 0b01 block
 *              (levels 1-2); anything with bit 0 clear is invalid
 *   [4:2] AttrIndx, [7:6] AP, [9:8] SH, [47:12] output address
 *   [53] PXN (EL1&0; RES0 at EL2), [54] UXN (EL1&0) / XN (EL2)
 *   table: [59] PXNTable (EL1&0), [60] UXNTable / XNTable, [62] APTable[1]
 *
 * Tables are read through their physical address, which works only if they
 * are identity-mapped: each one is checked with an AT probe first, so that
 * a table we cannot read is reported instead of faulting.
 */
#include "ptwalk.h"
#include "arm64.h"

#define GRANULE_SHIFT 12
#define LEVEL_BITS 9
#define OA_MASK 0x0000fffffffff000ull

#define DESC_VALID (1ull << 0)
#define DESC_TABLE (1ull << 1) /* with VALID: table or page */
#define DESC_ATTRINDX(d) (((d) >> 2) & 7)
#define DESC_AP2 (1ull << 7) /* read-only */
#define DESC_SH(d) (((d) >> 8) & 3)
#define DESC_PXN (1ull << 53)
#define DESC_XN (1ull << 54) /* UXN at EL1&0, XN at EL2 */
#define TABLE_PXN (1ull << 59)
#define TABLE_XN (1ull << 60)
#define TABLE_AP1 (1ull << 62) /* APTable[1]: no writes below */

static unsigned level_shift(unsigned level)
{
	return GRANULE_SHIFT + LEVEL_BITS * (3 - level);
}

/* Entries in a table at @level: fewer than 512 only at the start level. */
static uint64_t level_entries(const struct pt_regime *r, unsigned level)
{
	if (level == r->start_level)
		return 1ull << (r->va_bits - level_shift(level));
	return 1ull << LEVEL_BITS;
}

void pt_regime_init(struct pt_regime *r)
{
	unsigned levels =
		(r->va_bits - GRANULE_SHIFT + LEVEL_BITS - 1) / LEVEL_BITS;

	r->start_level = 4 - levels;
}

/* The table at @pa can be read through the same address. */
static bool table_readable(const struct pt_regime *r, uint64_t pa)
{
	uint64_t par = at_probe(r->el, pa, false);

	return !(par & PAR_F) && PAR_PA(par) == pa;
}

/* Permissions of a leaf, with what the tables above it took away. */
static void decode_leaf(const struct pt_regime *r, uint64_t desc,
			uint64_t table_bits, struct pt_leaf *leaf)
{
	bool el1_format = r->el == 1 || r->e2h;
	uint64_t no_exec = el1_format ? DESC_PXN : DESC_XN;
	uint64_t no_exec_table = el1_format ? TABLE_PXN : TABLE_XN;

	if (r->hpd)
		table_bits = 0;
	leaf->desc = desc;
	leaf->oa = desc & OA_MASK & ~(leaf->size - 1);
	leaf->attr = (uint8_t)(r->mair >> (8 * DESC_ATTRINDX(desc)));
	leaf->sh = DESC_SH(desc);
	leaf->write = !(desc & DESC_AP2) && !(table_bits & TABLE_AP1);
	leaf->exec = !(desc & no_exec) && !(table_bits & no_exec_table);
}

enum pt_status pt_lookup(const struct pt_regime *r, uint64_t va,
			 struct pt_leaf *leaf)
{
	uint64_t table = r->root, table_bits = 0;
	unsigned level;

	*leaf = (struct pt_leaf){0};
	if (r->va_bits < 64 && va >> r->va_bits)
		return PT_OUT_OF_RANGE;
	for (level = r->start_level; level <= 3; level++) {
		unsigned shift = level_shift(level);
		uint64_t idx = (va >> shift) & (level_entries(r, level) - 1);
		uint64_t desc;

		leaf->level = level;
		leaf->size = 1ull << shift;
		leaf->base = va & ~(leaf->size - 1);
		if (!table_readable(r, table)) {
			leaf->oa = table;
			return PT_BAD_TABLE;
		}
		leaf->entry = table + idx * sizeof(desc);
		desc = *(const volatile uint64_t *)(uintptr_t)leaf->entry;
		leaf->desc = desc;
		if (!(desc & DESC_VALID) ||
		    (level == 3 && !(desc & DESC_TABLE)))
			return PT_UNMAPPED; /* level 3 0b01 is reserved */
		if (level < 3 && (desc & DESC_TABLE)) {
			table_bits |= desc;
			table = desc & OA_MASK;
			continue;
		}
		if (level == 0)
			return PT_BAD_DESC; /* no level 0 blocks at 4 KiB */
		decode_leaf(r, desc, table_bits, leaf);
		return PT_MAPPED;
	}
	return PT_UNMAPPED; /* not reached */
}

struct walk {
	const struct pt_regime *r;
	pt_leaf_fn *fn;
	void *ctx;
	struct pt_stats *stats;
};

static void note_bad(struct pt_stats *stats, uint64_t where)
{
	if (!stats->bad++)
		stats->first_bad = where;
}

static void walk_table(struct walk *w, uint64_t table, unsigned level,
		       uint64_t va_base, uint64_t table_bits)
{
	uint64_t n = level_entries(w->r, level), i;
	unsigned shift = level_shift(level);

	if (!table_readable(w->r, table)) {
		note_bad(w->stats, table);
		return;
	}
	w->stats->tables++;
	for (i = 0; i < n; i++) {
		uint64_t desc =
			((const volatile uint64_t *)(uintptr_t)table)[i];
		struct pt_leaf leaf = {
			.level = level,
			.base = va_base + (i << shift),
			.size = 1ull << shift,
		};

		if (!(desc & DESC_VALID) ||
		    (level == 3 && !(desc & DESC_TABLE)))
			continue;
		if (level < 3 && (desc & DESC_TABLE)) {
			walk_table(w, desc & OA_MASK, level + 1, leaf.base,
				   table_bits | desc);
			continue;
		}
		if (level == 0) {
			note_bad(w->stats, leaf.base);
			continue;
		}
		decode_leaf(w->r, desc, table_bits, &leaf);
		w->stats->leaves[level]++;
		w->fn(w->ctx, &leaf);
	}
}

void pt_for_each_leaf(const struct pt_regime *r, pt_leaf_fn *fn, void *ctx,
		      struct pt_stats *stats)
{
	struct walk w = {.r = r, .fn = fn, .ctx = ctx, .stats = stats};

	*stats = (struct pt_stats){0};
	walk_table(&w, r->root, r->start_level, 0, 0);
}

const char *pt_status_str(enum pt_status status)
{
	switch (status) {
	case PT_MAPPED:
		return "mapped";
	case PT_UNMAPPED:
		return "not mapped";
	case PT_OUT_OF_RANGE:
		return "outside the VA range";
	case PT_BAD_DESC:
		return "reserved descriptor";
	case PT_BAD_TABLE:
		return "table not readable 1:1";
	}
	return "?";
}
