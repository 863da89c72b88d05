// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/arch/pgtable.c: identity maps with 4 KiB granule and
 * 39-bit VA. Tables come from an aligned static pool; results are checked
 * through pgtable_lookup() and by walking the descriptors directly, against
 * descriptor values written out from the Arm ARM rather than from
 * include/mmuon/pte.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <mmuon/pgtable.h>

#define KiB 1024ull
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)

#define ENTRIES 512
#define POOL_TABLES 2048
/* Most tests use a 39-bit VA (level 1 root); the level 0 tests use 44. */
#define VA_LIMIT (1ull << 39)
#define VA44_LIMIT (1ull << 44)
#define MAX_BREAKS 64

/* Descriptor fields, from the Arm ARM (D8.3), not from pte.h. */
#define TYPE_MASK 3ull
#define TYPE_BLOCK 1ull /* levels 1, 2 */
#define TYPE_TABLE 3ull /* levels 1, 2 */
#define TYPE_PAGE 3ull	/* level 3 */
#define OA_BITS 0x0000fffffffff000ull
/* Every bit a leaf may have: lower attributes [11:2], PXN, UXN/XN. */
#define LEAF_ATTR_BITS (0xffcull | (1ull << 53) | (1ull << 54))

static uint64_t pool[POOL_TABLES][ENTRIES] __attribute__((aligned(4096)));

struct brk {
	uint64_t *entry;
	uint64_t old; /* the descriptor when the hook ran */
	uint64_t va;
	uint64_t size;
	unsigned seq; /* when, among breaks and frees */
};

struct freed {
	uint64_t *table;
	unsigned seq;
};

struct env {
	struct pgtable pt;
	unsigned used;	 /* tables handed out fresh, the root included */
	unsigned allocs; /* alloc_table calls that returned a table */
	unsigned limit;	 /* alloc_table fails once used reaches this */
	unsigned nbreaks;
	struct brk breaks[MAX_BREAKS];
	bool strict_breaks; /* fail if more than MAX_BREAKS */
	unsigned seq;
	/* Tables given back (free_table), reused first, last in first out. */
	unsigned nfree, nfrees;
	uint64_t *free[POOL_TABLES];
	struct freed frees[MAX_BREAKS];
};

static struct env env;

static uint64_t *alloc_table(void *ctx)
{
	struct env *e = ctx;
	uint64_t *t;

	assert_ptr_equal(e, &env);
	if (e->nfree)
		t = e->free[--e->nfree];
	else if (e->used >= e->limit)
		return NULL;
	else
		t = pool[e->used++];
	e->allocs++;
	/* Dirty, then zeroed: a table is all zeros when handed out. */
	memset(t, 0xa5, sizeof(pool[0]));
	memset(t, 0, sizeof(pool[0]));
	return t;
}

/* Tables in use: handed out and not given back. */
static unsigned tables_in_use(void)
{
	return env.used - env.nfree;
}

static int root_level(void)
{
	return env.pt.va_bits > 39 ? 0 : 1;
}

static bool reachable(const uint64_t *from, int level, const uint64_t *table)
{
	unsigned i;

	if (from == table)
		return true;
	for (i = 0; level < 3 && i < ENTRIES; i++)
		if ((from[i] & TYPE_MASK) == TYPE_TABLE &&
		    reachable((const uint64_t *)(uintptr_t)(from[i] & OA_BITS),
			      level + 1, table))
			return true;
	return false;
}

static void free_table(void *ctx, uint64_t *table)
{
	struct env *e = ctx;
	unsigned i;

	assert_ptr_equal(e, &env);
	/* One of ours, not the root, not given back twice, and unlinked:
	 * no walk from the root reaches it any more. */
	assert_true(table > pool[0] && table < pool[e->used]);
	for (i = 0; i < e->nfree; i++)
		assert_ptr_not_equal(e->free[i], table);
	assert_false(reachable(e->pt.root, root_level(), table));
	e->free[e->nfree++] = table;
	if (e->nfrees < MAX_BREAKS)
		e->frees[e->nfrees++] = (struct freed){table, e->seq++};
}

static void break_entry(void *ctx, uint64_t *entry, uint64_t va, uint64_t size)
{
	struct env *e = ctx;

	assert_ptr_equal(e, &env);
	/* Only a live, valid entry needs breaking. */
	assert_true(*entry & 1);
	assert_true(size == 4 * KiB || size == 2 * MiB || size == GiB);
	assert_int_equal(va & (size - 1), 0);
	if (e->nbreaks < MAX_BREAKS)
		e->breaks[e->nbreaks] = (struct brk){.entry = entry,
						     .old = *entry,
						     .va = va,
						     .size = size,
						     .seq = e->seq++};
	else if (e->strict_breaks)
		fail_msg("more than %d break_entry calls", MAX_BREAKS);
	e->nbreaks++;
	/* What the firmware's hook does: the entry is invalid afterwards. */
	*entry = 0;
}

static int setup(void **state, const struct pte_format *format)
{
	(void)state;
	memset(&env, 0, sizeof(env));
	env.limit = POOL_TABLES;
	env.strict_breaks = true;
	env.pt.format = format;
	env.pt.alloc_table = alloc_table;
	env.pt.free_table = free_table;
	env.pt.ctx = &env;
	env.pt.va_bits = 39;
	env.pt.root = alloc_table(&env);
	return env.pt.root ? 0 : -1;
}

static int setup_el1(void **state)
{
	return setup(state, &pte_format_el1);
}

static int setup_el2(void **state)
{
	return setup(state, &pte_format_el2);
}

/* Tables from now on are live: the break hook is in place. */
static void go_live(void)
{
	env.pt.break_entry = break_entry;
	env.nbreaks = 0;
}

static bool el2(void)
{
	return env.pt.format == &pte_format_el2;
}

static uint64_t *table_at(uint64_t desc)
{
	return (uint64_t *)(uintptr_t)(desc & OA_BITS);
}

static unsigned idx(uint64_t va, int level)
{
	return (va >> (12 + 9 * (3 - level))) & (ENTRIES - 1);
}

/* The descriptor slot for va at level, following tables from the root. */
static uint64_t *slot(uint64_t va, int level)
{
	uint64_t *t = env.pt.root;
	int l;

	for (l = root_level(); l < level; l++) {
		uint64_t d = t[idx(va, l)];

		assert_int_equal(d & TYPE_MASK, TYPE_TABLE);
		t = table_at(d);
	}
	return &t[idx(va, level)];
}

/*
 * The expected leaf attributes, each written out in full:
 *   AF (bit 10); Normal: AttrIndx 1 (bits [4:2] = 0b001, MAIR byte 1 is
 *   write-back) and SH inner (0b11 at [9:8]); Device: AttrIndx 0, SH 0;
 *   Device-nGnRnE: AttrIndx 3, SH 0.
 *   EL1&0: AP[2:1] = 0b00 RW, 0b10 RO; PXN (53) unless executable, UXN
 *   (54) always: nothing is executable at EL0.
 *   EL2/EL3: AP[1] is RES1: 0b01 RW, 0b11 RO; XN (54), bit 53 RES0.
 */
