// SPDX-License-Identifier: MIT
/*
 * Image services (UEFI 2.10 section 7.4) with a real second image:
 * child.efi, embedded by child_blob.S, is loaded from a buffer, its
 * loaded image protocol checked and given LoadOptions, started, and made
 * to Exit() from deep inside with a status and pool-allocated ExitData;
 * images loaded and never started are unloaded two ways; and LoadImage
 * gets broken files, which it must refuse without crashing.
 */
#include "services.h"
#include "child.h"

extern const UINT8 child_efi_start[] __attribute__((visibility("hidden")));
extern const UINT8 child_efi_end[] __attribute__((visibility("hidden")));

static EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;

static UINTN child_size(void)
{
	return child_efi_end - child_efi_start;
}

static UINT32 read32(const UINT8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (UINT32)p[3] << 24;
}

/* PE/COFF: the "PE\0\0" header and the optional header's SizeOfImage. */
static UINTN pe_offset(const UINT8 *file)
{
	return read32(file + 0x3c);
}

static UINT32 pe_size_of_image(const UINT8 *file)
{
	return read32(file + pe_offset(file) + 24 + 56);
}

static void write32(UINT8 *p, UINT32 v)
{
	p[0] = (UINT8)v;
	p[1] = (UINT8)(v >> 8);
	p[2] = (UINT8)(v >> 16);
	p[3] = (UINT8)(v >> 24);
}

/* Section header i (40 bytes) of a PE file. */
static UINT8 *section_header(UINT8 *file, unsigned i)
{
	UINT8 *coff = file + pe_offset(file) + 4;

	return coff + 20 + (coff[16] | coff[17] << 8) + 40 * i;
}

EFI_STATUS load_child(EFI_HANDLE *h)
{
	*h = NULL;
	return BS->LoadImage(FALSE, self, NULL, (void *)child_efi_start,
			     child_size(), h);
}

EFI_LOADED_IMAGE *loaded_image(EFI_HANDLE h)
{
	EFI_LOADED_IMAGE *li = NULL;

	if (BS->HandleProtocol(h, &li_guid, (void **)&li))
		return NULL;
	return li;
}

/* ---- load, look, start, Exit() ------------------------------------------- */

static BOOLEAN loaded_image_ok(EFI_LOADED_IMAGE *li)
{
	UINTN base = (UINTN)li->ImageBase;
	UINT32 want = pe_size_of_image(child_efi_start);
	UINT32 type = memmap_type_at(base);

	say(L"ImageBase 0x%lx ImageSize 0x%lx (SizeOfImage 0x%x), parent "
	    L"%a, code/data types %d/%d, map type %d",
	    base, li->ImageSize, want,
	    li->ParentHandle == self ? "us" : "NOT us", li->ImageCodeType,
	    li->ImageDataType, type);
	if (li->ParentHandle != self || li->SystemTable != ST)
		return FALSE;
	if (!base || base & PAGE_MASK || li->ImageSize != want)
		return FALSE;
	/* Loaded from a buffer: laid out in new pages, not run in place. */
	if (base == (UINTN)child_efi_start)
		return why(L"ImageBase is the source buffer itself");
	if (CompareMem(li->ImageBase, (void *)child_efi_start, 0x200))
		return why(L"the headers at ImageBase differ from the file's");
	return li->ImageCodeType == EfiLoaderCode &&
	       li->ImageDataType == EfiLoaderData && type == EfiLoaderCode;
}

/* ExitData: the string, its NUL, and the 8-byte trailer. */
static BOOLEAN exit_data_ok(UINTN size, CHAR16 *data)
{
	static const CHAR16 text[] = CHILD_EXIT_STRING;
	UINT64 trailer;

	if (size != sizeof(text) + 8 || !data)
		return why(L"ExitDataSize %ld (want %ld), ExitData 0x%lx", size,
			   sizeof(text) + 8, (UINTN)data);
	CopyMem(&trailer, (UINT8 *)data + sizeof(text), 8);
	if (CompareMem(data, (void *)text, sizeof(text)) ||
	    trailer != CHILD_EXIT_TRAILER)
		return why(L"ExitData is not what the child gave");
	return TRUE;
}

static struct child_args args;
static UINT64 child_base, child_image_size;

static BOOLEAN image_load(EFI_HANDLE *h)
{
	EFI_LOADED_IMAGE *li;
	EFI_STATUS s = load_child(h);

	if (!status_is(s, EFI_SUCCESS, L"LoadImage(child.efi from a buffer)"))
		return FALSE;
	li = loaded_image(*h);
	if (!li)
		return why(L"no loaded image protocol on the new handle");
	if (!loaded_image_ok(li))
		return FALSE;
	child_base = (UINTN)li->ImageBase;
	child_image_size = li->ImageSize;
	args = (struct child_args){.magic = CHILD_MAGIC,
				   .mode = CHILD_EXIT_NESTED,
				   .parent = self};
	li->LoadOptions = &args;
	li->LoadOptionsSize = sizeof(args);
	return TRUE;
}

