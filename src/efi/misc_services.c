// SPDX-License-Identifier: MIT
/*
 * The miscellaneous boot services (UEFI 2.10, section 7.5) and the time
 * source of the event code: the generic timer's virtual counter.
 */
#include <string.h>

#include <mmuon/crc32.h>
#include <mmuon/efi_core.h>
#include <mmuon/timer.h>

#define HUNDRED_NS_PER_SECOND 10000000ULL

/*
 * ticks * 10^7 / hz without overflowing 64 bits: whole seconds and the
 * remainder separately (the remainder is below hz, which fits 32 bits).
 */
static UINT64 ticks_to_100ns(UINT64 ticks, UINT64 hz)
{
	return ticks / hz * HUNDRED_NS_PER_SECOND +
	       ticks % hz * HUNDRED_NS_PER_SECOND / hz;
}

UINT64 efi_time_now_100ns(void)
{
	return ticks_to_100ns(timer_count(), timer_frequency());
}

/*
 * Stall (section 7.5.2) busy-waits on the counter. It polls the events
 * meanwhile, as a firmware with timer interrupts would fire timers during
 * a stall; the TPL still decides which notifications may run.
 */
EFI_STATUS EFIAPI efi_stall(UINTN microseconds)
{
	UINT64 start = efi_time_now_100ns();
	UINT64 wait = microseconds > UINT64_MAX / 10
			      ? UINT64_MAX
			      : (UINT64)microseconds * 10;

	while (efi_time_now_100ns() - start < wait) {
		efi_events_poll();
		cpu_relax();
	}
	return EFI_SUCCESS;
}

/*
 * The platform monotonic counter (sections 7.5.3 and 8.4.1): the low 32
 * bits count GetNextMonotonicCount calls since reset, the high 32 bits
 * count boots and low-half overflows. mmuon has no non-volatile store for
 * the boot count, so the high half starts at 0 on every boot. The whole
 * 64 bits never wrap: once exhausted, the services fail with
 * EFI_DEVICE_ERROR rather than go back to a value already handed out.
 */
static UINT64 monotonic_count;

EFI_STATUS EFIAPI efi_get_next_monotonic_count(UINT64 *count)
{
	if (!count)
		return EFI_INVALID_PARAMETER;
	if (monotonic_count == UINT64_MAX)
		return EFI_DEVICE_ERROR;
	/* A low-half overflow carries into the high half, as specified. */
	*count = monotonic_count++;
	return EFI_SUCCESS;
}

EFI_STATUS efi_next_high_monotonic_count(UINT32 *high_count)
{
	UINT32 high;

	if (!high_count)
		return EFI_INVALID_PARAMETER;
	high = (UINT32)(monotonic_count >> 32);
	if (high == UINT32_MAX)
		return EFI_DEVICE_ERROR;
	/* The low half restarts: the full count still only grows. */
	monotonic_count = (UINT64)(high + 1) << 32;
	*high_count = high + 1;
	return EFI_SUCCESS;
}

/*
 * SetWatchdogTimer (section 7.5.1). The timeout is recorded but mmuon
 * never resets the machine when it expires: there are no interrupts to
 * notice the expiry while a client runs, and a VM reset in the middle of a
 * slow boot (TCG, a large initrd) would turn a slow boot into a boot loop.
 * Codes 0 to 0xffff are reserved for the firmware, so a client arming the
 * watchdog with one is refused; disarming (timeout 0) is accepted with any
 * code, because loaders commonly disarm with code 0 and the code is only
 * what would be logged on expiry.
 */
#define WATCHDOG_FIRMWARE_CODES_END 0xffffULL

static UINTN watchdog_timeout_seconds;
static UINT64 watchdog_code;

EFI_STATUS EFIAPI efi_set_watchdog_timer(UINTN timeout, UINT64 code,
					 UINTN data_size, CHAR16 *data)
{
	(void)data_size;
	(void)data;
	if (timeout && code <= WATCHDOG_FIRMWARE_CODES_END)
		return EFI_INVALID_PARAMETER;
	watchdog_timeout_seconds = timeout;
	watchdog_code = timeout ? code : 0;
	return EFI_SUCCESS;
}

/* CalculateCrc32 (section 7.5.4): the CRC of the EFI table headers. */
EFI_STATUS EFIAPI efi_calculate_crc32(VOID *data, UINTN data_size,
				      UINT32 *crc32)
{
	if (!data || !data_size || !crc32)
		return EFI_INVALID_PARAMETER;
	*crc32 = crc32_calc(data, data_size);
	return EFI_SUCCESS;
}

/* CopyMem (section 7.5.5) must handle overlapping buffers. */
VOID EFIAPI efi_copy_mem(VOID *destination, VOID *source, UINTN length)
{
	if (length && destination != source)
		memmove(destination, source, length);
}

VOID EFIAPI efi_set_mem(VOID *buffer, UINTN size, UINT8 value)
{
	if (size)
		memset(buffer, value, size);
}