static const struct {
	unsigned flags;
	uint64_t el1;
	uint64_t el2;
} expected_attrs[] = {
	{0, 0x0060000000000784ull, 0x00400000000007c4ull},
	{PG_WRITE, 0x0060000000000704ull, 0x0040000000000744ull},
	{PG_EXEC, 0x0040000000000784ull, 0x00000000000007c4ull},
	{PG_DEVICE, 0x0060000000000480ull, 0x00400000000004c0ull},
	{PG_DEVICE | PG_WRITE, 0x0060000000000400ull, 0x0040000000000440ull},
	{PG_DEVICE | PG_EXEC, 0x0040000000000480ull, 0x00000000000004c0ull},
	/* Device-nGnRnE: AttrIndx 3 (bits [4:2] = 0b011, MAIR byte 3 = 0). */
	{PG_DEVICE_UC, 0x006000000000048cull, 0x00400000000004ccull},
	{PG_DEVICE_UC | PG_WRITE, 0x006000000000040cull, 0x004000000000044cull},
};

#define NFLAGS (sizeof(expected_attrs) / sizeof(expected_attrs[0]))

static uint64_t attrs_for(unsigned flags)
{
	size_t i;

	for (i = 0; i < NFLAGS; i++)
		if (expected_attrs[i].flags == flags)
			return el2() ? expected_attrs[i].el2
				     : expected_attrs[i].el1;
	fail_msg("no expected attributes for flags %#x", flags);
	return 0;
}

static uint64_t leaf(uint64_t pa, unsigned flags, int level)
{
	return pa | attrs_for(flags) | (level == 3 ? TYPE_PAGE : TYPE_BLOCK);
}

/* Checks the leaf translating va, through pgtable_lookup. */
static void expect_leaf(uint64_t va, uint64_t block, unsigned flags)
{
	uint64_t size = 0, desc = pgtable_lookup(&env.pt, va, &size);
	uint64_t base = va & ~(block - 1);
	int level = block == GiB ? 1 : block == 2 * MiB ? 2 : 3;

	assert_int_equal(size, block);
	assert_int_equal(desc, leaf(base, flags, level));
	/* The same descriptor is where the walk says it is. */
	assert_int_equal(*slot(va, level), desc);
}

static void expect_unmapped(uint64_t va)
{
	uint64_t size = 0xdead;

	assert_int_equal(pgtable_lookup(&env.pt, va, &size), 0);
	assert_int_equal(size, 0xdead);
}

static void expect_break(unsigned i, uint64_t *entry, uint64_t va,
			 uint64_t size)
{
	assert_true(i < env.nbreaks);
	assert_ptr_equal(env.breaks[i].entry, entry);
	assert_int_equal(env.breaks[i].va, va);
	assert_int_equal(env.breaks[i].size, size);
}

static bool root_empty(void)
{
	unsigned i;

	for (i = 0; i < ENTRIES; i++)
		if (env.pt.root[i])
			return false;
	return true;
}

/* ---- attributes ---------------------------------------------------------- */

static void test_leaf_attrs(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NFLAGS; i++) {
		assert_int_equal(pgtable_leaf_attrs(&pte_format_el1,
						    expected_attrs[i].flags),
				 expected_attrs[i].el1);
		assert_int_equal(pgtable_leaf_attrs(&pte_format_el2,
						    expected_attrs[i].flags),
				 expected_attrs[i].el2);
	}
}

static void test_attr_fields(void **state)
{
	unsigned flags;

	(void)state;
	/* Field by field, for every flag combination but W+X. */
	for (flags = 0; flags < 8; flags++) {
		uint64_t a1 = pgtable_leaf_attrs(&pte_format_el1, flags);
		uint64_t a2 = pgtable_leaf_attrs(&pte_format_el2, flags);
		bool dev = flags & PG_DEVICE, w = flags & PG_WRITE,
		     x = flags & PG_EXEC;

		if (w && x)
			continue;
		/* Nothing in the address or type fields. */
		assert_int_equal(a1 & (OA_BITS | TYPE_MASK), 0);
		assert_int_equal(a2 & (OA_BITS | TYPE_MASK), 0);
		/* AF always: no access flag faults. */
		assert_true(a1 & (1ull << 10));
		assert_true(a2 & (1ull << 10));
		/* nG, NS and the software/contiguous/DBM bits stay clear. */
		assert_int_equal(a1 & ((1ull << 11) | (1ull << 5) |
				       (0xfull << 55) | (7ull << 50)),
				 0);
		assert_int_equal(a2 & ((1ull << 11) | (1ull << 5) |
				       (0xfull << 55) | (7ull << 50)),
				 0);
		/* AttrIndx: 0 Device-nGnRE, 1 Normal write-back. */
		assert_int_equal((a1 >> 2) & 7, dev ? 0 : 1);
		assert_int_equal((a2 >> 2) & 7, dev ? 0 : 1);
		/* SH: inner shareable for Normal, 0 for Device. */
		assert_int_equal((a1 >> 8) & 3, dev ? 0 : 3);
		assert_int_equal((a2 >> 8) & 3, dev ? 0 : 3);
		/* AP[2:1]. */
		assert_int_equal((a1 >> 6) & 3, w ? 0 : 2);
		assert_int_equal((a2 >> 6) & 3, w ? 1 : 3);
		/* PXN, UXN at EL1; XN at EL2 with bit 53 RES0. */
		assert_int_equal((a1 >> 53) & 1, !x);
		assert_int_equal((a1 >> 54) & 1, 1);
		assert_int_equal((a2 >> 53) & 1, 0);
		assert_int_equal((a2 >> 54) & 1, !x);
	}
}

static void map_every_flag_combination(void)
{
	size_t i;

	/*
	 * Combination i at GiB i + 1: a 1 GiB block, a 2 MiB block and a
	 * 4 KiB page of it. The blocks are mapped first, then a 2 MiB
	 * and a 4 KiB piece elsewhere in the same GiB with the same flags.
	 */
	for (i = 0; i < NFLAGS; i++) {
		uint64_t base = (i + 1) * GiB;
		unsigned f = expected_attrs[i].flags;

		assert_int_equal(pgtable_map(&env.pt, base, GiB, f), PG_OK);
		expect_leaf(base, GiB, f);
		expect_leaf(base + GiB - 1, GiB, f);
	}
	for (i = 0; i < NFLAGS; i++) {
		uint64_t base = (i + 1 + 64) * GiB;
		unsigned f = expected_attrs[i].flags;

		assert_int_equal(
			pgtable_map(&env.pt, base + 4 * MiB, 2 * MiB, f),
			PG_OK);
		assert_int_equal(pgtable_map(&env.pt, base + 8 * MiB + 4 * KiB,
					     4 * KiB, f),
				 PG_OK);
		expect_leaf(base + 4 * MiB, 2 * MiB, f);
		expect_leaf(base + 6 * MiB - 1, 2 * MiB, f);
		expect_leaf(base + 8 * MiB + 4 * KiB, 4 * KiB, f);
		expect_leaf(base + 8 * MiB + 8 * KiB - 1, 4 * KiB, f);
		expect_unmapped(base + 8 * MiB);
		expect_unmapped(base + 8 * MiB + 8 * KiB);
		expect_unmapped(base + 6 * MiB);
		expect_unmapped(base + 4 * MiB - 1);
	}
}

