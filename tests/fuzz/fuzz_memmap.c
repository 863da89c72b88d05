// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the memory map and page allocator
 * (src/efi/memmap.c).
 *
 * The input is a program: byte 0 picks the map's capacity (1-64 entries,
 * so that "map full" happens), then operations follow, each an opcode byte
 * and its arguments (see run_op(); tests/fuzz/gen_seeds.py writes seeds).
 * Addresses come mostly from a small window, from the edges of existing
 * entries and from the top of the 64-bit space, where the overflows live.
 *
 * After every operation:
 *  - the map is well formed: entries page aligned, non-empty, sorted,
 *    disjoint, merged (no two touching identical neighbours), within 2^64,
 *    runtime types carry EFI_MEMORY_RUNTIME, allocations are allocatable
 *    types;
 *  - it is exactly what a reference model predicts: the old map with the
 *    operation applied piece by piece and merged (the model also predicts
 *    the status, map-full included, and where AllocateAnyPages,
 *    AllocateMaxAddress and the random allocator must place the pages,
 *    computing slots in 128-bit arithmetic);
 *  - a failed operation changed nothing, a successful one bumped the key;
 *  - allocate and free kept the total of described pages; what was
 *    allocated was free conventional memory just before;
 *  - GetMemoryMap's output (buffer of exactly the size it asked for)
 *    matches the entries, merged where only `allocated` or `client`
 *    differs.
 * Violations abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/memmap.h>

#include "check.h"

#define MAX_OPS 200
#define PAGE EFI_PAGE_SIZE
#define TOP ((unsigned __int128)1 << 64)

typedef unsigned __int128 u128;

/* ---- input ------------------------------------------------------------- */

struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static uint64_t un(struct input *in, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)u8(in) << (8 * i);
	return v;
}

static uint64_t entry_end(const struct memmap_entry *e)
{
	return e->start + (e->pages << EFI_PAGE_SHIFT);
}

/* An address: mostly somewhere interesting, sometimes anything. */
static uint64_t in_addr(struct input *in, const struct memmap *map)
{
	uint8_t mode = u8(in);
	const struct memmap_entry *e;

	switch (mode & 7) {
	case 0:
	case 1:
	case 2: /* a page of a 4 MiB window */
		return (un(in, 2) & 0x3ff) * PAGE;
	case 3: /* near an edge of an entry */
		if (!map->count)
			return 0;
		e = &map->entries[u8(in) % map->count];
		return (mode & 8 ? entry_end(e) : e->start) +
		       (uint64_t)(int64_t)(int8_t)u8(in) * PAGE;
	case 4: /* the last pages below 2^64 */
		return 0 - (uint64_t)(u8(in) + 1) * PAGE;
	case 5:
		return un(in, 8);
	case 6: /* unaligned, in the window */
		return un(in, 3) & 0x3fffff;
	default: /* powers of two: 4 GiB, 2^48, ... */
		return 1ULL << (u8(in) & 63);
	}
}

static uint64_t in_pages(struct input *in)
{
	uint8_t mode = u8(in);

	switch (mode & 3) {
	case 0:
	case 1:
		return 1 + (mode >> 2 & 15);
	case 2:
		return un(in, 2);
	default:
		return un(in, 8);
	}
}

/* 0, a power of two up to 2^62, or (rarely) anything. */
static uint64_t in_align(struct input *in)
{
	uint8_t a = u8(in);

	if (a & 0x80)
		return un(in, 8);
	return a & 0x3f ? 1ULL << ((a & 0x3f) - 1) : 0;
}

static EFI_MEMORY_TYPE in_type(struct input *in)
{
	static const EFI_MEMORY_TYPE types[] = {
		EfiLoaderCode,
		EfiLoaderData,
		EfiBootServicesCode,
		EfiBootServicesData,
		EfiRuntimeServicesCode,
		EfiRuntimeServicesData,
		EfiConventionalMemory,
		EfiReservedMemoryType,
		EfiMemoryMappedIO,
		EfiMemoryMappedIOPortSpace,
		EfiACPIReclaimMemory,
		EfiPersistentMemory,
		EfiUnacceptedMemoryType,
		EfiMaxMemoryType,
		0x70000000,
		0x80000000,
	};
	uint8_t t = u8(in);

	if (t & 0x80)
		return (EFI_MEMORY_TYPE)un(in, 4);
	return types[t & 15];
}

