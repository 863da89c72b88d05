// SPDX-License-Identifier: MIT
/*
 * contract_check.efi: checks, from the client side, the state mmuon hands
 * an EFI image (docs/boot-protocol.md): system registers, the translation
 * of the image, its stack and its allocations, W^X over the whole table,
 * RAM from the memory map, and the CRCs of the system tables.
 *
 * Everything it checks it reads from the hardware or computes itself
 * (own table walker, own CRC32); where the firmware offers the same answer
 * (CalculateCrc32) or the MMU can give it (AT), both are compared, so a
 * checker bug and a firmware bug are told apart.
 *
 * Output: one line "CONTRACT <name>: PASS|FAIL <detail>" per fact, then
 * "CONTRACT verdict: PASS" or "CONTRACT verdict: FAIL (n failures)".
 * efi_main returns EFI_SUCCESS on pass and EFI_ABORTED on failure.
 */
#include <efi.h>
#include <efilib.h>

#include "arm64.h"
#include "ptwalk.h"

#define PAGE_SIZE 4096ull
#define PAGE_MASK (PAGE_SIZE - 1)

/* The MAIR bytes the contract promises (Arm ARM D17.2.97). */
#define ATTR_DEVICE_nGnRE 0x04
#define ATTR_NORMAL_WB 0xff
#define SH_INNER 3

/* SCTLR_ELx bits; the same at EL1 and at EL2 with E2H = 0. */
#define SCTLR_M (1ull << 0)
#define SCTLR_C (1ull << 2)
#define SCTLR_I (1ull << 12)
#define SCTLR_WXN (1ull << 19)
#define SCTLR_EE (1ull << 25)

/* TCR_EL1 and TCR_EL2 (E2H = 0) share the TTBR0 fields. */
#define TCR_T0SZ(t) ((unsigned)(t)&0x3f)
#define TCR_EPD0 (1ull << 7)
#define TCR_IRGN0(t) ((unsigned)((t) >> 8) & 3)
#define TCR_ORGN0(t) ((unsigned)((t) >> 10) & 3)
#define TCR_SH0(t) ((unsigned)((t) >> 12) & 3)
#define TCR_TG0(t) ((unsigned)((t) >> 14) & 3)
#define TCR_EL1_EPD1 (1ull << 23)
#define TCR_EL1_HPD0 (1ull << 41)
#define TCR_EL2_HPD (1ull << 24)
#define TCR_RGN_WBWA 1

#define HCR_EL2_E2H (1ull << 34)
#define TTBR_BADDR 0x0000fffffffffffeull /* bit 0 is CnP */

/* The contract's translation regime: 39-bit VA, 4 KiB granule. */
#define CONTRACT_T0SZ 25

/* PE/COFF offsets (Microsoft PE format), read from the image in memory. */
#define DOS_LFANEW 0x3c
#define PE_SIGNATURE 0x00004550
#define COFF_NSECTIONS 6
#define COFF_OPT_SIZE 20
#define COFF_SIZE 24
#define OPT_SECTION_ALIGN 32
#define OPT_IMAGE_SIZE 56
#define OPT_HEADERS_SIZE 60
#define SEC_SIZE 40
#define SEC_VSIZE 8
#define SEC_VADDR 12
#define SEC_RAW_SIZE 16
#define SEC_CHARACTERISTICS 36
#define SCN_CNT_CODE 0x00000020u
#define SCN_MEM_EXECUTE 0x20000000u
#define SCN_MEM_WRITE 0x80000000u

/* What a range must allow, beyond identity and Normal WB. */
enum perm {
	PERM_ANY, /* not checked */
	PERM_RX,  /* code: executable, read-only */
	PERM_RW,  /* data: writable, execute-never */
	PERM_RO,  /* read-only, execute-never */
};

struct cpu_state {
	unsigned el;
	uint64_t sctlr, tcr, mair, ttbr0, hcr;
};

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

static struct cpu_state cpu;
static struct pt_regime regime;
static unsigned failures;
static CHAR16 detail[320];

static void report(const char *name, BOOLEAN ok)
{
	if (!ok)
		failures++;
	Print(L"CONTRACT %a: %a %s\n", name, ok ? "PASS" : "FAIL", detail);
	detail[0] = 0;
}

static void say(const CHAR16 *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	VSPrint(detail, sizeof(detail), fmt, args);
	va_end(args);
}

/* Appends to what say() said. */
static void say_more(const CHAR16 *fmt, ...)
{
	UINTN used = StrLen(detail);
	va_list args;

	va_start(args, fmt);
	VSPrint(detail + used, sizeof(detail) - used * sizeof(CHAR16), fmt,
		args);
	va_end(args);
}

