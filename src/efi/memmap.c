// SPDX-License-Identifier: MIT
/*
 * The EFI memory map and page allocator (semantics in mmuon/memmap.h).
 *
 * Every change is one pass over the old list that writes the new list into
 * the spare array: entries outside the changed range are copied, entries
 * crossing its ends are cut there, the pieces inside are transformed, and
 * identical neighbours are merged on the way out. Capacity is checked on
 * every write, and the arrays are swapped only once the pass is complete,
 * so a failed change leaves the map untouched. With at most a few hundred
 * entries a linear pass costs nothing worth a cleverer structure.
 */
#include <mmuon/memmap.h>

/* What a change does to every page of [start, end). */
struct change {
	EFI_PHYSICAL_ADDRESS start, end;
	bool fill;   /* also describe the holes in the range */
	bool retype; /* set type, allocated and client; otherwise keep them */
	EFI_MEMORY_TYPE type;
	bool allocated, client;
	uint64_t clear, set; /* attr = (attr & ~clear) | set */
};

/* The new list being written, merging as it goes. */
struct builder {
	struct memmap_entry *out;
	size_t count, capacity;
	bool overflow;
};

/* What one scan of a range found out about it. */
struct range_info {
	bool covered;	/* no hole */
	bool free;	/* every entry free conventional memory */
	bool allocated; /* every entry from memmap_allocate() ... */
	bool one_type;	/* ... and all of one type */
	uint64_t attr_and, attr_or;
};

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static EFI_PHYSICAL_ADDRESS entry_end(const struct memmap_entry *e)
{
	return e->start + (e->pages << EFI_PAGE_SHIFT);
}

/*
 * The end of a page range, if it is page aligned, not empty and ends at or
 * below 2^64 - EFI_PAGE_SIZE, so that every end we compute fits a uint64.
 */
static bool page_range(EFI_PHYSICAL_ADDRESS start, uint64_t pages,
		       EFI_PHYSICAL_ADDRESS *end)
{
	uint64_t size;

	if ((start & EFI_PAGE_MASK) || pages == 0 ||
	    pages > (UINT64_MAX >> EFI_PAGE_SHIFT))
		return false;
	size = pages << EFI_PAGE_SHIFT;
	if (size > UINT64_MAX - start)
		return false;
	*end = start + size;
	return true;
}

static bool is_free(const struct memmap_entry *e)
{
	return e->type == EfiConventionalMemory && !e->allocated;
}

/*
 * Types the OS must map for runtime services. An MMIO entry exists in an EFI
 * map only for that purpose, so it is always marked too.
 */
static uint64_t runtime_attr(EFI_MEMORY_TYPE type)
{
	switch (type) {
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace:
		return EFI_MEMORY_RUNTIME;
	default:
		return 0;
	}
}

/*
 * The types AllocatePages accepts (UEFI 2.10, 7.2). EDK2 also refuses
 * EfiConventionalMemory, which would make an allocation look free.
 */
static bool type_allocatable(EFI_MEMORY_TYPE type)
{
	if (type >= EFI_MEMORY_TYPE_OEM_FIRST)
		return true;
	if (type >= EfiMaxMemoryType)
		return false;
	return type != EfiConventionalMemory && type != EfiPersistentMemory &&
	       type != EfiUnacceptedMemoryType;
}

/* Page alignment at least; anything else must be a power of two. */
static bool fix_align(uint64_t *align)
{
	if (*align < EFI_PAGE_SIZE)
		*align = EFI_PAGE_SIZE;
	return (*align & (*align - 1)) == 0;
}

/* ---- building a new list ------------------------------------------------ */

