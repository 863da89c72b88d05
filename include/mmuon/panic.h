/* SPDX-License-Identifier: MIT */
#ifndef MMUON_PANIC_H
#define MMUON_PANIC_H

/* Print "mmuon: fatal: <message>" and power off. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt,
							   ...);

#endif
