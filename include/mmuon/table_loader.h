/* SPDX-License-Identifier: MIT */
/*
 * QEMU's ACPI table loader ("linker/loader",
 * QEMU hw/acpi/bios-linker-loader.c):
 * the fw_cfg file etc/table-loader is a script of 128-byte little-endian
 * commands telling the firmware how to place QEMU's ACPI blobs in guest
 * memory and link them:
 *
 *   ALLOCATE      load fw_cfg file F into memory aligned to A (a power of
 *                 two); exactly once per file, before any use of it
 *   ADD_POINTER   add the address of file S to the 1/2/4/8-byte value at
 *                 D+offset (QEMU stored the offset within S there)
 *   ADD_CHECKSUM  byte F[offset] -= sum of F[start, start+length)
 *   WRITE_POINTER write address(S)+src_offset into the fw_cfg file D at
 *                 dst_offset, back to QEMU (vmgenid, GHES)
 *
 * The interpreter is pure logic over struct table_loader_io (fw_cfg and
 * the allocator on the firmware, fakes in the host tests and the fuzzer).
 * It checks the whole script before it loads anything, performs the
 * WRITE_POINTERs only once everything else succeeded, and on any failure
 * releases what it loaded and writes zeros back over what it wrote, so the
 * caller can give the OS the DT instead with nothing half done.
 */
#ifndef MMUON_TABLE_LOADER_H
#define MMUON_TABLE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TABLE_LOADER_ENTRY_SIZE 128
#define TABLE_LOADER_NAME_SIZE 56 /* FW_CFG_MAX_FILE_PATH, NUL included */
#define TABLE_LOADER_MAX_FILES 16
#define TABLE_LOADER_MAX_ENTRIES 1024
/* Like EDK2: blobs come in whole pages, so more than a page is refused. */
#define TABLE_LOADER_MAX_ALIGN 4096

/* What a blob holds, hence its UEFI memory type. */
enum table_memory {
	/* ACPI tables: the OS may reclaim them once parsed. */
	TABLE_MEMORY_RECLAIM,
	/* Memory the host keeps writing to, at an address a WRITE_POINTER
	 * gave it (vmgenid's GUID, GHES error blocks): the OS must keep it. */
	TABLE_MEMORY_NVS,
};

struct table_loader_io {
	void *ctx;
	/* The size of fw_cfg file name; false if the directory has none. */
	bool (*find)(void *ctx, const char *name, uint32_t *size);
	/*
	 * Memory of the given type for the size bytes of file name, aligned
	 * to align (<= TABLE_LOADER_MAX_ALIGN), below 4 GiB (QEMU patches
	 * some pointers as 32-bit values), filled with the file; NULL if that
	 * failed. *address is where the OS will see it (on the firmware, the
	 * pointer itself: memory is identity-mapped).
	 */
	void *(*load)(void *ctx, const char *name, uint32_t size,
		      uint32_t align, enum table_memory type,
		      uint64_t *address);
	void (*release)(void *ctx, void *blob, uint32_t size);
	/* Writes len bytes at offset of fw_cfg file name; false on failure. */
	bool (*write)(void *ctx, const char *name, uint32_t offset,
		      const void *data, uint32_t len);
};

struct table_loader_blob {
	char name[TABLE_LOADER_NAME_SIZE];
	uint8_t *data; /* NULL until loaded */
	uint64_t address;
	uint32_t size;
	uint32_t align;
	enum table_memory type;
};

struct table_loader {
	const struct table_loader_io *io;
	struct table_loader_blob blobs[TABLE_LOADER_MAX_FILES];
	unsigned count;
	const uint8_t *script;
	size_t script_size;
	/* The WRITE_POINTERs of script[0, written_end) were carried out. */
	size_t written_end;
	char error[192]; /* why the last run failed */
};

enum table_loader_status {
	TABLE_LOADER_OK = 0,
	TABLE_LOADER_BAD_SCRIPT = -1, /* error[] says which command and why */
	TABLE_LOADER_NO_MEMORY = -2,
	TABLE_LOADER_IO_ERROR = -3, /* a load or a write failed */
};

/*
 * Runs script (size bytes, a multiple of 128). On success the blobs are
 * loaded and linked and tl describes them; otherwise nothing stays loaded
 * or written and tl->error explains. tl must stay alive as long as the
 * script (it keeps a pointer for table_loader_undo()).
 */
int table_loader_run(struct table_loader *tl, const struct table_loader_io *io,
		     const void *script, size_t size);

/* Undoes a successful run: zeros written back, blobs released. */
void table_loader_undo(struct table_loader *tl);

/* The loaded blob of file name, or NULL. */
const struct table_loader_blob *table_loader_blob(const struct table_loader *tl,
						  const char *name);

/*
 * Where the OS's [address, address + len) lies in the loaded blobs, or
 * NULL if not wholly inside one (for checking what the script built).
 */
const uint8_t *table_loader_map(const struct table_loader *tl, uint64_t address,
				uint64_t len);

#endif
