// SPDX-License-Identifier: MIT
/*
 * PE/COFF (PE32+) header validation and DIR64 base relocation for AArch64
 * EFI images. The layout references are to the Microsoft PE/COFF
 * specification; field offsets are spelled out below because the headers
 * are read from an arbitrary byte buffer, never through packed structs.
 *
 * Every field the loader later relies on is checked here, with all
 * arithmetic done in 64 bits on 32-bit fields so that nothing can wrap.
 */
#include <string.h>

#include <mmuon/pe.h>

/* DOS header: 'MZ' at 0, e_lfanew at 0x3c; the header is 64 bytes. */
#define DOS_MAGIC 0x5a4d
#define DOS_LFANEW 0x3c
#define DOS_HDR_SIZE 0x40

/* 'PE\0\0', then the 20-byte COFF file header. */
#define PE_SIGNATURE 0x00004550
#define COFF_MACHINE 4
#define COFF_NSECTIONS 6
#define COFF_OPT_SIZE 20
#define COFF_CHARACTERISTICS 22
#define COFF_HDR_END 24 /* signature + file header */

#define MACHINE_ARM64 0xaa64

/* PE32+ optional header offsets. */
#define OPT_MAGIC 0
#define OPT_ENTRY 16
#define OPT_IMAGE_BASE 24
#define OPT_SECTION_ALIGN 32
#define OPT_FILE_ALIGN 36
#define OPT_IMAGE_SIZE 56
#define OPT_HEADERS_SIZE 60
#define OPT_SUBSYSTEM 68
#define OPT_DLL_CHARACTERISTICS 70
#define OPT_NUM_DIRS 108
#define OPT_DIRS 112 /* fixed part of the PE32+ optional header */

#define OPT_MAGIC_PE32 0x10b
#define OPT_MAGIC_PE32PLUS 0x20b

#define MAX_DATA_DIRS 16
#define DIR_BASERELOC 5

/* Section header (40 bytes). */
#define SEC_HDR_SIZE 40
#define SEC_VSIZE 8
#define SEC_VADDR 12
#define SEC_RAW_SIZE 16
#define SEC_RAW_PTR 20
#define SEC_CHARACTERISTICS 36

#define PAGE_SIZE_4K 4096
#define MIN_FILE_ALIGN 512
#define MAX_FILE_ALIGN 0x10000

/* Base relocation block header and entry types. */
#define RELOC_BLOCK_HDR 8
#define REL_BASED_ABSOLUTE 0
#define REL_BASED_DIR64 10

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static enum pe_status fail(struct pe_image *img, enum pe_status st,
			   uint64_t bad)
{
	img->bad_value = bad;
	return st;
}

/*
 * Headers that need more than the caller read are "truncated" (read more
 * and retry), unless they do not even fit in the file: then the image is
 * broken and @broken says how.
 */
static enum pe_status need(struct pe_image *img, uint64_t end, size_t buf_len,
			   uint64_t file_size, enum pe_status broken)
{
	if (end > file_size)
		return fail(img, broken, end);
	if (end > buf_len)
		return fail(img, PE_ERR_TRUNCATED, end);
	return PE_OK;
}

/* The arm64 Linux Image header's magic, "ARM\x64" at offset 0x38. */
#define ARM64_IMAGE_MAGIC 0x38

bool pe_is_arm64_linux(const void *buf, size_t len)
{
	static const uint8_t magic[4] = {'A', 'R', 'M', 0x64};
	const uint8_t *p = buf;

	if (len < ARM64_IMAGE_MAGIC + sizeof(magic))
		return false;
	for (size_t i = 0; i < sizeof(magic); i++)
		if (p[ARM64_IMAGE_MAGIC + i] != magic[i])
			return false;
	return true;
}

/* Name the common things people hand us instead of an EFI image. */
static enum pe_status not_mz(const uint8_t *p, size_t len, struct pe_image *img)
{
	if (len >= 4 && p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' &&
	    p[3] == 'F')
		return fail(img, PE_ERR_ELF, 0);
	if (pe_is_arm64_linux(p, len))
		return fail(img, PE_ERR_BARE_IMAGE, 0);
	return fail(img, PE_ERR_NO_MZ, len >= 2 ? le16(p) : 0);
}