static void emit(struct builder *b, EFI_PHYSICAL_ADDRESS start,
		 EFI_PHYSICAL_ADDRESS end, const struct memmap_entry *like)
{
	struct memmap_entry *last = b->count ? &b->out[b->count - 1] : NULL;

	if (start >= end)
		return;
	if (last && entry_end(last) == start && last->type == like->type &&
	    last->attr == like->attr && last->allocated == like->allocated &&
	    last->client == like->client) {
		last->pages += (end - start) >> EFI_PAGE_SHIFT;
		return;
	}
	if (b->count == b->capacity) {
		b->overflow = true;
		return;
	}
	b->out[b->count++] = (struct memmap_entry){
		.start = start,
		.pages = (end - start) >> EFI_PAGE_SHIFT,
		.attr = like->attr,
		.type = like->type,
		.allocated = like->allocated,
		.client = like->client,
	};
}

/* What `old` (NULL for a hole) becomes under the change. */
static struct memmap_entry changed(const struct change *c,
				   const struct memmap_entry *old)
{
	struct memmap_entry e = {0};

	if (old)
		e = *old;
	if (c->retype) {
		e.type = c->type;
		e.allocated = c->allocated;
		e.client = c->client;
	}
	e.attr = (e.attr & ~c->clear) | c->set;
	return e;
}

static void emit_hole(struct builder *b, const struct change *c,
		      EFI_PHYSICAL_ADDRESS start, EFI_PHYSICAL_ADDRESS end)
{
	struct memmap_entry e = changed(c, NULL);

	if (c->fill)
		emit(b, start, end, &e);
}

/* Copy one old entry, transforming the part of it inside the change. */
static void emit_entry(struct builder *b, const struct change *c,
		       const struct memmap_entry *e)
{
	EFI_PHYSICAL_ADDRESS end = entry_end(e);
	EFI_PHYSICAL_ADDRESS lo = min_u64(max_u64(c->start, e->start), end);
	EFI_PHYSICAL_ADDRESS hi = min_u64(max_u64(c->end, e->start), end);
	struct memmap_entry mid = changed(c, e);

	emit(b, e->start, lo, e);
	emit(b, lo, hi, &mid);
	emit(b, hi, end, e);
}

static EFI_STATUS rebuild(struct memmap *map, const struct change *c)
{
	struct builder b = {map->spare, 0, map->capacity, false};
	EFI_PHYSICAL_ADDRESS cursor = 0; /* end of the previous entry */
	struct memmap_entry *old;

	for (size_t i = 0; i < map->count; i++) {
		const struct memmap_entry *e = &map->entries[i];

		emit_hole(&b, c, max_u64(cursor, c->start),
			  min_u64(e->start, c->end));
		emit_entry(&b, c, e);
		cursor = entry_end(e);
	}
	emit_hole(&b, c, max_u64(cursor, c->start), c->end);
	if (b.overflow)
		return EFI_OUT_OF_RESOURCES;

	old = map->entries;
	map->entries = map->spare;
	map->spare = old;
	map->count = b.count;
	map->key++;
	return EFI_SUCCESS;
}

/* ---- looking at the list ------------------------------------------------ */

static struct range_info scan(const struct memmap *map,
			      EFI_PHYSICAL_ADDRESS start,
			      EFI_PHYSICAL_ADDRESS end)
{
	struct range_info r = {true, true, true, true, ~0ULL, 0};
	EFI_PHYSICAL_ADDRESS cursor = start;
	const struct memmap_entry *prev = NULL;

	for (size_t i = 0; i < map->count; i++) {
		const struct memmap_entry *e = &map->entries[i];

		if (entry_end(e) <= start)
			continue;
		if (e->start >= end)
			break;
		if (e->start > cursor)
			r.covered = false;
		if (!is_free(e))
			r.free = false;
		if (!e->allocated)
			r.allocated = false;
		if (prev && prev->type != e->type)
			r.one_type = false;
		r.attr_and &= e->attr;
		r.attr_or |= e->attr;
		cursor = entry_end(e);
		prev = e;
	}
	if (cursor < end)
		r.covered = false;
	return r;
}

