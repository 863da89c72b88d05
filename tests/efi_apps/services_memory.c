// SPDX-License-Identifier: MIT
/*
 * Memory services (UEFI 2.10 section 7.2): AllocatePages in its three
 * modes, FreePages of parts of an allocation, GetMemoryMap and its map
 * key, AllocatePool of every type a pool may have; what FreePool and
 * FreePages must refuse; and ExitBootServices with a stale map key
 * (section 7.4.6), which must fail and leave boot services running.
 *
 * Every allocation is looked up in the memory map: the firmware's own
 * description of what it handed out is part of what is checked. The
 * lookups use a buffer allocated once (memmap_now()), so that looking does
 * not itself allocate into the pages a check has just freed.
 */
#include "services.h"

#define ALLOC_TYPE_BAD 7 /* past MaxAllocateType */

/* ---- memory map snapshots ------------------------------------------------ */

EFI_STATUS memmap_get(struct memmap *m)
{
	EFI_STATUS s;
	int tries;

	m->buf = NULL;
	m->size = 0;
	s = BS->GetMemoryMap(&m->size, NULL, &m->key, &m->desc_size,
			     &m->version);
	/* The pool allocation can change the map: ask again, a few times. */
	for (tries = 0; s == EFI_BUFFER_TOO_SMALL && tries < 4; tries++) {
		if (m->buf)
			BS->FreePool(m->buf);
		s = BS->AllocatePool(EfiLoaderData, m->size, (void **)&m->buf);
		if (s) {
			m->buf = NULL;
			return s;
		}
		m->cap = m->size;
		s = BS->GetMemoryMap(&m->size, (void *)m->buf, &m->key,
				     &m->desc_size, &m->version);
	}
	if (s && m->buf) {
		BS->FreePool(m->buf);
		m->buf = NULL;
	}
	return s;
}

void memmap_free(struct memmap *m)
{
	if (m->buf)
		BS->FreePool(m->buf);
	m->buf = NULL;
}

static EFI_PHYSICAL_ADDRESS desc_end(const EFI_MEMORY_DESCRIPTOR *d)
{
	return d->PhysicalStart + d->NumberOfPages * PAGE_SIZE;
}

EFI_MEMORY_DESCRIPTOR *memmap_find(const struct memmap *m,
				   EFI_PHYSICAL_ADDRESS addr)
{
	EFI_MEMORY_DESCRIPTOR *d;

	MEMMAP_FOR_EACH(m, d)
	{
		if (addr >= d->PhysicalStart && addr < desc_end(d))
			return d;
	}
	return NULL;
}

/* Room for far more descriptors than these checks ever make. */
#define SCRATCH_DESCRIPTORS 512

static struct memmap scratch;

void memmap_scratch_init(void)
{
	scratch.cap = SCRATCH_DESCRIPTORS * 2 * sizeof(EFI_MEMORY_DESCRIPTOR);
	if (BS->AllocatePool(EfiLoaderData, scratch.cap,
			     (void **)&scratch.buf)) {
		scratch.buf = NULL;
		scratch.cap = 0;
	}
}

const struct memmap *memmap_now(void)
{
	scratch.size = scratch.cap;
	if (!scratch.buf ||
	    BS->GetMemoryMap(&scratch.size, (void *)scratch.buf, &scratch.key,
			     &scratch.desc_size, &scratch.version))
		return NULL;
	return &scratch;
}

UINT32 memmap_type_at(EFI_PHYSICAL_ADDRESS addr)
{
	const struct memmap *m = memmap_now();
	EFI_MEMORY_DESCRIPTOR *d = m ? memmap_find(m, addr) : NULL;

	return d ? d->Type : ~0u;
}

/* Whether [addr, addr + pages) is described as @type, whole. */
static BOOLEAN range_has_type(EFI_PHYSICAL_ADDRESS addr, UINTN pages,
			      UINT32 type)
{
	EFI_PHYSICAL_ADDRESS end = addr + pages * PAGE_SIZE;
	const struct memmap *m = memmap_now();
	EFI_MEMORY_DESCRIPTOR *d;

	if (!m)
		return why(L"GetMemoryMap failed");
	while (addr < end) {
		d = memmap_find(m, addr);
		if (!d || d->Type != type)
			return why(L"page 0x%lx is %s type %d, want type %d",
				   addr, d ? L"of" : L"not in the map,",
				   d ? d->Type : 0, type);
		addr = desc_end(d);
	}
	return TRUE;
}

