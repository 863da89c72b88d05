// SPDX-License-Identifier: MIT
/*
 * services_check.efi: exercises mmuon's UEFI boot and runtime services
 * from a real EFI client, the way loaders and OS stubs use them: events
 * and timers, memory, the protocol database, images, runtime services,
 * keyboard input, and what the firmware does with bad pointers the spec
 * lets it detect.
 *
 * Output: one line "SERVICES <name>: PASS|FAIL <detail>" per check, then
 * "SERVICES verdict: PASS" or "SERVICES verdict: FAIL (<n> failures)";
 * efi_main returns EFI_SUCCESS on pass and EFI_ABORTED on failure (mmuon
 * prints the status and powers off).
 *
 * The command line (LoadOptions, from QEMU's -append) picks the run:
 *   (empty)          every check that needs no input
 *   keys             the keyboard checks: the app prints
 *                    "SERVICES-INPUT <what>" and waits for the test to
 *                    type it on the serial console
 *   crash            reads from address 0 (a NULL dereference)
 *   crash=write      writes to address 0
 *   crash=unmapped   reads from an address no RAM or device is at
 * The crash runs must end in mmuon's exception dump and power-off; if the
 * access returns, the app says so and fails.
 *
 * Lines go straight to the ConOut saved at entry, not through gnu-efi's
 * Print (which reads ST->ConOut every time): should ExitBootServices ever
 * succeed by mistake, the console pointers in the system table are gone,
 * and the failure must still be printed.
 */
#include "services.h"
#include "arm64.h"

EFI_HANDLE self;
EFI_LOADED_IMAGE *self_image;

static SIMPLE_TEXT_OUTPUT_INTERFACE *con_out;
static unsigned failures;
static CHAR16 line[512];

/* ---- reporting ----------------------------------------------------------- */

static void put_line(void)
{
	con_out->OutputString(con_out, line);
	con_out->OutputString(con_out, L"\r\n");
}

void report(const char *name, BOOLEAN ok)
{
	if (!ok)
		failures++;
	SPrint(line, sizeof(line), L"SERVICES %a: %a %s", name,
	       ok ? "PASS" : "FAIL", detail);
	put_line();
	detail[0] = 0;
}

void out(const CHAR16 *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	VSPrint(line, sizeof(line), fmt, args);
	va_end(args);
	put_line();
}

BOOLEAN status_is(EFI_STATUS got, EFI_STATUS want, const CHAR16 *what)
{
	if (got == want)
		return TRUE;
	return why(L"%s: %r (0x%lx), want %r (0x%lx)", what, got, got, want,
		   want);
}

BOOLEAN call_preserves(const CHAR16 *what, void *fn, const UINT64 args[5],
		       EFI_STATUS *status)
{
	UINT64 changed = ~0ull;
	EFI_STATUS s = canary_call(fn, args, &changed);

	if (status)
		*status = s;
	say_more(L"%s %r; ", what, s);
	if (changed)
		return why(L"%s (%r) changed registers it must preserve: mask "
			   L"0x%lx (bit 18 x18, 0-9 x19-x28, 10-17 d8-d15)",
			   what, s, changed);
	return TRUE;
}

/* ---- time ---------------------------------------------------------------- */

UINT64 now_us(void)
{
	UINT64 count, freq = read_sysreg(cntfrq_el0);

	/* ISB: the counter read must not be taken early (Arm ARM D12.1.2). */
	asm volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(count));
	return count / freq * 1000000 + count % freq * 1000000 / freq;
}

/* ---- crashes ------------------------------------------------------------- */

/* An address with nothing behind it: far above RAM, inside the 39-bit VA
 * space of the contract, so the walk itself finds no entry. */
#define UNMAPPED_ADDRESS 0x7000000000ull

static void crash(const CHAR16 *how)
{
	BOOLEAN write = !StrCmp((CHAR16 *)how, L"crash=write");
	UINT64 addr = !StrCmp((CHAR16 *)how, L"crash=unmapped")
			      ? UNMAPPED_ADDRESS
			      : 0;
	volatile UINT64 *p;
	UINT64 v = 0;

	out(L"SERVICES-CRASH %s at 0x%lx", write ? L"writing" : L"reading",
	    addr);
	/* Hide the constant from the compiler, which would turn a known NULL
	 * dereference into a trap instruction of its own. */
	asm volatile("" : "=r"(p) : "0"(addr));
	if (write)
		*p = 0x5e5e5e5e5e5e5e5eull;
	else
		v = *p;
	say(L"%s 0x%lx completed without an exception (read 0x%lx)",
	    write ? L"write to" : L"read from", addr, v);
	report("crash", FALSE);
}

/* ---- main ---------------------------------------------------------------- */

/* The command line mmuon put in LoadOptions (UCS-2), or "". */
static const CHAR16 *command_line(void)
{
	const CHAR16 *s = self_image->LoadOptions;
	UINTN n = self_image->LoadOptionsSize / sizeof(CHAR16);

	if (!s || !n || s[n - 1])
		return L"";
	/* Leading and trailing blanks are QEMU's or the test's, not ours. */
	while (*s == ' ')
		s++;
	return s;
}

static void run_all(void)
{
	memmap_scratch_init();
	check_events();
	check_memory();
	check_memattr();
	check_bad_pointers();
	check_bad_handles();
	check_images();
	check_loader_fs();
	check_protocols();
	check_runtime();
	check_misc();
	check_exit_boot_services_stale_key();
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
	const CHAR16 *cmd;

	InitializeLib(image, systab);
	con_out = systab->ConOut;
	self = image;
	if (BS->HandleProtocol(image, &li_guid, (void **)&self_image)) {
		out(L"SERVICES verdict: FAIL (no loaded image protocol)");
		return EFI_ABORTED;
	}
	cmd = command_line();
	out(L"services_check: EL%d, image at 0x%lx, command line \"%s\"",
	    current_el(), (UINT64)self_image->ImageBase, cmd);

	if (!StrnCmp((CHAR16 *)cmd, L"crash", 5))
		crash(cmd);
	else if (!StrCmp((CHAR16 *)cmd, L"keys"))
		check_keys();
	else
		run_all();

	if (failures)
		out(L"SERVICES verdict: FAIL (%d failures)", failures);
	else
		out(L"SERVICES verdict: PASS");
	return failures ? EFI_ABORTED : EFI_SUCCESS;
}
