// SPDX-License-Identifier: MIT
/*
 * EFI_MEMORY_ATTRIBUTE_PROTOCOL (UEFI 2.10 section 37.7) from a client,
 * together with the services that hand memory out and take it back:
 * permissions a client gave its memory must not outlive the allocation.
 * FreePages and FreePool return the pages to read/write, execute-never in
 * the live tables, so the next owner of the page (the firmware's own pool
 * header included) can write it; GetMemoryAttributes then says so, as the
 * memory map does. And a client may change only what it was given: the
 * firmware's memory is refused with EFI_ACCESS_DENIED ("controlled by
 * system firmware"), never touched, whatever block it shares.
 */
#include "services.h"
#include "arm64.h"

/* f4560cf6-40ec-4b4a-a192-bf1d57d0b189, not in gnu-efi 3.0.15 */
#define MEMORY_ATTRIBUTE_PROTOCOL_GUID                                         \
	{                                                                      \
		0xf4560cf6, 0x40ec, 0x4b4a,                                    \
		{                                                              \
			0xa1, 0x92, 0xbf, 0x1d, 0x57, 0xd0, 0xb1, 0x89         \
		}                                                              \
	}
#define MEM_RO 0x0000000000020000ull /* EFI_MEMORY_RO */
#define MEM_XP 0x0000000000004000ull /* EFI_MEMORY_XP */
#define MEM_RP 0x0000000000002000ull /* EFI_MEMORY_RP */
#define MEM_ACCESS (MEM_RO | MEM_XP | MEM_RP)

struct memory_attribute_protocol {
	EFI_STATUS(EFIAPI *Get)
	(struct memory_attribute_protocol *this, EFI_PHYSICAL_ADDRESS base,
	 UINT64 length, UINT64 *attributes);
	EFI_STATUS(EFIAPI *Set)
	(struct memory_attribute_protocol *this, EFI_PHYSICAL_ADDRESS base,
	 UINT64 length, UINT64 attributes);
	EFI_STATUS(EFIAPI *Clear)
	(struct memory_attribute_protocol *this, EFI_PHYSICAL_ADDRESS base,
	 UINT64 length, UINT64 attributes);
};

static struct memory_attribute_protocol *ma;

static EFI_STATUS get(EFI_PHYSICAL_ADDRESS base, UINT64 length, UINT64 *attr)
{
	*attr = ~0ull;
	return ma->Get(ma, base, length, attr);
}

/* The access bits of the map's descriptor for @addr (~0 if none). */
static UINT64 map_access(EFI_PHYSICAL_ADDRESS addr)
{
	const struct memmap *m = memmap_now();
	EFI_MEMORY_DESCRIPTOR *d = m ? memmap_find(m, addr) : NULL;

	return d ? d->Attribute & MEM_ACCESS : ~0ull;
}

/*
 * A page that was given back: read/write and execute-never in the tables
 * (GetMemoryAttributes says XP, and only XP), no protection left in the
 * memory map, and writable in fact.
 */
static BOOLEAN plain_ram(EFI_PHYSICAL_ADDRESS a, UINTN pages)
{
	volatile UINT64 *p = (UINT64 *)(UINTN)a;
	UINT64 attr, in_map = map_access(a);
	EFI_STATUS s = get(a, pages * PAGE_SIZE, &attr);

	if (s || attr != MEM_XP)
		return why(L"GetMemoryAttributes(0x%lx, %ld pages) after the "
			   L"free: %r, 0x%lx; want XP (0x%lx), read/write",
			   a, pages, s, attr, MEM_XP);
	if (in_map & (MEM_RO | MEM_RP))
		return why(L"the memory map still has access bits 0x%lx at "
			   L"0x%lx",
			   in_map, a);
	p[0] = a;
	return p[0] == a || why(L"0x%lx does not hold what was written", a);
}

/*
 * The sequence: AllocatePages(1), SetMemoryAttributes(RO),
 * FreePages, AllocatePool(64). The pool lands in the page just freed
 * (mmuon allocates top-down), and its header is written there.
 */