static BOOLEAN image_start_exit(EFI_HANDLE h)
{
	UINTN exit_size = 0;
	CHAR16 *exit_data = NULL;
	const UINT64 call[5] = {(UINTN)h, (UINTN)&exit_size, (UINTN)&exit_data};
	UINT64 changed = ~0ull;
	EFI_STATUS s, freed, after;
	void *i;

	s = canary_call((void *)BS->StartImage, call, &changed);
	if (!status_is(s, CHILD_EXIT_STATUS, L"StartImage (child Exit()s)"))
		return FALSE;
	if (!args.ran || args.depth != CHILD_DEPTH)
		return why(L"the child ran %d times, got %d deep", args.ran,
			   args.depth);
	/* x18 is the child's to keep (gnu-efi's code may use it), not
	 * StartImage's to restore. */
	if (changed & CHANGED_CALLEE_SAVED)
		return why(L"StartImage came back with callee-saved registers "
			   L"changed: mask 0x%lx (bits 0-9 x19-x28, 10-17 "
			   L"d8-d15)",
			   changed);
	if (!exit_data_ok(exit_size, exit_data))
		return FALSE;
	freed = BS->FreePool(exit_data);
	after = BS->HandleProtocol(h, &li_guid, &i);
	say(L"Exit() from depth %d: status 0x%lx, %ld bytes of ExitData "
	    L"(FreePool %r), x19-x28/d8-d15 preserved; child saw parent %a, "
	    L"ImageBase %a; handle after: %r, its pages type %d",
	    args.depth, s, exit_size, freed,
	    args.li_parent == self ? "us" : "NOT us",
	    args.li_base == child_base ? "same" : "DIFFERENT", after,
	    memmap_type_at(child_base));
	/* An application is unloaded when it exits (section 7.4.5). */
	return freed == EFI_SUCCESS && args.li_parent == self &&
	       args.li_base == child_base && args.entry >= child_base &&
	       args.entry < child_base + child_image_size &&
	       after == EFI_INVALID_PARAMETER &&
	       memmap_type_at(child_base) == EfiConventionalMemory;
}

static BOOLEAN exit_wrong_handle(void)
{
	say(L"from inside the child: Exit(parent's handle) %r, Exit(NULL) %r",
	    args.exit_parent, args.exit_null);
	return args.ran && args.exit_parent == EFI_INVALID_PARAMETER &&
	       args.exit_null == EFI_INVALID_PARAMETER;
}

/* Section 7.4.5 asks for ExitData from AllocatePool: mmuon checks. */
static BOOLEAN exit_garbage(void)
{
	say(L"from inside the child: Exit(made-up handle) %r, Exit(own, "
	    L"ExitData on its stack) %r, Exit(own, ExitDataSize past its "
	    L"pool) %r",
	    args.exit_bogus_handle, args.exit_bogus_data,
	    args.exit_oversized_data);
	return args.ran && args.exit_bogus_handle == EFI_INVALID_PARAMETER &&
	       args.exit_bogus_data == EFI_INVALID_PARAMETER &&
	       args.exit_oversized_data == EFI_INVALID_PARAMETER;
}

static BOOLEAN image_start_return(void)
{
	EFI_LOADED_IMAGE *li;
	UINTN exit_size = 99;
	CHAR16 *exit_data = (CHAR16 *)&exit_size;
	EFI_HANDLE h;
	EFI_STATUS s;

	if (load_child(&h) || !(li = loaded_image(h)))
		return why(L"LoadImage(child) failed");
	args = (struct child_args){
		.magic = CHILD_MAGIC, .mode = CHILD_RETURN, .parent = self};
	li->LoadOptions = &args;
	li->LoadOptionsSize = sizeof(args);
	s = BS->StartImage(h, &exit_size, &exit_data);
	say(L"child returned from efi_main: StartImage %r (0x%lx), "
	    L"ExitDataSize %ld, ExitData 0x%lx",
	    s, s, exit_size, (UINTN)exit_data);
	return s == CHILD_RETURN_STATUS && args.ran == 1 && exit_size == 0 &&
	       !exit_data;
}

/* ---- never started ------------------------------------------------------- */

