// SPDX-License-Identifier: MIT
/*
 * PE/COFF parser and relocator: a synthetic image with every field under
 * control, one test per rejection, a byte-flipping fuzz loop under ASan,
 * and Debian's real arm64 kernels when they are in the cache.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/pe.h>

/* Layout of the synthetic image. */
#define LFANEW 0x40
#define COFF (LFANEW + 4)
#define OPT (LFANEW + 24)
#define OPT_SIZE 240 /* 112 + 16 data directories */
#define SECT (OPT + OPT_SIZE)
#define SEC(i) (SECT + 40 * (i))
#define NSEC 3
#define TABLE_END SEC(NSEC)
#define HEADERS 0x200
#define IMAGE_SIZE 0x5000
#define FILE_SIZE 0x4200
#define RELOC_RVA 0x4000
#define RELOC_SIZE 28

/* Optional header and section header field offsets. */
#define O_ENTRY (OPT + 16)
#define O_BASE (OPT + 24)
#define O_SALIGN (OPT + 32)
#define O_FALIGN (OPT + 36)
#define O_IMAGE (OPT + 56)
#define O_HEADERS (OPT + 60)
#define O_SUBSYS (OPT + 68)
#define O_NDIRS (OPT + 108)
#define O_DIR(i) (OPT + 112 + 8 * (i))
#define S_VSIZE 8
#define S_VA 12
#define S_RAW 16
#define S_PTR 20
#define S_CHAR 36

#define SCN_CODE_RX 0x60000020
#define SCN_DATA_RW 0xc0000040
#define SCN_RELOC 0x42000040

static uint8_t file[FILE_SIZE];

static void put16(uint8_t *b, size_t off, uint16_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, size_t off, uint32_t v)
{
	put16(b, off, (uint16_t)v);
	put16(b, off + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *b, size_t off, uint64_t v)
{
	put32(b, off, (uint32_t)v);
	put32(b, off + 4, (uint32_t)(v >> 32));
}

static uint64_t get64(const uint8_t *b, size_t off)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[off + i];
	return v;
}

static void section(int i, const char *name, uint32_t va, uint32_t vsize,
		    uint32_t ptr, uint32_t raw, uint32_t ch)
{
	memcpy(file + SEC(i), name, strlen(name));
	put32(file, SEC(i) + S_VSIZE, vsize);
	put32(file, SEC(i) + S_VA, va);
	put32(file, SEC(i) + S_RAW, raw);
	put32(file, SEC(i) + S_PTR, ptr);
	put32(file, SEC(i) + S_CHAR, ch);
}

/*
 * A valid in-place image: headers 0x200, .text at 0x1000, .data at 0x2000
 * with 0x1e00 bytes of BSS, .reloc at 0x4000 holding two blocks:
 * page 0x2000: DIR64 at +0x0 and +0x8, two ABSOLUTE paddings;
 * page 0x1000: DIR64 at +0xff8, one ABSOLUTE padding.
 */
static int build(void **state)
{
	(void)state;
	memset(file, 0, sizeof(file));
	file[0] = 'M';
	file[1] = 'Z';
	put32(file, 0x3c, LFANEW);
	memcpy(file + LFANEW, "PE\0\0", 4);
	put16(file, COFF, 0xaa64);
	put16(file, COFF + 2, NSEC);
	put16(file, COFF + 16, OPT_SIZE);
	put16(file, COFF + 18, 0x206);
	put16(file, OPT, 0x20b);
	put32(file, O_ENTRY, 0x1000);
	put64(file, O_BASE, 0x10000000);
	put32(file, O_SALIGN, 0x1000);
	put32(file, O_FALIGN, 0x200);
	put32(file, O_IMAGE, IMAGE_SIZE);
	put32(file, O_HEADERS, HEADERS);
	put16(file, O_SUBSYS, 10);
	put16(file, OPT + 70, 0x100);
	put32(file, O_NDIRS, 16);
	put32(file, O_DIR(5), RELOC_RVA);
	put32(file, O_DIR(5) + 4, RELOC_SIZE);
	section(0, ".text", 0x1000, 0x1000, 0x1000, 0x1000, SCN_CODE_RX);
	section(1, ".data", 0x2000, 0x2000, 0x2000, 0x200, SCN_DATA_RW);
	section(2, ".reloc", RELOC_RVA, RELOC_SIZE, RELOC_RVA, 0x200,
		SCN_RELOC);

	/* Data the relocations patch. */
	put64(file, 0x2000, 0x10001000);
	put64(file, 0x2008, 0x10002000);
	put64(file, 0x1ff8, 0x10000000);

	put32(file, RELOC_RVA, 0x2000);
	put32(file, RELOC_RVA + 4, 8 + 4 * 2);
	put16(file, RELOC_RVA + 8, 0xa000);
	put16(file, RELOC_RVA + 10, 0xa008);
	put32(file, RELOC_RVA + 16, 0x1000);
	put32(file, RELOC_RVA + 20, 8 + 2 * 2);
	put16(file, RELOC_RVA + 24, 0xaff8);
	return 0;
}

