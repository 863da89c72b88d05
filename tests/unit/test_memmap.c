// SPDX-License-Identifier: MIT
/*
 * Host tests of the EFI memory map and page allocator (src/efi/memmap.c).
 *
 * Besides hand-written cases, a randomized stress test replays thousands of
 * operations against a page-by-page reference model: an array with one slot
 * per page, where every operation is a simple loop. After each step the map,
 * expanded to pages, must equal the model, and its structural invariants must
 * hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <efi/efi.h>
#include <mmuon/memmap.h>

#define PAGE EFI_PAGE_SIZE
#define MIB (1024ULL * 1024)
#define GIB (1024 * MIB)
#define CAP MEMMAP_DEFAULT_CAPACITY

struct fixture {
	struct memmap map;
	struct memmap_entry storage[2 * CAP];
};

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	memmap_init(&f->map, f->storage, CAP);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	test_free(*state);
	return 0;
}

static struct memmap *map_of(void **state)
{
	return &((struct fixture *)*state)->map;
}

/* ---- helpers ------------------------------------------------------------ */

static uint64_t end_of(const struct memmap_entry *e)
{
	return e->start + e->pages * PAGE;
}

static bool is_runtime_type(uint32_t type)
{
	return type == EfiRuntimeServicesCode ||
	       type == EfiRuntimeServicesData || type == EfiMemoryMappedIO ||
	       type == EfiMemoryMappedIOPortSpace;
}

static bool mergeable(const struct memmap_entry *a,
		      const struct memmap_entry *b)
{
	return end_of(a) == b->start && a->type == b->type &&
	       a->attr == b->attr && a->allocated == b->allocated &&
	       a->client == b->client;
}

/* Sorted, aligned, non-empty, non-overlapping, fully merged, within bounds. */
static void check_invariants(const struct memmap *m)
{
	assert_true(m->count <= m->capacity);
	for (size_t i = 0; i < m->count; i++) {
		const struct memmap_entry *e = &m->entries[i];

		assert_int_equal(e->start & EFI_PAGE_MASK, 0);
		assert_true(e->pages > 0);
		assert_true(e->pages <= (UINT64_MAX - e->start) / PAGE);
		if (is_runtime_type(e->type))
			assert_true(e->attr & EFI_MEMORY_RUNTIME);
		if (e->type == EfiConventionalMemory)
			assert_false(e->allocated);
		if (e->client)
			assert_true(e->allocated);
		if (i > 0) {
			const struct memmap_entry *p = &m->entries[i - 1];

			assert_true(end_of(p) <= e->start);
			assert_false(mergeable(p, e));
		}
	}
}

static uint64_t total_pages(const struct memmap *m)
{
	uint64_t n = 0;

	for (size_t i = 0; i < m->count; i++)
		n += m->entries[i].pages;
	return n;
}

static uint64_t pages_of_type(const struct memmap *m, uint32_t type)
{
	uint64_t n = 0;

	for (size_t i = 0; i < m->count; i++)
		if (m->entries[i].type == type)
			n += m->entries[i].pages;
	return n;
}

static const struct memmap_entry *entry_at(const struct memmap *m,
					   uint64_t addr)
{
	const struct memmap_entry *e = memmap_lookup(m, addr);

	assert_non_null(e);
	return e;
}

static void expect_entry(const struct memmap *m, size_t i, uint64_t start,
			 uint64_t pages, uint32_t type, uint64_t attr)
{
	assert_true(i < m->count);
	assert_int_equal(m->entries[i].start, start);
	assert_int_equal(m->entries[i].pages, pages);
	assert_int_equal(m->entries[i].type, type);
	assert_int_equal(m->entries[i].attr, attr);
}

/* Field by field: struct padding is not part of the value. */
static void expect_same_entries(const struct memmap_entry *a,
				const struct memmap_entry *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(a[i].start, b[i].start);
		assert_int_equal(a[i].pages, b[i].pages);
		assert_int_equal(a[i].attr, b[i].attr);
		assert_int_equal(a[i].type, b[i].type);
		assert_int_equal(a[i].allocated, b[i].allocated);
	}
}

/* A snapshot to prove that a failed operation changed nothing. */
struct snapshot {
	struct memmap_entry e[2 * CAP];
	size_t count;
	uint64_t key;
};

static void take(struct snapshot *s, const struct memmap *m)
{
	memcpy(s->e, m->entries, m->count * sizeof(s->e[0]));
	s->count = m->count;
	s->key = m->key;
}

static void expect_unchanged(const struct snapshot *s, const struct memmap *m)
{
	assert_int_equal(m->count, s->count);
	assert_int_equal(m->key, s->key);
	expect_same_entries(m->entries, s->e, s->count);
}

/* 1 GiB of RAM at 1 GiB with a hole, like a small VM with two banks. */
static void two_banks(struct memmap *m)
{
	assert_int_equal(memmap_add_ram(m, 1 * GIB, 512 * MIB / PAGE),
			 EFI_SUCCESS);
	assert_int_equal(memmap_add_ram(m, 2 * GIB, 512 * MIB / PAGE),
			 EFI_SUCCESS);
	check_invariants(m);
}

/* ---- the EFI headers ---------------------------------------------------- */

static void test_guid_layout(void **state)
{
	static const EFI_GUID li = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	static const uint8_t bytes[16] = {0xa1, 0x31, 0x1b, 0x5b, 0x62, 0x95,
					  0xd2, 0x11, 0x8e, 0x3f, 0x00, 0xa0,
					  0xc9, 0x69, 0x72, 0x3b};
	EFI_GUID rng = EFI_RNG_PROTOCOL_GUID;
	EFI_GUID li2 = li;

	(void)state;
	assert_memory_equal(&li, bytes, 16);
	assert_true(efi_guid_equal(&li, &li2));
	assert_false(efi_guid_equal(&li, &rng));
	li2.Data4[7] ^= 1;
	assert_false(efi_guid_equal(&li, &li2));
	assert_true(EFI_ERROR(EFI_NOT_FOUND));
	assert_false(EFI_ERROR(EFI_WARN_BUFFER_TOO_SMALL));
	assert_int_equal(EFI_BUFFER_TOO_SMALL, 0x8000000000000005ULL);
	assert_int_equal(MEMMAP_DESC_SIZE, 40);
}

/* ---- adding ranges ------------------------------------------------------ */

static void test_add_ram_and_reservations(void **state)
{
	struct memmap *m = map_of(state);

	two_banks(m);
	assert_int_equal(m->count, 2);
	expect_entry(m, 0, 1 * GIB, 512 * MIB / PAGE, EfiConventionalMemory,
		     MEMMAP_RAM_ATTR);

	/* A reservation inside a bank splits it in three. */
	assert_int_equal(memmap_add(m, 1 * GIB + 2 * MIB, 16,
				    EfiReservedMemoryType, MEMMAP_RAM_ATTR),
			 EFI_SUCCESS);
	check_invariants(m);
	assert_int_equal(m->count, 4);
	expect_entry(m, 0, 1 * GIB, 2 * MIB / PAGE, EfiConventionalMemory,
		     MEMMAP_RAM_ATTR);
	expect_entry(m, 1, 1 * GIB + 2 * MIB, 16, EfiReservedMemoryType,
		     MEMMAP_RAM_ATTR);
	assert_int_equal(total_pages(m), 1 * GIB / PAGE);

	/* At the base of a bank: no empty piece before it. */
	assert_int_equal(
		memmap_add(m, 2 * GIB, 1, EfiBootServicesData, MEMMAP_RAM_ATTR),
		EFI_SUCCESS);
	check_invariants(m);
	assert_int_equal(m->count, 5);
	assert_int_equal(total_pages(m), 1 * GIB / PAGE);

	/* Runtime code gets EFI_MEMORY_RUNTIME without asking. */
	assert_int_equal(memmap_add(m, 1 * GIB + 4 * MIB, 4,
				    EfiRuntimeServicesCode, MEMMAP_RAM_ATTR),
			 EFI_SUCCESS);
	assert_int_equal(entry_at(m, 1 * GIB + 4 * MIB)->attr,
			 MEMMAP_RAM_ATTR | EFI_MEMORY_RUNTIME);

	/* Outside RAM, e.g. a runtime MMIO window: fills the hole. */
	assert_int_equal(
		memmap_add(m, 0x09010000, 1, EfiMemoryMappedIO, EFI_MEMORY_UC),
		EFI_SUCCESS);
	check_invariants(m);
	expect_entry(m, 0, 0x09010000, 1, EfiMemoryMappedIO,
		     EFI_MEMORY_UC | EFI_MEMORY_RUNTIME);
	assert_false(m->entries[0].allocated);
}