static uint64_t in_attr(struct input *in)
{
	static const uint64_t bits[] = {
		EFI_MEMORY_UC, EFI_MEMORY_WC, EFI_MEMORY_WT, EFI_MEMORY_WB,
		EFI_MEMORY_RP, EFI_MEMORY_XP, EFI_MEMORY_RO, EFI_MEMORY_RUNTIME,
	};
	uint8_t b = u8(in);
	uint64_t attr = 0;

	if (b == 0xff)
		return un(in, 8);
	for (int i = 0; i < 8; i++)
		if (b & (1u << i))
			attr |= bits[i];
	return attr;
}

/* ---- the reference model ------------------------------------------------ */

/* A copy of the entries, the model's state before an operation. */
struct snap {
	struct memmap_entry *e;
	size_t n;
	uint64_t key;
};

static struct snap snapshot(const struct memmap *map)
{
	struct snap s = {malloc((map->count + 1) * sizeof(*s.e)), map->count,
			 map->key};

	memcpy(s.e, map->entries, map->count * sizeof(*s.e));
	return s;
}

static u128 end128(const struct memmap_entry *e)
{
	return (u128)e->start + ((u128)e->pages << EFI_PAGE_SHIFT);
}

static int same_kind(const struct memmap_entry *a, const struct memmap_entry *b)
{
	return a->type == b->type && a->attr == b->attr &&
	       a->allocated == b->allocated && a->client == b->client;
}

/* The entry holding addr, by linear search; NULL in a hole. */
static const struct memmap_entry *ref_find(const struct snap *s, u128 addr)
{
	for (size_t i = 0; i < s->n; i++)
		if (addr >= s->e[i].start && addr < end128(&s->e[i]))
			return &s->e[i];
	return NULL;
}

/* What a change does to each page of [lo, hi): see struct change there. */
struct xform {
	u128 lo, hi;
	int fill, retype, allocated, client;
	EFI_MEMORY_TYPE type;
	uint64_t clear, set;
};

static void push(struct memmap_entry *out, size_t *n, u128 start, u128 end,
		 const struct memmap_entry *kind)
{
	struct memmap_entry *last = *n ? &out[*n - 1] : NULL;

	if (last && end128(last) == start && same_kind(last, kind)) {
		last->pages += (uint64_t)((end - start) >> EFI_PAGE_SHIFT);
		return;
	}
	out[*n] = *kind;
	out[*n].start = (uint64_t)start;
	out[*n].pages = (uint64_t)((end - start) >> EFI_PAGE_SHIFT);
	(*n)++;
}