/* ---- GetMemoryMap -------------------------------------------------------- */

/* Section 7.2.3: a zero-sized buffer gets the size needed, and that size
 * (which must allow for the pool allocation holding the map) works. */
static BOOLEAN getmap_size(void)
{
	UINTN size = 0, key = 0, dsize = 0, size2;
	UINT32 version = 0;
	EFI_STATUS s;
	void *buf;

	s = BS->GetMemoryMap(&size, NULL, &key, &dsize, &version);
	if (!status_is(s, EFI_BUFFER_TOO_SMALL, L"GetMemoryMap(size 0)"))
		return FALSE;
	if (!size || dsize < sizeof(EFI_MEMORY_DESCRIPTOR) || dsize % 8 ||
	    size % dsize || version != EFI_MEMORY_DESCRIPTOR_VERSION)
		return why(L"size 0: MemoryMapSize %ld, DescriptorSize %ld "
			   L"(struct %ld), version %d",
			   size, dsize, sizeof(EFI_MEMORY_DESCRIPTOR), version);
	size2 = size;
	if (BS->AllocatePool(EfiLoaderData, size, &buf))
		return why(L"AllocatePool(%ld) failed", size);
	s = BS->GetMemoryMap(&size2, buf, &key, &dsize, &version);
	BS->FreePool(buf);
	say(L"size 0: BUFFER_TOO_SMALL, %ld bytes (%ld descriptors of %ld, "
	    L"version %d); then in a pool of that size: %r, %ld bytes",
	    size, size / dsize, dsize, version, s, size2);
	return s == EFI_SUCCESS && size2 <= size && size2 % dsize == 0;
}

static BOOLEAN type_known(UINT32 type)
{
	return type < MEM_MAX_TYPE || type >= MEM_OEM_FIRST;
}

static BOOLEAN type_runtime(UINT32 type)
{
	return type == EfiRuntimeServicesCode ||
	       type == EfiRuntimeServicesData || type == EfiMemoryMappedIO ||
	       type == EfiMemoryMappedIOPortSpace;
}

/* One descriptor on its own: page aligned, not empty, sane type. */
static BOOLEAN descriptor_ok(const EFI_MEMORY_DESCRIPTOR *d, UINTN i)
{
	if (d->PhysicalStart & PAGE_MASK || !d->NumberOfPages)
		return why(L"descriptor %ld: start 0x%lx, %ld pages", i,
			   d->PhysicalStart, d->NumberOfPages);
	if (!type_known(d->Type))
		return why(L"descriptor %ld: type 0x%x", i, d->Type);
	if (type_runtime(d->Type) && !(d->Attribute & EFI_MEMORY_RUNTIME))
		return why(L"descriptor %ld (type %d at 0x%lx) lacks "
			   L"EFI_MEMORY_RUNTIME",
			   i, d->Type, d->PhysicalStart);
	return TRUE;
}

/* The whole map: sorted, no overlaps, our image inside, a stable key. */
static BOOLEAN getmap(void)
{
	EFI_PHYSICAL_ADDRESS image = (UINTN)self_image->ImageBase, prev_end = 0;
	UINTN n = 0, conventional = 0, key2 = 0, size2, dsize2;
	EFI_MEMORY_DESCRIPTOR *d, *mine;
	UINT32 version2;
	struct memmap m;
	BOOLEAN ok = TRUE;
	EFI_STATUS s;

	if (!status_is(memmap_get(&m), EFI_SUCCESS, L"GetMemoryMap"))
		return FALSE;
	MEMMAP_FOR_EACH(&m, d)
	{
		if (ok && !descriptor_ok(d, n))
			ok = FALSE;
		if (ok && n && d->PhysicalStart < prev_end)
			ok = why(L"descriptor %ld at 0x%lx: not above the end "
				 L"of the previous one, 0x%lx",
				 n, d->PhysicalStart, prev_end);
		if (d->Type == EfiConventionalMemory)
			conventional += d->NumberOfPages;
		prev_end = desc_end(d);
		n++;
	}
	mine = memmap_find(&m, image);
	if (ok && (!mine || mine->Type != EfiLoaderCode ||
		   desc_end(mine) < image + self_image->ImageSize))
		ok = why(L"our image [0x%lx, +0x%lx) is not inside one "
			 L"EfiLoaderCode descriptor",
			 image, self_image->ImageSize);
	/* Nothing changed in between: the same key (section 7.2.3). */
	size2 = m.size;
	s = BS->GetMemoryMap(&size2, (void *)m.buf, &key2, &dsize2, &version2);
	if (ok && (s || key2 != m.key))
		ok = why(L"GetMemoryMap twice with no change in between: %r, "
			 L"key 0x%lx then 0x%lx",
			 s, m.key, key2);
	if (ok)
		say(L"%ld descriptors of %ld bytes, sorted, no overlap, "
		    L"%ld free pages; image in EfiLoaderCode; key 0x%lx stable",
		    n, m.desc_size, conventional, m.key);
	memmap_free(&m);
	return ok && conventional;
}

