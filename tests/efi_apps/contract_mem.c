// SPDX-License-Identifier: MIT
/*
 * The contract checker's memory checks (docs/boot-protocol.md, section 3):
 * every range is looked up with the software walker (ptwalk.c) and, where
 * the walk says it is mapped, asked of the MMU too (AT), so that a walker
 * bug cannot pass for a firmware bug or hide one.
 */
#include "contract.h"
#include "arm64.h"

/* Leaf descriptor bits the whole-table checks look at (Arm ARM D8.3). */
#define DESC_AF (1ull << 10)
#define DESC_NG (1ull << 11)
#define DESC_UXN (1ull << 54) /* EL1&0 regime only */

/* PE/COFF offsets (Microsoft PE format), read from the image in memory. */
#define DOS_LFANEW 0x3c
#define PE_SIGNATURE 0x00004550
#define COFF_NSECTIONS 6
#define COFF_OPT_SIZE 20
#define COFF_SIZE 24
#define OPT_SECTION_ALIGN 32
#define OPT_IMAGE_SIZE 56
#define OPT_HEADERS_SIZE 60
#define OPT_DLL_CHARACTERISTICS 70
#define DLL_NX_COMPAT 0x0100
#define SEC_SIZE 40
#define SEC_VSIZE 8
#define SEC_VADDR 12
#define SEC_RAW_SIZE 16
#define SEC_CHARACTERISTICS 36
#define SCN_CNT_CODE 0x00000020u
#define SCN_MEM_EXECUTE 0x20000000u
#define SCN_MEM_WRITE 0x80000000u

/* How far below sp to look for the stack's guard page. */
#define GUARD_SEARCH (16ull << 20)

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static const char *perm_name(enum perm perm)
{
	switch (perm) {
	case PERM_RX:
		return "read-only+exec";
	case PERM_RW:
		return "writable+XN";
	case PERM_RO:
		return "read-only+XN";
	case PERM_RWX:
		return "writable+exec";
	default:
		return "any permissions";
	}
}

/* ---- translation of address ranges ------------------------------------ */

static BOOLEAN perm_ok(const struct pt_leaf *leaf, enum perm perm)
{
	switch (perm) {
	case PERM_RX:
		return leaf->exec && !leaf->write;
	case PERM_RW:
		return leaf->write && !leaf->exec;
	case PERM_RO:
		return !leaf->write && !leaf->exec;
	case PERM_RWX:
		return leaf->write && leaf->exec;
	default:
		return TRUE;
	}
}

/* The MMU's own answer (AT) must agree with what the walk found. */
static BOOLEAN mmu_agrees(uint64_t va, const struct pt_leaf *leaf,
			  enum perm perm)
{
	uint64_t par = at_probe(cpu.el, va, FALSE), parw;

	if ((par & PAR_F) || PAR_PA(par) != va ||
	    PAR_ATTR(par) != ATTR_NORMAL_WB)
		return why(L"VA 0x%lx: the MMU (AT) says PAR=0x%lx, the walk "
			   L"desc 0x%lx",
			   va, par, leaf->desc);
	if (perm == PERM_ANY)
		return TRUE;
	parw = at_probe(cpu.el, va, TRUE);
	if (!(parw & PAR_F) != leaf->write)
		return why(L"VA 0x%lx: the walk says write=%d, AT write says "
			   L"PAR=0x%lx",
			   va, leaf->write, parw);
	return TRUE;
}

static BOOLEAN leaf_ok(uint64_t va, const struct pt_leaf *leaf, enum perm perm)
{
	uint64_t pa = leaf->oa + (va - leaf->base);

	if (pa != va)
		return why(L"VA 0x%lx maps to PA 0x%lx (L%d desc 0x%lx)", va,
			   pa, leaf->level, leaf->desc);
	if (leaf->attr != ATTR_NORMAL_WB)
		return why(L"VA 0x%lx: MAIR attr 0x%02x, not Normal WB "
			   L"(L%d desc 0x%lx)",
			   va, leaf->attr, leaf->level, leaf->desc);
	if (leaf->sh != SH_INNER)
		return why(L"VA 0x%lx: SH=%d, not inner shareable (desc 0x%lx)",
			   va, leaf->sh, leaf->desc);
	if (!perm_ok(leaf, perm))
		return why(L"VA 0x%lx: write=%d exec=%d, want %a (L%d desc "
			   L"0x%lx)",
			   va, leaf->write, leaf->exec, perm_name(perm),
			   leaf->level, leaf->desc);
	return mmu_agrees(va, leaf, perm);
}

