// SPDX-License-Identifier: MIT
/*
 * The initrd as Linux's EFI stub looks for it (v5.8+): EFI_LOAD_FILE2 on a
 * handle whose device path is VenMedia(LINUX_EFI_INITRD_MEDIA_GUID)/End.
 * The stub asks for the size with a NULL buffer, allocates where it wants
 * the initrd to live, and asks again: fw_cfg DMAs the initrd straight into
 * that buffer. No staging copy.
 */
#include <mmuon/boot_internal.h>
#include <mmuon/console.h>
#include <mmuon/efi_core.h>
#include <mmuon/fw_cfg.h>

struct initrd_device_path {
	EFI_VENDOR_DEVICE_PATH vendor;
	EFI_DEVICE_PATH_PROTOCOL end;
} __attribute__((packed));

static const struct initrd_device_path initrd_path = {
	.vendor =
		{
			.Header = {MEDIA_DEVICE_PATH,
				   MEDIA_VENDOR_DP,
				   {sizeof(EFI_VENDOR_DEVICE_PATH), 0}},
			.Guid = LINUX_EFI_INITRD_MEDIA_GUID,
		},
	.end = {END_DEVICE_PATH_TYPE,
		END_ENTIRE_DEVICE_PATH_SUBTYPE,
		{sizeof(EFI_DEVICE_PATH_PROTOCOL), 0}},
};

static uint32_t initrd_size;

static EFI_STATUS EFIAPI initrd_load_file(EFI_LOAD_FILE2_PROTOCOL *this,
					  EFI_DEVICE_PATH_PROTOCOL *file_path,
					  BOOLEAN boot_policy,
					  UINTN *buffer_size, VOID *buffer)
{
	if (!this || !buffer_size || !file_path)
		return EFI_INVALID_PARAMETER;
	/* LoadFile2 never serves boot-manager requests (UEFI 13.2). */
	if (boot_policy)
		return EFI_UNSUPPORTED;
	/* Only the initrd itself: nothing may follow the vendor node. */
	if (file_path->Type != END_DEVICE_PATH_TYPE)
		return EFI_NOT_FOUND;
	if (!buffer || *buffer_size < initrd_size) {
		*buffer_size = initrd_size;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (fw_cfg_read(FW_CFG_INITRD_DATA, 0, buffer, initrd_size))
		return EFI_DEVICE_ERROR;
	*buffer_size = initrd_size;
	boot_stats.initrd_base = (uintptr_t)buffer;
	boot_stats.initrd_size = initrd_size;
	boot_stats_update();
	printf("mmuon: initrd at 0x%llx (%u bytes)\n",
	       (unsigned long long)(uintptr_t)buffer, initrd_size);
	return EFI_SUCCESS;
}

static EFI_LOAD_FILE2_PROTOCOL initrd_protocol = {initrd_load_file};

void initrd_install(void)
{
	EFI_HANDLE handle = NULL;
	EFI_STATUS status;

	initrd_size = fw_cfg_read_u32(FW_CFG_INITRD_SIZE);
	if (!initrd_size)
		return;
	status = efi_install_multiple_protocol_interfaces(
		&handle, &(EFI_GUID)EFI_DEVICE_PATH_PROTOCOL_GUID,
		(void *)&initrd_path, &(EFI_GUID)EFI_LOAD_FILE2_PROTOCOL_GUID,
		&initrd_protocol, NULL);
	if (status != EFI_SUCCESS)
		printf("mmuon: cannot offer the initrd (status 0x%llx)\n",
		       (unsigned long long)status);
}
