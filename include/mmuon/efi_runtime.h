/* SPDX-License-Identifier: MIT */
/*
 * The runtime services' state (src/efi/runtime.c, runtime code), set up at
 * boot by src/efi/runtime_setup.c and system_table.c. Boot code may call
 * these; runtime code calls nothing outside the runtime regions.
 */
#ifndef MMUON_EFI_RUNTIME_H
#define MMUON_EFI_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include <efi/types.h>
#include <mmuon/platform.h>

/* The PL031 GetTime/SetTime use (0: none). */
void efi_runtime_use_rtc(uintptr_t base);
/* The PSCI conduit ResetSystem uses. */
void efi_runtime_use_psci(enum psci_conduit conduit);
/* From ExitBootServices on, the variable services apply runtime rules. */
void efi_runtime_mark_boot_services_exited(void);

/* The system table's FirmwareVendor, in the runtime code region. */
extern const CHAR16 efi_firmware_vendor[];

#endif