static BOOLEAN free_pages_ro(void)
{
	EFI_PHYSICAL_ADDRESS a;
	UINT64 attr = 0;
	EFI_STATUS s;
	UINT8 *p;

	if (BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &a))
		return why(L"AllocatePages(1) failed");
	s = ma->Set(ma, a, PAGE_SIZE, MEM_RO);
	if (!s)
		s = get(a, PAGE_SIZE, &attr);
	if (s || attr != (MEM_RO | MEM_XP)) {
		BS->FreePages(a, 1);
		return why(L"SetMemoryAttributes(0x%lx, RO): %r, then 0x%lx", a,
			   s, attr);
	}
	s = BS->FreePages(a, 1);
	if (!status_is(s, EFI_SUCCESS, L"FreePages of the RO page"))
		return FALSE;
	if (BS->AllocatePool(EfiLoaderData, 64, (void **)&p))
		return why(L"AllocatePool(64) failed");
	SetMem(p, 64, 0x5a);
	say(L"page 0x%lx set RO, freed; AllocatePool(64) = 0x%lx, written; ", a,
	    (UINTN)p);
	BS->FreePool(p);
	if (((UINTN)p & ~PAGE_MASK) != a)
		return why(L"AllocatePool(64) = 0x%lx, not in the page just "
			   L"freed (0x%lx): the sequence was not reproduced",
			   (UINTN)p, a);
	return plain_ram(a, 1);
}

/* The same through FreePool: RO on the pool's own page, then FreePool,
 * which must not trip over its own header. */
static BOOLEAN free_pool_ro(void)
{
	EFI_PHYSICAL_ADDRESS page, again;
	EFI_STATUS s;
	UINT8 *p;

	if (BS->AllocatePool(EfiLoaderData, 64, (void **)&p))
		return why(L"AllocatePool(64) failed");
	page = (UINTN)p & ~PAGE_MASK;
	s = ma->Set(ma, page, PAGE_SIZE, MEM_RO);
	if (!status_is(s, EFI_SUCCESS, L"SetMemoryAttributes(pool page, RO)"))
		return FALSE;
	s = BS->FreePool(p);
	if (!status_is(s, EFI_SUCCESS, L"FreePool of the RO pool"))
		return FALSE;
	if (!plain_ram(page, 1))
		return FALSE;
	if (BS->AllocatePages(AllocateAnyPages, EfiLoaderData, 1, &again))
		return why(L"AllocatePages(1) failed");
	say(L"pool 0x%lx: its page set RO, FreePool %r; AllocatePages(1) = "
	    L"0x%lx, ",
	    (UINTN)p, s, again);
	BS->FreePages(again, 1);
	return again == page ||
	       why(L"AllocatePages(1) = 0x%lx, not the page just freed (0x%lx)",
		   again, page);
}

/* Code a client made executable (RO, then XP cleared): freed, it is data. */
static BOOLEAN free_pages_exec(void)
{
	EFI_PHYSICAL_ADDRESS a;
	EFI_STATUS set, clear, s;

	if (BS->AllocatePages(AllocateAnyPages, EfiLoaderCode, 4, &a))
		return why(L"AllocatePages(4) failed");
	set = ma->Set(ma, a, 4 * PAGE_SIZE, MEM_RO);
	clear = ma->Clear(ma, a, 4 * PAGE_SIZE, MEM_XP);
	s = BS->FreePages(a, 4);
	say(L"4 pages at 0x%lx: Set(RO) %r, Clear(XP) %r, FreePages %r; ", a,
	    set, clear, s);
	if (set || clear || s)
		return FALSE;
	if (!plain_ram(a, 4))
		return FALSE;
	say_more(L"then read/write, XP");
	return TRUE;
}

/* The first descriptor of @type, if any. */
static BOOLEAN first_of_type(UINT32 type, EFI_PHYSICAL_ADDRESS *addr)
{
	const struct memmap *m = memmap_now();
	EFI_MEMORY_DESCRIPTOR *d;

	if (!m)
		return FALSE;
	MEMMAP_FOR_EACH(m, d)
	{
		if (d->Type == type) {
			*addr = d->PhysicalStart;
			return TRUE;
		}
	}
	return FALSE;
}

/* The translation table base of the regime we run in: the firmware's. */
static EFI_PHYSICAL_ADDRESS root_table(void)
{
	UINT64 ttbr = current_el() == 2 ? read_sysreg(ttbr0_el2)
					: read_sysreg(ttbr0_el1);

	return ttbr & 0x0000fffffffff000ull;
}

/*
 * Where a walk from root_table() starts: level 1 for a 39-bit VA, level 0
 * above (4 KiB granule; T0SZ is bits [5:0] of TCR_EL1 and TCR_EL2 alike).
 */
