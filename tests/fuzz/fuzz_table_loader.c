// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the ACPI table-loader interpreter and the check of
 * its result (src/tables/table_loader.c, acpi.c).
 *
 * Input: byte 0 picks a file whose load fails (bits 0-3: an index into
 * FILES; past its end: none),
 * then for each of the FILES names below a u32 LE size (0xffffffff: no
 * such file; capped at 256 KiB) and a u16 LE count of stored bytes that
 * follow (the rest of the file is zeros); what remains is the script.
 * tests/fuzz/gen_tables_seeds.py writes QEMU's real data in this form.
 *
 * Every blob lives in a heap buffer of exactly its size, so a read or
 * write past a file is an ASan report. Checked after every run: success
 * leaves every ALLOCATEd file loaded, aligned and below 4 GiB, and the
 * undo releases them all; failure leaves nothing loaded; either way, every
 * fw_cfg byte the interpreter wrote is zero again after the undo.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/acpi.h>
#include <mmuon/table_loader.h>

#include "check.h"

static const char *const FILES[] = {
	"etc/acpi/rsdp",
	"etc/acpi/tables",
	"etc/hardware_errors",
	"etc/hardware_errors_addr",
	"etc/table-loader",
	"A",
	"A_addr",
};
#define NFILES (sizeof(FILES) / sizeof(FILES[0]))
#define MAX_FILE (256 * 1024)

static struct {
	bool present[NFILES];
	uint8_t *data[NFILES];
	uint8_t *written[NFILES]; /* 1 where the interpreter wrote */
	uint32_t size[NFILES];
	int fail_load;
	unsigned live;
	uint64_t next_address;
} fake;

static int index_of(const char *name)
{
	for (unsigned i = 0; i < NFILES; i++)
		if (fake.present[i] && !strcmp(FILES[i], name))
			return (int)i;
	return -1;
}

static bool io_find(void *ctx, const char *name, uint32_t *size)
{
	int i = index_of(name);

	(void)ctx;
	if (i >= 0)
		*size = fake.size[i];
	return i >= 0;
}

static void *io_load(void *ctx, const char *name, uint32_t size, uint32_t align,
		     enum table_memory type, uint64_t *address)
{
	int i = index_of(name);
	uint8_t *blob;

	(void)ctx;
	(void)type;
	CHECK(i >= 0 && size == fake.size[i] && size > 0);
	CHECK(align && align <= TABLE_LOADER_MAX_ALIGN &&
	      !(align & (align - 1)));
	if (i == fake.fail_load)
		return NULL;
	blob = malloc(size); /* exactly the file: ASan sees any overrun */
	memcpy(blob, fake.data[i], size);
	*address = fake.next_address;
	fake.next_address += (size + 4095) & ~4095ull;
	fake.live++;
	return blob;
}

static void io_release(void *ctx, void *blob, uint32_t size)
{
	(void)ctx;
	(void)size;
	CHECK(fake.live > 0);
	fake.live--;
	free(blob);
}

static bool io_write(void *ctx, const char *name, uint32_t offset,
		     const void *data, uint32_t len)
{
	int i = index_of(name);

	(void)ctx;
	CHECK(i >= 0 && offset <= fake.size[i] && len <= fake.size[i] - offset);
	CHECK(len == 1 || len == 2 || len == 4 || len == 8);
	if (!strstr(name, "_addr"))
		return false; /* QEMU's other files are read-only */
	memcpy(fake.data[i] + offset, data, len);
	memset(fake.written[i] + offset, 1, len);
	return true;
}

static const struct table_loader_io io = {
	.find = io_find,
	.load = io_load,
	.release = io_release,
	.write = io_write,
};

static void check_writes_undone(void)
{
	for (unsigned i = 0; i < NFILES; i++)
		for (uint32_t b = 0; fake.present[i] && b < fake.size[i]; b++)
			CHECK(!fake.written[i][b] || !fake.data[i][b]);
}

static size_t parse_files(const uint8_t *in, size_t size)
{
	size_t off = 1;

	memset(&fake, 0, sizeof(fake));
	if (!size)
		return 0;
	fake.next_address = 0x40000000;
	fake.fail_load = in[0] & 0xf;
	for (unsigned i = 0; i < NFILES; i++) {
		uint32_t fsize;
		uint16_t stored;

		if (size - off < 6)
			return 0;
		memcpy(&fsize, in + off, 4);
		memcpy(&stored, in + off + 4, 2);
		off += 6;
		if (stored > size - off)
			return 0;
		if (fsize != 0xffffffff) {
			fake.present[i] = true;
			fake.size[i] = fsize % (MAX_FILE + 1);
			fake.data[i] = calloc(1, fake.size[i] + 1);
			fake.written[i] = calloc(1, fake.size[i] + 1);
			memcpy(fake.data[i], in + off,
			       stored < fake.size[i] ? stored : fake.size[i]);
		}
		off += stored;
	}
	return off;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	static struct table_loader tl;
	struct acpi_summary summary;
	size_t off = parse_files(in, size);
	uint8_t *script;

	if (off) {
		/* The script in its own exact buffer. */
		script = malloc(size - off + 1);
		memcpy(script, in + off, size - off);
		if (table_loader_run(&tl, &io, script, size - off) == 0) {
			CHECK(fake.live == tl.count);
			for (unsigned i = 0; i < tl.count; i++) {
				const struct table_loader_blob *b =
					&tl.blobs[i];

				CHECK(b->data && b->size);
				CHECK(!(b->address & (b->align - 1)));
				CHECK(b->address + b->size <= 0x100000000ull);
				CHECK(table_loader_map(&tl, b->address,
						       b->size) == b->data);
			}
			if (acpi_check(&tl, &summary) == 0)
				CHECK(table_loader_blob(&tl, ACPI_RSDP_FILE));
			table_loader_undo(&tl);
		} else {
			CHECK(tl.error[0]);
		}
		CHECK(fake.live == 0);
		check_writes_undone();
		free(script);
	}
	for (unsigned i = 0; i < NFILES; i++) {
		free(fake.data[i]);
		free(fake.written[i]);
	}
	return 0;
}
