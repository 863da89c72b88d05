// SPDX-License-Identifier: MIT
/*
 * The console: PL011 output once the DT has named it. Output before that
 * is dropped, except that a crash falls back to the early UART (see
 * exception.c), so no failure is silent.
 */
#include <stdarg.h>

#include <mmuon/console.h>
#include <mmuon/fmt.h>
#include <mmuon/pl011.h>

static uintptr_t uart_base;

void console_use_pl011(uintptr_t base)
{
	uart_base = base;
	pl011_init(base);
}

bool console_present(void)
{
	return uart_base != 0;
}

uintptr_t console_uart_base(void)
{
	return uart_base;
}

void console_putc(char c)
{
	if (!uart_base)
		return;
	if (c == '\n')
		pl011_putc(uart_base, '\r');
	pl011_putc(uart_base, c);
}

void console_write(const char *s)
{
	while (*s)
		console_putc(*s++);
}

static void console_sink(char c, void *ctx)
{
	(void)ctx;
	console_putc(c);
}

int vprintf(const char *fmt, va_list ap)
{
	return (int)fmt_vformat(console_sink, 0, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
