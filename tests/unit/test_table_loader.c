// SPDX-License-Identifier: MIT
/*
 * The ACPI table-loader interpreter and the check of what it built, over a
 * fake fw_cfg: QEMU's own scripts and tables (captured with
 * tools/fw_cfg_dump.py into tests/unit/data/qemu/, see the README there),
 * then one test per kind of bad script. After
 * every failure nothing may stay allocated and no fw_cfg file may keep a
 * value the firmware wrote.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/acpi.h>
#include <mmuon/table_loader.h>

#define DATA "tests/unit/data/qemu/"
#define PAGE 4096u
#define FAKE_RAM 0x40000000ull

/* ---- a fake fw_cfg and allocator --------------------------------------- */

struct fake_file {
	char name[TABLE_LOADER_NAME_SIZE];
	uint8_t *data;
	uint32_t size;
	bool writable;
};

static struct fake {
	struct fake_file files[24];
	unsigned count;
	unsigned live;	       /* blobs loaded and not released */
	uint64_t next_address; /* where the next blob goes */
	const char *fail_load; /* a file whose load fails */
	unsigned writes;
} fake;

static struct fake_file *fake_file(const char *name)
{
	for (unsigned i = 0; i < fake.count; i++)
		if (!strcmp(fake.files[i].name, name))
			return &fake.files[i];
	return NULL;
}

static struct fake_file *add_file(const char *name, const void *data,
				  uint32_t size, uint32_t stored)
{
	struct fake_file *f = &fake.files[fake.count++];

	assert_true(fake.count <= sizeof(fake.files) / sizeof(fake.files[0]));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->size = size;
	f->data = calloc(1, size + 1);
	assert_non_null(f->data);
	if (data)
		memcpy(f->data, data, stored < size ? stored : size);
	/* Like QEMU: only the WRITE_POINTER targets can be written. */
	f->writable = strstr(name, "_addr") != NULL;
	return f;
}

static void fake_reset(void)
{
	for (unsigned i = 0; i < fake.count; i++)
		free(fake.files[i].data);
	memset(&fake, 0, sizeof(fake));
	fake.next_address = FAKE_RAM;
}

/* Loads tests/unit/data/qemu/<set>/: files.txt has "size name" lines. */
static void load_set(const char *set)
{
	char path[256], name[TABLE_LOADER_NAME_SIZE + 8];
	unsigned size;
	FILE *list;

	fake_reset();
	snprintf(path, sizeof(path), DATA "%s/files.txt", set);
	list = fopen(path, "r");
	assert_non_null(list);
	while (fscanf(list, "%u %63s", &size, name) == 2) {
		uint8_t *buf = calloc(1, size + 1);
		size_t stored;
		FILE *f;

		snprintf(path, sizeof(path), DATA "%s/%s", set, name);
		for (char *p = path + strlen(DATA) + strlen(set) + 1; *p; p++)
			if (*p == '/')
				*p = '_';
		f = fopen(path, "rb");
		assert_non_null(f);
		stored = fread(buf, 1, size, f);
		fclose(f);
		add_file(name, buf, size, stored);
		free(buf);
	}
	fclose(list);
}

static bool io_find(void *ctx, const char *name, uint32_t *size)
{
	struct fake_file *f = fake_file(name);

	(void)ctx;
	if (f)
		*size = f->size;
	return f != NULL;
}

static void *io_load(void *ctx, const char *name, uint32_t size, uint32_t align,
		     enum table_memory type, uint64_t *address)
{
	struct fake_file *f = fake_file(name);
	uint32_t rounded = (size + PAGE - 1) & ~(PAGE - 1);
	uint8_t *blob;

	(void)ctx;
	(void)type;
	assert_non_null(f);
	assert_int_equal(size, f->size);
	assert_true(align && align <= PAGE && !(align & (align - 1)));
	if (fake.fail_load && !strcmp(name, fake.fail_load))
		return NULL;
	blob = aligned_alloc(PAGE, rounded);
	assert_non_null(blob);
	memcpy(blob, f->data, size);
	*address = fake.next_address;
	fake.next_address += rounded;
	fake.live++;
	return blob;
}

static void io_release(void *ctx, void *blob, uint32_t size)
{
	(void)ctx;
	(void)size;
	assert_true(fake.live > 0);
	fake.live--;
	free(blob);
}

