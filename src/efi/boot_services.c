// SPDX-License-Identifier: MIT
/*
 * The EFI_BOOT_SERVICES table (UEFI 2.10 section 4.4): one pointer per
 * service, in the spec's order, each implemented in the file efi_core.h
 * names. ConnectController/DisconnectController belong to the driver
 * model, which mmuon does not have: it loads no drivers, so there is
 * never a driver to connect (EFI_NOT_FOUND).
 */
#include <mmuon/efi_core.h>

static EFI_STATUS EFIAPI connect_controller(EFI_HANDLE controller,
					    EFI_HANDLE *driver_image,
					    EFI_DEVICE_PATH_PROTOCOL *remaining,
					    BOOLEAN recursive)
{
	(void)driver_image;
	(void)remaining;
	(void)recursive;
	return efi_handle_is_valid(controller) ? EFI_NOT_FOUND
					       : EFI_INVALID_PARAMETER;
}

static EFI_STATUS EFIAPI disconnect_controller(EFI_HANDLE controller,
					       EFI_HANDLE driver_image,
					       EFI_HANDLE child)
{
	(void)driver_image;
	(void)child;
	return efi_handle_is_valid(controller) ? EFI_SUCCESS
					       : EFI_INVALID_PARAMETER;
}

EFI_BOOT_SERVICES efi_boot_services = {
	.Hdr =
		{
			.Signature = EFI_BOOT_SERVICES_SIGNATURE,
			.Revision = EFI_BOOT_SERVICES_REVISION,
			.HeaderSize = sizeof(EFI_BOOT_SERVICES),
		},
	.RaiseTPL = efi_raise_tpl,
	.RestoreTPL = efi_restore_tpl,
	.AllocatePages = efi_client_allocate_pages,
	.FreePages = efi_free_pages,
	.GetMemoryMap = efi_get_memory_map,
	.AllocatePool = efi_client_allocate_pool,
	.FreePool = efi_free_pool,
	.CreateEvent = efi_create_event,
	.SetTimer = efi_set_timer,
	.WaitForEvent = efi_wait_for_event,
	.SignalEvent = efi_signal_event,
	.CloseEvent = efi_close_event,
	.CheckEvent = efi_check_event,
	.InstallProtocolInterface = efi_install_protocol_interface,
	.ReinstallProtocolInterface = efi_reinstall_protocol_interface,
	.UninstallProtocolInterface = efi_uninstall_protocol_interface,
	.HandleProtocol = efi_handle_protocol,
	.RegisterProtocolNotify = efi_register_protocol_notify,
	.LocateHandle = efi_locate_handle,
	.LocateDevicePath = efi_locate_device_path,
	.InstallConfigurationTable = efi_install_configuration_table,
	.LoadImage = efi_load_image,
	.StartImage = efi_start_image,
	.Exit = efi_exit,
	.UnloadImage = efi_unload_image,
	.ExitBootServices = efi_exit_boot_services,
	.GetNextMonotonicCount = efi_get_next_monotonic_count,
	.Stall = efi_stall,
	.SetWatchdogTimer = efi_set_watchdog_timer,
	.ConnectController = connect_controller,
	.DisconnectController = disconnect_controller,
	.OpenProtocol = efi_open_protocol,
	.CloseProtocol = efi_close_protocol,
	.OpenProtocolInformation = efi_open_protocol_information,
	.ProtocolsPerHandle = efi_protocols_per_handle,
	.LocateHandleBuffer = efi_locate_handle_buffer,
	.LocateProtocol = efi_locate_protocol,
	.InstallMultipleProtocolInterfaces =
		efi_install_multiple_protocol_interfaces,
	.UninstallMultipleProtocolInterfaces =
		efi_uninstall_multiple_protocol_interfaces,
	.CalculateCrc32 = efi_calculate_crc32,
	.CopyMem = efi_copy_mem,
	.SetMem = efi_set_mem,
	.CreateEventEx = efi_create_event_ex,
};