static BOOLEAN current_key(UINTN *key)
{
	const struct memmap *m = memmap_now();

	if (!m)
		return why(L"GetMemoryMap failed");
	*key = m->key;
	return TRUE;
}

/* Section 7.2.3: "The map key changes every time the memory map changes". */
static BOOLEAN map_key(void)
{
	UINTN k0 = 0, k1 = 0, k2 = 0;
	EFI_PHYSICAL_ADDRESS a;

	if (!current_key(&k0))
		return FALSE;
	if (BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &a))
		return why(L"AllocatePages(1) failed");
	if (!current_key(&k1))
		return FALSE;
	BS->FreePages(a, 1);
	if (!current_key(&k2))
		return FALSE;
	say(L"key 0x%lx, after AllocatePages 0x%lx, after FreePages 0x%lx", k0,
	    k1, k2);
	return k1 != k0 && k2 != k1;
}

/* ---- AllocatePages / FreePages ------------------------------------------- */

static BOOLEAN pattern_holds(EFI_PHYSICAL_ADDRESS a, UINTN pages)
{
	volatile UINT64 *p = (UINT64 *)(UINTN)a;
	UINTN i, n = pages * PAGE_SIZE / 8;

	for (i = 0; i < n; i += 64)
		p[i] = a + i;
	for (i = 0; i < n; i += 64)
		if (p[i] != a + i)
			return why(L"memory at 0x%lx does not hold what was "
				   L"written",
				   a + i * 8);
	return TRUE;
}

static BOOLEAN allocate_any(void)
{
	EFI_PHYSICAL_ADDRESS a = 0x1234;
	EFI_STATUS s =
		BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 4, &a);
	BOOLEAN ok;

	if (!status_is(s, EFI_SUCCESS, L"AllocatePages(AnyPages, 4)"))
		return FALSE;
	ok = !(a & PAGE_MASK) && range_has_type(a, 4, EfiLoaderData) &&
	     pattern_holds(a, 4);
	if (ok)
		say(L"4 pages at 0x%lx, EfiLoaderData in the map, writable", a);
	else if (a & PAGE_MASK)
		why(L"AllocatePages returned unaligned 0x%lx", a);
	BS->FreePages(a, 4);
	return ok;
}

/* The lowest free range of at least @pages pages. */
static BOOLEAN lowest_free(UINTN pages, EFI_PHYSICAL_ADDRESS *start)
{
	const struct memmap *m = memmap_now();
	EFI_MEMORY_DESCRIPTOR *d;

	if (!m)
		return why(L"GetMemoryMap failed");
	MEMMAP_FOR_EACH(m, d)
	{
		if (d->Type == EfiConventionalMemory &&
		    d->NumberOfPages >= pages) {
			*start = d->PhysicalStart;
			return TRUE;
		}
	}
	return why(L"no free range of %ld pages", pages);
}