static bool io_write(void *ctx, const char *name, uint32_t offset,
		     const void *data, uint32_t len)
{
	struct fake_file *f = fake_file(name);

	(void)ctx;
	assert_non_null(f);
	/* The interpreter checked the range before writing. */
	assert_true(offset <= f->size && len <= f->size - offset);
	if (!f->writable)
		return false;
	memcpy(f->data + offset, data, len);
	fake.writes++;
	return true;
}

static const struct table_loader_io io = {
	.find = io_find,
	.load = io_load,
	.release = io_release,
	.write = io_write,
};

/* ---- scripts --------------------------------------------------------------- */

struct script {
	uint8_t bytes[64 * TABLE_LOADER_ENTRY_SIZE];
	size_t size;
};

static uint8_t *entry(struct script *s, uint32_t command)
{
	uint8_t *e = s->bytes + s->size;

	assert_true(s->size + TABLE_LOADER_ENTRY_SIZE <= sizeof(s->bytes));
	memset(e, 0, TABLE_LOADER_ENTRY_SIZE);
	memcpy(e, &command, 4);
	s->size += TABLE_LOADER_ENTRY_SIZE;
	return e;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void name_at(uint8_t *p, const char *name)
{
	strncpy((char *)p, name, TABLE_LOADER_NAME_SIZE);
}

static void allocate(struct script *s, const char *file, uint32_t align,
		     uint8_t zone)
{
	uint8_t *e = entry(s, 1);

	name_at(e + 4, file);
	put32(e + 60, align);
	e[64] = zone;
}

static void add_pointer(struct script *s, const char *dst, const char *src,
			uint32_t offset, uint8_t size)
{
	uint8_t *e = entry(s, 2);

	name_at(e + 4, dst);
	name_at(e + 60, src);
	put32(e + 116, offset);
	e[120] = size;
}

static void add_checksum(struct script *s, const char *file, uint32_t offset,
			 uint32_t start, uint32_t length)
{
	uint8_t *e = entry(s, 3);

	name_at(e + 4, file);
	put32(e + 60, offset);
	put32(e + 64, start);
	put32(e + 68, length);
}

static void write_pointer(struct script *s, const char *dst, const char *src,
			  uint32_t dst_offset, uint32_t src_offset,
			  uint8_t size)
{
	uint8_t *e = entry(s, 4);

	name_at(e + 4, dst);
	name_at(e + 60, src);
	put32(e + 116, dst_offset);
	put32(e + 120, src_offset);
	e[124] = size;
}

/* Two small files, A (64 bytes) and B (16 bytes), and a writable A_addr. */
static void small_files(void)
{
	uint8_t a[64] = {0}, b[16] = {0};

	fake_reset();
	a[8] = 4; /* the pointer at A+8 points to B+4 */
	add_file("A", a, sizeof(a), sizeof(a));
	add_file("B", b, sizeof(b), sizeof(b));
	add_file("A_addr", NULL, 8, 0);
	add_file("B_addr", NULL, 8, 0);
	add_file("RO", NULL, 8, 0);
}

static struct table_loader tl;

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* The script fails with status and a message containing why; nothing stays. */
static void expect_failure(const struct script *s, int status, const char *why)
{
	assert_int_equal(table_loader_run(&tl, &io, s->bytes, s->size), status);
	if (!strstr(tl.error, why))
		fail_msg("error \"%s\" does not say \"%s\"", tl.error, why);
	assert_int_equal(fake.live, 0);
	assert_int_equal(tl.count, 0);
	/* Whatever was written went back to zero (the files start at zero). */
	assert_memory_equal(fake_file("A_addr")->data, "\0\0\0\0\0\0\0\0", 8);
	assert_memory_equal(fake_file("B_addr")->data, "\0\0\0\0\0\0\0\0", 8);
}

/* ---- QEMU's own scripts ------------------------------------------------------ */

static void run_set(const char *set, struct acpi_summary *summary)
{
	load_set(set);
	struct fake_file *f = fake_file("etc/table-loader");

	assert_non_null(f);
	if (table_loader_run(&tl, &io, f->data, f->size))
		fail_msg("%s: %s", set, tl.error);
	if (acpi_check(&tl, summary))
		fail_msg("%s: %s", set, summary->error);
}

static void test_qemu_virt(void **state)
{
	struct acpi_summary s;
	const struct table_loader_blob *rsdp, *tables;

	(void)state;
	run_set("virt", &s);
	assert_string_equal(s.signatures,
			    "FACP DSDT APIC PPTT GTDT MCFG SPCR DBG2 IORT");
	assert_int_equal(s.tables, 9);
	rsdp = table_loader_blob(&tl, "etc/acpi/rsdp");
	tables = table_loader_blob(&tl, "etc/acpi/tables");
	assert_non_null(rsdp);
	assert_non_null(tables);
	assert_int_equal(s.rsdp, rsdp->address);
	assert_int_equal(rsdp->type, TABLE_MEMORY_RECLAIM);
	assert_int_equal(tables->type, TABLE_MEMORY_RECLAIM);
	/* The XSDT pointer now holds an address inside the tables blob. */
	assert_true(le64(rsdp->data + 24) > tables->address);
	assert_true(le64(rsdp->data + 24) < tables->address + tables->size);
	assert_int_equal(fake.writes, 0);
	assert_int_equal(fake.live, 2);
	table_loader_undo(&tl);
	assert_int_equal(fake.live, 0);
}

/* ras=on: GHES error blocks, linked back to QEMU with a WRITE_POINTER. */
static void test_qemu_virt_ras_write_pointer(void **state)
{
	const struct table_loader_blob *errors;
	struct acpi_summary s;

	(void)state;
	run_set("virt-ras", &s);
	assert_non_null(strstr(s.signatures, "HEST"));
	errors = table_loader_blob(&tl, "etc/hardware_errors");
	assert_non_null(errors);
	assert_int_equal(errors->type, TABLE_MEMORY_NVS);
	assert_int_equal(fake.writes, 1);
	assert_int_equal(le64(fake_file("etc/hardware_errors_addr")->data),
			 errors->address);
	/* Undo: QEMU is told to forget the address. */
	table_loader_undo(&tl);
	assert_int_equal(le64(fake_file("etc/hardware_errors_addr")->data), 0);
	assert_int_equal(fake.live, 0);
}

/* Every command of QEMU's script left out in turn: the check or the
 * interpreter notices what matters (pointers and checksums). */
static void test_qemu_virt_each_command_dropped(void **state)
{
	struct fake_file *f;
	struct acpi_summary s;
	size_t n;
	uint8_t *script;

	(void)state;
	load_set("virt");
	f = fake_file("etc/table-loader");
	n = f->size / TABLE_LOADER_ENTRY_SIZE;
	script = malloc(f->size);
	for (size_t drop = 0; drop < n; drop++) {
		uint32_t cmd;
		int rc;

		memcpy(script, f->data, f->size);
		memcpy(&cmd, script + drop * TABLE_LOADER_ENTRY_SIZE, 4);
		memset(script + drop * TABLE_LOADER_ENTRY_SIZE, 0,
		       TABLE_LOADER_ENTRY_SIZE); /* padding */
		rc = table_loader_run(&tl, &io, script, f->size);
		if (cmd ==
		    1) { /* ALLOCATE gone: its file is used unallocated */
			assert_int_equal(rc, TABLE_LOADER_BAD_SCRIPT);
			assert_non_null(
				strstr(tl.error, "before its ALLOCATE"));
			continue;
		}
		assert_int_equal(rc, TABLE_LOADER_OK);
		if (!acpi_check(&tl, &s))
			fail_msg("command %zu (%u) dropped, tables accepted",
				 drop, cmd);
		table_loader_undo(&tl);
		assert_int_equal(fake.live, 0);
	}
	free(script);
}

/* ---- bad scripts, one kind each ---------------------------------------------- */

static void test_good_small_script(void **state)
{
	struct script s = {0};
	const struct table_loader_blob *a, *b;

	(void)state;
	small_files();
	allocate(&s, "A", 64, 1);
	allocate(&s, "B", 16, 2);
	entry(&s, 0); /* padding is skipped */
	add_pointer(&s, "A", "B", 8, 4);
	add_checksum(&s, "A", 0, 0, 64);
	write_pointer(&s, "A_addr", "B", 0, 4, 8);
	assert_int_equal(table_loader_run(&tl, &io, s.bytes, s.size), 0);
	a = table_loader_blob(&tl, "A");
	b = table_loader_blob(&tl, "B");
	assert_int_equal(a->type, TABLE_MEMORY_RECLAIM);
	assert_int_equal(b->type, TABLE_MEMORY_NVS);
	assert_int_equal(le64(a->data + 8) & 0xffffffff, b->address + 4);
	{
		uint8_t sum = 0;

		for (int i = 0; i < 64; i++)
			sum += a->data[i];
		assert_int_equal(sum, 0);
	}
	assert_int_equal(le64(fake_file("A_addr")->data), b->address + 4);
	assert_ptr_equal(table_loader_map(&tl, b->address + 4, 12),
			 b->data + 4);
	assert_null(table_loader_map(&tl, b->address + 4, 13));
	assert_null(table_loader_map(&tl, a->address - 1, 1));
	table_loader_undo(&tl);
	assert_int_equal(le64(fake_file("A_addr")->data), 0);
	assert_int_equal(fake.live, 0);
}

static void test_unknown_command(void **state)
{
	struct script s = {0};

	(void)state;
	small_files();
	allocate(&s, "A", 64, 1);
	entry(&s, 0x99);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "unknown command 0x99");
	assert_non_null(strstr(tl.error, "command 1 (unknown)"));
}

