// SPDX-License-Identifier: MIT
/*
 * EFI_RUNTIME_SERVICES (UEFI 2.10, chapter 8): the services themselves and
 * the state they use. This whole file is runtime code (RT_SRCS in the
 * Makefile): it runs from the EfiRuntimeServicesCode copy in RAM, and its
 * data is EfiRuntimeServicesData. It may call only runtime code and touch
 * only runtime data, the caller's buffers and the devices the memory map
 * marks EFI_MEMORY_RUNTIME; tools/check_runtime.py checks the first two at
 * build time. Boot-time setup is in runtime_setup.c.
 *
 *   GetTime/SetTime        the PL031 from the DT (seconds, UTC)
 *   variables              src/efi/variables.c: on the flash variable
 *                          bank, or in RAM without one
 *   ResetSystem            PSCI SYSTEM_RESET / SYSTEM_OFF
 *   GetNextHighMonotonicCount  a counter from 0 (no persistent storage)
 *   everything else        EFI_UNSUPPORTED
 *
 * SetVirtualAddressMap is not supported and not advertised, so Linux calls
 * the services through a 1:1 mapping of the EFI_MEMORY_RUNTIME regions of
 * the memory map (the runtime code and data regions, the RTC and the
 * variable store's flash).
 */
#include <mmuon/efi_core.h>
#include <mmuon/efi_runtime.h>
#include <mmuon/pl031.h>
#include <mmuon/power.h> /* PSCI function IDs; runtime code calls none of it */
#include <mmuon/smccc.h>
#include <mmuon/time_convert.h>

/* The PL031 counts seconds: resolution 1 Hz; 50 ppm (times 10^6) is the
 * figure commonly given for RTC crystals; under a VMM it is the host's. */
#define RTC_RESOLUTION 1
#define RTC_ACCURACY 50000000

static uintptr_t rtc_base; /* 0: no usable RTC */
/*
 * TimeZone and Daylight as SetTime gave them (UEFI 2.10 8.3.1: GetTime
 * returns what was set). The PL031 itself holds UTC -- Linux's PL031
 * driver reads it directly -- so these live in RAM and revert to
 * "unspecified, no daylight" at reset.
 */
static INT16 rtc_time_zone = EFI_UNSPECIFIED_TIMEZONE;
static UINT8 rtc_daylight;

static UINT32 high_monotonic_count;
static bool boot_services_exited;
static enum psci_conduit psci_conduit = PSCI_NONE;

/* FirmwareVendor of the system table: read by the OS after
 * ExitBootServices, so in the runtime region. */
const CHAR16 efi_firmware_vendor[] = u"mmuon";

/* ---- set up at boot (runtime_setup.c, system_table.c) ------------------- */

void efi_runtime_use_rtc(uintptr_t base)
{
	rtc_base = base;
}

void efi_runtime_use_psci(enum psci_conduit conduit)
{
	psci_conduit = conduit;
}

void efi_runtime_mark_boot_services_exited(void)
{
	boot_services_exited = true;
}

bool efi_boot_services_exited(void)
{
	return boot_services_exited;
}

/* ---- time --------------------------------------------------------------- */

/*
 * UEFI 2.10 8.3.1: "Localtime = UTC + TimeZone" (TimeZone in minutes; PST
 * is -480). UEFI 2.6 and older had the opposite sign; EDK2's PL031 driver
 * follows the current text, and so do we.
 */
static int64_t utc_to_local(int64_t seconds, INT16 zone)
{
	if (zone == EFI_UNSPECIFIED_TIMEZONE)
		return seconds;
	return seconds + (int64_t)zone * 60;
}

static EFI_STATUS EFIAPI rt_get_time(EFI_TIME *time,
				     EFI_TIME_CAPABILITIES *capabilities)
{
	int64_t local;

	if (!time)
		return EFI_INVALID_PARAMETER;
	if (!rtc_base)
		return EFI_UNSUPPORTED;
	local = utc_to_local(pl031_read_seconds(rtc_base), rtc_time_zone);
	/* 0..2^32-1 seconds, +-1 day: always within 1900..9999. */
	if (!efi_time_from_epoch(local, time))
		return EFI_DEVICE_ERROR;
	time->TimeZone = rtc_time_zone;
	time->Daylight = rtc_daylight;
	if (capabilities) {
		capabilities->Resolution = RTC_RESOLUTION;
		capabilities->Accuracy = RTC_ACCURACY;
		capabilities->SetsToZero = FALSE;
	}
	return EFI_SUCCESS;
}

/*
 * The PL031 holds 1970-01-01 00:00:00 to 2106-02-07 06:28:15 UTC; a valid
 * EFI_TIME outside that cannot be stored: EFI_INVALID_PARAMETER ("a time
 * field is out of range" of this RTC).
 */