BOOLEAN range_ok(uint64_t start, uint64_t end, enum perm perm)
{
	uint64_t va = start & ~PAGE_MASK;

	while (va < end) {
		struct pt_leaf leaf;
		enum pt_status st = pt_lookup(&regime, va, &leaf);

		if (st != PT_MAPPED)
			return why(L"VA 0x%lx: %a (L%d entry for "
				   L"[0x%lx, +0x%lx), desc 0x%lx)",
				   va, pt_status_str(st), leaf.level, leaf.base,
				   leaf.size, leaf.desc);
		if (!leaf_ok(va, &leaf, perm))
			return FALSE;
		va = leaf.base + leaf.size;
	}
	return TRUE;
}

/* ---- the image itself ------------------------------------------------ */

static void section_name(char *out, const uint8_t *sh)
{
	static const char prefix[] = "image.";
	unsigned i, n = sizeof(prefix) - 1, j = sh[0] == '.' ? 1 : 0;

	for (i = 0; i < n; i++)
		out[i] = prefix[i];
	for (; j < 8 && sh[j] > ' ' && sh[j] < 0x7f; j++)
		out[n++] = (char)sh[j];
	out[n] = 0;
}

static enum perm section_perm(uint32_t characteristics)
{
	if (characteristics & (SCN_MEM_EXECUTE | SCN_CNT_CODE))
		return PERM_RX;
	if (characteristics & SCN_MEM_WRITE)
		return PERM_RW;
	return PERM_RO;
}

static void check_section(uint64_t base, const uint8_t *sh)
{
	uint32_t vsize = le32(sh + SEC_VSIZE), rva = le32(sh + SEC_VADDR);
	uint32_t chars = le32(sh + SEC_CHARACTERISTICS);
	enum perm perm = section_perm(chars);
	char name[16];
	BOOLEAN ok;

	if (!vsize)
		vsize = le32(sh + SEC_RAW_SIZE);
	if (!vsize)
		return; /* an empty placeholder: nothing is mapped for it */
	section_name(name, sh);
	ok = range_ok(base + rva, base + rva + vsize, perm);
	if (ok)
		say(L"[0x%lx, +0x%x) characteristics 0x%08x: identity, "
		    L"Normal WB, inner shareable, %a",
		    base + rva, vsize, chars, perm_name(perm));
	report(name, ok);
}

/* The image as a whole: where it is, and that the loader kept its
 * layout (SectionAlignment, SizeOfImage, entry inside). */
static BOOLEAN image_ok(uint64_t base, uint64_t size, const uint8_t *opt)
{
	uint64_t entry = (uint64_t)(uintptr_t)efi_main;
	uint32_t align = le32(opt + OPT_SECTION_ALIGN);

	if (base & PAGE_MASK)
		return why(L"ImageBase 0x%lx not page aligned", base);
	if (align < PAGE_SIZE)
		return why(L"SectionAlignment 0x%x < 4 KiB", align);
	if (size != le32(opt + OPT_IMAGE_SIZE))
		return why(L"ImageSize 0x%lx != SizeOfImage 0x%x", size,
			   le32(opt + OPT_IMAGE_SIZE));
	if (entry < base || entry >= base + size)
		return why(L"efi_main 0x%lx outside [0x%lx, +0x%lx)", entry,
			   base, size);
	if (!range_ok(base, base + size, PERM_ANY))
		return FALSE;
	say(L"ImageBase 0x%lx ImageSize 0x%lx SectionAlignment 0x%x: "
	    L"identity, Normal WB",
	    base, size, align);
	return TRUE;
}