/* FileAlignment and SectionAlignment rules, as documented in pe.h. */
static enum pe_status check_alignment(struct pe_image *img)
{
	uint32_t fa = img->file_alignment, sa = img->section_alignment;

	if (!is_pow2(fa) || fa < MIN_FILE_ALIGN || fa > MAX_FILE_ALIGN)
		return fail(img, PE_ERR_FILE_ALIGN, fa);
	if (!is_pow2(sa) || sa < fa || (sa < PAGE_SIZE_4K && sa != fa))
		return fail(img, PE_ERR_SECTION_ALIGN, sa);
	return PE_OK;
}

/*
 * Validate one section header against the image and the sections before
 * it (*mem_end: end of the previous one in memory, initially the headers)
 * and record it. Returns PE_OK with *keep false for empty sections.
 */
static enum pe_status parse_section(struct pe_image *img, const uint8_t *sh,
				    uint64_t file_size, uint64_t *mem_end,
				    bool *keep)
{
	struct pe_section *s = &img->sections[img->num_sections];
	uint64_t va = le32(sh + SEC_VADDR);
	uint64_t vsize = le32(sh + SEC_VSIZE);
	uint64_t raw = le32(sh + SEC_RAW_SIZE);
	uint64_t ptr = le32(sh + SEC_RAW_PTR);
	uint64_t fsize;

	/* Old linkers leave VirtualSize 0; EDK2 then uses SizeOfRawData. */
	if (!vsize)
		vsize = raw;
	*keep = vsize != 0;
	if (!*keep)
		return PE_OK;
	if (va & (img->section_alignment - 1))
		return fail(img, PE_ERR_SECTION_VA_ALIGN, va);
	if (va + vsize > img->image_size)
		return fail(img, PE_ERR_SECTION_RANGE, va + vsize);
	if (va < *mem_end)
		return fail(img, PE_ERR_SECTION_OVERLAP, va);
	*mem_end = va + vsize;

	/* Raw data beyond VirtualSize is file padding: never loaded. */
	fsize = min64(raw, vsize);
	if (!fsize)
		ptr = 0;
	/* Past 4 GiB of file, load_size (32 bits) could not describe it. */
	if (ptr + fsize > file_size || ptr + fsize > UINT32_MAX)
		return fail(img, PE_ERR_SECTION_FILE, ptr + fsize);

	for (int i = 0; i < 8; i++)
		s->name[i] = (char)sh[i];
	s->rva = (uint32_t)va;
	s->mem_size = (uint32_t)vsize;
	s->file_offset = (uint32_t)ptr;
	s->file_size = (uint32_t)fsize;
	s->characteristics = le32(sh + SEC_CHARACTERISTICS);
	return PE_OK;
}

static enum pe_status parse_sections(struct pe_image *img, const uint8_t *tab,
				     uint32_t count, uint64_t file_size)
{
	uint64_t mem_end = img->headers_size;
	uint64_t load_end = img->headers_size;
	const struct pe_section *s;
	enum pe_status st;
	bool keep;

	img->in_place = true;
	for (uint32_t i = 0; i < count; i++) {
		s = &img->sections[img->num_sections];
		st = parse_section(img, tab + i * SEC_HDR_SIZE, file_size,
				   &mem_end, &keep);
		if (st != PE_OK)
			return st;
		if (!keep)
			continue;
		if (s->file_size && s->file_offset != s->rva)
			img->in_place = false;
		if ((uint64_t)s->file_offset + s->file_size > load_end)
			load_end = (uint64_t)s->file_offset + s->file_size;
		img->num_sections++;
	}
	/* Headers (< SizeOfImage) and section data (checked) fit in 32 bits. */
	img->load_size = (uint32_t)load_end;
	return PE_OK;
}

static enum pe_status check_entry(struct pe_image *img)
{
	for (uint32_t i = 0; i < img->num_sections; i++) {
		const struct pe_section *s = &img->sections[i];

		if (img->entry_rva >= s->rva &&
		    img->entry_rva - s->rva < s->mem_size)
			return PE_OK;
	}
	return fail(img, PE_ERR_ENTRY, img->entry_rva);
}

