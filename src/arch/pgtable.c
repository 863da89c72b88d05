// SPDX-License-Identifier: MIT
/*
 * Stage 1 translation table construction (VMSAv8-64, Arm ARM D8.3), 4 KiB
 * granule: level 0 maps 512 GiB per entry (tables only: a 4 KiB granule
 * has no level 0 blocks without FEAT_LPA2), level 1 1 GiB, level 2 2 MiB,
 * level 3 4 KiB. The walk starts at level 1 for a 39-bit VA, at level 0
 * (with 2^(va_bits - 39) entries) for more.
 * Every range is mapped with the largest blocks its alignment allows; a
 * block that must change only in part is first split into a next-level
 * table carrying the same attributes. The reverse happens too: a table
 * whose entries end up mapping its whole range alike is folded back into
 * the block it came from, and a table that a block replaces is given back
 * with every table below it, so that the tables in use follow what the
 * mappings need, not their history.
 *
 * Live tables (pt->break_entry set) follow break-before-make (Arm ARM
 * D8.16.1): a valid entry that changes, whether its output, its size
 * (block <-> table) or its attributes, is first made invalid and its TLB
 * entries invalidated with completion (the hook: str xzr; dsb; tlbi; dsb),
 * and only then written. A table is given back only after the break of the
 * entry that pointed to it, when no walk can reach it any more.
 */
#include <mmuon/pgtable.h>
#include <mmuon/pte.h>
#include <mmuon/sysreg.h>

#define ENTRIES 512
#define OA_MASK 0x0000fffffffff000ull /* output address, bits [47:12] */
#define HI(x) ((uint64_t)(x) << 32)
/* A bit the hardware ignores (D8.3.2, "reserved for software use"). */
#define PTE_SW_TABLES (1ull << 55)

const struct pte_format pte_format_el1 = {
	.ap_rw = PTE_EL1_AP_RW,
	.ap_ro = PTE_EL1_AP_RO,
	.xn = HI(PTE_HI_PXN | PTE_HI_UXN),
	.xn_el0 = HI(PTE_HI_UXN),
};

const struct pte_format pte_format_el2 = {
	.ap_rw = PTE_EL2_AP_RW,
	.ap_ro = PTE_EL2_AP_RO,
	.xn = HI(PTE_HI_XN),
};

static uint64_t level_size(int level)
{
	return 1ull << (12 + 9 * (3 - level));
}

static unsigned level_index(uint64_t va, int level)
{
	return (va >> (12 + 9 * (3 - level))) & (ENTRIES - 1);
}

uint64_t pgtable_leaf_attrs(const struct pte_format *f, unsigned flags)
{
	uint64_t d = PTE_AF | f->xn_el0;

	if (flags & PG_DEVICE_UC)
		d |= PTE_ATTRINDX(MT_DEVICE_nGnRnE);
	else if (flags & PG_DEVICE)
		d |= PTE_ATTRINDX(MT_DEVICE_nGnRE);
	else
		d |= PTE_ATTRINDX(MT_NORMAL) | PTE_SH_INNER;
	d |= (flags & PG_WRITE) ? f->ap_rw : f->ap_ro;
	if (!(flags & PG_EXEC))
		d |= f->xn;
	if (flags & PG_TABLES)
		d |= PTE_SW_TABLES;
	return d;
}

static int start_level(const struct pgtable *pt)
{
	return pt->va_bits > 39 ? 0 : 1;
}

uint64_t pgtable_va_limit(const struct pgtable *pt)
{
	return 1ull << pt->va_bits;
}

/* Where a block (or page) descriptor may be: levels 1 to 3. */
static bool block_allowed(int level)
{
	return level >= 1;
}

static bool is_table(uint64_t desc, int level)
{
	return level < 3 && (desc & 3) == PTE_TABLE;
}

static uint64_t *table_of(uint64_t desc)
{
	return (uint64_t *)(uintptr_t)(desc & OA_MASK);
}

/*
 * Writes desc into *entry. A valid entry that changes is broken first, in
 * live tables: see the top of this file.
 */
static void set_entry(struct pgtable *pt, uint64_t *entry, uint64_t desc,
		      uint64_t va, uint64_t size)
{
	if (*entry == desc)
		return;
	if ((*entry & 1) && pt->break_entry)
		pt->break_entry(pt->ctx, entry, va, size);
	*entry = desc;
}

/* Gives back a table no entry points to, and every table below it. */
static void free_tables(struct pgtable *pt, uint64_t *table, int level)
{
	unsigned i;

	for (i = 0; level < 3 && i < ENTRIES; i++)
		if (is_table(table[i], level))
			free_tables(pt, table_of(table[i]), level + 1);
	if (pt->free_table)
		pt->free_table(pt->ctx, table);
}

/*
 * Replaces the block descriptor *entry (at level, for va) with a table of
 * next-level entries that map the same addresses with the same attributes.
 */
