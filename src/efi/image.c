// SPDX-License-Identifier: MIT
/*
 * Image services (UEFI 2.10 section 7.4): LoadImage, StartImage, Exit,
 * UnloadImage, and the EFI_LOADED_IMAGE_PROTOCOL of each image.
 *
 * Loading = lay the PE/COFF image out at its final address, relocate it if
 * it has relocations, make its code visible to instruction fetch, and give
 * each section its own permissions.
 *
 * W^X, and the images built before it. What an image gets depends on what
 * it declares (PE DllCharacteristics, IMAGE_DLLCHARACTERISTICS_NX_COMPAT):
 *   - NX_COMPAT (Linux, systemd-stub 254): strict W^X. Code read-only and
 *     executable, data read/write and execute-never; a section asking for
 *     both, or a SectionAlignment below the 4 KiB page, is refused; memory
 *     it allocates is never executable unless it asks through
 *     EFI_MEMORY_ATTRIBUTE_PROTOCOL.
 *   - no NX_COMPAT (GRUB 2.06/2.12, gnu-efi programs such as systemd 252,
 *     older shims): what such images were built for, as EDK2 gives it.
 *     While one runs, the EfiLoaderCode it allocates is readable, writable
 *     and executable (GRUB runs its modules from such a heap). Its own
 *     sections keep their PE permissions; a section asking for W+X, or a
 *     whole image with SectionAlignment below 4 KiB, is mapped RWX.
 * The policy follows the image that runs: Linux started by GRUB gets the
 * strict one for its own image and allocations. Each image of the second
 * kind is named on the console once, and counted (efi_image_non_nx_count).
 */
#include <string.h>

#include <mmuon/cache.h>
#include <mmuon/console.h>
#include <mmuon/context.h>
#include <mmuon/devpath_util.h>
#include <mmuon/efi_core.h>
#include <mmuon/efi_image.h>
#include <mmuon/file_path.h>
#include <mmuon/fmt.h>
#include <mmuon/mmu.h>
#include <mmuon/payload_copy.h>
#include <mmuon/pe.h>
#include <mmuon/ucs2.h>

struct image {
	struct image *next;
	EFI_HANDLE handle;
	EFI_LOADED_IMAGE_PROTOCOL loaded;
	EFI_DEVICE_PATH_PROTOCOL *device_path; /* LoadedImageDevicePath */
	EFI_IMAGE_ENTRY_POINT entry;
	EFI_PHYSICAL_ADDRESS base;
	uint64_t pages;
	uint16_t subsystem;
	bool strict_wx; /* NX_COMPAT: see the top of this file */
	bool started;
	EFI_STATUS exit_status;
	UINTN exit_data_size;
	CHAR16 *exit_data;
	struct context exit_context; /* where Exit returns to */
};

static struct image *images;
static struct image *running;
static EFI_HANDLE firmware_handle;
static uint32_t non_nx_images;
static efi_image_placer placer;
static void (*placed_loaded)(void);

static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID loaded_image_path_guid =
	EFI_LOADED_IMAGE_DEVICE_PATH_PROTOCOL_GUID;

static void delete_image(struct image *img);

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

uint32_t efi_image_non_nx_count(void)
{
	return non_nx_images;
}

