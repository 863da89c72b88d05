// SPDX-License-Identifier: MIT
/*
 * Image services (UEFI 2.10 section 7.4): LoadImage, StartImage, Exit,
 * UnloadImage, and the EFI_LOADED_IMAGE_PROTOCOL of each image.
 *
 * Loading = lay the PE/COFF image out at its final address, relocate it if
 * it has relocations, make its code visible to instruction fetch, and give
 * each section its own permissions: code read-only and executable, data
 * read/write and execute-never (W^X). Images whose SectionAlignment is
 * below the 4 KiB page cannot have that and are refused.
 */
#include <string.h>

#include <mmuon/cache.h>
#include <mmuon/console.h>
#include <mmuon/context.h>
#include <mmuon/devpath_util.h>
#include <mmuon/efi_core.h>
#include <mmuon/efi_image.h>
#include <mmuon/mmu.h>
#include <mmuon/payload_copy.h>
#include <mmuon/pe.h>

struct image {
	struct image *next;
	EFI_HANDLE handle;
	EFI_LOADED_IMAGE_PROTOCOL loaded;
	EFI_DEVICE_PATH_PROTOCOL *device_path; /* LoadedImageDevicePath */
	EFI_IMAGE_ENTRY_POINT entry;
	EFI_PHYSICAL_ADDRESS base;
	uint64_t pages;
	uint16_t subsystem;
	bool started;
	EFI_STATUS exit_status;
	UINTN exit_data_size;
	CHAR16 *exit_data;
	struct context exit_context; /* where Exit returns to */
};

static struct image *images;
static struct image *running;
static EFI_HANDLE firmware_handle;

static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID loaded_image_path_guid =
	EFI_LOADED_IMAGE_DEVICE_PATH_PROTOCOL_GUID;
static EFI_GUID load_file_guid = EFI_LOAD_FILE_PROTOCOL_GUID;
static EFI_GUID load_file2_guid = EFI_LOAD_FILE2_PROTOCOL_GUID;

static struct image *find_image(EFI_HANDLE handle)
{
	struct image *img;

	for (img = images; img; img = img->next)
		if (img->handle == handle)
			return img;
	return NULL;
}

EFI_HANDLE efi_firmware_handle(void)
{
	static EFI_LOADED_IMAGE_PROTOCOL firmware_image;
	extern char __image_end[];

	if (!firmware_handle) {
		firmware_image = (EFI_LOADED_IMAGE_PROTOCOL){
			.Revision = EFI_LOADED_IMAGE_PROTOCOL_REVISION,
			.SystemTable = efi_system_table(),
			.ImageBase = (VOID *)0,
			.ImageSize = (uintptr_t)__image_end,
			.ImageCodeType = EfiRuntimeServicesCode,
			.ImageDataType = EfiRuntimeServicesData,
		};
		efi_install_protocol_interface(
			&firmware_handle, &loaded_image_guid,
			EFI_NATIVE_INTERFACE, &firmware_image);
	}
	return firmware_handle;
}

static EFI_MEMORY_TYPE code_type(uint16_t subsystem)
{
	if (subsystem == PE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER)
		return EfiBootServicesCode;
	if (subsystem == PE_SUBSYSTEM_EFI_RUNTIME_DRIVER)
		return EfiRuntimeServicesCode;
	return EfiLoaderCode;
}

static EFI_MEMORY_TYPE data_type(uint16_t subsystem)
{
	if (subsystem == PE_SUBSYSTEM_EFI_BOOT_SERVICE_DRIVER)
		return EfiBootServicesData;
	if (subsystem == PE_SUBSYSTEM_EFI_RUNTIME_DRIVER)
		return EfiRuntimeServicesData;
	return EfiLoaderData;
}

