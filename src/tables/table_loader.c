// SPDX-License-Identifier: MIT
/*
 * QEMU's ACPI table-loader script (include/mmuon/table_loader.h), in three
 * passes so that a bad script changes nothing:
 *
 *   1. check: every command well formed, files allocated once and before
 *      use, offsets and lengths inside their files, alignments sane; and
 *      which blobs the host will write to (NVS) — nothing is loaded yet;
 *   2. load and link: ALLOCATE, ADD_POINTER, ADD_CHECKSUM in script order
 *      (checksums follow the pointers they cover); pointer values are
 *      checked against their source file as they are read;
 *   3. tell QEMU: the WRITE_POINTERs, last, so that the host never learns
 *      the address of memory the firmware then gives back.
 *
 * Where EDK2 (OvmfPkg QemuFwCfgAcpi.c) and SeaBIOS skip a command they do
 * not know, mmuon refuses the script: the tables may depend on it, and a
 * half-linked ACPI is worse than the DT the OS gets instead.
 */
#include <string.h>

#include <mmuon/fmt.h>
#include <mmuon/le.h>
#include <mmuon/table_loader.h>

enum command {
	CMD_ALLOCATE = 1,
	CMD_ADD_POINTER = 2,
	CMD_ADD_CHECKSUM = 3,
	CMD_WRITE_POINTER = 4,
};

enum zone {
	ZONE_HIGH = 1, /* 32-bit memory */
	ZONE_FSEG = 2, /* x86's F segment (the RSDP there); anywhere on arm64 */
};

/* Field offsets inside a 128-byte entry (the command is at 0). */
#define NAME1 4
#define NAME2 (NAME1 + TABLE_LOADER_NAME_SIZE)
#define ALLOC_ALIGN NAME2
#define ALLOC_ZONE (ALLOC_ALIGN + 4)
#define POINTER_OFFSET (NAME2 + TABLE_LOADER_NAME_SIZE)
#define POINTER_SIZE (POINTER_OFFSET + 4)
#define CKSUM_OFFSET NAME2
#define CKSUM_START (CKSUM_OFFSET + 4)
#define CKSUM_LENGTH (CKSUM_START + 4)
#define WRPTR_DST_OFFSET POINTER_OFFSET
#define WRPTR_SRC_OFFSET (WRPTR_DST_OFFSET + 4)
#define WRPTR_SIZE (WRPTR_SRC_OFFSET + 4)

static const char *const command_names[] = {
	[CMD_ALLOCATE] = "ALLOCATE",
	[CMD_ADD_POINTER] = "ADD_POINTER",
	[CMD_ADD_CHECKSUM] = "ADD_CHECKSUM",
	[CMD_WRITE_POINTER] = "WRITE_POINTER",
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le_get(p, 4);
}

static bool fits(uint64_t v, unsigned size)
{
	return size == 8 || v >> (8 * size) == 0;
}

static bool valid_pointer_size(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* [offset, offset + len) lies inside size bytes (no overflow). */
static bool inside(uint64_t offset, uint64_t len, uint64_t size)
{
	return offset <= size && len <= size - offset;
}

/* The context of a failure: entry index and command, then why. */
static int fail(struct table_loader *tl, int status, size_t entry,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(struct table_loader *tl, int status, size_t entry,
		const char *fmt, ...)
{
	const uint8_t *e = tl->script + entry * TABLE_LOADER_ENTRY_SIZE;
	uint32_t cmd = le32(e);
	size_t n;
	va_list ap;

	const char *what =
		cmd < sizeof(command_names) / sizeof(command_names[0]) &&
				command_names[cmd]
			? command_names[cmd]
			: "unknown";

	n = fmt_snprintf(tl->error, sizeof(tl->error),
			 "command %zu (%s): ", entry, what);
	if (n >= sizeof(tl->error))
		return status;
	va_start(ap, fmt);
	fmt_vsnprintf(tl->error + n, sizeof(tl->error) - n, fmt, ap);
	va_end(ap);
	return status;
}

static struct table_loader_blob *find_blob(struct table_loader *tl,
					   const char *name)
{
	for (unsigned i = 0; i < tl->count; i++)
		if (!strcmp(tl->blobs[i].name, name))
			return &tl->blobs[i];
	return NULL;
}

/* The NUL-terminated, non-empty file name at field offset off. */
static const char *entry_name(const uint8_t *e, unsigned off)
{
	const char *name = (const char *)e + off;
	size_t len = strnlen(name, TABLE_LOADER_NAME_SIZE);

	return len && len < TABLE_LOADER_NAME_SIZE ? name : NULL;
}

/* The file named at off, which an earlier ALLOCATE loaded; NULL if none
 * (tl says why). */
static struct table_loader_blob *used_blob(struct table_loader *tl,
					   size_t entry, unsigned off)
{
	const uint8_t *e = tl->script + entry * TABLE_LOADER_ENTRY_SIZE;
	const char *name = entry_name(e, off);
	struct table_loader_blob *b;

	if (!name) {
		fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
		     "file name empty or not terminated");
		return NULL;
	}
	b = find_blob(tl, name);
	if (!b)
		fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
		     "%s used before its ALLOCATE", name);
	return b;
}

