// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the SMBIOS merge (src/tables/smbios.c).
 *
 * Input: byte 0 is the entry point's size (the next bytes), byte 1 sets
 * the type 0 fields (bit 0: ACPI, bit 1: empty strings), the rest is the
 * structure table. Entry point, table and output each live in a heap
 * buffer of exactly their size, so any overrun is an ASan report.
 *
 * Checked on success: the measuring and the building calls agree; the
 * entry point sums to zero and points at the table with its size; a plain
 * reference walk of the output finds r.structures whole structures ending
 * exactly at the end, an added type 0 first; QEMU's structures follow
 * unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/le.h>
#include <mmuon/smbios.h>

#include "check.h"

#define ADDRESS 0x47fe0000ull

/*
 * The reference walk: whole structures in [p, p + size), an end-of-table
 * one only last; their count, or -1.
 */
static long count_structures(const uint8_t *p, size_t size)
{
	size_t off = 0;
	long n = 0;

	while (off < size) {
		size_t s;

		if (size - off < 4 || p[off + 1] < 4 || p[off + 1] > size - off)
			return -1;
		for (s = off + p[off + 1]; s + 1 < size; s++)
			if (!p[s] && !p[s + 1])
				break;
		if (s + 1 >= size)
			return -1;
		if (p[off] == 127 && s + 2 != size)
			return -1;
		off = s + 2;
		n++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	struct smbios_bios_info bios = {
		.vendor = "mmuon",
		.version = "fuzz",
		.release_date = "01/01/2026",
		.rom_size = 0x20000,
	};
	struct smbios_result measured, r;
	uint8_t *anchor, *tables, *out;
	size_t anchor_size, tables_size;
	uint8_t sum = 0;

	if (size < 2 || in[0] > size - 2)
		return 0;
	anchor_size = in[0];
	tables_size = size - 2 - anchor_size;
	bios.acpi = in[1] & 1;
	if (in[1] & 2)
		bios.vendor = bios.version = bios.release_date = "";
	anchor = malloc(anchor_size + 1);
	tables = malloc(tables_size + 1);
	memcpy(anchor, in + 2, anchor_size);
	memcpy(tables, in + 2 + anchor_size, tables_size);

	if (smbios_merge(anchor, anchor_size, tables, tables_size, &bios, NULL,
			 0, 0, &measured) == 0) {
		out = malloc(measured.size);
		CHECK(smbios_merge(anchor, anchor_size, tables, tables_size,
				   &bios, out, measured.size, ADDRESS,
				   &r) == 0);
		CHECK(r.size == measured.size &&
		      r.structures == measured.structures);
		for (size_t i = 0; i < out[6]; i++)
			sum += out[i];
		CHECK(sum == 0 && !memcmp(out, "_SM3_", 5));
		CHECK(le_get(out + 16, 8) == ADDRESS + r.table_offset);
		CHECK(le_get(out + 12, 4) == r.size - r.table_offset);
		CHECK(count_structures(out + r.table_offset,
				       r.size - r.table_offset) ==
		      (long)r.structures);
		CHECK(!r.added_type0 || out[r.table_offset] == 0);
		/* QEMU's structures, a prefix of its table, come last. */
		if (r.added_type0) {
			size_t qemu = r.size - r.table_offset;
			const uint8_t *t0 = out + r.table_offset;
			size_t s = t0[1];

			while (t0[s] || t0[s + 1])
				s++;
			qemu -= s + 2;
			CHECK(qemu <= tables_size &&
			      !memcmp(t0 + s + 2, tables, qemu));
		}
		free(out);
	} else {
		CHECK(measured.error[0]);
	}
	free(anchor);
	free(tables);
	return 0;
}
