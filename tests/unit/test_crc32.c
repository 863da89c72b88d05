// SPDX-License-Identifier: MIT
/* CRC-32 against published check values and a bitwise reference. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <mmuon/crc32.h>

/* The textbook one-bit-at-a-time CRC, the definition we compare with. */
static uint32_t crc32_ref(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffff;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (crc & 1 ? 0xedb88320 : 0);
	}
	return ~crc;
}

static uint32_t crc_str(const char *s)
{
	return crc32_calc(s, strlen(s));
}

static void test_check_values(void **state)
{
	(void)state;
	/* The "check" value of CRC-32/ISO-HDLC in every CRC catalogue. */
	assert_int_equal(crc_str("123456789"), 0xcbf43926);
	assert_int_equal(crc_str(""), 0);
	assert_int_equal(crc32_calc(NULL, 0), 0);
	assert_int_equal(crc_str("a"), 0xe8b7be43);
	assert_int_equal(crc_str("abc"), 0x352441c2);
	assert_int_equal(crc_str("The quick brown fox jumps over the lazy dog"),
			 0x414fa339);
}

static void test_fixed_patterns(void **state)
{
	uint8_t buf[32];

	(void)state;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(crc32_calc(buf, sizeof(buf)), 0x190a55ad);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(crc32_calc(buf, sizeof(buf)), 0xff6cab0b);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(crc32_calc(buf, sizeof(buf)), 0x91267e8a);
}

/* Chaining over any split gives the CRC of the whole. */
static void test_chaining(void **state)
{
	const char *s = "123456789";

	(void)state;
	for (size_t k = 0; k <= 9; k++) {
		uint32_t c = crc32_update(0, s, k);

		assert_int_equal(crc32_update(c, s + k, 9 - k), 0xcbf43926);
	}
	assert_int_equal(crc32_update(0xcbf43926, s, 0), 0xcbf43926);
}

static void test_against_reference(void **state)
{
	uint8_t *buf = malloc(4096);

	(void)state;
	srand(3);
	for (int iter = 0; iter < 500; iter++) {
		size_t len = (size_t)rand() % 4096;

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rand();
		assert_int_equal(crc32_calc(buf, len), crc32_ref(buf, len));
	}
	free(buf);
}

/*
 * A UEFI table header as firmware fills it: the CRC is computed over
 * HeaderSize bytes with the CRC32 field zero, then stored; verifying it
 * means zeroing the field again and recomputing.
 */
static void test_table_header(void **state)
{
	uint8_t hdr[24] = {
		'I',  'B',  'I',  ' ',	'S', 'Y', 'S', 'T', /* signature */
		0x46, 0x00, 0x02, 0x00,			    /* revision 2.70 */
		24,   0,    0,	  0,			    /* HeaderSize */
	};
	uint32_t crc, check;

	(void)state;
	crc = crc32_calc(hdr, sizeof(hdr));
	assert_int_equal(crc, crc32_ref(hdr, sizeof(hdr)));
	memcpy(hdr + 16, &crc, 4);
	memset(hdr + 16, 0, 4);
	check = crc32_calc(hdr, sizeof(hdr));
	assert_int_equal(check, crc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_values),
		cmocka_unit_test(test_fixed_patterns),
		cmocka_unit_test(test_chaining),
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_table_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
