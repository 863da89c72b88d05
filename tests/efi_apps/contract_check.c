// SPDX-License-Identifier: MIT
/*
 * contract_check.efi: checks, from the client side, the state mmuon hands
 * an EFI image (docs/boot-protocol.md): system registers, the translation
 * of the image, its stack and its allocations, every leaf of the tables
 * (W^X, attributes), RAM from the memory map, the CRCs of the system
 * tables.
 *
 * Everything it checks it reads from the hardware or computes itself (own
 * table walker, own CRC32); where the firmware offers the same answer
 * (CalculateCrc32) or the MMU can give it (AT), both are compared, so that
 * a checker bug and a firmware bug are told apart.
 *
 * Output: one line "CONTRACT <name>: PASS|FAIL <detail>" per fact, then
 * "CONTRACT verdict: PASS" or "CONTRACT verdict: FAIL (<n> failures)".
 * efi_main returns EFI_SUCCESS on pass and EFI_ABORTED on failure.
 */
#include "contract.h"
#include "arm64.h"

/* SCTLR_ELx bits; the same at EL1 and at EL2, whatever E2H. */
#define SCTLR_M (1ull << 0)
#define SCTLR_A (1ull << 1)
#define SCTLR_C (1ull << 2)
#define SCTLR_SA (1ull << 3)
#define SCTLR_I (1ull << 12)
#define SCTLR_EE (1ull << 25)

/* TCR_EL1 and TCR_EL2 share the TTBR0 fields. With E2H = 1, TCR_EL2 has
 * TCR_EL1's layout. */
#define TCR_T0SZ(t) ((unsigned)(t)&0x3f)
#define TCR_EPD0 (1ull << 7)
#define TCR_IRGN0(t) ((unsigned)((t) >> 8) & 3)
#define TCR_ORGN0(t) ((unsigned)((t) >> 10) & 3)
#define TCR_SH0(t) ((unsigned)((t) >> 12) & 3)
#define TCR_TG0(t) ((unsigned)((t) >> 14) & 3)
#define TCR_RGN_WBWA 1
/* Where they differ: EL1 has TTBR1 and IPS at [34:32], EL2 PS at [18:16]. */
#define TCR_EL1_EPD1 (1ull << 23)
#define TCR_EL1_IPS(t) ((unsigned)((t) >> 32) & 7)
#define TCR_EL1_HAHD (3ull << 39)
#define TCR_EL1_HPD0 (1ull << 41)
#define TCR_EL2_PS(t) ((unsigned)((t) >> 16) & 7)
#define TCR_EL2_HAHD (3ull << 21)
#define TCR_EL2_HPD (1ull << 24)
#define TCR_PS_48BIT 5

#define HCR_EL2_E2H (1ull << 34)
#define TTBR_BADDR 0x0000fffffffffffeull /* bit 0 is CnP */
#define TTBR_ASID(t) ((t) >> 48)
#define DAIF_ALL (0xfull << 6)
#define CPACR_EL1_FPEN(c) (((c) >> 20) & 3) /* CPTR_EL2 too, if E2H = 1 */
#define CPTR_EL2_TFP (1ull << 10)

/* The contract's translation regime: 44-bit VA, 4 KiB granule; MAIR. */
#define CONTRACT_T0SZ 20
#define CONTRACT_MAIR 0x000000000044ff04ull

struct cpu_state cpu;
struct pt_regime regime;
static unsigned failures;

void report(const char *name, BOOLEAN ok)
{
	if (!ok)
		failures++;
	Print(L"CONTRACT %a: %a %s\n", name, ok ? "PASS" : "FAIL", detail);
	detail[0] = 0;
}

/* ---- system registers ------------------------------------------------ */

