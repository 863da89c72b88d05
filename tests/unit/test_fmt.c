// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/lib/fmt.c: every conversion, the flags, width and
 * precision, the length modifiers, 64-bit extremes, and the truncation
 * semantics of fmt_snprintf.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mmuon/fmt.h>

/*
 * fmt_vsnprintf through a wrapper without the printf format attribute, so
 * that the compiler accepts what the C library would reject or warn about
 * (flags on %p, unknown conversions, a lone '%') and the tests can feed
 * them in.
 */
static size_t fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = fmt_vsnprintf(buf, size, f, ap);
	va_end(ap);
	return n;
}

/* Formats into a large buffer; checks the text and the returned length. */
#define CHECK(expected, ...)                                                   \
	do {                                                                   \
		char buf_[256];                                                \
		size_t n_;                                                     \
                                                                               \
		memset(buf_, 'X', sizeof(buf_));                               \
		n_ = fmt(buf_, sizeof(buf_), __VA_ARGS__);                     \
		assert_string_equal(buf_, expected);                           \
		assert_int_equal(n_, strlen(expected));                        \
	} while (0)

/*
 * A behaviour that differs from what the header promises (or from C's
 * printf, where the header says nothing else): reported, not yet fixed.
 * The test is skipped until the code is; remove the call to check it.
 */

static void test_plain_text(void **state)
{
	(void)state;
	CHECK("", "");
	CHECK("hello, world", "hello, world");
	CHECK("100%", "100%%");
	CHECK("%%", "%%%%");
	CHECK("a%b", "a%%b");
	CHECK("tab\there\n", "tab\there\n");
}

static void test_char(void **state)
{
	(void)state;
	CHECK("x", "%c", 'x');
	CHECK("[a][b]", "[%c][%c]", 'a', 'b');
	CHECK("\xff", "%c", 0xff);
	CHECK("%", "%c", '%');
	/* An int argument is truncated to a char. */
	CHECK("A", "%c", 0x141);
}

static void test_char_nul(void **state)
{
	char buf[8];
	size_t n;

	(void)state;
	/* A NUL from %c is produced and counted like any other character. */
	memset(buf, 'X', sizeof(buf));
	n = fmt(buf, sizeof(buf), "a%cb", 0);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "a\0b\0", 4);
}

static void test_char_width(void **state)
{
	(void)state;
	CHECK("  x", "%3c", 'x');
	CHECK("x  |", "%-3c|", 'x');
}

static void test_string(void **state)
{
	(void)state;
	CHECK("abc", "%s", "abc");
	CHECK("", "%s", "");
	CHECK("(null)", "%s", (const char *)NULL);
	CHECK("a-b-c", "%s-%s-%s", "a", "b", "c");
	/* Width: pad on the left, or on the right with '-'. */
	CHECK("  abc", "%5s", "abc");
	CHECK("abc  |", "%-5s|", "abc");
	CHECK("abcdef", "%3s", "abcdef");
	CHECK("     ", "%5s", "");
	CHECK("   (null)", "%9s", (const char *)NULL);
	/* '0' does not zero-pad strings. */
	CHECK("  abc", "%05s", "abc");
	/* '-' wins over '0'. */
	CHECK("abc  |", "%-05s|", "abc");
	CHECK("abc  |", "%0-5s|", "abc");
	/* Width from an argument. */
	CHECK("   ab", "%*s", 5, "ab");
	CHECK("ab   |", "%-*s|", 5, "ab");
	CHECK("ab", "%*s", 0, "ab");
	/* A long width. */
	CHECK("                                                  z", "%51s",
	      "z");
}

static void test_string_precision(void **state)
{
	(void)state;
	CHECK("ab", "%.2s", "abcdef");
	CHECK("", "%.0s", "abcdef");
	CHECK("", "%.s", "abcdef");
	CHECK("abc", "%.10s", "abc");
	CHECK("abc", "%.3s", "abc");
	CHECK("(nu", "%.3s", (const char *)NULL);
	/* Precision from an argument; a negative one means no limit. */
	CHECK("abc", "%.*s", 3, "abcdef");
	CHECK("", "%.*s", 0, "abcdef");
	CHECK("abcdef", "%.*s", -1, "abcdef");
	CHECK("abcdef", "%.*s", -100, "abcdef");
	/* Width and precision together. */
	CHECK("   ab", "%5.2s", "abcdef");
	CHECK("ab   |", "%-5.2s|", "abcdef");
	CHECK("   ab", "%*.*s", 5, 2, "abcdef");
	CHECK("ab   |", "%-*.*s|", 5, 2, "abcdef");
	/* The precision counts characters printed, not bytes of the array. */
	CHECK("abcdefghij", "%.10s", "abcdefghijklmnop");
}

