/* SPDX-License-Identifier: MIT */
/* What the pieces of the boot-test init share (test_init.c). */
#ifndef MMUON_TEST_INIT_H
#define MMUON_TEST_INIT_H

#include <sys/types.h>

/* One "MMUON-TEST <name>: <status> <detail>" line, in one write(). */
void report(const char *name, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define PASS(name, ...) report(name, "PASS", __VA_ARGS__)
#define FAIL(name, ...) report(name, "FAIL", __VA_ARGS__)
#define INFO(name, ...) report(name, "INFO", __VA_ARGS__)

/* Reads a whole (small) file; returns its length or -1. NUL-terminates. */
ssize_t read_file(const char *path, char *buf, size_t size);

/* The value of NAME=VALUE on the kernel command line (up to the next
 * space, copied into a static buffer), or NULL. */
const char *param_value(const char *name);

/* efivars.c: the mmuon.vars=... checks. */
void check_efi_variables(const char *modes);

#endif
