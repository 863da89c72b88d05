// SPDX-License-Identifier: MIT
/*
 * The page-table pool, visible to EFI applications: a vendor protocol
 * (MMUON_PGTABLE_POOL_PROTOCOL_GUID) whose interface is mmu.c's live
 * struct mmu_pool_stats (four UINT64s: pages in the pool, tables in use,
 * the peak, pages grown from RAM), read-only. It lets a test see that
 * tables come back when mappings become uniform again, and that the pool
 * grows only when the mappings need it.
 */
#include <mmuon/console.h>
#include <mmuon/efi_core.h>
#include <mmuon/mmu.h>

void efi_pgtable_pool_install(void)
{
	EFI_HANDLE handle = NULL;
	EFI_STATUS status = efi_install_protocol_interface(
		&handle, &(EFI_GUID)MMUON_PGTABLE_POOL_PROTOCOL_GUID,
		EFI_NATIVE_INTERFACE, (void *)mmu_pool_stats());

	if (status != EFI_SUCCESS)
		printf("mmuon: cannot install the page-table pool protocol: "
		       "0x%llx\n",
		       (unsigned long long)status);
}