static int root_level(void)
{
	UINT64 tcr =
		current_el() == 2 ? read_sysreg(tcr_el2) : read_sysreg(tcr_el1);

	return 64 - (tcr & 0x3f) > 39 ? 0 : 1;
}

/*
 * Set and Clear on one page that is not ours: EFI_ACCESS_DENIED, and the
 * page's attributes as they were.
 */
static BOOLEAN refused_with(const CHAR16 *what, EFI_PHYSICAL_ADDRESS a,
			    EFI_STATUS want)
{
	UINT64 before, after;
	EFI_STATUS g = get(a, PAGE_SIZE, &before), set, clear;

	set = ma->Set(ma, a, PAGE_SIZE, MEM_XP);
	clear = ma->Clear(ma, a, PAGE_SIZE, MEM_RO);
	get(a, PAGE_SIZE, &after);
	say_more(L"%s 0x%lx %r/%r; ", what, a, set, clear);
	if (set != want || clear != want)
		return why(L"%s at 0x%lx: Set(XP) %r, Clear(RO) %r, want %r",
			   what, a, set, clear, want);
	return g || before == after ||
	       why(L"%s at 0x%lx: attributes 0x%lx became 0x%lx", what, a,
		   before, after);
}

static BOOLEAN refused(const CHAR16 *what, EFI_PHYSICAL_ADDRESS a)
{
	return refused_with(what, a, EFI_ACCESS_DENIED);
}

/*
 * The firmware's memory, each kind once: its flash code (the issue's
 * Set(0x10000, 4 KiB, XP), which used to split the block holding the code
 * doing it and hang; the flash is not in the memory map, so UNSUPPORTED),
 * its runtime code in RAM, runtime data, MMIO, the stack we run on, the page
 * tables themselves, its own EfiBootServicesData (the loaded image protocol
 * it made for us), free memory, and a runtime allocation of ours.
 */
static BOOLEAN refuse_firmware(void)
{
	EFI_PHYSICAL_ADDRESS rt_code = 0, rt_data = 0, mmio = 0, free = 0;
	EFI_PHYSICAL_ADDRESS rt_mine;
	BOOLEAN ok;

	if (!first_of_type(EfiRuntimeServicesCode, &rt_code) ||
	    !first_of_type(EfiRuntimeServicesData, &rt_data) ||
	    !first_of_type(EfiMemoryMappedIO, &mmio) ||
	    !first_of_type(EfiConventionalMemory, &free))
		return why(L"no runtime code or data, MMIO or free memory in "
			   L"the map");
	if (BS->AllocatePages(AllocateAnyPages, EfiRuntimeServicesData, 1,
			      &rt_mine))
		return why(L"AllocatePages(EfiRuntimeServicesData) failed");
	say(L"");
	ok = refused_with(L"flash", 0x10000, EFI_UNSUPPORTED) &&
	     refused(L"runtime code", rt_code) &&
	     refused(L"runtime data", rt_data) && refused(L"MMIO", mmio) &&
	     refused(L"stack", current_sp() & ~PAGE_MASK) &&
	     refused(L"page table", root_table()) &&
	     refused(L"loaded image protocol",
		     (UINTN)self_image & ~PAGE_MASK) &&
	     refused(L"free memory", free) &&
	     refused(L"own runtime data", rt_mine);
	BS->FreePages(rt_mine, 1);
	return ok;
}

/*
 * What is ours still works: our image (LoadImage's), EfiBootServicesData
 * we allocated; a range that runs on from ours into free memory is
 * refused as a whole, and ours keeps its attributes.
 */
static BOOLEAN own_memory(void)
{
	EFI_PHYSICAL_ADDRESS image = (UINTN)self_image->ImageBase, a;
	EFI_STATUS headers, set, clear, across;
	UINT64 attr = 0;

	headers = ma->Set(ma, image, PAGE_SIZE, MEM_RO | MEM_XP);
	if (BS->AllocatePages(AllocateAnyPages, EfiBootServicesData, 2, &a) ||
	    BS->FreePages(a + PAGE_SIZE, 1))
		return why(L"AllocatePages(EfiBootServicesData, 2) failed");
	set = ma->Set(ma, a, PAGE_SIZE, MEM_RO);
	clear = ma->Clear(ma, a, PAGE_SIZE, MEM_RO);
	across = ma->Set(ma, a, 2 * PAGE_SIZE, MEM_RO);
	get(a, PAGE_SIZE, &attr);
	BS->FreePages(a, 1);
	say(L"own headers Set(RO|XP) %r; own BootServicesData 0x%lx Set(RO) "
	    L"%r, Clear(RO) %r; with the free page after it %r, then 0x%lx",
	    headers, a, set, clear, across, attr);
	return !headers && !set && !clear && across == EFI_ACCESS_DENIED &&
	       attr == MEM_XP;
}