void efi_image_set_placer(efi_image_placer p, void (*loaded)(void))
{
	placer = p;
	placed_loaded = loaded;
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

static bool is_strict_wx(const struct pe_image *pe)
{
	return pe->dll_characteristics & PE_DLL_NX_COMPAT;
}

static EFI_STATUS map_range(EFI_PHYSICAL_ADDRESS base, uint64_t size,
			    unsigned flags)
{
	return mmu_map(base, EFI_PAGE_SIZE * EFI_SIZE_TO_PAGES(size), flags)
		       ? EFI_OUT_OF_RESOURCES
		       : EFI_SUCCESS;
}

/*
 * Headers read-only, each section as its characteristics say. W+X only for
 * images without NX_COMPAT: a section that asks for it, or the whole image
 * when its sections share pages (SectionAlignment < 4 KiB).
 */
static EFI_STATUS protect_image(EFI_PHYSICAL_ADDRESS base,
				const struct pe_image *pe, bool strict)
{
	const unsigned rwx = PG_WRITE | PG_EXEC | PG_LEGACY_WX;
	EFI_STATUS status;
	uint32_t i;

	if (pe->section_alignment < EFI_PAGE_SIZE)
		return strict ? EFI_UNSUPPORTED
			      : map_range(base, pe->image_size, rwx);
	status = map_range(base, pe->headers_size, 0);
	for (i = 0; i < pe->num_sections && status == EFI_SUCCESS; i++) {
		const struct pe_section *s = &pe->sections[i];
		unsigned perms = pe_section_perms(s->characteristics);
		unsigned flags = 0;

		if ((perms & PE_PERM_X) && (perms & PE_PERM_W)) {
			if (strict)
				return EFI_UNSUPPORTED; /* W^X: see docs */
			flags = rwx;
		} else if (perms & PE_PERM_X) {
			flags = PG_EXEC;
		} else if (perms & PE_PERM_W) {
			flags = PG_WRITE;
		}
		status = map_range(base + s->rva, s->mem_size, flags);
	}
	return status;
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

EFI_STATUS efi_image_map_loader_code(EFI_PHYSICAL_ADDRESS base, UINTN pages)
{
	/*
	 * Fresh pages: nothing can have fetched instructions from them, and a
	 * permission-only change needs no break-before-make (Arm ARM D8.16.1);
	 * mmu_map() does the TLB maintenance. Loading code into them, and the
	 * cache maintenance that goes with it, is the image's business, as
	 * under any firmware.
	 */
	if (!running || running->strict_wx)
		return EFI_SUCCESS;
	return map_range(base, pages * EFI_PAGE_SIZE,
			 PG_WRITE | PG_EXEC | PG_LEGACY_WX);
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

/*
 * What to call an image on the console: the last file name of its
 * FilePath (the -kernel is "kernel", a disk file "\EFI\BOOT\..."), or its
 * address.
 */
static void image_name(const struct image *img, char *buf, size_t size)
{
	const EFI_DEVICE_PATH_PROTOCOL *node = img->loaded.FilePath;
	const EFI_DEVICE_PATH_PROTOCOL *file = NULL;
	uint16_t text[64];
	size_t units;

	for (; node && !efi_dp_is_end(node); node = devpath_next(node))
		if (node->Type == MEDIA_DEVICE_PATH &&
		    node->SubType == MEDIA_FILEPATH_DP)
			file = node;
	if (!file) {
		fmt_snprintf(buf, size, "the image at 0x%llx",
			     (unsigned long long)img->base);
		return;
	}
	/* Nodes are byte-aligned: the UCS-2 text is copied out first. */
	units = (efi_dp_node_length(file) - sizeof(*file)) / sizeof(CHAR16);
	if (units > sizeof(text) / sizeof(text[0]))
		units = sizeof(text) / sizeof(text[0]);
	memcpy(text, file + 1, units * sizeof(CHAR16));
	ucs2_to_ascii(buf, size, text, units);
}

static void report_legacy_wx(const struct image *img)
{
	char name[64];

	non_nx_images++;
	image_name(img, name, sizeof(name));
	printf("mmuon: %s is not NX-compatible: code allocations are RWX\n",
	       name);
}

EFI_STATUS efi_image_adopt(EFI_PHYSICAL_ADDRESS base, uint64_t pages,
			   const struct pe_image *pe, EFI_HANDLE parent,
			   EFI_DEVICE_PATH_PROTOCOL *device_path,
			   EFI_HANDLE *image_handle)
{
	EFI_DEVICE_PATH_PROTOCOL *remaining = device_path;
	bool strict = is_strict_wx(pe);
	EFI_HANDLE device = NULL;
	struct image *img;
	EFI_STATUS status;

	if (pe->section_alignment < EFI_PAGE_SIZE && strict)
		return EFI_UNSUPPORTED;
	if (pe->reloc.size) {
		uint64_t delta = base - pe->image_base;
		enum pe_status rc =
			pe_relocate((void *)(uintptr_t)base, pe->image_size,
				    delta, &pe->reloc);

		if (rc != PE_OK) {
			printf("mmuon: LoadImage: %s\n", pe_strerror(rc));
			return EFI_LOAD_ERROR;
		}
	}
	/* Arm ARM: code written through the data side, then executed. */
	cache_sync_code((void *)(uintptr_t)base, pe->image_size);
	status = protect_image(base, pe, strict);
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
	img->strict_wx = strict;
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
		efi_free(img->device_path);
		efi_free(img->loaded.FilePath);
		efi_free(img);
		return status;
	}
	img->next = images;
	images = img;
	*image_handle = img->handle;
	if (!strict)
		report_legacy_wx(img);
	return EFI_SUCCESS;
}

/*
 * Where an image copied from a buffer goes: where the boot policy says
 * (Linux kernels from GRUB or systemd-stub: a random slot), else anywhere.
 */
static EFI_STATUS place_image(const struct pe_image *pe, const void *file,
			      UINTN file_size, uint64_t pages,
			      EFI_PHYSICAL_ADDRESS *base, bool *placed)
{
	uint64_t align = pe->section_alignment > EFI_PAGE_SIZE
				 ? pe->section_alignment
				 : EFI_PAGE_SIZE;
	EFI_STATUS status = EFI_UNSUPPORTED;

	if (placer)
		status = placer(pe, file, file_size, pages, base);
	*placed = status == EFI_SUCCESS;
	if (status != EFI_UNSUPPORTED)
		return status;
	return efi_allocate_aligned(code_type(pe->subsystem), pages, align,
				    base);
}

/* Placed deliberately: the Linux stub runs it where it is. The boot
 * policy hears that it is loaded. */
static EFI_STATUS mark_fixed(EFI_HANDLE image_handle)
{
	if (efi_install_protocol_interface(
		    &image_handle, &(EFI_GUID)LINUX_EFI_LOADED_IMAGE_FIXED_GUID,
		    EFI_NATIVE_INTERFACE, NULL) == EFI_SUCCESS) {
		if (placed_loaded)
			placed_loaded();
		return EFI_SUCCESS;
	}
	delete_image(find_image(image_handle));
	return EFI_OUT_OF_RESOURCES;
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
	bool placed;
	uint32_t i;
	enum pe_status rc = pe_parse(file, file_size, file_size, &pe);

	if (rc != PE_OK) {
		printf("mmuon: LoadImage: %s (0x%llx)\n", pe_strerror(rc),
		       (unsigned long long)pe.bad_value);
		if (rc == PE_ERR_MACHINE || rc == PE_ERR_PE32 ||
		    rc == PE_ERR_SUBSYSTEM)
			return EFI_UNSUPPORTED;
		return EFI_LOAD_ERROR;
	}
	if (pe.section_alignment < EFI_PAGE_SIZE && is_strict_wx(&pe))
		return EFI_UNSUPPORTED;
	pages = EFI_SIZE_TO_PAGES(pe.image_size);
	status = place_image(&pe, file, file_size, pages, &base, &placed);
	if (status != EFI_SUCCESS)
		return status;
	payload_copy((void *)(uintptr_t)base, file, pe.headers_size);
	for (i = 0; i < pe.num_sections; i++)
		payload_copy((void *)(uintptr_t)(base + pe.sections[i].rva),
			     (const uint8_t *)file + pe.sections[i].file_offset,
			     pe.sections[i].file_size);
	pe_zero_uncovered((void *)(uintptr_t)base, &pe);
	status = efi_image_adopt(base, pages, &pe, parent, device_path,
				 image_handle);
	if (status != EFI_SUCCESS) {
		free_image_pages(base, pages);
		return status;
	}
	return placed ? mark_fixed(*image_handle) : EFI_SUCCESS;
}

/*
 * A Linux kernel that can run where it lands, read from a filesystem:
 * the file goes straight to the slot the boot policy chose -- the
 * filesystem reads whole blocks by DMA into the destination, so the CPU
 * copies nothing (at most a partial last block, counted by the FAT
 * driver) -- and only the BSS is written by the CPU, as for -kernel.
 */
static EFI_STATUS load_in_place(EFI_HANDLE parent,
				EFI_DEVICE_PATH_PROTOCOL *device_path,
				struct efi_file_source *src,
				const struct pe_image *pe,
				EFI_PHYSICAL_ADDRESS base, uint64_t pages,
				EFI_HANDLE *image_handle)
{
	EFI_STATUS status;

	status = efi_file_source_read(src, 0, (void *)(uintptr_t)base,
				      pe->load_size);
	if (status == EFI_SUCCESS) {
		pe_zero_uncovered((void *)(uintptr_t)base, pe);
		status = efi_image_adopt(base, pages, pe, parent, device_path,
					 image_handle);
	}
	if (status != EFI_SUCCESS) {
		free_image_pages(base, pages);
		return status;
	}
	return mark_fixed(*image_handle);
}

/*
 * LoadImage of a file on a filesystem: in place when the boot policy
 * places it (a Linux kernel), else read into a buffer and loaded from it.
 */
static EFI_STATUS load_from_file(EFI_HANDLE parent,
				 EFI_DEVICE_PATH_PROTOCOL *device_path,
				 struct efi_file_source *src,
				 EFI_HANDLE *image_handle)
{
	UINTN probe = src->size < PE_HEADER_PROBE_SIZE ? (UINTN)src->size
						       : PE_HEADER_PROBE_SIZE;
	EFI_PHYSICAL_ADDRESS base = 0;
	EFI_STATUS status = EFI_UNSUPPORTED;
	struct pe_image pe;
	uint64_t pages = 0;
	uint8_t *headers;
	void *file;

	headers = efi_zalloc(PE_HEADER_PROBE_SIZE);
	if (!headers)
		return EFI_OUT_OF_RESOURCES;
	if (placer &&
	    efi_file_source_read(src, 0, headers, probe) == EFI_SUCCESS &&
	    pe_parse(headers, probe, src->size, &pe) == PE_OK && pe.in_place) {
		pages = EFI_SIZE_TO_PAGES(pe.image_size);
		status = placer(&pe, headers, probe, pages, &base);
	}
	efi_free(headers);
	if (status == EFI_SUCCESS)
		return load_in_place(parent, device_path, src, &pe, base, pages,
				     image_handle);
	if (status != EFI_UNSUPPORTED)
		return status;
	status = efi_allocate_pool(EfiBootServicesData,
				   src->size ? (UINTN)src->size : 1, &file);
	if (status != EFI_SUCCESS)
		return status;
	status = efi_file_source_read(src, 0, file, (UINTN)src->size);
	if (status == EFI_SUCCESS)
		status = load_from_buffer(parent, device_path, file,
					  (UINTN)src->size, image_handle);
	efi_free_pool(file);
	return status;
}

EFI_STATUS EFIAPI efi_load_image(BOOLEAN boot_policy, EFI_HANDLE parent,
				 EFI_DEVICE_PATH_PROTOCOL *device_path,
				 VOID *source_buffer, UINTN source_size,
				 EFI_HANDLE *image_handle)
{
	struct efi_file_source src;
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
	/* A file on a filesystem (a kernel goes there without a copy)... */
	status = efi_file_source_open(device_path, &src);
	if (status == EFI_SUCCESS) {
		status =
			load_from_file(parent, device_path, &src, image_handle);
		efi_file_source_close(&src);
		return status;
	}
	if (status != EFI_NOT_FOUND)
		return status;
	/* ... else LoadFile2/LoadFile on the path (file_path.c). */
	status = efi_file_path_read(boot_policy, device_path, &file, &size,
				    NULL);
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
	/*
	 * ExitData must come from AllocatePool (section 7.4.5): anything else
	 * is refused before the caller is gone, rather than handed to its
	 * parent, which would read it and FreePool it.
	 */
	if (exit_data && !efi_pool_holds(exit_data, exit_data_size)) {
		printf("mmuon: Exit(): ExitData 0x%llx (%llu bytes) is not "
		       "memory from AllocatePool\n",
		       (unsigned long long)(uintptr_t)exit_data,
		       (unsigned long long)exit_data_size);
		return EFI_INVALID_PARAMETER;
	}
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