static BOOLEAN image_unload(void)
{
	EFI_LOADED_IMAGE *li;
	EFI_STATUS s, again, start, lookup;
	EFI_HANDLE h;
	UINTN base;
	void *i;

	if (load_child(&h) || !(li = loaded_image(h)))
		return why(L"LoadImage(child) failed");
	base = (UINTN)li->ImageBase;
	s = BS->UnloadImage(h);
	lookup = BS->HandleProtocol(h, &li_guid, &i);
	again = BS->UnloadImage(h);
	start = BS->StartImage(h, NULL, NULL);
	say(L"loaded at 0x%lx, UnloadImage %r; then HandleProtocol %r, "
	    L"UnloadImage %r, StartImage %r; its pages type %d",
	    base, s, lookup, again, start, memmap_type_at(base));
	return s == EFI_SUCCESS && lookup == EFI_INVALID_PARAMETER &&
	       again == EFI_INVALID_PARAMETER &&
	       start == EFI_INVALID_PARAMETER &&
	       memmap_type_at(base) == EfiConventionalMemory;
}

/* Section 7.4.5: Exit() on a loaded, unstarted image unloads it. */
static BOOLEAN image_exit_unstarted(void)
{
	EFI_HANDLE h;
	EFI_STATUS s, lookup;
	void *i;

	if (load_child(&h))
		return why(L"LoadImage(child) failed");
	s = BS->Exit(h, EFI_SUCCESS, 0, NULL);
	lookup = BS->HandleProtocol(h, &li_guid, &i);
	say(L"Exit(loaded, never started) %r; the handle after: %r", s, lookup);
	return s == EFI_SUCCESS && lookup == EFI_INVALID_PARAMETER;
}

/* ---- broken files -------------------------------------------------------- */

static EFI_STATUS load_bytes(const void *p, UINTN size)
{
	EFI_HANDLE h = NULL;
	EFI_STATUS s = BS->LoadImage(FALSE, self, NULL, (void *)p, size, &h);

	if (s == EFI_SUCCESS)
		BS->UnloadImage(h);
	return s;
}

static BOOLEAN refused(EFI_STATUS s)
{
	return s == EFI_LOAD_ERROR || s == EFI_UNSUPPORTED;
}

static void fill_garbage(UINT8 *p, UINTN n)
{
	UINT64 x = 0x9e3779b97f4a7c15ull;
	UINTN i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (UINT8)x;
	}
}

