// SPDX-License-Identifier: MIT
/*
 * Power-off and reset through PSCI (DEN0022) on the conduit the DT names,
 * or, at EL3 where QEMU offers no PSCI, through the secure PL061 GPIO line
 * that QEMU wires to its power-off logic.
 */
#include <mmuon/console.h>
#include <mmuon/mmio.h>
#include <mmuon/power.h>

#define PL061_DIR 0x400

static enum psci_conduit conduit;
static uint64_t gpio_base;
static unsigned gpio_line;

void power_set_default(unsigned el)
{
	conduit = el == 1 ? PSCI_HVC : el == 2 ? PSCI_SMC : PSCI_NONE;
}

void power_configure(const struct platform *p)
{
	conduit = p->psci;
	gpio_base = p->poweroff_gpio.base;
	gpio_line = p->poweroff_line;
}

enum psci_conduit power_conduit(void)
{
	return conduit;
}

struct smccc_result smccc_call(uint32_t fn, uint64_t a1, uint64_t a2,
			       uint64_t a3)
{
	return smccc_call_on(conduit, fn, a1, a2, a3);
}

static void gpio_pulse(void)
{
	uint32_t bit = 1u << gpio_line;

	/* PL061: the data register address bits [9:2] mask the write. */
	mmio_write32(gpio_base + PL061_DIR,
		     mmio_read32(gpio_base + PL061_DIR) | bit);
	mmio_write32(gpio_base + (bit << 2), bit);
}

static __attribute__((noreturn)) void halt(const char *what)
{
	printf("mmuon: %s failed; halting\n", what);
	for (;;)
		asm volatile("wfi");
}

void power_off(void)
{
	if (conduit != PSCI_NONE)
		smccc_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	else if (gpio_base)
		gpio_pulse();
	halt("power-off");
}

void power_reset(void)
{
	if (conduit != PSCI_NONE)
		smccc_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	halt("reset");
}