static void check_headers(uint64_t base, uint32_t size)
{
	BOOLEAN ok = range_ok(base, base + size, PERM_RO);

	if (ok)
		say(L"[0x%lx, +0x%x): identity, Normal WB, read-only+XN", base,
		    size);
	report("image.headers", ok);
}

void check_image(EFI_LOADED_IMAGE *li)
{
	const uint8_t *p, *nt, *opt, *table;
	uint64_t base;
	unsigned i, nsec;

	if (!li) {
		say(L"no EFI_LOADED_IMAGE_PROTOCOL on the image handle");
		report("image", FALSE);
		return;
	}
	base = (uint64_t)(uintptr_t)li->ImageBase;
	p = li->ImageBase;
	nt = p + le32(p + DOS_LFANEW);
	if (le32(nt) != PE_SIGNATURE) {
		say(L"no PE header at ImageBase 0x%lx", base);
		report("image", FALSE);
		return;
	}
	opt = nt + COFF_SIZE;
	report("image", image_ok(base, li->ImageSize, opt));
	check_headers(base, le32(opt + OPT_HEADERS_SIZE));
	nsec = le16(nt + COFF_NSECTIONS);
	table = opt + le16(nt + COFF_OPT_SIZE);
	for (i = 0; i < nsec; i++)
		check_section(base, table + i * SEC_SIZE);
}

/* ---- stack and allocations ------------------------------------------- */

/* mmuon's code and read-only data, which runtime services run from. */
void check_flash(void)
{
	BOOLEAN ok = range_ok(FLASH_BASE, FLASH_BASE + FLASH_SIZE, PERM_RX);

	if (ok)
		say(L"[0x%lx, +0x%lx): identity, Normal WB, %a", FLASH_BASE,
		    FLASH_SIZE, perm_name(PERM_RX));
	report("flash", ok);
}

/* On SP_EL0 (SPSel = 0), 16-byte aligned, writable and execute-never. */
static BOOLEAN stack_ok(uint64_t sp)
{
	uint64_t spsel = read_sysreg(SPSel) & 1;

	if (spsel)
		return why(L"sp 0x%lx is SP_EL%d, not SP_EL0", sp, cpu.el);
	if (sp & 15)
		return why(L"sp 0x%lx not 16-byte aligned", sp);
	if (!range_ok(sp, sp + 1, PERM_RW))
		return FALSE;
	say(L"sp 0x%lx on SP_EL0: identity, Normal WB, writable+XN", sp);
	return TRUE;
}

/*
 * The one hole the contract (section 3) allows in RAM: the guard page
 * below mmuon's boot stack, which is the stack we run on. It is the first
 * unmapped page below sp, and it must be a single page.
 */
static uint64_t find_stack_guard(void)
{
	uint64_t va = current_sp() & ~PAGE_MASK;
	uint64_t stop = va > GUARD_SEARCH ? va - GUARD_SEARCH : 0;
	struct pt_leaf leaf = {0};

	while (va > stop) {
		if (pt_lookup(&regime, va, &leaf) != PT_MAPPED)
			break;
		va = leaf.base > stop ? leaf.base - PAGE_SIZE : stop;
	}
	if (va <= stop || leaf.size != PAGE_SIZE)
		return 0;
	if (pt_lookup(&regime, va - PAGE_SIZE, &leaf) != PT_MAPPED)
		return 0; /* a larger hole: not the guard page */
	return va;
}

/* UEFI 2.10 section 2.3.6 (AArch64): "128 KiB or more of available stack
 * space" when an image is entered. */
#define MIN_STACK (128ull << 10)

