// SPDX-License-Identifier: MIT
/*
 * PL031 RTC. The counter runs from a 1 Hz clock; the load register sets it.
 * Once started (CR bit 0), it cannot be stopped by software.
 */
#include <mmuon/mmio.h>
#include <mmuon/pl031.h>

/*
 * The PrimeCell ID registers hold one byte each in their low 8 bits:
 * peripheral ID 0x00041031 (part 0x031, designer 0x41 'A', revision in
 * the high nibble of byte 2, ignored) and component ID 0xb105f00d.
 */
static uint32_t id_word(uintptr_t base, uintptr_t first)
{
	uint32_t id = 0;
	int i;

	for (i = 0; i < 4; i++)
		id |= (mmio_read32(base + first + 4 * i) & 0xff) << (8 * i);
	return id;
}

bool pl031_probe(uintptr_t base)
{
	return (id_word(base, PL031_PERIPH_ID0) & 0xff0fffff) == 0x00041031 &&
	       id_word(base, PL031_CELL_ID0) == 0xb105f00d;
}

void pl031_init(uintptr_t base)
{
	mmio_write32(base + PL031_IMSC, 0);
	mmio_write32(base + PL031_ICR, 1);
	if (!(mmio_read32(base + PL031_CR) & PL031_CR_START))
		mmio_write32(base + PL031_CR, PL031_CR_START);
}

uint32_t pl031_read_seconds(uintptr_t base)
{
	return mmio_read32(base + PL031_DR);
}

void pl031_write_seconds(uintptr_t base, uint32_t seconds)
{
	mmio_write32(base + PL031_LR, seconds);
}
