// SPDX-License-Identifier: MIT
/*
 * The boot sequence, top to bottom. Entered from reset.S with the MMU and
 * caches on (flash tables), .data/.bss ready and a stack.
 */
#include <string.h>

#include <mmuon/boot.h>
#include <mmuon/boot_manager.h>
#include <mmuon/console.h>
#include <mmuon/crash.h>
#include <mmuon/efi_core.h>
#include <mmuon/fw_cfg.h>
#include <mmuon/layout.h>
#include <mmuon/mmu.h>
#include <mmuon/panic.h>
#include <mmuon/platform.h>
#include <mmuon/power.h>
#include <mmuon/simple_fs.h>
#include <mmuon/storage.h>

static struct platform platform;

static void print_banner(unsigned el, bool e2h)
{
	unsigned i;

	printf("mmuon %s at EL%u%s, RAM %llu MiB\n", MMUON_VERSION, el,
	       el != 2 ? ""
	       : e2h   ? " (VHE: HCR_EL2.E2H is RES1 on this CPU)"
		       : " (non-VHE)",
	       (unsigned long long)(platform.ram_total >> 20));
	for (i = 0; i < platform.ram_count; i++)
		printf("mmuon: RAM [0x%010llx-0x%010llx]\n",
		       (unsigned long long)platform.ram[i].base,
		       (unsigned long long)(platform.ram[i].base +
					    platform.ram[i].size - 1));
}

/* The UEFI environment the kernel's stub (or any EFI image) runs in. */
static void efi_init(void)
{
	efi_memory_init(&platform);
	if (platform.fw_cfg.size && fw_cfg_init(platform.fw_cfg.base))
		printf("mmuon: fw_cfg at 0x%llx has no DMA interface\n",
		       (unsigned long long)platform.fw_cfg.base);
	efi_firmware_handle();
	firmware_tables_install(&platform);
	efi_runtime_init(&platform);
	efi_console_install();
	efi_rng_install(&platform);
	efi_memory_attribute_install();
	efi_pgtable_pool_install();
	efi_memattr_table_install();
	efi_simple_fs_install();
	storage_init(&platform);
}

/* From reset.S: the entry EL, the DTB, and at EL2 whether HCR_EL2.E2H is
 * set (where the CPU makes it RES1). */
void mmuon_main(unsigned el, const void *fdt, bool e2h);
__attribute__((noreturn)) void mmuon_main(unsigned el, const void *fdt,
					  bool e2h)
{
	char err[128];

	power_set_default(el);
	if (dt_discover(fdt, &platform, err, sizeof(err))) {
		if (platform.uart.base)
			console_use_pl011(platform.uart.base);
		panic("%s", err);
	}
	console_use_pl011(platform.uart.base);
	power_configure(&platform);
	if (el == 3)
		panic("EL3 entry not supported: mmuon is not a secure monitor; "
		      "start QEMU without secure=on");

	/*
	 * Everything above runs from flash; mmu_init() loads the boot code
	 * (code_load.h), which all that follows may use. Only this function
	 * may reach into it from flash code (tools/check_flash.py).
	 */
	mmu_init(&platform, el, e2h);
	print_banner(el, e2h);
	crash_if_asked(platform.bootargs);

	efi_init();
	boot_manager_run(&platform);
}