static int check_allocate(struct table_loader *tl, size_t entry)
{
	const uint8_t *e = tl->script + entry * TABLE_LOADER_ENTRY_SIZE;
	const char *name = entry_name(e, NAME1);
	uint32_t align = le32(e + ALLOC_ALIGN), size;
	uint8_t zone = e[ALLOC_ZONE];
	struct table_loader_blob *b;

	if (!name)
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "file name empty or not terminated");
	if (find_blob(tl, name))
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "%s allocated twice", name);
	if (!align || (align & (align - 1)) || align > TABLE_LOADER_MAX_ALIGN)
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "alignment 0x%x of %s: not a power of two up to "
			    "0x%x",
			    align, name, TABLE_LOADER_MAX_ALIGN);
	if (zone != ZONE_HIGH && zone != ZONE_FSEG)
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "unknown zone %u for %s", zone, name);
	if (!tl->io->find(tl->io->ctx, name, &size))
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "no fw_cfg file %s", name);
	if (!size)
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "fw_cfg file %s is empty", name);
	if (tl->count == TABLE_LOADER_MAX_FILES)
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "more than %u files", TABLE_LOADER_MAX_FILES);
	b = &tl->blobs[tl->count++];
	memcpy(b->name, name, strlen(name) + 1);
	b->size = size;
	b->align = align;
	b->type = TABLE_MEMORY_RECLAIM;
	return TABLE_LOADER_OK;
}

static int check_add_pointer(struct table_loader *tl, size_t entry)
{
	const uint8_t *e = tl->script + entry * TABLE_LOADER_ENTRY_SIZE;
	struct table_loader_blob *dst = used_blob(tl, entry, NAME1);
	struct table_loader_blob *src =
		dst ? used_blob(tl, entry, NAME2) : NULL;
	uint32_t offset = le32(e + POINTER_OFFSET);
	uint8_t size = e[POINTER_SIZE];

	if (!src)
		return TABLE_LOADER_BAD_SCRIPT;
	if (!valid_pointer_size(size))
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "pointer size %u", size);
	if (!inside(offset, size, dst->size))
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "%u-byte pointer at 0x%x outside %s (%u bytes)",
			    size, offset, dst->name, dst->size);
	return TABLE_LOADER_OK;
}

static int check_add_checksum(struct table_loader *tl, size_t entry)
{
	const uint8_t *e = tl->script + entry * TABLE_LOADER_ENTRY_SIZE;
	struct table_loader_blob *b = used_blob(tl, entry, NAME1);
	uint32_t offset = le32(e + CKSUM_OFFSET);
	uint32_t start = le32(e + CKSUM_START);
	uint32_t length = le32(e + CKSUM_LENGTH);

	if (!b)
		return TABLE_LOADER_BAD_SCRIPT;
	if (!inside(start, length, b->size) || offset >= b->size)
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "checksum at 0x%x over [0x%x, +0x%x) outside %s "
			    "(%u bytes)",
			    offset, start, length, b->name, b->size);
	return TABLE_LOADER_OK;
}

static int check_write_pointer(struct table_loader *tl, size_t entry)
{
	const uint8_t *e = tl->script + entry * TABLE_LOADER_ENTRY_SIZE;
	const char *dst = entry_name(e, NAME1);
	struct table_loader_blob *src = used_blob(tl, entry, NAME2);
	uint32_t dst_offset = le32(e + WRPTR_DST_OFFSET);
	uint32_t src_offset = le32(e + WRPTR_SRC_OFFSET);
	uint8_t size = e[WRPTR_SIZE];
	uint32_t dst_size;

	if (!src)
		return TABLE_LOADER_BAD_SCRIPT;
	if (!dst)
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "file name empty or not terminated");
	if (!valid_pointer_size(size))
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "pointer size %u", size);
	if (src_offset >= src->size)
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "pointer to 0x%x outside %s (%u bytes)", src_offset,
			    src->name, src->size);
	if (!tl->io->find(tl->io->ctx, dst, &dst_size))
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "no fw_cfg file %s", dst);
	if (!inside(dst_offset, size, dst_size))
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "%u-byte pointer at 0x%x outside %s (%u bytes)",
			    size, dst_offset, dst, dst_size);
	/* QEMU writes into src at run time: the OS must leave it alone. */
	src->type = TABLE_MEMORY_NVS;
	return TABLE_LOADER_OK;
}

