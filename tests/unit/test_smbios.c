// SPDX-License-Identifier: MIT
/*
 * The SMBIOS merge: QEMU's real entry point and structures
 * (tests/unit/data/qemu/), a type 0 for mmuon in front of them, the user's
 * own type 0 kept, and one test per kind of malformed input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/smbios.h>

#define DATA "tests/unit/data/qemu/"
#define ADDRESS 0x47fe0000ull

static const struct smbios_bios_info bios = {
	.vendor = "mmuon",
	.version = "v1-test",
	.release_date = "12/04/2026",
	.rom_size = 0x1b000,
	.acpi = true,
};

struct blob {
	uint8_t data[4096];
	size_t size;
};

static void load(const char *set, const char *file, size_t size, struct blob *b)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), DATA "%s/%s", set, file);
	f = fopen(path, "rb");
	assert_non_null(f);
	memset(b->data, 0, sizeof(b->data));
	fread(b->data, 1, sizeof(b->data), f);
	fclose(f);
	b->size = size; /* the real size: the files lost trailing zeros */
}

/* QEMU's data for a set: sizes from files.txt. */
static void load_set(const char *set, struct blob *anchor, struct blob *tables)
{
	char path[256], name[64];
	unsigned size;
	FILE *list;

	snprintf(path, sizeof(path), DATA "%s/files.txt", set);
	list = fopen(path, "r");
	assert_non_null(list);
	while (fscanf(list, "%u %63s", &size, name) == 2) {
		if (!strcmp(name, SMBIOS_ANCHOR_FILE))
			load(set, "etc_smbios_smbios-anchor", size, anchor);
		if (!strcmp(name, SMBIOS_TABLES_FILE))
			load(set, "etc_smbios_smbios-tables", size, tables);
	}
	fclose(list);
}