static int cmp_u128(const void *a, const void *b)
{
	u128 x = *(const u128 *)a, y = *(const u128 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The map after the change, built the slow way: cut everything at every
 * boundary, decide each piece on its own, merge at the end.
 */
static size_t ref_apply(const struct snap *s, const struct xform *x,
			struct memmap_entry *out)
{
	u128 *cut = malloc((2 * s->n + 2) * sizeof(*cut));
	size_t ncut = 0, n = 0;

	for (size_t i = 0; i < s->n; i++) {
		cut[ncut++] = s->e[i].start;
		cut[ncut++] = end128(&s->e[i]);
	}
	cut[ncut++] = x->lo;
	cut[ncut++] = x->hi;
	qsort(cut, ncut, sizeof(*cut), cmp_u128);
	for (size_t i = 0, j = 0; i + 1 < ncut; i++) {
		u128 a = cut[i], b = cut[i + 1];
		const struct memmap_entry *old = NULL;
		struct memmap_entry e = {0};
		int inside = a >= x->lo && a < x->hi;

		while (j < s->n && end128(&s->e[j]) <= a)
			j++;
		if (j < s->n && s->e[j].start <= a)
			old = &s->e[j];
		if (a == b || (!old && !(inside && x->fill)))
			continue;
		if (old)
			e = *old;
		if (inside) {
			if (x->retype) {
				e.type = x->type;
				e.allocated = x->allocated;
				e.client = x->client;
			}
			e.attr = (e.attr & ~x->clear) | x->set;
		}
		push(out, &n, a, b, &e);
	}
	free(cut);
	return n;
}

/* What one look at [lo, hi) of the old map says (memmap.c's scan()). */
struct ref_range {
	int covered, free, allocated, one_type;
	uint64_t attr_and, attr_or;
};

static struct ref_range ref_scan(const struct snap *s, u128 lo, u128 hi)
{
	struct ref_range r = {1, 1, 1, 1, ~0ULL, 0};
	const struct memmap_entry *first = NULL;
	u128 cursor = lo;

	for (size_t i = 0; i < s->n; i++) {
		const struct memmap_entry *e = &s->e[i];

		if (end128(e) <= lo || e->start >= hi)
			continue;
		if (e->start > cursor)
			r.covered = 0;
		cursor = end128(e);
		if (e->type != EfiConventionalMemory || e->allocated)
			r.free = 0;
		if (!e->allocated)
			r.allocated = 0;
		if (first && first->type != e->type)
			r.one_type = 0;
		if (!first)
			first = e;
		r.attr_and &= e->attr;
		r.attr_or |= e->attr;
	}
	if (cursor < hi)
		r.covered = 0;
	return r;
}

static uint64_t runtime_attr(EFI_MEMORY_TYPE t)
{
	return t == EfiRuntimeServicesCode || t == EfiRuntimeServicesData ||
			       t == EfiMemoryMappedIO ||
			       t == EfiMemoryMappedIOPortSpace
		       ? EFI_MEMORY_RUNTIME
		       : 0;
}

static int allocatable(EFI_MEMORY_TYPE t)
{
	if (t >= 0x70000000)
		return 1;
	return t < EfiMaxMemoryType && t != EfiConventionalMemory &&
	       t != EfiPersistentMemory && t != EfiUnacceptedMemoryType;
}

/* UEFI's page range: aligned, not empty, last byte below 2^64. */
static int ref_range_ok(uint64_t start, uint64_t pages, u128 *end)
{
	*end = (u128)start + ((u128)pages << EFI_PAGE_SHIFT);
	return !(start & (PAGE - 1)) && pages && *end <= TOP - 1;
}

/*
 * Slots for `pages` pages aligned to `align` with the last byte <= max in
 * every maximal run of free memory, ascending. Returns the count; *nth is
 * the index-th slot (if that many), *last the highest.
 */
static u128 ref_slots(const struct snap *s, uint64_t pages, uint64_t align,
		      uint64_t max, u128 index, uint64_t *nth, uint64_t *last)
{
	u128 size = (u128)pages << EFI_PAGE_SHIFT, count = 0;

	for (size_t i = 0; i < s->n;) {
		u128 lo, hi, top, first, fin;
		const struct memmap_entry *e = &s->e[i];

		if (e->type != EfiConventionalMemory || e->allocated) {
			i++;
			continue;
		}
		lo = e->start;
		hi = end128(e);
		for (i++; i < s->n && s->e[i].start == hi &&
			  s->e[i].type == EfiConventionalMemory &&
			  !s->e[i].allocated;
		     i++)
			hi = end128(&s->e[i]);
		top = hi - 1 < max ? hi - 1 : max;
		first = (lo + align - 1) / align * align;
		if (top + 1 < size || top + 1 - size < first)
			continue;
		fin = (top + 1 - size) / align * align;
		if (index >= count && index - count <= (fin - first) / align)
			*nth = (uint64_t)(first + (index - count) * align);
		count += (fin - first) / align + 1;
		*last = (uint64_t)fin;
	}
	return count;
}

/* ---- checks ------------------------------------------------------------- */

static uint64_t total_pages(const struct memmap_entry *e, size_t n)
{
	uint64_t t = 0;

	for (size_t i = 0; i < n; i++)
		t += e[i].pages;
	return t;
}

static void check_well_formed(const struct memmap *map)
{
	CHECK(map->count <= map->capacity);
	for (size_t i = 0; i < map->count; i++) {
		const struct memmap_entry *e = &map->entries[i];

		CHECK(e->pages != 0);
		CHECK(!(e->start & (PAGE - 1)));
		CHECK(end128(e) <= TOP - PAGE);
		CHECK(!e->allocated || allocatable(e->type));
		CHECK(!e->client || e->allocated);
		CHECK(!runtime_attr(e->type) || (e->attr & EFI_MEMORY_RUNTIME));
		if (!i)
			continue;
		CHECK(end128(e - 1) <= e->start);
		CHECK(end128(e - 1) != e->start || !same_kind(e - 1, e));
	}
}

static void check_lookup(const struct memmap *map, const struct snap *s,
			 uint64_t addr)
{
	const struct memmap_entry *got = memmap_lookup(map, addr);
	const struct memmap_entry *want = ref_find(s, addr);

	if (!want)
		CHECK(!got);
	else
		CHECK(got && got->start == want->start &&
		      got->pages == want->pages);
}

/* GetMemoryMap as a client uses it: ask the size, then fetch. */
static void check_get(const struct memmap *map)
{
	EFI_MEMORY_DESCRIPTOR *buf, *want;
	UINTN size = 0, key = 0, dsize = 0, n, nwant = 0;
	UINT32 version = 0;
	EFI_STATUS st;

	st = memmap_get(map, &size, NULL, &key, &dsize, &version);
	CHECK(dsize == MEMMAP_DESC_SIZE && version == 1);
	if (!map->count) {
		CHECK(st == EFI_INVALID_PARAMETER);
		return;
	}
	CHECK(st == EFI_BUFFER_TOO_SMALL);
	CHECK(size % MEMMAP_DESC_SIZE == 0);
	n = size / MEMMAP_DESC_SIZE - MEMMAP_GETMAP_SLACK;
	CHECK(n >= 1 && n <= map->count);

	/* The entries, merged where only `allocated` or `client` differs. */
	want = calloc(map->count, sizeof(*want));
	for (size_t i = 0; i < map->count; i++) {
		const struct memmap_entry *e = &map->entries[i];
		EFI_MEMORY_DESCRIPTOR *d = nwant ? &want[nwant - 1] : NULL;

		if (d && d->Type == e->type && d->Attribute == e->attr &&
		    d->PhysicalStart + (d->NumberOfPages << EFI_PAGE_SHIFT) ==
			    e->start) {
			d->NumberOfPages += e->pages;
			continue;
		}
		want[nwant++] = (EFI_MEMORY_DESCRIPTOR){
			.Type = e->type,
			.PhysicalStart = e->start,
			.NumberOfPages = e->pages,
			.Attribute = e->attr,
		};
	}
	CHECK(n == nwant);

	size = n * MEMMAP_DESC_SIZE - 1;
	buf = malloc(n * MEMMAP_DESC_SIZE);
	CHECK(memmap_get(map, &size, buf, &key, NULL, NULL) ==
	      EFI_BUFFER_TOO_SMALL);
	size = n * MEMMAP_DESC_SIZE;
	CHECK(memmap_get(map, &size, buf, &key, &dsize, &version) ==
	      EFI_SUCCESS);
	CHECK(size == n * MEMMAP_DESC_SIZE && key == map->key);
	for (size_t i = 0; i < n; i++) {
		const EFI_MEMORY_DESCRIPTOR *d = &buf[i], *w = &want[i];

		CHECK(d->Type == w->Type &&
		      d->PhysicalStart == w->PhysicalStart &&
		      d->VirtualStart == 0 &&
		      d->NumberOfPages == w->NumberOfPages &&
		      d->Attribute == w->Attribute);
	}
	free(buf);
	free(want);
}

/*
 * The map after a call: if the model says the change fits, it must have
 * happened, exactly; else the call must have failed with "map full".
 * Returns the status the model predicts.
 */
static EFI_STATUS expect_change(const struct memmap *map, const struct snap *s,
				const struct xform *x, EFI_STATUS st)
{
	struct memmap_entry *out = malloc((2 * s->n + 4) * sizeof(*out));
	size_t n = ref_apply(s, x, out);
	EFI_STATUS want =
		n > map->capacity ? EFI_OUT_OF_RESOURCES : EFI_SUCCESS;

	CHECK(st == want);
	if (want == EFI_SUCCESS) {
		CHECK(map->count == n);
		for (size_t i = 0; i < n; i++) {
			const struct memmap_entry *a = &map->entries[i];

			CHECK(a->start == out[i].start &&
			      a->pages == out[i].pages &&
			      same_kind(a, &out[i]));
		}
	}
	free(out);
	return want;
}

static void check_unchanged(const struct memmap *map, const struct snap *s)
{
	CHECK(map->key == s->key && map->count == s->n);
	CHECK(!memcmp(map->entries, s->e, s->n * sizeof(*s->e)));
}

/* ---- operations --------------------------------------------------------- */

static EFI_STATUS op_add(struct memmap *map, const struct snap *s,
			 struct input *in, int ram)
{
	uint64_t start = in_addr(in, map), pages = in_pages(in);
	EFI_MEMORY_TYPE type = ram ? EfiConventionalMemory : in_type(in);
	uint64_t attr = ram ? MEMMAP_RAM_ATTR : in_attr(in);
	EFI_STATUS st = ram ? memmap_add_ram(map, start, pages)
			    : memmap_add(map, start, pages, type, attr);
	struct xform x = {.fill = 1,
			  .retype = 1,
			  .type = type,
			  .clear = ~0ULL,
			  .set = attr | runtime_attr(type)};

	if (!ref_range_ok(start, pages, &x.hi)) {
		CHECK(st == EFI_INVALID_PARAMETER);
		return st;
	}
	x.lo = start;
	return expect_change(map, s, &x, st);
}

static struct xform claim_of(uint64_t start, uint64_t pages,
			     EFI_MEMORY_TYPE type)
{
	return (struct xform){
		.lo = start,
		.hi = (u128)start + ((u128)pages << EFI_PAGE_SHIFT),
		.retype = 1,
		.allocated = 1,
		.type = type,
		.clear = EFI_MEMORY_RUNTIME,
		.set = runtime_attr(type),
	};
}

/* A successful allocation took free conventional memory, as asked. */
static void check_allocated(const struct snap *s, uint64_t addr, uint64_t pages,
			    uint64_t align)
{
	u128 end = (u128)addr + ((u128)pages << EFI_PAGE_SHIFT);
	struct ref_range r = ref_scan(s, addr, end);

	CHECK(r.covered && r.free);
	CHECK(addr % align == 0);
}

static int align_ok(uint64_t *align)
{
	if (*align < PAGE)
		*align = PAGE;
	return !(*align & (*align - 1));
}

static EFI_STATUS op_allocate(struct memmap *map, const struct snap *s,
			      struct input *in, EFI_ALLOCATE_TYPE how)
{
	EFI_MEMORY_TYPE type = in_type(in);
	uint64_t pages = in_pages(in), align = in_align(in);
	uint64_t addr = how == AllocateAnyPages ? 0 : in_addr(in, map);
	uint64_t req = addr, slot = 0, nth = 0, a = align;
	EFI_STATUS st = memmap_allocate(map, how, type, pages, align, &addr);
	struct xform x;
	u128 end;

	if (!pages || !allocatable(type) || !align_ok(&a) ||
	    (uint32_t)how > AllocateAddress) {
		CHECK(st == EFI_INVALID_PARAMETER);
		return st;
	}
	if (how == AllocateAddress) {
		if (req % a || !ref_range_ok(req, pages, &end) ||
		    !ref_scan(s, req, end).covered ||
		    !ref_scan(s, req, end).free) {
			CHECK(st == EFI_NOT_FOUND);
			return st;
		}
		slot = req;
	} else if (pages > UINT64_MAX >> EFI_PAGE_SHIFT ||
		   !ref_slots(s, pages, a,
			      how == AllocateAnyPages ? UINT64_MAX : req, 0,
			      &nth, &slot)) {
		CHECK(st == EFI_OUT_OF_RESOURCES);
		return st;
	}
	x = claim_of(slot, pages, type);
	if (expect_change(map, s, &x, st) != EFI_SUCCESS)
		return st;
	CHECK(addr == slot);
	check_allocated(s, addr, pages, a);
	return st;
}

static uint64_t mul_high(uint64_t a, uint64_t b)
{
	return (uint64_t)(((u128)a * b) >> 64);
}

static EFI_STATUS op_random(struct memmap *map, const struct snap *s,
			    struct input *in)
{
	EFI_MEMORY_TYPE type = in_type(in);
	uint64_t pages = in_pages(in), align = in_align(in);
	uint64_t max = u8(in) & 1 ? UINT64_MAX : in_addr(in, map);
	uint64_t rnd = un(in, 8), addr = 0, a = align, nth = 0, last = 0;
	uint64_t count = memmap_count_slots(map, pages, align, max);
	EFI_STATUS st = memmap_allocate_random(map, type, pages, align, max,
					       rnd, &addr);
	struct xform x;
	u128 slots;

	if (!pages || !allocatable(type) || !align_ok(&a)) {
		CHECK(st == EFI_INVALID_PARAMETER);
		return st;
	}
	slots = pages > UINT64_MAX >> EFI_PAGE_SHIFT
			? 0
			: ref_slots(s, pages, a, max, 0, &nth, &last);
	CHECK(slots < TOP && count == slots);
	if (!slots) {
		CHECK(st == EFI_OUT_OF_RESOURCES);
		return st;
	}
	ref_slots(s, pages, a, max, mul_high((uint64_t)slots, rnd), &nth,
		  &last);
	x = claim_of(nth, pages, type);
	if (expect_change(map, s, &x, st) != EFI_SUCCESS)
		return st;
	CHECK(addr == nth);
	CHECK((u128)addr + ((u128)pages << EFI_PAGE_SHIFT) - 1 <= max);
	check_allocated(s, addr, pages, a);
	return st;
}

static EFI_STATUS op_free(struct memmap *map, const struct snap *s,
			  struct input *in)
{
	uint64_t start = in_addr(in, map), pages = in_pages(in);
	EFI_STATUS checked = memmap_check_free(map, start, pages);
	EFI_STATUS st = memmap_free(map, start, pages);
	struct xform x = {.lo = start,
			  .retype = 1,
			  .type = EfiConventionalMemory,
			  .clear = EFI_MEMORY_RUNTIME | EFI_MEMORY_ACCESS_MASK};
	struct ref_range r;

	if ((start & (PAGE - 1)) || !pages) {
		CHECK(st == EFI_INVALID_PARAMETER && checked == st);
		return st;
	}
	if (!ref_range_ok(start, pages, &x.hi)) {
		CHECK(st == EFI_NOT_FOUND && checked == st);
		return st;
	}
	r = ref_scan(s, x.lo, x.hi);
	if (!r.covered || !r.allocated || !r.one_type) {
		CHECK(st == EFI_NOT_FOUND && checked == st);
		return st;
	}
	/* Only a full map can fail a free that was checked. */
	CHECK(checked == EFI_SUCCESS);
	return expect_change(map, s, &x, st);
}

static EFI_STATUS op_set_attr(struct memmap *map, const struct snap *s,
			      struct input *in)
{
	uint64_t start = in_addr(in, map), pages = in_pages(in);
	uint64_t set = in_attr(in), clear = in_attr(in);
	EFI_STATUS st = memmap_set_attributes(map, start, pages, set, clear);
	struct xform x = {.lo = start, .clear = clear, .set = set};

	if (!ref_range_ok(start, pages, &x.hi) ||
	    ((set | clear) & EFI_MEMORY_RUNTIME)) {
		CHECK(st == EFI_INVALID_PARAMETER);
		return st;
	}
	if (!ref_scan(s, x.lo, x.hi).covered) {
		CHECK(st == EFI_NOT_FOUND);
		return st;
	}
	return expect_change(map, s, &x, st);
}

/* An allocation becomes the client's: one type, every page allocated. */
static EFI_STATUS op_give(struct memmap *map, const struct snap *s,
			  struct input *in)
{
	uint64_t start = in_addr(in, map), pages = in_pages(in);
	EFI_STATUS st = memmap_give(map, start, pages);
	struct xform x = {
		.lo = start, .retype = 1, .allocated = 1, .client = 1};
	struct ref_range r;

	if (!ref_range_ok(start, pages, &x.hi)) {
		CHECK(st == EFI_INVALID_PARAMETER);
		return st;
	}
	r = ref_scan(s, x.lo, x.hi);
	if (!r.covered || !r.allocated || !r.one_type) {
		CHECK(st == EFI_NOT_FOUND);
		return st;
	}
	x.type = ref_find(s, start)->type;
	return expect_change(map, s, &x, st);
}

/* Read-only calls: the answers must match the model; nothing changes. */
static void op_query(struct memmap *map, const struct snap *s, struct input *in)
{
	uint64_t start = in_addr(in, map), pages = in_pages(in);
	uint64_t mask = in_attr(in), attr = 0, align = in_align(in);
	uint64_t a = align, index = un(in, 2), got = 0, nth = 1, last = 0;
	EFI_STATUS st = memmap_get_attributes(map, start, pages, mask, &attr);
	struct ref_range r;
	u128 end, slots;

	check_lookup(map, s, start);
	check_lookup(map, s, start - 1);
	if (!ref_range_ok(start, pages, &end)) {
		CHECK(st == EFI_INVALID_PARAMETER);
	} else {
		r = ref_scan(s, start, end);
		if (!r.covered)
			CHECK(st == EFI_NOT_FOUND);
		else if ((r.attr_and ^ r.attr_or) & mask)
			CHECK(st == EFI_NO_MAPPING);
		else
			CHECK(st == EFI_SUCCESS && attr == (r.attr_and & mask));
	}

	/* The slot arithmetic behind the random allocator. */
	if (!pages || pages > UINT64_MAX >> EFI_PAGE_SHIFT || !align_ok(&a)) {
		CHECK(memmap_count_slots(map, pages, align, start) == 0);
		CHECK(memmap_slot_address(map, pages, align, start, index,
					  &got) == EFI_INVALID_PARAMETER);
		return;
	}
	slots = ref_slots(s, pages, a, start, index, &nth, &last);
	CHECK(memmap_count_slots(map, pages, align, start) == slots);
	st = memmap_slot_address(map, pages, align, start, index, &got);
	if (index < slots)
		CHECK(st == EFI_SUCCESS && got == nth);
	else
		CHECK(st == EFI_NOT_FOUND);
}

static EFI_STATUS run_op(struct memmap *map, const struct snap *s,
			 struct input *in)
{
	uint8_t op = u8(in);
	uint64_t addr = 0;

	switch (op % 10) {
	case 0:
		return op_add(map, s, in, 1);
	case 1:
		return op_add(map, s, in, 0);
	case 2:
		return op_allocate(map, s, in, AllocateAnyPages);
	case 3:
		return op_allocate(map, s, in, AllocateMaxAddress);
	case 4:
		return op_allocate(map, s, in, AllocateAddress);
	case 5:
		return op_random(map, s, in);
	case 6:
	case 7:
		return op_free(map, s, in);
	case 8:
		return op_set_attr(map, s, in);
	default:
		if (op & 0x80) { /* a bad AllocateType, or no addr */
			uint32_t how = (uint32_t)un(in, 4);

			if (how <= AllocateAddress && !(op & 0x40))
				how += MaxAllocateType;
			CHECK(memmap_allocate(map, (EFI_ALLOCATE_TYPE)how,
					      EfiLoaderData, 1, 0,
					      op & 0x40 ? NULL : &addr) ==
			      EFI_INVALID_PARAMETER);
			return EFI_INVALID_PARAMETER;
		}
		if (op & 0x40)
			return op_give(map, s, in);
		op_query(map, s, in);
		return EFI_INVALID_PARAMETER; /* "nothing changed" */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct input in = {data, n};
	size_t capacity = 1 + u8(&in) % 64;
	struct memmap_entry *storage = malloc(2 * capacity * sizeof(*storage));
	struct memmap map;
	static int trace = -1;

	/* FUZZ_TRACE=1: say what each operation did (to read a crash). */
	if (trace < 0)
		trace = getenv("FUZZ_TRACE") != NULL;
	memmap_init(&map, storage, capacity);
	check_get(&map);
	for (int i = 0; i < MAX_OPS && in.n; i++) {
		uint8_t op = in.p[0] % 10;
		struct snap s = snapshot(&map);
		uint64_t before = total_pages(s.e, s.n);
		EFI_STATUS st = run_op(&map, &s, &in);

		if (trace)
			fprintf(stderr,
				"op %d: %u -> status 0x%llx, %zu entries\n", i,
				op, (unsigned long long)st, map.count);
		check_well_formed(&map);
		if (st != EFI_SUCCESS)
			check_unchanged(&map, &s);
		else
			CHECK(map.key == s.key + 1);
		/* Only memmap_add() changes what memory exists. */
		if (op >= 2)
			CHECK(total_pages(map.entries, map.count) == before);
		check_get(&map);
		free(s.e);
	}
	free(storage);
	return 0;
}
