// SPDX-License-Identifier: MIT
/*
 * blockio_check.efi: what a firmware's disks look like to an EFI client.
 * It lists every EFI_BLOCK_IO_PROTOCOL handle with its device path (in
 * EDK2's text form, formatted here, not by the firmware) and media, reads
 * each one whole through BlockIo and prints the CRC-32 of its bytes (the
 * test compares it with the disk image the host wrote), reads an odd byte
 * range through EFI_DISK_IO_PROTOCOL and compares it with the blocks, and
 * checks the statuses of requests the spec says to refuse. It runs under
 * mmuon and under EDK2 alike, so the two can be compared line by line.
 *
 * Output, one line each:
 *   BLOCKIO handle <i> path=<text> media=<fields> rev=0x<revision>
 *           diskio=<0|1> partinfo=<type>,<system>|- esp=<0|1>
 *   BLOCKIO crc <i> bytes=<n> crc32=<hex>      (or status=<EFI status>)
 *   BLOCKIO check <i> <name>: PASS|FAIL <detail>
 *   BLOCKIO write <i> lba=<n> crc32=<hex>: PASS|FAIL <detail>
 *   BLOCKIO bench <i> bytes=<n> ticks=<n> hz=<n> chunk=<n>
 *   BLOCKIO done handles=<n> failures=<n>
 *
 * Command line words (LoadOptions): "write" writes a pattern to one block
 * of each writable disk and reads it back (the test then finds it in the
 * image file); "poweroff" ends with ResetSystem (EDK2 would otherwise go
 * on to its boot menu); "bench=<MiB>" times a sequential read of that much of the
 * first disk in 4 MiB requests; "maxcrc=<MiB>" skips the CRC of larger
 * handles (default 256).
 */
#include <efi.h>
#include <efilib.h>

#include "arm64.h"
#include "detail.h"

#define CHUNK (4u << 20)

static EFI_GUID block_io_guid = BLOCK_IO_PROTOCOL;
static EFI_GUID disk_io_guid = DISK_IO_PROTOCOL;
static EFI_GUID device_path_guid = DEVICE_PATH_PROTOCOL;
static EFI_GUID partition_info_guid = {
	0x8cf2f62c,
	0xbc9b,
	0x4821,
	{0x80, 0x8d, 0xec, 0x9e, 0xc4, 0x21, 0xa1, 0xa0}};
static EFI_GUID esp_guid = {0xc12a7328,
			    0xf81f,
			    0x11d2,
			    {0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b}};

static SIMPLE_TEXT_OUTPUT_INTERFACE *con_out;
static unsigned failures;
static CHAR16 line[1024];
static UINT8 *chunk;

static void out(const CHAR16 *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	VSPrint(line, sizeof(line), fmt, args);
	va_end(args);
	con_out->OutputString(con_out, line);
	con_out->OutputString(con_out, L"\r\n");
}

/* ---- CRC-32 (IEEE, reflected), the app's own ------------------------------ */

static UINT32 crc_table[256];