/* Merges, checking the measure and build calls agree; 0 or -1. */
static int merge(const struct blob *anchor, const struct blob *tables,
		 uint8_t *out, struct smbios_result *r)
{
	struct smbios_result measured;

	if (smbios_merge(anchor->data, anchor->size, tables->data, tables->size,
			 &bios, NULL, 0, 0, &measured)) {
		*r = measured;
		return -1;
	}
	assert_true(measured.size <= 8192);
	if (smbios_merge(anchor->data, anchor->size, tables->data, tables->size,
			 &bios, out, measured.size, ADDRESS, r))
		fail_msg("build failed after measuring: %s", r->error);
	assert_int_equal(r->size, measured.size);
	return 0;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* The structure after the one at p (p's strings skipped). */
static const uint8_t *next(const uint8_t *p)
{
	const uint8_t *s = p + p[1];

	while (s[0] || s[1])
		s++;
	return s + 2;
}

/* String n (1-based) of the structure at p. */
static const char *string(const uint8_t *p, unsigned n)
{
	const char *s = (const char *)p + p[1];

	if (!n)
		return "";
	while (--n)
		s += strlen(s) + 1;
	return s;
}

/* Entry point: signature, checksum, table address and size. */
static void check_entry_point(const uint8_t *out, const struct smbios_result *r)
{
	uint8_t sum = 0;

	assert_memory_equal(out, "_SM3_", 5);
	for (int i = 0; i < out[6]; i++)
		sum += out[i];
	assert_int_equal(sum, 0);
	assert_int_equal(le(out + 16, 8), ADDRESS + r->table_offset);
	assert_int_equal(le(out + 12, 4), r->size - r->table_offset);
	assert_int_equal(r->table_offset % 16, 0);
}

static void test_qemu_virt(void **state)
{
	struct blob anchor, tables;
	uint8_t out[8192];
	struct smbios_result r;
	const uint8_t *t0;

	(void)state;
	load_set("virt", &anchor, &tables);
	assert_int_equal(merge(&anchor, &tables, out, &r), 0);
	check_entry_point(out, &r);
	assert_true(r.added_type0);
	t0 = out + r.table_offset;
	assert_int_equal(t0[0], 0);
	assert_int_equal(t0[1], 0x18);
	assert_int_equal(le(t0 + 2, 2), 0); /* QEMU leaves handle 0 free */
	assert_string_equal(string(t0, t0[4]), "mmuon");
	assert_string_equal(string(t0, t0[5]), "v1-test");
	assert_string_equal(string(t0, t0[8]), "12/04/2026");
	assert_int_equal(t0[9], 1);	       /* 2 x 64 KiB >= 0x1b000 */
	assert_int_equal(t0[18] & 1, 1);       /* ACPI */
	assert_int_equal(t0[19] & 0x18, 0x18); /* UEFI, virtual machine */
	/* Then QEMU's structures, byte for byte. */
	assert_int_equal(r.size - r.table_offset - (next(t0) - t0),
			 tables.size);
	assert_memory_equal(next(t0), tables.data, tables.size);
	assert_int_equal(r.structures, 9);
}

/* The user's -smbios type=0 is kept; their type 1 and 11 pass through. */
static void test_qemu_user_type0_and_nocloud(void **state)
{
	struct blob anchor, tables;
	uint8_t out[8192];
	struct smbios_result r;
	const uint8_t *p, *end;
	bool serial = false, oem = false;

	(void)state;
	load_set("virt-ras", &anchor, &tables);
	assert_int_equal(merge(&anchor, &tables, out, &r), 0);
	check_entry_point(out, &r);
	assert_false(r.added_type0);
	p = out + r.table_offset;
	end = out + r.size;
	assert_int_equal(p[0], 0);
	assert_string_equal(string(p, p[4]), "Someone");
	assert_memory_equal(p, tables.data, tables.size);
	for (; p < end; p = next(p)) {
		if (p[0] == 1 && !strcmp(string(p, p[7]),
					 "ds=nocloud;s=http://10.0.2.2:8000/"))
			serial = true;
		if (p[0] == 11 && p[4] == 2 && !strcmp(string(p, 1), "hello") &&
		    !strcmp(string(p, 2), "world"))
			oem = true;
	}
	assert_true(serial);
	assert_true(oem);
}

/* A synthetic table: type 1 with handle 0, type 4 with handle 7, end. */
static void small_tables(struct blob *anchor, struct blob *t)
{
	static const uint8_t ep[24] = {'_', 'S', 'M', '3', '_', 0, 24, 3};
	static const uint8_t st[] = {
		1,    8,    0, 0, 1, 0, 0, 0, 'Q', 0, 0, /* type 1 */
		4,    4,    7, 0, 0, 0, /* type 4, no strings */
		127,  4,    9, 0, 0, 0, /* end */
		0xaa, 0xbb, /* after the end: not part of the table */
	};

	memset(anchor, 0, sizeof(*anchor));
	memcpy(anchor->data, ep, sizeof(ep));
	anchor->size = sizeof(ep);
	memset(t, 0, sizeof(*t));
	memcpy(t->data, st, sizeof(st));
	t->size = sizeof(st);
}

static void test_handle_and_trailing_bytes(void **state)
{
	struct blob anchor, tables;
	uint8_t out[8192];
	struct smbios_result r;
	const uint8_t *t0;

	(void)state;
	small_tables(&anchor, &tables);
	assert_int_equal(merge(&anchor, &tables, out, &r), 0);
	t0 = out + r.table_offset;
	assert_int_equal(le(t0 + 2, 2), 10); /* 0 taken: after the largest */
	assert_int_equal(r.structures, 4);
	/* The two bytes after type 127 are left out. */
	assert_int_equal(r.size - r.table_offset - (next(t0) - t0),
			 tables.size - 2);
	check_entry_point(out, &r);

	/* No free handle. */
	tables.data[13] = 0xff;
	tables.data[14] = 0xfe;
	assert_int_equal(merge(&anchor, &tables, out, &r), -1);
	assert_string_equal(r.error, "no free handle for type 0");
}

/* Empty strings are left out; none at all ends with two NULs. */
static void test_no_strings(void **state)
{
	struct smbios_bios_info none = {.vendor = "", .rom_size = 0};
	struct blob anchor, tables;
	uint8_t out[256];
	struct smbios_result r;
	const uint8_t *t0;

	(void)state;
	small_tables(&anchor, &tables);
	assert_int_equal(smbios_merge(anchor.data, anchor.size, tables.data,
				      tables.size, &none, out, sizeof(out),
				      ADDRESS, &r),
			 0);
	t0 = out + r.table_offset;
	assert_int_equal(t0[4], 0);
	assert_int_equal(t0[5], 0);
	assert_int_equal(t0[8], 0);
	assert_int_equal(t0[9], 0);
	assert_int_equal(t0[18], 0); /* no ACPI */
	assert_int_equal(t0[0x18], 0);
	assert_int_equal(t0[0x19], 0);
	assert_int_equal(next(t0)[0], 1);
}

static void expect_refused(const struct blob *anchor, const struct blob *tables,
			   const char *why)
{
	uint8_t out[8192];
	struct smbios_result r;

	assert_int_equal(merge(anchor, tables, out, &r), -1);
	if (!strstr(r.error, why))
		fail_msg("error \"%s\" does not say \"%s\"", r.error, why);
}

static void test_bad_input(void **state)
{
	struct blob anchor, tables;
	struct smbios_result r;
	uint8_t out[16];

	(void)state;
	small_tables(&anchor, &tables);
	anchor.data[3] = '2';
	expect_refused(&anchor, &tables, "no SMBIOS 3 entry point");
	small_tables(&anchor, &tables);
	anchor.size = 20;
	expect_refused(&anchor, &tables, "no SMBIOS 3 entry point");
	small_tables(&anchor, &tables);
	anchor.data[6] = 25;
	expect_refused(&anchor, &tables, "entry point length 25");
	anchor.data[6] = 16;
	expect_refused(&anchor, &tables, "entry point length 16");

	small_tables(&anchor, &tables);
	tables.size = 0;
	expect_refused(&anchor, &tables, "no structures");
	tables.size = 2;
	expect_refused(&anchor, &tables, "truncated header");
	small_tables(&anchor, &tables);
	tables.data[1] = 3;
	expect_refused(&anchor, &tables, "type 1 at 0x0: length 3");
	tables.data[1] = 200;
	expect_refused(&anchor, &tables, "type 1 at 0x0: length 200");
	small_tables(&anchor, &tables);
	tables.size = 10; /* type 1's strings cut before their second NUL */
	expect_refused(&anchor, &tables,
		       "type 1 at 0x0: strings not terminated");

	/* Too small an output buffer. */
	small_tables(&anchor, &tables);
	assert_int_equal(smbios_merge(anchor.data, anchor.size, tables.data,
				      tables.size, &bios, out, sizeof(out),
				      ADDRESS, &r),
			 -1);
	assert_non_null(strstr(r.error, "bytes needed, 16 given"));
}

/* Random byte flips and truncations of QEMU's data, under ASan. */
static void test_mutations(void **state)
{
	struct blob anchor, tables, a, t;
	uint8_t out[8192];
	struct smbios_result r;
	unsigned seed = 7;

	(void)state;
	load_set("virt-ras", &anchor, &tables);
	for (int round = 0; round < 20000; round++) {
		a = anchor;
		t = tables;
		for (int k = 0; k < 1 + round % 3; k++) {
			seed = seed * 1103515245 + 12345;
			t.data[(seed >> 8) % t.size] ^=
				(uint8_t)(1u << (seed & 7));
		}
		if (round % 5 == 0)
			t.size = (seed >> 4) % (t.size + 1);
		if (round % 7 == 0)
			a.data[(seed >> 12) % 24] ^= 0x40;
		if (merge(&a, &t, out, &r) == 0)
			check_entry_point(out, &r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_virt),
		cmocka_unit_test(test_qemu_user_type0_and_nocloud),
		cmocka_unit_test(test_handle_and_trailing_bytes),
		cmocka_unit_test(test_no_strings),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
