// SPDX-License-Identifier: MIT
/* UCS-2 helpers: lengths, comparison, conversions, bad input, truncation. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <mmuon/ucs2.h>

#define NOLIMIT ((size_t)-1)

/* Compare a UCS-2 result with the code units of an ASCII-only string. */
static void assert_u16_ascii(const uint16_t *got, const char *want)
{
	size_t i;

	for (i = 0; want[i]; i++)
		assert_int_equal(got[i], (uint8_t)want[i]);
	assert_int_equal(got[i], 0);
}

static void test_strlen_strcmp(void **state)
{
	static const uint16_t a[] = {'a', 'b', 'c', 0};
	static const uint16_t ab[] = {'a', 'b', 0};
	static const uint16_t hi[] = {'a', 0xe9, 0};
	static const uint16_t empty[] = {0};
	static const uint16_t unterminated[] = {'x', 'y', 'z'};

	(void)state;
	assert_int_equal(strlen16(a), 3);
	assert_int_equal(strlen16(empty), 0);
	assert_int_equal(strnlen16(a, 2), 2);
	assert_int_equal(strnlen16(a, 10), 3);
	assert_int_equal(strnlen16(unterminated, 3), 3);
	assert_int_equal(strnlen16(a, 0), 0);
	assert_int_equal(strcmp16(a, a), 0);
	assert_true(strcmp16(ab, a) < 0);
	assert_true(strcmp16(a, ab) > 0);
	assert_true(strcmp16(empty, a) < 0);
	/* Code units compare unsigned: 0xe9 sorts after 'b'. */
	assert_true(strcmp16(hi, ab) > 0);
}

static void test_ascii_to_ucs2(void **state)
{
	uint16_t out[64];
	const char *cmd = "console=ttyAMA0 root=/dev/vda1 quiet";

	(void)state;
	assert_int_equal(utf8_to_ucs2(out, 64, cmd, NOLIMIT), strlen(cmd));
	assert_u16_ascii(out, cmd);
	assert_int_equal(strlen16(out), strlen(cmd));
	/* src_len bounds an unterminated input. */
	assert_int_equal(utf8_to_ucs2(out, 64, cmd, 7), 7);
	assert_u16_ascii(out, "console");
	assert_int_equal(utf8_to_ucs2(out, 64, "", NOLIMIT), 0);
	assert_int_equal(out[0], 0);
	/* Measuring: (NULL, 0). */
	assert_int_equal(utf8_to_ucs2(NULL, 0, cmd, NOLIMIT), strlen(cmd));
}

static void test_utf8_to_ucs2(void **state)
{
	uint16_t out[16];

	(void)state;
	/* é (2 bytes), € (3 bytes), U+FFFD (3 bytes, top of the BMP). */
	assert_int_equal(utf8_to_ucs2(out, 16,
				      "\xc3\xa9\xe2\x82\xac\xef\xbf"
				      "\xbd\xef\xbf\xbf",
				      NOLIMIT),
			 4);
	assert_int_equal(out[0], 0xe9);
	assert_int_equal(out[1], 0x20ac);
	assert_int_equal(out[2], 0xfffd);
	assert_int_equal(out[3], 0xffff);
	assert_int_equal(out[4], 0);
	/* U+0080 and U+07FF, U+0800: the edges of the 2- and 3-byte forms. */
	assert_int_equal(
		utf8_to_ucs2(out, 16, "\xc2\x80\xdf\xbf\xe0\xa0\x80", NOLIMIT),
		3);
	assert_int_equal(out[0], 0x80);
	assert_int_equal(out[1], 0x7ff);
	assert_int_equal(out[2], 0x800);
}