static BOOLEAN allocate_max_one(EFI_PHYSICAL_ADDRESS max)
{
	EFI_PHYSICAL_ADDRESS a = max;
	EFI_STATUS s =
		BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, 4, &a);

	if (s)
		return why(L"AllocatePages(MaxAddress 0x%lx, 4): %r", max, s);
	BS->FreePages(a, 4);
	say_more(L"max 0x%lx -> [0x%lx, 0x%lx]; ", max, a,
		 a + 4 * PAGE_SIZE - 1);
	/* "whose uppermost address is less than or equal to" Memory */
	return a + 4 * PAGE_SIZE - 1 <= max ||
	       why(L"AllocatePages(MaxAddress 0x%lx) gave [0x%lx, 0x%lx]", max,
		   a, a + 4 * PAGE_SIZE - 1);
}

static BOOLEAN allocate_max(void)
{
	EFI_PHYSICAL_ADDRESS low;

	/* Below 2 GiB, then just above the lowest free range's first 64
	 * pages, not page aligned: the last byte is what is bounded. */
	say(L"");
	return lowest_free(64, &low) && allocate_max_one(0x7fffffffull) &&
	       allocate_max_one(low + 64 * PAGE_SIZE + 0x123);
}

static BOOLEAN allocate_address(void)
{
	EFI_PHYSICAL_ADDRESS a, b, c;
	EFI_STATUS s;

	if (BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 4, &a) ||
	    BS->FreePages(a, 4))
		return why(L"AllocatePages/FreePages(4) failed");
	b = a;
	s = BS->AllocatePages(AllocateAddress, EfiBootServicesData, 4, &b);
	if (!status_is(s, EFI_SUCCESS, L"AllocatePages(Address just freed)"))
		return FALSE;
	c = a + PAGE_SIZE;
	s = BS->AllocatePages(AllocateAddress, EfiLoaderData, 1, &c);
	BS->FreePages(b, 4);
	if (!status_is(s, EFI_NOT_FOUND, L"AllocatePages(Address in use)"))
		return FALSE;
	say(L"freed 0x%lx, AllocateAddress got 0x%lx (as BootServicesData); "
	    L"Address 0x%lx in use: NOT_FOUND",
	    a, b, a + PAGE_SIZE);
	return b == a;
}

/* Section 7.2.2: FreePages of part of an allocation, and what is left. */
static BOOLEAN free_subrange(void)
{
	EFI_PHYSICAL_ADDRESS a;
	EFI_STATUS hole, again, across, rest1, rest2;
	BOOLEAN ok;

	if (BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 8, &a))
		return why(L"AllocatePages(8) failed");
	hole = BS->FreePages(a + 3 * PAGE_SIZE, 2);
	ok = hole == EFI_SUCCESS && range_has_type(a, 3, EfiLoaderData) &&
	     range_has_type(a + 3 * PAGE_SIZE, 2, EfiConventionalMemory) &&
	     range_has_type(a + 5 * PAGE_SIZE, 3, EfiLoaderData);
	again = BS->FreePages(a + 3 * PAGE_SIZE, 2);
	across = BS->FreePages(a, 8);
	rest1 = BS->FreePages(a, 3);
	rest2 = BS->FreePages(a + 5 * PAGE_SIZE, 3);
	if (!ok)
		return hole ? why(L"FreePages(pages 3-4 of 8): %r", hole)
			    : FALSE;
	say(L"8 pages at 0x%lx: free pages 3-4 %r (map: 3 used, 2 free, 3 "
	    L"used); again %r; all 8 %r; the rest %r %r",
	    a, hole, again, across, rest1, rest2);
	return again == EFI_NOT_FOUND && across == EFI_NOT_FOUND &&
	       rest1 == EFI_SUCCESS && rest2 == EFI_SUCCESS;
}

/* ---- pools --------------------------------------------------------------- */

/* Every type section 7.2.4 allows for a pool, with the ones it refuses. */
static const UINT32 pool_types[] = {
	EfiReservedMemoryType,
	EfiLoaderCode,
	EfiLoaderData,
	EfiBootServicesCode,
	EfiBootServicesData,
	EfiRuntimeServicesCode,
	EfiRuntimeServicesData,
	EfiUnusableMemory,
	EfiACPIReclaimMemory,
	EfiACPIMemoryNVS,
	EfiMemoryMappedIO,
	EfiMemoryMappedIOPortSpace,
	EfiPalCode,
	MEM_OEM_FIRST,
	MEM_OS_FIRST + 0x1234,
};
static const UINT32 bad_types[] = {MEM_PERSISTENT, MEM_UNACCEPTED, MEM_MAX_TYPE,
				   0x6fffffffu};

