/* SPDX-License-Identifier: MIT */
/*
 * How the pieces of mmuon's UEFI implementation talk to each other. Each
 * block names the file that implements it. Boot services are implemented
 * under their spec names in snake case (efi_allocate_pages for
 * AllocatePages) and collected into the table by src/efi/boot_services.c.
 *
 * Memory rule: everything the firmware allocates for itself comes from
 * efi_zalloc() (EfiBootServicesData, gone after ExitBootServices) unless a
 * runtime service needs it afterwards, which then uses
 * efi_zalloc_runtime() (EfiRuntimeServicesData). mmuon's own .data/.bss is
 * EfiRuntimeServicesData, its code (flash) EfiRuntimeServicesCode: runtime
 * services may use any global variable, but must not print, take locks or
 * touch page tables or system registers of the boot-time EL.
 */
#ifndef MMUON_EFI_CORE_H
#define MMUON_EFI_CORE_H

#include <efi/efi.h>

#include <mmuon/platform.h>

/* ---- memory: src/efi/memory.c ------------------------------------------ */
void efi_memory_init(const struct platform *p);
EFI_STATUS EFIAPI efi_allocate_pages(EFI_ALLOCATE_TYPE type,
				     EFI_MEMORY_TYPE memory_type, UINTN pages,
				     EFI_PHYSICAL_ADDRESS *memory);
EFI_STATUS EFIAPI efi_free_pages(EFI_PHYSICAL_ADDRESS memory, UINTN pages);
EFI_STATUS EFIAPI efi_get_memory_map(UINTN *map_size,
				     EFI_MEMORY_DESCRIPTOR *map, UINTN *map_key,
				     UINTN *descriptor_size,
				     UINT32 *descriptor_version);
EFI_STATUS EFIAPI efi_allocate_pool(EFI_MEMORY_TYPE pool_type, UINTN size,
				    VOID **buffer);
EFI_STATUS EFIAPI efi_free_pool(VOID *buffer);
/* @buffer is what AllocatePool returned, for at least @size bytes. */
bool efi_pool_holds(const void *buffer, UINTN size);
/*
 * AllocatePages and AllocatePool as the boot services table offers them:
 * the pages become the client's (efi_memory_give). The firmware allocates
 * for itself with the functions above.
 */
EFI_STATUS EFIAPI efi_client_allocate_pages(EFI_ALLOCATE_TYPE type,
					    EFI_MEMORY_TYPE memory_type,
					    UINTN pages,
					    EFI_PHYSICAL_ADDRESS *memory);
EFI_STATUS EFIAPI efi_client_allocate_pool(EFI_MEMORY_TYPE pool_type,
					   UINTN size, VOID **buffer);
/* Hands allocated pages to a client (an image's pages, by LoadImage). */
EFI_STATUS efi_memory_give(EFI_PHYSICAL_ADDRESS base, uint64_t pages);
/* Whether a client was given all of [base, base + size), as EfiLoader* or
 * EfiBootServices* memory: what it may change the permissions of. */
bool efi_memory_client_owns(EFI_PHYSICAL_ADDRESS base, UINT64 size);
/* Zeroed pool memory for the firmware itself; NULL when out of memory. */
void *efi_zalloc(UINTN size);
void *efi_zalloc_runtime(UINTN size);
void efi_free(void *p);
UINTN efi_memory_map_key(void);
/* Sets EFI_MEMORY_RO/XP on a range of the map (memory attribute protocol). */
EFI_STATUS efi_memory_set_attributes(EFI_PHYSICAL_ADDRESS base, UINT64 size,
				     UINT64 set, UINT64 clear);
EFI_STATUS efi_memory_get_attributes(EFI_PHYSICAL_ADDRESS base, UINT64 size,
				     UINT64 *attributes);
/* A device region runtime services drive: EfiMemoryMappedIO, which the OS
 * maps for them (whole 64 KiB units). */
void efi_memory_add_mmio(uint64_t base, uint64_t size, const char *what);
/* Kernel placement: a uniformly random aligned slot over all free RAM, or
 * the lowest one. */
EFI_STATUS efi_allocate_random(EFI_MEMORY_TYPE type, uint64_t pages,
			       uint64_t align, uint64_t random,
			       EFI_PHYSICAL_ADDRESS *addr);
EFI_STATUS efi_allocate_aligned(EFI_MEMORY_TYPE type, uint64_t pages,
				uint64_t align, EFI_PHYSICAL_ADDRESS *addr);
EFI_STATUS efi_allocate_lowest(EFI_MEMORY_TYPE type, uint64_t pages,
			       uint64_t align, EFI_PHYSICAL_ADDRESS *addr);

/* ---- protocol database: src/efi/protocol_db.c ------------------------ */
EFI_STATUS EFIAPI efi_install_protocol_interface(
	EFI_HANDLE *handle, EFI_GUID *protocol,
	EFI_INTERFACE_TYPE interface_type, VOID *interface);
