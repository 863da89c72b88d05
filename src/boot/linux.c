// SPDX-License-Identifier: MIT
/*
 * The boot policy: QEMU's -kernel/-initrd/-append. The -kernel is Linux
 * or any EFI application that starts it (GRUB, a UKI, systemd-boot).
 *
 * The file is read twice by DMA: first its PE headers into a small
 * buffer, to learn how much memory it needs and how it must be aligned;
 * then straight to a uniformly random slot of free RAM, where it runs --
 * in one piece when the file is laid out as the image (Linux), else
 * section by section. Only what the file does not fill (BSS) is written
 * by the CPU. The loaded image handle carries
 * LINUX_EFI_LOADED_IMAGE_FIXED_GUID, so the stub runs the kernel where it
 * is instead of moving it (v6.1+ honour it); a kernel that a loader hands
 * to LoadImage later is placed the same way (place_loaded_kernel).
 */
#include <string.h>

#include <mmuon/boot.h>
#include <mmuon/boot_internal.h>
#include <mmuon/console.h>
#include <mmuon/efi_core.h>
#include <mmuon/efi_image.h>
#include <mmuon/fmt.h>
#include <mmuon/fw_cfg.h>
#include <mmuon/kernel_loader_fs.h>
#include <mmuon/panic.h>
#include <mmuon/payload_copy.h>
#include <mmuon/pe.h>
#include <mmuon/ucs2.h>

#define SZ_64K 0x10000ull
#define SZ_2M 0x200000ull

/* The -kernel image is the file "kernel" of QEMU's kernel-loader FS. */
#define KERNEL_PATH ((EFI_DEVICE_PATH_PROTOCOL *)&kernel_loader_fs_kernel_path)

/* payload_copied_bytes() when LoadImage placed the kernel, before its copy. */
static uint64_t copied_before_load;