/* say(), for a failing check: returns FALSE. */
static BOOLEAN why(const CHAR16 *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	VSPrint(detail, sizeof(detail), fmt, args);
	va_end(args);
	return FALSE;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

/* ---- system registers ------------------------------------------------ */

static void read_cpu_state(void)
{
	cpu.el = current_el();
	if (cpu.el == 2) {
		cpu.sctlr = read_sysreg(sctlr_el2);
		cpu.tcr = read_sysreg(tcr_el2);
		cpu.mair = read_sysreg(mair_el2);
		cpu.ttbr0 = read_sysreg(ttbr0_el2);
		cpu.hcr = read_sysreg(hcr_el2);
	} else if (cpu.el == 1) {
		cpu.sctlr = read_sysreg(sctlr_el1);
		cpu.tcr = read_sysreg(tcr_el1);
		cpu.mair = read_sysreg(mair_el1);
		cpu.ttbr0 = read_sysreg(ttbr0_el1);
	}
	regime = (struct pt_regime){
		.el = cpu.el,
		.root = cpu.ttbr0 & TTBR_BADDR,
		.va_bits = 64 - TCR_T0SZ(cpu.tcr),
		.hpd = cpu.tcr & (cpu.el == 1 ? TCR_EL1_HPD0 : TCR_EL2_HPD),
		.mair = cpu.mair,
	};
	pt_regime_init(&regime);
}

static void check_el(void)
{
	BOOLEAN ok = cpu.el == 1 || (cpu.el == 2 && !(cpu.hcr & HCR_EL2_E2H));

	if (cpu.el == 2)
		say(L"EL2 TTBR0_EL2=0x%lx HCR_EL2=0x%lx E2H=%d", cpu.ttbr0,
		    cpu.hcr, !!(cpu.hcr & HCR_EL2_E2H));
	else
		say(L"EL%d TTBR0_EL1=0x%lx", cpu.el, cpu.ttbr0);
	report("el", ok);
}

static void check_sctlr(void)
{
	uint64_t s = cpu.sctlr;
	BOOLEAN ok = (s & SCTLR_M) && (s & SCTLR_C) && (s & SCTLR_I) &&
		     !(s & SCTLR_EE);

	say(L"SCTLR_EL%d=0x%lx M=%d C=%d I=%d EE=%d WXN=%d", cpu.el, s,
	    !!(s & SCTLR_M), !!(s & SCTLR_C), !!(s & SCTLR_I), !!(s & SCTLR_EE),
	    !!(s & SCTLR_WXN));
	report("sctlr", ok);
}

static void check_tcr(void)
{
	uint64_t t = cpu.tcr;
	BOOLEAN ok = TCR_TG0(t) == 0 && TCR_T0SZ(t) == CONTRACT_T0SZ &&
		     TCR_IRGN0(t) == TCR_RGN_WBWA &&
		     TCR_ORGN0(t) == TCR_RGN_WBWA && TCR_SH0(t) == SH_INNER &&
		     !(t & TCR_EPD0);

	if (cpu.el == 1)
		ok = ok && (t & TCR_EL1_EPD1);
	say(L"TCR_EL%d=0x%lx TG0=%d T0SZ=%d IRGN0=%d ORGN0=%d SH0=%d "
	    L"EPD0=%d EPD1=%a",
	    cpu.el, t, TCR_TG0(t), TCR_T0SZ(t), TCR_IRGN0(t), TCR_ORGN0(t),
	    TCR_SH0(t), !!(t & TCR_EPD0),
	    cpu.el == 1 ? ((t & TCR_EL1_EPD1) ? "1" : "0") : "n/a");
	report("tcr", ok);
}

static void check_mair(void)
{
	uint8_t attr0 = (uint8_t)cpu.mair, attr1 = (uint8_t)(cpu.mair >> 8);

	say(L"MAIR_EL%d=0x%lx attr0=0x%02x attr1=0x%02x", cpu.el, cpu.mair,
	    attr0, attr1);
	report("mair", attr0 == ATTR_DEVICE_nGnRE && attr1 == ATTR_NORMAL_WB);
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
			   va, leaf->write, leaf->exec,
			   perm == PERM_RX   ? "read-only+exec"
			   : perm == PERM_RW ? "writable+XN"
					     : "read-only+XN",
			   leaf->level, leaf->desc);
	return mmu_agrees(va, leaf, perm);
}

/* [start, end) rounded out to pages: identity, Normal WB, inner
 * shareable, with @perm. */