static void test_attrs_mapped(void **state)
{
	(void)state;
	map_every_flag_combination();
}

/* ---- block sizes ----------------------------------------------------------- */

static void test_block_sizes(void **state)
{
	(void)state;
	/* 1 GiB aligned and sized: one level 1 block, no table. */
	assert_int_equal(pgtable_map(&env.pt, GiB, GiB, PG_WRITE), PG_OK);
	assert_int_equal(env.used, 1);
	assert_int_equal(env.pt.root[1], leaf(GiB, PG_WRITE, 1));
	expect_leaf(GiB, GiB, PG_WRITE);
	expect_leaf(2 * GiB - 1, GiB, PG_WRITE);
	expect_unmapped(GiB - 1);
	expect_unmapped(2 * GiB);

	/* 2 MiB: one level 2 table, a block in it. */
	assert_int_equal(pgtable_map(&env.pt, 3 * GiB + 2 * MiB, 4 * MiB, 0),
			 PG_OK);
	assert_int_equal(env.used, 2);
	assert_int_equal(env.pt.root[3],
			 (uint64_t)(uintptr_t)pool[1] | TYPE_TABLE);
	assert_int_equal(pool[1][1], leaf(3 * GiB + 2 * MiB, 0, 2));
	assert_int_equal(pool[1][2], leaf(3 * GiB + 4 * MiB, 0, 2));
	assert_int_equal(pool[1][0], 0);
	assert_int_equal(pool[1][3], 0);
	expect_leaf(3 * GiB + 2 * MiB, 2 * MiB, 0);
	expect_leaf(3 * GiB + 6 * MiB - 1, 2 * MiB, 0);
	expect_unmapped(3 * GiB + 6 * MiB);

	/* 4 KiB: a level 3 table too. */
	assert_int_equal(
		pgtable_map(&env.pt, 5 * GiB + 4 * KiB, 4 * KiB, PG_EXEC),
		PG_OK);
	assert_int_equal(env.used, 4);
	assert_int_equal(env.pt.root[5],
			 (uint64_t)(uintptr_t)pool[2] | TYPE_TABLE);
	assert_int_equal(pool[2][0], (uint64_t)(uintptr_t)pool[3] | TYPE_TABLE);
	assert_int_equal(pool[3][1], leaf(5 * GiB + 4 * KiB, PG_EXEC, 3));
	assert_int_equal(pool[3][0], 0);
	assert_int_equal(pool[3][2], 0);
	expect_leaf(5 * GiB + 4 * KiB, 4 * KiB, PG_EXEC);
}

static void test_largest_blocks(void **state)
{
	/* [1 GiB - 4 KiB, 2 GiB + 2 MiB + 4 KiB): page, GiB, 2 MiB, page. */
	uint64_t start = GiB - 4 * KiB, end = 2 * GiB + 2 * MiB + 4 * KiB;

	(void)state;
	assert_int_equal(pgtable_map(&env.pt, start, end - start, PG_WRITE),
			 PG_OK);
	expect_leaf(GiB - 4 * KiB, 4 * KiB, PG_WRITE);
	expect_leaf(GiB, GiB, PG_WRITE);
	expect_leaf(2 * GiB, 2 * MiB, PG_WRITE);
	expect_leaf(2 * GiB + 2 * MiB, 4 * KiB, PG_WRITE);
	expect_unmapped(GiB - 8 * KiB);
	expect_unmapped(2 * GiB + 2 * MiB + 4 * KiB);
	/* Root, and a level 2 and level 3 table at each end. */
	assert_int_equal(env.used, 5);
}

static void test_mixed_alignment(void **state)
{
	/*
	 * [0x40000000 + 4 KiB, 0x80000000 + 2 MiB): 511 pages, then 511
	 * 2 MiB blocks, then one 2 MiB block in the next GiB.
	 */
	uint64_t start = GiB + 4 * KiB, end = 2 * GiB + 2 * MiB, va;

	(void)state;
	assert_int_equal(pgtable_map(&env.pt, start, end - start, 0), PG_OK);
	for (va = start; va < GiB + 2 * MiB; va += 4 * KiB)
		expect_leaf(va, 4 * KiB, 0);
	for (va = GiB + 2 * MiB; va < 2 * GiB; va += 2 * MiB)
		expect_leaf(va, 2 * MiB, 0);
	expect_leaf(2 * GiB, 2 * MiB, 0);
	expect_unmapped(GiB);
	expect_unmapped(end);
	assert_int_equal(env.used, 4);
}

static void test_top_of_va_space(void **state)
{
	(void)state;
	assert_int_equal(pgtable_map(&env.pt, VA_LIMIT - GiB, GiB, PG_WRITE),
			 PG_OK);
	assert_int_equal(env.pt.root[511], leaf(VA_LIMIT - GiB, PG_WRITE, 1));
	expect_leaf(VA_LIMIT - 1, GiB, PG_WRITE);
	/* The last page, remapped read-only. */
	assert_int_equal(pgtable_map(&env.pt, VA_LIMIT - 4 * KiB, 4 * KiB, 0),
			 PG_OK);
	expect_leaf(VA_LIMIT - 4 * KiB, 4 * KiB, 0);
	expect_leaf(VA_LIMIT - 8 * KiB, 4 * KiB, PG_WRITE);
	expect_leaf(VA_LIMIT - 4 * MiB, 2 * MiB, PG_WRITE);
	/* The first GiB, address 0 included. */
	assert_int_equal(pgtable_map(&env.pt, 0, 4 * KiB, PG_EXEC), PG_OK);
	expect_leaf(0, 4 * KiB, PG_EXEC);
	expect_unmapped(4 * KiB);
}

static void test_lookup(void **state)
{
	uint64_t size;

	(void)state;
	/* Nothing mapped. */
	expect_unmapped(0);
	expect_unmapped(GiB);
	expect_unmapped(VA_LIMIT - 1);
	/* Outside the VA space: never, even with the first GiB mapped. */
	assert_int_equal(pgtable_map(&env.pt, 0, GiB, 0), PG_OK);
	expect_unmapped(VA_LIMIT);
	expect_unmapped(VA_LIMIT + 4 * KiB);
	expect_unmapped(~0ull);
	expect_unmapped(1ull << 48);
	/* An offset within a block, and no block_size wanted. */
	assert_int_equal(pgtable_lookup(&env.pt, 0x12345678, NULL),
			 leaf(0, 0, 1));
	size = 0;
	assert_int_equal(pgtable_lookup(&env.pt, 0x3fffffff, &size),
			 leaf(0, 0, 1));
	assert_int_equal(size, GiB);
}

/* ---- errors ------------------------------------------------------------------ */