/* ---- the page-table pool ------------------------------------------------- */

/* mmuon's MMUON_PGTABLE_POOL_PROTOCOL_GUID: its live counters. */
#define PGTABLE_POOL_PROTOCOL_GUID                                             \
	{                                                                      \
		0xe6b5afee, 0xea0e, 0x4417,                                    \
		{                                                              \
			0xa1, 0x52, 0x1c, 0x41, 0xfd, 0x96, 0x8c, 0x95         \
		}                                                              \
	}

struct pgtable_pool {
	UINT64 tables, in_use, peak, grown;
};

#define DESC_TABLE 3ull /* bits [1:0] of a table descriptor, levels 0-2 */
#define DESC_OA 0x0000fffffffff000ull

/* The tables a walk from @table (at @level) reaches, @table included. */
static UINTN count_tables(const UINT64 *table, int level)
{
	UINTN n = 1, i;

	for (i = 0; level < 3 && i < 512; i++)
		if ((table[i] & 3) == DESC_TABLE)
			n += count_tables(
				(const UINT64 *)(UINTN)(table[i] & DESC_OA),
				level + 1);
	return n;
}

static UINT64 free_pages(void)
{
	const struct memmap *m = memmap_now();
	EFI_MEMORY_DESCRIPTOR *d;
	UINT64 n = 0;

	if (m)
		MEMMAP_FOR_EACH(m, d)
		{
			if (d->Type == EfiConventionalMemory)
				n += d->NumberOfPages;
		}
	return n;
}

#define CYCLES 500
#define REGIONS 8192 /* 2 MiB regions told apart: 16 GiB */
#define HELD 32

/*
 * Allocations go to the highest free range they fit in: to steer the
 * images, every free range but the largest is held for the duration, so
 * that a pad at the top of the largest one puts the image right below it.
 * Returns the largest range's pages.
 */
static UINT64 hold_all_but_largest(EFI_PHYSICAL_ADDRESS *held, UINT64 *pages,
				   UINTN *n)
{
	const struct memmap *m = memmap_now();
	EFI_MEMORY_DESCRIPTOR *d, *largest = NULL;
	EFI_PHYSICAL_ADDRESS at[HELD];
	UINT64 len[HELD], top = 0;
	UINTN i, count = 0;

	*n = 0;
	if (!m)
		return 0;
	MEMMAP_FOR_EACH(m, d)
	{
		if (d->Type != EfiConventionalMemory)
			continue;
		if (!largest || d->NumberOfPages > largest->NumberOfPages)
			largest = d;
		if (count < HELD) {
			at[count] = d->PhysicalStart;
			len[count++] = d->NumberOfPages;
		}
	}
	if (largest)
		top = largest->NumberOfPages;
	for (i = 0; i < count; i++) {
		if (len[i] == top ||
		    BS->AllocatePages(AllocateAddress, EfiLoaderData, len[i],
				      &at[i]))
			continue;
		held[*n] = at[i];
		pages[(*n)++] = len[i];
	}
	return top;
}

/*
 * One LoadImage/UnloadImage cycle, the image placed by a pad allocation
 * in front of it (AllocatePages goes top-down, then the image): the image
 * must load, and its pages must be read/write, execute-never once it is
 * unloaded.
 */
static BOOLEAN load_unload(UINTN i, UINT64 pad, EFI_PHYSICAL_ADDRESS *base)
{
	EFI_PHYSICAL_ADDRESS p = 0;
	EFI_LOADED_IMAGE *li;
	UINT64 attr, size;
	EFI_STATUS s;
	EFI_HANDLE h;

	if (pad && BS->AllocatePages(AllocateAnyPages, EfiLoaderData, pad, &p))
		return why(L"cycle %ld: AllocatePages(%ld) failed", i, pad);
	s = load_child(&h);
	if (s) {
		if (pad)
			BS->FreePages(p, pad);
		return why(L"cycle %ld: LoadImage %r", i, s);
	}
	li = loaded_image(h);
	*base = (UINTN)li->ImageBase;
	size = (li->ImageSize + PAGE_MASK) & ~PAGE_MASK;
	s = BS->UnloadImage(h);
	if (pad)
		BS->FreePages(p, pad);
	if (s)
		return why(L"cycle %ld: UnloadImage %r", i, s);
	s = get(*base, size, &attr);
	return (!s && attr == MEM_XP) ||
	       why(L"cycle %ld: the unloaded image [0x%lx, +0x%lx): %r, "
		   L"attributes 0x%lx, want XP",
		   i, *base, size, s, attr);
}

