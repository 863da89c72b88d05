// SPDX-License-Identifier: MIT
/*
 * Calendar arithmetic for EFI_TIME. Dates are counted in days from
 * 0000-03-01 of the proleptic Gregorian calendar: starting the year in March
 * puts the leap day last, so a year's day number needs no leap test, and
 * 400-year eras repeat exactly (146097 days).
 */
#include <mmuon/time_convert.h>

#define SECONDS_PER_DAY 86400
#define DAYS_PER_ERA 146097
/* Days from 0000-03-01 to 1970-01-01. */
#define EPOCH_DAY 719468
/* Days from 1970-01-01 to 1900-01-01 and to 10000-01-01. */
#define FIRST_DAY (-25567)
#define END_DAY 2932897

bool efi_time_is_leap_year(unsigned year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned efi_time_days_in_month(unsigned year, unsigned month)
{
	static const uint8_t days[12] = {31, 28, 31, 30, 31, 30,
					 31, 31, 30, 31, 30, 31};

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && efi_time_is_leap_year(year))
		return 29;
	return days[month - 1];
}

static bool time_zone_is_valid(int16_t zone)
{
	return zone == EFI_UNSPECIFIED_TIMEZONE ||
	       (zone >= -EFI_TIME_ZONE_MAX && zone <= EFI_TIME_ZONE_MAX);
}

bool efi_time_is_valid(const EFI_TIME *t)
{
	return t->Year >= EFI_TIME_YEAR_MIN && t->Year <= EFI_TIME_YEAR_MAX &&
	       t->Month >= 1 && t->Month <= 12 && t->Day >= 1 &&
	       t->Day <= efi_time_days_in_month(t->Year, t->Month) &&
	       t->Hour <= 23 && t->Minute <= 59 && t->Second <= 59 &&
	       t->Nanosecond <= 999999999 && time_zone_is_valid(t->TimeZone) &&
	       !(t->Daylight &
		 ~(EFI_TIME_ADJUST_DAYLIGHT | EFI_TIME_IN_DAYLIGHT));
}

/* Days since 1970-01-01 of a date; year >= 0 (so no negative division). */
static int64_t days_from_date(unsigned year, unsigned month, unsigned day)
{
	/* Years start in March: January and February belong to the year
	 * before. Month 0 is March. */
	unsigned y = month <= 2 ? year - 1 : year;
	unsigned m = month <= 2 ? month + 9 : month - 3;
	unsigned era = y / 400, year_of_era = y % 400;
	/* Day of the year from March 1st: the month lengths 31 30 31 30 31
	 * repeat, which (153 * m + 2) / 5 reproduces exactly. */
	unsigned day_of_year = (153 * m + 2) / 5 + day - 1;
	unsigned day_of_era = year_of_era * 365 + year_of_era / 4 -
			      year_of_era / 100 + day_of_year;

	return (int64_t)era * DAYS_PER_ERA + day_of_era - EPOCH_DAY;
}

int64_t efi_time_to_epoch(const EFI_TIME *t)
{
	int64_t days = days_from_date(t->Year, t->Month, t->Day);

	return days * SECONDS_PER_DAY + t->Hour * 3600 + t->Minute * 60 +
	       t->Second;
}

/* The inverse of days_from_date(), for days >= -EPOCH_DAY. */
static void date_from_days(int64_t days, unsigned *year, unsigned *month,
			   unsigned *day)
{
	uint64_t z = (uint64_t)(days + EPOCH_DAY);
	unsigned era = z / DAYS_PER_ERA, day_of_era = z % DAYS_PER_ERA;
	/* Remove the leap days before this one in the era: one per 4 years,
	 * less one per century, plus the one of the 400th year. */
	unsigned year_of_era = (day_of_era - day_of_era / 1460 +
				day_of_era / 36524 - day_of_era / 146096) /
			       365;
	unsigned day_of_year =
		day_of_era -
		(365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	unsigned m = (5 * day_of_year + 2) / 153; /* 0 = March */

	*day = day_of_year - (153 * m + 2) / 5 + 1;
	*month = m < 10 ? m + 3 : m - 9;
	*year = era * 400 + year_of_era + (*month <= 2 ? 1 : 0);
}

bool efi_time_from_epoch(int64_t seconds, EFI_TIME *t)
{
	int64_t days, rest;
	unsigned year, month, day;

	/* Floor division, so that times before 1970 get the right day. */
	days = seconds / SECONDS_PER_DAY;
	rest = seconds % SECONDS_PER_DAY;
	if (rest < 0) {
		rest += SECONDS_PER_DAY;
		days--;
	}
	if (days < FIRST_DAY || days >= END_DAY)
		return false;

	date_from_days(days, &year, &month, &day);
	t->Year = year;
	t->Month = month;
	t->Day = day;
	t->Hour = rest / 3600;
	t->Minute = rest / 60 % 60;
	t->Second = rest % 60;
	t->Pad1 = 0;
	t->Nanosecond = 0;
	t->Pad2 = 0;
	return true;
}
