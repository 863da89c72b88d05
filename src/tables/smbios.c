// SPDX-License-Identifier: MIT
/*
 * The SMBIOS 3 entry point and structure table the OS gets
 * (include/mmuon/smbios.h). Layouts from DSP0134 3.0: the 64-bit entry
 * point (5.2.2), structure headers and string sets (6.1), BIOS information
 * (7.1, the 2.4+ layout of 0x18 bytes).
 *
 *   out: [ entry point | pad to 16 | type 0 | QEMU's structures ... 127 ]
 */
#include <string.h>

#include <mmuon/fmt.h>
#include <mmuon/le.h>
#include <mmuon/smbios.h>

#define EP_CHECKSUM 5
#define EP_LENGTH 6
#define EP_TABLE_MAX_SIZE 12
#define EP_TABLE_ADDRESS 16
#define EP_SIZE 24 /* SMBIOS 3.0 */

#define TYPE_BIOS 0
#define TYPE_END 127
#define HEADER_SIZE 4

/* Type 0, BIOS information. */
#define BIOS_LENGTH 0x18
#define BIOS_CHAR_PCI (1ull << 7)
#define BIOS_EXT1_ACPI (1u << 0)
#define BIOS_EXT2_UEFI (1u << 3)
#define BIOS_EXT2_VM (1u << 4) /* "SMBIOS table describes a virtual machine" */
#define NOT_SUPPORTED 0xff     /* release and EC numbers */
#define MAX_HANDLE 0xfeff      /* 0xff00 and up are reserved */

struct walk {
	size_t size; /* through the end-of-table structure, if any */
	unsigned structures;
	bool has_type0;
	bool handle0_used;
	uint16_t max_handle;
};

static int fail(struct smbios_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct smbios_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return -1;
}

/* The end of the string set starting at p: just past its double NUL. */
static size_t strings_end(const uint8_t *t, size_t p, size_t size)
{
	/* No strings: two NULs right after the formatted area. */
	for (; p + 1 < size; p++)
		if (!t[p] && !t[p + 1])
			return p + 2;
	return 0;
}

/* Every structure whole, up to the end-of-table one. */
static int walk(const uint8_t *t, size_t size, struct walk *w,
		struct smbios_result *r)
{
	size_t off = 0;

	memset(w, 0, sizeof(*w));
	while (off < size) {
		uint8_t type, length;
		uint16_t handle;
		size_t end;

		if (size - off < HEADER_SIZE)
			return fail(r, "structure at 0x%zx: truncated header",
				    off);
		type = t[off];
		length = t[off + 1];
		handle = (uint16_t)le_get(t + off + 2, 2);
		if (length < HEADER_SIZE || length > size - off)
			return fail(r, "type %u at 0x%zx: length %u", type, off,
				    length);
		end = strings_end(t, off + length, size);
		if (!end)
			return fail(r,
				    "type %u at 0x%zx: strings not terminated",
				    type, off);
		w->structures++;
		w->has_type0 |= type == TYPE_BIOS;
		w->handle0_used |= handle == 0;
		if (handle > w->max_handle)
			w->max_handle = handle;
		off = end;
		if (type == TYPE_END)
			break; /* what follows is not part of the table */
	}
	if (!w->structures)
		return fail(r, "no structures");
	w->size = off;
	return 0;
}

static size_t string_size(const char *s)
{
	return s && *s ? strlen(s) + 1 : 0;
}

/* The type 0 structure's size with its strings. */
static size_t bios_size(const struct smbios_bios_info *b)
{
	size_t strings = string_size(b->vendor) + string_size(b->version) +
			 string_size(b->release_date);

	return BIOS_LENGTH + (strings ? strings + 1 : 2);
}

/* Appends s to the string set at *p; its number (0: none). */
static uint8_t put_string(uint8_t **p, const char *s, uint8_t *count)
{
	size_t n = string_size(s);

	if (!n)
		return 0;
	memcpy(*p, s, n);
	*p += n;
	return ++*count;
}

static void put_bios(uint8_t *t, uint16_t handle,
		     const struct smbios_bios_info *b)
{
	uint64_t characteristics = BIOS_CHAR_PCI;
	uint32_t rom_units = (b->rom_size + 0xffff) / 0x10000;
	uint8_t *strings = t + BIOS_LENGTH, *p = strings;
	uint8_t count = 0;

	memset(t, 0, BIOS_LENGTH);
	t[0] = TYPE_BIOS;
	t[1] = BIOS_LENGTH;
	le_put(t + 2, handle, 2);
	t[4] = put_string(&p, b->vendor, &count);
	t[5] = put_string(&p, b->version, &count);
	/* 6-7: the real-mode segment of x86 BIOSes: none here. */
	t[8] = put_string(&p, b->release_date, &count);
	/* ROM size: 64 KiB * (n + 1); 0xff would need the 3.1 extension. */
	t[9] = rom_units ? (rom_units > 0xff ? 0xfe : rom_units - 1) : 0;
	le_put(t + 10, characteristics, 8);
	t[18] = b->acpi ? BIOS_EXT1_ACPI : 0;
	t[19] = BIOS_EXT2_UEFI | BIOS_EXT2_VM;
	t[20] = t[21] = t[22] = t[23] = NOT_SUPPORTED;
	*p++ = 0; /* the set's terminator (or the first of two NULs) */
	if (!count)
		*p = 0;
}

int smbios_merge(const uint8_t *anchor, size_t anchor_size,
		 const uint8_t *tables, size_t tables_size,
		 const struct smbios_bios_info *bios, uint8_t *out,
		 size_t out_size, uint64_t address, struct smbios_result *r)
{
	size_t ep_length, type0_size = 0;
	uint16_t handle = 0;
	uint64_t table_address;
	struct walk w;

	memset(r, 0, sizeof(*r));
	if (anchor_size < EP_SIZE || memcmp(anchor, "_SM3_", 5))
		return fail(r, "no SMBIOS 3 entry point (\"_SM3_\", %u bytes)",
			    EP_SIZE);
	ep_length = anchor[EP_LENGTH];
	if (ep_length < EP_SIZE || ep_length > anchor_size)
		return fail(r, "entry point length %zu", ep_length);
	if (walk(tables, tables_size, &w, r))
		return -1;
	if (!w.has_type0) {
		if (w.handle0_used) {
			if (w.max_handle >= MAX_HANDLE)
				return fail(r, "no free handle for type 0");
			handle = w.max_handle + 1;
		}
		type0_size = bios_size(bios);
	}
	r->table_offset = (ep_length + 15) & ~(size_t)15;
	r->size = r->table_offset + type0_size + w.size;
	r->structures = w.structures + !w.has_type0;
	r->added_type0 = !w.has_type0;
	if (r->size - r->table_offset > UINT32_MAX)
		return fail(r, "structure table of %zu bytes",
			    r->size - r->table_offset);
	if (!out)
		return 0;
	if (out_size < r->size)
		return fail(r, "%zu bytes needed, %zu given", r->size,
			    out_size);

	memset(out, 0, r->table_offset);
	memcpy(out, anchor, ep_length);
	if (type0_size)
		put_bios(out + r->table_offset, handle, bios);
	memcpy(out + r->table_offset + type0_size, tables, w.size);

	table_address = address + r->table_offset;
	le_put(out + EP_TABLE_MAX_SIZE, r->size - r->table_offset, 4);
	le_put(out + EP_TABLE_ADDRESS, table_address, 8);
	out[EP_CHECKSUM] = 0;
	out[EP_CHECKSUM] = (uint8_t)-byte_sum(out, ep_length);
	return 0;
}