/* The data directories: only the base relocation table matters to us. */
static enum pe_status parse_reloc_dir(struct pe_image *img, const uint8_t *opt,
				      uint32_t ndirs)
{
	const uint8_t *d = opt + OPT_DIRS + DIR_BASERELOC * 8;
	uint32_t rva, size;

	img->reloc.rva = 0;
	img->reloc.size = 0;
	if (ndirs <= DIR_BASERELOC)
		return PE_OK;
	rva = le32(d);
	size = le32(d + 4);
	if (!size)
		return PE_OK;
	if ((uint64_t)rva + size > img->image_size)
		return fail(img, PE_ERR_RELOC_DIR, rva);
	img->reloc.rva = rva;
	img->reloc.size = size;
	return PE_OK;
}

/* Where the headers after the DOS stub are, once checked. */
struct nt_view {
	const uint8_t *opt;   /* optional header */
	const uint8_t *table; /* section table */
	uint32_t nsec;
	uint32_t ndirs;
};

/*
 * Checks the signature, the COFF header and the size of the optional
 * header, and that the section table is inside the buffer.
 */
static enum pe_status parse_nt_headers(const uint8_t *p, size_t len,
				       uint64_t file_size, struct pe_image *img,
				       struct nt_view *v)
{
	uint64_t nt, opt_size, table_end;
	enum pe_status st;

	st = need(img, DOS_HDR_SIZE, len, file_size, PE_ERR_LFANEW);
	if (st != PE_OK)
		return st;
	/* The PE header follows the DOS header, 32-bit aligned. */
	nt = le32(p + DOS_LFANEW);
	if (nt < DOS_HDR_SIZE || nt & 3)
		return fail(img, PE_ERR_LFANEW, nt);
	st = need(img, nt + COFF_HDR_END + 2, len, file_size, PE_ERR_LFANEW);
	if (st != PE_OK)
		return st;
	if (le32(p + nt) != PE_SIGNATURE)
		return fail(img, PE_ERR_NO_PE_SIG, le32(p + nt));
	if (le16(p + nt + COFF_MACHINE) != MACHINE_ARM64)
		return fail(img, PE_ERR_MACHINE, le16(p + nt + COFF_MACHINE));

	v->opt = p + nt + COFF_HDR_END;
	if (le16(v->opt + OPT_MAGIC) == OPT_MAGIC_PE32)
		return fail(img, PE_ERR_PE32, OPT_MAGIC_PE32);
	if (le16(v->opt + OPT_MAGIC) != OPT_MAGIC_PE32PLUS)
		return fail(img, PE_ERR_OPT_MAGIC, le16(v->opt + OPT_MAGIC));
	opt_size = le16(p + nt + COFF_OPT_SIZE);
	if (opt_size < OPT_DIRS)
		return fail(img, PE_ERR_OPT_SIZE, opt_size);
	v->nsec = le16(p + nt + COFF_NSECTIONS);
	if (!v->nsec)
		return fail(img, PE_ERR_NO_SECTIONS, 0);
	if (v->nsec > PE_MAX_SECTIONS)
		return fail(img, PE_ERR_TOO_MANY_SECTIONS, v->nsec);

	/* Optional header and section table, in the file and the buffer. */
	table_end = nt + COFF_HDR_END + opt_size + v->nsec * SEC_HDR_SIZE;
	st = need(img, table_end, len, file_size, PE_ERR_HEADERS_SIZE);
	if (st != PE_OK)
		return st;
	v->ndirs = le32(v->opt + OPT_NUM_DIRS);
	if (v->ndirs > MAX_DATA_DIRS || OPT_DIRS + v->ndirs * 8 > opt_size)
		return fail(img, PE_ERR_DATA_DIRS, v->ndirs);
	v->table = v->opt + opt_size;

	img->characteristics = le16(p + nt + COFF_CHARACTERISTICS);
	img->headers_size = le32(v->opt + OPT_HEADERS_SIZE);
	if (img->headers_size < table_end || img->headers_size > file_size)
		return fail(img, PE_ERR_HEADERS_SIZE, img->headers_size);
	return PE_OK;
}

static enum pe_status parse_optional(struct pe_image *img, const uint8_t *opt)
{
	enum pe_status st;