static void test_string_precision_unterminated(void **state)
{
	/*
	 * With a precision, %s may be given an array without a NUL as long
	 * as the precision does not exceed it (C11 7.21.6.1p8): the firmware
	 * prints length-delimited strings this way ("%.*s"). Under ASan any
	 * read of arr[3] or arr[4] fails the test.
	 */
	char *arr = malloc(3);

	(void)state;
	memcpy(arr, "xyz", 3);
	CHECK("xyz", "%.3s", arr);
	CHECK("xy", "%.*s", 2, arr);
	CHECK("  xyz", "%5.3s", arr);
	CHECK("", "%.0s", arr);
	free(arr);
}

static void test_signed(void **state)
{
	(void)state;
	CHECK("0", "%d", 0);
	CHECK("1", "%d", 1);
	CHECK("-1", "%d", -1);
	CHECK("42", "%i", 42);
	CHECK("-42", "%i", -42);
	CHECK("1234567890", "%d", 1234567890);
	CHECK("2147483647", "%d", INT_MAX);
	CHECK("-2147483648", "%d", INT_MIN);
	CHECK("-2147483648", "%i", INT_MIN);
	CHECK("1 -2 3", "%d %d %d", 1, -2, 3);
}

static void test_signed_width(void **state)
{
	(void)state;
	CHECK("   42", "%5d", 42);
	CHECK("  -42", "%5d", -42);
	CHECK("42   |", "%-5d|", 42);
	CHECK("-42  |", "%-5d|", -42);
	CHECK("00042", "%05d", 42);
	/* The sign goes before the zeros. */
	CHECK("-0042", "%05d", -42);
	CHECK("-2147483648", "%05d", INT_MIN);
	CHECK("00000", "%05d", 0);
	/* '-' wins over '0': pad with spaces on the right. */
	CHECK("-42  |", "%-05d|", -42);
	CHECK("7    |", "%0-5d|", 7);
	/* A width smaller than the number. */
	CHECK("123456", "%3d", 123456);
	CHECK("-123456", "%3d", -123456);
	CHECK("-1", "%1d", -1);
	CHECK("-1", "%2d", -1);
	CHECK(" -1", "%3d", -1);
	/* Width from an argument. */
	CHECK("   42", "%*d", 5, 42);
	CHECK("00042", "%0*d", 5, 42);
	CHECK("42   |", "%-*d|", 5, 42);
	/* Repeated flags. */
	CHECK("00042", "%0005d", 42);
	CHECK("42   |", "%--5d|", 42);
}

static void test_negative_star_width(void **state)
{
	(void)state;
	CHECK("42   |", "%*d|", -5, 42);
	CHECK("ab   |", "%*s|", -5, "ab");
}

static void test_unsigned(void **state)
{
	(void)state;
	CHECK("0", "%u", 0u);
	CHECK("42", "%u", 42u);
	CHECK("4294967295", "%u", UINT_MAX);
	CHECK("4294967295", "%u", -1);
	CHECK("2147483648", "%u", (unsigned)INT_MAX + 1);
	CHECK("   42", "%5u", 42u);
	CHECK("00042", "%05u", 42u);
	CHECK("42   |", "%-5u|", 42u);
	CHECK("7 |12", "%-2u|%-2u", 7u, 12u);
}

static void test_hex(void **state)
{
	(void)state;
	CHECK("0", "%x", 0u);
	CHECK("0", "%X", 0u);
	CHECK("ff", "%x", 255u);
	CHECK("FF", "%X", 255u);
	CHECK("deadbeef", "%x", 0xdeadbeefu);
	CHECK("DEADBEEF", "%X", 0xdeadbeefu);
	CHECK("ffffffff", "%x", UINT_MAX);
	CHECK("ffffffff", "%x", -1);
	CHECK("0123456789abcdef", "%08x%08x", 0x01234567u, 0x89abcdefu);
	CHECK("123456789ABCDEF", "%X%X", 0x01234567u, 0x89abcdefu);
	CHECK("000000ff", "%08x", 0xffu);
	CHECK("      ff", "%8x", 0xffu);
	CHECK("ff      |", "%-8x|", 0xffu);
	CHECK("ff      |", "%-08x|", 0xffu);
	CHECK("00000000", "%08x", 0u);
	CHECK("deadbeef", "%4x", 0xdeadbeefu);
}

static void test_long(void **state)
{
	(void)state;
	CHECK("9223372036854775807", "%ld", LONG_MAX);
	CHECK("-9223372036854775808", "%ld", LONG_MIN);
	CHECK("-1", "%ld", -1L);
	CHECK("18446744073709551615", "%lu", ULONG_MAX);
	CHECK("ffffffffffffffff", "%lx", ULONG_MAX);
	CHECK("FFFFFFFFFFFFFFFF", "%lX", ULONG_MAX);
	CHECK("100000000", "%lx", 1UL << 32);
	CHECK("-9223372036854775808", "%li", LONG_MIN);
}

