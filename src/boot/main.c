// SPDX-License-Identifier: MIT
/*
 * The boot sequence, top to bottom. Entered from reset.S with the MMU and
 * caches on (flash tables), .data/.bss ready and a stack.
 */
#include <string.h>

#include <mmuon/console.h>
#include <mmuon/crash.h>
#include <mmuon/layout.h>
#include <mmuon/mmu.h>
#include <mmuon/panic.h>
#include <mmuon/platform.h>
#include <mmuon/power.h>

static struct platform platform;

static void print_banner(unsigned el)
{
	unsigned i;

	printf("mmuon %s at EL%u%s, RAM %llu MiB\n", MMUON_VERSION, el,
	       el == 2 ? " (non-VHE)" : "",
	       (unsigned long long)(platform.ram_total >> 20));
	for (i = 0; i < platform.ram_count; i++)
		printf("mmuon: RAM [0x%010llx-0x%010llx]\n",
		       (unsigned long long)platform.ram[i].base,
		       (unsigned long long)(platform.ram[i].base +
					    platform.ram[i].size - 1));
}

void mmuon_main(unsigned el, const void *fdt);
__attribute__((noreturn)) void mmuon_main(unsigned el, const void *fdt)
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

	mmu_init(&platform, el);
	print_banner(el);
	crash_if_asked(platform.bootargs);

	printf("mmuon: no kernel to boot; powering off\n");
	power_off();
}
