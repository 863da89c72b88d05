// SPDX-License-Identifier: MIT
/* Deliberate faults for the test suite; see include/mmuon/crash.h. */
#include <stdbool.h>
#include <string.h>

#include <mmuon/console.h>
#include <mmuon/crash.h>
#include <mmuon/fw_cfg.h>
#include <mmuon/layout.h>
#include <mmuon/panic.h>
#include <mmuon/platform.h>

#define SWITCH "mmuon.crash="

/* An address the RAM tables leave unmapped (beyond the 39-bit VA space). */
#define UNMAPPED_ADDRESS 0x7ffffff000ull

/* Recurses until the stack runs into the guard page; depth is never 0. */
static __attribute__((noinline)) unsigned recurse(volatile char *p,
						  unsigned depth)
{
	volatile char frame[1024];

	frame[0] = *p;
	if (!depth)
		return frame[0];
	return recurse(frame, depth + 1) + frame[0];
}

/*
 * Makes the fw_cfg device fail a DMA transfer: a read of a real item into a
 * physical address where QEMU has neither RAM nor a device, so its write
 * to guest memory fails and it sets the error bit. Nothing outside the
 * firmware can cause that, hence the switch. This runs before efi_init(),
 * so the device is found again from the DT at the base of RAM.
 */
static void fw_cfg_dma_error(void)
{
	struct platform p;
	char err[96];
	int rc;

	if (dt_discover((const void *)RAM_BASE, &p, err, sizeof(err)) ||
	    !p.fw_cfg.size || fw_cfg_init(p.fw_cfg.base))
		panic("no fw_cfg DMA device to fail");
	rc = fw_cfg_read(FW_CFG_KERNEL_SIZE, 0, (void *)UNMAPPED_ADDRESS, 4);
	if (rc == FW_CFG_DMA_ERROR)
		panic("fw_cfg DMA error (device error bit set) writing to "
		      "0x%llx",
		      (unsigned long long)UNMAPPED_ADDRESS);
	printf("mmuon: fw_cfg DMA to 0x%llx did not fail (%d); continuing\n",
	       (unsigned long long)UNMAPPED_ADDRESS, rc);
}

static bool word_is(const char *word, const char *kind)
{
	size_t n = strlen(kind);

	return !strncmp(word, kind, n) && (word[n] == ' ' || !word[n]);
}

void crash_if_asked(const char *bootargs)
{
	const char *arg = strstr(bootargs, SWITCH);
	char c = 0;

	if (!arg)
		return;
	arg += strlen(SWITCH);
	printf("mmuon: crashing on purpose (%s%.*s)\n", SWITCH,
	       (int)strcspn(arg, " "), arg);
	if (word_is(arg, "data-abort"))
		*(volatile unsigned *)UNMAPPED_ADDRESS = 0xdead;
	else if (word_is(arg, "undefined"))
		asm volatile("udf #0");
	else if (word_is(arg, "brk"))
		asm volatile("brk #0x4d4d");
	else if (word_is(arg, "stack-overflow"))
		recurse(&c, 1);
	else if (word_is(arg, "fw-cfg-dma"))
		fw_cfg_dma_error();
	else
		printf("mmuon: unknown crash kind; continuing\n");
}