static void read_cpu_state(void)
{
	cpu.el = current_el();
	cpu.daif = read_sysreg(daif);
	if (cpu.el == 2) {
		cpu.sctlr = read_sysreg(sctlr_el2);
		cpu.tcr = read_sysreg(tcr_el2);
		cpu.mair = read_sysreg(mair_el2);
		cpu.ttbr0 = read_sysreg(ttbr0_el2);
		cpu.hcr = read_sysreg(hcr_el2);
		cpu.e2h = !!(cpu.hcr & HCR_EL2_E2H);
	} else if (cpu.el == 1) {
		cpu.sctlr = read_sysreg(sctlr_el1);
		cpu.tcr = read_sysreg(tcr_el1);
		cpu.mair = read_sysreg(mair_el1);
		cpu.ttbr0 = read_sysreg(ttbr0_el1);
	}
	regime = (struct pt_regime){
		.el = cpu.el,
		.e2h = cpu.e2h,
		.root = cpu.ttbr0 & TTBR_BADDR,
		.va_bits = 64 - TCR_T0SZ(cpu.tcr),
		.hpd = cpu.tcr &
		       (cpu.el == 1 || cpu.e2h ? TCR_EL1_HPD0 : TCR_EL2_HPD),
		.mair = cpu.mair,
	};
	pt_regime_init(&regime);
}

/*
 * EL1, or EL2 with E2H = 0 -- or E2H = 1 on a CPU that makes it RES1: the
 * host test knows which it asked for and checks the detail.
 */
static void check_el(void)
{
	BOOLEAN ok = cpu.el == 1 || cpu.el == 2;

	if (cpu.el == 2)
		say(L"EL2 HCR_EL2=0x%lx E2H=%d", cpu.hcr,
		    !!(cpu.hcr & HCR_EL2_E2H));
	else
		say(L"EL%d", cpu.el);
	report("el", ok);
}

/* Everything masked: mmuon polls, and an image must not be interrupted
 * into firmware it does not expect. */
static void check_daif(void)
{
	say(L"DAIF=0x%lx at entry", cpu.daif);
	report("daif", (cpu.daif & DAIF_ALL) == DAIF_ALL);
}

static void check_fp(void)
{
	BOOLEAN ok;

	if (cpu.el == 2 && cpu.e2h) {
		uint64_t cptr = read_sysreg(cptr_el2);

		ok = CPACR_EL1_FPEN(cptr) == 3;
		say(L"CPTR_EL2=0x%lx (E2H: CPACR layout) FPEN=%d", cptr,
		    (int)CPACR_EL1_FPEN(cptr));
	} else if (cpu.el == 2) {
		uint64_t cptr = read_sysreg(cptr_el2);

		ok = !(cptr & CPTR_EL2_TFP);
		say(L"CPTR_EL2=0x%lx TFP=%d", cptr, !ok);
	} else {
		uint64_t cpacr = read_sysreg(cpacr_el1);

		ok = CPACR_EL1_FPEN(cpacr) == 3;
		say(L"CPACR_EL1=0x%lx FPEN=%d", cpacr,
		    (int)CPACR_EL1_FPEN(cpacr));
	}
	report("fp", ok);
}

static void check_sctlr(void)
{
	uint64_t s = cpu.sctlr;
	BOOLEAN ok = (s & SCTLR_M) && (s & SCTLR_C) && (s & SCTLR_I) &&
		     !(s & SCTLR_EE) && !(s & SCTLR_A);

	say(L"SCTLR_EL%d=0x%lx M=%d C=%d I=%d EE=%d A=%d SA=%d WXN=%d", cpu.el,
	    s, !!(s & SCTLR_M), !!(s & SCTLR_C), !!(s & SCTLR_I),
	    !!(s & SCTLR_EE), !!(s & SCTLR_A), !!(s & SCTLR_SA),
	    !!(s & SCTLR_WXN));
	report("sctlr", ok);
}