static void test_add_merges_and_overwrites(void **state)
{
	struct memmap *m = map_of(state);

	/* Adjacent banks given separately become one entry. */
	assert_int_equal(memmap_add_ram(m, 1 * GIB, 256), EFI_SUCCESS);
	assert_int_equal(memmap_add_ram(m, 1 * GIB + 256 * PAGE, 256),
			 EFI_SUCCESS);
	assert_int_equal(memmap_add_ram(m, 1 * GIB - 16 * PAGE, 16),
			 EFI_SUCCESS);
	check_invariants(m);
	assert_int_equal(m->count, 1);
	expect_entry(m, 0, 1 * GIB - 16 * PAGE, 528, EfiConventionalMemory,
		     MEMMAP_RAM_ATTR);

	/* Overlapping RAM does not double count. */
	assert_int_equal(memmap_add_ram(m, 1 * GIB, 100), EFI_SUCCESS);
	assert_int_equal(total_pages(m), 528);

	/* A range covering reservations and holes replaces all of it. */
	assert_int_equal(
		memmap_add(m, 1 * GIB + 10 * PAGE, 2, EfiReservedMemoryType, 0),
		EFI_SUCCESS);
	assert_int_equal(memmap_add_ram(m, 4 * GIB, 8), EFI_SUCCESS);
	assert_int_equal(m->count, 4);
	assert_int_equal(memmap_add(m, 0, 8 * GIB / PAGE, EfiUnusableMemory, 0),
			 EFI_SUCCESS);
	check_invariants(m);
	assert_int_equal(m->count, 1);
	expect_entry(m, 0, 0, 8 * GIB / PAGE, EfiUnusableMemory, 0);
}

static void test_add_invalid(void **state)
{
	struct memmap *m = map_of(state);
	struct snapshot s;

	two_banks(m);
	take(&s, m);
	assert_int_equal(memmap_add_ram(m, 1 * GIB + 1, 1),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_add_ram(m, 1 * GIB, 0), EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_add_ram(m, UINT64_MAX - PAGE + 1, 1),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_add_ram(m, UINT64_MAX - 2 * PAGE + 1, 2),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_add_ram(m, 0, UINT64_MAX),
			 EFI_INVALID_PARAMETER);
	expect_unchanged(&s, m);

	/* The last page below 2^64 that can be described. */
	assert_int_equal(memmap_add_ram(m, UINT64_MAX - 2 * PAGE + 1, 1),
			 EFI_SUCCESS);
	check_invariants(m);
}

/* ---- AllocatePages ------------------------------------------------------ */

static void test_allocate_any_is_top_down(void **state)
{
	struct memmap *m = map_of(state);
	uint64_t a = 0, b = 0, top = 2 * GIB + 512 * MIB;

	two_banks(m);
	assert_int_equal(
		memmap_allocate(m, AllocateAnyPages, EfiLoaderData, 4, 0, &a),
		EFI_SUCCESS);
	assert_int_equal(a, top - 4 * PAGE);
	const struct memmap_entry *e = entry_at(m, a);
	assert_int_equal(e->type, EfiLoaderData);
	assert_true(e->allocated);
	/* Allocated pages keep the capabilities of the RAM. */
	assert_int_equal(e->attr, MEMMAP_RAM_ATTR);

	/* The next one goes right below and merges with the first. */
	assert_int_equal(
		memmap_allocate(m, AllocateAnyPages, EfiLoaderData, 2, 0, &b),
		EFI_SUCCESS);
	assert_int_equal(b, a - 2 * PAGE);
	check_invariants(m);
	assert_int_equal(m->count, 3);
	expect_entry(m, 2, b, 6, EfiLoaderData, MEMMAP_RAM_ATTR);
	assert_int_equal(total_pages(m), 1 * GIB / PAGE);

	/* Too big for the top bank: the lower one. */
	assert_int_equal(memmap_allocate(m, AllocateAnyPages, EfiLoaderData,
					 512 * MIB / PAGE, 0, &a),
			 EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB);
	assert_int_equal(memmap_allocate(m, AllocateAnyPages, EfiLoaderData,
					 512 * MIB / PAGE, 0, &a),
			 EFI_OUT_OF_RESOURCES);
	check_invariants(m);
}

static void test_allocate_max_address(void **state)
{
	struct memmap *m = map_of(state);
	uint64_t a;

	two_banks(m);
	/* The last byte may be the limit itself. */
	a = 1 * GIB + 256 * MIB - 1;
	assert_int_equal(memmap_allocate(m, AllocateMaxAddress,
					 EfiBootServicesData, 2, 0, &a),
			 EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB + 256 * MIB - 2 * PAGE);

	/* A limit in the middle of a page: that page cannot be used. */
	a = 1 * GIB + 128 * MIB + 100;
	assert_int_equal(memmap_allocate(m, AllocateMaxAddress,
					 EfiBootServicesData, 1, 0, &a),
			 EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB + 128 * MIB - PAGE);

	/* A limit in the hole: the top of the lower bank. */
	a = 2 * GIB - 1;
	assert_int_equal(memmap_allocate(m, AllocateMaxAddress,
					 EfiBootServicesData, 1, 0, &a),
			 EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB + 512 * MIB - PAGE);

	/* Below all RAM: nothing. */
	a = 1 * GIB + PAGE - 2;
	assert_int_equal(memmap_allocate(m, AllocateMaxAddress,
					 EfiBootServicesData, 1, 0, &a),
			 EFI_OUT_OF_RESOURCES);
	a = 1 * GIB + PAGE - 1;
	assert_int_equal(memmap_allocate(m, AllocateMaxAddress,
					 EfiBootServicesData, 1, 0, &a),
			 EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB);
	check_invariants(m);
}

static void test_allocate_address(void **state)
{
	struct memmap *m = map_of(state);
	struct snapshot s;
	uint64_t a;

	two_banks(m);
	a = 1 * GIB + 64 * PAGE;
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderCode, 8, 0, &a),
		EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB + 64 * PAGE);
	check_invariants(m);
	assert_int_equal(m->count, 4);

	take(&s, m);
	/* Overlapping the allocation, by one page at either end. */
	a = 1 * GIB + 57 * PAGE;
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderCode, 8, 0, &a),
		EFI_NOT_FOUND);
	a = 1 * GIB + 71 * PAGE;
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderCode, 8, 0, &a),
		EFI_NOT_FOUND);
	/* Running into the hole, or in it, or past 2^64. */
	a = 1 * GIB + 512 * MIB - PAGE;
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderCode, 2, 0, &a),
		EFI_NOT_FOUND);
	a = 1 * GIB + 768 * MIB;
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderCode, 1, 0, &a),
		EFI_NOT_FOUND);
	a = UINT64_MAX - PAGE + 1;
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderCode, 2, 0, &a),
		EFI_NOT_FOUND);
	/* Not page aligned, or not aligned as asked. */
	a = 1 * GIB + 200 * PAGE + 8;
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderCode, 1, 0, &a),
		EFI_NOT_FOUND);
	a = 1 * GIB + 200 * PAGE;
	assert_int_equal(memmap_allocate(m, AllocateAddress, EfiLoaderCode, 1,
					 64 * 1024, &a),
			 EFI_NOT_FOUND);
	expect_unchanged(&s, m);
	/* Reserved memory is not free either. */
	assert_int_equal(memmap_add(m, 2 * GIB + 64 * PAGE, 1,
				    EfiReservedMemoryType, MEMMAP_RAM_ATTR),
			 EFI_SUCCESS);
	take(&s, m);
	a = 2 * GIB + 60 * PAGE;
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderCode, 8, 0, &a),
		EFI_NOT_FOUND);
	expect_unchanged(&s, m);
}

static void test_allocate_spans_free_entries(void **state)
{
	struct memmap *m = map_of(state);
	uint64_t a = 1 * GIB + 8 * PAGE;

	/* Two adjacent free ranges that differ only in attributes. */
	assert_int_equal(memmap_add_ram(m, 1 * GIB, 16), EFI_SUCCESS);
	assert_int_equal(memmap_add(m, 1 * GIB + 16 * PAGE, 16,
				    EfiConventionalMemory,
				    MEMMAP_RAM_ATTR | EFI_MEMORY_NV),
			 EFI_SUCCESS);
	assert_int_equal(m->count, 2);
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderData, 16, 0, &a),
		EFI_SUCCESS);
	check_invariants(m);
	/* Each part keeps what its RAM can do. */
	assert_int_equal(entry_at(m, a)->attr, MEMMAP_RAM_ATTR);
	assert_int_equal(entry_at(m, a + 8 * PAGE)->attr,
			 MEMMAP_RAM_ATTR | EFI_MEMORY_NV);
	assert_int_equal(memmap_free(m, a, 16), EFI_SUCCESS);
	assert_int_equal(m->count, 2);

	/* The searches see the joined run as one as well. */
	assert_int_equal(memmap_count_slots(m, 32, 0, UINT64_MAX), 1);
	assert_int_equal(
		memmap_allocate(m, AllocateAnyPages, EfiLoaderData, 32, 0, &a),
		EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB);
	check_invariants(m);
}