static void crc_init(void)
{
	UINT32 i, j, c;

	for (i = 0; i < 256; i++) {
		for (c = i, j = 0; j < 8; j++)
			c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static UINT32 crc_update(UINT32 crc, const UINT8 *p, UINTN n)
{
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* ---- device paths in EDK2's text form ------------------------------------ */

/* Hex digits by hand: gnu-efi's Print pads widths its own way. */
static void put_hex(CHAR16 *s, UINTN size, UINT64 v, unsigned digits)
{
	UINTN used = StrLen(s);

	if (used + digits + 1 > size / sizeof(CHAR16))
		return;
	s[used + digits] = 0;
	while (digits--) {
		s[used + digits] = L"0123456789ABCDEF"[v & 0xf];
		v >>= 4;
	}
}

/* 0x and the lowest digits, lower case: EDK2's "0x%lx". */
static void put_num(CHAR16 *s, UINTN size, UINT64 v)
{
	UINTN used = StrLen(s);
	unsigned digits = 1, i;

	while (digits < 16 && v >> 4 * digits)
		digits++;
	if (used + digits + 3 > size / sizeof(CHAR16))
		return;
	s[used++] = '0';
	s[used++] = 'x';
	for (i = 0; i < digits; i++)
		s[used + i] =
			L"0123456789abcdef"[v >> 4 * (digits - 1 - i) & 0xf];
	s[used + digits] = 0;
}

static void hex_bytes(CHAR16 *s, UINTN size, const UINT8 *p, UINTN n)
{
	UINTN i;

	for (i = 0; i < n; i++)
		put_hex(s, size, p[i], 2);
}

/* EDK2's %g: the first three fields little-endian, the rest in order. */
static void guid_text(CHAR16 *s, UINTN size, const UINT8 *g)
{
	put_hex(s, size, g[0] | g[1] << 8 | g[2] << 16 | (UINT32)g[3] << 24, 8);
	StrCat(s, L"-");
	put_hex(s, size, g[4] | g[5] << 8, 4);
	StrCat(s, L"-");
	put_hex(s, size, g[6] | g[7] << 8, 4);
	StrCat(s, L"-");
	hex_bytes(s, size, g + 8, 2);
	StrCat(s, L"-");
	hex_bytes(s, size, g + 10, 6);
}

static void path_text(EFI_DEVICE_PATH *dp, CHAR16 *s, UINTN size)
{
	UINTN n = 0;

	s[0] = 0;
	for (; dp && n < 32; n++) {
		UINT8 *p = (UINT8 *)dp;
		UINT16 len = (UINT16)(p[2] | p[3] << 8);
		UINTN used = StrLen(s);
		CHAR16 *at = s + used;
		UINTN left = size - used * sizeof(CHAR16);

		if (p[0] == 0x7f && p[1] == 0xff)
			return;
		if (len < 4)
			break;
		if (n)
			SPrint(at++, left, L"/"), left -= sizeof(CHAR16);
		if (p[0] == 2 && p[1] == 1 && len == 12 &&
		    *(UINT32 *)(p + 4) == 0x0a0341d0) {
			StrCat(s, L"PciRoot(");
			put_num(s, size, *(UINT32 *)(p + 8));
			StrCat(s, L")");
		} else if (p[0] == 1 && p[1] == 1 && len == 6) {
			StrCat(s, L"Pci(");
			put_num(s, size, p[5]);
			StrCat(s, L",");
			put_num(s, size, p[4]);
			StrCat(s, L")");
		} else if (p[0] == 3 && p[1] == 2 && len == 8) {
			StrCat(s, L"Scsi(");
			put_num(s, size, *(UINT16 *)(p + 4));
			StrCat(s, L",");
			put_num(s, size, *(UINT16 *)(p + 6));
			StrCat(s, L")");
		} else if (p[0] == 1 && p[1] == 4 && len >= 20) {
			StrCat(s, L"VenHw(");
			guid_text(s, size, p + 4);
			StrCat(s, L",");
			hex_bytes(s, size, p + 20, len - 20);
			StrCat(s, L")");
		} else if (p[0] == 4 && p[1] == 1 && len == 42) {
			SPrint(at, left, L"HD(%d,%s,", *(UINT32 *)(p + 4),
			       p[40] == 2 ? L"GPT" : L"MBR");
			if (p[41] == 2)
				guid_text(s, size, p + 24);
			else {
				StrCat(s, L"0x");
				put_hex(s, size, *(UINT32 *)(p + 24), 8);
			}
			StrCat(s, L",");
			put_num(s, size, *(UINT64 *)(p + 8));
			StrCat(s, L",");
			put_num(s, size, *(UINT64 *)(p + 16));
			StrCat(s, L")");
		} else if (p[0] == 4 && p[1] == 2 && len == 24) {
			StrCat(s, L"CDROM(");
			put_num(s, size, *(UINT32 *)(p + 4));
			StrCat(s, L",");
			put_num(s, size, *(UINT64 *)(p + 8));
			StrCat(s, L",");
			put_num(s, size, *(UINT64 *)(p + 16));
			StrCat(s, L")");
		} else {
			SPrint(at, left, L"Node(%d,%d,%d)", p[0], p[1], len);
		}
		dp = (EFI_DEVICE_PATH *)(p + len);
	}
}

/* ---- per handle -------------------------------------------------------------- */

static void check(UINTN i, const char *name, BOOLEAN ok)
{
	if (!ok)
		failures++;
	out(L"BLOCKIO check %d %a: %a %s", i, name, ok ? "PASS" : "FAIL",
	    said());
	detail[0] = 0;
}

static void describe(UINTN i, EFI_HANDLE h, EFI_BLOCK_IO *bio)
{
	static CHAR16 path[512];
	EFI_BLOCK_IO_MEDIA *m = bio->Media;
	EFI_DEVICE_PATH *dp = NULL;
	VOID *disk_io = NULL, *esp = NULL;
	UINT8 *info = NULL;
	CHAR16 part[16] = L"-";

	BS->HandleProtocol(h, &device_path_guid, (VOID **)&dp);
	BS->HandleProtocol(h, &disk_io_guid, &disk_io);
	if (!BS->HandleProtocol(h, &partition_info_guid, (VOID **)&info) &&
	    info)
		SPrint(part, sizeof(part), L"%d,%d", *(UINT32 *)(info + 4),
		       info[8]);
	path_text(dp, path, sizeof(path));
	out(L"BLOCKIO handle %d path=%s media=id:%d,removable:%d,present:%d,"
	    L"logical:%d,ro:%d,wc:%d,bs:%d,align:%d,last:%ld,lowest:%ld,"
	    L"lbpp:%d,opt:%d rev=0x%lx diskio=%d partinfo=%s esp=%d",
	    i, path, m->MediaId, m->RemovableMedia, m->MediaPresent,
	    m->LogicalPartition, m->ReadOnly, m->WriteCaching, m->BlockSize,
	    m->IoAlign, m->LastBlock,
	    bio->Revision >= 0x20001 ? m->LowestAlignedLba : 0,
	    bio->Revision >= 0x20001 ? m->LogicalBlocksPerPhysicalBlock : 0,
	    bio->Revision >= 0x2001f ? m->OptimalTransferLengthGranularity : 0,
	    bio->Revision, disk_io != NULL, part,
	    BS->HandleProtocol(h, &esp_guid, &esp) == EFI_SUCCESS);
}

static UINT64 disk_bytes(EFI_BLOCK_IO_MEDIA *m)
{
	return m->MediaPresent ? (m->LastBlock + 1) * m->BlockSize : 0;
}

static void crc_whole(UINTN i, EFI_BLOCK_IO *bio, UINT64 max_bytes)
{
	EFI_BLOCK_IO_MEDIA *m = bio->Media;
	UINT64 size = disk_bytes(m), done = 0;
	UINT32 crc = 0;

	if (!size || size > max_bytes) {
		out(L"BLOCKIO crc %d bytes=%ld skipped", i, size);
		return;
	}
	while (done < size) {
		UINTN n = size - done < CHUNK ? size - done : CHUNK;
		EFI_STATUS s = bio->ReadBlocks(bio, m->MediaId,
					       done / m->BlockSize, n, chunk);

		if (s) {
			out(L"BLOCKIO crc %d bytes=%ld status=%r", i, size, s);
			return;
		}
		crc = crc_update(crc, chunk, n);
		done += n;
	}
	out(L"BLOCKIO crc %d bytes=%ld crc32=%08x", i, size, crc);
}

/* DiskIo from an odd offset across block boundaries, against BlockIo. */
static void check_disk_io(UINTN i, EFI_HANDLE h, EFI_BLOCK_IO *bio)
{
	EFI_BLOCK_IO_MEDIA *m = bio->Media;
	EFI_DISK_IO *dio = NULL;
	UINT64 size = disk_bytes(m);
	UINTN n = size > 3 * m->BlockSize ? 3 * m->BlockSize : size;
	UINT8 *blocks = chunk + CHUNK / 2;
	EFI_STATUS s;

	if (BS->HandleProtocol(h, &disk_io_guid, (VOID **)&dio) || !dio) {
		check(i, "diskio", why(L"no EFI_DISK_IO_PROTOCOL"));
		return;
	}
	if (n < 2) {
		check(i, "diskio", TRUE);
		return;
	}
	s = bio->ReadBlocks(bio, m->MediaId, 0, n, blocks);
	if (!s)
		s = dio->ReadDisk(dio, m->MediaId, 1, n - 2, chunk);
	if (s)
		check(i, "diskio", why(L"status %r", s));
	else if (CompareMem(chunk, blocks + 1, n - 2))
		check(i, "diskio",
		      why(L"bytes 1..%d differ from BlockIo's", n - 2));
	else
		check(i, "diskio", TRUE);
}

#define EXPECT(what, got, want)                                                \
	do {                                                                   \
		if ((got) != (want)) {                                         \
			say_more(L"%a: %r (want %r); ", what, got, want);      \
			ok = FALSE;                                            \
		}                                                              \
	} while (0)

/* What the spec tells BlockIo to refuse, and with which status. */
static void check_refusals(UINTN i, EFI_BLOCK_IO *bio)
{
	EFI_BLOCK_IO_MEDIA *m = bio->Media;
	UINT32 bs = m->BlockSize;
	BOOLEAN ok = TRUE;

	detail[0] = 0;
	EXPECT("media id", bio->ReadBlocks(bio, m->MediaId + 1, 0, bs, chunk),
	       EFI_MEDIA_CHANGED);
	if (!m->MediaPresent) {
		EXPECT("no media",
		       bio->ReadBlocks(bio, m->MediaId, 0, bs, chunk),
		       EFI_NO_MEDIA);
		check(i, "refusals", ok);
		return;
	}
	EXPECT("partial block",
	       bio->ReadBlocks(bio, m->MediaId, 0, bs + 1, chunk),
	       EFI_BAD_BUFFER_SIZE);
	EXPECT("past the end",
	       bio->ReadBlocks(bio, m->MediaId, m->LastBlock, 2 * bs, chunk),
	       EFI_INVALID_PARAMETER);
	EXPECT("lba past the end",
	       bio->ReadBlocks(bio, m->MediaId, m->LastBlock + 1, bs, chunk),
	       EFI_INVALID_PARAMETER);
	EXPECT("NULL buffer", bio->ReadBlocks(bio, m->MediaId, 0, bs, NULL),
	       EFI_INVALID_PARAMETER);
	EXPECT("zero bytes", bio->ReadBlocks(bio, m->MediaId, 0, 0, chunk),
	       EFI_SUCCESS);
	EXPECT("flush", bio->FlushBlocks(bio), EFI_SUCCESS);
	if (m->ReadOnly)
		EXPECT("write to read-only media",
		       bio->WriteBlocks(bio, m->MediaId, 0, bs, chunk),
		       EFI_WRITE_PROTECTED);
	check(i, "refusals", ok);
}

/* A pattern into one block near the end, read back. */
static void write_one(UINTN i, EFI_BLOCK_IO *bio)
{
	EFI_BLOCK_IO_MEDIA *m = bio->Media;
	UINT32 bs = m->BlockSize, j;
	EFI_LBA lba = m->LastBlock > 40 ? m->LastBlock - 40 : m->LastBlock;
	UINT8 *back = chunk + CHUNK / 2;
	EFI_STATUS s;

	for (j = 0; j < bs; j++)
		chunk[j] = (UINT8)(j * 7 + i * 13 + lba);
	s = bio->WriteBlocks(bio, m->MediaId, lba, bs, chunk);
	if (!s)
		s = bio->FlushBlocks(bio);
	if (!s)
		s = bio->ReadBlocks(bio, m->MediaId, lba, bs, back);
	if (s)
		say(L"status %r", s);
	else if (CompareMem(chunk, back, bs))
		say(L"read back differs");
	if (s || CompareMem(chunk, back, bs))
		failures++;
	out(L"BLOCKIO write %d lba=%ld crc32=%08x: %a %s", i, lba,
	    crc_update(0, chunk, bs),
	    s || CompareMem(chunk, back, bs) ? "FAIL" : "PASS", said());
	detail[0] = 0;
}

/* Sequential BlockIo reads, timed with the generic timer. */
static void bench(UINTN i, EFI_BLOCK_IO *bio, UINT64 bytes)
{
	EFI_BLOCK_IO_MEDIA *m = bio->Media;
	UINT64 done = 0, t0, t1;
	EFI_STATUS s = EFI_SUCCESS;

	if (bytes > disk_bytes(m))
		bytes = disk_bytes(m) / CHUNK * CHUNK;
	t0 = read_sysreg(cntvct_el0);
	while (done < bytes && !s) {
		s = bio->ReadBlocks(bio, m->MediaId, done / m->BlockSize, CHUNK,
				    chunk);
		done += CHUNK;
	}
	t1 = read_sysreg(cntvct_el0);
	if (s)
		out(L"BLOCKIO bench %d status=%r", i, s);
	else
		out(L"BLOCKIO bench %d bytes=%ld ticks=%ld hz=%ld chunk=%d", i,
		    done, t1 - t0, read_sysreg(cntfrq_el0), CHUNK);
}

/* ---- main ---------------------------------------------------------------- */

static const CHAR16 *command_line(EFI_LOADED_IMAGE *li)
{
	const CHAR16 *s = li->LoadOptions;
	UINTN n = li->LoadOptionsSize / sizeof(CHAR16);

	if (!s || !n || s[n - 1])
		return L"";
	return s;
}

/* The number after "<key>=" in the command line, or @dflt. */
static UINT64 option(const CHAR16 *cmd, const CHAR16 *key, UINT64 dflt)
{
	UINTN k = StrLen((CHAR16 *)key);

	for (; *cmd; cmd++)
		if (!StrnCmp((CHAR16 *)cmd, (CHAR16 *)key, k) && cmd[k] == '=')
			return Atoi((CHAR16 *)cmd + k + 1);
	return dflt;
}

static BOOLEAN word(const CHAR16 *cmd, const CHAR16 *w)
{
	UINTN k = StrLen((CHAR16 *)w);

	for (; *cmd; cmd++)
		if (!StrnCmp((CHAR16 *)cmd, (CHAR16 *)w, k) &&
		    (cmd[k] == ' ' || !cmd[k]))
			return TRUE;
	return FALSE;
}

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
	EFI_LOADED_IMAGE *li = NULL;
	EFI_PHYSICAL_ADDRESS buf;
	EFI_HANDLE *handles = NULL;
	UINTN count = 0, i;
	const CHAR16 *cmd;
	UINT64 max_crc, bench_bytes;

	InitializeLib(image, systab);
	con_out = systab->ConOut;
	BS->HandleProtocol(image, &li_guid, (VOID **)&li);
	cmd = li ? command_line(li) : L"";
	max_crc = option(cmd, L"maxcrc", 256) << 20;
	bench_bytes = option(cmd, L"bench", 0) << 20;
	crc_init();
	out(L"blockio_check: EL%d, command line \"%s\"", current_el(), cmd);
	if (BS->AllocatePages(AllocateAnyPages, EfiLoaderData,
			      EFI_SIZE_TO_PAGES(CHUNK), &buf)) {
		out(L"BLOCKIO done handles=0 failures=1 (no memory)");
		return EFI_ABORTED;
	}
	chunk = (UINT8 *)(UINTN)buf;
	/* EDK2 connects no disk before it starts a -kernel image. */
	if (!BS->LocateHandleBuffer(AllHandles, NULL, NULL, &count, &handles)) {
		for (i = 0; i < count; i++)
			BS->ConnectController(handles[i], NULL, NULL, TRUE);
		BS->FreePool(handles);
	}
	count = 0;
	handles = NULL;
	BS->LocateHandleBuffer(ByProtocol, &block_io_guid, NULL, &count,
			       &handles);
	for (i = 0; i < count; i++) {
		EFI_BLOCK_IO *bio = NULL;

		if (BS->HandleProtocol(handles[i], &block_io_guid,
				       (VOID **)&bio) ||
		    !bio)
			continue;
		describe(i, handles[i], bio);
		if (bench_bytes) {
			if (!bio->Media->LogicalPartition) {
				bench(i, bio, bench_bytes);
				bench_bytes = 0;
			}
			continue;
		}
		crc_whole(i, bio, max_crc);
		check_disk_io(i, handles[i], bio);
		check_refusals(i, bio);
		if (word(cmd, L"write") && !bio->Media->ReadOnly &&
		    !bio->Media->LogicalPartition && bio->Media->MediaPresent)
			write_one(i, bio);
	}
	out(L"BLOCKIO done handles=%d failures=%d", count, failures);
	/* Under EDK2, the boot manager would go on to other boot options. */
	if (word(cmd, L"poweroff"))
		RT->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
	return failures ? EFI_ABORTED : EFI_SUCCESS;
}