/* Headers read-only; each section as its characteristics say, never W+X. */
static EFI_STATUS protect_image(EFI_PHYSICAL_ADDRESS base,
				const struct pe_image *pe)
{
	uint32_t i;

	if (mmu_map(base, EFI_PAGE_SIZE * EFI_SIZE_TO_PAGES(pe->headers_size),
		    0))
		return EFI_OUT_OF_RESOURCES;
	for (i = 0; i < pe->num_sections; i++) {
		const struct pe_section *s = &pe->sections[i];
		unsigned perms = pe_section_perms(s->characteristics);
		unsigned flags = 0;

		if (perms & PE_PERM_X)
			flags = PG_EXEC;
		else if (perms & PE_PERM_W)
			flags = PG_WRITE;
		if ((perms & PE_PERM_X) && (perms & PE_PERM_W))
			return EFI_UNSUPPORTED; /* W^X: see docs */
		if (mmu_map(base + s->rva,
			    EFI_PAGE_SIZE * EFI_SIZE_TO_PAGES(s->mem_size),
			    flags))
			return EFI_OUT_OF_RESOURCES;
	}
	return EFI_SUCCESS;
}

/*
 * Gives an image's pages back. FreePages returns them to plain RAM
 * (read/write, execute-never) in the live tables before the memory map
 * calls them free; if it cannot, they stay allocated, and protected.
 */
static void free_image_pages(EFI_PHYSICAL_ADDRESS base, uint64_t pages)
{
	EFI_STATUS status = efi_free_pages(base, pages);

	if (status != EFI_SUCCESS)
		printf("mmuon: cannot free the image at 0x%llx (%llu pages): "
		       "0x%llx\n",
		       (unsigned long long)base, (unsigned long long)pages,
		       (unsigned long long)status);
}

static EFI_DEVICE_PATH_PROTOCOL *
copy_device_path(const EFI_DEVICE_PATH_PROTOCOL *path)
{
	size_t size;
	void *copy;

	if (!path || devpath_validate(path, DEVPATH_MAX_SIZE, &size))
		return NULL;
	copy = efi_zalloc(size);
	if (copy)
		memcpy(copy, path, size);
	return copy;
}

EFI_STATUS efi_image_adopt(EFI_PHYSICAL_ADDRESS base, uint64_t pages,
			   const struct pe_image *pe, EFI_HANDLE parent,
			   EFI_DEVICE_PATH_PROTOCOL *device_path,
			   EFI_HANDLE *image_handle)
{
	EFI_DEVICE_PATH_PROTOCOL *remaining = device_path;
	EFI_HANDLE device = NULL;
	struct image *img;
	EFI_STATUS status;

	if (pe->section_alignment < EFI_PAGE_SIZE)
		return EFI_UNSUPPORTED;
	if (pe->reloc.size) {
		uint64_t delta = base - pe->image_base;

		if (pe_relocate((void *)(uintptr_t)base, pe->image_size, delta,
				&pe->reloc) != PE_OK)
			return EFI_LOAD_ERROR;
	}
	/* Arm ARM: code written through the data side, then executed. */
	cache_sync_code((void *)(uintptr_t)base, pe->image_size);
	status = protect_image(base, pe);
	if (status == EFI_SUCCESS) /* its own permissions to change */
		status = efi_memory_give(base, pages);
	if (status != EFI_SUCCESS)
		return status;

	img = efi_zalloc(sizeof(*img));
	if (!img)
		return EFI_OUT_OF_RESOURCES;
	if (device_path)
		efi_locate_device_path(&(EFI_GUID)EFI_DEVICE_PATH_PROTOCOL_GUID,
				       &remaining, &device);
	img->base = base;
	img->pages = pages;
	img->subsystem = pe->subsystem;
	img->entry = (EFI_IMAGE_ENTRY_POINT)(uintptr_t)(base + pe->entry_rva);
	img->device_path = copy_device_path(device_path);
	img->loaded = (EFI_LOADED_IMAGE_PROTOCOL){
		.Revision = EFI_LOADED_IMAGE_PROTOCOL_REVISION,
		.ParentHandle = parent,
		.SystemTable = efi_system_table(),
		.DeviceHandle = device,
		.FilePath = copy_device_path(device ? remaining : device_path),
		.ImageBase = (VOID *)(uintptr_t)base,
		.ImageSize = pe->image_size,
		.ImageCodeType = code_type(pe->subsystem),
		.ImageDataType = data_type(pe->subsystem),
	};
	status = efi_install_multiple_protocol_interfaces(
		&img->handle, &loaded_image_guid, &img->loaded,
		&loaded_image_path_guid, img->device_path, NULL);
	if (status != EFI_SUCCESS) {
		efi_free(img);
		return status;
	}
	img->next = images;
	images = img;
	*image_handle = img->handle;
	return EFI_SUCCESS;
}