static void test_allocate_invalid(void **state)
{
	struct memmap *m = map_of(state);
	static const uint32_t bad_types[] = {
		EfiConventionalMemory,
		EfiPersistentMemory,
		EfiUnacceptedMemoryType,
		EfiMaxMemoryType,
		0x6fffffff,
	};
	static const uint32_t good_types[] = {
		EfiReservedMemoryType,
		EfiLoaderCode,
		EfiACPIReclaimMemory,
		EfiPalCode,
		0x70000000,
		0x80000000,
		0xffffffff,
	};
	struct snapshot s;
	uint64_t a = 0;

	two_banks(m);
	take(&s, m);
	for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++)
		assert_int_equal(memmap_allocate(m, AllocateAnyPages,
						 bad_types[i], 1, 0, &a),
				 EFI_INVALID_PARAMETER);
	assert_int_equal(
		memmap_allocate(m, MaxAllocateType, EfiLoaderData, 1, 0, &a),
		EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_allocate(m, (EFI_ALLOCATE_TYPE)0xffffffffU,
					 EfiLoaderData, 1, 0, &a),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(
		memmap_allocate(m, AllocateAnyPages, EfiLoaderData, 0, 0, &a),
		EFI_INVALID_PARAMETER);
	assert_int_equal(
		memmap_allocate(m, AllocateAnyPages, EfiLoaderData, 1, 0, NULL),
		EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_allocate(m, AllocateAnyPages, EfiLoaderData, 1,
					 3 * PAGE, &a),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_allocate(m, AllocateAnyPages, EfiLoaderData,
					 UINT64_MAX, 0, &a),
			 EFI_OUT_OF_RESOURCES);
	expect_unchanged(&s, m);

	for (size_t i = 0; i < sizeof(good_types) / sizeof(good_types[0]);
	     i++) {
		assert_int_equal(memmap_allocate(m, AllocateAnyPages,
						 good_types[i], 1, 0, &a),
				 EFI_SUCCESS);
		assert_int_equal(entry_at(m, a)->type, good_types[i]);
	}
	check_invariants(m);
}

static void test_alignment(void **state)
{
	struct memmap *m = map_of(state);
	uint64_t a;

	/* A bank whose ends are not 2 MiB aligned. */
	assert_int_equal(memmap_add_ram(m, 1 * GIB + 3 * PAGE,
					(6 * MIB - 5 * PAGE) / PAGE),
			 EFI_SUCCESS);
	assert_int_equal(memmap_allocate(m, AllocateAnyPages, EfiLoaderCode, 16,
					 2 * MIB, &a),
			 EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB + 4 * MIB);
	assert_int_equal(memmap_allocate(m, AllocateAnyPages, EfiLoaderCode, 16,
					 2 * MIB, &a),
			 EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB + 2 * MIB);
	/* 1 GiB + 0 is below the bank: no third 2 MiB slot. */
	assert_int_equal(memmap_allocate(m, AllocateAnyPages, EfiLoaderCode, 16,
					 2 * MIB, &a),
			 EFI_OUT_OF_RESOURCES);
	/* Small alignments are page alignment. */
	assert_int_equal(
		memmap_allocate(m, AllocateAnyPages, EfiLoaderCode, 1, 16, &a),
		EFI_SUCCESS);
	assert_int_equal(a & EFI_PAGE_MASK, 0);
	/* 64 KiB, as the kernel image wants. */
	assert_int_equal(memmap_allocate(m, AllocateAnyPages, EfiLoaderCode, 3,
					 64 * 1024, &a),
			 EFI_SUCCESS);
	assert_int_equal(a & 0xffff, 0);
	/* Aligned and limited at once. */
	a = 1 * GIB + 1 * MIB - 1;
	assert_int_equal(memmap_allocate(m, AllocateMaxAddress, EfiLoaderCode,
					 1, 64 * 1024, &a),
			 EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB + 1 * MIB - 64 * 1024);
	check_invariants(m);
	/* An alignment larger than the address space holds nothing. */
	assert_int_equal(memmap_allocate(m, AllocateAnyPages, EfiLoaderCode, 1,
					 1ULL << 63, &a),
			 EFI_OUT_OF_RESOURCES);
}

static void test_high_addresses(void **state)
{
	struct memmap *m = map_of(state);
	uint64_t top = UINT64_MAX - PAGE + 1; /* the page we cannot describe */
	uint64_t a;

	assert_int_equal(memmap_add_ram(m, top - 16 * PAGE, 16), EFI_SUCCESS);
	assert_int_equal(
		memmap_allocate(m, AllocateAnyPages, EfiLoaderData, 4, 0, &a),
		EFI_SUCCESS);
	assert_int_equal(a, top - 4 * PAGE);
	a = UINT64_MAX;
	assert_int_equal(
		memmap_allocate(m, AllocateMaxAddress, EfiLoaderData, 4, 0, &a),
		EFI_SUCCESS);
	assert_int_equal(a, top - 8 * PAGE);
	assert_int_equal(memmap_count_slots(m, 1, 1ULL << 62, UINT64_MAX), 0);
	assert_int_equal(memmap_count_slots(m, 8, 0, UINT64_MAX), 1);
	assert_int_equal(memmap_free(m, top - 8 * PAGE, 8), EFI_SUCCESS);
	assert_int_equal(m->count, 1);
	check_invariants(m);
}

/* ---- FreePages ---------------------------------------------------------- */

static void test_free_subranges_and_coalescing(void **state)
{
	struct memmap *m = map_of(state);
	struct memmap_entry before[2];
	uint64_t a = 1 * GIB + 100 * PAGE;

	two_banks(m);
	memcpy(before, m->entries, sizeof(before));
	assert_int_equal(memmap_allocate(m, AllocateAddress,
					 EfiRuntimeServicesData, 16, 0, &a),
			 EFI_SUCCESS);
	assert_int_equal(entry_at(m, a)->attr,
			 MEMMAP_RAM_ATTR | EFI_MEMORY_RUNTIME);
	assert_int_equal(m->count, 4);

	/* The middle: the allocation splits around a free hole. */
	assert_int_equal(memmap_free(m, a + 4 * PAGE, 4), EFI_SUCCESS);
	check_invariants(m);
	assert_int_equal(m->count, 6);
	expect_entry(m, 1, a, 4, EfiRuntimeServicesData,
		     MEMMAP_RAM_ATTR | EFI_MEMORY_RUNTIME);
	expect_entry(m, 2, a + 4 * PAGE, 4, EfiConventionalMemory,
		     MEMMAP_RAM_ATTR);
	expect_entry(m, 3, a + 8 * PAGE, 8, EfiRuntimeServicesData,
		     MEMMAP_RAM_ATTR | EFI_MEMORY_RUNTIME);

	/* The first page: joins the free memory below. */
	assert_int_equal(memmap_free(m, a, 1), EFI_SUCCESS);
	check_invariants(m);
	expect_entry(m, 0, 1 * GIB, 101, EfiConventionalMemory,
		     MEMMAP_RAM_ATTR);

	/* The last page, then the rest: back to where we started. */
	assert_int_equal(memmap_free(m, a + 15 * PAGE, 1), EFI_SUCCESS);
	check_invariants(m);
	assert_int_equal(memmap_free(m, a + 1 * PAGE, 3), EFI_SUCCESS);
	assert_int_equal(memmap_free(m, a + 8 * PAGE, 7), EFI_SUCCESS);
	check_invariants(m);
	assert_int_equal(m->count, 2);
	expect_same_entries(m->entries, before, 2);
}

static void test_free_across_allocations(void **state)
{
	struct memmap *m = map_of(state);
	uint64_t a = 1 * GIB, b = 1 * GIB + 4 * PAGE;

	two_banks(m);
	/* Two allocations of one type side by side free as one range. */
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderData, 4, 0, &a),
		EFI_SUCCESS);
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderData, 4, 0, &b),
		EFI_SUCCESS);
	assert_int_equal(memmap_free(m, a + 2 * PAGE, 4), EFI_SUCCESS);
	check_invariants(m);
	assert_int_equal(pages_of_type(m, EfiLoaderData), 4);
}