static BOOLEAN pool_of_type(UINT32 type)
{
	const struct memmap *m;
	EFI_MEMORY_DESCRIPTOR *d;
	BOOLEAN ok = TRUE;
	EFI_STATUS s;
	UINT8 *p;

	s = BS->AllocatePool((EFI_MEMORY_TYPE)type, 100, (void **)&p);
	if (s)
		return why(L"AllocatePool(type 0x%x, 100): %r", type, s);
	m = memmap_now();
	d = m ? memmap_find(m, (UINTN)p) : NULL;
	if (!d || d->Type != type)
		ok = why(
			L"AllocatePool(type 0x%x) at 0x%lx: map says type 0x%x",
			type, (UINTN)p, d ? d->Type : ~0u);
	else if (type_runtime(type) && !(d->Attribute & EFI_MEMORY_RUNTIME))
		ok = why(L"AllocatePool(type 0x%x): no EFI_MEMORY_RUNTIME",
			 type);
	s = BS->FreePool(p);
	return ok && status_is(s, EFI_SUCCESS, L"FreePool");
}

static BOOLEAN pool_types_all(void)
{
	EFI_PHYSICAL_ADDRESS a;
	EFI_STATUS s;
	void *p;
	UINTN i;

	for (i = 0; i < sizeof(pool_types) / sizeof(pool_types[0]); i++)
		if (!pool_of_type(pool_types[i]))
			return FALSE;
	for (i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
		s = BS->AllocatePool((EFI_MEMORY_TYPE)bad_types[i], 100, &p);
		if (s != EFI_INVALID_PARAMETER)
			return why(L"AllocatePool(type 0x%x): %r, want "
				   L"INVALID_PARAMETER",
				   bad_types[i], s);
		s = BS->AllocatePages(AllocateAnyPages,
				      (EFI_MEMORY_TYPE)bad_types[i], 1, &a);
		if (s != EFI_INVALID_PARAMETER)
			return why(L"AllocatePages(type 0x%x): %r, want "
				   L"INVALID_PARAMETER",
				   bad_types[i], s);
	}
	say(L"%ld pool types allocated, typed in the map (runtime ones with "
	    L"EFI_MEMORY_RUNTIME) and freed; types 14, 15, 16, 0x6fffffff "
	    L"refused by AllocatePool and AllocatePages",
	    sizeof(pool_types) / sizeof(pool_types[0]));
	return TRUE;
}

/* Section 7.2.4: "All allocations are eight-byte aligned." */
static BOOLEAN pool_sizes(void)
{
	static const UINTN sizes[] = {1, 8, 100, 4096, 4097, 100000};
	UINT8 *p[6];
	UINTN i, j;
	BOOLEAN ok = TRUE;

	for (i = 0; i < 6; i++)
		if (BS->AllocatePool(EfiLoaderData, sizes[i], (void **)&p[i]))
			return why(L"AllocatePool(%ld) failed", sizes[i]);
	for (i = 0; i < 6; i++) {
		if ((UINTN)p[i] & 7)
			ok = why(L"AllocatePool(%ld) = 0x%lx: not 8-byte "
				 L"aligned",
				 sizes[i], (UINTN)p[i]);
		for (j = 0; j < sizes[i]; j++)
			p[i][j] = (UINT8)(i + j);
	}
	for (i = 0; ok && i < 6; i++)
		for (j = 0; ok && j < sizes[i]; j++)
			if (p[i][j] != (UINT8)(i + j))
				ok = why(L"pool %ld (%ld bytes) overwritten at "
					 L"byte %ld",
					 i, sizes[i], j);
	for (i = 0; i < 6; i++)
		BS->FreePool(p[i]);
	if (ok)
		say(L"sizes 1..100000: 8-byte aligned, independent contents");
	return ok;
}

/*
 * UEFI 2.10 section 2.3.6 (AArch64): a 64 KiB page holding any page of
 * EfiRuntimeServicesCode/Data, EfiReservedMemoryType or EfiACPIMemoryNVS
 * must have identical attributes throughout, so that an OS with 64 KiB
 * pages can map runtime memory without mapping its neighbours. A
 * firmware meets it by giving those types 64 KiB aligned and sized
 * regions (EDK2 does, for allocations too): checked on a one-page
 * AllocatePages and a small AllocatePool of EfiRuntimeServicesData.
 */