/* The fields the two ELs share: granule, size, cacheability of walks. */
static BOOLEAN tcr_common_ok(uint64_t t)
{
	return TCR_TG0(t) == 0 && TCR_T0SZ(t) == CONTRACT_T0SZ &&
	       TCR_IRGN0(t) == TCR_RGN_WBWA && TCR_ORGN0(t) == TCR_RGN_WBWA &&
	       TCR_SH0(t) == SH_INNER && !(t & TCR_EPD0);
}

/* The output size the contract promises: the CPU's (PARange), at most
 * 48 bits. */
static unsigned expected_ips(void)
{
	unsigned parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	return parange < TCR_PS_48BIT ? parange : TCR_PS_48BIT;
}

static void check_tcr(void)
{
	uint64_t t = cpu.tcr;
	BOOLEAN ok = tcr_common_ok(t);

	say(L"TCR_EL%d=0x%lx TG0=%d T0SZ=%d IRGN0=%d ORGN0=%d SH0=%d EPD0=%d",
	    cpu.el, t, TCR_TG0(t), TCR_T0SZ(t), TCR_IRGN0(t), TCR_ORGN0(t),
	    TCR_SH0(t), !!(t & TCR_EPD0));
	if (cpu.el == 1 || cpu.e2h) {
		ok = ok && (t & TCR_EL1_EPD1) && !(t & TCR_EL1_HAHD) &&
		     TCR_EL1_IPS(t) == expected_ips();
		say_more(L" EPD1=%d IPS=%d HA/HD=%d", !!(t & TCR_EL1_EPD1),
			 TCR_EL1_IPS(t), (int)((t & TCR_EL1_HAHD) >> 39));
	} else {
		ok = ok && !(t & TCR_EL2_HAHD) &&
		     TCR_EL2_PS(t) == expected_ips();
		say_more(L" PS=%d HA/HD=%d", TCR_EL2_PS(t),
			 (int)((t & TCR_EL2_HAHD) >> 21));
	}
	report("tcr", ok);
}

static void check_mair(void)
{
	uint8_t attr0 = (uint8_t)cpu.mair, attr1 = (uint8_t)(cpu.mair >> 8);

	say(L"MAIR_EL%d=0x%lx attr0=0x%02x attr1=0x%02x", cpu.el, cpu.mair,
	    attr0, attr1);
	report("mair", attr0 == ATTR_DEVICE_nGnRE && attr1 == ATTR_NORMAL_WB &&
			       cpu.mair == CONTRACT_MAIR);
}

/* ASID 0 at EL1 and in the EL2&0 regime (EL2 without E2H has no ASIDs). */
static void check_ttbr0(void)
{
	say(L"TTBR0_EL%d=0x%lx ASID=%d, walks start at level %d", cpu.el,
	    cpu.ttbr0, (int)TTBR_ASID(cpu.ttbr0), regime.start_level);
	report("ttbr0", (cpu.el != 1 && !cpu.e2h) || !TTBR_ASID(cpu.ttbr0));
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
		crc = crc32_byte(crc, i - field < 4 ? 0 : p[i]); /* unsigned */
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
	/* PXN (EL1 format, also EL2 with E2H) / XN */
	uint64_t xn = cpu.el == 1 || cpu.e2h ? 1ull << 53 : 1ull << 54;
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

	/* Before any call into the firmware: the state as handed over. */
	cpu.sp = current_sp();
	read_cpu_state();
	InitializeLib(image, st);
	li = loaded_image(image);
	Print(L"contract_check: EL%d, TTBR0 0x%lx, walk from level %d\n",
	      cpu.el, regime.root, regime.start_level);
	if (has_option(li, L"contract.selftest"))
		break_contract(&broken);

	check_el();
	check_daif();
	check_fp();
	check_sctlr();
	check_tcr();
	check_mair();
	check_ttbr0();
	check_image(li);
	check_flash();
	check_stack();
	check_allocate_pages();
	check_allocate_pool();
	check_allocate_code(li);
	check_leaves();
	free_code_allocation();
	check_ram();
	check_mmio();
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