static void test_wx_refused(void **state)
{
	(void)state;
	assert_int_equal(pgtable_map(&env.pt, GiB, GiB, PG_WRITE | PG_EXEC),
			 PG_ERR_WX);
	assert_int_equal(pgtable_map(&env.pt, 4 * KiB, 4 * KiB,
				     PG_DEVICE | PG_WRITE | PG_EXEC),
			 PG_ERR_WX);
	/* Refused before anything else is looked at. */
	assert_int_equal(pgtable_map(&env.pt, 1, 1, PG_WRITE | PG_EXEC),
			 PG_ERR_WX);
	assert_true(root_empty());
	assert_int_equal(env.used, 1);

	/* A W+X remap of something mapped leaves it as it was. */
	assert_int_equal(pgtable_map(&env.pt, GiB, GiB, PG_EXEC), PG_OK);
	go_live();
	assert_int_equal(pgtable_map(&env.pt, GiB, 4 * KiB, PG_WRITE | PG_EXEC),
			 PG_ERR_WX);
	expect_leaf(GiB, GiB, PG_EXEC);
	assert_int_equal(env.nbreaks, 0);
	assert_int_equal(env.used, 1);
}

/* Only an explicit PG_LEGACY_WX gets writable and executable. */
static void test_legacy_wx(void **state)
{
	const unsigned rwx = PG_WRITE | PG_EXEC | PG_LEGACY_WX;

	/* RW as PG_WRITE, executable as PG_EXEC (UXN still set at EL1). */
	const uint64_t want =
		el2() ? 0x0000000000000744ull : 0x0040000000000704ull;

	(void)state;
	assert_int_equal(pgtable_map(&env.pt, GiB, 4 * KiB, rwx), PG_OK);
	assert_int_equal(pgtable_lookup(&env.pt, GiB, NULL),
			 GiB | want | TYPE_PAGE);
	/* Alone it changes nothing: RW+XN, or RO+X, as without it. */
	assert_int_equal(
		pgtable_map(&env.pt, GiB, 4 * KiB, PG_WRITE | PG_LEGACY_WX),
		PG_OK);
	expect_leaf(GiB, 4 * KiB, PG_WRITE);
	assert_int_equal(
		pgtable_map(&env.pt, GiB, 4 * KiB, PG_EXEC | PG_LEGACY_WX),
		PG_OK);
	expect_leaf(GiB, 4 * KiB, PG_EXEC);
}

static void test_alignment_errors(void **state)
{
	(void)state;
	assert_int_equal(pgtable_map(&env.pt, GiB + 1, 4 * KiB, 0),
			 PG_ERR_ALIGN);
	assert_int_equal(pgtable_map(&env.pt, GiB + 2 * KiB, 4 * KiB, 0),
			 PG_ERR_ALIGN);
	assert_int_equal(pgtable_map(&env.pt, GiB, 4 * KiB + 1, 0),
			 PG_ERR_ALIGN);
	assert_int_equal(pgtable_map(&env.pt, GiB, 4 * KiB - 1, 0),
			 PG_ERR_ALIGN);
	assert_int_equal(pgtable_map(&env.pt, GiB, 1, PG_WRITE), PG_ERR_ALIGN);
	assert_int_equal(pgtable_map(&env.pt, 0xfff, 0x1001, 0), PG_ERR_ALIGN);
	assert_true(root_empty());
	assert_int_equal(env.used, 1);
}

static void test_range_errors(void **state)
{
	(void)state;
	assert_int_equal(pgtable_map(&env.pt, VA_LIMIT, 4 * KiB, 0),
			 PG_ERR_RANGE);
	assert_int_equal(pgtable_map(&env.pt, VA_LIMIT, 0, 0), PG_ERR_RANGE);
	assert_int_equal(pgtable_map(&env.pt, VA_LIMIT - 4 * KiB, 8 * KiB, 0),
			 PG_ERR_RANGE);
	assert_int_equal(pgtable_map(&env.pt, 0, VA_LIMIT + 4 * KiB, 0),
			 PG_ERR_RANGE);
	assert_int_equal(pgtable_map(&env.pt, 1ull << 40, GiB, PG_WRITE),
			 PG_ERR_RANGE);
	/* pa + size wrapping around 2^64 is not "small". */
	assert_int_equal(pgtable_map(&env.pt, 4 * KiB, 0ull - 4 * KiB, 0),
			 PG_ERR_RANGE);
	assert_int_equal(pgtable_map(&env.pt, 0ull - 4 * KiB, 8 * KiB, 0),
			 PG_ERR_RANGE);
	assert_true(root_empty());
	assert_int_equal(env.used, 1);

	/* The whole VA space is fine, and so is an empty range. */
	assert_int_equal(pgtable_map(&env.pt, 0, 0, PG_WRITE), PG_OK);
	assert_int_equal(pgtable_map(&env.pt, GiB, 0, PG_WRITE), PG_OK);
	assert_true(root_empty());
	assert_int_equal(pgtable_map(&env.pt, 0, VA_LIMIT, PG_WRITE), PG_OK);
	expect_leaf(0, GiB, PG_WRITE);
	expect_leaf(VA_LIMIT - 1, GiB, PG_WRITE);
	assert_int_equal(env.used, 1);
}

/* ---- out of memory ----------------------------------------------------------- */

static void test_no_memory_fresh(void **state)
{
	(void)state;
	/* Only the root: a page needs a level 2 table. */
	env.limit = 1;
	assert_int_equal(pgtable_map(&env.pt, GiB, 4 * KiB, 0),
			 PG_ERR_NO_MEMORY);
	assert_true(root_empty());
	/* Whole GiBs need no table. */
	assert_int_equal(pgtable_map(&env.pt, GiB, GiB, 0), PG_OK);
	expect_leaf(GiB, GiB, 0);

	/* One more: the level 2 table, but no level 3 one. */
	env.limit = 2;
	assert_int_equal(pgtable_map(&env.pt, 2 * GiB, 4 * KiB, 0),
			 PG_ERR_NO_MEMORY);
	expect_unmapped(2 * GiB);
	/* 2 MiB blocks still fit in the level 2 table that was added. */
	assert_int_equal(pgtable_map(&env.pt, 2 * GiB, 2 * MiB, 0), PG_OK);
	expect_leaf(2 * GiB, 2 * MiB, 0);
}

static void test_no_memory_split(void **state)
{
	(void)state;
	assert_int_equal(pgtable_map(&env.pt, GiB, GiB, PG_WRITE), PG_OK);
	go_live();

	/* No table for the split: the block stays, unbroken. */
	env.limit = env.used;
	assert_int_equal(pgtable_map(&env.pt, GiB + 4 * KiB, 4 * KiB, 0),
			 PG_ERR_NO_MEMORY);
	assert_int_equal(env.nbreaks, 0);
	assert_int_equal(env.pt.root[1], leaf(GiB, PG_WRITE, 1));

	/*
	 * One table: the level 1 split works, the level 2 one does not.
	 * The GiB is still mapped as it was, now by 2 MiB blocks.
	 */
	env.limit = env.used + 1;
	assert_int_equal(pgtable_map(&env.pt, GiB + 4 * KiB, 4 * KiB, 0),
			 PG_ERR_NO_MEMORY);
	assert_int_equal(env.nbreaks, 1);
	expect_break(0, &env.pt.root[1], GiB, GiB);
	expect_leaf(GiB, 2 * MiB, PG_WRITE);
	expect_leaf(GiB + 4 * KiB, 2 * MiB, PG_WRITE);
	expect_leaf(2 * GiB - 1, 2 * MiB, PG_WRITE);

	/* With memory, the same call succeeds. */
	env.limit = POOL_TABLES;
	assert_int_equal(pgtable_map(&env.pt, GiB + 4 * KiB, 4 * KiB, 0),
			 PG_OK);
	expect_leaf(GiB, 4 * KiB, PG_WRITE);
	expect_leaf(GiB + 4 * KiB, 4 * KiB, 0);
	expect_leaf(GiB + 8 * KiB, 4 * KiB, PG_WRITE);
}