/* memmap_free() answers as memmap_check_free() said it would. */
static void expect_free(struct memmap *m, uint64_t start, uint64_t pages,
			EFI_STATUS want)
{
	uint64_t key = memmap_key(m);

	assert_int_equal(memmap_check_free(m, start, pages), want);
	assert_int_equal(memmap_key(m), key);
	assert_int_equal(memmap_free(m, start, pages), want);
}

static void test_free_errors(void **state)
{
	struct memmap *m = map_of(state);
	struct snapshot s;
	uint64_t a = 1 * GIB + 16 * PAGE, b = 1 * GIB + 24 * PAGE;

	two_banks(m);
	assert_int_equal(
		memmap_add(m, 1 * GIB, 8, EfiBootServicesCode, MEMMAP_RAM_ATTR),
		EFI_SUCCESS);
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderData, 8, 0, &a),
		EFI_SUCCESS);
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderCode, 8, 0, &b),
		EFI_SUCCESS);
	take(&s, m);

	/* Free memory, a hole, memory the firmware added itself. */
	expect_free(m, 2 * GIB, 1, EFI_NOT_FOUND);
	expect_free(m, 1 * GIB + 768 * MIB, 1, EFI_NOT_FOUND);
	expect_free(m, 1 * GIB, 8, EFI_NOT_FOUND);
	/* Half allocated, half free; two types; past 2^64. */
	expect_free(m, a - 4 * PAGE, 8, EFI_NOT_FOUND);
	expect_free(m, b + 4 * PAGE, 8, EFI_NOT_FOUND);
	expect_free(m, a + 4 * PAGE, 8, EFI_NOT_FOUND);
	expect_free(m, a, UINT64_MAX / PAGE, EFI_NOT_FOUND);
	/* Not a page address; no pages. */
	expect_free(m, a + 1, 1, EFI_INVALID_PARAMETER);
	expect_free(m, a, 0, EFI_INVALID_PARAMETER);
	expect_unchanged(&s, m);

	/* Twice. */
	expect_free(m, a, 8, EFI_SUCCESS);
	expect_free(m, a, 8, EFI_NOT_FOUND);
	check_invariants(m);
}

/* ---- who owns an allocation --------------------------------------------- */

static void test_give(void **state)
{
	struct memmap *m = map_of(state);
	struct snapshot s;
	uint64_t a = 1 * GIB + 16 * PAGE, b = 1 * GIB + 24 * PAGE, c = b;
	EFI_MEMORY_DESCRIPTOR buf[8];
	UINTN size = sizeof(buf), key;

	two_banks(m);
	assert_int_equal(
		memmap_add(m, 1 * GIB, 8, EfiBootServicesData, MEMMAP_RAM_ATTR),
		EFI_SUCCESS);
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderData, 8, 0, &a),
		EFI_SUCCESS);
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderData, 8, 0, &b),
		EFI_SUCCESS);
	/* Two allocations of one type: one entry, the firmware's. */
	assert_int_equal(m->count, 5);
	assert_false(entry_at(m, a)->client);
	take(&s, m);

	/* Free memory, reserved memory, a hole, half free, bad ranges. */
	assert_int_equal(memmap_give(m, 2 * GIB, 1), EFI_NOT_FOUND);
	assert_int_equal(memmap_give(m, 1 * GIB, 8), EFI_NOT_FOUND);
	assert_int_equal(memmap_give(m, 1 * GIB + 768 * MIB, 1), EFI_NOT_FOUND);
	assert_int_equal(memmap_give(m, b + 4 * PAGE, 8), EFI_NOT_FOUND);
	assert_int_equal(memmap_give(m, a + 1, 1), EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_give(m, a, 0), EFI_INVALID_PARAMETER);
	expect_unchanged(&s, m);

	/* The second allocation becomes the client's: its own entry, the
	 * same type and attributes, and one descriptor for the client. */
	assert_int_equal(memmap_give(m, b, 8), EFI_SUCCESS);
	check_invariants(m);
	assert_int_equal(m->count, 6);
	assert_false(entry_at(m, a)->client);
	assert_true(entry_at(m, b)->client);
	assert_int_equal(entry_at(m, b)->type, EfiLoaderData);
	assert_true(entry_at(m, b)->allocated);
	assert_int_equal(memmap_get(m, &size, buf, &key, NULL, NULL),
			 EFI_SUCCESS);
	assert_int_equal(buf[2].PhysicalStart, a);
	assert_int_equal(buf[2].NumberOfPages, 16);

	/* Freed, the pages are nobody's; allocated again, the firmware's. */
	assert_int_equal(memmap_free(m, b, 8), EFI_SUCCESS);
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderData, 8, 0, &c),
		EFI_SUCCESS);
	assert_int_equal(c, b);
	assert_false(entry_at(m, b)->client);
	check_invariants(m);
}

/* ---- map key, GetMemoryMap ---------------------------------------------- */

static void test_map_key(void **state)
{
	struct memmap *m = map_of(state);
	uint64_t k = memmap_key(m), a = 0;
	UINTN size = 0, key = 0;

	assert_int_not_equal(k, 0);
	assert_int_equal(memmap_add_ram(m, 1 * GIB, 64), EFI_SUCCESS);
	assert_int_not_equal(memmap_key(m), k);
	k = memmap_key(m);
	assert_int_equal(
		memmap_allocate(m, AllocateAnyPages, EfiLoaderData, 1, 0, &a),
		EFI_SUCCESS);
	assert_int_not_equal(memmap_key(m), k);
	k = memmap_key(m);
	assert_int_equal(memmap_set_attributes(m, a, 1, EFI_MEMORY_XP, 0),
			 EFI_SUCCESS);
	assert_int_not_equal(memmap_key(m), k);
	k = memmap_key(m);
	assert_int_equal(memmap_free(m, a, 1), EFI_SUCCESS);
	assert_int_not_equal(memmap_key(m), k);
	k = memmap_key(m);

	/* Failures and reads leave it alone. */
	assert_int_equal(memmap_free(m, a, 1), EFI_NOT_FOUND);
	assert_int_equal(
		memmap_allocate(m, AllocateAnyPages, EfiLoaderData, 65, 0, &a),
		EFI_OUT_OF_RESOURCES);
	assert_int_equal(memmap_get(m, &size, NULL, &key, NULL, NULL),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(memmap_key(m), k);
}

static void test_get_memory_map(void **state)
{
	struct memmap *m = map_of(state);
	EFI_MEMORY_DESCRIPTOR buf[16];
	UINTN size = 0, key = 0, dsize = 0;
	UINT32 dver = 0;
	uint64_t a = 1 * GIB + 8 * PAGE;

	two_banks(m);
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderData, 8, 0, &a),
		EFI_SUCCESS);
	assert_int_equal(m->count, 4);

	assert_int_equal(memmap_get(m, NULL, buf, &key, &dsize, &dver),
			 EFI_INVALID_PARAMETER);
	/* Too small: the size with slack, and the stride, already now. */
	assert_int_equal(memmap_get(m, &size, NULL, &key, &dsize, &dver),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, (4 + MEMMAP_GETMAP_SLACK) * 40);
	assert_int_equal(dsize, 40);
	assert_int_equal(dver, 1);
	assert_int_equal(key, 0);
	size = 4 * 40 - 1;
	assert_int_equal(memmap_get(m, &size, buf, &key, &dsize, &dver),
			 EFI_BUFFER_TOO_SMALL);
	/* Big enough but no buffer. */
	size = sizeof(buf);
	assert_int_equal(memmap_get(m, &size, NULL, &key, &dsize, &dver),
			 EFI_INVALID_PARAMETER);

	/* Exactly big enough; NULL for the outputs a caller skips. */
	size = 4 * 40;
	assert_int_equal(memmap_get(m, &size, buf, NULL, NULL, NULL),
			 EFI_SUCCESS);
	size = sizeof(buf);
	assert_int_equal(memmap_get(m, &size, buf, &key, &dsize, &dver),
			 EFI_SUCCESS);
	assert_int_equal(size, 4 * 40);
	assert_int_equal(key, memmap_key(m));
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(buf[i].Type, m->entries[i].type);
		assert_int_equal(buf[i].PhysicalStart, m->entries[i].start);
		assert_int_equal(buf[i].VirtualStart, 0);
		assert_int_equal(buf[i].NumberOfPages, m->entries[i].pages);
		assert_int_equal(buf[i].Attribute, m->entries[i].attr);
	}
	assert_int_equal(buf[1].Type, EfiLoaderData);
	assert_int_equal(buf[1].PhysicalStart, a);
}