/* Non-BMP and ill-formed input: one '?' per maximal ill-formed subpart. */
static void test_utf8_invalid(void **state)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{"a\xf0\x9f\x98\x80z", "a?z"}, /* U+1F600: not in UCS-2 */
		{"\xf4\x8f\xbf\xbf", "?"},     /* U+10FFFF */
		{"\xf4\x90\x80\x80", "????"},  /* above U+10FFFF */
		{"\xe2\x82"
		 "A",
		 "?A"},				   /* cut short */
		{"\xe2\x82", "?"},		   /* cut by the end */
		{"\x80\xbf", "??"},		   /* stray continuations */
		{"\xc0\xaf", "??"},		   /* overlong '/' */
		{"\xe0\x80\xaf", "???"},	   /* overlong, 3 bytes */
		{"\xf0\x80\x80\xaf", "????"},	   /* overlong, 4 bytes */
		{"\xed\xa0\x80", "???"},	   /* surrogate U+D800 */
		{"\xed\x9f\xbf", "\x01"},	   /* U+D7FF is fine */
		{"\xf5\xfe\xff", "???"},	   /* never valid bytes */
		{"\xc3", "?"},			   /* lead byte at the end */
		{"\xe2\x82\xe2\x82\xac", "?\x02"}, /* broken, then € */
	};
	uint16_t out[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *want = cases[i].out;
		size_t n = utf8_to_ucs2(out, 16, cases[i].in, NOLIMIT);

		assert_int_equal(n, strlen(want));
		for (size_t k = 0; k < n; k++) {
			uint16_t w = (uint8_t)want[k];

			if (w == 1)
				w = 0xd7ff;
			if (w == 2)
				w = 0x20ac;
			assert_int_equal(out[k], w);
		}
		assert_int_equal(out[n], 0);
	}
}

/* A sequence cut by src_len is ill-formed, not read past the limit. */
static void test_utf8_src_len(void **state)
{
	uint16_t out[8];
	char *in = malloc(2);

	(void)state;
	in[0] = (char)0xe2;
	in[1] = (char)0x82;
	assert_int_equal(utf8_to_ucs2(out, 8, in, 2), 1);
	assert_int_equal(out[0], '?');
	/* A NUL ends the input even inside a sequence. */
	assert_int_equal(utf8_to_ucs2(out, 8, "\xe2\0\x82", 3), 1);
	free(in);
}

static void test_utf8_truncation(void **state)
{
	uint16_t out[4];

	(void)state;
	memset(out, 0xff, sizeof(out));
	assert_int_equal(utf8_to_ucs2(out, 4, "abcdef", NOLIMIT), 6);
	assert_u16_ascii(out, "abc");
	assert_int_equal(utf8_to_ucs2(out, 1, "abcdef", NOLIMIT), 6);
	assert_int_equal(out[0], 0);
	/* Exactly fitting is not truncated: result < size. */
	assert_int_equal(utf8_to_ucs2(out, 4, "abc", NOLIMIT), 3);
	assert_u16_ascii(out, "abc");
	out[0] = 'z';
	assert_int_equal(utf8_to_ucs2(out, 0, "abc", NOLIMIT), 3);
	assert_int_equal(out[0], 'z');
}

static void test_ucs2_to_utf8(void **state)
{
	static const uint16_t s[] = {'L', 0xe9, 0x20ac, 0xffff, 0};
	static const uint16_t sur[] = {0xd83d, 0xde00, '!', 0};
	char out[32];
	char c[3];

	(void)state;
	assert_int_equal(ucs2_to_utf8(out, sizeof(out), s, NOLIMIT), 9);
	assert_string_equal(out, "L\xc3\xa9\xe2\x82\xac\xef\xbf\xbf");
	/* UTF-16 pairs are not UCS-2: each half becomes '?'. */
	assert_int_equal(ucs2_to_utf8(out, sizeof(out), sur, NOLIMIT), 3);
	assert_string_equal(out, "?"
				 "?!");
	assert_int_equal(ucs2_to_utf8(out, sizeof(out), s, 2), 3);
	assert_string_equal(out, "L\xc3\xa9");
	assert_int_equal(ucs2_to_utf8(NULL, 0, s, NOLIMIT), 9);

	assert_int_equal(ucs2_char_to_utf8('A', c), 1);
	assert_int_equal(c[0], 'A');
	assert_int_equal(ucs2_char_to_utf8(0x7ff, c), 2);
	assert_memory_equal(c, "\xdf\xbf", 2);
	assert_int_equal(ucs2_char_to_utf8(0x800, c), 3);
	assert_memory_equal(c, "\xe0\xa0\x80", 3);
	assert_int_equal(ucs2_char_to_utf8(0xdfff, c), 1);
	assert_int_equal(c[0], '?');
}