static void test_pointer_outside_a_file(void **state)
{
	struct script s = {0};

	(void)state;
	small_files();
	allocate(&s, "A", 64, 1);
	allocate(&s, "B", 16, 1);
	add_pointer(&s, "A", "B", 60, 8); /* 60 + 8 > 64 */
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT,
		       "8-byte pointer at 0x3c outside A (64 bytes)");

	s.size = 0;
	allocate(&s, "A", 64, 1);
	allocate(&s, "B", 16, 1);
	add_pointer(&s, "A", "B", 0xfffffffc, 8); /* wraps around */
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "outside A");

	/* The value QEMU stored points past the source file. */
	small_files();
	fake_file("A")->data[8] = 16;
	s.size = 0;
	allocate(&s, "A", 64, 1);
	allocate(&s, "B", 16, 1);
	add_pointer(&s, "A", "B", 8, 4);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT,
		       "pointer at A+0x8 to 0x10 outside B");

	/* WRITE_POINTER: past its source, and past its fw_cfg file. */
	small_files();
	s.size = 0;
	allocate(&s, "B", 16, 1);
	write_pointer(&s, "A_addr", "B", 0, 16, 8);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT,
		       "pointer to 0x10 outside B");
	s.size = 0;
	allocate(&s, "B", 16, 1);
	write_pointer(&s, "A_addr", "B", 4, 0, 8);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT,
		       "8-byte pointer at 0x4 outside A_addr");
}