static void test_long_long(void **state)
{
	(void)state;
	CHECK("9223372036854775807", "%lld", LLONG_MAX);
	CHECK("-9223372036854775808", "%lld", LLONG_MIN);
	CHECK("-9223372036854775807", "%lld", LLONG_MIN + 1);
	CHECK("-9223372036854775808", "%lli", LLONG_MIN);
	CHECK("18446744073709551615", "%llu", ULLONG_MAX);
	CHECK("0", "%llu", 0ULL);
	CHECK("ffffffffffffffff", "%llx", ULLONG_MAX);
	CHECK("FFFFFFFFFFFFFFFF", "%llX", ULLONG_MAX);
	CHECK("8000000000000000", "%llx", 1ULL << 63);
	CHECK("0000000040000000", "%016llx", 0x40000000ULL);
	CHECK("0140000000", "%010llx", 0x140000000ULL);
	CHECK("-0000000000000000001", "%020lld", -1LL);
	CHECK("   18446744073709551615", "%23llu", ULLONG_MAX);
	CHECK("18446744073709551615   |", "%-23llu|", ULLONG_MAX);
	CHECK("-9223372036854775808   |", "%-23lld|", LLONG_MIN);
	CHECK("-09223372036854775808", "%021lld", LLONG_MIN);
}

static void test_size_t(void **state)
{
	(void)state;
	CHECK("18446744073709551615", "%zu", SIZE_MAX);
	CHECK("ffffffffffffffff", "%zx", SIZE_MAX);
	CHECK("4096", "%zu", (size_t)4096);
	CHECK("-1", "%zd", (ptrdiff_t)-1);
	CHECK("  4096", "%6zu", (size_t)4096);
}

static void test_short(void **state)
{
	(void)state;
	/* Arguments already of the named type (what callers pass). */
	CHECK("65535", "%hu", (unsigned short)65535);
	CHECK("-1", "%hd", (short)-1);
	CHECK("-32768", "%hd", (short)SHRT_MIN);
	CHECK("ffff", "%hx", (unsigned short)0xffff);
	CHECK("255", "%hhu", (unsigned char)255);
	CHECK("-128", "%hhd", (signed char)-128);
	CHECK("7f", "%hhx", (unsigned char)0x7f);
	CHECK("  ab", "%4hhx", (unsigned char)0xab);
}

static void test_short_conversion(void **state)
{
	(void)state;
	CHECK("ff", "%hhx", 0x1ff);
	CHECK("-32768", "%hd", 0x18000);
	CHECK("44", "%hhd", 300);
}

static void test_mixed_lengths(void **state)
{
	(void)state;
	/* Each argument is fetched with its own size. */
	CHECK("1 18446744073709551615 -2 ffffffffffffffff 3",
	      "%d %llu %d %lx %u", 1, ULLONG_MAX, -2, ULONG_MAX, 3u);
	CHECK("a 4294967295 b", "%c %u %c", 'a', UINT_MAX, 'b');
	CHECK("x=0000000000001000 y=abc", "x=%016llx y=%s", 0x1000ULL, "abc");
}