static enum pe_status parse(struct pe_image *img)
{
	return pe_parse(file, sizeof(file), sizeof(file), img);
}

static void expect(enum pe_status want, uint64_t bad)
{
	struct pe_image img;
	enum pe_status st = parse(&img);

	if (st != want)
		print_error("got %d (%s), want %d (%s)\n", st, pe_strerror(st),
			    want, pe_strerror(want));
	assert_int_equal(st, want);
	assert_int_equal(img.bad_value, bad);
}

static void test_valid(void **state)
{
	struct pe_image img;

	(void)state;
	assert_int_equal(parse(&img), PE_OK);
	assert_int_equal(img.image_base, 0x10000000);
	assert_int_equal(img.image_size, IMAGE_SIZE);
	assert_int_equal(img.headers_size, HEADERS);
	assert_int_equal(img.section_alignment, 0x1000);
	assert_int_equal(img.file_alignment, 0x200);
	assert_int_equal(img.entry_rva, 0x1000);
	assert_int_equal(img.subsystem, PE_SUBSYSTEM_EFI_APPLICATION);
	assert_int_equal(img.characteristics, 0x206);
	assert_int_equal(img.dll_characteristics, PE_DLL_NX_COMPAT);
	assert_true(img.in_place);
	assert_int_equal(img.load_size, RELOC_RVA + RELOC_SIZE);
	assert_int_equal(img.reloc.rva, RELOC_RVA);
	assert_int_equal(img.reloc.size, RELOC_SIZE);
	assert_int_equal(img.num_sections, 3);
	assert_memory_equal(img.sections[0].name, ".text\0\0\0", 8);
	assert_int_equal(img.sections[0].rva, 0x1000);
	assert_int_equal(img.sections[0].mem_size, 0x1000);
	assert_int_equal(img.sections[0].file_offset, 0x1000);
	assert_int_equal(img.sections[0].file_size, 0x1000);
	assert_int_equal(img.sections[0].characteristics, SCN_CODE_RX);
	assert_int_equal(img.sections[1].mem_size, 0x2000);
	assert_int_equal(img.sections[1].file_size, 0x200);
	/* Raw data is padded to FileAlignment; only VirtualSize loads. */
	assert_int_equal(img.sections[2].file_size, RELOC_SIZE);
}

/* What the file does not fill reads as zero; nothing else is touched. */
static void test_zero_uncovered(void **state)
{
	struct pe_image img;
	uint8_t *image = malloc(IMAGE_SIZE);
	size_t i;

	(void)state;
	assert_int_equal(parse(&img), PE_OK);
	memset(image, 0xaa, IMAGE_SIZE);
	/* [0x200, 0x1000) gap, .data's BSS [0x2200, 0x4000), the tail past
	 * .reloc's 28 bytes to SizeOfImage. */
	assert_int_equal(pe_zero_uncovered(image, &img),
			 (0x1000 - HEADERS) + (0x4000 - 0x2200) +
				 (IMAGE_SIZE - RELOC_RVA - RELOC_SIZE));
	for (i = 0; i < IMAGE_SIZE; i++) {
		bool file_data = i < HEADERS || (i >= 0x1000 && i < 0x2200) ||
				 (i >= RELOC_RVA && i < RELOC_RVA + RELOC_SIZE);

		assert_int_equal(image[i], file_data ? 0xaa : 0);
	}
	free(image);
}

/* Only the header area needs to be in the buffer. */
static void test_headers_only(void **state)
{
	struct pe_image img;
	uint8_t *hdr = malloc(TABLE_END);

	(void)state;
	memcpy(hdr, file, TABLE_END);
	assert_int_equal(pe_parse(hdr, TABLE_END, FILE_SIZE, &img), PE_OK);
	assert_int_equal(img.num_sections, 3);
	assert_int_equal(pe_parse(hdr, TABLE_END - 1, FILE_SIZE, &img),
			 PE_ERR_TRUNCATED);
	assert_int_equal(img.bad_value, TABLE_END);
	assert_int_equal(pe_parse(hdr, 0x60, FILE_SIZE, &img),
			 PE_ERR_TRUNCATED);
	free(hdr);
}

/*
 * Every prefix of the file, as a whole file (in an exactly sized buffer,
 * for ASan): an error until all data the image loads is there.
 */
