// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/arch/esr.c: every exception class it names, the fault
 * status codes of instruction and data aborts (per level and not), read and
 * write, cache maintenance, unknown classes, and short buffers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mmuon/esr.h>

#define ESR_IL (1ull << 25)
#define WNR (1u << 6)
#define CM (1u << 8)

static uint64_t esr(unsigned ec, uint32_t iss)
{
	return (uint64_t)ec << 26 | ESR_IL | iss;
}

#define CHECK(expected, value)                                                 \
	do {                                                                   \
		char buf_[128];                                                \
                                                                               \
		memset(buf_, 'X', sizeof(buf_));                               \
		esr_describe(value, buf_, sizeof(buf_));                       \
		assert_string_equal(buf_, expected);                           \
	} while (0)

static void test_classes(void **state)
{
	static const struct {
		unsigned ec;
		const char *text;
	} classes[] = {
		{0x00, "unknown reason (undefined instruction)"},
		{0x01, "trapped WFI/WFE"},
		{0x07, "trapped FP/SIMD access"},
		{0x0e, "illegal execution state"},
		{0x15, "SVC"},
		{0x16, "HVC"},
		{0x17, "SMC"},
		{0x18, "trapped system register access"},
		{0x19, "trapped SVE access"},
		{0x22, "PC alignment fault"},
		{0x26, "SP alignment fault"},
		{0x2c, "floating-point exception"},
		{0x2f, "SError"},
		{0x30, "breakpoint from a lower EL"},
		{0x31, "breakpoint"},
		{0x32, "software step from a lower EL"},
		{0x33, "software step"},
		{0x34, "watchpoint from a lower EL"},
		{0x35, "watchpoint"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		/* The ISS does not matter for these classes. */
		CHECK(classes[i].text, esr(classes[i].ec, 0));
		CHECK(classes[i].text, esr(classes[i].ec, 0x1ffffff));
		CHECK(classes[i].text, esr(classes[i].ec, WNR | 0x07));
	}
}

static void test_brk(void **state)
{
	(void)state;
	CHECK("BRK instruction (#0x0)", esr(0x3c, 0));
	CHECK("BRK instruction (#0x3e8)", esr(0x3c, 1000));
	CHECK("BRK instruction (#0xf000)", esr(0x3c, 0xf000));
	CHECK("BRK instruction (#0xffff)", esr(0x3c, 0xffff));
	/* Only ISS[15:0] is the immediate. */
	CHECK("BRK instruction (#0x1234)", esr(0x3c, 0x1ff1234));
}

static void test_unknown_classes(void **state)
{
	static const unsigned unknown[] = {
		0x02, 0x03, 0x04, 0x05, 0x06, 0x08, 0x0c, 0x0d,
		0x11, 0x12, 0x13, 0x1a, 0x1c, 0x23, 0x27, 0x28,
		0x2d, 0x38, 0x3a, 0x3d, 0x3e, 0x3f,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		char expected[32];

		snprintf(expected, sizeof(expected), "exception class 0x%x",
			 unknown[i]);
		CHECK(expected, esr(unknown[i], 0));
		CHECK(expected, esr(unknown[i], 0x25));
	}
}

static void test_level_faults(void **state)
{
	static const char *const kinds[] = {
		"address size fault",
		"translation fault",
		"access flag fault",
		"permission fault",
	};
	static const struct {
		unsigned ec;
		const char *what;
		bool access; /* data abort: ", read" / ", write" */
	} aborts[] = {
		{0x20, "instruction abort from a lower EL", false},
		{0x21, "instruction abort", false},
		{0x24, "data abort from a lower EL", true},
		{0x25, "data abort", true},
	};
	unsigned kind, level;
	size_t a;

	(void)state;
	for (a = 0; a < sizeof(aborts) / sizeof(aborts[0]); a++) {
		for (kind = 0; kind < 4; kind++) {
			for (level = 0; level < 4; level++) {
				unsigned fsc = kind << 2 | level;
				char exp[128];

				snprintf(exp, sizeof(exp), "%s, %s level %u%s",
					 aborts[a].what, kinds[kind], level,
					 aborts[a].access ? ", read" : "");
				CHECK(exp, esr(aborts[a].ec, fsc));
				snprintf(exp, sizeof(exp), "%s, %s level %u%s",
					 aborts[a].what, kinds[kind], level,
					 aborts[a].access ? ", write" : "");
				CHECK(exp, esr(aborts[a].ec, fsc | WNR));
			}
		}
	}
}

static void test_examples(void **state)
{
	(void)state;
	/* The header's example. */
	CHECK("data abort, translation fault level 3, write",
	      esr(0x25, WNR | 0x07));
	CHECK("data abort, permission fault level 3, write",
	      esr(0x25, WNR | 0x0f));
	CHECK("instruction abort, permission fault level 2", esr(0x21, 0x0e));
	CHECK("data abort, access flag fault level 1, read", esr(0x25, 0x09));
	CHECK("data abort from a lower EL, address size fault level 0, read",
	      esr(0x24, 0x00));
	/* A real ESR_EL1 from a NULL write at EL1: 0x96000046. */
	CHECK("data abort, translation fault level 2, write", 0x96000046);
	/* A real one from a read of unmapped memory: 0x96000007. */
	CHECK("data abort, translation fault level 3, read", 0x96000007);
	/* An instruction fetch from a non-executable page: 0x8600000f. */
	CHECK("instruction abort, permission fault level 3", 0x8600000f);
	/* BRK #0x800 (a compiler's __builtin_trap on arm64): 0xf2000800. */
	CHECK("BRK instruction (#0x800)", 0xf2000800);
	/* SVC #0 from AArch64: 0x56000000. */
	CHECK("SVC", 0x56000000);
}

static void test_other_faults(void **state)
{
	static const struct {
		unsigned fsc;
		const char *text;
	} faults[] = {
		{0x10, "synchronous external abort"},
		{0x11, "synchronous tag check fault"},
		{0x18, "synchronous parity/ECC error"},
		{0x21, "alignment fault"},
		{0x30, "TLB conflict abort"},
		{0x31, "unsupported atomic hardware update"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		char exp[128];

		snprintf(exp, sizeof(exp), "data abort, %s, read",
			 faults[i].text);
		CHECK(exp, esr(0x25, faults[i].fsc));
		snprintf(exp, sizeof(exp), "data abort, %s, write",
			 faults[i].text);
		CHECK(exp, esr(0x25, faults[i].fsc | WNR));
		snprintf(exp, sizeof(exp), "instruction abort, %s",
			 faults[i].text);
		CHECK(exp, esr(0x21, faults[i].fsc));
		snprintf(exp, sizeof(exp),
			 "instruction abort from a lower EL, %s",
			 faults[i].text);
		CHECK(exp, esr(0x20, faults[i].fsc | WNR));
	}
}

static void test_unnamed_fault_status(void **state)
{
	/* Codes the decoder does not name: shown as a number. */
	static const unsigned fsc[] = {0x12, 0x13, 0x14, 0x15, 0x17, 0x1c, 0x1f,
				       0x22, 0x29, 0x2b, 0x34, 0x35, 0x3f};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fsc) / sizeof(fsc[0]); i++) {
		char exp[128];

		snprintf(exp, sizeof(exp),
			 "data abort, fault status 0x%x, read", fsc[i]);
		CHECK(exp, esr(0x25, fsc[i]));
		snprintf(exp, sizeof(exp),
			 "instruction abort, fault status 0x%x", fsc[i]);
		CHECK(exp, esr(0x21, fsc[i]));
	}
}