static void test_file_used_before_allocation(void **state)
{
	struct script s = {0};

	(void)state;
	small_files();
	add_checksum(&s, "A", 0, 0, 64);
	allocate(&s, "A", 64, 1);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT,
		       "command 0 (ADD_CHECKSUM): A used before its ALLOCATE");

	s.size = 0;
	allocate(&s, "A", 64, 1);
	add_pointer(&s, "A", "B", 8, 4);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "B used before");

	s.size = 0;
	write_pointer(&s, "A_addr", "B", 0, 0, 8);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "B used before");
}

static void test_alignment(void **state)
{
	static const uint32_t bad[] = {0, 3, 8192, 0x100000, 0x80000000};
	struct script s = {0};

	(void)state;
	small_files();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s.size = 0;
		allocate(&s, "B", 16, 1);
		allocate(&s, "A", bad[i], 1);
		expect_failure(&s, TABLE_LOADER_BAD_SCRIPT,
			       "not a power of two up to 0x1000");
	}
	s.size = 0;
	allocate(&s, "A", 4096, 1);
	assert_int_equal(table_loader_run(&tl, &io, s.bytes, s.size), 0);
	table_loader_undo(&tl);
}

static void test_checksum_outside_its_file(void **state)
{
	struct script s = {0};

	(void)state;
	small_files();
	allocate(&s, "A", 64, 1);
	add_checksum(&s, "A", 0, 32, 33);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT,
		       "checksum at 0x0 over [0x20, +0x21) outside A");
	s.size = 0;
	allocate(&s, "A", 64, 1);
	add_checksum(&s, "A", 64, 0, 64);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "outside A");
	s.size = 0;
	allocate(&s, "A", 64, 1);
	add_checksum(&s, "A", 0, 0xffffffc0, 0x80); /* wraps */
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "outside A");
}