static void test_no_memory_partway(void **state)
{
	(void)state;
	/* The first piece maps, the second needs a table that is not there. */
	env.limit = 2;
	assert_int_equal(
		pgtable_map(&env.pt, GiB - 2 * MiB, 2 * MiB + 4 * KiB, 0),
		PG_ERR_NO_MEMORY);
	expect_leaf(GiB - 2 * MiB, 2 * MiB, 0);
	expect_unmapped(GiB);
}

/* ---- splitting and break-before-make ------------------------------------- */

static void test_split_1g_to_4k(void **state)
{
	const uint64_t page = GiB + 2 * MiB + 4 * KiB;
	uint64_t *l2, *l3, old_block;
	unsigned i;

	(void)state;
	assert_int_equal(pgtable_map(&env.pt, GiB, GiB, PG_WRITE), PG_OK);
	old_block = env.pt.root[1];
	go_live();

	assert_int_equal(pgtable_map(&env.pt, page, 4 * KiB, PG_EXEC), PG_OK);
	/* Two new tables, a level 2 and a level 3 one. */
	assert_int_equal(env.used, 3);
	l2 = pool[1];
	l3 = pool[2];
	assert_int_equal(env.pt.root[1], (uint64_t)(uintptr_t)l2 | TYPE_TABLE);
	assert_int_equal(l2[1], (uint64_t)(uintptr_t)l3 | TYPE_TABLE);

	/* The rest of the GiB keeps its attributes, in the largest blocks. */
	for (i = 0; i < ENTRIES; i++) {
		if (i != 1)
			assert_int_equal(l2[i],
					 leaf(GiB + i * 2 * MiB, PG_WRITE, 2));
	}
	for (i = 0; i < ENTRIES; i++) {
		uint64_t va = GiB + 2 * MiB + i * 4 * KiB;

		assert_int_equal(l3[i],
				 leaf(va, i == 1 ? PG_EXEC : PG_WRITE, 3));
	}

	/*
	 * Break-before-make, in order: the GiB block before the level 2
	 * table replaced it, the 2 MiB block before the level 3 table, the
	 * page before its new attributes.
	 */
	assert_int_equal(env.nbreaks, 3);
	expect_break(0, &env.pt.root[1], GiB, GiB);
	assert_int_equal(env.breaks[0].old, old_block);
	expect_break(1, &l2[1], GiB + 2 * MiB, 2 * MiB);
	assert_int_equal(env.breaks[1].old, leaf(GiB + 2 * MiB, PG_WRITE, 2));
	expect_break(2, &l3[1], page, 4 * KiB);
	assert_int_equal(env.breaks[2].old, leaf(page, PG_WRITE, 3));
}

static void test_split_1g_to_2m(void **state)
{
	uint64_t *l2;
	unsigned i;

	(void)state;
	assert_int_equal(
		pgtable_map(&env.pt, 2 * GiB, GiB, PG_DEVICE | PG_WRITE),
		PG_OK);
	go_live();
	/* 4 MiB in the middle: split the GiB, replace two 2 MiB blocks. */
	assert_int_equal(
		pgtable_map(&env.pt, 2 * GiB + 10 * MiB, 4 * MiB, PG_DEVICE),
		PG_OK);
	assert_int_equal(env.used, 2);
	l2 = pool[1];
	for (i = 0; i < ENTRIES; i++)
		assert_int_equal(l2[i],
				 leaf(2 * GiB + i * 2 * MiB,
				      i == 5 || i == 6 ? PG_DEVICE
						       : PG_DEVICE | PG_WRITE,
				      2));
	assert_int_equal(env.nbreaks, 3);
	expect_break(0, &env.pt.root[2], 2 * GiB, GiB);
	expect_break(1, &l2[5], 2 * GiB + 10 * MiB, 2 * MiB);
	expect_break(2, &l2[6], 2 * GiB + 12 * MiB, 2 * MiB);
}

static void test_split_2m_to_4k(void **state)
{
	uint64_t *l3;
	unsigned i;

	(void)state;
	assert_int_equal(pgtable_map(&env.pt, 4 * MiB, 2 * MiB, 0), PG_OK);
	assert_int_equal(env.used, 2);
	go_live();
	/* The last 3 pages become writable. */
	assert_int_equal(
		pgtable_map(&env.pt, 6 * MiB - 12 * KiB, 12 * KiB, PG_WRITE),
		PG_OK);
	assert_int_equal(env.used, 3);
	l3 = pool[2];
	for (i = 0; i < ENTRIES; i++)
		assert_int_equal(l3[i], leaf(4 * MiB + i * 4 * KiB,
					     i >= 509 ? PG_WRITE : 0, 3));
	assert_int_equal(env.nbreaks, 4);
	expect_break(0, &pool[1][2], 4 * MiB, 2 * MiB);
	expect_break(1, &l3[509], 6 * MiB - 12 * KiB, 4 * KiB);
	expect_break(2, &l3[510], 6 * MiB - 8 * KiB, 4 * KiB);
	expect_break(3, &l3[511], 6 * MiB - 4 * KiB, 4 * KiB);
}

static void test_split_keeps_each_format(void **state)
{
	size_t i;

	(void)state;
	/*
	 * Every flag combination as a GiB block, then one page of each
	 * remapped with the next combination: the remaining 511 pages and
	 * 511 2 MiB blocks keep the block's attributes.
	 */
	for (i = 0; i < NFLAGS; i++)
		assert_int_equal(pgtable_map(&env.pt, (i + 1) * GiB, GiB,
					     expected_attrs[i].flags),
				 PG_OK);
	go_live();
	env.strict_breaks = false;
	for (i = 0; i < NFLAGS; i++) {
		uint64_t base = (i + 1) * GiB, va;
		unsigned f = expected_attrs[i].flags;
		unsigned g = expected_attrs[(i + 1) % NFLAGS].flags;

		env.nbreaks = 0;
		assert_int_equal(
			pgtable_map(&env.pt, base + GiB - 4 * KiB, 4 * KiB, g),
			PG_OK);
		assert_int_equal(env.nbreaks, 3);
		for (va = base; va < base + GiB - 2 * MiB; va += 2 * MiB)
			expect_leaf(va, 2 * MiB, f);
		for (va = base + GiB - 2 * MiB; va < base + GiB - 4 * KiB;
		     va += 4 * KiB)
			expect_leaf(va, 4 * KiB, f);
		expect_leaf(base + GiB - 4 * KiB, 4 * KiB, g);
	}
}