/* Pass 1: nothing loaded, nothing written. */
static int check(struct table_loader *tl, size_t entries)
{
	int rc = TABLE_LOADER_OK;

	for (size_t i = 0; i < entries && rc == TABLE_LOADER_OK; i++) {
		uint32_t cmd = le32(tl->script + i * TABLE_LOADER_ENTRY_SIZE);

		switch (cmd) {
		case 0: /* padding (QEMU pads some scripts with zeros) */
			break;
		case CMD_ALLOCATE:
			rc = check_allocate(tl, i);
			break;
		case CMD_ADD_POINTER:
			rc = check_add_pointer(tl, i);
			break;
		case CMD_ADD_CHECKSUM:
			rc = check_add_checksum(tl, i);
			break;
		case CMD_WRITE_POINTER:
			rc = check_write_pointer(tl, i);
			break;
		default:
			rc = fail(tl, TABLE_LOADER_BAD_SCRIPT, i,
				  "unknown command 0x%x", cmd);
		}
	}
	return rc;
}

static int load(struct table_loader *tl, size_t entry)
{
	const uint8_t *e = tl->script + entry * TABLE_LOADER_ENTRY_SIZE;
	struct table_loader_blob *b = find_blob(tl, (const char *)e + NAME1);

	b->data = tl->io->load(tl->io->ctx, b->name, b->size, b->align, b->type,
			       &b->address);
	if (!b->data)
		return fail(tl, TABLE_LOADER_IO_ERROR, entry,
			    "cannot load %s (%u bytes)", b->name, b->size);
	if (b->address & (b->align - 1) || !fits(b->address + b->size - 1, 4))
		return fail(tl, TABLE_LOADER_IO_ERROR, entry,
			    "%s loaded at 0x%llx: not aligned to 0x%x or "
			    "above 4 GiB",
			    b->name, (unsigned long long)b->address, b->align);
	return TABLE_LOADER_OK;
}

static int add_pointer(struct table_loader *tl, size_t entry)
{
	const uint8_t *e = tl->script + entry * TABLE_LOADER_ENTRY_SIZE;
	struct table_loader_blob *dst = find_blob(tl, (const char *)e + NAME1);
	struct table_loader_blob *src = find_blob(tl, (const char *)e + NAME2);
	uint32_t offset = le32(e + POINTER_OFFSET);
	uint8_t size = e[POINTER_SIZE];
	uint64_t value = le_get(dst->data + offset, size);

	/* QEMU stored the offset within src; it must point into src. */
	if (value >= src->size)
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "pointer at %s+0x%x to 0x%llx outside %s (%u "
			    "bytes)",
			    dst->name, offset, (unsigned long long)value,
			    src->name, src->size);
	value += src->address;
	if (!fits(value, size))
		return fail(tl, TABLE_LOADER_BAD_SCRIPT, entry,
			    "address 0x%llx does not fit in %u bytes",
			    (unsigned long long)value, size);
	le_put(dst->data + offset, value, size);
	return TABLE_LOADER_OK;
}

static void add_checksum(struct table_loader *tl, size_t entry)
{
	const uint8_t *e = tl->script + entry * TABLE_LOADER_ENTRY_SIZE;
	struct table_loader_blob *b = find_blob(tl, (const char *)e + NAME1);
	uint32_t start = le32(e + CKSUM_START);
	uint32_t length = le32(e + CKSUM_LENGTH);

	b->data[le32(e + CKSUM_OFFSET)] -= byte_sum(b->data + start, length);
}