EFI_STATUS EFIAPI efi_reinstall_protocol_interface(EFI_HANDLE handle,
						   EFI_GUID *protocol,
						   VOID *old_interface,
						   VOID *new_interface);
EFI_STATUS EFIAPI efi_uninstall_protocol_interface(EFI_HANDLE handle,
						   EFI_GUID *protocol,
						   VOID *interface);
EFI_STATUS EFIAPI efi_handle_protocol(EFI_HANDLE handle, EFI_GUID *protocol,
				      VOID **interface);
EFI_STATUS EFIAPI efi_register_protocol_notify(EFI_GUID *protocol,
					       EFI_EVENT event,
					       VOID **registration);
EFI_STATUS EFIAPI efi_locate_handle(EFI_LOCATE_SEARCH_TYPE search_type,
				    EFI_GUID *protocol, VOID *search_key,
				    UINTN *buffer_size, EFI_HANDLE *buffer);
EFI_STATUS EFIAPI efi_locate_device_path(EFI_GUID *protocol,
					 EFI_DEVICE_PATH_PROTOCOL **device_path,
					 EFI_HANDLE *device);
EFI_STATUS EFIAPI efi_open_protocol(EFI_HANDLE handle, EFI_GUID *protocol,
				    VOID **interface, EFI_HANDLE agent_handle,
				    EFI_HANDLE controller_handle,
				    UINT32 attributes);
EFI_STATUS EFIAPI efi_close_protocol(EFI_HANDLE handle, EFI_GUID *protocol,
				     EFI_HANDLE agent_handle,
				     EFI_HANDLE controller_handle);
EFI_STATUS EFIAPI efi_open_protocol_information(
	EFI_HANDLE handle, EFI_GUID *protocol,
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY **entry_buffer, UINTN *entry_count);
EFI_STATUS EFIAPI efi_protocols_per_handle(EFI_HANDLE handle,
					   EFI_GUID ***protocol_buffer,
					   UINTN *protocol_buffer_count);
EFI_STATUS EFIAPI efi_locate_handle_buffer(EFI_LOCATE_SEARCH_TYPE search_type,
					   EFI_GUID *protocol, VOID *search_key,
					   UINTN *no_handles,
					   EFI_HANDLE **buffer);
EFI_STATUS EFIAPI efi_locate_protocol(EFI_GUID *protocol, VOID *registration,
				      VOID **interface);
EFI_STATUS EFIAPI efi_install_multiple_protocol_interfaces(EFI_HANDLE *handle,
							   ...);
EFI_STATUS EFIAPI efi_uninstall_multiple_protocol_interfaces(EFI_HANDLE handle,
							     ...);
/* True if handle is a handle the database created and still holds. */
bool efi_handle_is_valid(EFI_HANDLE handle);
/* Removes a handle and all its protocols (UnloadImage). */
void efi_handle_delete(EFI_HANDLE handle);
/* Drops the RegisterProtocolNotify registrations of an event (CloseEvent). */
void efi_protocol_notify_unregister(EFI_EVENT event);

/* ---- events, timers, TPL: src/efi/events.c --------------------------- */
EFI_TPL EFIAPI efi_raise_tpl(EFI_TPL new_tpl);
VOID EFIAPI efi_restore_tpl(EFI_TPL old_tpl);
EFI_STATUS EFIAPI efi_create_event(UINT32 type, EFI_TPL notify_tpl,
				   EFI_EVENT_NOTIFY notify_function,
				   VOID *notify_context, EFI_EVENT *event);
EFI_STATUS EFIAPI efi_create_event_ex(UINT32 type, EFI_TPL notify_tpl,
				      EFI_EVENT_NOTIFY notify_function,
				      const VOID *notify_context,
				      const EFI_GUID *event_group,
				      EFI_EVENT *event);
EFI_STATUS EFIAPI efi_set_timer(EFI_EVENT event, EFI_TIMER_DELAY type,
				UINT64 trigger_time);
EFI_STATUS EFIAPI efi_wait_for_event(UINTN number_of_events, EFI_EVENT *event,
				     UINTN *index);
EFI_STATUS EFIAPI efi_signal_event(EFI_EVENT event);
EFI_STATUS EFIAPI efi_close_event(EFI_EVENT event);
EFI_STATUS EFIAPI efi_check_event(EFI_EVENT event);
/* Polls the generic timer and input sources; fires due timers. */
void efi_events_poll(void);
/* Signals EVT_SIGNAL_EXIT_BOOT_SERVICES events and the EBS event group. */
void efi_events_exit_boot_services(void);
/* Whether it has: the loader's memory map is final, nothing may allocate. */
bool efi_events_exit_boot_services_signaled(void);
/*
 * Signals EFI_EVENT_GROUP_BEFORE_EXIT_BOOT_SERVICES, once per boot: call it
 * at the start of ExitBootServices, before the map key check, because its
 * notification functions may still allocate (UEFI 2.10, section 7.4.6).
 * efi_events_exit_boot_services() calls it too if nobody did.
 */