/* Copies a PE file from a buffer to newly allocated pages. */
static EFI_STATUS load_from_buffer(EFI_HANDLE parent,
				   EFI_DEVICE_PATH_PROTOCOL *device_path,
				   const void *file, UINTN file_size,
				   EFI_HANDLE *image_handle)
{
	struct pe_image pe;
	EFI_PHYSICAL_ADDRESS base = 0;
	uint64_t pages;
	EFI_STATUS status;
	uint32_t i;
	enum pe_status rc = pe_parse(file, file_size, file_size, &pe);

	if (rc == PE_ERR_MACHINE || rc == PE_ERR_PE32 || rc == PE_ERR_SUBSYSTEM)
		return EFI_UNSUPPORTED;
	if (rc != PE_OK)
		return EFI_LOAD_ERROR;
	if (pe.section_alignment < EFI_PAGE_SIZE)
		return EFI_UNSUPPORTED;
	pages = EFI_SIZE_TO_PAGES(pe.image_size);
	status = efi_allocate_aligned(code_type(pe.subsystem), pages,
				      pe.section_alignment, &base);
	if (status != EFI_SUCCESS)
		return status;
	memset((void *)(uintptr_t)base, 0, pages * EFI_PAGE_SIZE);
	payload_copy((void *)(uintptr_t)base, file, pe.headers_size);
	for (i = 0; i < pe.num_sections; i++)
		payload_copy((void *)(uintptr_t)(base + pe.sections[i].rva),
			     (const uint8_t *)file + pe.sections[i].file_offset,
			     pe.sections[i].file_size);
	status = efi_image_adopt(base, pages, &pe, parent, device_path,
				 image_handle);
	if (status != EFI_SUCCESS)
		free_image_pages(base, pages);
	return status;
}

/* LoadFile2 (or LoadFile) on the handle the device path leads to. */
static EFI_STATUS load_from_device_path(BOOLEAN boot_policy,
					EFI_DEVICE_PATH_PROTOCOL *path,
					void **file, UINTN *size)
{
	EFI_DEVICE_PATH_PROTOCOL *remaining = path;
	EFI_LOAD_FILE_PROTOCOL *load_file;
	EFI_HANDLE handle;
	EFI_STATUS status;

	status = efi_locate_device_path(&load_file2_guid, &remaining, &handle);
	if (status != EFI_SUCCESS || boot_policy) {
		remaining = path;
		status = efi_locate_device_path(&load_file_guid, &remaining,
						&handle);
		if (status != EFI_SUCCESS)
			return EFI_NOT_FOUND;
		efi_handle_protocol(handle, &load_file_guid,
				    (void **)&load_file);
	} else {
		efi_handle_protocol(handle, &load_file2_guid,
				    (void **)&load_file);
	}
	*size = 0;
	status = load_file->LoadFile(load_file, remaining, boot_policy, size,
				     NULL);
	if (status != EFI_BUFFER_TOO_SMALL)
		return status == EFI_SUCCESS ? EFI_LOAD_ERROR : status;
	status = efi_allocate_pool(EfiBootServicesData, *size, file);
	if (status != EFI_SUCCESS)
		return status;
	status = load_file->LoadFile(load_file, remaining, boot_policy, size,
				     *file);
	if (status != EFI_SUCCESS)
		efi_free_pool(*file);
	return status;
}

