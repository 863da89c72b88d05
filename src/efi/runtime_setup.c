// SPDX-License-Identifier: MIT
/*
 * Boot-time setup of the runtime services (src/efi/runtime.c): the RTC,
 * the PSCI conduit, the variable store (src/efi/variables_setup.c), and the
 * EFI_RT_PROPERTIES_TABLE that says which services work after
 * ExitBootServices (UEFI 2.10 section 4.6.2).
 */
#include <mmuon/console.h>
#include <mmuon/efi_core.h>
#include <mmuon/efi_runtime.h>
#include <mmuon/pl031.h>
#include <mmuon/power.h>

static bool have_rtc;

static void init_rtc(const struct platform *p)
{
	if (!p->rtc.size) {
		printf("mmuon: no PL031 in the DT: GetTime/SetTime "
		       "unsupported\n");
		return;
	}
	if (!pl031_probe(p->rtc.base)) {
		printf("mmuon: no PL031 at 0x%llx: GetTime/SetTime "
		       "unsupported\n",
		       (unsigned long long)p->rtc.base);
		return;
	}
	pl031_init(p->rtc.base);
	efi_runtime_use_rtc(p->rtc.base);
	have_rtc = true;
}

/* Exactly what works after ExitBootServices (UEFI 2.10 4.6.2). */
static UINT32 supported_after_exit(void)
{
	UINT32 supported = EFI_RT_SUPPORTED_GET_VARIABLE |
			   EFI_RT_SUPPORTED_GET_NEXT_VARIABLE_NAME |
			   EFI_RT_SUPPORTED_SET_VARIABLE |
			   EFI_RT_SUPPORTED_QUERY_VARIABLE_INFO;

	if (have_rtc)
		supported |=
			EFI_RT_SUPPORTED_GET_TIME | EFI_RT_SUPPORTED_SET_TIME;
	if (power_conduit() != PSCI_NONE)
		supported |= EFI_RT_SUPPORTED_RESET_SYSTEM;
	return supported;
}

static void install_rt_properties(void)
{
	static EFI_GUID guid = EFI_RT_PROPERTIES_TABLE_GUID;
	EFI_RT_PROPERTIES_TABLE *table = efi_zalloc_runtime(sizeof(*table));
	EFI_STATUS status;

	if (!table) {
		printf("mmuon: no runtime memory for "
		       "EFI_RT_PROPERTIES_TABLE\n");
		return;
	}
	table->Version = EFI_RT_PROPERTIES_TABLE_VERSION;
	table->Length = sizeof(*table);
	table->RuntimeServicesSupported = supported_after_exit();
	status = efi_install_configuration_table(&guid, table);
	if (status != EFI_SUCCESS)
		printf("mmuon: cannot install EFI_RT_PROPERTIES_TABLE: "
		       "0x%llx\n",
		       (unsigned long long)status);
}

void efi_runtime_init(const struct platform *p)
{
	init_rtc(p);
	efi_runtime_use_psci(power_conduit());
	efi_variables_init(p);
	install_rt_properties();
	efi_table_set_crc(&efi_runtime_services.Hdr);
}