/*
 * The next maximal run of contiguous free memory at or after entry *i. Runs
 * may span entries that differ only in attributes: AllocateAddress accepts
 * such a range, so the searches must see it too.
 */
static bool next_free_run(const struct memmap *map, size_t *i,
			  EFI_PHYSICAL_ADDRESS *start,
			  EFI_PHYSICAL_ADDRESS *end)
{
	size_t n = *i;

	while (n < map->count && !is_free(&map->entries[n]))
		n++;
	if (n == map->count) {
		*i = n;
		return false;
	}
	*start = map->entries[n].start;
	*end = entry_end(&map->entries[n]);
	for (n++; n < map->count; n++) {
		if (!is_free(&map->entries[n]) || map->entries[n].start != *end)
			break;
		*end = entry_end(&map->entries[n]);
	}
	*i = n;
	return true;
}

/*
 * The aligned addresses [*lo, *hi] at which `size` bytes fit in the free run
 * [start, end) with their last byte at or below `max`.
 */
static bool run_slots(EFI_PHYSICAL_ADDRESS start, EFI_PHYSICAL_ADDRESS end,
		      uint64_t size, uint64_t align, EFI_PHYSICAL_ADDRESS max,
		      EFI_PHYSICAL_ADDRESS *lo, EFI_PHYSICAL_ADDRESS *hi)
{
	EFI_PHYSICAL_ADDRESS top = min_u64(end - 1, max); /* inclusive */
	EFI_PHYSICAL_ADDRESS first = start & ~(align - 1);
	EFI_PHYSICAL_ADDRESS last;

	if (start > top || top - start < size - 1)
		return false;
	if (first < start) {
		if (first > UINT64_MAX - align)
			return false;
		first += align;
	}
	last = (top - (size - 1)) & ~(align - 1);
	if (first > last)
		return false;
	*lo = first;
	*hi = last;
	return true;
}

/* Check a slot search's arguments and turn pages into bytes. */
static bool slot_args(uint64_t pages, uint64_t *align, uint64_t *size)
{
	if (pages == 0 || pages > (UINT64_MAX >> EFI_PAGE_SHIFT) ||
	    !fix_align(align))
		return false;
	*size = pages << EFI_PAGE_SHIFT;
	return true;
}

/*
 * The highest slot: the top-down placement UEFI firmware traditionally
 * uses, which keeps low memory for loaders that need it.
 */
static bool highest_slot(const struct memmap *map, uint64_t size,
			 uint64_t align, EFI_PHYSICAL_ADDRESS max,
			 EFI_PHYSICAL_ADDRESS *addr)
{
	EFI_PHYSICAL_ADDRESS start, end, lo, hi;
	bool found = false;
	size_t i = 0;

	/* Runs come in ascending order: the last fit is the highest. */
	while (next_free_run(map, &i, &start, &end)) {
		if (run_slots(start, end, size, align, max, &lo, &hi)) {
			*addr = hi;
			found = true;
		}
	}
	return found;
}

uint64_t memmap_count_slots(const struct memmap *map, uint64_t pages,
			    uint64_t align, EFI_PHYSICAL_ADDRESS max)
{
	EFI_PHYSICAL_ADDRESS start, end, lo, hi;
	uint64_t size, count = 0;
	size_t i = 0;

	if (!slot_args(pages, &align, &size))
		return 0;
	/* At most 2^52 slots per run and a few hundred runs: no overflow. */
	while (next_free_run(map, &i, &start, &end))
		if (run_slots(start, end, size, align, max, &lo, &hi))
			count += (hi - lo) / align + 1;
	return count;
}

