// SPDX-License-Identifier: MIT
/*
 * FAT names and times: case folding, 8.3 names (formatting, the case flags
 * Windows NT, Linux and mtools keep in byte 12, generating a unique one
 * for a long name), long-name checksums, and the packed date/time fields.
 *
 * Case folding covers ASCII and Latin-1, which is what EFI clients use for
 * their paths; 8.3 names made here are ASCII (anything else becomes '_'),
 * and bytes >= 0x80 of existing 8.3 names read as Latin-1.
 */
#include <string.h>

#include "fat_internal.h"

uint16_t fat_upcase(uint16_t c)
{
	if (c >= 'a' && c <= 'z')
		return (uint16_t)(c - 0x20);
	if (c >= 0xe0 && c <= 0xfe && c != 0xf7)
		return (uint16_t)(c - 0x20);
	if (c == 0xff)
		return 0x178;
	return c;
}

static bool is_lower(uint16_t c)
{
	return fat_upcase(c) != c;
}

static bool is_upper(uint16_t c)
{
	return c >= 'A' && c <= 'Z';
}

bool fat_name_equal(const uint16_t *a, size_t alen, const uint16_t *b,
		    size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (fat_upcase(a[i]) != fat_upcase(b[i]))
			return false;
	return true;
}

size_t fat_short_name_format(const uint8_t *e, uint16_t out[13])
{
	size_t n = 0, base = 8, ext = 3;

	while (base && e[base - 1] == ' ')
		base--;
	while (ext && e[8 + ext - 1] == ' ')
		ext--;
	for (size_t i = 0; i < base; i++) {
		uint16_t c = e[i];

		if (i == 0 && c == DE_KANJI_E5)
			c = DE_FREE;
		if ((e[DE_NTRES] & NTRES_LOWER_BASE) && is_upper(c))
			c = (uint16_t)(c + 0x20);
		out[n++] = c;
	}
	if (ext) {
		out[n++] = '.';
		for (size_t i = 0; i < ext; i++) {
			uint16_t c = e[8 + i];

			if ((e[DE_NTRES] & NTRES_LOWER_EXT) && is_upper(c))
				c = (uint16_t)(c + 0x20);
			out[n++] = c;
		}
	}
	out[n] = 0;
	return n;
}

uint8_t fat_lfn_checksum(const uint8_t name[11])
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name[i]);
	return sum;
}

/* Characters no FAT name may hold. */
static bool long_char_ok(uint16_t c)
{
	return c >= 0x20 && c != '"' && c != '*' && c != '/' && c != ':' &&
	       c != '<' && c != '>' && c != '?' && c != '\\' && c != '|';
}

/* Characters an 8.3 name may hold besides letters and digits. */
static bool short_char_ok(uint16_t c)
{
	static const char extra[] = "!#$%&'()-@^_`{}~";

	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return true;
	for (const char *p = extra; *p; p++)
		if (c == (uint16_t)*p)
			return true;
	return false;
}

bool fat_name_valid(const uint16_t *name, size_t *len)
{
	size_t n = *len;

	while (n && (name[n - 1] == ' ' || name[n - 1] == '.'))
		n--;
	if (!n || n > FAT_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!long_char_ok(name[i]))
			return false;
	*len = n;
	return true;
}

/* Case of a run of 8.3 characters: 0 none, 1 upper, 2 lower, 3 mixed. */
static unsigned run_case(const uint16_t *s, size_t n)
{
	unsigned cs = 0;

	for (size_t i = 0; i < n; i++)
		cs |= is_upper(s[i]) ? 1 : is_lower(s[i]) ? 2 : 0;
	return cs;
}

