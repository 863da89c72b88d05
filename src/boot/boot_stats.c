// SPDX-License-Identifier: MIT
/*
 * The boot's copy counters, one line of text:
 *   kernel=0x... kernel_size=N initrd=0x... initrd_size=N dma_bytes=N
 *   cpu_copied_bytes=N bss_zeroed_bytes=N non_nx_images=N
 * (non_nx_images: images given RWX code allocations, src/efi/image.c)
 * published where the guest can read them without any module:
 *   - the DT property /chosen/mmuon,boot-stats, updated whenever the
 *     counters change, in the DT installed as a configuration table at
 *     that moment: the one the next loader or stub copies. mmuon's own,
 *     or a loader's copy: GRUB 2.06 copies the DT and installs its copy
 *     before it hands the kernel to LoadImage, so the figures of that
 *     LoadImage (where the kernel went, the bytes the CPU copied) must go
 *     into GRUB's copy. The last update comes when the kernel is loaded,
 *     before its stub copies /chosen into the DT it hands to the kernel
 *     (/proc/device-tree/chosen/mmuon,boot-stats), and nothing counted
 *     changes after that;
 *   - the EFI variable MmuonBootStats-3c6f7a5e-4d1b-4e2a-9b8f-6a1d2c3e4f50
 *     (runtime access), written by an EVT_SIGNAL_EXIT_BOOT_SERVICES event,
 *     when nothing more will be loaded.
 * Both then hold the same final figures (tests/boot/test_placement.py,
 * test_grub.py compare them in the guest).
 */
#include <libfdt.h>

#include <mmuon/boot_internal.h>
#include <mmuon/console.h>
#include <mmuon/efi_core.h>
#include <mmuon/efi_image.h>
#include <mmuon/fmt.h>
#include <mmuon/fw_cfg.h>
#include <mmuon/payload_copy.h>

#define MMUON_VENDOR_GUID                                                      \
	EFI_GUID_INIT(0x3c6f7a5e, 0x4d1b, 0x4e2a, 0x9b, 0x8f, 0x6a, 0x1d,      \
		      0x2c, 0x3e, 0x4f, 0x50)

struct boot_stats boot_stats;
static bool published;

static size_t format(char *text, size_t size)
{
	boot_stats.dma_bytes = fw_cfg_dma_bytes();
	boot_stats.cpu_copied_bytes = payload_copied_bytes();
	return fmt_snprintf(
		text, size,
		"kernel=0x%llx kernel_size=%llu initrd=0x%llx initrd_size=%llu "
		"dma_bytes=%llu cpu_copied_bytes=%llu bss_zeroed_bytes=%llu "
		"non_nx_images=%u\n",
		(unsigned long long)boot_stats.kernel_base,
		(unsigned long long)boot_stats.kernel_size,
		(unsigned long long)boot_stats.initrd_base,
		(unsigned long long)boot_stats.initrd_size,
		(unsigned long long)boot_stats.dma_bytes,
		(unsigned long long)boot_stats.cpu_copied_bytes,
		(unsigned long long)boot_stats.bss_zeroed_bytes,
		efi_image_non_nx_count());
}

void boot_stats_update(void)
{
	void *fdt = efi_configuration_table(&(EFI_GUID)EFI_DTB_TABLE_GUID);
	char text[256];
	size_t len = format(text, sizeof(text));
	int chosen;

	if (!published || !fdt) /* ACPI: the variable only */
		return;
	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen < 0 ||
	    fdt_setprop(fdt, chosen, "mmuon,boot-stats", text, len))
		printf("mmuon: cannot record the boot statistics in the DT\n");
}

static void EFIAPI publish(EFI_EVENT event, VOID *context)
{
	static EFI_GUID vendor = MMUON_VENDOR_GUID;
	char text[256];
	size_t len = format(text, sizeof(text));
	EFI_STATUS status;

	(void)event;
	(void)context;
	printf("mmuon: ExitBootServices: %s", text);
	status = efi_runtime_services.SetVariable(
		(CHAR16 *)u"MmuonBootStats", &vendor,
		EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS,
		len, text);
	if (status != EFI_SUCCESS) /* the volatile variables are full */
		printf("mmuon: cannot write MmuonBootStats (status 0x%llx)\n",
		       (unsigned long long)status);
}

void boot_stats_publish(void)
{
	EFI_EVENT event;

	published = true;
	boot_stats_update();
	if (efi_create_event(EVT_SIGNAL_EXIT_BOOT_SERVICES, TPL_CALLBACK,
			     publish, NULL, &event) != EFI_SUCCESS)
		printf("mmuon: cannot publish the boot statistics\n");
}
