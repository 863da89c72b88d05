// SPDX-License-Identifier: MIT
#include <stdarg.h>

#include <mmuon/console.h>
#include <mmuon/layout.h>
#include <mmuon/panic.h>
#include <mmuon/power.h>

void panic(const char *fmt, ...)
{
	va_list ap;

	/* A failure before the DT named the console still gets printed. */
	if (!console_present())
		console_use_pl011(EARLY_CRASH_UART);
	console_write("mmuon: fatal: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	console_write("\nmmuon: powering off\n");
	power_off();
}