static void test_every_truncation(void **state)
{
	const size_t needed = RELOC_RVA + RELOC_SIZE;
	struct pe_image img;

	(void)state;
	for (size_t len = 0; len <= needed; len++) {
		uint8_t *b = malloc(len ? len : 1);
		enum pe_status st;

		memcpy(b, file, len);
		st = pe_parse(b, len, len, &img);
		if (len < needed)
			assert_int_not_equal(st, PE_OK);
		else
			assert_int_equal(st, PE_OK);
		free(b);
	}
}

static void test_not_pe(void **state)
{
	static const uint8_t elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	uint8_t bare[64] = {0x00, 0x00, 0x00, 0x14};
	struct pe_image img;

	(void)state;
	assert_int_equal(pe_parse(elf, sizeof(elf), sizeof(elf), &img),
			 PE_ERR_ELF);
	assert_false(pe_is_arm64_linux(bare, sizeof(bare)));
	memcpy(bare + 0x38, "ARM\x64", 4);
	assert_true(pe_is_arm64_linux(bare, sizeof(bare)));
	assert_false(pe_is_arm64_linux(bare, 0x3b)); /* magic cut short */
	assert_int_equal(pe_parse(bare, sizeof(bare), sizeof(bare), &img),
			 PE_ERR_BARE_IMAGE);
	assert_int_equal(pe_parse(file, 0, 0, &img), PE_ERR_NO_MZ);
	assert_int_equal(pe_parse(file, 1, 1, &img), PE_ERR_NO_MZ);
	file[0] = 'Z';
	expect(PE_ERR_NO_MZ, 0x5a5a);
	file[0] = 'M';
	/* 'MZ' but too short for the DOS header. */
	assert_int_equal(pe_parse(file, 0x20, 0x20, &img), PE_ERR_LFANEW);
}

static void test_random_bytes(void **state)
{
	uint8_t *b = malloc(4096);
	struct pe_image img;

	(void)state;
	srand(1);
	for (int iter = 0; iter < 2000; iter++) {
		for (int i = 0; i < 4096; i++)
			b[i] = (uint8_t)rand();
		/* Half of them get far enough to look at e_lfanew. */
		if (iter & 1) {
			b[0] = 'M';
			b[1] = 'Z';
			put32(b, 0x3c, (uint32_t)(rand() % 0x200) & ~3u);
		}
		assert_int_not_equal(pe_parse(b, 4096, 4096, &img), PE_OK);
	}
	free(b);
}

static void test_lfanew(void **state)
{
	(void)state;
	put32(file, 0x3c, 0x42);
	expect(PE_ERR_LFANEW, 0x42);
	put32(file, 0x3c, 0x20);
	expect(PE_ERR_LFANEW, 0x20);
	put32(file, 0x3c, 0xfffffffc);
	expect(PE_ERR_LFANEW, 0xfffffffcull + 24 + 2);
	put32(file, 0x3c, 0x48);
	expect(PE_ERR_NO_PE_SIG, 0);
}

static void test_signature_and_machine(void **state)
{
	(void)state;
	file[LFANEW + 2] = 'X';
	expect(PE_ERR_NO_PE_SIG, 0x584550);
	file[LFANEW + 2] = 0;
	put16(file, COFF, 0x8664);
	expect(PE_ERR_MACHINE, 0x8664);
	put16(file, COFF, 0x01c4); /* ARMv7 Thumb-2 */
	expect(PE_ERR_MACHINE, 0x01c4);
}

static void test_optional_header(void **state)
{
	(void)state;
	put16(file, OPT, 0x10b);
	expect(PE_ERR_PE32, 0x10b);
	put16(file, OPT, 0x107);
	expect(PE_ERR_OPT_MAGIC, 0x107);
	put16(file, OPT, 0x20b);
	put16(file, COFF + 16, 100);
	expect(PE_ERR_OPT_SIZE, 100);
	put16(file, COFF + 16, OPT_SIZE);
	put32(file, O_NDIRS, 17);
	expect(PE_ERR_DATA_DIRS, 17);
	put32(file, O_NDIRS, 0xffffffff);
	expect(PE_ERR_DATA_DIRS, 0xffffffff);
}

/* Fewer directories: the header shrinks, and no relocation directory. */
static void test_few_data_dirs(void **state)
{
	struct pe_image img;
	const size_t shrink = 16 * 8;

	(void)state;
	/* Move the section table down to follow 0 directories. */
	memmove(file + SECT - shrink, file + SECT, NSEC * 40);
	put16(file, COFF + 16, OPT_SIZE - shrink);
	put32(file, O_NDIRS, 1);
	expect(PE_ERR_DATA_DIRS, 1);
	put32(file, O_NDIRS, 0);
	assert_int_equal(parse(&img), PE_OK);
	assert_int_equal(img.reloc.size, 0);
	assert_int_equal(img.num_sections, 3);
}