static void test_duplicate_allocate(void **state)
{
	struct script s = {0};

	(void)state;
	small_files();
	allocate(&s, "A", 64, 1);
	allocate(&s, "B", 16, 1);
	allocate(&s, "A", 64, 1);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "A allocated twice");
}

static void test_bad_fields(void **state)
{
	struct script s = {0};
	uint8_t *e;

	(void)state;
	small_files();
	allocate(&s, "A", 64, 3);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "unknown zone 3");

	s.size = 0;
	allocate(&s, "C", 64, 1);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "no fw_cfg file C");

	s.size = 0;
	e = entry(&s, 1);
	memset(e + 4, 'x', TABLE_LOADER_NAME_SIZE); /* no NUL */
	put32(e + 60, 16);
	e[64] = 1;
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "not terminated");

	s.size = 0;
	allocate(&s, "", 16, 1);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "not terminated");

	add_file("empty", NULL, 0, 0);
	s.size = 0;
	allocate(&s, "empty", 16, 1);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "empty is empty");

	s.size = 0;
	allocate(&s, "A", 64, 1);
	allocate(&s, "B", 16, 1);
	add_pointer(&s, "A", "B", 8, 3);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "pointer size 3");

	s.size = 0;
	allocate(&s, "B", 16, 1);
	write_pointer(&s, "A_addr", "B", 0, 0, 0);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "pointer size 0");

	s.size = 0;
	allocate(&s, "B", 16, 1);
	write_pointer(&s, "nothing", "B", 0, 0, 8);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "no fw_cfg file nothing");
}

static void test_script_size(void **state)
{
	struct script s = {0};

	(void)state;
	small_files();
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "0 bytes");
	allocate(&s, "A", 64, 1);
	s.size -= 1;
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "127 bytes");
	assert_int_equal(table_loader_run(&tl, &io, s.bytes,
					  (TABLE_LOADER_MAX_ENTRIES + 1) *
						  TABLE_LOADER_ENTRY_SIZE),
			 TABLE_LOADER_BAD_SCRIPT);
}

static void test_too_many_files(void **state)
{
	struct script s = {0};
	char name[16];

	(void)state;
	fake_reset();
	add_file("A_addr", NULL, 8, 0);
	add_file("B_addr", NULL, 8, 0);
	for (unsigned i = 0; i <= TABLE_LOADER_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		add_file(name, NULL, 16, 0);
		allocate(&s, name, 16, 1);
	}
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "more than 16 files");
}

/* A 1-byte pointer cannot hold an address above 255. */
static void test_address_does_not_fit(void **state)
{
	struct script s = {0};

	(void)state;
	small_files();
	allocate(&s, "A", 64, 1);
	allocate(&s, "B", 16, 1);
	add_pointer(&s, "A", "B", 8, 1);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "does not fit in 1 bytes");
	s.size = 0;
	allocate(&s, "B", 16, 1);
	write_pointer(&s, "A_addr", "B", 0, 0, 2);
	expect_failure(&s, TABLE_LOADER_BAD_SCRIPT, "does not fit in 2 bytes");
}

/* A failing load or write: what was done before is undone. */
static void test_io_failures(void **state)
{
	struct script s = {0};

	(void)state;
	small_files();
	allocate(&s, "A", 64, 1);
	allocate(&s, "B", 16, 1);
	fake.fail_load = "B";
	expect_failure(&s, TABLE_LOADER_IO_ERROR, "cannot load B (16 bytes)");

	small_files();
	s.size = 0;
	allocate(&s, "A", 64, 1);
	allocate(&s, "B", 16, 1);
	write_pointer(&s, "A_addr", "A", 0, 0, 8);
	write_pointer(&s, "B_addr", "B", 0, 0, 8);
	write_pointer(&s, "RO", "B", 0, 0, 8);
	expect_failure(&s, TABLE_LOADER_IO_ERROR,
		       "command 4 (WRITE_POINTER): cannot write to fw_cfg "
		       "file RO");
	/* Two written, then zeroed again: four writes in all. */
	assert_int_equal(fake.writes, 4);
}

/* Random byte flips in QEMU's script: never a crash, a leak or a write
 * left behind (ASan and UBSan watch; the fuzzer goes further). */