/* Pass 2: the script's checks passed; only loads or pointer values fail. */
static int link(struct table_loader *tl, size_t entries)
{
	int rc = TABLE_LOADER_OK;

	for (size_t i = 0; i < entries && rc == TABLE_LOADER_OK; i++) {
		switch (le32(tl->script + i * TABLE_LOADER_ENTRY_SIZE)) {
		case CMD_ALLOCATE:
			rc = load(tl, i);
			break;
		case CMD_ADD_POINTER:
			rc = add_pointer(tl, i);
			break;
		case CMD_ADD_CHECKSUM:
			add_checksum(tl, i);
			break;
		}
	}
	return rc;
}

/* Carries out the WRITE_POINTER at entry: the address, or 0 to undo it. */
static bool write_pointer(struct table_loader *tl, size_t entry, bool undo)
{
	const uint8_t *e = tl->script + entry * TABLE_LOADER_ENTRY_SIZE;
	struct table_loader_blob *src = find_blob(tl, (const char *)e + NAME2);
	uint8_t size = e[WRPTR_SIZE];
	uint8_t bytes[8];

	le_put(bytes, undo ? 0 : src->address + le32(e + WRPTR_SRC_OFFSET),
	       size);
	return tl->io->write(tl->io->ctx, (const char *)e + NAME1,
			     le32(e + WRPTR_DST_OFFSET), bytes, size);
}

/* Pass 3. Blobs are below 4 GiB (load()): only 1- and 2-byte pointers
 * can be too small for their address. */
static int tell_host(struct table_loader *tl, size_t entries)
{
	for (size_t i = 0; i < entries; i++) {
		const uint8_t *e = tl->script + i * TABLE_LOADER_ENTRY_SIZE;
		struct table_loader_blob *src;
		uint64_t value;

		if (le32(e) != CMD_WRITE_POINTER)
			continue;
		src = find_blob(tl, (const char *)e + NAME2);
		value = src->address + le32(e + WRPTR_SRC_OFFSET);
		if (!fits(value, e[WRPTR_SIZE]))
			return fail(tl, TABLE_LOADER_BAD_SCRIPT, i,
				    "address 0x%llx does not fit in %u bytes",
				    (unsigned long long)value, e[WRPTR_SIZE]);
		if (!write_pointer(tl, i, false))
			return fail(tl, TABLE_LOADER_IO_ERROR, i,
				    "cannot write to fw_cfg file %s",
				    (const char *)e + NAME1);
		tl->written_end = i + 1;
	}
	return TABLE_LOADER_OK;
}

void table_loader_undo(struct table_loader *tl)
{
	for (size_t i = 0; i < tl->written_end; i++)
		if (le32(tl->script + i * TABLE_LOADER_ENTRY_SIZE) ==
		    CMD_WRITE_POINTER)
			write_pointer(tl, i, true);
	tl->written_end = 0;
	while (tl->count) {
		struct table_loader_blob *b = &tl->blobs[--tl->count];

		if (b->data)
			tl->io->release(tl->io->ctx, b->data, b->size);
		b->data = NULL;
	}
}

int table_loader_run(struct table_loader *tl, const struct table_loader_io *io,
		     const void *script, size_t size)
{
	size_t entries = size / TABLE_LOADER_ENTRY_SIZE;
	int rc;

	memset(tl, 0, sizeof(*tl));
	tl->io = io;
	tl->script = script;
	tl->script_size = size;
	if (size % TABLE_LOADER_ENTRY_SIZE || !entries ||
	    entries > TABLE_LOADER_MAX_ENTRIES) {
		fmt_snprintf(tl->error, sizeof(tl->error),
			     "%zu bytes: not 1 to %u commands of %u bytes",
			     size, TABLE_LOADER_MAX_ENTRIES,
			     TABLE_LOADER_ENTRY_SIZE);
		return TABLE_LOADER_BAD_SCRIPT;
	}
	rc = check(tl, entries);
	if (rc == TABLE_LOADER_OK)
		rc = link(tl, entries);
	if (rc == TABLE_LOADER_OK)
		rc = tell_host(tl, entries);
	if (rc != TABLE_LOADER_OK)
		table_loader_undo(tl);
	return rc;
}

const struct table_loader_blob *table_loader_blob(const struct table_loader *tl,
						  const char *name)
{
	return find_blob((struct table_loader *)tl, name);
}

const uint8_t *table_loader_map(const struct table_loader *tl, uint64_t address,
				uint64_t len)
{
	for (unsigned i = 0; i < tl->count; i++) {
		const struct table_loader_blob *b = &tl->blobs[i];

		if (b->data && address >= b->address &&
		    inside(address - b->address, len, b->size))
			return b->data + (address - b->address);
	}
	return NULL;
}
