/* SPDX-License-Identifier: MIT */
/*
 * EFI_TIME (UEFI 2.10, section 8.3.1) to and from seconds since the Unix
 * epoch, and the spec's field ranges. Pure: used by GetTime/SetTime over the
 * PL031 (which counts seconds) and tested on the host.
 *
 * The conversions use the proleptic Gregorian calendar, no leap seconds
 * (like the PL031 and Unix time), and look only at the calendar and clock
 * fields: TimeZone and Daylight are the caller's business.
 */
#ifndef MMUON_TIME_CONVERT_H
#define MMUON_TIME_CONVERT_H

#include <stdbool.h>
#include <stdint.h>

#include <efi/runtime_services.h>

#define EFI_TIME_YEAR_MIN 1900
#define EFI_TIME_YEAR_MAX 9999
#define EFI_TIME_ZONE_MAX 1440 /* minutes: -1440 .. 1440 */

bool efi_time_is_leap_year(unsigned year);
/* 28..31; 0 for a month outside 1..12. */
unsigned efi_time_days_in_month(unsigned year, unsigned month);

/*
 * Every field within the range the spec gives it: Year 1900-9999, Month
 * 1-12, Day 1 to the month's length, Hour 0-23, Minute and Second 0-59,
 * Nanosecond below 10^9, TimeZone -1440..1440 or EFI_UNSPECIFIED_TIMEZONE,
 * Daylight only EFI_TIME_ADJUST_DAYLIGHT | EFI_TIME_IN_DAYLIGHT.
 */
bool efi_time_is_valid(const EFI_TIME *t);

/* Seconds from 1970-01-01 00:00:00 to the time's fields (negative before).
 * The fields must be valid. */
int64_t efi_time_to_epoch(const EFI_TIME *t);

/*
 * The calendar and clock fields for epoch seconds; Nanosecond, Pad1 and
 * Pad2 become 0, TimeZone and Daylight are left alone. False (and t
 * untouched) if the result would fall outside years 1900-9999.
 */
bool efi_time_from_epoch(int64_t seconds, EFI_TIME *t);

#endif
