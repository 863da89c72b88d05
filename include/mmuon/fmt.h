/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting into a character sink. Supports the conversions
 * the firmware uses: %c %s %d %i %u %x %X %p %%, the flags '-' and '0', a
 * width (digits or *), a precision for %s (digits or *), and the length
 * modifiers h, hh, l, ll, z.
 */
#ifndef MMUON_FMT_H
#define MMUON_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_sink)(char c, void *ctx);

/* Returns the number of characters produced. */
size_t fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap);

/* Like snprintf: always NUL-terminates when size > 0, returns the length
 * the whole output would have had. */
size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