void efi_events_before_exit_boot_services(void);
/*
 * Signals every event of a group (READY_TO_BOOT, MEMORY_MAP_CHANGE, and
 * VIRTUAL_ADDRESS_CHANGE from SetVirtualAddressMap) and runs the notify
 * functions the current TPL allows. Safe in runtime services.
 */
void efi_events_signal_group(const EFI_GUID *group);
/* True if event is an open event (for RegisterProtocolNotify). */
bool efi_event_is_valid(EFI_EVENT event);
/* Input sources for WaitForKey: called by efi_events_poll(). */
void efi_console_poll(void);

/* ---- small services: src/efi/misc_services.c ------------------------- */
EFI_STATUS EFIAPI efi_stall(UINTN microseconds);
EFI_STATUS EFIAPI efi_get_next_monotonic_count(UINT64 *count);
EFI_STATUS EFIAPI efi_set_watchdog_timer(UINTN timeout, UINT64 watchdog_code,
					 UINTN data_size,
					 CHAR16 *watchdog_data);
EFI_STATUS EFIAPI efi_calculate_crc32(VOID *data, UINTN data_size,
				      UINT32 *crc32);
VOID EFIAPI efi_copy_mem(VOID *destination, VOID *source, UINTN length);
VOID EFIAPI efi_set_mem(VOID *buffer, UINTN size, UINT8 value);
/* Generic timer: counter frequency and now, in 100 ns units. */
UINT64 efi_time_now_100ns(void);
/*
 * The runtime service GetNextHighMonotonicCount on the same counter as
 * GetNextMonotonicCount (no printing, no locks: runtime-safe).
 */
EFI_STATUS efi_next_high_monotonic_count(UINT32 *high_count);

/* ---- images: src/efi/image.c ----------------------------------------- */
EFI_STATUS EFIAPI efi_load_image(BOOLEAN boot_policy,
				 EFI_HANDLE parent_image_handle,
				 EFI_DEVICE_PATH_PROTOCOL *device_path,
				 VOID *source_buffer, UINTN source_size,
				 EFI_HANDLE *image_handle);
EFI_STATUS EFIAPI efi_start_image(EFI_HANDLE image_handle,
				  UINTN *exit_data_size, CHAR16 **exit_data);
EFI_STATUS EFIAPI efi_exit(EFI_HANDLE image_handle, EFI_STATUS exit_status,
			   UINTN exit_data_size, CHAR16 *exit_data);
EFI_STATUS EFIAPI efi_unload_image(EFI_HANDLE image_handle);
/* The firmware's own image handle (parent of what it loads). */
EFI_HANDLE efi_firmware_handle(void);

/* ---- system table, config tables, ExitBootServices: src/efi/system_table.c */
EFI_SYSTEM_TABLE *efi_system_table(void);
void efi_table_set_crc(EFI_TABLE_HEADER *header);
EFI_STATUS EFIAPI efi_install_configuration_table(EFI_GUID *guid, VOID *table);
/* The configuration table installed for @guid now, or NULL. */
void *efi_configuration_table(const EFI_GUID *guid);
EFI_STATUS EFIAPI efi_exit_boot_services(EFI_HANDLE image_handle,
					 UINTN map_key);
bool efi_boot_services_exited(void);

/* After the runtime allocations, and again after any later one:
 * src/efi/memattr_table.c */
void efi_memattr_table_install(void);

/* ---- boot services table: src/efi/boot_services.c --------------------- */
extern EFI_BOOT_SERVICES efi_boot_services;

/* ---- runtime services: src/efi/runtime*.c, src/efi/variables.c --------- */
extern EFI_RUNTIME_SERVICES efi_runtime_services;
/* Sets up the RTC, the variable store and the EFI_RT_PROPERTIES_TABLE. */
void efi_runtime_init(const struct platform *p);
/* The variable services, and their store: on flash or in RAM
 * (src/efi/variables.c). */
EFI_STATUS EFIAPI efi_get_variable(CHAR16 *name, EFI_GUID *vendor,
				   UINT32 *attributes, UINTN *data_size,
				   VOID *data);
EFI_STATUS EFIAPI efi_get_next_variable_name(UINTN *name_size, CHAR16 *name,
					     EFI_GUID *vendor);
EFI_STATUS EFIAPI efi_set_variable(CHAR16 *name, EFI_GUID *vendor,
				   UINT32 attributes, UINTN data_size,
				   VOID *data);
EFI_STATUS EFIAPI efi_query_variable_info(UINT32 attributes,
					  UINT64 *max_storage,
					  UINT64 *remaining,
					  UINT64 *max_variable);
void efi_variables_init(const struct platform *p);

/* ---- protocols on their own handles --------------------------------- */
void efi_console_install(void);			/* src/efi/console.c */
void efi_rng_install(const struct platform *p); /* src/efi/rng.c */
void efi_memory_attribute_install(void);	/* src/efi/memory_attribute.c */
void efi_pgtable_pool_install(void);		/* src/efi/pgtable_pool.c */

#endif