void check_stack(void)
{
	uint64_t sp = current_sp(), guard;
	BOOLEAN ok = stack_ok(sp);

	guard = ok ? find_stack_guard() : 0;
	if (guard)
		say_more(L"; %ld KiB mapped below it, down to the guard page",
			 (sp - guard - PAGE_SIZE) >> 10);
	report("stack", ok);

	/*
	 * Measured from sp at efi_main, below the entry point's own frame
	 * (gnu-efi's _start): what the image is given is a little more.
	 */
	if (!guard) {
		say(L"no guard page found below sp 0x%lx: the stack's bottom "
		    L"is "
		    L"unknown",
		    sp);
		report("stack-size", FALSE);
		return;
	}
	say(L"sp 0x%lx at efi_main, guard page 0x%lx: %ld bytes (%ld KiB) "
	    L"of stack; UEFI 2.10 section 2.3.6 wants at least %ld KiB",
	    cpu.sp, guard, cpu.sp - guard - PAGE_SIZE,
	    (cpu.sp - guard - PAGE_SIZE) >> 10, MIN_STACK >> 10);
	report("stack-size", cpu.sp - guard - PAGE_SIZE >= MIN_STACK);
}

/* Memory handed to us must hold what we write. */
static BOOLEAN holds_pattern(volatile uint64_t *p, UINTN bytes)
{
	UINTN i, n = bytes / sizeof(*p);

	for (i = 0; i < n; i++)
		p[i] = 0x6d6d756f6e000000ull ^ i;
	for (i = 0; i < n; i++)
		if (p[i] != (0x6d6d756f6e000000ull ^ i))
			return why(L"0x%lx does not read back what was written",
				   (uint64_t)(uintptr_t)&p[i]);
	return TRUE;
}

void check_allocate_pages(void)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	EFI_STATUS st;
	BOOLEAN ok;

	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages,
			       EfiLoaderData, 2, &addr);
	if (EFI_ERROR(st)) {
		say(L"AllocatePages: %r", st);
		report("allocate-pages", FALSE);
		return;
	}
	ok = range_ok(addr, addr + 2 * PAGE_SIZE, PERM_RW) &&
	     holds_pattern((uint64_t *)(uintptr_t)addr, 2 * PAGE_SIZE);
	if (ok)
		say(L"2 pages at 0x%lx: identity, Normal WB, writable+XN",
		    addr);
	report("allocate-pages", ok);
	uefi_call_wrapper(BS->FreePages, 2, addr, 2);
}

void check_allocate_pool(void)
{
	const UINTN size = 200;
	void *buf = NULL;
	EFI_STATUS st;
	BOOLEAN ok;

	st = uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData, size, &buf);
	if (EFI_ERROR(st)) {
		say(L"AllocatePool: %r", st);
		report("allocate-pool", FALSE);
		return;
	}
	ok = range_ok((uintptr_t)buf, (uintptr_t)buf + size, PERM_RW) &&
	     holds_pattern(buf, size);
	if (ok)
		say(L"%d bytes at 0x%lx: identity, Normal WB, writable+XN",
		    (int)size, (uint64_t)(uintptr_t)buf);
	report("allocate-pool", ok);
	uefi_call_wrapper(BS->FreePool, 1, buf);
}

/* The page AllocatePages(EfiLoaderCode) gave, and whether it may be W+X. */
static EFI_PHYSICAL_ADDRESS code_page;
static BOOLEAN code_page_rwx;

static BOOLEAN image_is_nx_compat(const EFI_LOADED_IMAGE *li)
{
	const uint8_t *p = li->ImageBase;
	const uint8_t *opt = p + le32(p + DOS_LFANEW) + COFF_SIZE;

	return !!(le16(opt + OPT_DLL_CHARACTERISTICS) & DLL_NX_COMPAT);
}

/*
 * Runs "mov w0, #42; ret" from the page: written through the data side,
 * so cleaned to the PoU and invalidated in the I-cache first (Arm ARM,
 * "Concurrent modification and execution of instructions").
 */
static BOOLEAN runs_code(EFI_PHYSICAL_ADDRESS page)
{
	volatile uint32_t *insn = (uint32_t *)(uintptr_t)page;
	uint32_t (*fn)(void) = (uint32_t(*)(void))(uintptr_t)page;
	uint32_t got;

	insn[0] = 0x52800540; /* mov w0, #42 */
	insn[1] = 0xd65f03c0; /* ret */
	asm volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb"
		     :
		     : "r"(page)
		     : "memory");
	got = fn();
	if (got != 42)
		return why(L"code at 0x%lx returned %d, not 42", page, got);
	return TRUE;
}