bool fat_name_is_short(const uint16_t *name, size_t len, uint8_t out[11],
		       uint8_t *ntres)
{
	size_t dot = len, base, ext;
	unsigned bcase, ecase;

	for (size_t i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (dot != len)
				return false; /* two dots */
			dot = i;
		} else if (!short_char_ok(name[i])) {
			return false;
		}
	}
	base = dot;
	ext = dot == len ? 0 : len - dot - 1;
	if (base == 0 || base > 8 || ext > 3 || (dot != len && ext == 0))
		return false;
	bcase = run_case(name, base);
	ecase = run_case(name + dot + 1, ext);
	if (bcase == 3 || ecase == 3)
		return false; /* mixed case needs the long name */
	memset(out, ' ', 11);
	for (size_t i = 0; i < base; i++)
		out[i] = (uint8_t)fat_upcase(name[i]);
	for (size_t i = 0; i < ext; i++)
		out[8 + i] = (uint8_t)fat_upcase(name[dot + 1 + i]);
	*ntres = (bcase == 2 ? NTRES_LOWER_BASE : 0) |
		 (ecase == 2 ? NTRES_LOWER_EXT : 0);
	return true;
}

static uint8_t basis_char(uint16_t c)
{
	c = fat_upcase(c);
	return c < 0x80 && short_char_ok(c) ? (uint8_t)c : '_';
}

void fat_short_name_basis(const uint16_t *name, size_t len, uint32_t tail,
			  uint8_t out[11])
{
	size_t last_dot = len, n = 0, start = 0, digits;
	char num[12];

	for (size_t i = 0; i < len; i++)
		if (name[i] == '.')
			last_dot = i;
	/* Leading dots and all spaces are dropped (the FAT spec's basis). */
	while (start < len && name[start] == '.')
		start++;
	if (last_dot < start)
		last_dot = len;
	memset(out, ' ', 11);
	for (size_t i = start; i < last_dot && n < 8; i++)
		if (name[i] != ' ' && name[i] != '.')
			out[n++] = basis_char(name[i]);
	if (n == 0)
		out[n++] = '_';
	for (size_t i = last_dot + 1, e = 0; i < len && e < 3; i++)
		if (name[i] != ' ' && name[i] != '.')
			out[8 + e++] = basis_char(name[i]);
	if (!tail)
		return;
	digits = 0;
	for (uint32_t t = tail; t; t /= 10)
		num[digits++] = (char)('0' + t % 10);
	/* "~N" replaces the end of the base, which keeps at least 1 char. */
	if (n > 8 - digits - 1)
		n = 8 - digits - 1;
	out[n++] = '~';
	while (digits)
		out[n++] = (uint8_t)num[--digits];
	while (n < 8)
		out[n++] = ' ';
}

void fat_time_encode(const struct fat_time *t, uint16_t *date, uint16_t *time)
{
	unsigned year = t->year < 1980 ? 0 : t->year - 1980u;

	if (year > 127)
		year = 127;
	*date = (uint16_t)(year << 9 | (t->month & 0xf) << 5 | (t->day & 0x1f));
	*time = (uint16_t)((t->hour & 0x1f) << 11 | (t->minute & 0x3f) << 5 |
			   (t->second / 2 & 0x1f));
}

void fat_time_decode(uint16_t date, uint16_t time, struct fat_time *t)
{
	*t = (struct fat_time){
		.year = (uint16_t)(1980 + (date >> 9)),
		.month = (uint8_t)((date >> 5) & 0xf),
		.day = (uint8_t)(date & 0x1f),
		.hour = (uint8_t)(time >> 11),
		.minute = (uint8_t)((time >> 5) & 0x3f),
		.second = (uint8_t)((time & 0x1f) * 2),
	};
	/* A zero date (never set) reads as 1980-01-01. */
	if (!t->month)
		t->month = 1;
	if (!t->day)
		t->day = 1;
}

void fat_now(struct fat_volume *vol, struct fat_time *t)
{
	*t = (struct fat_time){.year = 1980, .month = 1, .day = 1};
	if (vol->clock)
		vol->clock(vol->clock_ctx, t);
}
