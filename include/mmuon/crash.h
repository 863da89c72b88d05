/* SPDX-License-Identifier: MIT */
#ifndef MMUON_CRASH_H
#define MMUON_CRASH_H

/*
 * Debug switch for the test suite: "mmuon.crash=<kind>" on the command line
 * (QEMU -append, which lands in /chosen/bootargs) makes mmuon fault on
 * purpose, so the exception dump can be checked. Kinds: data-abort,
 * undefined, brk, stack-overflow, fw-cfg-dma (a
 * DMA the device must refuse). Anything else is reported and ignored.
 */
void crash_if_asked(const char *bootargs);

#endif
