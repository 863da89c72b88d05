// SPDX-License-Identifier: MIT
/*
 * Debian builds libfdt with -fstack-protector-strong, so its functions check
 * a canary against __stack_chk_guard. mmuon itself is built without; a
 * smashed libfdt stack is reported like any other fatal error.
 */
#include <mmuon/panic.h>

unsigned long __stack_chk_guard = 0x6d6d756f6e5f5f21ul;

void __stack_chk_fail(void);
void __stack_chk_fail(void)
{
	panic("stack smashing detected in libfdt");
}
