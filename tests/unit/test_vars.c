// SPDX-License-Identifier: MIT
/*
 * Unit tests for the flash variable store: src/vars/vars.c over the
 * on-flash log (src/vars/varlog.c) on a RAM flash that can lose power
 * (src/vars/ram_flash.c).
 *
 *   - non-volatile variables survive a remount, volatile ones do not;
 *   - QueryVariableInfo is exact, quotas hold;
 *   - reclaim runs again and again without losing anything;
 *   - power cut at every program and erase of a scripted run of writes,
 *     appends, deletes and reclaims (and again at every step of the
 *     recovery that follows): every acknowledged write is there, the one
 *     in flight is old or new, and the store mounts clean afterwards;
 *   - damaged images: what is valid is kept, the rest is dropped and said.
 * Throughout, no program ever asks to turn a 0 bit into a 1.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mmuon/crc32.h>
#include <mmuon/ram_flash.h>
#include <mmuon/vars.h>

#define BS EFI_VARIABLE_BOOTSERVICE_ACCESS
#define RT EFI_VARIABLE_RUNTIME_ACCESS
#define NV EFI_VARIABLE_NON_VOLATILE
#define APPEND EFI_VARIABLE_APPEND_WRITE
#define BOOT false
#define RUNTIME true

/* Small areas, so that a few writes fill one and reclaim runs often. */
#define ERASE_SIZE 4096
#define AREA_SIZE 4096
#define AREAS 2
#define FLASH_SIZE (AREA_SIZE * AREAS)

static const EFI_GUID vendor =
	EFI_GUID_INIT(0x8e2ab1b4, 0x6c2d, 0x4a07, 0x9d, 0x3e, 0x51, 0x2f, 0x00,
		      0x11, 0x22, 0x33);

struct rig {
	uint8_t flash[FLASH_SIZE];
	struct ram_flash rf;
	struct vars v;
	struct vars_report report;
	size_t arena_size;
	uint8_t *arena;
};

/*
 * The RAM the volatile variables move to (the firmware's runtime data
 * pages): handed out once per rig_mount(), or not at all when
 * grow_fails.
 */
static uint8_t grown[VARS_VOLATILE_BYTES];
static unsigned grow_calls;
static bool grow_fails;

static void *grow(size_t size)
{
	assert_int_equal(size, sizeof(grown));
	grow_calls++;
	if (grow_fails || grow_calls > 1)
		return NULL;
	memset(grown, 0xee, sizeof(grown));
	return grown;
}

static struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));

	memset(r->flash, 0xff, sizeof(r->flash));
	ram_flash_init(&r->rf, r->flash, FLASH_SIZE, ERASE_SIZE, 4);
	r->arena_size = vars_arena_size(AREA_SIZE);
	r->arena = malloc(r->arena_size);
	return r;
}

static void rig_free(struct rig *r)
{
	free(r->arena);
	free(r);
}

/* A boot: power back on, a fresh (dirty) arena, mount. */
static int rig_mount(struct rig *r)
{
	int err;

	ram_flash_cut_after(&r->rf, -1, 0);
	memset(r->arena, 0xee, r->arena_size);
	err = vars_mount(&r->v, r->arena, r->arena_size, &r->rf.flash,
			 AREA_SIZE, AREAS, &r->report);
	r->v.grow = grow;
	grow_calls = 0;
	grow_fails = false;
	return err;
}

static void rig_mount_ok(struct rig *r)
{
	assert_int_equal(rig_mount(r), 0);
	assert_true(r->v.persistent);
}

/* ASCII to UCS-2, in one of a few rotating buffers. */
static const CHAR16 *u16(const char *s)
{
	static CHAR16 bufs[4][64];
	static int next;
	CHAR16 *b = bufs[next++ % 4];
	size_t i;

	for (i = 0; s[i]; i++)
		b[i] = (CHAR16)s[i];
	b[i] = 0;
	return b;
}

static EFI_STATUS set(struct rig *r, const char *name, UINT32 attr,
		      const void *data, size_t len, bool runtime)
{
	return vars_set(&r->v, u16(name), &vendor, attr, len, data, runtime);
}

static EFI_STATUS set_str(struct rig *r, const char *name, UINT32 attr,
			  const char *s)
{
	return set(r, name, attr, s, s ? strlen(s) : 0, BOOT);
}

/* The variable's data (NUL-terminated copy), or NULL if GetVariable fails. */
static const char *get(struct rig *r, const char *name, UINT32 *attr,
		       size_t *len)
{
	static char buf[VARS_MAX_VARIABLE + 1];
	UINTN size = sizeof(buf) - 1;

	if (vars_get(&r->v, u16(name), &vendor, attr, &size, buf, BOOT) !=
	    EFI_SUCCESS)
		return NULL;
	buf[size] = 0;
	if (len)
		*len = size;
	return buf;
}