static void test_get_memory_map_merges_for_client(void **state)
{
	struct memmap *m = map_of(state);
	EFI_MEMORY_DESCRIPTOR buf[8];
	UINTN size = sizeof(buf), key;
	uint64_t a = 1 * GIB + 8 * PAGE;

	/*
	 * A reservation and an allocation of the same type, side by side:
	 * two entries inside (only one can be freed), one for the client.
	 */
	assert_int_equal(memmap_add_ram(m, 1 * GIB, 64), EFI_SUCCESS);
	assert_int_equal(
		memmap_add(m, 1 * GIB, 8, EfiBootServicesData, MEMMAP_RAM_ATTR),
		EFI_SUCCESS);
	assert_int_equal(memmap_allocate(m, AllocateAddress,
					 EfiBootServicesData, 8, 0, &a),
			 EFI_SUCCESS);
	assert_int_equal(m->count, 3);
	assert_int_equal(memmap_get(m, &size, buf, &key, NULL, NULL),
			 EFI_SUCCESS);
	assert_int_equal(size, 2 * 40);
	assert_int_equal(buf[0].PhysicalStart, 1 * GIB);
	assert_int_equal(buf[0].NumberOfPages, 16);
	assert_int_equal(buf[1].NumberOfPages, 48);
}

/*
 * What Linux's stub does: ask for the size, allocate a pool buffer of that
 * size (which changes the map), ask again. The slack must cover the change,
 * even for an allocation that splits a free range in the middle.
 */
static void test_get_memory_map_slack(void **state)
{
	struct memmap *m = map_of(state);
	EFI_MEMORY_DESCRIPTOR *buf;
	UINTN size = 0, key;
	uint64_t a;

	two_banks(m);
	for (int i = 0; i < 2; i++) {
		size = 0;
		assert_int_equal(memmap_get(m, &size, NULL, NULL, NULL, NULL),
				 EFI_BUFFER_TOO_SMALL);
		/* Two allocations in the middle of free memory. */
		a = 1 * GIB + (64 + 4 * i) * PAGE;
		assert_int_equal(memmap_allocate(m, AllocateAddress,
						 EfiLoaderData, 1, 0, &a),
				 EFI_SUCCESS);
		a = 2 * GIB + (64 + 4 * i) * PAGE;
		assert_int_equal(memmap_allocate(m, AllocateAddress,
						 EfiLoaderData, 1, 0, &a),
				 EFI_SUCCESS);
		buf = test_malloc(size);
		assert_int_equal(memmap_get(m, &size, buf, &key, NULL, NULL),
				 EFI_SUCCESS);
		assert_int_equal(size, m->count * 40);
		test_free(buf);
	}
}

/* ---- capacity ----------------------------------------------------------- */

static void test_out_of_resources(void **state)
{
	struct fixture *f = *state;
	struct memmap *m = &f->map;
	struct snapshot s;
	uint64_t a;

	memmap_init(m, f->storage, 4);
	assert_int_equal(memmap_add_ram(m, 1 * GIB, 64), EFI_SUCCESS);
	a = 1 * GIB + 8 * PAGE;
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderData, 8, 0, &a),
		EFI_SUCCESS);
	assert_int_equal(m->count, 3);
	take(&s, m);

	/* Would need five entries: refused, and nothing changed. */
	a = 1 * GIB + 32 * PAGE;
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderCode, 1, 0, &a),
		EFI_OUT_OF_RESOURCES);
	expect_unchanged(&s, m);
	assert_int_equal(memmap_free(m, 1 * GIB + 10 * PAGE, 1),
			 EFI_OUT_OF_RESOURCES);
	expect_unchanged(&s, m);
	assert_int_equal(memmap_set_attributes(m, 1 * GIB + 10 * PAGE, 1,
					       EFI_MEMORY_XP, 0),
			 EFI_OUT_OF_RESOURCES);
	expect_unchanged(&s, m);
	assert_int_equal(
		memmap_add(m, 1 * GIB + 40 * PAGE, 1, EfiReservedMemoryType, 0),
		EFI_OUT_OF_RESOURCES);
	expect_unchanged(&s, m);

	/* Four exactly is fine, and then changes that merge still work. */
	a = 1 * GIB + 63 * PAGE;
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderCode, 1, 0, &a),
		EFI_SUCCESS);
	assert_int_equal(m->count, 4);
	/*
	 * Top down from the free range right below the last allocation:
	 * one more page of the same type merges with it.
	 */
	assert_int_equal(
		memmap_allocate(m, AllocateAnyPages, EfiLoaderCode, 1, 0, &a),
		EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB + 62 * PAGE);
	assert_int_equal(m->count, 4);
	assert_int_equal(memmap_free(m, 1 * GIB + 8 * PAGE, 8), EFI_SUCCESS);
	assert_int_equal(memmap_free(m, 1 * GIB + 62 * PAGE, 2), EFI_SUCCESS);
	assert_int_equal(m->count, 1);
	check_invariants(m);
	assert_int_equal(total_pages(m), 64);
}

/* ---- attributes --------------------------------------------------------- */

static void test_set_and_get_attributes(void **state)
{
	struct memmap *m = map_of(state);
	uint64_t a = 1 * GIB + 16 * PAGE, attr = 0;

	assert_int_equal(memmap_add_ram(m, 1 * GIB, 64), EFI_SUCCESS);
	assert_int_equal(
		memmap_allocate(m, AllocateAddress, EfiLoaderCode, 16, 0, &a),
		EFI_SUCCESS);
	/* Text read-only, data non-executable, as an image loader would. */
	assert_int_equal(memmap_set_attributes(m, a, 4, EFI_MEMORY_RO, 0),
			 EFI_SUCCESS);
	assert_int_equal(
		memmap_set_attributes(m, a + 4 * PAGE, 12, EFI_MEMORY_XP, 0),
		EFI_SUCCESS);
	check_invariants(m);
	assert_int_equal(m->count, 4);
	expect_entry(m, 1, a, 4, EfiLoaderCode,
		     MEMMAP_RAM_ATTR | EFI_MEMORY_RO);
	expect_entry(m, 2, a + 4 * PAGE, 12, EfiLoaderCode,
		     MEMMAP_RAM_ATTR | EFI_MEMORY_XP);
	assert_true(m->entries[1].allocated && m->entries[2].allocated);

	assert_int_equal(
		memmap_get_attributes(m, a, 4, EFI_MEMORY_ACCESS_MASK, &attr),
		EFI_SUCCESS);
	assert_int_equal(attr, EFI_MEMORY_RO);
	assert_int_equal(
		memmap_get_attributes(m, a, 5, EFI_MEMORY_ACCESS_MASK, &attr),
		EFI_NO_MAPPING);
	/* Differences outside the mask do not matter. */
	assert_int_equal(
		memmap_get_attributes(m, a - PAGE, 5, EFI_MEMORY_WB, &attr),
		EFI_SUCCESS);
	assert_int_equal(attr, EFI_MEMORY_WB);
	assert_int_equal(memmap_get_attributes(m, a, 100, EFI_MEMORY_WB, &attr),
			 EFI_NOT_FOUND);
	assert_int_equal(memmap_get_attributes(m, a, 1, EFI_MEMORY_WB, NULL),
			 EFI_INVALID_PARAMETER);

	/* Clearing merges the pieces again. */
	assert_int_equal(memmap_set_attributes(m, a, 16, 0,
					       EFI_MEMORY_RO | EFI_MEMORY_XP),
			 EFI_SUCCESS);
	check_invariants(m);
	assert_int_equal(m->count, 3);

	/* Across entries of different types: each keeps its type. */
	assert_int_equal(
		memmap_set_attributes(m, 1 * GIB, 64, EFI_MEMORY_XP, 0),
		EFI_SUCCESS);
	assert_int_equal(m->count, 3);
	assert_int_equal(entry_at(m, a)->type, EfiLoaderCode);
	assert_int_equal(entry_at(m, 1 * GIB)->attr,
			 MEMMAP_RAM_ATTR | EFI_MEMORY_XP);

	/* Freeing drops the protections. */
	assert_int_equal(memmap_free(m, a, 16), EFI_SUCCESS);
	assert_int_equal(entry_at(m, a)->attr, MEMMAP_RAM_ATTR);
}