	img->image_base = le64(opt + OPT_IMAGE_BASE);
	img->entry_rva = le32(opt + OPT_ENTRY);
	img->section_alignment = le32(opt + OPT_SECTION_ALIGN);
	img->file_alignment = le32(opt + OPT_FILE_ALIGN);
	img->image_size = le32(opt + OPT_IMAGE_SIZE);
	img->subsystem = le16(opt + OPT_SUBSYSTEM);
	img->dll_characteristics = le16(opt + OPT_DLL_CHARACTERISTICS);

	st = check_alignment(img);
	if (st != PE_OK)
		return st;
	/* Non-zero, as SizeOfHeaders covers at least the section table. */
	if (img->image_size < img->headers_size)
		return fail(img, PE_ERR_IMAGE_SIZE, img->image_size);
	if (img->subsystem < PE_SUBSYSTEM_EFI_APPLICATION ||
	    img->subsystem > PE_SUBSYSTEM_EFI_RUNTIME_DRIVER)
		return fail(img, PE_ERR_SUBSYSTEM, img->subsystem);
	return PE_OK;
}

enum pe_status pe_parse(const void *buf, size_t buf_len, uint64_t file_size,
			struct pe_image *img)
{
	const uint8_t *p = buf;
	struct nt_view v;
	enum pe_status st;

	*img = (struct pe_image){0};
	/* Bytes of the buffer past the end of the file are not the file. */
	if (buf_len > file_size)
		buf_len = (size_t)file_size;
	if (buf_len < 2 || le16(p) != DOS_MAGIC)
		return not_mz(p, buf_len, img);

	st = parse_nt_headers(p, buf_len, file_size, img, &v);
	if (st != PE_OK)
		return st;
	st = parse_optional(img, v.opt);
	if (st != PE_OK)
		return st;
	st = parse_sections(img, v.table, v.nsec, file_size);
	if (st != PE_OK)
		return st;
	st = check_entry(img);
	if (st != PE_OK)
		return st;
	return parse_reloc_dir(img, v.opt, v.ndirs);
}

/*
 * One pass over the relocation table: validate only, or apply. Applying
 * happens after a clean validation pass, and no entry may patch the table
 * itself, so what the second pass reads is what the first one checked.
 */
static enum pe_status walk_relocs(uint8_t *image, uint64_t image_size,
				  uint64_t delta,
				  const struct pe_base_reloc_dir *dir,
				  bool apply)
{
	const uint64_t dir_start = dir->rva, dir_end = dir_start + dir->size;
	uint64_t off = dir_start;

	while (off < dir_end) {
		const uint8_t *blk = image + off;
		uint64_t page, bsize;

		if (dir_end - off < RELOC_BLOCK_HDR)
			return PE_ERR_RELOC_BLOCK;
		page = le32(blk);
		bsize = le32(blk + 4);
		if (bsize < RELOC_BLOCK_HDR || bsize > dir_end - off ||
		    bsize & 1)
			return PE_ERR_RELOC_BLOCK;

		for (uint64_t e = RELOC_BLOCK_HDR; e < bsize; e += 2) {
			uint16_t ent = le16(blk + e);
			uint64_t t = page + (ent & 0xfff);

			if (ent >> 12 == REL_BASED_ABSOLUTE)
				continue;
			if (ent >> 12 != REL_BASED_DIR64)
				return PE_ERR_RELOC_TYPE;
			if (t + 8 > image_size ||
			    (t < dir_end && t + 8 > dir_start))
				return PE_ERR_RELOC_TARGET;
			if (apply)
				put_le64(image + t, le64(image + t) + delta);
		}
		off += bsize;
	}
	return PE_OK;
}

enum pe_status pe_relocate(void *image, uint64_t image_size, uint64_t delta,
			   const struct pe_base_reloc_dir *dir)
{
	enum pe_status st;

	if (!dir->size)
		return PE_OK;
	if ((uint64_t)dir->rva + dir->size > image_size)
		return PE_ERR_RELOC_DIR;
	st = walk_relocs(image, image_size, delta, dir, false);
	if (st != PE_OK || !delta)
		return st;
	return walk_relocs(image, image_size, delta, dir, true);
}