void check_allocate_code(EFI_LOADED_IMAGE *li)
{
	EFI_STATUS st;
	BOOLEAN nx, ok;

	if (!li) {
		say(L"no EFI_LOADED_IMAGE_PROTOCOL on the image handle");
		report("allocate-code", FALSE);
		return;
	}
	nx = image_is_nx_compat(li);
	/* In the image's own GiB, already split into pages for it: other
	 * 1 GiB blocks stay whole for the walk to meet (the 2 GiB test). */
	code_page = (uintptr_t)li->ImageBase | (0x40000000ull - 1);
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress,
			       EfiLoaderCode, 1, &code_page);
	if (EFI_ERROR(st)) {
		say(L"AllocatePages(EfiLoaderCode): %r", st);
		code_page = 0;
		report("allocate-code", FALSE);
		return;
	}
	code_page_rwx = !nx;
	if (nx)
		ok = range_ok(code_page, code_page + PAGE_SIZE, PERM_RW) &&
		     holds_pattern((uint64_t *)(uintptr_t)code_page, PAGE_SIZE);
	else
		ok = range_ok(code_page, code_page + PAGE_SIZE, PERM_RWX) &&
		     runs_code(code_page);
	if (ok)
		say(L"NX_COMPAT=%d: EfiLoaderCode page at 0x%lx: identity, "
		    L"Normal WB, %a%a",
		    nx, code_page, perm_name(nx ? PERM_RW : PERM_RWX),
		    nx ? "" : ", runs code");
	report("allocate-code", ok);
}

void free_code_allocation(void)
{
	if (code_page)
		uefi_call_wrapper(BS->FreePages, 2, code_page, 1);
	code_page = 0;
}

/* ---- every leaf of the tables ------------------------------------------ */

struct leaf_census {
	uint64_t wx, first_wx;	      /* writable and executable */
	uint64_t no_af, ng, el0_exec; /* AF = 0, nG = 1, UXN = 0 at EL1 */
	uint64_t outer, first_outer;  /* Normal WB, not inner shareable */
	uint64_t device, device_exec, first_device_exec;
	uint64_t other, first_other; /* neither Normal WB nor Device */
};

static void note(uint64_t *count, uint64_t *first, uint64_t va)
{
	if (!(*count)++)
		*first = va;
}

static void count_leaf(void *ctx, const struct pt_leaf *leaf)
{
	struct leaf_census *c = ctx;

	/* The one W+X page a non-NX_COMPAT image asked for is allowed. */
	if (leaf->write && leaf->exec &&
	    !(code_page_rwx && leaf->base == code_page &&
	      leaf->size == PAGE_SIZE))
		note(&c->wx, &c->first_wx, leaf->base);
	c->no_af += !(leaf->desc & DESC_AF);
	c->ng += !!(leaf->desc & DESC_NG);
	c->el0_exec += (cpu.el == 1 || cpu.e2h) && !(leaf->desc & DESC_UXN);
	if (leaf->attr == ATTR_NORMAL_WB && leaf->sh != SH_INNER)
		note(&c->outer, &c->first_outer, leaf->base);
	if (leaf->attr == ATTR_DEVICE_nGnRE ||
	    leaf->attr == ATTR_DEVICE_nGnRnE) {
		c->device++;
		if (leaf->exec)
			note(&c->device_exec, &c->first_device_exec,
			     leaf->base);
	} else if (leaf->attr != ATTR_NORMAL_WB) {
		note(&c->other, &c->first_other, leaf->base);
	}
}

/* W^X, with the shape of the tables. */
static void report_wx(const struct leaf_census *c, const struct pt_stats *s)
{
	say(L"%ld tables, leaves L1=%ld L2=%ld L3=%ld, WXN=%d: %ld W+X, %ld "
	    L"unreadable/reserved",
	    s->tables, s->leaves[1], s->leaves[2], s->leaves[3],
	    !!(cpu.sctlr & SCTLR_WXN), c->wx, s->bad);
	if (code_page_rwx)
		say_more(L" (besides the EfiLoaderCode page at 0x%lx)",
			 code_page);
	if (c->wx)
		say_more(L"; first W+X at VA 0x%lx", c->first_wx);
	if (s->bad)
		say_more(L"; first unreadable/reserved at 0x%lx", s->first_bad);
	report("wx", !c->wx && !s->bad);
}

