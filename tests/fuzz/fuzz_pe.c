// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the PE/COFF parser and relocator (src/efi/pe.c).
 *
 * The input is the start of a PE file. It is parsed as the whole file, as
 * the first bytes of a much larger file (what the kernel loader does with
 * its 4 KiB probe of a 30 MiB vmlinuz) and with a buffer longer than the
 * file. Every PE_OK result is checked against the promises of pe.h, and the
 * image is then loaded the two ways the firmware loads images (copying
 * sections as LoadImage does, and in place as the kernel loader does) into
 * buffers of exactly SizeOfImage bytes, so that ASan sees any section or
 * relocation that leaves the image. Violations abort().
 *
 * Inputs that do not start with "MZ" (which pe_parse() rejects at once)
 * also drive pe_relocate() directly: bytes 0-7 are the relocation
 * directory (RVA, size; little-endian), the rest is the loaded image. The
 * result must match a reference relocator written from pe.h's rules.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/pe.h>

#include "check.h"

/* Bigger images are parsed but not loaded: malloc+memset would dominate. */
#define MAX_LOAD_SIZE (8u << 20)

static int is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static void check_alignments(const struct pe_image *img)
{
	uint32_t fa = img->file_alignment, sa = img->section_alignment;

	CHECK(is_pow2(fa) && fa >= 512 && fa <= 0x10000);
	CHECK(is_pow2(sa) && sa >= fa);
	CHECK(sa >= 4096 || sa == fa);
}

/* Sections sorted, disjoint, after the headers, inside image and file. */
static void check_sections(const struct pe_image *img, uint64_t file_size)
{
	uint64_t mem_end = img->headers_size, load_end = img->headers_size;
	int in_place = 1, entry_found = 0;

	CHECK(img->num_sections >= 1 && img->num_sections <= PE_MAX_SECTIONS);
	for (uint32_t i = 0; i < img->num_sections; i++) {
		const struct pe_section *s = &img->sections[i];
		uint64_t file_end = (uint64_t)s->file_offset + s->file_size;

		CHECK(s->mem_size > 0);
		CHECK(s->rva % img->section_alignment == 0);
		CHECK(s->rva >= mem_end);
		mem_end = (uint64_t)s->rva + s->mem_size;
		CHECK(mem_end <= img->image_size);
		CHECK(s->file_size <= s->mem_size);
		CHECK(file_end <= file_size);
		CHECK(s->file_size || !s->file_offset);
		if (s->file_size && s->file_offset != s->rva)
			in_place = 0;
		if (file_end > load_end)
			load_end = file_end;
		if (img->entry_rva >= s->rva &&
		    img->entry_rva < (uint64_t)s->rva + s->mem_size)
			entry_found = 1;
	}
	CHECK(entry_found);
	CHECK(img->in_place == in_place);
#ifdef FUZZ_PE_KNOWN_LOAD_SIZE
	/*
	 * Known finding tests/fuzz/crashes/fuzz_pe/load-size-wrap: pe.c
	 * truncates load_size to 32 bits when a section's file data ends past
	 * 4 GiB. Build with this only to fuzz on past it until pe.c is fixed.
	 */
	CHECK(img->load_size == (uint32_t)load_end);
#else
	CHECK(img->load_size == load_end);
#endif
	CHECK(img->load_size <= file_size);
	/* The kernel loader DMAs load_size bytes into image_size bytes. */
	CHECK(!img->in_place || img->load_size <= img->image_size);
}

static void check_ok(const struct pe_image *img, uint64_t file_size)
{
	check_alignments(img);
	CHECK(img->headers_size <= img->image_size);
	CHECK(img->headers_size <= file_size);
	CHECK(img->subsystem >= PE_SUBSYSTEM_EFI_APPLICATION &&
	      img->subsystem <= PE_SUBSYSTEM_EFI_RUNTIME_DRIVER);
	check_sections(img, file_size);
	CHECK(img->reloc.size || !img->reloc.rva);
	CHECK((uint64_t)img->reloc.rva + img->reloc.size <= img->image_size);
	for (uint32_t i = 0; i < img->num_sections; i++)
		(void)pe_section_perms(img->sections[i].characteristics);
}

static enum pe_status parse(const uint8_t *data, size_t len, uint64_t file_size,
			    struct pe_image *img)
{
	enum pe_status st = pe_parse(data, len, file_size, img);
	const char *msg = pe_strerror(st);

	CHECK(msg && strlen(msg) > 0);
	CHECK((unsigned int)st < PE_ERR_COUNT);
	if (st == PE_OK)
		check_ok(img, file_size);
	if (st == PE_ERR_TRUNCATED) {
		/* "Read more and retry": the bytes asked for exist. */
		CHECK(img->bad_value > len && img->bad_value > 0);
		CHECK(img->bad_value <= file_size);
	}
	return st;
}

/*
 * A truncated parse names how many bytes it needs; given them it must make
 * progress: succeed, fail otherwise, or ask for strictly more.
 */