static void test_section_count(void **state)
{
	(void)state;
	put16(file, COFF + 2, 0);
	expect(PE_ERR_NO_SECTIONS, 0);
	put16(file, COFF + 2, PE_MAX_SECTIONS + 1);
	expect(PE_ERR_TOO_MANY_SECTIONS, PE_MAX_SECTIONS + 1);
	put16(file, COFF + 2, 0xffff);
	expect(PE_ERR_TOO_MANY_SECTIONS, 0xffff);
	/* 10 sections: the table passes SizeOfHeaders (0x200). */
	put16(file, COFF + 2, 10);
	expect(PE_ERR_HEADERS_SIZE, HEADERS);
}

static void test_headers_size(void **state)
{
	(void)state;
	put32(file, O_HEADERS, TABLE_END - 1);
	expect(PE_ERR_HEADERS_SIZE, TABLE_END - 1);
	put32(file, O_HEADERS, FILE_SIZE + 1);
	expect(PE_ERR_HEADERS_SIZE, FILE_SIZE + 1);
	put32(file, O_HEADERS, 0x1000);
	expect(PE_OK, 0);
	/* Sections may not overlap the headers. */
	put32(file, O_HEADERS, 0x1001);
	expect(PE_ERR_SECTION_OVERLAP, 0x1000);
}

static void test_alignment(void **state)
{
	struct pe_image img;

	(void)state;
	put32(file, O_FALIGN, 0x100);
	expect(PE_ERR_FILE_ALIGN, 0x100);
	put32(file, O_FALIGN, 0x300);
	expect(PE_ERR_FILE_ALIGN, 0x300);
	put32(file, O_FALIGN, 0x20000);
	expect(PE_ERR_FILE_ALIGN, 0x20000);
	put32(file, O_FALIGN, 0);
	expect(PE_ERR_FILE_ALIGN, 0);
	put32(file, O_FALIGN, 0x200);
	put32(file, O_SALIGN, 0x3000);
	expect(PE_ERR_SECTION_ALIGN, 0x3000);
	put32(file, O_SALIGN, 0x100);
	expect(PE_ERR_SECTION_ALIGN, 0x100);
	/* Below 4 KiB, the spec wants SectionAlignment == FileAlignment. */
	put32(file, O_SALIGN, 0x400);
	expect(PE_ERR_SECTION_ALIGN, 0x400);
	put32(file, O_SALIGN, 0x200);
	assert_int_equal(parse(&img), PE_OK);
	assert_int_equal(img.section_alignment, 0x200);
	put32(file, O_SALIGN, 0x10000); /* Linux's 64 KiB */
	expect(PE_ERR_SECTION_VA_ALIGN, 0x1000);
	put32(file, O_SALIGN, 0x1000);
	put32(file, SEC(1) + S_VA, 0x2800);
	expect(PE_ERR_SECTION_VA_ALIGN, 0x2800);
}

static void test_image_size(void **state)
{
	(void)state;
	put32(file, O_IMAGE, HEADERS - 1);
	expect(PE_ERR_IMAGE_SIZE, HEADERS - 1);
	put32(file, O_IMAGE, 0);
	expect(PE_ERR_IMAGE_SIZE, 0);
	put32(file, O_IMAGE, RELOC_RVA + RELOC_SIZE - 1);
	expect(PE_ERR_SECTION_RANGE, RELOC_RVA + RELOC_SIZE);
	put32(file, O_IMAGE, RELOC_RVA + RELOC_SIZE);
	expect(PE_OK, 0);
}

static void test_subsystem(void **state)
{
	struct pe_image img;

	(void)state;
	put16(file, O_SUBSYS, 3); /* Windows console */
	expect(PE_ERR_SUBSYSTEM, 3);
	put16(file, O_SUBSYS, 13); /* EFI ROM */
	expect(PE_ERR_SUBSYSTEM, 13);
	for (uint16_t s = 10; s <= 12; s++) {
		put16(file, O_SUBSYS, s);
		assert_int_equal(parse(&img), PE_OK);
		assert_int_equal(img.subsystem, s);
	}
}