uint64_t pe_zero_uncovered(void *image, const struct pe_image *pe)
{
	uint8_t *p = image;
	uint64_t at = pe->headers_size, zeroed = 0;

	/* Sections are sorted, apart and inside the image (pe_parse). */
	for (uint32_t i = 0; i <= pe->num_sections; i++) {
		bool last = i == pe->num_sections;
		uint64_t next = last ? pe->image_size : pe->sections[i].rva;

		if (next > at) {
			memset(p + at, 0, next - at);
			zeroed += next - at;
		}
		if (!last)
			at = (uint64_t)pe->sections[i].rva +
			     pe->sections[i].file_size;
	}
	return zeroed;
}

unsigned int pe_section_perms(uint32_t characteristics)
{
	unsigned int perms = PE_PERM_R;

	if (characteristics & PE_SCN_MEM_WRITE)
		perms |= PE_PERM_W;
	/* EDK2 too treats "contains code" as executable. */
	if (characteristics & (PE_SCN_MEM_EXECUTE | PE_SCN_CNT_CODE))
		perms |= PE_PERM_X;
	return perms;
}

#define STR_(x) #x
#define STR(x) STR_(x)

static const char *const pe_messages[PE_ERR_COUNT] = {
	[PE_OK] = "no error",
	[PE_ERR_TRUNCATED] = "PE/COFF headers extend past the bytes read",
	[PE_ERR_ELF] = "an ELF file, not a PE/COFF image "
		       "(boot the EFI-stub Image/vmlinuz, not vmlinux)",
	[PE_ERR_BARE_IMAGE] = "an arm64 Image without EFI stub "
			      "(kernel built without CONFIG_EFI_STUB)",
	[PE_ERR_NO_MZ] = "not a PE/COFF image (no MZ header)",
	[PE_ERR_LFANEW] = "PE header offset (e_lfanew) misaligned or "
			  "out of bounds",
	[PE_ERR_NO_PE_SIG] = "not a PE/COFF image (no PE signature)",
	[PE_ERR_MACHINE] = "PE machine type is not AArch64 (0xaa64)",
	[PE_ERR_PE32] = "32-bit PE32 image; AArch64 needs PE32+",
	[PE_ERR_OPT_MAGIC] = "unknown PE optional header magic",
	[PE_ERR_OPT_SIZE] = "PE optional header too small",
	[PE_ERR_DATA_DIRS] = "PE data directory count over 16 or past the "
			     "optional header",
	[PE_ERR_NO_SECTIONS] = "PE image has no sections",
	[PE_ERR_TOO_MANY_SECTIONS] =
		"PE image has more than " STR(PE_MAX_SECTIONS) " sections",
	[PE_ERR_FILE_ALIGN] = "PE FileAlignment not a power of two from 512 "
			      "to 64 KiB",
	[PE_ERR_SECTION_ALIGN] = "PE SectionAlignment not a power of two "
				 ">= FileAlignment (and equal below 4 KiB)",
	[PE_ERR_HEADERS_SIZE] = "PE SizeOfHeaders does not cover the section "
				"table or exceeds the file",
	[PE_ERR_IMAGE_SIZE] = "PE SizeOfImage smaller than SizeOfHeaders",
	[PE_ERR_SUBSYSTEM] = "PE subsystem is not an EFI application or "
			     "driver",
	[PE_ERR_SECTION_RANGE] = "PE section extends past SizeOfImage",
	[PE_ERR_SECTION_VA_ALIGN] = "PE section address not a multiple of "
				    "SectionAlignment",
	[PE_ERR_SECTION_OVERLAP] = "PE sections unsorted or overlapping each "
				   "other or the headers",
	[PE_ERR_SECTION_FILE] = "PE section data extends past the end of the "
				"file",
	[PE_ERR_ENTRY] = "PE entry point not inside any section",
	[PE_ERR_RELOC_DIR] = "PE base relocation table outside the image",
	[PE_ERR_RELOC_BLOCK] = "malformed PE base relocation block",
	[PE_ERR_RELOC_TARGET] = "PE base relocation outside the image or on "
				"its own table",
	[PE_ERR_RELOC_TYPE] = "PE base relocation type other than DIR64",
};

const char *pe_strerror(enum pe_status status)
{
	if ((unsigned int)status >= PE_ERR_COUNT || !pe_messages[status])
		return "unknown PE/COFF error";
	return pe_messages[status];
}