static int split_block(struct pgtable *pt, uint64_t *entry, uint64_t va,
		       int level)
{
	uint64_t *table = pt->alloc_table(pt->ctx);
	uint64_t block = *entry, child = level_size(level + 1);
	uint64_t attrs = block & ~OA_MASK & ~3ull;
	unsigned i;

	if (!table)
		return PG_ERR_NO_MEMORY;
	for (i = 0; i < ENTRIES; i++)
		table[i] = ((block & OA_MASK) + i * child) | attrs |
			   (level + 1 == 3 ? PTE_PAGE : PTE_BLOCK);
	set_entry(pt, entry, (uint64_t)(uintptr_t)table | PTE_TABLE, va,
		  level_size(level));
	return PG_OK;
}

/*
 * The block at level that maps what the level + 1 table does, or 0: every
 * entry a leaf, each mapping the next addresses with the same attributes
 * (PG_TABLES pages included, so a range holding live tables never
 * qualifies), starting at an address aligned for the block. Blocks exist
 * at levels 1 and 2 of the 4 KiB granule.
 */
static uint64_t folded(const uint64_t *table, int level)
{
	uint64_t first = table[0], child = level_size(level + 1);
	unsigned i;

	if (!block_allowed(level) || level > 2 || !(first & 1) ||
	    is_table(first, level + 1) ||
	    (first & OA_MASK & (level_size(level) - 1)))
		return 0;
	for (i = 1; i < ENTRIES; i++)
		if (table[i] != first + i * child)
			return 0;
	return (first & ~3ull) | PTE_BLOCK;
}

/* The table *entry points to, folded back into a block if it can be. */
static void fold(struct pgtable *pt, uint64_t *entry, uint64_t va, int level)
{
	uint64_t *table = table_of(*entry);
	uint64_t block = folded(table, level);

	if (!block)
		return;
	set_entry(pt, entry, block, va, level_size(level));
	free_tables(pt, table, level + 1);
}

static int map_level(struct pgtable *pt, uint64_t *table, int level,
		     uint64_t pa, uint64_t end, uint64_t attrs)
{
	uint64_t size = level_size(level);

	while (pa < end) {
		uint64_t *entry = &table[level_index(pa, level)];
		uint64_t next = (pa & ~(size - 1)) + size, old = *entry;
		int rc;

		if (next > end)
			next = end;
		/* A whole, aligned entry: a block (levels 1, 2) or page. */
		if (block_allowed(level) && !(pa & (size - 1)) &&
		    next - pa == size) {
			set_entry(pt, entry,
				  pa | attrs |
					  (level == 3 ? PTE_PAGE : PTE_BLOCK),
				  pa, size);
			if (is_table(old, level))
				free_tables(pt, table_of(old), level + 1);
		} else {
			if (!(old & 1)) {
				uint64_t *sub = pt->alloc_table(pt->ctx);

				if (!sub)
					return PG_ERR_NO_MEMORY;
				*entry = (uint64_t)(uintptr_t)sub | PTE_TABLE;
			} else if (!is_table(old, level)) {
				/* Already mapped like this: nothing to split. */
				if ((old & ~OA_MASK & ~3ull) == attrs)
					goto next;
				rc = split_block(pt, entry, pa & ~(size - 1),
						 level);
				if (rc)
					return rc;
			}
			rc = map_level(pt, table_of(*entry), level + 1, pa,
				       next, attrs);
			if (rc)
				return rc;
			fold(pt, entry, pa & ~(size - 1), level);
		}
	next:
		pa = next;
	}
	return PG_OK;
}

int pgtable_map(struct pgtable *pt, uint64_t pa, uint64_t size, unsigned flags)
{
	if ((flags & PG_WRITE) && (flags & PG_EXEC) && !(flags & PG_LEGACY_WX))
		return PG_ERR_WX;
	if ((pa | size) & (PAGE_SIZE - 1))
		return PG_ERR_ALIGN;
	if (pa >= pgtable_va_limit(pt) || size > pgtable_va_limit(pt) - pa)
		return PG_ERR_RANGE;
	return map_level(pt, pt->root, start_level(pt), pa, pa + size,
			 pgtable_leaf_attrs(pt->format, flags));
}

uint64_t pgtable_lookup(const struct pgtable *pt, uint64_t va,
			uint64_t *block_size)
{
	const uint64_t *table = pt->root;
	int level;

	if (va >= pgtable_va_limit(pt))
		return 0;
	for (level = start_level(pt); level <= 3; level++) {
		uint64_t desc = table[level_index(va, level)];

		if (!(desc & 1))
			return 0;
		if (!is_table(desc, level)) {
			if (block_size)
				*block_size = level_size(level);
			return desc;
		}
		table = table_of(desc);
	}
	return 0;
}
