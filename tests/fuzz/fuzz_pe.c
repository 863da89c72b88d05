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
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/pe.h>

/* Bigger images are parsed but not loaded: malloc+memset would dominate. */
#define MAX_LOAD_SIZE (8u << 20)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",       \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

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
	CHECK(img->load_size == load_end);
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

static enum pe_status parse(const uint8_t *data, size_t len,
			    uint64_t file_size, struct pe_image *img)
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
	    a->num_sections != b->num_sections ||
	    a->bad_value != b->bad_value)
		return 0;
	for (uint32_t i = 0; i < a->num_sections && i < PE_MAX_SECTIONS; i++) {
		const struct pe_section *x = &a->sections[i], *y = &b->sections[i];

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

/* LoadImage's way (src/efi/image.c load_from_buffer). */
static uint8_t *load_copy(const uint8_t *file, const struct pe_image *img)
{
	uint8_t *image = malloc(img->image_size);

	memset(image, 0, img->image_size);
	memcpy(image, file, img->headers_size);
	for (uint32_t i = 0; i < img->num_sections; i++) {
		const struct pe_section *s = &img->sections[i];

		memcpy(image + s->rva, file + s->file_offset, s->file_size);
	}
	return image;
}

/* The kernel loader's way (src/boot/linux.c load_in_place + zero_bss). */
static uint8_t *load_in_place(const uint8_t *file, const struct pe_image *img)
{
	uint8_t *image = malloc(img->image_size);

	memcpy(image, file, img->load_size);
	for (uint32_t i = 0; i < img->num_sections; i++) {
		const struct pe_section *s = &img->sections[i];

		if (s->mem_size > s->file_size)
			memset(image + s->rva + s->file_size, 0,
			       s->mem_size - s->file_size);
	}
	if (img->image_size > img->load_size)
		memset(image + img->load_size, 0,
		       img->image_size - img->load_size);
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
	s0 = pe_relocate(image, img->image_size, 0, &img->reloc);
	CHECK(!memcmp(before, image, img->image_size));
	s1 = pe_relocate(image, img->image_size, delta, &img->reloc);
	CHECK(s0 == s1);
	CHECK(s1 == PE_OK || s1 == PE_ERR_RELOC_DIR ||
	      s1 == PE_ERR_RELOC_BLOCK || s1 == PE_ERR_RELOC_TARGET ||
	      s1 == PE_ERR_RELOC_TYPE);
	if (s1 != PE_OK)
		CHECK(!memcmp(before, image, img->image_size));
	CHECK(!memcmp(before + img->reloc.rva, image + img->reloc.rva,
		      img->reloc.size));
	free(before);
}

static void check_load(const uint8_t *data, size_t n, const struct pe_image *img)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct pe_image img;
	enum pe_status st;

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