static void test_section_ranges(void **state)
{
	(void)state;
	/* VirtualAddress + VirtualSize wraps in 32 bits. */
	put32(file, SEC(2) + S_VA, 0xfffff000);
	put32(file, SEC(2) + S_VSIZE, 0x2000);
	expect(PE_ERR_SECTION_RANGE, 0x100001000ull);
	build(state);
	/* .data over .text */
	put32(file, SEC(1) + S_VA, 0x1000);
	expect(PE_ERR_SECTION_OVERLAP, 0x1000);
	build(state);
	/* unsorted: .reloc below .data */
	put32(file, SEC(2) + S_VA, 0x1000);
	expect(PE_ERR_SECTION_OVERLAP, 0x1000);
	build(state);
	/* .text at RVA 0, i.e. over the headers */
	put32(file, SEC(0) + S_VA, 0);
	expect(PE_ERR_SECTION_OVERLAP, 0);
}

static void test_section_file(void **state)
{
	struct pe_image img;

	(void)state;
	put32(file, SEC(2) + S_PTR, FILE_SIZE - RELOC_SIZE + 1);
	expect(PE_ERR_SECTION_FILE, FILE_SIZE + 1);
	/* PointerToRawData + size wraps in 32 bits. */
	put32(file, SEC(2) + S_PTR, 0xfffffff0);
	expect(PE_ERR_SECTION_FILE, 0xfffffff0ull + RELOC_SIZE);
	/* Raw data past the file but not loaded (beyond VirtualSize): fine. */
	put32(file, SEC(2) + S_PTR, FILE_SIZE - RELOC_SIZE);
	put32(file, SEC(2) + S_RAW, 0x1000);
	assert_int_equal(parse(&img), PE_OK);
	assert_false(img.in_place);
	assert_int_equal(img.sections[2].file_size, RELOC_SIZE);
	assert_int_equal(img.load_size, FILE_SIZE);
	/* The whole file is checked, not the buffer. */
	assert_int_equal(pe_parse(file, sizeof(file), FILE_SIZE - 1, &img),
			 PE_ERR_SECTION_FILE);
}

/* VirtualSize 0 means SizeOfRawData; both 0 means "skip" (gnu-efi). */
static void test_empty_and_zero_vsize(void **state)
{
	struct pe_image img;

	(void)state;
	put32(file, SEC(0) + S_VSIZE, 0);
	assert_int_equal(parse(&img), PE_OK);
	assert_int_equal(img.sections[0].mem_size, 0x1000);
	/* U-Boot/gnu-efi placeholder: ".reloc" with everything 0, first. */
	memmove(file + SEC(1), file + SEC(0), 2 * 40);
	memset(file + SEC(0), 0, 40);
	memcpy(file + SEC(0), ".reloc", 6);
	put32(file, O_DIR(5) + 4, 0);
	assert_int_equal(parse(&img), PE_OK);
	assert_int_equal(img.num_sections, 2);
	assert_memory_equal(img.sections[0].name, ".text", 5);
	assert_memory_equal(img.sections[1].name, ".data", 5);
	assert_int_equal(img.load_size, 0x2200);
	assert_int_equal(img.reloc.size, 0);
}

static void test_bss_only_section(void **state)
{
	struct pe_image img;

	(void)state;
	put32(file, SEC(1) + S_RAW, 0);
	put32(file, SEC(1) + S_PTR, 0x12345678);
	assert_int_equal(parse(&img), PE_OK);
	assert_int_equal(img.sections[1].file_size, 0);
	assert_int_equal(img.sections[1].file_offset, 0);
	assert_true(img.in_place);
}

static void test_entry(void **state)
{
	(void)state;
	put32(file, O_ENTRY, 0);
	expect(PE_ERR_ENTRY, 0);
	put32(file, O_ENTRY, 0x4800); /* in the image, between sections */
	expect(PE_ERR_ENTRY, 0x4800);
	put32(file, O_ENTRY, IMAGE_SIZE);
	expect(PE_ERR_ENTRY, IMAGE_SIZE);
	put32(file, O_ENTRY, 0xffffffff);
	expect(PE_ERR_ENTRY, 0xffffffff);
	put32(file, O_ENTRY, 0x3fff); /* last byte of .data */
	expect(PE_OK, 0);
}

static void test_reloc_dir(void **state)
{
	struct pe_image img;

	(void)state;
	put32(file, O_DIR(5), IMAGE_SIZE - 0x10);
	expect(PE_ERR_RELOC_DIR, IMAGE_SIZE - 0x10);
	put32(file, O_DIR(5), 0xfffffff0);
	expect(PE_ERR_RELOC_DIR, 0xfffffff0);
	/* A size of 0 means none, whatever the RVA. */
	put32(file, O_DIR(5) + 4, 0);
	assert_int_equal(parse(&img), PE_OK);
	assert_int_equal(img.reloc.rva, 0);
}