EFI_STATUS EFIAPI efi_load_image(BOOLEAN boot_policy, EFI_HANDLE parent,
				 EFI_DEVICE_PATH_PROTOCOL *device_path,
				 VOID *source_buffer, UINTN source_size,
				 EFI_HANDLE *image_handle)
{
	void *file = NULL;
	UINTN size = 0;
	EFI_STATUS status;

	if (!image_handle || !efi_handle_is_valid(parent))
		return EFI_INVALID_PARAMETER;
	if (source_buffer)
		return load_from_buffer(parent, device_path, source_buffer,
					source_size, image_handle);
	if (!device_path)
		return EFI_NOT_FOUND;
	status = load_from_device_path(boot_policy, device_path, &file, &size);
	if (status != EFI_SUCCESS)
		return status;
	status =
		load_from_buffer(parent, device_path, file, size, image_handle);
	efi_free_pool(file);
	return status;
}

static void delete_image(struct image *img)
{
	struct image **p;

	for (p = &images; *p; p = &(*p)->next) {
		if (*p == img) {
			*p = img->next;
			break;
		}
	}
	efi_handle_delete(img->handle);
	free_image_pages(img->base, img->pages);
	efi_free(img->device_path);
	efi_free(img->loaded.FilePath);
	efi_free(img);
}

EFI_STATUS EFIAPI efi_start_image(EFI_HANDLE image_handle,
				  UINTN *exit_data_size, CHAR16 **exit_data)
{
	/* volatile: both must survive the return from context_save(). */
	struct image *volatile img = find_image(image_handle);
	struct image *volatile caller = running;
	EFI_STATUS status;

	if (!img || img->started)
		return EFI_INVALID_PARAMETER;
	img->started = true;
	running = img;
	if (context_save(&img->exit_context) == 0)
		img->exit_status = img->entry(img->handle, efi_system_table());
	running = caller;
	status = img->exit_status;
	if (exit_data_size && exit_data) {
		*exit_data_size = img->exit_data_size;
		*exit_data = img->exit_data;
	} else if (img->exit_data) {
		efi_free_pool(img->exit_data);
	}
	/* Applications, and drivers that failed, are unloaded (7.4.2). */
	if (img->subsystem == PE_SUBSYSTEM_EFI_APPLICATION || EFI_ERROR(status))
		delete_image(img);
	return status;
}

EFI_STATUS EFIAPI efi_exit(EFI_HANDLE image_handle, EFI_STATUS exit_status,
			   UINTN exit_data_size, CHAR16 *exit_data)
{
	struct image *img = find_image(image_handle);

	if (!img)
		return EFI_INVALID_PARAMETER;
	if (!img->started) { /* loaded, never started: just unload it */
		delete_image(img);
		return EFI_SUCCESS;
	}
	if (img != running)
		return EFI_INVALID_PARAMETER;
	img->exit_status = exit_status;
	img->exit_data_size = exit_data ? exit_data_size : 0;
	img->exit_data = exit_data;
	context_resume(&img->exit_context);
}

EFI_STATUS EFIAPI efi_unload_image(EFI_HANDLE image_handle)
{
	struct image *img = find_image(image_handle);
	EFI_STATUS status;

	if (!img)
		return EFI_INVALID_PARAMETER;
	if (img->started) {
		if (!img->loaded.Unload)
			return EFI_UNSUPPORTED;
		status = img->loaded.Unload(image_handle);
		if (status != EFI_SUCCESS)
			return status;
	}
	delete_image(img);
	return EFI_SUCCESS;
}

EFI_LOADED_IMAGE_PROTOCOL *efi_image_loaded(EFI_HANDLE image_handle)
{
	struct image *img = find_image(image_handle);

	return img ? &img->loaded : NULL;
}