EFI_STATUS memmap_slot_address(const struct memmap *map, uint64_t pages,
			       uint64_t align, EFI_PHYSICAL_ADDRESS max,
			       uint64_t index, EFI_PHYSICAL_ADDRESS *addr)
{
	EFI_PHYSICAL_ADDRESS start, end, lo, hi;
	uint64_t size, n;
	size_t i = 0;

	if (!addr || !slot_args(pages, &align, &size))
		return EFI_INVALID_PARAMETER;
	while (next_free_run(map, &i, &start, &end)) {
		if (!run_slots(start, end, size, align, max, &lo, &hi))
			continue;
		n = (hi - lo) / align + 1;
		if (index < n) {
			*addr = lo + index * align;
			return EFI_SUCCESS;
		}
		index -= n;
	}
	return EFI_NOT_FOUND;
}

const struct memmap_entry *memmap_lookup(const struct memmap *map,
					 EFI_PHYSICAL_ADDRESS addr)
{
	size_t lo = 0, hi = map->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct memmap_entry *e = &map->entries[mid];

		if (addr < e->start)
			hi = mid;
		else if (addr >= entry_end(e))
			lo = mid + 1;
		else
			return e;
	}
	return NULL;
}

/* ---- the operations ----------------------------------------------------- */

void memmap_init(struct memmap *map, struct memmap_entry *storage,
		 size_t capacity)
{
	map->entries = storage;
	map->spare = storage + capacity;
	map->count = 0;
	map->capacity = capacity;
	/* Not 0, so that a client's zero-initialized key never matches. */
	map->key = 1;
}

EFI_STATUS memmap_add(struct memmap *map, EFI_PHYSICAL_ADDRESS start,
		      uint64_t pages, EFI_MEMORY_TYPE type, uint64_t attr)
{
	struct change c = {
		.fill = true,
		.retype = true,
		.type = type,
		.allocated = false,
		.clear = ~0ULL,
		.set = attr | runtime_attr(type),
	};

	c.start = start;
	if (!page_range(start, pages, &c.end))
		return EFI_INVALID_PARAMETER;
	return rebuild(map, &c);
}

/*
 * Turn free pages into an allocation; the caller has checked they are free.
 * They keep the RAM's cacheability capabilities.
 */
static EFI_STATUS claim(struct memmap *map, EFI_PHYSICAL_ADDRESS start,
			EFI_PHYSICAL_ADDRESS end, EFI_MEMORY_TYPE type)
{
	struct change c = {
		.start = start,
		.end = end,
		.fill = false,
		.retype = true,
		.type = type,
		.allocated = true,
		.clear = EFI_MEMORY_RUNTIME,
		.set = runtime_attr(type),
	};

	return rebuild(map, &c);
}

static EFI_STATUS allocate_at(struct memmap *map, EFI_MEMORY_TYPE type,
			      EFI_PHYSICAL_ADDRESS start, uint64_t pages,
			      uint64_t align)
{
	EFI_PHYSICAL_ADDRESS end;
	struct range_info r;

	/* As EDK2: a misaligned address names pages that cannot be had. */
	if ((start & (align - 1)) || !page_range(start, pages, &end))
		return EFI_NOT_FOUND;
	r = scan(map, start, end);
	if (!r.covered || !r.free)
		return EFI_NOT_FOUND;
	return claim(map, start, end, type);
}

static EFI_STATUS allocate_below(struct memmap *map, EFI_MEMORY_TYPE type,
				 uint64_t pages, uint64_t align,
				 EFI_PHYSICAL_ADDRESS max,
				 EFI_PHYSICAL_ADDRESS *addr)
{
	EFI_PHYSICAL_ADDRESS start;
	uint64_t size;
	EFI_STATUS status;

	if (!slot_args(pages, &align, &size) ||
	    !highest_slot(map, size, align, max, &start))
		return EFI_OUT_OF_RESOURCES;
	status = claim(map, start, start + size, type);
	if (status == EFI_SUCCESS)
		*addr = start;
	return status;
}