static void test_cache_maintenance(void **state)
{
	(void)state;
	/* CM: a cache maintenance instruction faulted (WnR then reads 1). */
	CHECK("data abort, translation fault level 3, cache maintenance write",
	      esr(0x25, CM | WNR | 0x07));
	CHECK("data abort, permission fault level 2, cache maintenance read",
	      esr(0x25, CM | 0x0e));
	CHECK("data abort from a lower EL, alignment fault, cache maintenance "
	      "write",
	      esr(0x24, CM | WNR | 0x21));
	/* Instruction aborts have no CM or WnR: the bits are ignored. */
	CHECK("instruction abort, translation fault level 1",
	      esr(0x21, CM | WNR | 0x05));
}

static void test_other_iss_bits_ignored(void **state)
{
	(void)state;
	/* ISV, SAS, SRT, FnV, EA, S1PTW... do not change the text. */
	CHECK("data abort, translation fault level 3, write",
	      esr(0x25,
		  0x1ff0000 | (1u << 10) | (1u << 9) | (1u << 7) | WNR | 0x07));
	/* Neither do IL and ISS2 (ESR_ELx[63:32]). */
	CHECK("data abort, translation fault level 3, write",
	      (0x25ull << 26) | (0xffffffffull << 32) | WNR | 0x07);
	CHECK("SError", (0x2full << 26) | (1ull << 40));
	CHECK("exception class 0x3f", ~0ull);
}

static void test_short_buffer(void **state)
{
	char buf[16];

	(void)state;
	/* Truncated, still NUL-terminated, nothing written past size. */
	memset(buf, 'X', sizeof(buf));
	esr_describe(esr(0x25, WNR | 0x07), buf, 8);
	assert_string_equal(buf, "data ab");
	assert_int_equal(buf[8], 'X');

	memset(buf, 'X', sizeof(buf));
	esr_describe(esr(0x3f, 0), buf, 5);
	assert_string_equal(buf, "exce");
	assert_int_equal(buf[5], 'X');

	memset(buf, 'X', sizeof(buf));
	esr_describe(esr(0x15, 0), buf, 1);
	assert_string_equal(buf, "");
	assert_int_equal(buf[1], 'X');

	/* Size 0: nothing at all is written. */
	memset(buf, 'X', sizeof(buf));
	esr_describe(esr(0x25, WNR | 0x07), buf, 0);
	assert_int_equal(buf[0], 'X');
}

static void test_every_buffer_size(void **state)
{
	/*
	 * Each size up to one past the full text, in a heap buffer of exactly
	 * that size so ASan catches any access past it; the result is always
	 * the longest prefix that fits.
	 */
	static const uint64_t values[] = {
		(0x25ull << 26) | CM | WNR | 0x07,
		(0x24ull << 26) | 0x21,
		(0x21ull << 26) | 0x0f,
		(0x25ull << 26) | 0x3f,
		(0x3cull << 26) | 0x1234,
		(0x15ull << 26),
		(0x3eull << 26),
	};
	size_t v, size;

	(void)state;
	for (v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		char full[128];
		size_t len;

		esr_describe(values[v], full, sizeof(full));
		len = strlen(full);
		assert_true(len > 0 && len < sizeof(full) - 1);
		for (size = 1; size <= len + 1; size++) {
			char *buf = malloc(size);

			assert_non_null(buf);
			memset(buf, 'X', size);
			esr_describe(values[v], buf, size);
			assert_int_equal(strlen(buf), size - 1);
			assert_memory_equal(buf, full, size - 1);
			free(buf);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_brk),
		cmocka_unit_test(test_unknown_classes),
		cmocka_unit_test(test_level_faults),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_other_faults),
		cmocka_unit_test(test_unnamed_fault_status),
		cmocka_unit_test(test_cache_maintenance),
		cmocka_unit_test(test_other_iss_bits_ignored),
		cmocka_unit_test(test_short_buffer),
		cmocka_unit_test(test_every_buffer_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