/*
 * 500 LoadImage/UnloadImage cycles at addresses spread over free RAM:
 * each image splits the block it lands in (its code is read-only and
 * executable), and unloading makes the range uniform again. The tables
 * must come back: at the end the pool is as it started (mmuon's counters),
 * the live tree has as many tables as before and as the pool says are in
 * use (walked here from TTBR0), and no free memory went to the pool.
 */
static BOOLEAN pool_cycles(void)
{
	static EFI_GUID guid = PGTABLE_POOL_PROTOCOL_GUID;
	static UINT8 seen[REGIONS / 8];
	struct pgtable_pool *pool = NULL, before = {0};
	const UINT64 *root = (const UINT64 *)(UINTN)root_table();
	UINTN walked = count_tables(root, root_level()), regions = 0, i, nheld;
	UINT64 free0 = free_pages(), max_pad, held_pages[HELD];
	EFI_PHYSICAL_ADDRESS base = 0, held[HELD];
	BOOLEAN ok = TRUE;

	if (!BS->LocateProtocol(&guid, NULL, (void **)&pool) && pool)
		before = *pool;
	max_pad = hold_all_but_largest(held, held_pages, &nheld) / 2;
	for (i = 0; ok && i < CYCLES; i++) {
		/* Up to half of that range, stepping over 2 MiB regions. */
		UINT64 pad =
			max_pad ? ((i * 97) % 256 * 512 + i % 512) % max_pad
				: 0;
		UINTN r;

		ok = load_unload(i, pad, &base);
		r = ((base - 0x40000000ull) >> 21) % REGIONS;
		if (!(seen[r / 8] & (1 << r % 8)))
			regions++;
		seen[r / 8] |= 1 << r % 8;
	}
	for (i = 0; i < nheld; i++)
		BS->FreePages(held[i], held_pages[i]);
	if (!ok) {
		say_more(L"; pool %ld tables, %ld in use",
			 pool ? pool->tables : 0, pool ? pool->in_use : 0);
		return FALSE;
	}
	say(L"%d cycles in %ld 2 MiB regions; pool tables %ld -> %ld, in use "
	    L"%ld -> %ld (peak %ld, grown %ld pages); tables walked %ld -> "
	    L"%ld; free pages %ld -> %ld",
	    CYCLES, regions, before.tables, pool ? pool->tables : 0,
	    before.in_use, pool ? pool->in_use : 0, pool ? pool->peak : 0,
	    pool ? pool->grown : 0, walked, count_tables(root, root_level()),
	    free0, free_pages());
	if (!pool)
		return why(L"%s; no page-table pool protocol", said());
	return regions >= 64 && pool->tables == before.tables &&
	       pool->in_use == before.in_use && before.in_use == walked &&
	       count_tables(root, root_level()) == walked &&
	       free_pages() == free0;
}

/* Pages, each in a 2 MiB region of its own: more tables than the static
 * pool holds, few enough entries for the memory map (128). */
#define SPREAD 40
#define SZ_2M 0x200000ull
#define POOL_CHUNK 16 /* pages mmuon adds to the pool at a time */

/* The level 3 table that maps @va, or 0 (a walk from TTBR0). */
static EFI_PHYSICAL_ADDRESS l3_table_of(EFI_PHYSICAL_ADDRESS va)
{
	const UINT64 *t = (const UINT64 *)(UINTN)root_table();
	int level;

	for (level = root_level(); level < 3; level++) {
		UINT64 d = t[(va >> (12 + 9 * (3 - level))) & 511];

		if ((d & 3) != DESC_TABLE)
			return 0;
		t = (const UINT64 *)(UINTN)(d & DESC_OA);
	}
	return (UINTN)t;
}