/* Load the file the way the firmware would, from the parse result. */
static uint8_t *load(const struct pe_image *img)
{
	uint8_t *mem = malloc(img->image_size);

	memset(mem, 0xaa, img->image_size);
	memcpy(mem, file, img->headers_size);
	for (uint32_t i = 0; i < img->num_sections; i++) {
		const struct pe_section *s = &img->sections[i];

		memcpy(mem + s->rva, file + s->file_offset, s->file_size);
		memset(mem + s->rva + s->file_size, 0,
		       s->mem_size - s->file_size);
	}
	return mem;
}

static void test_relocate(void **state)
{
	struct pe_image img;
	uint8_t *mem;

	(void)state;
	assert_int_equal(parse(&img), PE_OK);
	mem = load(&img);
	assert_int_equal(
		pe_relocate(mem, img.image_size, 0x30000000, &img.reloc),
		PE_OK);
	assert_int_equal(get64(mem, 0x2000), 0x40001000);
	assert_int_equal(get64(mem, 0x2008), 0x40002000);
	assert_int_equal(get64(mem, 0x1ff8), 0x40000000);
	assert_int_equal(get64(mem, 0x2010), 0); /* BSS */

	/* Moving down: the delta wraps. */
	assert_int_equal(
		pe_relocate(mem, img.image_size, -0x3f000000ull, &img.reloc),
		PE_OK);
	assert_int_equal(get64(mem, 0x2000), 0x01001000);
	assert_int_equal(get64(mem, 0x1ff8), 0x01000000);

	/* delta 0 still validates. */
	assert_int_equal(pe_relocate(mem, img.image_size, 0, &img.reloc),
			 PE_OK);
	assert_int_equal(get64(mem, 0x2000), 0x01001000);
	free(mem);
}

static void test_relocate_none(void **state)
{
	struct pe_base_reloc_dir none = {0, 0};
	uint8_t mem[16] = {0};

	(void)state;
	assert_int_equal(pe_relocate(mem, sizeof(mem), 0x1000, &none), PE_OK);
}

/*
 * Patch one field of the loaded relocation table; pe_relocate() must
 * answer @want and, on error, leave the image untouched even though the
 * first block is valid.
 */
static void expect_reloc(const struct pe_image *img, size_t off, uint32_t v,
			 int width, enum pe_status want)
{
	uint8_t *mem = load(img);
	enum pe_status st;

	if (width == 2)
		put16(mem, RELOC_RVA + off, (uint16_t)v);
	else
		put32(mem, RELOC_RVA + off, v);
	st = pe_relocate(mem, img->image_size, 0x1000, &img->reloc);
	if (st != want)
		print_error("field +%zu = 0x%x: got %s\n", off, v,
			    pe_strerror(st));
	assert_int_equal(st, want);
	if (want != PE_OK) {
		assert_int_equal(get64(mem, 0x2000), 0x10001000);
		assert_int_equal(get64(mem, 0x1ff8), 0x10000000);
	}
	free(mem);
}

/* Offsets in the table: second block's page at 16, size at 20, entry 24. */
static void test_relocate_malformed(void **state)
{
	const uint32_t to_dir = RELOC_RVA - 0xff8; /* entry lands on dir */
	struct pe_image img;
	struct pe_base_reloc_dir d;
	uint8_t *mem;

	(void)state;
	assert_int_equal(parse(&img), PE_OK);
	/* Block size 0, odd, past the table, below its header, huge. */
	expect_reloc(&img, 20, 0, 4, PE_ERR_RELOC_BLOCK);
	expect_reloc(&img, 20, 11, 4, PE_ERR_RELOC_BLOCK);
	expect_reloc(&img, 20, 14, 4, PE_ERR_RELOC_BLOCK);
	expect_reloc(&img, 20, 4, 4, PE_ERR_RELOC_BLOCK);
	expect_reloc(&img, 20, 0xfffffff8, 4, PE_ERR_RELOC_BLOCK);
	/* Shorter block, rest is a header-only block... that is cut off. */
	expect_reloc(&img, 20, 8, 4, PE_ERR_RELOC_BLOCK);
	/* Types: HIGHLOW (3), HIGHADJ (4), ARM_MOV32 (5), 15. */
	expect_reloc(&img, 24, 0x3ff8, 2, PE_ERR_RELOC_TYPE);
	expect_reloc(&img, 24, 0x4ff8, 2, PE_ERR_RELOC_TYPE);
	expect_reloc(&img, 24, 0x5ff8, 2, PE_ERR_RELOC_TYPE);
	expect_reloc(&img, 24, 0xfff8, 2, PE_ERR_RELOC_TYPE);
	/* Targets: last 8 bytes of the image are fine, one byte more not. */
	expect_reloc(&img, 16, IMAGE_SIZE - 0x1000, 4, PE_OK);
	expect_reloc(&img, 16, IMAGE_SIZE - 0xff8 + 1, 4, PE_ERR_RELOC_TARGET);
	expect_reloc(&img, 16, 0xfffff000, 4, PE_ERR_RELOC_TARGET);
	/* On the table, straddling its start, and just before it. */
	expect_reloc(&img, 16, to_dir, 4, PE_ERR_RELOC_TARGET);
	expect_reloc(&img, 16, to_dir - 7, 4, PE_ERR_RELOC_TARGET);
	expect_reloc(&img, 16, to_dir - 8, 4, PE_OK);
	expect_reloc(&img, 16, to_dir + RELOC_SIZE - 1, 4, PE_ERR_RELOC_TARGET);
	expect_reloc(&img, 16, to_dir + RELOC_SIZE, 4, PE_OK);

	/* Trailing bytes that are not a whole block header. */
	mem = load(&img);
	d = img.reloc;
	d.size += 4;
	assert_int_equal(pe_relocate(mem, img.image_size, 1, &d),
			 PE_ERR_RELOC_BLOCK);
	d.rva = IMAGE_SIZE - 8;
	d.size = 16;
	assert_int_equal(pe_relocate(mem, img.image_size, 1, &d),
			 PE_ERR_RELOC_DIR);
	d.rva = 0xfffffff8;
	assert_int_equal(pe_relocate(mem, img.image_size, 1, &d),
			 PE_ERR_RELOC_DIR);
	free(mem);
}

