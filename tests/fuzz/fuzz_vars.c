// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the flash variable store's recovery: the input is a
 * flash image (two 4 KiB areas; shorter inputs are padded with erased
 * bytes), mounted by src/vars/vars.c on a RAM flash (src/vars/ram_flash.c).
 * A byte past the image, if odd, first makes every header CRC (and record
 * body CRC) right, so that the fuzzer gets past them to the structure:
 * sizes, states, generations, duplicates (docs/variable-store.md has the
 * layout this follows).
 *
 * Whatever the image:
 *  - mount returns 0 (the RAM flash never fails), and the store is in use;
 *  - what mount loaded is kept: a second mount of the flash it left behind
 *    (after the reclaim that cleans damage, or the format of a foreign
 *    image) finds exactly the same variables, names, vendors, attributes
 *    and data, and no damage, no half-done update;
 *  - the store then takes a write, unless it is full, and a third mount
 *    finds it.
 * Violations abort(); ASan and UBSan catch the rest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmuon/crc32.h>
#include <mmuon/ram_flash.h>
#include <mmuon/vars.h>

#define AREA_SIZE 4096
#define AREAS 2
#define FLASH_SIZE (AREA_SIZE * AREAS)

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,     \
				#cond);                                        \
			abort();                                               \
		}                                                              \
	} while (0)

static uint8_t flash[FLASH_SIZE];
static struct ram_flash rf;
static struct vars v;
static struct vars_report report;
static uint8_t *arena;
static size_t arena_size;

/* Every variable, as GetNextVariableName and GetVariable see them. */
static uint8_t snapshot[2][AREA_SIZE * 2];

static size_t take_snapshot(uint8_t *out)
{
	CHAR16 name[AREA_SIZE / 2] = {0};
	size_t used = 0;
	EFI_GUID guid;

	for (;;) {
		UINTN name_size = sizeof(name), data_size;
		UINT32 attributes;
		EFI_STATUS status =
			vars_get_next(&v, &name_size, name, &guid, false);

		if (status == EFI_NOT_FOUND)
			return used;
		CHECK(status == EFI_SUCCESS);
		CHECK(used + name_size + sizeof(guid) + 8 <= AREA_SIZE * 2);
		memcpy(out + used, name, name_size);
		used += name_size;
		memcpy(out + used, &guid, sizeof(guid));
		used += sizeof(guid);
		data_size = AREA_SIZE * 2 - used - 4;
		status = vars_get(&v, name, &guid, &attributes, &data_size,
				  out + used + 4, false);
		CHECK(status == EFI_SUCCESS);
		memcpy(out + used, &attributes, 4);
		used += 4 + data_size;
	}
}

/* The layout of docs/variable-store.md: magic at +4, CRCs at the end of
 * headers, a record's body CRC at +20. */
#define AREA_MAGIC 0x3153566du
#define RECORD_MAGIC 0x3152566du

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void fix_crcs(void)
{
	uint32_t area, off;

	for (area = 0; area < FLASH_SIZE; area += AREA_SIZE) {
		uint8_t *a = flash + area;

		if (get32(a + 4) == AREA_MAGIC)
			put32(a + 60, crc32_calc(a + 4, 56));
		for (off = 64; off + 48 <= AREA_SIZE; off += 8) {
			uint8_t *r = a + off;
			uint32_t name = get32(r + 12), data = get32(r + 16);

			if (get32(r + 4) != RECORD_MAGIC)
				continue;
			if (name <= AREA_SIZE && data <= AREA_SIZE &&
			    off + 48 + name + data <= AREA_SIZE)
				put32(r + 20, crc32_calc(r + 48, name + data));
			put32(r + 44, crc32_calc(r + 4, 40));
		}
	}
}

static int mount(void)
{
	memset(arena, 0xee, arena_size);
	return vars_mount(&v, arena, arena_size, &rf.flash, AREA_SIZE, AREAS,
			  &report);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const EFI_GUID vendor =
		EFI_GUID_INIT(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
	size_t first, second;
	EFI_STATUS status;
	UINTN got = 8;
	char buf[8];

	if (!arena) {
		arena_size = vars_arena_size(AREA_SIZE);
		arena = malloc(arena_size);
	}
	memset(flash, 0xff, sizeof(flash));
	memcpy(flash, data, size < sizeof(flash) ? size : sizeof(flash));
	if (size > FLASH_SIZE && (data[FLASH_SIZE] & 1))
		fix_crcs();
	ram_flash_init(&rf, flash, FLASH_SIZE, AREA_SIZE, 4);

	CHECK(mount() == 0);
	CHECK(v.persistent);
	CHECK(!report.repair_error);
	first = take_snapshot(snapshot[0]);

	CHECK(mount() == 0);
	CHECK(v.persistent && report.log.found == VARLOG_FOUND_STORE);
	CHECK(!report.log.damaged && !report.log.replaced);
	second = take_snapshot(snapshot[1]);
	CHECK(first == second && !memcmp(snapshot[0], snapshot[1], first));

	status = vars_set(&v, u"FuzzCheck", &vendor,
			  EFI_VARIABLE_NON_VOLATILE |
				  EFI_VARIABLE_BOOTSERVICE_ACCESS,
			  5, "works", false);
	CHECK(status == EFI_SUCCESS || status == EFI_OUT_OF_RESOURCES);
	CHECK(mount() == 0 && v.persistent);
	if (status == EFI_SUCCESS) {
		CHECK(vars_get(&v, u"FuzzCheck", &vendor, NULL, &got, buf,
			       false) == EFI_SUCCESS);
		CHECK(got == 5 && !memcmp(buf, "works", 5));
	}
	return 0;
}