/* The lowest 2 MiB boundary of the largest free range, and its end. */
static BOOLEAN largest_free(EFI_PHYSICAL_ADDRESS *start,
			    EFI_PHYSICAL_ADDRESS *end)
{
	const struct memmap *m = memmap_now();
	EFI_MEMORY_DESCRIPTOR *d, *best = NULL;

	if (!m)
		return FALSE;
	MEMMAP_FOR_EACH(m, d)
	{
		if (d->Type == EfiConventionalMemory &&
		    (!best || d->NumberOfPages > best->NumberOfPages))
			best = d;
	}
	if (!best)
		return FALSE;
	*start = (best->PhysicalStart + SZ_2M - 1) & ~(SZ_2M - 1);
	*end = best->PhysicalStart + best->NumberOfPages * PAGE_SIZE;
	return TRUE;
}

/*
 * More tables at once than mmuon's static pool holds: one read-only page
 * in each of 40 2 MiB regions. The pool must grow from free RAM, the new
 * table pages must be the firmware's (refused to SetMemoryAttributes and
 * FreePages), and once the pages are freed the tables come back: all but
 * those that map the new pool pages themselves (at most a level 2 and a
 * level 3 table per 64 KiB chunk), and exactly the ones a walk finds. The
 * pool keeps its size.
 */
static BOOLEAN pool_grows(void)
{
	static EFI_GUID guid = PGTABLE_POOL_PROTOCOL_GUID;
	const UINT64 *root = (const UINT64 *)(UINTN)root_table();
	struct pgtable_pool *pool = NULL, before, mid;
	EFI_PHYSICAL_ADDRESS start, end, page[SPREAD], table = 0;
	EFI_STATUS set = EFI_SUCCESS, table_set, table_free;
	UINTN i, n = 0;

	if (BS->LocateProtocol(&guid, NULL, (void **)&pool) || !pool)
		return why(L"no page-table pool protocol");
	if (!largest_free(&start, &end) || end - start < SPREAD * SZ_2M)
		return why(L"no free range of %d x 2 MiB", SPREAD);
	before = *pool;
	for (n = 0; n < SPREAD; n++) {
		page[n] = start + n * SZ_2M + PAGE_SIZE;
		set = BS->AllocatePages(AllocateAddress, EfiLoaderData, 1,
					&page[n]);
		if (set)
			break;
		set = ma->Set(ma, page[n], PAGE_SIZE, MEM_RO);
		if (set) {
			BS->FreePages(page[n], 1);
			break;
		}
	}
	mid = *pool;
	if (n)
		table = l3_table_of(page[n - 1]);
	table_set = ma->Set(ma, table, PAGE_SIZE, MEM_XP);
	table_free = BS->FreePages(table, 1);
	for (i = 0; i < n; i++)
		BS->FreePages(page[i], 1);
	say(L"%ld pages RO (%r): pool tables %ld -> %ld (grown %ld -> %ld "
	    L"pages), in use %ld -> %ld -> %ld; a new table at 0x%lx, type "
	    L"%d: Set(XP) %r, FreePages %r",
	    n, set, before.tables, mid.tables, before.grown, mid.grown,
	    before.in_use, mid.in_use, pool->in_use, table,
	    memmap_type_at(table), table_set, table_free);
	say_more(L"; %ld tables walked", count_tables(root, root_level()));
	return !set && n == SPREAD && mid.in_use >= before.in_use + SPREAD &&
	       mid.tables > before.tables && mid.grown > before.grown &&
	       table && memmap_type_at(table) == EfiBootServicesData &&
	       table_set == EFI_ACCESS_DENIED && table_free == EFI_NOT_FOUND &&
	       pool->in_use - before.in_use <=
		       2 * (mid.grown - before.grown) / POOL_CHUNK &&
	       pool->in_use == count_tables(root, root_level()) &&
	       pool->tables == mid.tables;
}

void check_memattr(void)
{
	static EFI_GUID guid = MEMORY_ATTRIBUTE_PROTOCOL_GUID;

	if (BS->LocateProtocol(&guid, NULL, (void **)&ma) || !ma) {
		say(L"no EFI_MEMORY_ATTRIBUTE_PROTOCOL");
		report("memattr.protocol", FALSE);
		return;
	}
	report("memattr.free-pages-ro", free_pages_ro());
	report("memattr.free-pool-ro", free_pool_ro());
	report("memattr.free-pages-exec", free_pages_exec());
	report("memattr.refuse-firmware", refuse_firmware());
	report("memattr.own-memory", own_memory());
	report("memattr.pool-cycles", pool_cycles());
	report("memattr.pool-grows", pool_grows());
}