static void test_table_replaced_by_block(void **state)
{
	(void)state;
	/* Pages and 2 MiB blocks under one GiB, then the whole GiB at once. */
	assert_int_equal(pgtable_map(&env.pt, GiB + 4 * KiB, 4 * KiB, 0),
			 PG_OK);
	assert_int_equal(pgtable_map(&env.pt, GiB + 64 * MiB, 2 * MiB, 0),
			 PG_OK);
	go_live();
	assert_int_equal(pgtable_map(&env.pt, GiB, GiB, PG_WRITE), PG_OK);
	assert_int_equal(env.pt.root[1], leaf(GiB, PG_WRITE, 1));
	expect_leaf(GiB + 4 * KiB, GiB, PG_WRITE);
	/* One break: of the table entry being replaced. */
	assert_int_equal(env.nbreaks, 1);
	expect_break(0, &env.pt.root[1], GiB, GiB);
	assert_int_equal(env.breaks[0].old & TYPE_MASK, TYPE_TABLE);
	/* Then the level 2 table and the level 3 one under it come back. */
	assert_int_equal(env.nfrees, 2);
	assert_true(env.frees[0].seq > env.breaks[0].seq);
	assert_int_equal(tables_in_use(), 1);

	/* Likewise a level 3 table under a 2 MiB block. */
	assert_int_equal(pgtable_map(&env.pt, 3 * GiB + 4 * KiB, 4 * KiB, 0),
			 PG_OK);
	env.nbreaks = 0;
	assert_int_equal(pgtable_map(&env.pt, 3 * GiB, 2 * MiB, 0), PG_OK);
	expect_leaf(3 * GiB + 4 * KiB, 2 * MiB, 0);
	assert_int_equal(env.nbreaks, 1);
	expect_break(0, slot(3 * GiB, 2), 3 * GiB, 2 * MiB);
	assert_int_equal(env.breaks[0].old & TYPE_MASK, TYPE_TABLE);
	assert_int_equal(tables_in_use(), 2); /* the root, one level 2 */
}

/* ---- folding tables back into blocks ------------------------------------- */

/* The break of *entry came before the table it pointed to was freed. */
static void expect_break_then_free(unsigned brk, uint64_t *entry,
				   unsigned freed)
{
	uint64_t *table = table_at(env.breaks[brk].old);

	assert_ptr_equal(env.breaks[brk].entry, entry);
	assert_int_equal(env.breaks[brk].old & TYPE_MASK, TYPE_TABLE);
	assert_true(freed < env.nfrees);
	assert_ptr_equal(env.frees[freed].table, table);
	assert_true(env.breaks[brk].seq < env.frees[freed].seq);
}

static void test_fold_back_to_blocks(void **state)
{
	const uint64_t page = GiB + 2 * MiB + 4 * KiB;
	uint64_t *l2, *l3;

	(void)state;
	assert_int_equal(pgtable_map(&env.pt, GiB, GiB, PG_WRITE), PG_OK);
	go_live();
	/* A page of code in a GiB of data: a level 2 and a level 3 table. */
	assert_int_equal(pgtable_map(&env.pt, page, 4 * KiB, PG_EXEC), PG_OK);
	assert_int_equal(tables_in_use(), 3);
	l2 = pool[1];
	l3 = pool[2];
	env.nbreaks = 0;

	/* Data again: the GiB is one block again, both tables come back. */
	assert_int_equal(pgtable_map(&env.pt, page, 4 * KiB, PG_WRITE), PG_OK);
	assert_int_equal(env.pt.root[1], leaf(GiB, PG_WRITE, 1));
	expect_leaf(page, GiB, PG_WRITE);
	assert_int_equal(tables_in_use(), 1);

	/*
	 * Break-before-make, in order: the page (new attributes); the level
	 * 2 entry, still pointing at the level 3 table when broken, then
	 * written as a 2 MiB block, then the level 3 table freed; the same
	 * one level up.
	 */
	assert_int_equal(env.nbreaks, 3);
	expect_break(0, &l3[1], page, 4 * KiB);
	assert_int_equal(env.breaks[0].old, leaf(page, PG_EXEC, 3));
	expect_break(1, &l2[1], GiB + 2 * MiB, 2 * MiB);
	assert_int_equal(env.breaks[1].old, (uint64_t)(uintptr_t)l3 | 3);
	expect_break(2, &env.pt.root[1], GiB, GiB);
	assert_int_equal(env.breaks[2].old, (uint64_t)(uintptr_t)l2 | 3);
	assert_int_equal(env.nfrees, 2);
	expect_break_then_free(1, &l2[1], 0);
	expect_break_then_free(2, &env.pt.root[1], 1);
	/* The level 2 entry was a block before its table went away. */
	assert_int_equal(l2[1], leaf(GiB + 2 * MiB, PG_WRITE, 2));

	/* Freed tables are reused: the same split costs nothing new. */
	assert_int_equal(pgtable_map(&env.pt, page, 4 * KiB, PG_EXEC), PG_OK);
	assert_int_equal(env.used, 3);
	assert_int_equal(tables_in_use(), 3);
}

static void test_fold_only_when_uniform(void **state)
{
	const uint64_t base = 2 * GiB + 4 * MiB;
	unsigned i;

	(void)state;
	assert_int_equal(pgtable_map(&env.pt, 2 * GiB, GiB, PG_WRITE), PG_OK);
	go_live();
	env.strict_breaks = false;

	/* Two pages read-only; one back: the other keeps its table. */
	assert_int_equal(pgtable_map(&env.pt, base, 8 * KiB, 0), PG_OK);
	assert_int_equal(pgtable_map(&env.pt, base, 4 * KiB, PG_WRITE), PG_OK);
	expect_leaf(base, 4 * KiB, PG_WRITE);
	expect_leaf(base + 4 * KiB, 4 * KiB, 0);
	assert_int_equal(tables_in_use(), 3);

	/*
	 * A page holding live tables (PG_TABLES) in the same 2 MiB: the
	 * other page made writable again, the range is still not uniform.
	 */
	assert_int_equal(pgtable_map(&env.pt, base + 8 * KiB, 4 * KiB,
				     PG_WRITE | PG_TABLES),
			 PG_OK);
	assert_int_equal(
		pgtable_map(&env.pt, base + 4 * KiB, 4 * KiB, PG_WRITE), PG_OK);
	assert_int_equal(tables_in_use(), 3);
	assert_int_equal(pgtable_lookup(&env.pt, base + 8 * KiB, NULL) &
				 ~(LEAF_ATTR_BITS | OA_BITS | TYPE_MASK),
			 1ull << 55);
	/* Page by page over the rest of it: still a table. */
	for (i = 0; i < ENTRIES; i++)
		if (i != 2)
			assert_int_equal(pgtable_map(&env.pt,
						     base + i * 4 * KiB,
						     4 * KiB, PG_WRITE),
					 PG_OK);
	assert_int_equal(tables_in_use(), 3);

	/* Without it, the 2 MiB folds, and then the GiB. */
	assert_int_equal(
		pgtable_map(&env.pt, base + 8 * KiB, 4 * KiB, PG_WRITE), PG_OK);
	assert_int_equal(tables_in_use(), 1);
	expect_leaf(base, GiB, PG_WRITE);
}