static unsigned count_variables(struct rig *r)
{
	CHAR16 name[256] = {0};
	EFI_GUID guid;
	unsigned n = 0;

	for (;;) {
		UINTN size = sizeof(name);

		if (vars_get_next(&r->v, &size, name, &guid, BOOT) !=
		    EFI_SUCCESS)
			return n;
		n++;
	}
}

static void assert_no_raised_bits(struct rig *r)
{
	if (r->rf.raised_bits)
		fail_msg("%lu programs asked for 0 -> 1 changes",
			 r->rf.raised_bits);
}

/* ---- persistence ---------------------------------------------------------- */

static void test_blank_and_zeros(void **state)
{
	struct rig *r = rig_new();

	(void)state;
	rig_mount_ok(r);
	assert_int_equal(r->report.log.found, VARLOG_FOUND_BLANK);
	assert_true(r->report.formatted);
	rig_mount_ok(r);
	assert_int_equal(r->report.log.found, VARLOG_FOUND_STORE);
	assert_false(r->report.formatted);
	assert_int_equal(r->report.log.generation, 1);

	/* All zeros -- an empty VARS file, or QEMU's bank with no file --
	 * is formatted too. */
	memset(r->flash, 0, sizeof(r->flash));
	rig_mount_ok(r);
	assert_int_equal(r->report.log.found, VARLOG_FOUND_ZEROS);
	assert_true(r->report.formatted);
	assert_int_equal(r->rf.programs + r->rf.erases, 8);

	/* Anything else is reformatted. */
	memset(r->flash, 0x5a, sizeof(r->flash));
	rig_mount_ok(r);
	assert_int_equal(r->report.log.found, VARLOG_FOUND_FOREIGN);
	assert_true(r->report.formatted);
	assert_int_equal(count_variables(r), 0);
	rig_free(r);
}

static void test_persistence(void **state)
{
	struct rig *r = rig_new();
	UINT32 attr;

	(void)state;
	rig_mount_ok(r);
	assert_int_equal(set_str(r, "Nv", NV | BS | RT, "kept"), EFI_SUCCESS);
	assert_int_equal(set_str(r, "NvBoot", NV | BS, "boot only"),
			 EFI_SUCCESS);
	assert_int_equal(set_str(r, "Vol", BS | RT, "gone"), EFI_SUCCESS);
	assert_int_equal(set_str(r, "Gone", NV | BS, "deleted"), EFI_SUCCESS);
	assert_int_equal(set_str(r, "Gone", 0, NULL), EFI_SUCCESS);
	assert_int_equal(set_str(r, "Log", NV | BS | RT, "ab"), EFI_SUCCESS);
	assert_int_equal(set_str(r, "Log", NV | BS | RT | APPEND, "cd"),
			 EFI_SUCCESS);
	assert_int_equal(set_str(r, "Nv", NV | BS | RT, "kept, updated"),
			 EFI_SUCCESS);

	rig_mount_ok(r);
	assert_int_equal(r->report.log.records, 3);
	assert_int_equal(r->report.log.damaged, 0);
	assert_string_equal(get(r, "Nv", &attr, NULL), "kept, updated");
	assert_int_equal(attr, NV | BS | RT);
	assert_string_equal(get(r, "NvBoot", &attr, NULL), "boot only");
	assert_int_equal(attr, NV | BS);
	assert_string_equal(get(r, "Log", NULL, NULL), "abcd");
	assert_null(get(r, "Vol", NULL, NULL));
	assert_null(get(r, "Gone", NULL, NULL));
	assert_int_equal(count_variables(r), 3);
	assert_no_raised_bits(r);
	rig_free(r);
}