/* Output is never cut inside a character, and nothing is skipped. */
static void test_ucs2_to_utf8_truncation(void **state)
{
	static const uint16_t s[] = {'a', 0x20ac, 'b', 0};
	char out[8];

	(void)state;
	memset(out, 'x', sizeof(out));
	assert_int_equal(ucs2_to_utf8(out, 4, s, NOLIMIT), 5);
	assert_string_equal(out, "a"); /* € needs 3 + NUL: does not fit */
	assert_int_equal(ucs2_to_utf8(out, 5, s, NOLIMIT), 5);
	assert_string_equal(out, "a\xe2\x82\xac");
	assert_int_equal(ucs2_to_utf8(out, 6, s, NOLIMIT), 5);
	assert_string_equal(out, "a\xe2\x82\xac"
				 "b");
	assert_int_equal(ucs2_to_utf8(out, 1, s, NOLIMIT), 5);
	assert_string_equal(out, "");
	out[0] = 'x';
	assert_int_equal(ucs2_to_utf8(out, 0, s, NOLIMIT), 5);
	assert_int_equal(out[0], 'x');
}

static void test_ucs2_to_ascii(void **state)
{
	static const uint16_t s[] = {'o', 'k', 0xe9, 0x20ac, 0xd800, '.', 0};
	char out[8];

	(void)state;
	assert_int_equal(ucs2_to_ascii(out, sizeof(out), s, NOLIMIT), 6);
	assert_string_equal(out, "ok???.");
	assert_int_equal(ucs2_to_ascii(out, 3, s, NOLIMIT), 6);
	assert_string_equal(out, "ok");
}

/* UTF-8 -> UCS-2 -> UTF-8 is the identity on BMP text. */
static void test_round_trip(void **state)
{
	const char *s = "root=/dev/vda1 init=/sbin/init \xc3\xa9t\xc3\xa9 "
			"\xe2\x82\xac \xe4\xb8\xad";
	uint16_t mid[64];
	char back[64];

	(void)state;
	utf8_to_ucs2(mid, 64, s, NOLIMIT);
	assert_int_equal(ucs2_to_utf8(back, sizeof(back), mid, NOLIMIT),
			 strlen(s));
	assert_string_equal(back, s);
}

/* Random bytes: bounded output, never an overrun (ASan), always ended. */
static void test_random(void **state)
{
	uint16_t out16[80];
	char out8[240];
	char in[64];

	(void)state;
	srand(4);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)rand() % sizeof(in);
		size_t cap = 1 + (size_t)rand() % 80, n;

		for (size_t i = 0; i < len; i++)
			in[i] = (char)(rand() | 1);
		n = utf8_to_ucs2(out16, cap, in, len);
		assert_true(n <= len);
		assert_int_equal(strlen16(out16), n < cap ? n : cap - 1);
		n = ucs2_to_utf8(out8, cap * 3, out16, NOLIMIT);
		if (n < cap * 3)
			assert_int_equal(strlen(out8), n);
		else
			assert_true(strlen(out8) < cap * 3);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strlen_strcmp),
		cmocka_unit_test(test_ascii_to_ucs2),
		cmocka_unit_test(test_utf8_to_ucs2),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_utf8_src_len),
		cmocka_unit_test(test_utf8_truncation),
		cmocka_unit_test(test_ucs2_to_utf8),
		cmocka_unit_test(test_ucs2_to_utf8_truncation),
		cmocka_unit_test(test_ucs2_to_ascii),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
