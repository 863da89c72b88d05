/* SPDX-License-Identifier: MIT */
/*
 * The variable services' state (src/efi/variables.c, runtime code), set up
 * at boot by src/efi/variables_setup.c.
 */
#ifndef MMUON_EFI_VARIABLES_H
#define MMUON_EFI_VARIABLES_H

#include <mmuon/cfi_flash.h>
#include <mmuon/vars.h>

/* The variable service GetVariable and friends use. */
struct vars *efi_variables(void);
/* The flash bank its store is on, when it is. */
struct cfi_flash *efi_variable_bank(void);

#endif