/* At runtime the OS can create, change and delete NV+RT variables. */
static void test_runtime_writes(void **state)
{
	struct rig *r = rig_new();

	(void)state;
	rig_mount_ok(r);
	assert_int_equal(set(r, "Os", NV | BS | RT, "x", 1, RUNTIME),
			 EFI_SUCCESS);
	assert_int_equal(set(r, "OsVol", BS | RT, "x", 1, RUNTIME),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(set(r, "Os", NV | BS | RT | APPEND, "y", 1, RUNTIME),
			 EFI_SUCCESS);
	rig_mount_ok(r);
	assert_string_equal(get(r, "Os", NULL, NULL), "xy");
	assert_int_equal(set(r, "Os", NV | BS | RT, NULL, 0, RUNTIME),
			 EFI_SUCCESS);
	rig_mount_ok(r);
	assert_null(get(r, "Os", NULL, NULL));
	rig_free(r);
}

/* ---- quotas and QueryVariableInfo --------------------------------------------- */

static void query(struct rig *r, UINT32 attr, bool runtime, UINT64 *max,
		  UINT64 *remaining, UINT64 *largest)
{
	assert_int_equal(
		vars_query(&r->v, attr, max, remaining, largest, runtime),
		EFI_SUCCESS);
}

static void test_query_exact(void **state)
{
	struct rig *r = rig_new();
	const UINT64 capacity = AREA_SIZE - VARLOG_AREA_HEADER;
	UINT64 max, remaining, largest, before;
	static uint8_t data[AREA_SIZE];
	char name[16];
	int i;

	(void)state;
	rig_mount_ok(r);
	query(r, NV | BS | RT, BOOT, &max, &remaining, &largest);
	assert_int_equal(max, capacity);
	assert_int_equal(remaining, capacity);
	assert_int_equal(largest, capacity - VARLOG_RECORD_HEADER);
	/* Volatile variables have their own budget. */
	query(r, BS | RT, BOOT, &max, &remaining, &largest);
	assert_int_equal(max, VARS_VOLATILE_BYTES);
	assert_int_equal(remaining, VARS_VOLATILE_BYTES);

	/* Each write takes exactly one record's bytes. */
	query(r, NV | BS, BOOT, &max, &before, &largest);
	assert_int_equal(set(r, "A", NV | BS, data, 100, BOOT), EFI_SUCCESS);
	query(r, NV | BS, BOOT, &max, &remaining, &largest);
	assert_int_equal(before - remaining,
			 varlog_record_size(2 * sizeof(CHAR16), 100));
	/* ...and a replaced or deleted record's bytes come back. */
	assert_int_equal(set(r, "A", NV | BS, data, 10, BOOT), EFI_SUCCESS);
	query(r, NV | BS, BOOT, &max, &remaining, &largest);
	assert_int_equal(before - remaining,
			 varlog_record_size(2 * sizeof(CHAR16), 10));
	assert_int_equal(set_str(r, "A", 0, NULL), EFI_SUCCESS);
	query(r, NV | BS, BOOT, &max, &remaining, &largest);
	assert_int_equal(remaining, before);

	/* Fill: whatever remaining says fits, fits; one byte more does not
	 * (after reclaims, the deleted records' space is free again). */
	for (i = 0;; i++) {
		uint64_t want = 300;

		query(r, NV | BS, BOOT, &max, &remaining, &largest);
		snprintf(name, sizeof(name), "F%02d", i);
		if (remaining < varlog_record_size(8, want))
			break;
		assert_int_equal(set(r, name, NV | BS, data, want, BOOT),
				 EFI_SUCCESS);
	}
	/* The last bytes: a record of exactly the size remaining. */
	query(r, NV | BS, BOOT, &max, &remaining, &largest);
	if (remaining > VARLOG_RECORD_HEADER + 8) {
		uint64_t fit = remaining - VARLOG_RECORD_HEADER - 8;

		/* "Z00" and its NUL: 8 bytes of name. */
		assert_int_equal(set(r, "Z00", NV | BS, data, fit + 1, BOOT),
				 EFI_OUT_OF_RESOURCES);
		assert_int_equal(set(r, "Z00", NV | BS, data, fit, BOOT),
				 EFI_SUCCESS);
		query(r, NV | BS, BOOT, &max, &remaining, &largest);
		assert_int_equal(remaining, 0);
	}
	assert_int_equal(set(r, "Z1", NV | BS, data, 1, BOOT),
			 EFI_OUT_OF_RESOURCES);
	/* Too large for any store: invalid, not out of room. */
	assert_int_equal(set(r, "Z1", NV | BS, data, AREA_SIZE, BOOT),
			 EFI_INVALID_PARAMETER);
	rig_mount_ok(r);
	query(r, NV | BS, BOOT, &max, &remaining, &largest);
	assert_int_equal(remaining, 0);
	assert_no_raised_bits(r);
	rig_free(r);
}

/* After ExitBootServices the OS may not take the firmware's reserve. */
static void test_runtime_reserve(void **state)
{
	struct rig *r = rig_new();
	const UINT64 capacity = AREA_SIZE - VARLOG_AREA_HEADER;
	const UINT64 reserve = capacity / VARS_RUNTIME_RESERVE_SHARE;
	UINT64 max, remaining, largest, boot_remaining;
	static uint8_t data[AREA_SIZE];

	(void)state;
	rig_mount_ok(r);
	query(r, NV | BS | RT, RUNTIME, &max, &remaining, &largest);
	assert_int_equal(max, capacity);
	assert_int_equal(remaining, capacity - reserve);
	/* The OS fills what it is offered... */
	while (remaining >= varlog_record_size(4, 1)) {
		uint64_t n = remaining - VARLOG_RECORD_HEADER - 4;

		if (n > 1000)
			n = 1000;
		assert_int_equal(set(r, remaining > 2000 ? "O1" : "O2",
				     NV | BS | RT | APPEND, data, n, RUNTIME),
				 EFI_SUCCESS);
		query(r, NV | BS | RT, RUNTIME, &max, &remaining, &largest);
	}
	assert_int_equal(set(r, "O3", NV | BS | RT, data, 1, RUNTIME),
			 EFI_OUT_OF_RESOURCES);
	/* ...and the firmware at the next boot still has the reserve. */
	rig_mount_ok(r);
	query(r, NV | BS | RT, BOOT, &max, &boot_remaining, &largest);
	assert_true(boot_remaining >= reserve);
	assert_int_equal(set(r, "Boot0001", NV | BS | RT, data, 200, BOOT),
			 EFI_SUCCESS);
	rig_free(r);
}

static void test_variable_quota(void **state)
{
	struct rig *r = rig_new();
	UINT64 max, remaining, largest;
	static uint8_t data[VARS_VOLATILE_BYTES];

	(void)state;
	rig_mount_ok(r);
	/* The volatile budget is separate from the flash store's. */
	query(r, BS, BOOT, &max, &remaining, &largest);
	assert_int_equal(largest, VARS_MAX_VARIABLE);
	assert_int_equal(set(r, "V", BS, data, 2000, BOOT), EFI_SUCCESS);
	query(r, BS, BOOT, &max, &remaining, &largest);
	assert_int_equal(remaining,
			 VARS_VOLATILE_BYTES - varstore_record_size(4, 2000));
	query(r, NV | BS, BOOT, &max, &remaining, &largest);
	assert_int_equal(remaining, AREA_SIZE - VARLOG_AREA_HEADER);
	rig_free(r);
}

/* Whether `size` bytes at p are all zero. */
static bool all_zero(const uint8_t *p, size_t size)
{
	while (size--)
		if (*p++)
			return false;
	return true;
}

/*
 * Volatile variables start in the arena's last 16 KiB and move to their
 * 64 KiB the first time they need more: shim's 17 KiB MokListXRT is one
 * variable, the budget is exact, and full is EFI_OUT_OF_RESOURCES.
 */
static void test_volatile_store_grows(void **state)
{
	struct rig *r = rig_new();
	uint8_t *first = r->arena + r->arena_size - VARS_VOLATILE_INITIAL_BYTES;
	static uint8_t data[VARS_VOLATILE_BYTES];
	const size_t mok_list_x = 17 * 1024;
	const size_t mok_record = varstore_record_size(22, mok_list_x);
	UINT64 max, remaining, largest;
	UINT32 attr;
	size_t len, fit;

	(void)state;
	memset(data, 'm', sizeof(data));
	rig_mount_ok(r);
	/* QueryVariableInfo offers the whole budget from the start... */
	query(r, BS | RT, BOOT, &max, &remaining, &largest);
	assert_int_equal(max, VARS_VOLATILE_BYTES);
	assert_int_equal(remaining, VARS_VOLATILE_BYTES);
	assert_int_equal(largest, VARS_MAX_VARIABLE);
	/* ...small variables stay where they are... */
	assert_int_equal(set_str(r, "SbatLevelRT", BS | RT, "sbat,1"),
			 EFI_SUCCESS);
	assert_int_equal(grow_calls, 0);
	assert_memory_equal(first + VARSTORE_RECORD_HEADER, u16("SbatLevelRT"),
			    24);
	/* ...and the first that does not fit moves them all. */
	assert_int_equal(set(r, "MokListXRT", BS | RT, data, mok_list_x, BOOT),
			 EFI_SUCCESS);
	assert_int_equal(grow_calls, 1);
	/* No copy left behind. */
	assert_true(all_zero(first, varstore_record_size(24, 6)));
	assert_non_null(get(r, "MokListXRT", &attr, &len));
	assert_int_equal(len, mok_list_x);
	assert_int_equal(attr, BS | RT);
	assert_string_equal(get(r, "SbatLevelRT", NULL, NULL), "sbat,1");
	query(r, BS | RT, BOOT, &max, &remaining, &largest);
	assert_int_equal(remaining, VARS_VOLATILE_BYTES - mok_record -
					    varstore_record_size(24, 6));

	/* Exact to the byte: what remaining says fits, one more does not.
	 * "Fill" and its NUL: 10 bytes of name. */
	assert_int_equal(set(r, "Fill0", BS, data, 30000, BOOT), EFI_SUCCESS);
	query(r, BS, BOOT, &max, &remaining, &largest);
	fit = remaining - VARSTORE_RECORD_HEADER - 10;
	fit &= ~(size_t)7; /* no padding: the record is remaining bytes */
	fit += 6;
	assert_int_equal(set(r, "Fill", BS, data, fit + 1, BOOT),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(set(r, "Fill", BS, data, fit, BOOT), EFI_SUCCESS);
	query(r, BS, BOOT, &max, &remaining, &largest);
	assert_int_equal(remaining, 0);
	assert_int_equal(set(r, "More", BS | RT, data, 1, BOOT),
			 EFI_OUT_OF_RESOURCES);
	assert_null(get(r, "More", NULL, NULL));
	assert_int_equal(grow_calls, 1);
	/* Non-volatile variables have their own room still. */
	assert_int_equal(set_str(r, "Nv", NV | BS, "x"), EFI_SUCCESS);
	/* A name is one variable, whichever store has it. */
	assert_int_equal(set_str(r, "SbatLevelRT", NV | BS | RT, "x"),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(set_str(r, "Nv", BS, "x"), EFI_INVALID_PARAMETER);
	/* Non-volatile first, then volatile; all of them, once. */
	assert_int_equal(count_variables(r), 5);

	/* After ExitBootServices: runtime ones readable, none writable. */
	assert_int_equal(set(r, "MokListXRT", BS | RT, data, 1, RUNTIME),
			 EFI_WRITE_PROTECTED);
	query(r, BS | RT, RUNTIME, &max, &remaining, &largest);
	assert_int_equal(remaining, 0);
	assert_int_equal(largest, 0);
	rig_free(r);
}

/* No RAM to move to: full at the first part, with the usual error. */
static void test_volatile_store_cannot_grow(void **state)
{
	struct rig *r = rig_new();
	static uint8_t data[VARS_VOLATILE_BYTES];

	(void)state;
	rig_mount_ok(r);
	grow_fails = true;
	assert_int_equal(set(r, "Small", BS | RT, data, 100, BOOT),
			 EFI_SUCCESS);
	assert_int_equal(set(r, "Big", BS | RT, data, 17 * 1024, BOOT),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(grow_calls, 1);
	assert_null(get(r, "Big", NULL, NULL));
	assert_non_null(get(r, "Small", NULL, NULL));
	/* Past the budget it is never asked for. */
	assert_int_equal(set(r, "Huge", BS | RT, data, VARS_MAX_VARIABLE, BOOT),
			 EFI_INVALID_PARAMETER);
	rig_free(r);
}

/* ---- reclaim ------------------------------------------------------------------- */

static void test_reclaim_again_and_again(void **state)
{
	struct rig *r = rig_new();
	uint8_t data[500];
	char name[16];
	uint64_t generation;
	int round, i;

	(void)state;
	rig_mount_ok(r);
	assert_int_equal(set_str(r, "Keep", NV | BS | RT, "constant"),
			 EFI_SUCCESS);
	for (round = 0; round < 200; round++) {
		memset(data, 'a' + round % 26, sizeof(data));
		snprintf(name, sizeof(name), "R%d", round % 3);
		assert_int_equal(set(r, name, NV | BS, data,
				     100 + (round * 37) % 400, BOOT),
				 EFI_SUCCESS);
	}
	generation = r->v.log.generation;
	/* 200 writes of ~300 bytes into a 4 KiB area: many reclaims. */
	assert_true(generation > 10);
	rig_mount_ok(r);
	assert_int_equal(r->report.log.generation, generation);
	assert_int_equal(r->report.log.damaged, 0);
	assert_string_equal(get(r, "Keep", NULL, NULL), "constant");
	for (i = 197; i < 200; i++) {
		size_t len;
		const char *got;

		snprintf(name, sizeof(name), "R%d", i % 3);
		got = get(r, name, NULL, &len);
		assert_non_null(got);
		assert_int_equal(len, 100 + (i * 37) % 400);
		assert_int_equal(got[0], 'a' + i % 26);
	}
	/* Formatting erased both areas; each reclaim one. */
	assert_int_equal(r->rf.erases, 2 + generation - 1);
	assert_no_raised_bits(r);
	rig_free(r);
}

/* ---- power loss -------------------------------------------------------------------- */

#define MODEL_VARS 6
#define MODEL_MAX 700

struct model_var {
	bool present;
	size_t len;
	uint8_t data[MODEL_MAX + 200 * 8];
};

struct model {
	struct model_var var[MODEL_VARS];
	int inflight;		 /* -1: none */
	struct model_var before; /* the in-flight variable before... */
	struct model_var after;	 /* ...and after its change */
	unsigned ops_done;
};

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void model_name(int i, char name[16])
{
	snprintf(name, 16, "Var%d", i);
}

/*
 * A scripted run: creates, updates, appends, deletes, volatile writes;
 * enough of them in a 4 KiB area that reclaim runs several times. Stops at
 * the first SetVariable the power cut makes fail. Returns false then.
 */
static bool run_script(struct rig *r, struct model *m, uint64_t seed,
		       unsigned ops)
{
	static uint8_t data[MODEL_MAX];
	unsigned op;

	for (op = 0; op < ops; op++) {
		int i = rng_next(&seed) % MODEL_VARS, kind;
		struct model_var next = m->var[i];
		size_t len = 1 + rng_next(&seed) % MODEL_MAX;
		UINT32 attr = NV | BS | RT;
		char name[16];
		EFI_STATUS status;
		size_t k;

		kind = rng_next(&seed) % 20;
		for (k = 0; k < len; k++)
			data[k] = (uint8_t)rng_next(&seed);
		model_name(i, name);
		if (kind < 2) { /* volatile: never persists */
			set(r, "Volatile", BS | RT, data, len, BOOT);
			continue;
		}
		if (kind < 5) { /* delete */
			next.present = false;
			len = 0;
		} else if (kind < 9 && next.present &&
			   next.len + (len %= 200) + 1 <=
				   sizeof(next.data)) { /* append */
			len++;
			attr |= APPEND;
			memcpy(next.data + next.len, data, len);
			next.len += len;
		} else {
			next.present = true;
			next.len = len;
			memcpy(next.data, data, len);
		}
		status = set(r, name, attr, data, len, BOOT);
		if (status == EFI_SUCCESS) {
			m->var[i] = next;
		} else if (r->rf.power_off) {
			m->inflight = i;
			m->before = m->var[i];
			m->after = next;
			return false;
		} else if (status != EFI_NOT_FOUND) {
			/* Deleting what is gone; full is fine too. */
			assert_int_equal(status, EFI_OUT_OF_RESOURCES);
		}
		m->ops_done++;
	}
	return true;
}

static bool var_equals(struct rig *r, const char *name,
		       const struct model_var *want)
{
	size_t len;
	const char *got = get(r, name, NULL, &len);

	if (!want->present)
		return !got;
	return got && len == want->len && !memcmp(got, want->data, len);
}

static void check_model(struct rig *r, const struct model *m, const char *what)
{
	unsigned present = 0;
	int i;

	for (i = 0; i < MODEL_VARS; i++) {
		char name[16];

		model_name(i, name);
		if (i == m->inflight) {
			if (!var_equals(r, name, &m->before) &&
			    !var_equals(r, name, &m->after))
				fail_msg("%s: in-flight %s is neither old nor "
					 "new",
					 what, name);
			present += !!get(r, name, NULL, NULL);
			continue;
		}
		if (!var_equals(r, name, &m->var[i]))
			fail_msg("%s: %s lost or wrong", what, name);
		present += m->var[i].present;
	}
	if (count_variables(r) != present) {
		CHAR16 name[64] = {0};
		EFI_GUID guid;
		UINTN size = sizeof(name);

		while (vars_get_next(&r->v, &size, name, &guid, BOOT) ==
		       EFI_SUCCESS) {
			char ascii[64];
			size_t i;

			for (i = 0; name[i] && i < 63; i++)
				ascii[i] = (char)name[i];
			ascii[i] = 0;
			print_message("  have %s\n", ascii);
			size = sizeof(name);
		}
		fail_msg("%s: %u variables, expected %u (in flight: %d)", what,
			 count_variables(r), present, m->inflight);
	}
}

/* After recovery: a clean mount, the same content, and writes work. */
static void check_consistent(struct rig *r, const struct model *m,
			     const char *what)
{
	rig_mount_ok(r);
	check_model(r, m, what);
	if (r->report.log.damaged || r->report.log.incomplete > 1 ||
	    r->report.log.replaced)
		fail_msg("%s: second mount not clean (damaged %u, incomplete "
			 "%u, replaced %u)",
			 what, r->report.log.damaged, r->report.log.incomplete,
			 r->report.log.replaced);
	assert_int_equal(set_str(r, "After", NV | BS, "works"), EFI_SUCCESS);
	rig_mount_ok(r);
	assert_string_equal(get(r, "After", NULL, NULL), "works");
	assert_no_raised_bits(r);
}

static unsigned long flash_ops(const struct rig *r)
{
	return r->rf.programs + r->rf.erases;
}

#define SCRIPT_OPS 70

static void power_cut_trials(uint64_t script_seed)
{
	static uint8_t image[FLASH_SIZE];
	struct rig *r = rig_new();
	static struct model m;
	unsigned long total, k, start;
	uint64_t torn_seed;
	char what[96];

	/* How many flash operations the whole script takes. */
	rig_mount_ok(r);
	start = flash_ops(r);
	memset(&m, 0, sizeof(m));
	m.inflight = -1;
	assert_true(run_script(r, &m, script_seed, SCRIPT_OPS));
	total = flash_ops(r) - start;
	assert_true(r->v.log.generation > 3); /* reclaims happened */
	rig_free(r);

	for (k = 0; k < total; k++) {
		for (torn_seed = 1; torn_seed <= 2; torn_seed++) {
			unsigned long mount_start, mount_ops, j;

			r = rig_new();
			rig_mount_ok(r);
			memset(&m, 0, sizeof(m));
			m.inflight = -1;
			ram_flash_cut_after(&r->rf, k, torn_seed * 7919 + k);
			/* Retiring the old record is the last step of an
			 * update, and may fail: the update is done already. So
			 * the script can end without noticing a cut there. */
			run_script(r, &m, script_seed, SCRIPT_OPS);

			/* The boot after the cut: recovery. */
			snprintf(what, sizeof(what),
				 "script %llu, cut at op %lu/%lu (seed %llu)",
				 (unsigned long long)script_seed, k, total,
				 (unsigned long long)torn_seed);
			memcpy(image, r->flash, FLASH_SIZE);
			mount_start = flash_ops(r);
			rig_mount_ok(r);
			check_model(r, &m, what);
			mount_ops = flash_ops(r) - mount_start;

			/* And a cut at every step of that recovery. */
			for (j = 0; j < mount_ops; j++) {
				memcpy(r->flash, image, FLASH_SIZE);
				ram_flash_cut_after(&r->rf, j, j + 1);
				memset(r->arena, 0xee, r->arena_size);
				vars_mount(&r->v, r->arena, r->arena_size,
					   &r->rf.flash, AREA_SIZE, AREAS,
					   &r->report);
				rig_mount_ok(r);
				check_model(r, &m, what);
				check_consistent(r, &m, what);
			}
			memcpy(r->flash, image, FLASH_SIZE);
			rig_mount_ok(r);
			check_consistent(r, &m, what);
			rig_free(r);
		}
	}
	print_message("power cut at each of %lu flash operations, twice\n",
		      total);
}

static void test_power_cut_every_step(void **state)
{
	(void)state;
	power_cut_trials(0x9e3779b97f4a7c15ull);
	power_cut_trials(12345);
}

/* ---- damaged images ------------------------------------------------------------------ */

/* Offset of the n-th record of the active area (walks the headers). */
static uint32_t record_offset(struct rig *r, int n)
{
	uint32_t off = r->v.log.active * AREA_SIZE + VARLOG_AREA_HEADER;

	while (n--) {
		uint32_t name_size, data_size;

		memcpy(&name_size, r->flash + off + 12, 4);
		memcpy(&data_size, r->flash + off + 16, 4);
		off += varlog_record_size(name_size, data_size);
	}
	return off;
}

static void test_damaged_body(void **state)
{
	struct rig *r = rig_new();

	(void)state;
	rig_mount_ok(r);
	set_str(r, "A", NV | BS, "alpha");
	set_str(r, "B", NV | BS, "bravo");
	set_str(r, "C", NV | BS, "charlie");
	/* A bit of B's data flips. */
	r->flash[record_offset(r, 1) + VARLOG_RECORD_HEADER + 4] ^= 0x10;
	rig_mount_ok(r);
	assert_int_equal(r->report.log.damaged, 1);
	assert_true(r->report.reclaimed);
	assert_string_equal(get(r, "A", NULL, NULL), "alpha");
	assert_null(get(r, "B", NULL, NULL));
	assert_string_equal(get(r, "C", NULL, NULL), "charlie");
	/* The reclaim rewrote only what was valid: clean from now on. */
	rig_mount_ok(r);
	assert_int_equal(r->report.log.damaged, 0);
	assert_int_equal(count_variables(r), 2);
	rig_free(r);
}

static void test_damaged_header(void **state)
{
	struct rig *r = rig_new();

	(void)state;
	rig_mount_ok(r);
	set_str(r, "A", NV | BS, "alpha");
	set_str(r, "B", NV | BS, "bravo");
	set_str(r, "C", NV | BS, "charlie");
	/* B's header: its size is lost, C is found again past it. */
	r->flash[record_offset(r, 1) + 12] ^= 0x40;
	rig_mount_ok(r);
	assert_int_equal(r->report.log.damaged, 1);
	assert_string_equal(get(r, "A", NULL, NULL), "alpha");
	assert_null(get(r, "B", NULL, NULL));
	assert_string_equal(get(r, "C", NULL, NULL), "charlie");
	rig_mount_ok(r);
	assert_int_equal(r->report.log.damaged, 0);
	rig_free(r);
}

/* Garbage in the free space is caught when a write lands on it. */
static void test_garbage_after_tail(void **state)
{
	struct rig *r = rig_new();
	uint32_t tail;

	(void)state;
	rig_mount_ok(r);
	set_str(r, "A", NV | BS, "alpha");
	tail = record_offset(r, 1);
	/* Where B's data ("bravo") will go: not erased. */
	r->flash[tail + VARLOG_RECORD_HEADER + 4] = 0x00;
	rig_mount_ok(r);
	assert_int_equal(r->report.log.damaged, 0);
	assert_int_equal(set_str(r, "B", NV | BS, "bravo"), EFI_SUCCESS);
	rig_mount_ok(r);
	assert_string_equal(get(r, "A", NULL, NULL), "alpha");
	assert_string_equal(get(r, "B", NULL, NULL), "bravo");
	assert_int_equal(r->report.log.generation, 2); /* via reclaim */
	/* The one program that met the garbage, and was then redone. */
	assert_int_equal(r->rf.raised_bits, 1);
	rig_free(r);
}

/* Both records of an update, as a power loss between its steps leaves
 * them: the later wins, and mount retires the earlier. */
static void test_half_done_update(void **state)
{
	struct rig *r = rig_new();
	uint32_t first;
	uint32_t complete = 0xfffffffe;

	(void)state;
	rig_mount_ok(r);
	set_str(r, "A", NV | BS, "old");
	first = record_offset(r, 0);
	set_str(r, "A", NV | BS, "new");
	/* Undo the OBSOLETE bit of the first record (in the RAM flash). */
	memcpy(r->flash + first, &complete, 4);
	rig_mount_ok(r);
	assert_int_equal(r->report.log.replaced, 1);
	assert_string_equal(get(r, "A", NULL, NULL), "new");
	rig_mount_ok(r);
	assert_int_equal(r->report.log.replaced, 0);
	assert_string_equal(get(r, "A", NULL, NULL), "new");
	rig_free(r);
}

/* A flash that refuses to program: SetVariable fails, nothing changes. */
static int refuse_program(void *ctx, uint32_t offset, const void *buf,
			  uint32_t len)
{
	(void)ctx;
	(void)offset;
	(void)buf;
	(void)len;
	return FLASH_ERR_PROGRAM;
}

static void test_write_failure(void **state)
{
	struct rig *r = rig_new();
	struct flash_ops broken;
	const struct flash_ops *ops;

	(void)state;
	rig_mount_ok(r);
	set_str(r, "A", NV | BS, "alpha");
	ops = r->rf.flash.ops;
	broken = *ops;
	broken.program = refuse_program;
	r->rf.flash.ops = &broken;
	assert_int_equal(set_str(r, "A", NV | BS, "changed"), EFI_DEVICE_ERROR);
	assert_int_equal(set_str(r, "B", NV | BS, "new"), EFI_DEVICE_ERROR);
	assert_int_equal(set_str(r, "A", 0, NULL), EFI_DEVICE_ERROR);
	assert_string_equal(get(r, "A", NULL, NULL), "alpha");
	assert_null(get(r, "B", NULL, NULL));
	/* Volatile variables do not need the flash. */
	assert_int_equal(set_str(r, "V", BS, "v"), EFI_SUCCESS);
	r->rf.flash.ops = ops;
	rig_mount_ok(r);
	assert_string_equal(get(r, "A", NULL, NULL), "alpha");
	assert_null(get(r, "B", NULL, NULL));
	rig_free(r);
}

/* An area may use only the start of its erase block (mmuon: 48 KiB of
 * 256 KiB): each area still gets a block of its own. */
static void test_area_smaller_than_erase_block(void **state)
{
	static uint8_t flash[4 * 8192];
	struct ram_flash rf;
	struct vars v;
	struct vars_report report;
	size_t size = vars_arena_size(4096);
	uint8_t *arena = malloc(size);
	char data[700], name[16];
	int i;

	(void)state;
	memset(flash, 0xff, sizeof(flash));
	memset(data, 'x', sizeof(data));
	ram_flash_init(&rf, flash, sizeof(flash), 8192, 4);
	assert_int_equal(
		vars_mount(&v, arena, size, &rf.flash, 4096, 2, &report), 0);
	assert_true(report.formatted);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "V%d", i % 3);
		assert_int_equal(vars_set(&v, u16(name), &vendor, NV | BS,
					  sizeof(data), data, BOOT),
				 EFI_SUCCESS);
	}
	assert_true(v.log.generation > 5);
	/* Area 1 is at 8192, not 4096; nothing past each area's 4 KiB. */
	for (i = 4096; i < 8192; i++)
		assert_int_equal(flash[i], 0xff);
	for (i = 8192 + 4096; i < (int)sizeof(flash); i++)
		assert_int_equal(flash[i], 0xff);
	assert_int_equal(
		vars_mount(&v, arena, size, &rf.flash, 4096, 2, &report), 0);
	assert_int_equal(report.log.records, 3);
	assert_int_equal(report.log.damaged, 0);
	assert_int_equal(rf.raised_bits, 0);
	free(arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blank_and_zeros),
		cmocka_unit_test(test_persistence),
		cmocka_unit_test(test_runtime_writes),
		cmocka_unit_test(test_query_exact),
		cmocka_unit_test(test_runtime_reserve),
		cmocka_unit_test(test_variable_quota),
		cmocka_unit_test(test_volatile_store_grows),
		cmocka_unit_test(test_volatile_store_cannot_grow),
		cmocka_unit_test(test_reclaim_again_and_again),
		cmocka_unit_test(test_damaged_body),
		cmocka_unit_test(test_damaged_header),
		cmocka_unit_test(test_garbage_after_tail),
		cmocka_unit_test(test_half_done_update),
		cmocka_unit_test(test_write_failure),
		cmocka_unit_test(test_area_smaller_than_erase_block),
		cmocka_unit_test(test_power_cut_every_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