static BOOLEAN range_ok(uint64_t start, uint64_t end, enum perm perm)
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
		    base + rva, vsize, chars,
		    perm == PERM_RX   ? "read-only+exec"
		    : perm == PERM_RW ? "writable+XN"
				      : "read-only+XN");
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

static void check_image(EFI_LOADED_IMAGE *li)
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

static void check_stack(void)
{
	uint64_t sp = current_sp();
	BOOLEAN ok = range_ok(sp, sp + 1, PERM_RW);

	if (ok)
		say(L"sp 0x%lx: identity, Normal WB, writable+XN", sp);
	report("stack", ok);
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

static void check_allocate_pages(void)
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

static void check_allocate_pool(void)
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

/* ---- W^X over the whole table ----------------------------------------- */

struct wx_count {
	uint64_t wx, first_wx;
};

static void count_wx(void *ctx, const struct pt_leaf *leaf)
{
	struct wx_count *c = ctx;

	if (leaf->write && leaf->exec && !c->wx++)
		c->first_wx = leaf->base;
}

static void check_wx(void)
{
	struct wx_count c = {0};
	struct pt_stats s;
	BOOLEAN ok;

	pt_for_each_leaf(&regime, count_wx, &c, &s);
	ok = !c.wx && !s.bad;
	say(L"%ld tables, leaves L1=%ld L2=%ld L3=%ld, WXN=%d: %ld W+X, %ld "
	    L"unreadable/reserved",
	    s.tables, s.leaves[1], s.leaves[2], s.leaves[3],
	    !!(cpu.sctlr & SCTLR_WXN), c.wx, s.bad);
	if (c.wx)
		say_more(L"; first W+X at VA 0x%lx", c.first_wx);
	if (s.bad)
		say_more(L"; first unreadable/reserved at 0x%lx", s.first_bad);
	report("wx", ok);
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

static void check_ram(void)
{
	UINTN size, desc_size, off;
	EFI_MEMORY_DESCRIPTOR *map = get_memory_map(&size, &desc_size);
	unsigned regions = 0, bad = 0;
	uint64_t pages = 0;
	CHAR16 first[240] = L"";

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
		if (range_ok(d->PhysicalStart, end, PERM_ANY) || bad++)
			continue;
		SPrint(first, sizeof(first), L"; first: [0x%lx, 0x%lx) %a: %s",
		       d->PhysicalStart, end, type_name(d->Type), detail);
	}
	uefi_call_wrapper(BS->FreePool, 1, map);
	say(L"%d regions, %ld pages: %d not identity Normal WB%s", regions,
	    pages, bad, first);
	report("ram", !bad && regions);
}

/* ---- system tables ---------------------------------------------------- */

/* CRC-32 (IEEE 802.3, reflected), the one UEFI uses for table headers. */
static uint32_t crc32_byte(uint32_t crc, uint8_t b)
{
	unsigned k;

	crc ^= b;
	for (k = 0; k < 8; k++)
		crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	return crc;
}

/* Over HeaderSize bytes with the CRC32 field taken as zero. */
static uint32_t table_crc32(const EFI_TABLE_HEADER *hdr)
{
	const uint8_t *p = (const uint8_t *)hdr;
	const UINTN field = __builtin_offsetof(EFI_TABLE_HEADER, CRC32);
	uint32_t crc = ~0u;
	UINTN i;

	for (i = 0; i < hdr->HeaderSize; i++)
		crc = crc32_byte(crc, i - field < 4 ? 0 : p[i]);
	return ~crc;
}

/* The firmware's CalculateCrc32 over a copy with the field zeroed. */
static UINT32 firmware_crc32(const EFI_TABLE_HEADER *hdr)
{
	static UINT8 copy[4096];
	EFI_TABLE_HEADER *c = (EFI_TABLE_HEADER *)copy;
	UINT32 crc = 0;

	CopyMem(copy, (void *)hdr, hdr->HeaderSize);
	c->CRC32 = 0;
	if (EFI_ERROR(uefi_call_wrapper(BS->CalculateCrc32, 3, copy,
					(UINTN)hdr->HeaderSize, &crc)))
		return ~hdr->CRC32; /* cannot match */
	return crc;
}

static void check_table(const char *name, const EFI_TABLE_HEADER *hdr,
			UINT64 signature)
{
	uint32_t own, fw;

	if (!hdr || hdr->Signature != signature ||
	    hdr->HeaderSize < sizeof(*hdr) || hdr->HeaderSize > 4096) {
		say(L"bad header at 0x%lx", (uint64_t)(uintptr_t)hdr);
		report(name, FALSE);
		return;
	}
	own = table_crc32(hdr);
	fw = firmware_crc32(hdr);
	say(L"HeaderSize %d stored 0x%08x computed 0x%08x CalculateCrc32 "
	    L"0x%08x",
	    hdr->HeaderSize, hdr->CRC32, own, fw);
	report(name, hdr->CRC32 == own && fw == own);
}

static void check_vendor(EFI_SYSTEM_TABLE *st)
{
	BOOLEAN ok =
		st->FirmwareVendor && !StrCmp(st->FirmwareVendor, L"mmuon");

	say(L"\"%s\" revision 0x%x", st->FirmwareVendor ?: L"(null)",
	    st->FirmwareRevision);
	report("firmware-vendor", ok);
}

/* ---- self-test: a contract broken on purpose -------------------------- */

/*
 * With "contract.selftest" in the load options (QEMU -append), the checker
 * makes the page of its own .data executable in the live tables before it
 * checks: writable and executable, so image.data and wx must fail. The boot
 * test uses it to prove that a broken contract is seen. A change of the
 * execute-never bit alone needs no break-before-make (Arm ARM D8.16.1),
 * only the TLB maintenance that makes the MMU see the new descriptor.
 */
struct broken {
	uint64_t entry, desc; /* the descriptor changed and its old value */
	uint64_t va;
};

static BOOLEAN has_option(const EFI_LOADED_IMAGE *li, const CHAR16 *word)
{
	const CHAR16 *s = li ? li->LoadOptions : NULL;
	UINTN n = li ? li->LoadOptionsSize / sizeof(CHAR16) : 0;
	UINTN len = StrLen(word), i;

	for (i = 0; s && i + len <= n; i++)
		if (!StrnCmp(s + i, word, len))
			return TRUE;
	return FALSE;
}

static void tlb_sync_va(uint64_t va)
{
	asm volatile("dsb ishst" : : : "memory");
	if (cpu.el == 2)
		asm volatile("tlbi vae2is, %0" : : "r"(va >> 12) : "memory");
	else
		asm volatile("tlbi vaae1is, %0" : : "r"(va >> 12) : "memory");
	asm volatile("dsb ish\n\tisb" : : : "memory");
}

static void set_desc(uint64_t entry, uint64_t desc, uint64_t va)
{
	*(volatile uint64_t *)(uintptr_t)entry = desc;
	tlb_sync_va(va);
}

static void break_contract(struct broken *b)
{
	uint64_t xn = cpu.el == 1 ? 1ull << 53 : 1ull << 54; /* PXN / XN */
	struct pt_leaf leaf;

	b->va = (uintptr_t)&failures & ~PAGE_MASK;
	if (pt_lookup(&regime, b->va, &leaf) != PT_MAPPED) {
		Print(L"contract_check: self-test: 0x%lx not mapped\n", b->va);
		return;
	}
	b->entry = leaf.entry;
	b->desc = leaf.desc;
	set_desc(b->entry, b->desc & ~xn, b->va);
	Print(L"contract_check: self-test: made L%d entry for VA 0x%lx "
	      L"writable+executable\n",
	      leaf.level, leaf.base);
}

static void restore_contract(const struct broken *b)
{
	if (b->entry)
		set_desc(b->entry, b->desc, b->va);
}

static EFI_LOADED_IMAGE *loaded_image(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li = NULL;

	if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3, image,
					&LoadedImageProtocol, (void **)&li)))
		return NULL;
	return li;
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_LOADED_IMAGE *li;
	struct broken broken = {0};

	InitializeLib(image, st);
	li = loaded_image(image);
	read_cpu_state();
	Print(L"contract_check: EL%d, TTBR0 0x%lx, walk from level %d\n",
	      cpu.el, regime.root, regime.start_level);
	if (has_option(li, L"contract.selftest"))
		break_contract(&broken);

	check_el();
	check_sctlr();
	check_tcr();
	check_mair();
	check_image(li);
	check_stack();
	check_allocate_pages();
	check_allocate_pool();
	check_wx();
	check_ram();
	check_table("crc32-system-table", &st->Hdr, EFI_SYSTEM_TABLE_SIGNATURE);
	check_table("crc32-boot-services", &st->BootServices->Hdr,
		    EFI_BOOT_SERVICES_SIGNATURE);
	check_table("crc32-runtime-services", &st->RuntimeServices->Hdr,
		    EFI_RUNTIME_SERVICES_SIGNATURE);
	check_vendor(st);
	restore_contract(&broken);

	if (!failures) {
		Print(L"CONTRACT verdict: PASS\n");
		return EFI_SUCCESS;
	}
	Print(L"CONTRACT verdict: FAIL (%d failures)\n", failures);
	return EFI_ABORTED;
}