static BOOLEAN runtime_granule_one(BOOLEAN pool)
{
	EFI_PHYSICAL_ADDRESS a = 0, start = 0, end = 0;
	const struct memmap *m;
	EFI_MEMORY_DESCRIPTOR *d;
	void *p = NULL;

	if (pool ? BS->AllocatePool(EfiRuntimeServicesData, 64, &p)
		 : BS->AllocatePages(AllocateAnyPages, EfiRuntimeServicesData,
				     1, &a))
		return why(L"allocation of EfiRuntimeServicesData failed");
	if (pool)
		a = (UINTN)p;
	m = memmap_now();
	d = m ? memmap_find(m, a) : NULL;
	if (d) {
		start = d->PhysicalStart;
		end = desc_end(d);
	}
	say_more(L"%s at 0x%lx: descriptor [0x%lx, 0x%lx); ",
		 pool ? L"AllocatePool(64)" : L"AllocatePages(1)", a, start,
		 end);
	if (pool)
		BS->FreePool(p);
	else
		BS->FreePages(a, 1);
	return d && !(start & (SZ_64K - 1)) && !(end & (SZ_64K - 1));
}

static BOOLEAN runtime_granule(void)
{
	BOOLEAN pages, pool;

	say(L"");
	pages = runtime_granule_one(FALSE);
	pool = runtime_granule_one(TRUE);
	say_more(L"want both 64 KiB aligned (UEFI 2.10 2.3.6)");
	return pages && pool;
}

/* ---- what must be refused ------------------------------------------------ */

static BOOLEAN free_pool_refusals(void)
{
	EFI_PHYSICAL_ADDRESS pages;
	EFI_STATUS s[6];
	UINT8 *p;

	if (BS->AllocatePool(EfiLoaderData, 100, (void **)&p) ||
	    BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &pages))
		return why(L"allocation failed");
	/* NULL, inside a pool, where nothing is, pages that are no pool */
	s[0] = BS->FreePool(NULL);
	s[1] = BS->FreePool(p + 40);
	s[2] = BS->FreePool((void *)0x7000000020ull);
	s[3] = BS->FreePool((void *)(UINTN)(pages + 32));
	s[4] = BS->FreePool(p);
	s[5] = BS->FreePool(p); /* again */
	BS->FreePages(pages, 1);
	say(L"FreePool(NULL) %r, (pool+40) %r, (unmapped 0x7000000020) %r, "
	    L"(AllocatePages+32) %r, (pool) %r, (pool again) %r",
	    s[0], s[1], s[2], s[3], s[4], s[5]);
	return s[0] == EFI_INVALID_PARAMETER && s[1] == EFI_INVALID_PARAMETER &&
	       s[2] == EFI_INVALID_PARAMETER && s[3] == EFI_INVALID_PARAMETER &&
	       s[4] == EFI_SUCCESS && s[5] == EFI_INVALID_PARAMETER;
}

static BOOLEAN free_pages_refusals(void)
{
	EFI_PHYSICAL_ADDRESS a, free;
	EFI_STATUS s[5];

	if (!lowest_free(1, &free))
		return FALSE;
	if (BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &a))
		return why(L"AllocatePages(1) failed");
	s[0] = BS->FreePages(free, 1);		  /* free memory */
	s[1] = BS->FreePages(0, 1);		  /* the firmware's flash */
	s[2] = BS->FreePages(0x7000000000ull, 1); /* no memory */
	s[3] = BS->FreePages(a + 1, 1);		  /* not aligned */
	BS->FreePages(a, 1);
	s[4] = BS->FreePages(a, 1); /* again */
	say(L"FreePages(free 0x%lx) %r, (0x0, firmware) %r, (0x7000000000) "
	    L"%r, (unaligned) %r, (freed twice) %r",
	    free, s[0], s[1], s[2], s[3], s[4]);
	return s[0] == EFI_NOT_FOUND && s[1] == EFI_NOT_FOUND &&
	       s[2] == EFI_NOT_FOUND && s[3] == EFI_INVALID_PARAMETER &&
	       s[4] == EFI_NOT_FOUND;
}

