/* SPDX-License-Identifier: MIT */
/* The freestanding subset of <stdlib.h> that libfdt uses. */
#ifndef MMUON_LIBC_STDLIB_H
#define MMUON_LIBC_STDLIB_H

#include <stddef.h>

unsigned long strtoul(const char *s, char **end, int base);

#endif