static void test_fold_2m_blocks(void **state)
{
	unsigned i;

	(void)state;
	/* 512 separate 2 MiB blocks with alternating permissions. */
	for (i = 0; i < ENTRIES; i++)
		assert_int_equal(pgtable_map(&env.pt, GiB + i * 2 * MiB,
					     2 * MiB, i % 2 ? PG_WRITE : 0),
				 PG_OK);
	go_live();
	env.strict_breaks = false;
	assert_int_equal(tables_in_use(), 2);
	/* Made alike one by one: the level 2 table folds at the last one. */
	for (i = 0; i < ENTRIES; i += 2) {
		assert_int_equal(tables_in_use(), 2);
		assert_int_equal(pgtable_map(&env.pt, GiB + i * 2 * MiB,
					     2 * MiB, PG_WRITE),
				 PG_OK);
	}
	assert_int_equal(tables_in_use(), 1);
	expect_leaf(GiB, GiB, PG_WRITE);
}

static void test_no_break_when_building(void **state)
{
	(void)state;
	/* The hook in place from the start: empty entries need no break. */
	go_live();
	map_every_flag_combination();
	assert_int_equal(pgtable_map(&env.pt, 100 * GiB - 4 * KiB, 2 * GiB, 0),
			 PG_OK);
	assert_int_equal(env.nbreaks, 0);
}

static void test_no_break_when_unchanged(void **state)
{
	unsigned used;

	(void)state;
	assert_int_equal(pgtable_map(&env.pt, GiB - 4 * KiB,
				     GiB + 2 * MiB + 8 * KiB, PG_WRITE),
			 PG_OK);
	assert_int_equal(pgtable_map(&env.pt, 3 * GiB, 4 * KiB, PG_DEVICE),
			 PG_OK);
	go_live();
	used = env.used;

	/* The same ranges with the same flags: every entry stays. */
	assert_int_equal(pgtable_map(&env.pt, GiB - 4 * KiB,
				     GiB + 2 * MiB + 8 * KiB, PG_WRITE),
			 PG_OK);
	assert_int_equal(pgtable_map(&env.pt, 3 * GiB, 4 * KiB, PG_DEVICE),
			 PG_OK);
	assert_int_equal(env.nbreaks, 0);
	assert_int_equal(env.used, used);
}

static void test_break_on_attribute_change(void **state)
{
	(void)state;
	/* Same size and output, other attributes: still broken first. */
	assert_int_equal(pgtable_map(&env.pt, GiB, GiB, PG_WRITE), PG_OK);
	assert_int_equal(pgtable_map(&env.pt, 2 * GiB, 2 * MiB, PG_WRITE),
			 PG_OK);
	assert_int_equal(pgtable_map(&env.pt, 3 * GiB, 4 * KiB, PG_WRITE),
			 PG_OK);
	go_live();
	assert_int_equal(pgtable_map(&env.pt, GiB, GiB, 0), PG_OK);
	assert_int_equal(pgtable_map(&env.pt, 2 * GiB, 2 * MiB, PG_EXEC),
			 PG_OK);
	assert_int_equal(pgtable_map(&env.pt, 3 * GiB, 4 * KiB, PG_DEVICE),
			 PG_OK);
	assert_int_equal(env.nbreaks, 3);
	expect_break(0, &env.pt.root[1], GiB, GiB);
	expect_break(1, slot(2 * GiB, 2), 2 * GiB, 2 * MiB);
	expect_break(2, slot(3 * GiB, 3), 3 * GiB, 4 * KiB);
	expect_leaf(GiB, GiB, 0);
	expect_leaf(2 * GiB, 2 * MiB, PG_EXEC);
	expect_leaf(3 * GiB, 4 * KiB, PG_DEVICE);
}

/* ---- a model check ------------------------------------------------------------ */

/*
 * Random maps over [0, WINDOW), compared page by page with a model, and
 * the whole tree walked to check every descriptor: identity output,
 * alignment, type bits for the level, no unexpected bits.
 */
#define WINDOW (4 * GiB)
#define WINDOW_PAGES (WINDOW / (4 * KiB))

static uint8_t model[WINDOW_PAGES]; /* 0: unmapped, else flags + 1 */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static bool in_pool(const uint64_t *t)
{
	return t >= pool[0] && t < pool[env.used] &&
	       ((uintptr_t)t & (4 * KiB - 1)) == 0;
}

static unsigned walked_tables;

static void walk(const uint64_t *table, int level, uint64_t base,
		 unsigned *leaves)
{
	uint64_t size = 1ull << (12 + 9 * (3 - level));
	unsigned i;

	assert_true(in_pool(table));
	for (i = 0; i < env.nfree; i++)
		assert_ptr_not_equal(env.free[i], table);
	walked_tables = level == 1 ? 1 : walked_tables + 1;
	for (i = 0; i < ENTRIES; i++) {
		uint64_t va = base + i * size, d = table[i];
		uint64_t p, first, n;
		unsigned f;

		if (!(d & 1)) {
			/* Invalid entries are all zero. */
			assert_int_equal(d, 0);
			if (va < WINDOW)
				for (p = 0; p < size / (4 * KiB); p++)
					assert_int_equal(
						model[va / (4 * KiB) + p], 0);
			continue;
		}
		if (level < 3 && (d & TYPE_MASK) == TYPE_TABLE) {
			/* Nothing but the address and the type. */
			assert_int_equal(d & ~(OA_BITS | TYPE_MASK), 0);
			walk(table_at(d), level + 1, va, leaves);
			continue;
		}
		assert_int_equal(d & TYPE_MASK,
				 level == 3 ? TYPE_PAGE : TYPE_BLOCK);
		/* Identity, aligned to the entry's size. */
		assert_int_equal(d & OA_BITS, va);
		assert_int_equal(d & ~(OA_BITS | LEAF_ATTR_BITS | TYPE_MASK),
				 0);
		assert_true(va < WINDOW);
		first = va / (4 * KiB);
		n = size / (4 * KiB);
		f = model[first];
		assert_int_not_equal(f, 0);
		assert_int_equal(d, leaf(va, f - 1, level));
		for (p = 0; p < n; p++)
			assert_int_equal(model[first + p], f);
		(*leaves)++;
	}
}

static void test_random_against_model(void **state)
{
	static const uint64_t grains[] = {4 * KiB, 2 * MiB, GiB};
	unsigned op, leaves, allocs;
	uint64_t p;

	(void)state;
	memset(model, 0, sizeof(model));
	go_live();
	env.strict_breaks = false;
	for (op = 0; op < 300; op++) {
		uint64_t grain = grains[rnd() % 3], start, size;
		unsigned f = expected_attrs[rnd() % NFLAGS].flags;

		start = (rnd() % (WINDOW / grain)) * grain;
		size = (1 + rnd() % 3) * grain;
		/* Ragged edges, now and then. */
		if (rnd() % 2)
			start += (rnd() % 512) * 4 * KiB;
		if (rnd() % 2)
			size += (rnd() % 512) * 4 * KiB;
		if (start >= WINDOW)
			start = WINDOW - 4 * KiB;
		if (size > WINDOW - start)
			size = WINDOW - start;

		allocs = env.allocs;
		assert_int_equal(pgtable_map(&env.pt, start, size, f), PG_OK);
		/* What a caller must keep in reserve is enough. */
		assert_true(env.allocs - allocs <= PGTABLE_MAP_MAX_TABLES);
		for (p = start / (4 * KiB); p < (start + size) / (4 * KiB); p++)
			model[p] = f + 1;

		/* A few random lookups every time, a full walk now and then. */
		for (p = 0; p < 16; p++) {
			uint64_t va = rnd() % WINDOW, got;
			uint8_t m = model[va / (4 * KiB)];

			got = pgtable_lookup(&env.pt, va, NULL);
			if (!m)
				assert_int_equal(got, 0);
			else
				assert_int_equal(got & LEAF_ATTR_BITS,
						 attrs_for(m - 1));
		}
		if (op % 25 == 24) {
			leaves = 0;
			walk(env.pt.root, 1, 0, &leaves);
			assert_true(leaves > 0);
		}
	}
	/* It was not all the same kind of block. */
	assert_true(env.used > 10);
	assert_true(env.nbreaks > 0);
	/* Tables in use are exactly the reachable ones: none leaked. */
	leaves = 0;
	walk(env.pt.root, 1, 0, &leaves);
	assert_int_equal(walked_tables, tables_in_use());

	/* The whole window alike, GiB by GiB: only the root is left. */
	for (p = 0; p < WINDOW; p += GiB)
		assert_int_equal(pgtable_map(&env.pt, p, GiB, PG_WRITE), PG_OK);
	assert_int_equal(tables_in_use(), 1);
}

