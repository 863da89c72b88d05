/* SPDX-License-Identifier: MIT */
/*
 * Recognise the kernel's first instruction by its bytes.
 *
 * A plugin cannot know where a firmware will put the kernel (mmuon
 * randomises it, EDK2 and U-Boot allocate it), but it can know what the
 * kernel's first instructions look like: the driver reads the bytes at the
 * Image's offset 0 (entered by QEMU -kernel and U-Boot's booti) and at the
 * PE entry point (entered by every EFI loader) from the kernel file and
 * passes them as `match=<hex>` arguments. The first executed block that
 * starts with one of them is the kernel's first instruction.
 */
#ifndef MMUON_PLUGIN_KERNEL_ENTRY_H
#define MMUON_PLUGIN_KERNEL_ENTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "qemu_plugin_api.h"

#define KENTRY_MAX_PATTERNS 4
#define KENTRY_MAX_BYTES 64

/*
 * Parse one plugin argument. Returns 1 if it was a match=HEX argument
 * (4 to 64 bytes, whole instructions), 0 if it is someone else's, -1 if it
 * was a bad match= argument.
 */
int kentry_parse_arg(const char *arg);

/* Number of match= patterns given. */
int kentry_count(void);

/*
 * At translation time: does this block start with one of the patterns?
 * Returns the pattern's index or -1.
 */
int kentry_tb_match(const struct qemu_plugin_tb *tb);

#endif /* MMUON_PLUGIN_KERNEL_ENTRY_H */