/* Section 2: AF = 1, global; nothing runs at EL0; Normal is inner
 * shareable. */
static void report_descriptors(const struct leaf_census *c)
{
	say(L"AF=0: %ld, nG=1: %ld, EL0-executable: %ld, Normal WB not inner "
	    L"shareable: %ld",
	    c->no_af, c->ng, c->el0_exec, c->outer);
	if (c->outer)
		say_more(L" (first at VA 0x%lx)", c->first_outer);
	report("descriptors", !c->no_af && !c->ng && !c->el0_exec && !c->outer);
}

/*
 * Section 3: devices are Device-nGnRE (Device-nGnRnE where the memory map
 * says EFI_MEMORY_UC: see "mmio") and execute-never; no other type.
 */
static void report_devices(const struct leaf_census *c)
{
	say(L"%ld Device leaves, %ld executable; %ld of another memory "
	    L"type",
	    c->device, c->device_exec, c->other);
	if (c->device_exec)
		say_more(L"; first executable device at VA 0x%lx",
			 c->first_device_exec);
	if (c->other)
		say_more(L"; first other type at VA 0x%lx", c->first_other);
	report("devices", c->device && !c->device_exec && !c->other);
}

void check_leaves(void)
{
	struct leaf_census c = {0};
	struct pt_stats s;

	pt_for_each_leaf(&regime, count_leaf, &c, &s);
	report_wx(&c, &s);
	report_descriptors(&c);
	report_devices(&c);
}

/* ---- RAM from the memory map ------------------------------------------ */

static BOOLEAN is_ram_checked(UINT32 type)
{
	return type == EfiConventionalMemory || type == EfiLoaderCode ||
	       type == EfiLoaderData || type == EfiBootServicesCode ||
	       type == EfiBootServicesData;
}

static const char *type_name(UINT32 type)
{
	switch (type) {
	case EfiLoaderCode:
		return "LoaderCode";
	case EfiLoaderData:
		return "LoaderData";
	case EfiBootServicesCode:
		return "BootServicesCode";
	case EfiBootServicesData:
		return "BootServicesData";
	case EfiConventionalMemory:
		return "ConventionalMemory";
	}
	return "other";
}

static EFI_MEMORY_DESCRIPTOR *get_memory_map(UINTN *size, UINTN *desc_size)
{
	EFI_MEMORY_DESCRIPTOR *map = NULL;
	UINTN key;
	UINT32 version;
	EFI_STATUS st;

	*size = 0;
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, size, NULL, &key, desc_size,
			       &version);
	if (st != EFI_BUFFER_TOO_SMALL)
		return NULL;
	/* The pool allocation itself may split a region or two. */
	*size += 4 * *desc_size;
	st = uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData, *size,
			       (void **)&map);
	if (EFI_ERROR(st))
		return NULL;
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, size, map, &key, desc_size,
			       &version);
	if (EFI_ERROR(st)) {
		uefi_call_wrapper(BS->FreePool, 1, map);
		return NULL;
	}
	return map;
}

/* A memory map region, less the guard page if it falls inside. */
static BOOLEAN region_ok(uint64_t start, uint64_t end, uint64_t guard)
{
	if (!guard || guard < start || guard >= end)
		return range_ok(start, end, PERM_ANY);
	return (guard == start || range_ok(start, guard, PERM_ANY)) &&
	       (guard + PAGE_SIZE == end ||
		range_ok(guard + PAGE_SIZE, end, PERM_ANY));
}

