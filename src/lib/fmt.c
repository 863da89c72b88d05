// SPDX-License-Identifier: MIT
/* printf-style formatting; see include/mmuon/fmt.h for what it supports. */
#include <mmuon/fmt.h>
#include <stdbool.h>
#include <stdint.h>

struct spec {
	bool left; /* '-': pad on the right */
	bool zero; /* '0': pad numbers with zeros */
	int width;
	int precision; /* %.Ns: at most N characters; -1: no limit */
	int length; /* -2 char, -1 short, 0 int, 1 long, 2 long long/size_t */
};

struct out {
	fmt_sink sink;
	void *ctx;
	size_t count;
};

static void put(struct out *o, char c)
{
	o->sink(c, o->ctx);
	o->count++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_string(struct out *o, const struct spec *sp, const char *s)
{
	int len = 0;

	if (!s)
		s = "(null)";
	while ((sp->precision < 0 || len < sp->precision) && s[len])
		len++;
	if (!sp->left)
		pad(o, ' ', sp->width - len);
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', sp->width - len);
}

static void put_number(struct out *o, const struct spec *sp, uint64_t value,
		       bool negative, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int len = 0, total;

	do {
		buf[len++] = digits[value % base];
		value /= base;
	} while (value);
	total = len + negative;
	if (!sp->left && !sp->zero)
		pad(o, ' ', sp->width - total);
	if (negative)
		put(o, '-');
	if (!sp->left && sp->zero)
		pad(o, '0', sp->width - total);
	while (len)
		put(o, buf[--len]);
	if (sp->left)
		pad(o, ' ', sp->width - total);
}

static uint64_t fetch_unsigned(const struct spec *sp, va_list *ap)
{
	if (sp->length == 2)
		return va_arg(*ap, unsigned long long);
	if (sp->length == 1)
		return va_arg(*ap, unsigned long);
	if (sp->length == -1)
		return (unsigned short)va_arg(*ap, unsigned int);
	if (sp->length <= -2)
		return (unsigned char)va_arg(*ap, unsigned int);
	return va_arg(*ap, unsigned int);
}

static int64_t fetch_signed(const struct spec *sp, va_list *ap)
{
	if (sp->length == 2)
		return va_arg(*ap, long long);
	if (sp->length == 1)
		return va_arg(*ap, long);
	if (sp->length == -1)
		return (short)va_arg(*ap, int);
	if (sp->length <= -2)
		return (signed char)va_arg(*ap, int);
	return va_arg(*ap, int);
}

/* Parses flags, width and length after '%'; returns the conversion char. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){.precision = -1};
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) { /* C: a negative width means '-' */
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		sp->precision = 0;
		if (*++f == '*') {
			sp->precision = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->precision = sp->precision * 10 + (*f++ - '0');
	}
	while (*f == 'h') {
		sp->length--; /* -1 short, -2 char */
		f++;
	}
	if (*f == 'z') {
		sp->length = 2;
		f++;
	}
	while (*f == 'l') {
		sp->length++;
		f++;
	}
	return f;
}

size_t fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap)
{
	struct out o = {sink, ctx, 0};
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &args);
		switch (*fmt) {
		case 'c':
			if (!sp.left)
				pad(&o, ' ', sp.width - 1);
			put(&o, (char)va_arg(args, int));
			if (sp.left)
				pad(&o, ' ', sp.width - 1);
			break;
		case 's':
			put_string(&o, &sp, va_arg(args, const char *));
			break;
		case 'd':
		case 'i': {
			int64_t v = fetch_signed(&sp, &args);
			put_number(&o, &sp, v < 0 ? -(uint64_t)v : (uint64_t)v,
				   v < 0, 10, false);
			break;
		}
		case 'u':
			put_number(&o, &sp, fetch_unsigned(&sp, &args), false,
				   10, false);
			break;
		case 'x':
		case 'X':
			put_number(&o, &sp, fetch_unsigned(&sp, &args), false,
				   16, *fmt == 'X');
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_number(&o, &sp, (uintptr_t)va_arg(args, void *),
				   false, 16, false);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--; /* a lone '%' at the end: stop cleanly */
			break;
		default: /* unknown: show it rather than guess */
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	va_end(args);
	return o.count;
}

struct buffer {
	char *buf;
	size_t size;
	size_t used;
};

static void buffer_sink(char c, void *ctx)
{
	struct buffer *b = ctx;

	if (b->used + 1 < b->size)
		b->buf[b->used++] = c;
}

size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buffer b = {buf, size, 0};
	size_t n = fmt_vformat(buffer_sink, &b, fmt, ap);

	if (size)
		buf[b.used] = '\0';
	return n;
}

size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