static void try_relocate(const struct pe_image *img)
{
	uint8_t *mem = malloc(img->image_size);

	memset(mem, 0, img->image_size);
	for (uint32_t i = 0; i < img->num_sections; i++) {
		const struct pe_section *s = &img->sections[i];

		memcpy(mem + s->rva, file + s->file_offset, s->file_size);
	}
	pe_relocate(mem, img->image_size, 0x1000, &img->reloc);
	free(mem);
}

/* Flip header bytes: parse must never crash, and an OK must be sane. */
static void test_fuzz_headers(void **state)
{
	uint8_t *b = malloc(FILE_SIZE);
	struct pe_image img;
	int ok = 0;

	(void)state;
	srand(2);
	for (int iter = 0; iter < 50000; iter++) {
		memcpy(b, file, FILE_SIZE);
		for (int n = 1 + rand() % 3; n; n--)
			b[rand() % TABLE_END] = (uint8_t)rand();
		if (pe_parse(b, FILE_SIZE, FILE_SIZE, &img) != PE_OK)
			continue;
		ok++;
		assert_true(img.headers_size <= img.image_size);
		assert_true(img.load_size <= FILE_SIZE);
		assert_true(img.num_sections <= PE_MAX_SECTIONS);
		for (uint32_t i = 0; i < img.num_sections; i++) {
			const struct pe_section *s = &img.sections[i];

			assert_true((uint64_t)s->rva + s->mem_size <=
				    img.image_size);
			assert_true((uint64_t)s->file_offset + s->file_size <=
				    FILE_SIZE);
			assert_true(s->file_size <= s->mem_size);
			assert_true(s->rva >= img.headers_size);
		}
		assert_true((uint64_t)img.reloc.rva + img.reloc.size <=
			    img.image_size);
		/* Whatever survives parsing must relocate safely. */
		if (img.image_size <= 0x10000)
			try_relocate(&img);
	}
	print_message("fuzz: %d of 50000 mutated headers still valid\n", ok);
	free(b);
}

static void test_perms_and_strings(void **state)
{
	(void)state;
	assert_int_equal(pe_section_perms(SCN_CODE_RX), PE_PERM_R | PE_PERM_X);
	assert_int_equal(pe_section_perms(SCN_DATA_RW), PE_PERM_R | PE_PERM_W);
	assert_int_equal(pe_section_perms(SCN_RELOC), PE_PERM_R);
	assert_int_equal(pe_section_perms(0), PE_PERM_R);
	assert_int_equal(pe_section_perms(PE_SCN_CNT_CODE),
			 PE_PERM_R | PE_PERM_X);
	assert_int_equal(pe_section_perms(0xe0000020),
			 PE_PERM_R | PE_PERM_W | PE_PERM_X);

	for (int i = 1; i < PE_ERR_COUNT; i++) {
		const char *m = pe_strerror(i);

		assert_non_null(m);
		assert_true(strlen(m) > 8);
		assert_null(strstr(m, "unknown PE/COFF error"));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(m, pe_strerror(j));
	}
	assert_string_equal(pe_strerror(PE_ERR_COUNT), "unknown PE/COFF error");
	assert_string_equal(pe_strerror(-1), "unknown PE/COFF error");
	assert_string_equal(pe_strerror(PE_ERR_NO_MZ),
			    "not a PE/COFF image (no MZ header)");
	assert_string_equal(pe_strerror(PE_ERR_TOO_MANY_SECTIONS),
			    "PE image has more than 32 sections");
}

