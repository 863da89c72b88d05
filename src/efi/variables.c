// SPDX-License-Identifier: MIT
/*
 * The variable runtime services (UEFI 2.10, section 8.2): GetVariable,
 * GetNextVariableName, SetVariable and QueryVariableInfo over the variable
 * service of src/vars/vars.c. Runtime code (RT_SRCS); the store is set up
 * at boot by variables_setup.c.
 *
 * With a variable bank -- QEMU virt's second flash bank, named by the DT's
 * cfi-flash node, backed by -drive if=pflash,unit=1 (libvirt's per-VM
 * NVRAM) -- the store is on flash (docs/variable-store.md): non-volatile
 * variables survive resets and power loss. The bank's store region is then
 *   - mapped Device-nGnRE, read/write, never executable (the flash tables
 *     and src/arch/mmu.c map the whole bank so from reset);
 *   - EfiMemoryMappedIO with EFI_MEMORY_RUNTIME in the memory map, so that
 *     the OS maps it (Linux: Device-nGnRE) for SetVariable at runtime;
 *   - hidden from the OS's own drivers: the cfi-flash node gets status
 *     "disabled", as EDK2 does, so that nobody else drives the chips.
 * Without one (no cfi-flash node, no CFI chip, a read-only bank that needs
 * formatting), the variables live in RAM as before, and one console line
 * says so. With -bios and no unit 1, QEMU still has the bank, all zeros and
 * kept only until QEMU exits: it is formatted like an empty VARS file
 * (Debian's EDK2 template is one), and the console line says that.
 *
 * At runtime these functions touch only the store's RAM, the flash region
 * and the generic timer.
 */
#include <mmuon/efi_core.h>
#include <mmuon/efi_variables.h>

static struct vars vars;
static struct cfi_flash bank;

struct vars *efi_variables(void)
{
	return &vars;
}

struct cfi_flash *efi_variable_bank(void)
{
	return &bank;
}

EFI_STATUS EFIAPI efi_get_variable(CHAR16 *name, EFI_GUID *vendor,
				   UINT32 *attributes, UINTN *data_size,
				   VOID *data)
{
	return vars_get(&vars, name, vendor, attributes, data_size, data,
			efi_boot_services_exited());
}

EFI_STATUS EFIAPI efi_get_next_variable_name(UINTN *name_size, CHAR16 *name,
					     EFI_GUID *vendor)
{
	return vars_get_next(&vars, name_size, name, vendor,
			     efi_boot_services_exited());
}

EFI_STATUS EFIAPI efi_set_variable(CHAR16 *name, EFI_GUID *vendor,
				   UINT32 attributes, UINTN data_size,
				   VOID *data)
{
	return vars_set(&vars, name, vendor, attributes, data_size, data,
			efi_boot_services_exited());
}

EFI_STATUS EFIAPI efi_query_variable_info(UINT32 attributes,
					  UINT64 *max_storage,
					  UINT64 *remaining,
					  UINT64 *max_variable)
{
	return vars_query(&vars, attributes, max_storage, remaining,
			  max_variable, efi_boot_services_exited());
}
