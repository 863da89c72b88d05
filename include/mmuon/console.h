/* SPDX-License-Identifier: MIT */
/* The firmware's console: a character sink plus printf on top of it. */
#ifndef MMUON_CONSOLE_H
#define MMUON_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

/* Route console output to the PL011 at base (from /chosen/stdout-path). */
void console_use_pl011(uintptr_t base);
bool console_present(void);
/* MMIO base of the console PL011, 0 if none (for the EFI console input). */
uintptr_t console_uart_base(void);
void console_putc(char c);
void console_write(const char *s);
int vprintf(const char *fmt, va_list ap);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
