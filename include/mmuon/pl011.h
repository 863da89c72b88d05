/* SPDX-License-Identifier: MIT */
/* ARM PL011 UART: polled output (and, later, input). */
#ifndef MMUON_PL011_H
#define MMUON_PL011_H

#include <stdbool.h>
#include <stdint.h>

void pl011_init(uintptr_t base);
void pl011_putc(uintptr_t base, char c);
bool pl011_getc(uintptr_t base, char *c);

#endif