EFI_STATUS memmap_allocate(struct memmap *map, EFI_ALLOCATE_TYPE how,
			   EFI_MEMORY_TYPE type, uint64_t pages, uint64_t align,
			   EFI_PHYSICAL_ADDRESS *addr)
{
	if (!addr || pages == 0 || !type_allocatable(type) ||
	    !fix_align(&align))
		return EFI_INVALID_PARAMETER;

	/* The enum arrives from a client as any 32-bit value. */
	switch ((uint32_t)how) {
	case AllocateAnyPages:
		return allocate_below(map, type, pages, align, UINT64_MAX,
				      addr);
	case AllocateMaxAddress:
		return allocate_below(map, type, pages, align, *addr, addr);
	case AllocateAddress:
		return allocate_at(map, type, *addr, pages, align);
	default:
		return EFI_INVALID_PARAMETER;
	}
}

/*
 * The high half of the 128-bit product a * b, in 64-bit arithmetic: maps
 * 64 random bits onto [0, a) without the bias a modulo would have.
 */
static uint64_t mul_high(uint64_t a, uint64_t b)
{
	uint64_t a_lo = (uint32_t)a, a_hi = a >> 32;
	uint64_t b_lo = (uint32_t)b, b_hi = b >> 32;
	uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo;
	uint64_t lo_hi = a_lo * b_hi, hi_hi = a_hi * b_hi;
	uint64_t cross = (lo_lo >> 32) + (uint32_t)hi_lo + lo_hi;

	return hi_hi + (hi_lo >> 32) + (cross >> 32);
}

EFI_STATUS memmap_allocate_random(struct memmap *map, EFI_MEMORY_TYPE type,
				  uint64_t pages, uint64_t align,
				  EFI_PHYSICAL_ADDRESS max, uint64_t random,
				  EFI_PHYSICAL_ADDRESS *addr)
{
	EFI_PHYSICAL_ADDRESS start;
	uint64_t slots;
	EFI_STATUS status;

	if (!addr || pages == 0 || !type_allocatable(type) ||
	    !fix_align(&align))
		return EFI_INVALID_PARAMETER;
	slots = memmap_count_slots(map, pages, align, max);
	if (slots == 0)
		return EFI_OUT_OF_RESOURCES;
	status = memmap_slot_address(map, pages, align, max,
				     mul_high(slots, random), &start);
	if (status == EFI_SUCCESS)
		status = allocate_at(map, type, start, pages, align);
	if (status == EFI_SUCCESS)
		*addr = start;
	return status;
}

/* One allocation's worth: every page allocated, all of one type. */
static bool one_allocation(const struct memmap *map, EFI_PHYSICAL_ADDRESS start,
			   EFI_PHYSICAL_ADDRESS end)
{
	struct range_info r = scan(map, start, end);

	return r.covered && r.allocated && r.one_type;
}

EFI_STATUS memmap_check_free(const struct memmap *map,
			     EFI_PHYSICAL_ADDRESS start, uint64_t pages)
{
	EFI_PHYSICAL_ADDRESS end;

	if ((start & EFI_PAGE_MASK) || pages == 0)
		return EFI_INVALID_PARAMETER;
	if (!page_range(start, pages, &end) || !one_allocation(map, start, end))
		return EFI_NOT_FOUND;
	return EFI_SUCCESS;
}

EFI_STATUS memmap_free(struct memmap *map, EFI_PHYSICAL_ADDRESS start,
		       uint64_t pages)
{
	struct change c = {
		.start = start,
		.end = start + (pages << EFI_PAGE_SHIFT),
		.fill = false,
		.retype = true,
		.type = EfiConventionalMemory,
		.allocated = false,
		.clear = EFI_MEMORY_RUNTIME | EFI_MEMORY_ACCESS_MASK,
		.set = 0,
	};
	EFI_STATUS status = memmap_check_free(map, start, pages);

	if (status != EFI_SUCCESS)
		return status;
	return rebuild(map, &c);
}