static EFI_STATUS EFIAPI rt_set_time(EFI_TIME *time)
{
	int64_t utc;

	if (!time || !efi_time_is_valid(time))
		return EFI_INVALID_PARAMETER;
	if (!rtc_base)
		return EFI_UNSUPPORTED;
	utc = efi_time_to_epoch(time);
	if (time->TimeZone != EFI_UNSPECIFIED_TIMEZONE)
		utc -= (int64_t)time->TimeZone * 60;
	if (utc < 0 || utc > UINT32_MAX)
		return EFI_INVALID_PARAMETER;
	pl031_write_seconds(rtc_base, (uint32_t)utc);
	rtc_time_zone = time->TimeZone;
	rtc_daylight = time->Daylight;
	return EFI_SUCCESS;
}

/* The PL031 match register could wake nothing here: no wakeup alarm. */
static EFI_STATUS EFIAPI rt_get_wakeup_time(BOOLEAN *enabled, BOOLEAN *pending,
					    EFI_TIME *time)
{
	(void)enabled;
	(void)pending;
	(void)time;
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI rt_set_wakeup_time(BOOLEAN enable, EFI_TIME *time)
{
	(void)enable;
	(void)time;
	return EFI_UNSUPPORTED;
}

/* ---- virtual memory: not supported (and not advertised) ----------------- */

static EFI_STATUS EFIAPI rt_set_virtual_address_map(
	UINTN map_size, UINTN descriptor_size, UINT32 descriptor_version,
	EFI_MEMORY_DESCRIPTOR *virtual_map)
{
	(void)map_size;
	(void)descriptor_size;
	(void)descriptor_version;
	(void)virtual_map;
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI rt_convert_pointer(UINTN debug_disposition,
					    VOID **address)
{
	(void)debug_disposition;
	(void)address;
	return EFI_UNSUPPORTED;
}

/* ---- miscellaneous ------------------------------------------------------ */

/*
 * UEFI wants the high 32 bits of the monotonic count to persist across
 * resets; with no persistent storage this counts from 0 at every boot.
 * Not advertised in the EFI_RT_PROPERTIES_TABLE for that reason.
 */
static EFI_STATUS EFIAPI rt_get_next_high_monotonic_count(UINT32 *high_count)
{
	if (!high_count)
		return EFI_INVALID_PARAMETER;
	if (high_monotonic_count == UINT32_MAX)
		return EFI_DEVICE_ERROR; /* the count is exhausted */
	*high_count = ++high_monotonic_count;
	return EFI_SUCCESS;
}

/*
 * Cold, warm and platform-specific resets are all PSCI SYSTEM_RESET (the
 * VM is rebuilt either way); EfiResetShutdown is SYSTEM_OFF. Only the PSCI
 * call, before and after ExitBootServices: without PSCI (never the case
 * for QEMU virt at EL1 or EL2) ResetSystem is not advertised in the
 * EFI_RT_PROPERTIES_TABLE, and a caller that tries anyway waits here.
 */
static VOID EFIAPI rt_reset_system(EFI_RESET_TYPE type, EFI_STATUS status,
				   UINTN data_size, VOID *data)
{
	(void)status;
	(void)data_size;
	(void)data;
	smccc_call_on(psci_conduit,
		      type == EfiResetShutdown ? PSCI_SYSTEM_OFF
					       : PSCI_SYSTEM_RESET,
		      0, 0, 0);
	for (;;)
		asm volatile("wfi");
}

static EFI_STATUS EFIAPI rt_update_capsule(EFI_CAPSULE_HEADER **capsules,
					   UINTN count,
					   EFI_PHYSICAL_ADDRESS scatter_gather)
{
	(void)capsules;
	(void)count;
	(void)scatter_gather;
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI
rt_query_capsule_capabilities(EFI_CAPSULE_HEADER **capsules, UINTN count,
			      UINT64 *max_size, EFI_RESET_TYPE *reset_type)
{
	(void)capsules;
	(void)count;
	(void)max_size;
	(void)reset_type;
	return EFI_UNSUPPORTED;
}

EFI_RUNTIME_SERVICES efi_runtime_services = {
	.Hdr.Signature = EFI_RUNTIME_SERVICES_SIGNATURE,
	.Hdr.Revision = EFI_RUNTIME_SERVICES_REVISION,
	.Hdr.HeaderSize = sizeof(EFI_RUNTIME_SERVICES),
	.GetTime = rt_get_time,
	.SetTime = rt_set_time,
	.GetWakeupTime = rt_get_wakeup_time,
	.SetWakeupTime = rt_set_wakeup_time,
	.SetVirtualAddressMap = rt_set_virtual_address_map,
	.ConvertPointer = rt_convert_pointer,
	.GetVariable = efi_get_variable,
	.GetNextVariableName = efi_get_next_variable_name,
	.SetVariable = efi_set_variable,
	.GetNextHighMonotonicCount = rt_get_next_high_monotonic_count,
	.ResetSystem = rt_reset_system,
	.UpdateCapsule = rt_update_capsule,
	.QueryCapsuleCapabilities = rt_query_capsule_capabilities,
	.QueryVariableInfo = efi_query_variable_info,
};