static void check_probe(const uint8_t *data, size_t n, uint64_t file_size)
{
	size_t len = n < PE_HEADER_PROBE_SIZE ? n : PE_HEADER_PROBE_SIZE;
	struct pe_image img;
	enum pe_status st = parse(data, len, file_size, &img);

	while (st == PE_ERR_TRUNCATED && img.bad_value <= n) {
		uint64_t need = img.bad_value;

		st = parse(data, (size_t)need, file_size, &img);
		CHECK(st != PE_ERR_TRUNCATED || img.bad_value > need);
	}
}

/* Field by field: the struct has padding that nothing initializes. */
static int same_image(const struct pe_image *a, const struct pe_image *b)
{
	if (a->image_base != b->image_base || a->image_size != b->image_size ||
	    a->headers_size != b->headers_size ||
	    a->section_alignment != b->section_alignment ||
	    a->file_alignment != b->file_alignment ||
	    a->entry_rva != b->entry_rva || a->subsystem != b->subsystem ||
	    a->characteristics != b->characteristics ||
	    a->dll_characteristics != b->dll_characteristics ||
	    a->in_place != b->in_place || a->load_size != b->load_size ||
	    a->reloc.rva != b->reloc.rva || a->reloc.size != b->reloc.size ||
	    a->num_sections != b->num_sections || a->bad_value != b->bad_value)
		return 0;
	for (uint32_t i = 0; i < a->num_sections && i < PE_MAX_SECTIONS; i++) {
		const struct pe_section *x = &a->sections[i],
					*y = &b->sections[i];

		if (memcmp(x->name, y->name, 8) || x->rva != y->rva ||
		    x->mem_size != y->mem_size ||
		    x->file_offset != y->file_offset ||
		    x->file_size != y->file_size ||
		    x->characteristics != y->characteristics)
			return 0;
	}
	return 1;
}

/* Bytes of the buffer past the file's end must be ignored. */
static void check_clamp(const uint8_t *data, size_t n, const struct pe_image *a,
			enum pe_status sa)
{
	struct pe_image b;
	uint8_t *copy;
	enum pe_status sb;

	if (!n)
		return;
	copy = malloc(n + 64);
	memcpy(copy, data, n);
	memset(copy + n, 0xa5, 64);
	sb = pe_parse(copy, n + 64, n, &b);
	CHECK(sa == sb);
	CHECK(same_image(a, &b));
	free(copy);
}

/*
 * LoadImage's way (src/efi/image.c load_from_buffer): headers and section
 * data copied into uninitialised memory, then pe_zero_uncovered(); the
 * result must be what clearing the whole image first gives, and the count
 * returned what the file data leaves out.
 */
static uint8_t *load_copy(const uint8_t *file, const struct pe_image *img)
{
	uint8_t *image = malloc(img->image_size);
	uint8_t *ref = calloc(1, img->image_size);
	uint64_t covered = img->headers_size;

	memset(image, 0xa5, img->image_size);
	memcpy(image, file, img->headers_size);
	memcpy(ref, file, img->headers_size);
	for (uint32_t i = 0; i < img->num_sections; i++) {
		const struct pe_section *s = &img->sections[i];

		memcpy(image + s->rva, file + s->file_offset, s->file_size);
		memcpy(ref + s->rva, file + s->file_offset, s->file_size);
		covered += s->file_size;
	}
	CHECK(pe_zero_uncovered(image, img) == img->image_size - covered);
	CHECK(!memcmp(image, ref, img->image_size));
	free(ref);
	return image;
}

/* The kernel loader's way (src/boot/linux.c load_kernel, in place). */
static uint8_t *load_in_place(const uint8_t *file, const struct pe_image *img)
{
	uint8_t *image = malloc(img->image_size);

	memcpy(image, file, img->load_size);
	(void)pe_zero_uncovered(image, img);
	return image;
}

