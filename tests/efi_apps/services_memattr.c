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
}