void check_ram(void)
{
	UINTN size, desc_size, off;
	EFI_MEMORY_DESCRIPTOR *map = get_memory_map(&size, &desc_size);
	uint64_t pages = 0, guard = find_stack_guard();
	unsigned regions = 0, bad = 0;
	CHAR16 first[240];

	if (!map) {
		say(L"GetMemoryMap failed");
		report("ram", FALSE);
		return;
	}
	for (off = 0; off + desc_size <= size; off += desc_size) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((UINT8 *)map + off);
		uint64_t end = d->PhysicalStart + d->NumberOfPages * PAGE_SIZE;

		if (!is_ram_checked(d->Type))
			continue;
		regions++;
		pages += d->NumberOfPages;
		if (region_ok(d->PhysicalStart, end, guard) || bad++)
			continue;
		SPrint(first, sizeof(first), L"; first: [0x%lx, 0x%lx) %a: %s",
		       d->PhysicalStart, end, type_name(d->Type), said());
	}
	uefi_call_wrapper(BS->FreePool, 1, map);
	say(L"%d regions, %ld pages: %d not identity Normal WB", regions, pages,
	    bad);
	if (guard)
		say_more(L"; the guard page below the stack, 0x%lx, unmapped",
			 guard);
	if (bad)
		say_more(L"%s", first);
	report("ram", !bad && regions);
}

/* ---- runtime MMIO ------------------------------------------------------ */

/* The MAIR byte UEFI 2.10 section 2.3.6.1 gives an MMIO descriptor's
 * cacheability: EFI_MEMORY_UC is Device-nGnRnE, else Device-nGnRE. */
static uint8_t mmio_attr(uint64_t attribute)
{
	return (attribute & EFI_MEMORY_UC) ? ATTR_DEVICE_nGnRnE
					   : ATTR_DEVICE_nGnRE;
}

/*
 * Section 3: what the memory map calls EfiMemoryMappedIO (runtime MMIO, the
 * RTC) and the live tables agree: every mapped page of it is identity,
 * execute-never, and of the memory type its attribute names, in the walk
 * and for the MMU (AT). The OS maps it from the map; the firmware's
 * mapping must not be another type of the same device.
 */
static BOOLEAN mmio_range_ok(uint64_t start, uint64_t end, uint8_t want,
			     unsigned *mapped)
{
	uint64_t va = start, par;

	while (va < end) {
		struct pt_leaf leaf;

		if (pt_lookup(&regime, va, &leaf) != PT_MAPPED) {
			va = (va & ~PAGE_MASK) + PAGE_SIZE;
			continue;
		}
		(*mapped)++;
		par = at_probe(cpu.el, va, FALSE);
		if (leaf.oa + (va - leaf.base) != va || leaf.attr != want ||
		    leaf.exec || (par & PAR_F) || PAR_ATTR(par) != want)
			return why(
				L"VA 0x%lx: MAIR attr 0x%02x (AT: PAR 0x%lx), "
				L"exec=%d; the map wants 0x%02x, XN",
				va, leaf.attr, par, leaf.exec, want);
		va = leaf.base + leaf.size;
	}
	return TRUE;
}

void check_mmio(void)
{
	UINTN size, desc_size, off;
	EFI_MEMORY_DESCRIPTOR *map = get_memory_map(&size, &desc_size);
	unsigned regions = 0, mapped = 0;
	BOOLEAN ok = TRUE;

	if (!map) {
		say(L"GetMemoryMap failed");
		report("mmio", FALSE);
		return;
	}
	for (off = 0; ok && off + desc_size <= size; off += desc_size) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((UINT8 *)map + off);
		uint64_t end = d->PhysicalStart + d->NumberOfPages * PAGE_SIZE;
		uint8_t want = mmio_attr(d->Attribute);

		if (d->Type != EfiMemoryMappedIO)
			continue;
		regions++;
		ok = mmio_range_ok(d->PhysicalStart, end, want, &mapped);
		if (ok)
			say_more(L"[0x%lx, 0x%lx) attribute 0x%lx: %a; ",
				 d->PhysicalStart, end, d->Attribute,
				 want == ATTR_DEVICE_nGnRnE ? "Device-nGnRnE"
							    : "Device-nGnRE");
	}
	uefi_call_wrapper(BS->FreePool, 1, map);
	if (ok)
		say_more(L"%d regions, %d mapped leaves as the map says",
			 regions, mapped);
	report("mmio", ok && mapped);
}
