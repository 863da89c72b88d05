// SPDX-License-Identifier: MIT
/* The shared detail buffer of the test apps; see detail.h. */
#include <efi.h>
#include <efilib.h>

#include "detail.h"

CHAR16 detail[DETAIL_LEN];

void say(const CHAR16 *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	VSPrint(detail, sizeof(detail), fmt, args);
	va_end(args);
}

void say_more(const CHAR16 *fmt, ...)
{
	UINTN used = StrLen(detail);
	va_list args;

	va_start(args, fmt);
	VSPrint(detail + used, sizeof(detail) - used * sizeof(CHAR16), fmt,
		args);
	va_end(args);
}

BOOLEAN why(const CHAR16 *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	VSPrint(detail, sizeof(detail), fmt, args);
	va_end(args);
	return FALSE;
}

const CHAR16 *said(void)
{
	return detail;
}