static void test_pointer(void **state)
{
	(void)state;
	CHECK("0x0", "%p", NULL);
	CHECK("0x1234", "%p", (void *)0x1234);
	CHECK("0xdeadbeefcafe", "%p", (void *)0xdeadbeefcafeULL);
	CHECK("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
	/* The width and '0' apply to the digits after "0x". */
	CHECK("0x0000000000001234", "%016p", (void *)0x1234);
	CHECK("0x    1234", "%8p", (void *)0x1234);
	CHECK("0x1234    |", "%-8p|", (void *)0x1234);
}

static void test_unknown_conversion(void **state)
{
	(void)state;
	/* Shown as is, and no argument is consumed. */
	CHECK("%q", "%q");
	CHECK("%q 5", "%q %d", 5);
	CHECK("%y%d", "%y%%d");
	/* '#' and '+' are not supported flags: shown as unknown. */
	CHECK("%#x", "%#x", 1);
	CHECK("%+d", "%+d", 1);
}

static void test_lone_percent(void **state)
{
	(void)state;
	/* A '%' at the end, or an unfinished spec, ends the output cleanly. */
	CHECK("abc", "abc%");
	CHECK("abc", "abc%-");
	CHECK("abc", "abc%05");
	CHECK("abc", "abc%.");
	CHECK("abc", "abc%ll");
	CHECK("", "%");
}

static void test_truncation(void **state)
{
	char buf[16];
	size_t n;

	(void)state;
	/* Fits exactly: size is strlen + 1. */
	memset(buf, 'X', sizeof(buf));
	n = fmt_snprintf(buf, 6, "%s", "hello");
	assert_int_equal(n, 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(buf[6], 'X');

	/* One too short: the last character is dropped for the NUL. */
	memset(buf, 'X', sizeof(buf));
	n = fmt_snprintf(buf, 5, "%s", "hello");
	assert_int_equal(n, 5);
	assert_string_equal(buf, "hell");
	assert_int_equal(buf[5], 'X');

	/* Much too short: the full length is still returned. */
	memset(buf, 'X', sizeof(buf));
	n = fmt_snprintf(buf, 4, "%d-%s-%llx", -12345, "abcdef", ~0ULL);
	assert_int_equal(n, 30);
	assert_string_equal(buf, "-12");
	assert_int_equal(buf[4], 'X');

	/* Size 1: only the NUL. */
	memset(buf, 'X', sizeof(buf));
	n = fmt_snprintf(buf, 1, "hello");
	assert_int_equal(n, 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'X');

	/* Size 0: nothing is written, not even the NUL. */
	memset(buf, 'X', sizeof(buf));
	n = fmt_snprintf(buf, 0, "hello");
	assert_int_equal(n, 5);
	assert_int_equal(buf[0], 'X');

	/* Size 0 with no buffer at all: just measures. */
	n = fmt_snprintf(NULL, 0, "%s=%u", "key", 12345u);
	assert_int_equal(n, 9);

	/* Empty output. */
	memset(buf, 'X', sizeof(buf));
	n = fmt_snprintf(buf, sizeof(buf), "%s", "");
	assert_int_equal(n, 0);
	assert_int_equal(buf[0], '\0');

	/* Padding counts toward the length and is truncated like the rest. */
	memset(buf, 'X', sizeof(buf));
	n = fmt_snprintf(buf, 8, "%20s", "x");
	assert_int_equal(n, 20);
	assert_string_equal(buf, "       ");
}

static void test_truncation_exact_buffer(void **state)
{
	/* A heap buffer of exactly size bytes: ASan catches any write past. */
	size_t size;

	(void)state;
	for (size = 1; size <= 12; size++) {
		char *buf = malloc(size);
		size_t n = fmt_snprintf(buf, size, "%s%d", "abcdef", -12345);

		assert_int_equal(n, 12);
		assert_int_equal(strlen(buf), size - 1);
		assert_memory_equal(buf, "abcdef-12345", size - 1);
		free(buf);
	}
}

struct collect {
	char text[64];
	size_t len;
	unsigned calls;
};

static void collect_sink(char c, void *ctx)
{
	struct collect *col = ctx;

	col->calls++;
	if (col->len < sizeof(col->text) - 1)
		col->text[col->len++] = c;
}

static size_t format_to(struct collect *col, const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = fmt_vformat(collect_sink, col, f, ap);
	va_end(ap);
	return n;
}

static void test_vformat_sink(void **state)
{
	struct collect col = {0};
	size_t n;

	(void)state;
	/* One sink call per character, and the count matches. */
	n = format_to(&col, "[%5s|%-3d|%04x]", "ab", 7, 0xau);
	assert_int_equal(n, 16);
	assert_int_equal(col.calls, 16);
	assert_string_equal(col.text, "[   ab|7  |000a]");

	memset(&col, 0, sizeof(col));
	n = format_to(&col, "");
	assert_int_equal(n, 0);
	assert_int_equal(col.calls, 0);
}

/* fmt_vformat works on a copy: the caller's va_list can be used again. */
static size_t twice(char *a, char *b, size_t size, const char *f, ...)
{
	va_list ap, again;
	size_t n;

	va_start(ap, f);
	va_copy(again, ap);
	n = fmt_vsnprintf(a, size, f, ap);
	n += fmt_vsnprintf(b, size, f, again);
	va_end(again);
	va_end(ap);
	return n;
}

static void test_vsnprintf_va_list(void **state)
{
	char a[32], b[32];

	(void)state;
	assert_int_equal(twice(a, b, sizeof(a), "%s %lld", "n", -5LL), 8);
	assert_string_equal(a, "n -5");
	assert_string_equal(b, "n -5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_char),
		cmocka_unit_test(test_char_nul),
		cmocka_unit_test(test_char_width),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_string_precision),
		cmocka_unit_test(test_string_precision_unterminated),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_signed_width),
		cmocka_unit_test(test_negative_star_width),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_long_long),
		cmocka_unit_test(test_size_t),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_short_conversion),
		cmocka_unit_test(test_mixed_lengths),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_unknown_conversion),
		cmocka_unit_test(test_lone_percent),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_truncation_exact_buffer),
		cmocka_unit_test(test_vformat_sink),
		cmocka_unit_test(test_vsnprintf_va_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