static void test_set_attributes_errors(void **state)
{
	struct memmap *m = map_of(state);
	struct snapshot s;

	two_banks(m);
	take(&s, m);
	assert_int_equal(memmap_set_attributes(m, 1 * GIB + 512 * MIB - PAGE, 2,
					       EFI_MEMORY_XP, 0),
			 EFI_NOT_FOUND);
	assert_int_equal(
		memmap_set_attributes(m, 1 * GIB, 1, EFI_MEMORY_RUNTIME, 0),
		EFI_INVALID_PARAMETER);
	assert_int_equal(
		memmap_set_attributes(m, 1 * GIB, 1, 0, EFI_MEMORY_RUNTIME),
		EFI_INVALID_PARAMETER);
	assert_int_equal(
		memmap_set_attributes(m, 1 * GIB + 8, 1, EFI_MEMORY_XP, 0),
		EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_set_attributes(m, 1 * GIB, 0, EFI_MEMORY_XP, 0),
			 EFI_INVALID_PARAMETER);
	expect_unchanged(&s, m);
}

/* ---- lookup and randomized placement ------------------------------------ */

static void test_lookup(void **state)
{
	struct memmap *m = map_of(state);

	two_banks(m);
	assert_null(memmap_lookup(m, 0));
	assert_null(memmap_lookup(m, 1 * GIB - 1));
	assert_ptr_equal(memmap_lookup(m, 1 * GIB), &m->entries[0]);
	assert_ptr_equal(memmap_lookup(m, 1 * GIB + 512 * MIB - 1),
			 &m->entries[0]);
	assert_null(memmap_lookup(m, 1 * GIB + 512 * MIB));
	assert_ptr_equal(memmap_lookup(m, 2 * GIB + 12345), &m->entries[1]);
	assert_null(memmap_lookup(m, UINT64_MAX));
}

