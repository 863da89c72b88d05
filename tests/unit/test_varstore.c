// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/vars/varstore.c, the in-memory UEFI variable store:
 * the semantics of GetVariable, GetNextVariableName, SetVariable and
 * QueryVariableInfo in UEFI 2.10 section 8.2, before and after
 * ExitBootServices, and the store's own promises (atomic failures, no
 * stale bytes, stable order).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mmuon/varstore.h>

#define BS EFI_VARIABLE_BOOTSERVICE_ACCESS
#define RT EFI_VARIABLE_RUNTIME_ACCESS
#define NV EFI_VARIABLE_NON_VOLATILE
#define APPEND EFI_VARIABLE_APPEND_WRITE
#define BOOT false
#define RUNTIME true

#define ARENA_SIZE 4096

static const EFI_GUID global = EFI_GLOBAL_VARIABLE;
static const EFI_GUID vendor =
	EFI_GUID_INIT(0x12345678, 0x1234, 0x5678, 0x9a, 0xbc, 0xde, 0xf0, 0x12,
		      0x34, 0x56, 0x78);

struct fixture {
	struct varstore vs;
	_Alignas(8) uint8_t arena[ARENA_SIZE];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	memset(f->arena, 0xee, sizeof(f->arena));
	varstore_init(&f->vs, f->arena, sizeof(f->arena));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static struct varstore *store(void **state)
{
	return &((struct fixture *)*state)->vs;
}

static EFI_STATUS set(struct varstore *vs, const CHAR16 *name,
		      const EFI_GUID *guid, UINT32 attr, const char *data,
		      bool runtime)
{
	return varstore_set(vs, name, guid, attr, data ? strlen(data) : 0, data,
			    runtime);
}

/* The variable's data as a string, or NULL if GetVariable fails. */
static const char *get(struct varstore *vs, const CHAR16 *name,
		       const EFI_GUID *guid, UINT32 *attr, bool runtime)
{
	static char buf[1024];
	UINTN size = sizeof(buf) - 1;

	if (varstore_get(vs, name, guid, attr, &size, buf, runtime) !=
	    EFI_SUCCESS)
		return NULL;
	buf[size] = 0;
	return buf;
}

/*
 * Nothing of a record past the records: the arena is filled with 0xee before
 * varstore_init() (which leaves it alone), and what records gave back must
 * be zeroed.
 */
static void assert_clean_tail(const struct varstore *vs)
{
	size_t i;

	for (i = vs->used; i < vs->size; i++)
		if (vs->base[i] != 0 && vs->base[i] != 0xee)
			fail_msg("stale byte 0x%02x at %zu past the records",
				 vs->base[i], i);
}

static void test_set_get(void **state)
{
	struct varstore *vs = store(state);
	UINT32 attr = 0;

	assert_int_equal(set(vs, u"Lang", &global, BS | RT, "eng", BOOT),
			 EFI_SUCCESS);
	assert_string_equal(get(vs, u"Lang", &global, &attr, BOOT), "eng");
	assert_int_equal(attr, BS | RT);
	/* Attributes pointer is optional. */
	assert_string_equal(get(vs, u"Lang", &global, NULL, BOOT), "eng");
	/* Names are case sensitive; GUIDs separate name spaces. */
	assert_null(get(vs, u"lang", &global, NULL, BOOT));
	assert_null(get(vs, u"Lang", &vendor, NULL, BOOT));
	assert_int_equal(set(vs, u"Lang", &vendor, BS, "other", BOOT),
			 EFI_SUCCESS);
	assert_string_equal(get(vs, u"Lang", &global, NULL, BOOT), "eng");
	assert_string_equal(get(vs, u"Lang", &vendor, NULL, BOOT), "other");
	assert_clean_tail(vs);
}

static void test_get_errors(void **state)
{
	struct varstore *vs = store(state);
	UINT32 attr = 0;
	UINTN size;
	char buf[8];

	assert_int_equal(set(vs, u"V", &vendor, NV | BS, "12345", BOOT),
			 EFI_SUCCESS);

	size = 2;
	assert_int_equal(
		varstore_get(vs, u"V", &vendor, &attr, &size, buf, BOOT),
		EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 5);
	assert_int_equal(attr, NV | BS); /* returned with TOO_SMALL too */

	size = 0;
	assert_int_equal(
		varstore_get(vs, u"V", &vendor, NULL, &size, NULL, BOOT),
		EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 5);
	/* Big enough but no buffer. */
	size = 5;
	assert_int_equal(
		varstore_get(vs, u"V", &vendor, NULL, &size, NULL, BOOT),
		EFI_INVALID_PARAMETER);

	assert_int_equal(
		varstore_get(vs, NULL, &vendor, NULL, &size, buf, BOOT),
		EFI_INVALID_PARAMETER);
	assert_int_equal(varstore_get(vs, u"V", NULL, NULL, &size, buf, BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(varstore_get(vs, u"V", &vendor, NULL, NULL, buf, BOOT),
			 EFI_INVALID_PARAMETER);
	size = sizeof(buf);
	assert_int_equal(
		varstore_get(vs, u"W", &vendor, NULL, &size, buf, BOOT),
		EFI_NOT_FOUND);
	assert_int_equal(varstore_get(vs, u"", &vendor, NULL, &size, buf, BOOT),
			 EFI_NOT_FOUND);

	/* Exactly the right size works and reports the size. */
	size = 5;
	assert_int_equal(
		varstore_get(vs, u"V", &vendor, NULL, &size, buf, BOOT),
		EFI_SUCCESS);
	assert_int_equal(size, 5);
	assert_memory_equal(buf, "12345", 5);
}

static void test_set_argument_errors(void **state)
{
	struct varstore *vs = store(state);
	char data[] = "x";

	assert_int_equal(set(vs, NULL, &vendor, BS, "x", BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(set(vs, u"V", NULL, BS, "x", BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(set(vs, u"", &vendor, BS, "x", BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(varstore_set(vs, u"V", &vendor, BS, 1, NULL, BOOT),
			 EFI_INVALID_PARAMETER);
	/* Runtime access needs boot service access. */
	assert_int_equal(set(vs, u"V", &vendor, RT, "x", BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(set(vs, u"V", &vendor, NV | RT, "x", BOOT),
			 EFI_INVALID_PARAMETER);
	/* Undefined attribute bits. */
	assert_int_equal(
		varstore_set(vs, u"V", &vendor, BS | 0x100, 1, data, BOOT),
		EFI_INVALID_PARAMETER);
	/* Authenticated variables and hardware error records. */
	assert_int_equal(
		set(vs, u"V", &vendor,
		    NV | BS | RT |
			    EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS,
		    "x", BOOT),
		EFI_UNSUPPORTED);
	assert_int_equal(set(vs, u"V", &vendor,
			     BS | EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS, "x",
			     BOOT),
			 EFI_UNSUPPORTED);
	assert_int_equal(set(vs, u"V", &vendor,
			     BS | EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS,
			     "x", BOOT),
			 EFI_UNSUPPORTED);
	assert_int_equal(set(vs, u"HwErrRec0001", &vendor,
			     NV | BS | RT | EFI_VARIABLE_HARDWARE_ERROR_RECORD,
			     "x", BOOT),
			 EFI_UNSUPPORTED);
	assert_int_equal(vs->used, 0);
}

static void test_delete(void **state)
{
	struct varstore *vs = store(state);

	/* Deleting what does not exist. */
	assert_int_equal(set(vs, u"A", &vendor, BS, NULL, BOOT), EFI_NOT_FOUND);
	assert_int_equal(set(vs, u"A", &vendor, 0, "x", BOOT), EFI_NOT_FOUND);

	assert_int_equal(set(vs, u"A", &vendor, BS, "aaa", BOOT), EFI_SUCCESS);
	assert_int_equal(set(vs, u"B", &vendor, BS | RT, "bbbb", BOOT),
			 EFI_SUCCESS);
	assert_int_equal(set(vs, u"C", &vendor, NV | BS, "c", BOOT),
			 EFI_SUCCESS);

	/* Size 0 with the same attributes deletes. */
	assert_int_equal(set(vs, u"A", &vendor, BS, NULL, BOOT), EFI_SUCCESS);
	assert_null(get(vs, u"A", &vendor, NULL, BOOT));
	/* Size 0 with other (non-zero) attributes is refused. */
	assert_int_equal(set(vs, u"B", &vendor, BS, NULL, BOOT),
			 EFI_INVALID_PARAMETER);
	assert_string_equal(get(vs, u"B", &vendor, NULL, BOOT), "bbbb");
	/* Attributes 0 delete whatever the size. */
	assert_int_equal(set(vs, u"B", &vendor, 0, "ignored", BOOT),
			 EFI_SUCCESS);
	assert_null(get(vs, u"B", &vendor, NULL, BOOT));
	/* No access attributes (NV alone) delete too, if they match... */
	assert_int_equal(set(vs, u"C", &vendor, NV, NULL, BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(set(vs, u"C", &vendor, 0, NULL, BOOT), EFI_SUCCESS);

	assert_int_equal(vs->used, 0);
	assert_clean_tail(vs);
}

/* Replacing data keeps the order of the other variables and their data. */
static void test_replace(void **state)
{
	struct varstore *vs = store(state);

	assert_int_equal(set(vs, u"A", &vendor, BS, "first", BOOT),
			 EFI_SUCCESS);
	assert_int_equal(set(vs, u"B", &vendor, BS, "middle", BOOT),
			 EFI_SUCCESS);
	assert_int_equal(set(vs, u"C", &vendor, BS, "last", BOOT), EFI_SUCCESS);

	assert_int_equal(set(vs, u"B", &vendor, BS,
			     "a much longer value than before", BOOT),
			 EFI_SUCCESS);
	assert_string_equal(get(vs, u"A", &vendor, NULL, BOOT), "first");
	assert_string_equal(get(vs, u"B", &vendor, NULL, BOOT),
			    "a much longer value than before");
	assert_string_equal(get(vs, u"C", &vendor, NULL, BOOT), "last");

	assert_int_equal(set(vs, u"B", &vendor, BS, "s", BOOT), EFI_SUCCESS);
	assert_string_equal(get(vs, u"B", &vendor, NULL, BOOT), "s");
	assert_string_equal(get(vs, u"C", &vendor, NULL, BOOT), "last");
	assert_clean_tail(vs);

	/* Other attributes: refused, data unchanged. */
	assert_int_equal(set(vs, u"B", &vendor, BS | RT, "new", BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(set(vs, u"B", &vendor, NV | BS, "new", BOOT),
			 EFI_INVALID_PARAMETER);
	assert_string_equal(get(vs, u"B", &vendor, NULL, BOOT), "s");
}

static void test_append(void **state)
{
	struct varstore *vs = store(state);
	UINT32 attr = 0;

	/* Appending to nothing creates the variable, without APPEND. */
	assert_int_equal(set(vs, u"Log", &vendor, BS | RT | APPEND, "ab", BOOT),
			 EFI_SUCCESS);
	assert_string_equal(get(vs, u"Log", &vendor, &attr, BOOT), "ab");
	assert_int_equal(attr, BS | RT);
	assert_int_equal(set(vs, u"Next", &vendor, BS, "n", BOOT), EFI_SUCCESS);

	assert_int_equal(
		set(vs, u"Log", &vendor, BS | RT | APPEND, "cdefghijkl", BOOT),
		EFI_SUCCESS);
	assert_string_equal(get(vs, u"Log", &vendor, NULL, BOOT),
			    "abcdefghijkl");
	assert_string_equal(get(vs, u"Next", &vendor, NULL, BOOT), "n");

	/* Appending nothing changes nothing (and deletes nothing). */
	assert_int_equal(set(vs, u"Log", &vendor, BS | RT | APPEND, NULL, BOOT),
			 EFI_SUCCESS);
	assert_string_equal(get(vs, u"Log", &vendor, NULL, BOOT),
			    "abcdefghijkl");
	assert_int_equal(set(vs, u"None", &vendor, BS | APPEND, NULL, BOOT),
			 EFI_NOT_FOUND);

	/* The other attributes must still match. */
	assert_int_equal(set(vs, u"Log", &vendor, BS | APPEND, "x", BOOT),
			 EFI_INVALID_PARAMETER);
	/* A plain write replaces the appended data. */
	assert_int_equal(set(vs, u"Log", &vendor, BS | RT, "z", BOOT),
			 EFI_SUCCESS);
	assert_string_equal(get(vs, u"Log", &vendor, NULL, BOOT), "z");
	assert_clean_tail(vs);
}

/* Walks the store with GetNextVariableName; returns the count. */
static int walk(struct varstore *vs, bool runtime, const char *expected[])
{
	CHAR16 name[64] = {0};
	EFI_GUID guid = {0};
	int n = 0;

	for (;;) {
		UINTN size = sizeof(name);
		EFI_STATUS status =
			varstore_get_next(vs, &size, name, &guid, runtime);
		char ascii[64];
		size_t i;

		if (status == EFI_NOT_FOUND)
			return n;
		assert_int_equal(status, EFI_SUCCESS);
		for (i = 0; name[i]; i++)
			ascii[i] = (char)name[i];
		ascii[i] = 0;
		assert_int_equal(size, (i + 1) * 2);
		assert_string_equal(ascii, expected[n]);
		assert_true(efi_guid_equal(&guid, &vendor));
		n++;
	}
}

static void test_get_next(void **state)
{
	struct varstore *vs = store(state);
	const char *all[] = {"One", "Two", "Three", "Four"};
	const char *runtime_only[] = {"Two", "Four"};
	CHAR16 name[8] = {0};
	EFI_GUID guid = vendor;
	UINTN size;

	/* Empty store: nothing after the start. */
	size = sizeof(name);
	assert_int_equal(varstore_get_next(vs, &size, name, &guid, BOOT),
			 EFI_NOT_FOUND);

	assert_int_equal(set(vs, u"One", &vendor, BS, "1", BOOT), EFI_SUCCESS);
	assert_int_equal(set(vs, u"Two", &vendor, NV | BS | RT, "2", BOOT),
			 EFI_SUCCESS);
	assert_int_equal(set(vs, u"Three", &vendor, BS, "3", BOOT),
			 EFI_SUCCESS);
	assert_int_equal(set(vs, u"Four", &vendor, BS | RT, "4", BOOT),
			 EFI_SUCCESS);
	assert_int_equal(walk(vs, BOOT, all), 4);
	/* After ExitBootServices only runtime variables are listed. */
	assert_int_equal(walk(vs, RUNTIME, runtime_only), 2);

	/* Too small a buffer: the size needed, in bytes with the NUL. */
	memset(name, 0, sizeof(name));
	size = 4;
	assert_int_equal(varstore_get_next(vs, &size, name, &guid, BOOT),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 8); /* "One" */

	/* A name that is not a variable, or not one at runtime. */
	memcpy(name, u"Nope", 10);
	size = sizeof(name);
	assert_int_equal(varstore_get_next(vs, &size, name, &guid, BOOT),
			 EFI_INVALID_PARAMETER);
	memcpy(name, u"One", 8);
	guid = global;
	assert_int_equal(varstore_get_next(vs, &size, name, &guid, BOOT),
			 EFI_INVALID_PARAMETER);
	guid = vendor;
	assert_int_equal(varstore_get_next(vs, &size, name, &guid, RUNTIME),
			 EFI_INVALID_PARAMETER);

	/* No NUL within VariableNameSize. */
	memcpy(name, u"One", 8);
	size = 6;
	assert_int_equal(varstore_get_next(vs, &size, name, &guid, BOOT),
			 EFI_INVALID_PARAMETER);
	size = 0;
	assert_int_equal(varstore_get_next(vs, &size, name, &guid, BOOT),
			 EFI_INVALID_PARAMETER);

	/* Null pointers. */
	size = sizeof(name);
	assert_int_equal(varstore_get_next(vs, NULL, name, &guid, BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(varstore_get_next(vs, &size, NULL, &guid, BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(varstore_get_next(vs, &size, name, NULL, BOOT),
			 EFI_INVALID_PARAMETER);

	/* The last one is followed by nothing. */
	memcpy(name, u"Four", 10);
	size = sizeof(name);
	assert_int_equal(varstore_get_next(vs, &size, name, &guid, BOOT),
			 EFI_NOT_FOUND);
}

/* UEFI 2.10 8.2: what ExitBootServices changes. */
static void test_runtime_rules(void **state)
{
	struct varstore *vs = store(state);

	assert_int_equal(set(vs, u"Boot", &vendor, BS, "b", BOOT), EFI_SUCCESS);
	assert_int_equal(set(vs, u"Vol", &vendor, BS | RT, "v", BOOT),
			 EFI_SUCCESS);
	assert_int_equal(set(vs, u"Nv", &vendor, NV | BS | RT, "n", BOOT),
			 EFI_SUCCESS);

	/* Boot-service-only variables are gone. */
	assert_null(get(vs, u"Boot", &vendor, NULL, RUNTIME));
	assert_int_equal(set(vs, u"Boot", &vendor, 0, NULL, RUNTIME),
			 EFI_NOT_FOUND);
	assert_int_equal(set(vs, u"Boot", &vendor, BS | RT | NV, "x", RUNTIME),
			 EFI_INVALID_PARAMETER);
	assert_string_equal(get(vs, u"Boot", &vendor, NULL, BOOT), "b");

	/* Volatile runtime variables are read-only. */
	assert_string_equal(get(vs, u"Vol", &vendor, NULL, RUNTIME), "v");
	assert_int_equal(set(vs, u"Vol", &vendor, BS | RT, "w", RUNTIME),
			 EFI_WRITE_PROTECTED);
	assert_int_equal(set(vs, u"Vol", &vendor, 0, NULL, RUNTIME),
			 EFI_WRITE_PROTECTED);
	assert_string_equal(get(vs, u"Vol", &vendor, NULL, RUNTIME), "v");

	/* Only NV + RT variables can be created... */
	assert_int_equal(set(vs, u"New", &vendor, BS | RT, "x", RUNTIME),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(set(vs, u"New", &vendor, NV | BS, "x", RUNTIME),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(set(vs, u"New", &vendor, NV | BS | RT, "x", RUNTIME),
			 EFI_SUCCESS);
	/* ...changed, appended to and deleted. */
	assert_int_equal(set(vs, u"Nv", &vendor, NV | BS | RT, "m", RUNTIME),
			 EFI_SUCCESS);
	assert_int_equal(
		set(vs, u"Nv", &vendor, NV | BS | RT | APPEND, "o", RUNTIME),
		EFI_SUCCESS);
	assert_string_equal(get(vs, u"Nv", &vendor, NULL, RUNTIME), "mo");
	assert_int_equal(set(vs, u"Nv", &vendor, NV | BS | RT, NULL, RUNTIME),
			 EFI_SUCCESS);
	assert_null(get(vs, u"Nv", &vendor, NULL, RUNTIME));
	assert_int_equal(set(vs, u"Absent", &vendor, 0, NULL, RUNTIME),
			 EFI_NOT_FOUND);
}

static void fill_until_full(struct varstore *vs, int *count)
{
	char data[300];
	CHAR16 name[] = u"Fill00";
	EFI_STATUS status;

	memset(data, 'd', sizeof(data) - 1);
	data[sizeof(data) - 1] = 0;
	for (*count = 0;; (*count)++) {
		name[4] = u'0' + *count / 10;
		name[5] = u'0' + *count % 10;
		status = set(vs, name, &vendor, NV | BS | RT, data, BOOT);
		if (status != EFI_SUCCESS)
			break;
	}
	assert_int_equal(status, EFI_OUT_OF_RESOURCES);
}

static void test_capacity(void **state)
{
	struct fixture *f = *state;
	struct varstore *vs = &f->vs, before;
	static uint8_t snapshot[ARENA_SIZE];
	static char huge[ARENA_SIZE];
	UINT64 max_storage, remaining, max_variable;
	int count;

	assert_int_equal(varstore_query(vs, NV | BS | RT, &max_storage,
					&remaining, &max_variable, BOOT),
			 EFI_SUCCESS);
	assert_int_equal(max_storage, ARENA_SIZE);
	assert_int_equal(remaining, ARENA_SIZE);
	assert_int_equal(max_variable, ARENA_SIZE - VARSTORE_RECORD_HEADER);

	/* Larger than the whole store: invalid, not merely out of room. */
	memset(huge, 'h', sizeof(huge) - 1);
	assert_int_equal(set(vs, u"Huge", &vendor, BS, huge, BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(
		varstore_set(vs, u"Huge", &vendor, BS, SIZE_MAX, huge, BOOT),
		EFI_INVALID_PARAMETER);

	fill_until_full(vs, &count);
	assert_true(count > 5);

	/* A failed set, append or replace changes nothing. */
	before = *vs;
	memcpy(snapshot, vs->base, vs->size);
	assert_int_equal(set(vs, u"Fill00", &vendor, NV | BS | RT | APPEND,
			     huge + ARENA_SIZE - 400, BOOT),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(set(vs, u"Fill00", &vendor, NV | BS | RT,
			     huge + ARENA_SIZE - 1000, BOOT),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(
		set(vs, u"Other", &vendor, BS, huge + ARENA_SIZE - 400, BOOT),
		EFI_OUT_OF_RESOURCES);
	assert_int_equal(vs->used, before.used);
	assert_memory_equal(snapshot, vs->base, vs->size);

	assert_int_equal(varstore_query(vs, BS, &max_storage, &remaining,
					&max_variable, BOOT),
			 EFI_SUCCESS);
	assert_int_equal(remaining, ARENA_SIZE - vs->used);

	/* Deleting gives the room back. */
	assert_int_equal(set(vs, u"Fill00", &vendor, 0, NULL, BOOT),
			 EFI_SUCCESS);
	assert_int_equal(
		set(vs, u"Fill00", &vendor, NV | BS | RT, "again", BOOT),
		EFI_SUCCESS);
	assert_clean_tail(vs);
}

static void test_query_validation(void **state)
{
	struct varstore *vs = store(state);
	UINT64 a, b, c;

	assert_int_equal(varstore_query(vs, BS, NULL, &b, &c, BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(varstore_query(vs, BS, &a, NULL, &c, BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(varstore_query(vs, BS, &a, &b, NULL, BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(varstore_query(vs, 0, &a, &b, &c, BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(varstore_query(vs, RT, &a, &b, &c, BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(varstore_query(vs, NV, &a, &b, &c, BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(varstore_query(vs, BS | 0x100, &a, &b, &c, BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(
		varstore_query(
			vs, NV | BS | RT | EFI_VARIABLE_HARDWARE_ERROR_RECORD,
			&a, &b, &c, BOOT),
		EFI_UNSUPPORTED);
	assert_int_equal(
		varstore_query(
			vs,
			NV | BS | RT |
				EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS,
			&a, &b, &c, BOOT),
		EFI_UNSUPPORTED);
	assert_int_equal(varstore_query(vs, BS | APPEND, &a, &b, &c, BOOT),
			 EFI_SUCCESS);

	/* At runtime: only runtime kinds, and volatile ones have no room. */
	assert_int_equal(varstore_query(vs, NV | BS, &a, &b, &c, RUNTIME),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(varstore_query(vs, BS | RT, &a, &b, &c, RUNTIME),
			 EFI_SUCCESS);
	assert_int_equal(a, ARENA_SIZE);
	assert_int_equal(b, 0);
	assert_int_equal(c, 0);
	assert_int_equal(varstore_query(vs, NV | BS | RT, &a, &b, &c, RUNTIME),
			 EFI_SUCCESS);
	assert_int_equal(b, ARENA_SIZE);
}

/* A misaligned or tiny arena is trimmed; an empty store refuses politely. */
static void test_init_edges(void **state)
{
	static _Alignas(8) uint8_t arena[64];
	struct varstore vs;
	UINT64 a, b, c;
	UINTN size = 4;
	char buf[4];

	(void)state;
	varstore_init(&vs, arena + 3, sizeof(arena) - 3);
	assert_int_equal((uintptr_t)vs.base % 8, 0);
	assert_int_equal(vs.size, 56);

	varstore_init(&vs, NULL, 0);
	assert_int_equal(vs.size, 0);
	assert_int_equal(set(&vs, u"V", &vendor, BS, "x", BOOT),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(
		varstore_get(&vs, u"V", &vendor, NULL, &size, buf, BOOT),
		EFI_NOT_FOUND);
	assert_int_equal(varstore_query(&vs, BS, &a, &b, &c, BOOT),
			 EFI_SUCCESS);
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
	assert_int_equal(c, 0);
}

/* Records hold binary data and odd sizes without disturbing neighbours. */
static void test_binary_data(void **state)
{
	struct varstore *vs = store(state);
	uint8_t data[37], out[64];
	UINTN size;
	size_t i, len;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 37);
	for (len = 1; len <= sizeof(data); len++) {
		assert_int_equal(
			varstore_set(vs, u"Bin", &vendor, BS, len, data, BOOT),
			EFI_SUCCESS);
		assert_int_equal(set(vs, u"After", &vendor, BS, "tail", BOOT),
				 EFI_SUCCESS);
		size = sizeof(out);
		assert_int_equal(varstore_get(vs, u"Bin", &vendor, NULL, &size,
					      out, BOOT),
				 EFI_SUCCESS);
		assert_int_equal(size, len);
		assert_memory_equal(out, data, len);
		assert_string_equal(get(vs, u"After", &vendor, NULL, BOOT),
				    "tail");
		assert_int_equal(vs->used % 8, 0);
		assert_clean_tail(vs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_set_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_argument_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_next, setup, teardown),
		cmocka_unit_test_setup_teardown(test_runtime_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_capacity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_validation, setup,
						teardown),
		cmocka_unit_test(test_init_edges),
		cmocka_unit_test_setup_teardown(test_binary_data, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