static void test_mutations(void **state)
{
	struct fake_file *f;
	uint8_t *script;
	unsigned seed = 1;

	(void)state;
	load_set("virt-ras");
	f = fake_file("etc/table-loader");
	script = malloc(f->size);
	for (int round = 0; round < 3000; round++) {
		struct acpi_summary s;

		memcpy(script, f->data, f->size);
		for (int k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245 + 12345;
			script[(seed >> 8) % f->size] ^=
				(uint8_t)(1u << (seed & 7));
		}
		if (table_loader_run(&tl, &io, script, f->size) == 0) {
			acpi_check(&tl, &s);
			table_loader_undo(&tl);
		}
		assert_int_equal(fake.live, 0);
		assert_int_equal(
			le64(fake_file("etc/hardware_errors_addr")->data), 0);
	}
	free(script);
}

/* ---- the ACPI check ------------------------------------------------------------ */

static void fix_rsdp_checksums(uint8_t *rsdp)
{
	uint8_t sum = 0;

	rsdp[8] = rsdp[32] = 0;
	for (int i = 0; i < 20; i++)
		sum += rsdp[i];
	rsdp[8] = -sum;
	sum = 0;
	for (int i = 0; i < 36; i++)
		sum += rsdp[i];
	rsdp[32] = -sum;
}

static void test_acpi_check_failures(void **state)
{
	struct acpi_summary s;
	struct fake_file *f;
	const struct table_loader_blob *rsdp;

	(void)state;
	load_set("virt");
	f = fake_file("etc/table-loader");
	assert_int_equal(table_loader_run(&tl, &io, f->data, f->size), 0);
	rsdp = table_loader_blob(&tl, "etc/acpi/rsdp");

	rsdp->data[15] = 0; /* revision */
	assert_int_equal(acpi_check(&tl, &s), -1);
	assert_non_null(strstr(s.error, "revision 0"));
	rsdp->data[15] = 2;
	assert_int_equal(acpi_check(&tl, &s), 0);

	rsdp->data[9] ^= 1; /* OEM ID: both checksums now wrong */
	assert_int_equal(acpi_check(&tl, &s), -1);
	assert_string_equal(s.error, "bad RSDP checksum");
	rsdp->data[9] ^= 1;

	rsdp->data[24 + 3] ^= 0x10; /* XSDT address elsewhere */
	fix_rsdp_checksums(rsdp->data);
	assert_int_equal(acpi_check(&tl, &s), -1);
	if (!strstr(s.error, "is not in a loaded blob"))
		fail_msg("%s", s.error);
	rsdp->data[24 + 3] ^= 0x10;
	fix_rsdp_checksums(rsdp->data);
	assert_int_equal(acpi_check(&tl, &s), 0);

	rsdp->data[20] = 37; /* length past the blob's 36 bytes */
	fix_rsdp_checksums(rsdp->data);
	assert_int_equal(acpi_check(&tl, &s), -1);
	assert_string_equal(s.error, "RSDP length 37");
	rsdp->data[20] = 36;
	fix_rsdp_checksums(rsdp->data);

	memcpy(rsdp->data, "RSD PTX ", 8);
	assert_int_equal(acpi_check(&tl, &s), -1);
	assert_non_null(strstr(s.error, "signature"));
	table_loader_undo(&tl);

	/* No RSDP blob at all. */
	struct script sc = {0};

	small_files();
	allocate(&sc, "A", 64, 1);
	assert_int_equal(table_loader_run(&tl, &io, sc.bytes, sc.size), 0);
	assert_int_equal(acpi_check(&tl, &s), -1);
	assert_non_null(strstr(s.error, "no etc/acpi/rsdp"));
	table_loader_undo(&tl);
}

static int teardown(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_qemu_virt),
		T(test_qemu_virt_ras_write_pointer),
		T(test_qemu_virt_each_command_dropped),
		T(test_good_small_script),
		T(test_unknown_command),
		T(test_pointer_outside_a_file),
		T(test_file_used_before_allocation),
		T(test_alignment),
		T(test_checksum_outside_its_file),
		T(test_duplicate_allocate),
		T(test_bad_fields),
		T(test_script_size),
		T(test_too_many_files),
		T(test_address_does_not_fit),
		T(test_io_failures),
		T(test_mutations),
		T(test_acpi_check_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