EFI_STATUS memmap_give(struct memmap *map, EFI_PHYSICAL_ADDRESS start,
		       uint64_t pages)
{
	struct change c = {
		.start = start,
		.fill = false,
		.retype = true,
		.allocated = true,
		.client = true,
	};

	if (!page_range(start, pages, &c.end))
		return EFI_INVALID_PARAMETER;
	if (!one_allocation(map, start, c.end))
		return EFI_NOT_FOUND;
	c.type = memmap_lookup(map, start)->type;
	return rebuild(map, &c);
}

EFI_STATUS memmap_set_attributes(struct memmap *map, EFI_PHYSICAL_ADDRESS start,
				 uint64_t pages, uint64_t set, uint64_t clear)
{
	struct change c = {
		.start = start,
		.fill = false,
		.retype = false,
		.clear = clear,
		.set = set,
	};

	if (!page_range(start, pages, &c.end) ||
	    ((set | clear) & EFI_MEMORY_RUNTIME))
		return EFI_INVALID_PARAMETER;
	if (!scan(map, start, c.end).covered)
		return EFI_NOT_FOUND;
	return rebuild(map, &c);
}

EFI_STATUS memmap_get_attributes(const struct memmap *map,
				 EFI_PHYSICAL_ADDRESS start, uint64_t pages,
				 uint64_t mask, uint64_t *attr)
{
	EFI_PHYSICAL_ADDRESS end;
	struct range_info r;

	if (!attr || !page_range(start, pages, &end))
		return EFI_INVALID_PARAMETER;
	r = scan(map, start, end);
	if (!r.covered)
		return EFI_NOT_FOUND;
	if ((r.attr_and ^ r.attr_or) & mask)
		return EFI_NO_MAPPING;
	*attr = r.attr_and & mask;
	return EFI_SUCCESS;
}

/* ---- GetMemoryMap ------------------------------------------------------- */

/*
 * The descriptor for entry *i and the neighbours that differ from it only in
 * `allocated` or `client`, which the client does not see: it gets the merged
 * range.
 */
static EFI_MEMORY_DESCRIPTOR next_descriptor(const struct memmap *map,
					     size_t *i)
{
	const struct memmap_entry *e = &map->entries[(*i)++];
	EFI_MEMORY_DESCRIPTOR d = {
		.Type = e->type,
		.PhysicalStart = e->start,
		.VirtualStart = 0,
		.NumberOfPages = e->pages,
		.Attribute = e->attr,
	};

	for (; *i < map->count; (*i)++) {
		e = &map->entries[*i];
		if (e->type != d.Type || e->attr != d.Attribute ||
		    e->start != d.PhysicalStart +
					(d.NumberOfPages << EFI_PAGE_SHIFT))
			break;
		d.NumberOfPages += e->pages;
	}
	return d;
}

static size_t descriptor_count(const struct memmap *map)
{
	size_t n = 0;

	for (size_t i = 0; i < map->count; n++)
		next_descriptor(map, &i);
	return n;
}

EFI_STATUS memmap_get(const struct memmap *map, UINTN *size,
		      EFI_MEMORY_DESCRIPTOR *buf, UINTN *key, UINTN *desc_size,
		      UINT32 *desc_version)
{
	size_t n = descriptor_count(map);
	uint8_t *out = (uint8_t *)buf;

	if (!size)
		return EFI_INVALID_PARAMETER;
	if (desc_size)
		*desc_size = MEMMAP_DESC_SIZE;
	if (desc_version)
		*desc_version = EFI_MEMORY_DESCRIPTOR_VERSION;
	if (*size < n * MEMMAP_DESC_SIZE) {
		*size = (n + MEMMAP_GETMAP_SLACK) * MEMMAP_DESC_SIZE;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!buf)
		return EFI_INVALID_PARAMETER;

	for (size_t i = 0; i < map->count; out += MEMMAP_DESC_SIZE)
		*(EFI_MEMORY_DESCRIPTOR *)out = next_descriptor(map, &i);
	*size = n * MEMMAP_DESC_SIZE;
	if (key)
		*key = map->key;
	return EFI_SUCCESS;
}