static BOOLEAN load_image_refusals(void)
{
	UINTN size = child_size();
	EFI_STATUS s[8];
	EFI_HANDLE h;
	UINT8 *buf;

	if (BS->AllocatePool(EfiLoaderData, size, (void **)&buf))
		return why(L"AllocatePool failed");
	fill_garbage(buf, 4096);
	s[0] = load_bytes(buf, 4096);
	/* "MZ", and a PE header offset past the end of the file. */
	buf[0] = 'M';
	buf[1] = 'Z';
	buf[0x3c] = 0xf0;
	buf[0x3d] = 0xff;
	buf[0x3e] = buf[0x3f] = 0;
	s[1] = load_bytes(buf, 4096);
	/* The real file, cut after its headers. */
	s[2] = load_bytes(child_efi_start, 0x400);
	/* The real file for another machine (x86-64). */
	CopyMem(buf, (void *)child_efi_start, size);
	buf[pe_offset(buf) + 4] = 0x64;
	buf[pe_offset(buf) + 5] = 0x86;
	s[3] = load_bytes(buf, size);
	s[4] = load_bytes(child_efi_start, 0);
	s[5] = BS->LoadImage(FALSE, NULL, NULL, (void *)child_efi_start, size,
			     &h);
	s[6] = BS->LoadImage(FALSE, self, NULL, (void *)child_efi_start, size,
			     NULL);
	s[7] = BS->LoadImage(FALSE, self, NULL, NULL, 0, &h);
	BS->FreePool(buf);
	say(L"garbage %r; MZ with e_lfanew past the end %r; truncated %r; "
	    L"x86-64 machine %r; size 0 %r; parent NULL %r; ImageHandle NULL "
	    L"%r; no buffer, no path %r",
	    s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
	return refused(s[0]) && refused(s[1]) && refused(s[2]) &&
	       s[3] == EFI_UNSUPPORTED && refused(s[4]) &&
	       s[5] == EFI_INVALID_PARAMETER && s[6] == EFI_INVALID_PARAMETER &&
	       s[7] == EFI_NOT_FOUND;
}

/*
 * child.efi with a base relocation table of one block, put at the start of
 * its .data (file offset = RVA: gnu-efi lays the file out as the image):
 * page @page, entries @e0 and @e1 (type << 12 | offset).
 */
static void with_reloc_block(UINT8 *buf, UINT32 page, UINT16 e0, UINT16 e1)
{
	UINT8 *data = section_header(buf, 1);
	UINT8 *dir = buf + pe_offset(buf) + 24 + 112 + 5 * 8;
	UINT8 *blk = buf + read32(data + 20);

	CopyMem(buf, (void *)child_efi_start, child_size());
	write32(dir, read32(data + 12));
	write32(dir + 4, 12);
	write32(blk, page);
	write32(blk + 4, 12);
	blk[8] = (UINT8)e0;
	blk[9] = (UINT8)(e0 >> 8);
	blk[10] = (UINT8)e1;
	blk[11] = (UINT8)(e1 >> 8);
}

/*
 * PE files broken where a loader must look: sections that overlap, a
 * relocation of a type other than DIR64/ABSOLUTE, a relocation that
 * patches past SizeOfImage. Each gets EFI_LOAD_ERROR (mmuon also says why
 * on the console), and nothing is left loaded. The same table with a
 * DIR64 entry inside the image loads: the surgery itself is sound.
 */
static BOOLEAN load_image_bad_pe(void)
{
	UINTN size = child_size();
	UINT32 text = read32(section_header((UINT8 *)child_efi_start, 0) + 12);
	EFI_STATUS s[4];
	UINT8 *buf;

	if (BS->AllocatePool(EfiLoaderData, size, (void **)&buf))
		return why(L"AllocatePool failed");
	CopyMem(buf, (void *)child_efi_start, size);
	/* .data's VirtualAddress moved onto .text's. */
	write32(section_header(buf, 1) + 12, text);
	s[0] = load_bytes(buf, size);
	with_reloc_block(buf, text, 3 << 12, 0); /* HIGHLOW */
	s[1] = load_bytes(buf, size);
	with_reloc_block(buf, pe_size_of_image(buf), 10 << 12, 0);
	s[2] = load_bytes(buf, size);
	with_reloc_block(buf, text, 10 << 12 | 0x10, 0);
	s[3] = load_bytes(buf, size);
	BS->FreePool(buf);
	say(L"overlapping sections %r; relocation type 3 %r; DIR64 past "
	    L"SizeOfImage %r; a sound DIR64 entry %r",
	    s[0], s[1], s[2], s[3]);
	return s[0] == EFI_LOAD_ERROR && s[1] == EFI_LOAD_ERROR &&
	       s[2] == EFI_LOAD_ERROR && s[3] == EFI_SUCCESS;
}

/* child.efi with DllCharacteristics NX_COMPAT set or not. */
static void set_nx_compat(UINT8 *buf, BOOLEAN nx)
{
	UINT8 *dll = buf + pe_offset(buf) + 24 + 70;

	dll[1] = nx ? dll[1] | 0x01 : dll[1] & ~0x01; /* 0x0100 */
}

/*
 * The W^X exceptions are for images without NX_COMPAT only: a section
 * asking for write and execute, and a SectionAlignment below the page
 * (sections sharing pages), load for child.efi as gnu-efi builds it and
 * are refused (EFI_UNSUPPORTED) for the same file declaring NX_COMPAT.
 */
static BOOLEAN load_image_wx_policy(void)
{
	UINTN size = child_size();
	EFI_STATUS s[4];
	UINT8 *buf, *opt;
	BOOLEAN nx;

	if (BS->AllocatePool(EfiLoaderData, size, (void **)&buf))
		return why(L"AllocatePool failed");
	for (nx = 0; nx <= 1; nx++) {
		CopyMem(buf, (void *)child_efi_start, size);
		/* .data: IMAGE_SCN_MEM_EXECUTE on top of read/write. */
		write32(section_header(buf, 1) + 36,
			read32(section_header(buf, 1) + 36) | 0x20000000);
		set_nx_compat(buf, nx);
		s[nx] = load_bytes(buf, size);
		/* SectionAlignment = FileAlignment = 512: sections share
		 * pages (their RVAs stay multiples of it). */
		CopyMem(buf, (void *)child_efi_start, size);
		opt = buf + pe_offset(buf) + 24;
		write32(opt + 32, 0x200);
		write32(opt + 36, 0x200);
		set_nx_compat(buf, nx);
		s[2 + nx] = load_bytes(buf, size);
	}
	BS->FreePool(buf);
	say(L"W+X .data: without NX_COMPAT %r, with %r; SectionAlignment "
	    L"512: without %r, with %r",
	    s[0], s[1], s[2], s[3]);
	return s[0] == EFI_SUCCESS && s[1] == EFI_UNSUPPORTED &&
	       s[2] == EFI_SUCCESS && s[3] == EFI_UNSUPPORTED;
}

void check_images(void)
{
	EFI_HANDLE h = NULL;
	BOOLEAN loaded = image_load(&h);

	report("image.load", loaded);
	if (loaded) {
		report("image.start-exit", image_start_exit(h));
		report("image.exit-wrong-handle", exit_wrong_handle());
		report("image.exit-garbage", exit_garbage());
	}
	report("image.start-return", image_start_return());
	report("image.unload", image_unload());
	report("image.exit-unstarted", image_exit_unstarted());
	report("bad.load-image", load_image_refusals());
	report("bad.load-image-pe", load_image_bad_pe());
	report("image.wx-policy", load_image_wx_policy());
}