static BOOLEAN allocate_refusals(void)
{
	EFI_PHYSICAL_ADDRESS a;
	EFI_STATUS s[3];

	s[0] = BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, NULL);
	s[1] = BS->AllocatePages((EFI_ALLOCATE_TYPE)ALLOC_TYPE_BAD,
				 EfiLoaderData, 1, &a);
	s[2] = BS->AllocatePool(EfiLoaderData, 16, NULL);
	say(L"AllocatePages(Memory NULL) %r, (Type %d) %r; AllocatePool "
	    L"(Buffer NULL) %r",
	    s[0], ALLOC_TYPE_BAD, s[1], s[2]);
	return s[0] == EFI_INVALID_PARAMETER && s[1] == EFI_INVALID_PARAMETER &&
	       s[2] == EFI_INVALID_PARAMETER;
}

/* ---- ExitBootServices with a stale key ----------------------------------- */

static BOOLEAN exit_boot_services_stale(void)
{
	SIMPLE_TEXT_OUTPUT_INTERFACE *con_out = ST->ConOut;
	EFI_BOOT_SERVICES *bs = ST->BootServices;
	EFI_PHYSICAL_ADDRESS a;
	UINTN stale = 0;
	EFI_STATUS s;

	if (!current_key(&stale))
		return FALSE;
	if (BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &a))
		return why(L"AllocatePages(1) failed");
	s = BS->ExitBootServices(self, stale);
	if (!status_is(s, EFI_INVALID_PARAMETER,
		       L"ExitBootServices(key from before an allocation)"))
		return FALSE;
	/* Still in boot services: the table as it was, allocation works. */
	if (ST->BootServices != bs || ST->ConOut != con_out)
		return why(L"the failed ExitBootServices changed the system "
			   L"table");
	s = BS->FreePages(a, 1);
	say(L"stale key 0x%lx: INVALID_PARAMETER; boot services still up "
	    L"(FreePages %r)",
	    stale, s);
	return s == EFI_SUCCESS;
}

#define U(x) ((UINT64)(UINTN)(x))

/* The memory services must not touch x18 either (see runtime.x18). */
static BOOLEAN memory_x18(void)
{
	EFI_PHYSICAL_ADDRESS a = 0;
	void *p = NULL;
	const struct memmap *m = memmap_now();
	UINTN size = m ? m->cap : 0, key, dsize;
	UINT32 version;
	EFI_STATUS s;
	BOOLEAN ok;

	say(L"");
	ok = call_preserves(
		     L"AllocatePages", BS->AllocatePages,
		     (UINT64[5]){AllocateAnyPages, EfiLoaderData, 3, U(&a)},
		     &s) &&
	     call_preserves(L"FreePages", BS->FreePages, (UINT64[5]){a, 3},
			    &s) &&
	     call_preserves(L"AllocatePool", BS->AllocatePool,
			    (UINT64[5]){EfiLoaderData, 100, U(&p)}, &s) &&
	     call_preserves(L"FreePool", BS->FreePool, (UINT64[5]){U(p)}, &s) &&
	     call_preserves(L"GetMemoryMap", BS->GetMemoryMap,
			    (UINT64[5]){U(&size), U(m ? m->buf : NULL), U(&key),
					U(&dsize), U(&version)},
			    &s);
	return ok;
}

void check_memory(void)
{
	report("memory.getmap-size", getmap_size());
	report("memory.getmap", getmap());
	report("memory.map-key", map_key());
	report("memory.allocate-any", allocate_any());
	report("memory.allocate-max", allocate_max());
	report("memory.allocate-address", allocate_address());
	report("memory.free-subrange", free_subrange());
	report("memory.pool-types", pool_types_all());
	report("memory.pool-sizes", pool_sizes());
	report("memory.runtime-64k", runtime_granule());
	report("memory.x18", memory_x18());
}

void check_bad_pointers(void)
{
	report("bad.free-pool", free_pool_refusals());
	report("bad.free-pages", free_pages_refusals());
	report("bad.allocate", allocate_refusals());
}

void check_exit_boot_services_stale_key(void)
{
	report("memory.exit-boot-services-stale-key",
	       exit_boot_services_stale());
}