/* Debian's arm64 kernels, if tools/fetch-arm64.sh has fetched them. */
static void check_kernel(const char *name)
{
	const char *cache = getenv("MMUON_CACHE");
	char path[512];
	uint8_t *hdr;
	struct pe_image img;
	enum pe_status st;
	long size;
	FILE *f;

	if (cache)
		snprintf(path, sizeof(path), "%s/arm64/%s", cache, name);
	else
		snprintf(path, sizeof(path), "%s/.cache/mmuon/arm64/%s",
			 getenv("HOME") ? getenv("HOME") : "", name);
	f = fopen(path, "rb");
	if (!f) {
		print_message("%s: not found, skipped\n", path);
		skip();
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	hdr = malloc(PE_HEADER_PROBE_SIZE);
	assert_int_equal(fread(hdr, 1, PE_HEADER_PROBE_SIZE, f),
			 PE_HEADER_PROBE_SIZE);
	fclose(f);

	st = pe_parse(hdr, PE_HEADER_PROBE_SIZE, (uint64_t)size, &img);
	print_message("%s (%ld bytes): %s\n", name, size, pe_strerror(st));
	assert_int_equal(st, PE_OK);
	/* What LoadImage's boot policy keys on: a Linux kernel, NX_COMPAT. */
	assert_true(pe_is_arm64_linux(hdr, PE_HEADER_PROBE_SIZE));
	assert_true(img.dll_characteristics & PE_DLL_NX_COMPAT);
	print_message("  base 0x%llx size 0x%x headers 0x%x salign 0x%x "
		      "falign 0x%x entry 0x%x subsystem %u\n",
		      (unsigned long long)img.image_base, img.image_size,
		      img.headers_size, img.section_alignment,
		      img.file_alignment, img.entry_rva, img.subsystem);
	print_message("  in_place %d load_size 0x%x reloc 0x%x+0x%x "
		      "characteristics 0x%x dll 0x%x\n",
		      img.in_place, img.load_size, img.reloc.rva,
		      img.reloc.size, img.characteristics,
		      img.dll_characteristics);
	for (uint32_t i = 0; i < img.num_sections; i++) {
		const struct pe_section *s = &img.sections[i];
		unsigned int p = pe_section_perms(s->characteristics);

		print_message(
			"  %-8.8s rva 0x%08x mem 0x%08x file 0x%08x+0x%08x"
			" %c%c%c\n",
			s->name, s->rva, s->mem_size, s->file_offset,
			s->file_size, p & PE_PERM_R ? 'r' : '-',
			p & PE_PERM_W ? 'w' : '-', p & PE_PERM_X ? 'x' : '-');
	}
	/* What DESIGN.md relies on for the zero-copy load. */
	assert_int_equal(img.section_alignment, 0x10000);
	assert_true(img.in_place);
	assert_int_equal(img.reloc.size, 0);
	assert_int_equal(img.subsystem, PE_SUBSYSTEM_EFI_APPLICATION);
	assert_true(img.load_size <= (uint64_t)size);
	assert_true(img.load_size <= img.image_size);
	assert_true(img.image_size > (uint64_t)size); /* BSS included */
	free(hdr);
}

static void test_kernel_61(void **state)
{
	(void)state;
	check_kernel("vmlinuz-6.1");
}

static void test_kernel_new(void **state)
{
	(void)state;
	check_kernel("vmlinuz-new");
}

#define T(f) cmocka_unit_test_setup(f, build)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_valid),
		T(test_headers_only),
		T(test_every_truncation),
		T(test_not_pe),
		T(test_random_bytes),
		T(test_lfanew),
		T(test_signature_and_machine),
		T(test_optional_header),
		T(test_few_data_dirs),
		T(test_section_count),
		T(test_headers_size),
		T(test_alignment),
		T(test_image_size),
		T(test_subsystem),
		T(test_section_ranges),
		T(test_section_file),
		T(test_empty_and_zero_vsize),
		T(test_zero_uncovered),
		T(test_bss_only_section),
		T(test_entry),
		T(test_reloc_dir),
		T(test_relocate),
		T(test_relocate_none),
		T(test_relocate_malformed),
		T(test_fuzz_headers),
		T(test_perms_and_strings),
		T(test_kernel_61),
		T(test_kernel_new),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