static void test_slots(void **state)
{
	struct memmap *m = map_of(state);
	uint64_t a = 0;

	/* 1 MiB at 1 GiB and 192 KiB at 2 GiB + 32 KiB. */
	assert_int_equal(memmap_add_ram(m, 1 * GIB, 256), EFI_SUCCESS);
	assert_int_equal(memmap_add_ram(m, 2 * GIB + 32 * 1024, 48),
			 EFI_SUCCESS);

	/*
	 * 64 KiB slots of 64 KiB: 16 in the first bank, 2 in the second
	 * (2G+64K and 2G+128K; 2G+192K would end past the bank).
	 */
	assert_int_equal(memmap_count_slots(m, 16, 64 * 1024, UINT64_MAX), 18);
	assert_int_equal(
		memmap_slot_address(m, 16, 64 * 1024, UINT64_MAX, 0, &a),
		EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB);
	assert_int_equal(
		memmap_slot_address(m, 16, 64 * 1024, UINT64_MAX, 15, &a),
		EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB + 15 * 64 * 1024);
	assert_int_equal(
		memmap_slot_address(m, 16, 64 * 1024, UINT64_MAX, 17, &a),
		EFI_SUCCESS);
	assert_int_equal(a, 2 * GIB + 128 * 1024);
	assert_int_equal(
		memmap_slot_address(m, 16, 64 * 1024, UINT64_MAX, 18, &a),
		EFI_NOT_FOUND);
	/* Limited to the first bank; page-granular slots. */
	assert_int_equal(memmap_count_slots(m, 16, 64 * 1024, 2 * GIB), 16);
	assert_int_equal(memmap_count_slots(m, 1, 0, UINT64_MAX), 256 + 48);
	assert_int_equal(memmap_count_slots(m, 0, 0, UINT64_MAX), 0);
	assert_int_equal(memmap_count_slots(m, 1, 3 * PAGE, UINT64_MAX), 0);
	assert_int_equal(memmap_count_slots(m, 257, 0, UINT64_MAX), 0);

	/* Random 0 picks the first slot, all ones the last, half the middle. */
	assert_int_equal(memmap_allocate_random(m, EfiLoaderCode, 16, 64 * 1024,
						UINT64_MAX, 0, &a),
			 EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB);
	assert_int_equal(memmap_allocate_random(m, EfiLoaderCode, 16, 64 * 1024,
						UINT64_MAX, UINT64_MAX, &a),
			 EFI_SUCCESS);
	assert_int_equal(a, 2 * GIB + 128 * 1024);
	/* 16 slots left: 15 in the first bank, one in the second. */
	assert_int_equal(memmap_count_slots(m, 16, 64 * 1024, UINT64_MAX), 16);
	assert_int_equal(memmap_allocate_random(m, EfiLoaderCode, 16, 64 * 1024,
						UINT64_MAX, 1ULL << 63, &a),
			 EFI_SUCCESS);
	assert_int_equal(a, 1 * GIB + 9 * 64 * 1024);
	check_invariants(m);

	assert_int_equal(memmap_allocate_random(m, EfiLoaderCode, 512, 0,
						UINT64_MAX, 0, &a),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(memmap_allocate_random(m, EfiConventionalMemory, 1, 0,
						UINT64_MAX, 0, &a),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(memmap_slot_address(m, 1, 0, UINT64_MAX, 0, NULL),
			 EFI_INVALID_PARAMETER);
}

/* Every slot is reachable and the choice is close to uniform. */
static void test_random_spread(void **state)
{
	struct memmap *m = map_of(state);
	unsigned int hits[8] = {0};
	uint64_t a, x = 0x9e3779b97f4a7c15ULL;

	assert_int_equal(memmap_add_ram(m, 1 * GIB, 8), EFI_SUCCESS);
	for (int i = 0; i < 8000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		assert_int_equal(memmap_allocate_random(m, EfiLoaderData, 1, 0,
							UINT64_MAX, x, &a),
				 EFI_SUCCESS);
		hits[(a - 1 * GIB) / PAGE]++;
		assert_int_equal(memmap_free(m, a, 1), EFI_SUCCESS);
	}
	for (int i = 0; i < 8; i++)
		assert_in_range(hits[i], 850, 1150);
}

/*
 * With more than 2^32 slots the random choice needs all 128 bits of the
 * product: a ~47 TiB RAM range (pure bookkeeping, nothing is touched), its
 * page count with both 32-bit halves non-zero so that every partial product
 * and carry matters.
 */
static void test_random_many_slots(void **state)
{
	struct memmap *m = map_of(state);
	static const uint64_t randoms[] = {1, 0xffffffffULL,
					   0x123456789abcdef0ULL,
					   0xfedcba9876543210ULL, UINT64_MAX};
	uint64_t base = 1ULL << 46, slots = 0x2f0f0f0f1ULL, a;

	assert_int_equal(memmap_add_ram(m, base, slots), EFI_SUCCESS);
	assert_int_equal(memmap_count_slots(m, 1, 0, UINT64_MAX), slots);
	for (size_t i = 0; i < sizeof(randoms) / sizeof(randoms[0]); i++) {
		unsigned __int128 p = (unsigned __int128)slots * randoms[i];
		uint64_t want = base + (uint64_t)(p >> 64) * PAGE;

		assert_int_equal(memmap_allocate_random(m, EfiLoaderData, 1, 0,
							UINT64_MAX, randoms[i],
							&a),
				 EFI_SUCCESS);
		assert_int_equal(a, want);
		assert_int_equal(memmap_free(m, a, 1), EFI_SUCCESS);
	}
	/* 64 KiB slots whose last byte is at most base + 2 MiB + 64 KiB - 1. */
	assert_int_equal(memmap_count_slots(m, 16, 64 * 1024,
					    base + 2 * MIB + 64 * 1024 - 1),
			 33);
}

/* ---- randomized stress against a page model ----------------------------- */

#define M_BASE (1 * GIB)
#define M_PAGES 1024

struct mpage {
	bool present;
	bool allocated;
	uint32_t type;
	uint64_t attr;
};

struct model {
	struct mpage p[M_PAGES];
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64: deterministic, good enough for choosing operations */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

static uint64_t m_addr(uint64_t page)
{
	return M_BASE + page * PAGE;
}

static bool m_free(const struct model *md, uint64_t first, uint64_t n)
{
	if (first + n > M_PAGES)
		return false;
	for (uint64_t i = first; i < first + n; i++) {
		const struct mpage *p = &md->p[i];

		if (!p->present || p->allocated ||
		    p->type != EfiConventionalMemory)
			return false;
	}
	return true;
}

static uint64_t m_rt(uint32_t type)
{
	return is_runtime_type(type) ? EFI_MEMORY_RUNTIME : 0;
}

static void m_claim(struct model *md, uint64_t first, uint64_t n, uint32_t type)
{
	for (uint64_t i = first; i < first + n; i++) {
		md->p[i].type = type;
		md->p[i].allocated = true;
		md->p[i].attr =
			(md->p[i].attr & ~EFI_MEMORY_RUNTIME) | m_rt(type);
	}
}

static size_t m_runs(const struct model *md)
{
	size_t n = 0;

	for (size_t i = 0; i < M_PAGES; i++) {
		const struct mpage *p = &md->p[i];
		const struct mpage *q = i ? &md->p[i - 1] : NULL;

		if (!p->present)
			continue;
		if (!q || !q->present || q->type != p->type ||
		    q->attr != p->attr || q->allocated != p->allocated)
			n++;
	}
	return n;
}

/* The map, expanded to pages, equals the model; nothing outside it. */
static void m_compare(const struct memmap *m, const struct model *md)
{
	struct model got;

	memset(&got, 0, sizeof(got));
	check_invariants(m);
	for (size_t i = 0; i < m->count; i++) {
		const struct memmap_entry *e = &m->entries[i];

		assert_true(e->start >= M_BASE);
		assert_true(end_of(e) <= m_addr(M_PAGES));
		for (uint64_t a = e->start; a < end_of(e); a += PAGE) {
			struct mpage *p = &got.p[(a - M_BASE) / PAGE];

			p->present = true;
			p->allocated = e->allocated;
			p->type = e->type;
			p->attr = e->attr;
		}
	}
	for (size_t i = 0; i < M_PAGES; i++) {
		assert_int_equal(got.p[i].present, md->p[i].present);
		if (!md->p[i].present)
			continue;
		assert_int_equal(got.p[i].type, md->p[i].type);
		assert_int_equal(got.p[i].attr, md->p[i].attr);
		assert_int_equal(got.p[i].allocated, md->p[i].allocated);
	}
	assert_int_equal(m->count, m_runs(md));
}

static const uint32_t stress_types[] = {
	EfiLoaderData,		EfiLoaderCode,
	EfiBootServicesData,	EfiRuntimeServicesData,
	EfiRuntimeServicesCode, EfiACPIReclaimMemory,
	EfiReservedMemoryType,	0x80000001,
};

static uint64_t stress_align(void)
{
	static const uint64_t aligns[] = {0, PAGE, 4 * PAGE, 16 * PAGE,
					  64 * PAGE};

	return aligns[rnd_below(5)];
}

/* Highest aligned start whose pages are free and last byte <= max. */
static bool m_highest(const struct model *md, uint64_t n, uint64_t align,
		      uint64_t max, uint64_t *first)
{
	uint64_t step = align < PAGE ? 1 : align / PAGE;

	for (int64_t i = M_PAGES - 1; i >= 0; i--) {
		if (i % step || m_addr(i + n) - 1 > max)
			continue;
		if (m_free(md, i, n)) {
			*first = i;
			return true;
		}
	}
	return false;
}

static uint64_t m_count_slots(const struct model *md, uint64_t n,
			      uint64_t align, uint64_t max, uint64_t index,
			      uint64_t *at)
{
	uint64_t step = align < PAGE ? 1 : align / PAGE, count = 0;

	for (uint64_t i = 0; i < M_PAGES; i += step) {
		if (m_addr(i + n) - 1 > max || !m_free(md, i, n))
			continue;
		if (count++ == index)
			*at = m_addr(i);
	}
	return count;
}

/*
 * Apply `next` to the real map through `op`'s status: if the model says the
 * result fits, the op must succeed and the model becomes `next`; if not, it
 * must fail with EFI_OUT_OF_RESOURCES and nothing may change.
 */
static void expect_commit(struct memmap *m, struct model *md,
			  const struct model *next, EFI_STATUS status,
			  uint64_t key_before)
{
	if (m_runs(next) > m->capacity) {
		assert_int_equal(status, EFI_OUT_OF_RESOURCES);
		assert_int_equal(m->key, key_before);
		return;
	}
	assert_int_equal(status, EFI_SUCCESS);
	assert_int_not_equal(m->key, key_before);
	*md = *next;
}

static void stress_allocate(struct memmap *m, struct model *md)
{
	static struct model next;
	uint32_t type = stress_types[rnd_below(8)];
	uint64_t n = rnd_below(8) ? 1 + rnd_below(16) : 1 + rnd_below(300);
	uint64_t align = stress_align(), key = m->key, first = 0, max, addr;
	/* Mostly AnyPages, as real loaders do. */
	EFI_ALLOCATE_TYPE how =
		(EFI_ALLOCATE_TYPE)(rnd_below(4) / 2 ? rnd_below(3)
						     : AllocateAnyPages);
	bool found;
	EFI_STATUS status;

	if (how == AllocateAddress) {
		first = rnd_below(M_PAGES + 8);
		if (rnd_below(2) && align > PAGE)
			first &= ~(align / PAGE - 1);
		addr = m_addr(first);
		found = (align <= PAGE || addr % align == 0) &&
			m_free(md, first, n);
	} else {
		max = how == AllocateAnyPages ? UINT64_MAX
					      : m_addr(rnd_below(M_PAGES + 8)) +
							rnd_below(PAGE);
		addr = max;
		found = m_highest(md, n, align, max, &first);
	}
	status = memmap_allocate(m, how, type, n, align, &addr);
	if (!found) {
		assert_int_equal(status, how == AllocateAddress
						 ? EFI_NOT_FOUND
						 : EFI_OUT_OF_RESOURCES);
		assert_int_equal(m->key, key);
		return;
	}
	next = *md;
	m_claim(&next, first, n, type);
	expect_commit(m, md, &next, status, key);
	if (status == EFI_SUCCESS)
		assert_int_equal(addr, m_addr(first));
}

static bool m_freeable(const struct model *md, uint64_t first, uint64_t n)
{
	if (first + n > M_PAGES)
		return false;
	for (uint64_t i = first; i < first + n; i++)
		if (!md->p[i].present || !md->p[i].allocated ||
		    md->p[i].type != md->p[first].type)
			return false;
	return true;
}

/* An allocated entry if there is one after a random start, else that one. */
static const struct memmap_entry *pick_allocated(const struct memmap *m)
{
	size_t i = rnd_below(m->count);

	for (size_t j = i; j < m->count; j++)
		if (m->entries[j].allocated)
			return &m->entries[j];
	return &m->entries[i];
}

static void stress_free(struct memmap *m, struct model *md)
{
	static struct model next;
	uint64_t first, n, key = m->key;
	EFI_STATUS status;

	if (m->count && rnd_below(4)) {
		/* Mostly an allocation (or else any entry), whole or part. */
		const struct memmap_entry *e = pick_allocated(m);
		uint64_t off = rnd_below(2) ? 0 : rnd_below(e->pages);

		first = (e->start - M_BASE) / PAGE + off;
		n = off ? 1 + rnd_below(e->pages - off) : e->pages;
	} else {
		first = rnd_below(M_PAGES);
		n = 1 + rnd_below(64);
	}
	status = memmap_free(m, m_addr(first), n);
	if (!m_freeable(md, first, n)) {
		assert_int_equal(status, EFI_NOT_FOUND);
		assert_int_equal(m->key, key);
		return;
	}
	next = *md;
	for (uint64_t i = first; i < first + n; i++) {
		next.p[i].type = EfiConventionalMemory;
		next.p[i].allocated = false;
		next.p[i].attr &=
			~(EFI_MEMORY_RUNTIME | EFI_MEMORY_ACCESS_MASK);
	}
	expect_commit(m, md, &next, status, key);
}

static uint64_t random_access_bits(void)
{
	static const uint64_t bits[] = {EFI_MEMORY_RO, EFI_MEMORY_XP,
					EFI_MEMORY_RP};
	uint64_t v = 0;

	for (int i = 0; i < 3; i++)
		if (rnd_below(2))
			v |= bits[i];
	return v;
}

static void stress_attributes(struct memmap *m, struct model *md)
{
	static struct model next;
	uint64_t first = rnd_below(M_PAGES), n = 1 + rnd_below(48);
	uint64_t set = random_access_bits(), clear = random_access_bits();
	uint64_t key = m->key, got = 0;
	bool covered;
	EFI_STATUS status;

	if (m->count && rnd_below(2)) {
		/* Like an image loader: part of an entry, often allocated. */
		const struct memmap_entry *e = &m->entries[rnd_below(m->count)];
		uint64_t off = rnd_below(e->pages);

		first = (e->start - M_BASE) / PAGE + off;
		n = 1 + rnd_below(e->pages - off);
	} else if (rnd_below(2)) {
		/* Clean up: drop the protections on a larger range. */
		n = 1 + rnd_below(256);
		set = 0;
		clear = EFI_MEMORY_ACCESS_MASK;
	}
	covered = first + n <= M_PAGES;
	for (uint64_t i = first; covered && i < first + n; i++)
		covered = md->p[i].present;

	if (rnd_below(2)) {
		/* GetMemoryAttributes against the model. */
		uint64_t and = ~0ULL, or = 0;

		status = memmap_get_attributes(m, m_addr(first), n,
					       EFI_MEMORY_ACCESS_MASK, &got);
		if (!covered) {
			assert_int_equal(status, EFI_NOT_FOUND);
			return;
		}
		for (uint64_t i = first; i < first + n; i++) {
			and &= md->p[i].attr;
			or |= md->p[i].attr;
		}
		if ((and^ or) & EFI_MEMORY_ACCESS_MASK) {
			assert_int_equal(status, EFI_NO_MAPPING);
		} else {
			assert_int_equal(status, EFI_SUCCESS);
			assert_int_equal(got, and&EFI_MEMORY_ACCESS_MASK);
		}
		return;
	}

	status = memmap_set_attributes(m, m_addr(first), n, set, clear);
	if (!covered) {
		assert_int_equal(status, EFI_NOT_FOUND);
		assert_int_equal(m->key, key);
		return;
	}
	next = *md;
	for (uint64_t i = first; i < first + n; i++)
		next.p[i].attr = (next.p[i].attr & ~clear) | set;
	expect_commit(m, md, &next, status, key);
}

static void stress_add(struct memmap *m, struct model *md)
{
	static struct model next;
	static const uint32_t types[] = {
		EfiConventionalMemory, EfiReservedMemoryType,
		EfiBootServicesData, EfiRuntimeServicesCode};
	uint64_t first = rnd_below(M_PAGES), n, key = m->key;
	/*
	 * Half RAM, which also repairs earlier reservations: a reservation
	 * can never be freed, and they would fill the map for good.
	 */
	uint32_t type =
		rnd_below(2) ? types[rnd_below(4)] : EfiConventionalMemory;
	EFI_STATUS status;

	n = 1 + rnd_below(M_PAGES - first < 16 ? M_PAGES - first : 16);
	status = memmap_add(m, m_addr(first), n, type, MEMMAP_RAM_ATTR);
	next = *md;
	for (uint64_t i = first; i < first + n; i++) {
		next.p[i].present = true;
		next.p[i].allocated = false;
		next.p[i].type = type;
		next.p[i].attr = MEMMAP_RAM_ATTR | m_rt(type);
	}
	expect_commit(m, md, &next, status, key);
}

static void stress_slots(struct memmap *m, const struct model *md)
{
	uint64_t n = 1 + rnd_below(20), align = stress_align();
	uint64_t max = rnd_below(4) ? UINT64_MAX
				    : m_addr(rnd_below(M_PAGES)) + PAGE - 1;
	uint64_t at = 0, want = 0, count, index;

	count = m_count_slots(md, n, align, max, UINT64_MAX, &at);
	assert_int_equal(memmap_count_slots(m, n, align, max), count);
	index = rnd_below(count + 2);
	m_count_slots(md, n, align, max, index, &want);
	if (index < count) {
		assert_int_equal(
			memmap_slot_address(m, n, align, max, index, &at),
			EFI_SUCCESS);
		assert_int_equal(at, want);
	} else {
		assert_int_equal(
			memmap_slot_address(m, n, align, max, index, &at),
			EFI_NOT_FOUND);
	}
}

/* GetMemoryMap's descriptors tile exactly what the entries describe. */
static void stress_get_map(const struct memmap *m)
{
	static EFI_MEMORY_DESCRIPTOR buf[M_PAGES];
	UINTN size = sizeof(buf), key;
	size_t j = 0;

	assert_int_equal(memmap_get(m, &size, buf, &key, NULL, NULL),
			 EFI_SUCCESS);
	assert_int_equal(key, m->key);
	assert_int_equal(size % 40, 0);
	for (size_t i = 0; i < size / 40; i++) {
		uint64_t end =
			buf[i].PhysicalStart + buf[i].NumberOfPages * PAGE;

		if (i > 0) {
			const EFI_MEMORY_DESCRIPTOR *p = &buf[i - 1];

			/* Neighbours that look alike would be merged. */
			assert_false(p->PhysicalStart +
						     p->NumberOfPages * PAGE ==
					     buf[i].PhysicalStart &&
				     p->Type == buf[i].Type &&
				     p->Attribute == buf[i].Attribute);
		}
		for (uint64_t a = buf[i].PhysicalStart; a < end;
		     a = end_of(&m->entries[j++])) {
			assert_true(j < m->count);
			assert_int_equal(m->entries[j].start, a);
			assert_int_equal(m->entries[j].type, buf[i].Type);
			assert_int_equal(m->entries[j].attr, buf[i].Attribute);
		}
		assert_int_equal(end_of(&m->entries[j - 1]), end);
	}
	assert_int_equal(j, m->count);
}

static void stress(struct memmap *m, uint64_t seed, int steps)
{
	static struct model md;
	uint64_t total_present;

	rng_state = seed;
	memset(&md, 0, sizeof(md));
	/* Three banks with holes between them, and a reservation. */
	assert_int_equal(memmap_add_ram(m, m_addr(0), 300), EFI_SUCCESS);
	assert_int_equal(memmap_add_ram(m, m_addr(320), 500), EFI_SUCCESS);
	assert_int_equal(memmap_add_ram(m, m_addr(840), 184), EFI_SUCCESS);
	assert_int_equal(memmap_add(m, m_addr(400), 8, EfiReservedMemoryType,
				    MEMMAP_RAM_ATTR),
			 EFI_SUCCESS);
	for (uint64_t i = 0; i < M_PAGES; i++) {
		bool ram = i < 300 || (i >= 320 && i < 820) || i >= 840;

		md.p[i].present = ram;
		md.p[i].type = (i >= 400 && i < 408) ? EfiReservedMemoryType
						     : EfiConventionalMemory;
		md.p[i].attr = MEMMAP_RAM_ATTR;
	}
	m_compare(m, &md);
	total_present = total_pages(m);

	for (int step = 0; step < steps; step++) {
		/*
		 * Alternate phases that fill and drain the map, so that it
		 * spends time both far from and at its capacity.
		 */
		uint64_t op = rnd_below(100), grow = (step / 400) % 2 ? 15 : 50;

		if (op < grow)
			stress_allocate(m, &md);
		else if (op < 70)
			stress_free(m, &md);
		else if (op < 85)
			stress_attributes(m, &md);
		else if (op < 86)
			stress_add(m, &md);
		else if (op < 95)
			stress_slots(m, &md);
		else
			stress_get_map(m);
		m_compare(m, &md);
		/* Nothing lost: only adds may grow the described pages. */
		assert_true(total_pages(m) >= total_present);
		total_present = total_pages(m);
	}
}

/* Room for every page to be its own entry: never out of resources. */
static void test_stress_roomy(void **state)
{
	struct memmap_entry *storage =
		test_calloc(2 * M_PAGES, sizeof(*storage));
	struct memmap m;

	(void)state;
	memmap_init(&m, storage, M_PAGES);
	stress(&m, 7, 20000);
	test_free(storage);
}

/* The firmware's capacity: often full under this much churn. */
static void test_stress(void **state)
{
	stress(map_of(state), 0x6d6d756f6e, 20000);
}

/* A tiny map, so that running out of entries happens all the time. */
static void test_stress_small_capacity(void **state)
{
	struct fixture *f = *state;

	memmap_init(&f->map, f->storage, 10);
	stress(&f->map, 42, 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_guid_layout),
		T(test_add_ram_and_reservations),
		T(test_add_merges_and_overwrites),
		T(test_add_invalid),
		T(test_allocate_any_is_top_down),
		T(test_allocate_max_address),
		T(test_allocate_address),
		T(test_allocate_spans_free_entries),
		T(test_allocate_invalid),
		T(test_alignment),
		T(test_high_addresses),
		T(test_free_subranges_and_coalescing),
		T(test_free_across_allocations),
		T(test_free_errors),
		T(test_give),
		T(test_map_key),
		T(test_get_memory_map),
		T(test_get_memory_map_merges_for_client),
		T(test_get_memory_map_slack),
		T(test_out_of_resources),
		T(test_set_and_get_attributes),
		T(test_set_attributes_errors),
		T(test_lookup),
		T(test_slots),
		T(test_random_spread),
		T(test_random_many_slots),
		T(test_stress_roomy),
		T(test_stress),
		T(test_stress_small_capacity),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