/* word appears in s delimited by spaces or the ends of s. */
static bool has_word(const char *s, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = s; (p = strstr(p, word)); p += n)
		if ((p == s || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* The command line from -append; "" without one. */
static char *read_cmdline(void)
{
	uint32_t size = fw_cfg_read_u32(FW_CFG_CMDLINE_SIZE);
	char *cmdline = efi_zalloc(size + 1);

	if (!cmdline)
		panic("no memory for the command line");
	if (size && fw_cfg_read(FW_CFG_CMDLINE_DATA, 0, cmdline, size))
		panic("fw_cfg DMA error reading the command line");
	return cmdline;
}

/* 64 random bits from the firmware's own RNG protocol, if it has one. */
static bool random_u64(uint64_t *r)
{
	EFI_RNG_PROTOCOL *rng;

	if (efi_locate_protocol(&(EFI_GUID)EFI_RNG_PROTOCOL_GUID, NULL,
				(void **)&rng) != EFI_SUCCESS)
		return false;
	return rng->GetRNG(rng, NULL, sizeof(*r), (UINT8 *)r) == EFI_SUCCESS;
}

/* The kernel's PE headers: where its pieces are in the file and go. */
static bool read_headers(uint32_t file_size, struct pe_image *pe, char *why,
			 size_t size)
{
	uint32_t probe = file_size < PE_HEADER_PROBE_SIZE
				 ? file_size
				 : PE_HEADER_PROBE_SIZE;
	uint8_t *headers = efi_zalloc(PE_HEADER_PROBE_SIZE);
	enum pe_status rc;

	if (!headers)
		panic("no memory for the kernel's headers");
	if (fw_cfg_read(FW_CFG_KERNEL_DATA, 0, headers, probe)) {
		efi_free(headers);
		fmt_snprintf(why, size, "fw_cfg DMA error reading it");
		return false;
	}
	rc = pe_parse(headers, probe, file_size, pe);
	efi_free(headers);
	if (rc != PE_OK)
		fmt_snprintf(why, size, "not a bootable EFI image: %s (0x%llx)",
			     pe_strerror(rc),
			     (unsigned long long)pe->bad_value);
	return rc == PE_OK;
}

/*
 * Uniformly random over every suitably aligned slot of free RAM; with
 * "nokaslr" the lowest 2 MiB-aligned slot, where the stub would put it.
 */
static EFI_STATUS place_kernel(const struct pe_image *pe, uint64_t pages,
			       bool nokaslr, EFI_PHYSICAL_ADDRESS *base)
{
	uint64_t align =
		pe->section_alignment > SZ_64K ? pe->section_alignment : SZ_64K;
	uint64_t r;

	if (nokaslr)
		return efi_allocate_lowest(EfiLoaderCode, pages,
					   align > SZ_2M ? align : SZ_2M, base);
	if (random_u64(&r))
		return efi_allocate_random(EfiLoaderCode, pages, align, r,
					   base);
	printf("mmuon: no entropy: kernel placement not randomized\n");
	return efi_allocate_lowest(EfiLoaderCode, pages, align, base);
}

static void record_kernel(EFI_PHYSICAL_ADDRESS base, uint32_t size)
{
	boot_stats.kernel_base = base;
	boot_stats.kernel_size = size;
	boot_stats_update();
	printf("mmuon: kernel image at 0x%llx (%u bytes)\n",
	       (unsigned long long)base, size);
}

/*
 * A Linux kernel that a loader (GRUB, systemd-stub) hands to LoadImage
 * from a buffer goes to a random slot too, and LoadImage marks it FIXED,
 * so the stub does not move it a second time. LoadImage's copy into the
 * slot is counted in the boot statistics. LoadOptions come after
 * LoadImage, so "nokaslr" is not seen here: the stub then moves the
 * kernel itself to the 2 MiB alignment it wants.
 */
static EFI_STATUS place_loaded_kernel(const struct pe_image *pe,
				      const void *file, UINTN file_size,
				      uint64_t pages,
				      EFI_PHYSICAL_ADDRESS *base)
{
	EFI_STATUS status;

	if (!pe_is_arm64_linux(file, file_size))
		return EFI_UNSUPPORTED;
	status = place_kernel(pe, pages, false, base);
	copied_before_load = payload_copied_bytes();
	if (status == EFI_SUCCESS) {
		boot_stats.bss_zeroed_bytes = pe->image_size - pe->load_size;
		record_kernel(*base, pe->image_size);
	}
	return status;
}

/*
 * The kernel placed by place_loaded_kernel() is loaded: what the CPU
 * copied of it is counted now, so the statistics are final in the DT
 * before the kernel's stub copies it.
 */
static void loaded_kernel(void)
{
	uint64_t copied = payload_copied_bytes() - copied_before_load;

	if (copied)
		printf("mmuon: the kernel came in a buffer: "
		       "the CPU copied %llu bytes of it to 0x%llx\n",
		       (unsigned long long)copied,
		       (unsigned long long)boot_stats.kernel_base);
	boot_stats_update();
}

void linux_kernel_placement(void)
{
	boot_stats_publish();
	efi_image_set_placer(place_loaded_kernel, loaded_kernel);
}

static bool dma_kernel(uint32_t offset, void *dst, uint32_t len)
{
	return !len || !fw_cfg_read(FW_CFG_KERNEL_DATA, offset, dst, len);
}

/*
 * Zero-copy: the file goes by DMA straight to a random slot where it runs.
 * A file laid out as its image (Linux: every section at its file offset)
 * is one transfer; any other (a UKI, a gnu-efi program) is DMA'd in pieces,
 * the headers and each section to its place. The CPU only zeroes what the
 * file does not fill: BSS and gaps.
 */
static EFI_HANDLE load_kernel(const struct pe_image *pe, bool nokaslr,
			      char *why, size_t size)
{
	uint64_t pages = EFI_SIZE_TO_PAGES(pe->image_size);
	EFI_PHYSICAL_ADDRESS base;
	EFI_HANDLE image;
	EFI_STATUS status;
	bool dma_ok = true;
	uint8_t *dst;

	if (place_kernel(pe, pages, nokaslr, &base) != EFI_SUCCESS) {
		fmt_snprintf(why, size,
			     "%u bytes in memory: does not fit in free RAM",
			     pe->image_size);
		return NULL;
	}
	dst = (uint8_t *)(uintptr_t)base;
	if (pe->in_place) {
		dma_ok = dma_kernel(0, dst, pe->load_size);
	} else {
		printf("mmuon: kernel sections are not at their file offsets: "
		       "DMA section by section\n");
		dma_ok = dma_kernel(0, dst, pe->headers_size);
		for (uint32_t i = 0; i < pe->num_sections && dma_ok; i++)
			dma_ok = dma_kernel(pe->sections[i].file_offset,
					    dst + pe->sections[i].rva,
					    pe->sections[i].file_size);
	}
	if (!dma_ok) {
		efi_free_pages(base, pages);
		fmt_snprintf(why, size, "fw_cfg DMA error loading it");
		return NULL;
	}
	boot_stats.bss_zeroed_bytes = pe_zero_uncovered(dst, pe);
	status = efi_image_adopt(base, pages, pe, efi_firmware_handle(),
				 KERNEL_PATH, &image);
	if (status != EFI_SUCCESS) {
		efi_free_pages(base, pages); /* back to RW+XN, and free */
		fmt_snprintf(why, size,
			     "cannot set the image up (status 0x%llx)",
			     (unsigned long long)status);
		return NULL;
	}
	return image;
}

/*
 * The -append line, in UCS-2; without one, no LoadOptions at all
 * (LoadOptionsSize 0), so that a UKI uses its own .cmdline: systemd-stub
 * takes LoadOptions instead whenever there are any.
 */
static void set_load_options(EFI_HANDLE image, const char *cmdline)
{
	EFI_LOADED_IMAGE_PROTOCOL *li = efi_image_loaded(image);
	size_t len = strlen(cmdline);
	CHAR16 *options;

	if (!len)
		return;
	options = efi_zalloc((len + 1) * sizeof(CHAR16));
	if (!options)
		panic("no memory for the load options");
	utf8_to_ucs2(options, len + 1, cmdline, len);
	li->LoadOptions = options;
	li->LoadOptionsSize = (strlen16(options) + 1) * sizeof(CHAR16);
}

static bool has_section(const struct pe_image *pe, const char *name)
{
	for (uint32_t i = 0; i < pe->num_sections; i++)
		if (!strncmp(pe->sections[i].name, name, 8))
			return true;
	return false;
}

/*
 * A Unified Kernel Image (systemd-stub with a .linux section) that carries
 * its own initrd registers it itself, on the device path mmuon's LoadFile2
 * would use: the stub then refuses to boot. Say so before anything runs.
 */
static bool uki_with_initrd(const struct pe_image *pe)
{
	return has_section(pe, ".linux") && has_section(pe, ".initrd") &&
	       fw_cfg_read_u32(FW_CFG_INITRD_SIZE);
}

void boot_linux(const struct platform *p, char *why, size_t size)
{
	EFI_LOADED_IMAGE_PROTOCOL *loaded;
	uint32_t file_size;
	struct pe_image pe;
	EFI_HANDLE image;
	EFI_STATUS status;
	char *cmdline;

	if (!p->fw_cfg.size || !fw_cfg_present())
		panic("no fw_cfg device with DMA in the DT: cannot load a "
		      "kernel");
	file_size = fw_cfg_read_u32(FW_CFG_KERNEL_SIZE);
	if (!file_size) {
		fmt_snprintf(why, size, "no kernel given (or it is empty)");
		return;
	}
	cmdline = read_cmdline();
	status = kernel_loader_fs_install(&(EFI_HANDLE){NULL});
	if (status != EFI_SUCCESS)
		panic("cannot install the kernel-loader filesystem (status "
		      "0x%llx)",
		      (unsigned long long)status);
	if (!read_headers(file_size, &pe, why, size))
		return;
	if (uki_with_initrd(&pe)) {
		fmt_snprintf(why, size,
			     "is a Unified Kernel Image with its own initrd "
			     "(.initrd section): drop -initrd or rebuild it");
		return;
	}
	image = load_kernel(&pe, has_word(cmdline, "nokaslr"), why, size);
	if (!image)
		return;
	loaded = efi_image_loaded(image);
	record_kernel((uintptr_t)loaded->ImageBase, loaded->ImageSize);
	set_load_options(image, cmdline);
	efi_install_protocol_interface(
		&image, &(EFI_GUID)LINUX_EFI_LOADED_IMAGE_FIXED_GUID,
		EFI_NATIVE_INTERFACE, NULL);
	initrd_install();

	status = efi_start_image(image, NULL, NULL);
	fmt_snprintf(why, size,
		     "the kernel's EFI stub returned with status 0x%llx",
		     (unsigned long long)status);
}
