// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/lib/time_convert.c: fixed dates across the EFI_TIME
 * range, every day from 1900 to 2200 against the host C library's
 * gmtime_r/timegm, round trips, the range limits, and the field validation
 * of UEFI 2.10 section 8.3.1.
 */
#define _GNU_SOURCE /* timegm */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <mmuon/time_convert.h>

static EFI_TIME make_time(unsigned year, unsigned month, unsigned day,
			  unsigned hour, unsigned minute, unsigned second)
{
	EFI_TIME t = {
		.Year = year,
		.Month = month,
		.Day = day,
		.Hour = hour,
		.Minute = minute,
		.Second = second,
		.TimeZone = EFI_UNSPECIFIED_TIMEZONE,
	};

	return t;
}

static void check_pair(EFI_TIME t, int64_t seconds)
{
	EFI_TIME back;

	assert_true(efi_time_is_valid(&t));
	assert_int_equal(efi_time_to_epoch(&t), seconds);
	memset(&back, 0xff, sizeof(back));
	back.TimeZone = 123;
	back.Daylight = 1;
	assert_true(efi_time_from_epoch(seconds, &back));
	assert_int_equal(back.Year, t.Year);
	assert_int_equal(back.Month, t.Month);
	assert_int_equal(back.Day, t.Day);
	assert_int_equal(back.Hour, t.Hour);
	assert_int_equal(back.Minute, t.Minute);
	assert_int_equal(back.Second, t.Second);
	assert_int_equal(back.Nanosecond, 0);
	assert_int_equal(back.Pad1, 0);
	assert_int_equal(back.Pad2, 0);
	/* TimeZone and Daylight are the caller's. */
	assert_int_equal(back.TimeZone, 123);
	assert_int_equal(back.Daylight, 1);
}

static void test_known_dates(void **state)
{
	(void)state;
	check_pair(make_time(1970, 1, 1, 0, 0, 0), 0);
	check_pair(make_time(1969, 12, 31, 23, 59, 59), -1);
	check_pair(make_time(2000, 2, 29, 12, 0, 0), 951825600);
	check_pair(make_time(2000, 3, 1, 0, 0, 0), 951868800);
	check_pair(make_time(2038, 1, 19, 3, 14, 8), 2147483648LL);
	/* The last second the 32-bit PL031 can hold. */
	check_pair(make_time(2106, 2, 7, 6, 28, 15), 4294967295LL);
	/* The ends of the EFI_TIME range. */
	check_pair(make_time(1900, 1, 1, 0, 0, 0), -2208988800LL);
	check_pair(make_time(9999, 12, 31, 23, 59, 59), 253402300799LL);
}

static void test_range_limits(void **state)
{
	EFI_TIME t = make_time(2020, 5, 5, 5, 5, 5), copy = t;

	(void)state;
	assert_false(efi_time_from_epoch(-2208988801LL, &t));
	assert_false(efi_time_from_epoch(253402300800LL, &t));
	assert_false(efi_time_from_epoch(INT64_MIN, &t));
	assert_false(efi_time_from_epoch(INT64_MAX, &t));
	assert_memory_equal(&t, &copy, sizeof(t)); /* untouched */
}

/* Every day at a varying time of day, against the C library. */
static void test_against_libc(void **state)
{
	int64_t start = -2208988800LL, end = 7258118400LL; /* 1900..2200 */
	int64_t s;
	unsigned step = 0;

	(void)state;
	for (s = start; s < end; s += 86400) {
		int64_t when = s + (step++ * 3607) % 86400;
		time_t tt = when;
		struct tm tm;
		EFI_TIME t = {.TimeZone = EFI_UNSPECIFIED_TIMEZONE};

		assert_non_null(gmtime_r(&tt, &tm));
		assert_true(efi_time_from_epoch(when, &t));
		assert_int_equal(t.Year, tm.tm_year + 1900);
		assert_int_equal(t.Month, tm.tm_mon + 1);
		assert_int_equal(t.Day, tm.tm_mday);
		assert_int_equal(t.Hour, tm.tm_hour);
		assert_int_equal(t.Minute, tm.tm_min);
		assert_int_equal(t.Second, tm.tm_sec);
		assert_true(efi_time_is_valid(&t));
		assert_int_equal(efi_time_to_epoch(&t), (int64_t)timegm(&tm));
	}
}

static void test_leap_years(void **state)
{
	(void)state;
	assert_true(efi_time_is_leap_year(2000));
	assert_true(efi_time_is_leap_year(2024));
	assert_false(efi_time_is_leap_year(1900));
	assert_false(efi_time_is_leap_year(2100));
	assert_false(efi_time_is_leap_year(2023));
	assert_int_equal(efi_time_days_in_month(2000, 2), 29);
	assert_int_equal(efi_time_days_in_month(1900, 2), 28);
	assert_int_equal(efi_time_days_in_month(2023, 4), 30);
	assert_int_equal(efi_time_days_in_month(2023, 12), 31);
	assert_int_equal(efi_time_days_in_month(2023, 0), 0);
	assert_int_equal(efi_time_days_in_month(2023, 13), 0);
}

static void test_validation(void **state)
{
	EFI_TIME ok = make_time(2024, 2, 29, 23, 59, 59), t;

	(void)state;
	assert_true(efi_time_is_valid(&ok));

#define INVALID(field, value)                                                  \
	do {                                                                   \
		t = ok;                                                        \
		t.field = (value);                                             \
		assert_false(efi_time_is_valid(&t));                           \
	} while (0)
#define VALID(field, value)                                                    \
	do {                                                                   \
		t = ok;                                                        \
		t.field = (value);                                             \
		assert_true(efi_time_is_valid(&t));                            \
	} while (0)

	INVALID(Year, 1899);
	INVALID(Year, 10000);
	VALID(Year, 1904);
	VALID(Year, 9996);
	INVALID(Year, 2023); /* Feb 29 of a common year */
	INVALID(Year, 2100);
	INVALID(Month, 0);
	INVALID(Month, 13);
	INVALID(Day, 0);
	INVALID(Day, 30);
	INVALID(Hour, 24);
	INVALID(Minute, 60);
	INVALID(Second, 60);
	VALID(Nanosecond, 999999999);
	INVALID(Nanosecond, 1000000000);
	VALID(TimeZone, -1440);
	VALID(TimeZone, 1440);
	VALID(TimeZone, 0);
	VALID(TimeZone, EFI_UNSPECIFIED_TIMEZONE);
	INVALID(TimeZone, -1441);
	INVALID(TimeZone, 1441);
	INVALID(TimeZone, 2046);
	VALID(Daylight, EFI_TIME_ADJUST_DAYLIGHT | EFI_TIME_IN_DAYLIGHT);
	INVALID(Daylight, 4);
	INVALID(Daylight, 0x80);
	/* The pad bytes are not checked. */
	VALID(Pad1, 0xff);
	VALID(Pad2, 0xff);
#undef INVALID
#undef VALID

	t = make_time(1900, 1, 1, 0, 0, 0);
	assert_true(efi_time_is_valid(&t));
	t = make_time(9999, 12, 31, 23, 59, 59);
	assert_true(efi_time_is_valid(&t));
	t = make_time(2023, 4, 31, 0, 0, 0);
	assert_false(efi_time_is_valid(&t));
	t = make_time(2023, 4, 30, 0, 0, 0);
	assert_true(efi_time_is_valid(&t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_dates),
		cmocka_unit_test(test_range_limits),
		cmocka_unit_test(test_against_libc),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_validation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