/* Both loaders agree on the headers and on every section. */
static void compare_loads(const uint8_t *a, const uint8_t *b,
			  const struct pe_image *img)
{
	CHECK(!memcmp(a, b, img->headers_size));
	for (uint32_t i = 0; i < img->num_sections; i++) {
		const struct pe_section *s = &img->sections[i];

		CHECK(!memcmp(a + s->rva, b + s->rva, s->mem_size));
	}
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * The reference: blocks of {u32 page RVA, u32 size (>= 8, even, inside
 * the table)} then u16 entries {type:4, offset:12}; only ABSOLUTE (0, skip)
 * and DIR64 (10: add delta to the little-endian u64 at page + offset, which
 * must lie in the image and off the table). Checks everything, then
 * applies in table order.
 */
static enum pe_status ref_relocate(uint8_t *image, uint64_t image_size,
				   uint64_t delta, uint64_t rva, uint64_t size,
				   int apply)
{
	uint64_t off = rva, end = rva + size;

	if (!size)
		return PE_OK;
	if (end > image_size)
		return PE_ERR_RELOC_DIR;
	while (off < end) {
		uint64_t page, bsize;

		if (off + 8 > end)
			return PE_ERR_RELOC_BLOCK;
		page = rd32(image + off);
		bsize = rd32(image + off + 4);
		if (bsize < 8 || off + bsize > end || bsize % 2)
			return PE_ERR_RELOC_BLOCK;
		for (uint64_t e = off + 8; e < off + bsize; e += 2) {
			unsigned type = image[e + 1] >> 4;
			uint64_t t =
				page + ((image[e + 1] & 0xf) << 8 | image[e]);
			uint64_t v = 0;

			if (type == 0)
				continue;
			if (type != 10)
				return PE_ERR_RELOC_TYPE;
			if (t + 8 > image_size || (t < end && t + 8 > rva))
				return PE_ERR_RELOC_TARGET;
			if (!apply)
				continue;
			for (int i = 7; i >= 0; i--)
				v = v << 8 | image[t + i];
			v += delta;
			for (int i = 0; i < 8; i++)
				image[t + i] = (uint8_t)(v >> (8 * i));
		}
		off += bsize;
	}
	return PE_OK;
}

/* pe_relocate() on @image against the reference on a copy. */
static enum pe_status relocate_vs_ref(uint8_t *image, uint64_t image_size,
				      uint64_t delta,
				      const struct pe_base_reloc_dir *dir)
{
	uint8_t *ref = malloc(image_size ? image_size : 1);
	enum pe_status st, want;

	memcpy(ref, image, image_size);
	want = ref_relocate(ref, image_size, delta, dir->rva, dir->size, 0);
	if (want == PE_OK && delta)
		ref_relocate(ref, image_size, delta, dir->rva, dir->size, 1);
	st = pe_relocate(image, image_size, delta, dir);
	CHECK(st == want);
	CHECK(!memcmp(ref, image, image_size));
	free(ref);
	return st;
}

/*
 * Validation alone (delta 0) and relocation agree on the verdict; a failed
 * relocation leaves the image untouched, and none patches its own table.
 */
static void check_relocate(uint8_t *image, const struct pe_image *img,
			   uint64_t delta)
{
	uint8_t *before = malloc(img->image_size);
	enum pe_status s0, s1;

	memcpy(before, image, img->image_size);
	s0 = relocate_vs_ref(image, img->image_size, 0, &img->reloc);
	CHECK(!memcmp(before, image, img->image_size));
	s1 = relocate_vs_ref(image, img->image_size, delta, &img->reloc);
	CHECK(s0 == s1);
	CHECK(s1 == PE_OK || s1 == PE_ERR_RELOC_DIR ||
	      s1 == PE_ERR_RELOC_BLOCK || s1 == PE_ERR_RELOC_TARGET ||
	      s1 == PE_ERR_RELOC_TYPE);
	if (s1 != PE_OK)
		CHECK(!memcmp(before, image, img->image_size));
	if ((uint64_t)img->reloc.rva + img->reloc.size <= img->image_size)
		CHECK(!memcmp(before + img->reloc.rva, image + img->reloc.rva,
			      img->reloc.size));
	free(before);
}

static void check_load(const uint8_t *data, size_t n,
		       const struct pe_image *img)
{
	uint8_t *a, *b;

	if (img->image_size > MAX_LOAD_SIZE)
		return;
	a = load_copy(data, img);
	if (img->in_place) {
		b = load_in_place(data, img);
		compare_loads(a, b, img);
		free(b);
	}
	/* A base that differs in high and low bits alike. */
	check_relocate(a, img, 0x0000123456789000ULL - img->image_base);
	(void)n;
	free(a);
}

/* Raw mode: directory in bytes 0-7, the image after it. */
static void fuzz_relocate(const uint8_t *data, size_t n)
{
	struct pe_base_reloc_dir dir;
	struct pe_image img = {0};
	uint8_t *image;

	if (n < 8)
		return;
	dir.rva = rd32(data);
	dir.size = rd32(data + 4);
	img.image_size = (uint32_t)(n - 8);
	img.reloc = dir;
	/* Exactly the image: a write past it is an ASan report. */
	image = malloc(n - 8 ? n - 8 : 1);
	memcpy(image, data + 8, n - 8);
	check_relocate(image, &img, 0xfedcba9876543000ULL);
	free(image);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct pe_image img;
	enum pe_status st;

	if (n < 2 || data[0] != 'M' || data[1] != 'Z')
		fuzz_relocate(data, n);

	/* The input is the whole file. */
	st = parse(data, n, n, &img);
	check_clamp(data, n, &img, st);
	if (st == PE_OK)
		check_load(data, n, &img);

	/* The input is the start of a file too big to read at once. */
	check_probe(data, n, (uint64_t)n + (64u << 20));
	(void)parse(data, n, UINT64_MAX, &img);
	return 0;
}
