// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/efi/misc_services.c on the host, with the generic
 * timer stubbed: tick conversion, Stall, the monotonic counter, the
 * watchdog's code rule, CalculateCrc32, CopyMem with overlap and SetMem.
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

#include <mmuon/efi_core.h>
#include <mmuon/timer.h>

static uint64_t fake_hz = 62500000;
static uint64_t fake_ticks;
static uint64_t ticks_per_read;
static unsigned polls;

uint64_t timer_frequency(void)
{
	return fake_hz;
}

uint64_t timer_count(void)
{
	fake_ticks += ticks_per_read;
	return fake_ticks;
}

void efi_events_poll(void)
{
	polls++;
}

static void test_time_conversion(void **state)
{
	(void)state;
	ticks_per_read = 0;
	fake_hz = 62500000;
	fake_ticks = 62500000; /* one second */
	assert_int_equal(efi_time_now_100ns(), 10000000);
	fake_ticks = 625; /* 10 us */
	assert_int_equal(efi_time_now_100ns(), 100);
	/* Near the top of the counter: no overflow. */
	fake_hz = 1000000000;
	fake_ticks = UINT64_MAX;
	assert_int_equal(efi_time_now_100ns(), UINT64_MAX / 100);
	fake_hz = 62500000;
}

static void test_stall(void **state)
{
	(void)state;
	fake_ticks = 0;
	ticks_per_read = 625; /* each read moves 10 us */
	polls = 0;
	assert_int_equal(efi_stall(0), EFI_SUCCESS);
	assert_int_equal(polls, 0);
	assert_int_equal(efi_stall(100), EFI_SUCCESS);
	/* 100 us at 10 us per read: about ten polls, events polled. */
	assert_true(polls >= 9 && polls <= 11);
	ticks_per_read = 0;
}

static void test_monotonic_count(void **state)
{
	UINT64 a, b;
	UINT32 high;

	(void)state;
	assert_int_equal(efi_get_next_monotonic_count(NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_get_next_monotonic_count(&a), EFI_SUCCESS);
	assert_int_equal(efi_get_next_monotonic_count(&b), EFI_SUCCESS);
	assert_int_equal(b, a + 1);
	assert_int_equal(a >> 32, 0);
	assert_int_equal(efi_next_high_monotonic_count(&high), EFI_SUCCESS);
	assert_int_equal(high, 1);
	assert_int_equal(efi_get_next_monotonic_count(&a), EFI_SUCCESS);
	assert_int_equal(a, (UINT64)1 << 32);
	assert_true(a > b);
	assert_int_equal(efi_next_high_monotonic_count(NULL),
			 EFI_INVALID_PARAMETER);
}

static void test_watchdog(void **state)
{
	static CHAR16 why[] = {'x', 0};

	(void)state;
	/* Disarming: any code, as loaders do with code 0. */
	assert_int_equal(efi_set_watchdog_timer(0, 0, 0, NULL), EFI_SUCCESS);
	/* Arming with a firmware-reserved code is refused. */
	assert_int_equal(efi_set_watchdog_timer(300, 0xffff, 0, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_set_watchdog_timer(300, 0x10000, sizeof(why), why),
			 EFI_SUCCESS);
	assert_int_equal(efi_set_watchdog_timer(0, 0, 0, NULL), EFI_SUCCESS);
}

static void test_crc32(void **state)
{
	char data[] = "123456789";
	UINT32 crc = 0;

	(void)state;
	assert_int_equal(efi_calculate_crc32(data, 9, &crc), EFI_SUCCESS);
	assert_int_equal(crc, 0xcbf43926); /* the CRC-32 check value */
	assert_int_equal(efi_calculate_crc32(NULL, 9, &crc),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_calculate_crc32(data, 0, &crc),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_calculate_crc32(data, 9, NULL),
			 EFI_INVALID_PARAMETER);
}

static void test_copy_and_set(void **state)
{
	char buf[16] = "abcdefgh";

	(void)state;
	efi_copy_mem(buf + 2, buf, 6); /* overlapping, forwards */
	assert_memory_equal(buf, "ababcdef", 8);
	efi_copy_mem(buf, buf + 2, 6); /* overlapping, backwards */
	assert_memory_equal(buf, "abcdefef", 8);
	efi_copy_mem(NULL, NULL, 0);
	efi_set_mem(buf, 4, 'z');
	assert_memory_equal(buf, "zzzzefef", 8);
	efi_set_mem(NULL, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_conversion),
		cmocka_unit_test(test_stall),
		cmocka_unit_test(test_monotonic_count),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_copy_and_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