/* ---- a level 0 root: 44-bit VA, RAM above 512 GiB and 1 TiB ---------- */

static int setup_el1_44(void **state)
{
	int rc = setup(state, &pte_format_el1);

	env.pt.va_bits = 44;
	return rc;
}

static int setup_el2_44(void **state)
{
	int rc = setup(state, &pte_format_el2);

	env.pt.va_bits = 44;
	return rc;
}

static bool is_table_desc(uint64_t desc)
{
	return (desc & TYPE_MASK) == TYPE_TABLE;
}

static void test_level0_ram_above_1t(void **state)
{
	/* QEMU virt with -m 1099G: RAM [1 GiB, 1100 GiB). */
	uint64_t end = 1100 * GiB;
	unsigned i;

	(void)state;
	assert_int_equal(pgtable_va_limit(&env.pt), VA44_LIMIT);
	assert_int_equal(pgtable_map(&env.pt, GiB, end - GiB, PG_WRITE), PG_OK);
	expect_leaf(GiB, GiB, PG_WRITE);
	expect_leaf(511 * GiB, GiB, PG_WRITE);
	expect_leaf(512 * GiB, GiB, PG_WRITE);
	expect_leaf(1024 * GiB, GiB, PG_WRITE);
	expect_leaf(end - 4 * KiB, GiB, PG_WRITE);
	expect_unmapped(0);
	expect_unmapped(end);
	/*
	 * Level 0 entries 0, 1, 2 point to level 1 tables: no level 0 blocks,
	 * not even for [512 GiB, 1 TiB), which the range covers whole.
	 */
	for (i = 0; i < 3; i++)
		assert_true(is_table_desc(env.pt.root[i]));
	for (i = 3; i < ENTRIES; i++)
		assert_int_equal(env.pt.root[i], 0);
	assert_int_equal(tables_in_use(), 4);
}

static void test_level0_top_of_va_space(void **state)
{
	(void)state;
	assert_int_equal(pgtable_map(&env.pt, VA44_LIMIT - GiB, GiB, 0), PG_OK);
	assert_true(is_table_desc(env.pt.root[31]));
	expect_leaf(VA44_LIMIT - 1, GiB, 0);
	assert_int_equal(pgtable_map(&env.pt, VA44_LIMIT, 4 * KiB, 0),
			 PG_ERR_RANGE);
	assert_int_equal(pgtable_map(&env.pt, VA44_LIMIT - 4 * KiB, 8 * KiB, 0),
			 PG_ERR_RANGE);
	expect_unmapped(VA44_LIMIT);
	/* What a 39-bit table refuses, a 44-bit one maps. */
	assert_int_equal(pgtable_map(&env.pt, VA_LIMIT, 4 * KiB, PG_WRITE),
			 PG_OK);
	expect_leaf(VA_LIMIT, 4 * KiB, PG_WRITE);
}

static void test_level0_split_and_fold(void **state)
{
	uint64_t va = 700 * GiB + 4 * KiB;

	(void)state;
	assert_int_equal(pgtable_map(&env.pt, 512 * GiB, 512 * GiB, PG_WRITE),
			 PG_OK);
	go_live();
	/* One page read-only in a live 1 GiB block: the block is broken. */
	assert_int_equal(pgtable_map(&env.pt, va, 4 * KiB, 0), PG_OK);
	expect_leaf(va, 4 * KiB, 0);
	expect_leaf(va - 4 * KiB, 4 * KiB, PG_WRITE);
	expect_leaf(va + GiB, GiB, PG_WRITE);
	expect_break(0, slot(700 * GiB, 1), 700 * GiB, GiB);
	/* Back to read/write: folded to the 1 GiB block, never further. */
	assert_int_equal(pgtable_map(&env.pt, va, 4 * KiB, PG_WRITE), PG_OK);
	expect_leaf(va, GiB, PG_WRITE);
	assert_true(is_table_desc(env.pt.root[1]));
	assert_int_equal(tables_in_use(), 2);
}

#define TEST_EL1(f) cmocka_unit_test_setup(f, setup_el1)
#define TEST_EL2(f) cmocka_unit_test_setup(f, setup_el2)
#define TEST_BOTH(f) TEST_EL1(f), TEST_EL2(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf_attrs),
		cmocka_unit_test(test_attr_fields),
		TEST_BOTH(test_attrs_mapped),
		TEST_BOTH(test_block_sizes),
		TEST_BOTH(test_largest_blocks),
		TEST_EL1(test_mixed_alignment),
		TEST_BOTH(test_top_of_va_space),
		TEST_EL1(test_lookup),
		TEST_BOTH(test_wx_refused),
		TEST_BOTH(test_legacy_wx),
		TEST_EL1(test_alignment_errors),
		TEST_EL1(test_range_errors),
		TEST_EL1(test_no_memory_fresh),
		TEST_BOTH(test_no_memory_split),
		TEST_EL1(test_no_memory_partway),
		TEST_BOTH(test_split_1g_to_4k),
		TEST_BOTH(test_split_1g_to_2m),
		TEST_BOTH(test_split_2m_to_4k),
		TEST_BOTH(test_split_keeps_each_format),
		TEST_BOTH(test_table_replaced_by_block),
		TEST_BOTH(test_fold_back_to_blocks),
		TEST_BOTH(test_fold_only_when_uniform),
		TEST_EL1(test_fold_2m_blocks),
		TEST_BOTH(test_no_break_when_building),
		TEST_BOTH(test_no_break_when_unchanged),
		TEST_BOTH(test_break_on_attribute_change),
		TEST_BOTH(test_random_against_model),
		cmocka_unit_test_setup(test_level0_ram_above_1t, setup_el1_44),
		cmocka_unit_test_setup(test_level0_ram_above_1t, setup_el2_44),
		cmocka_unit_test_setup(test_level0_top_of_va_space,
				       setup_el1_44),
		cmocka_unit_test_setup(test_level0_split_and_fold,
				       setup_el1_44),
		cmocka_unit_test_setup(test_level0_split_and_fold,
				       setup_el2_44),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
