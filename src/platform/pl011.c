// SPDX-License-Identifier: MIT
/* ARM PL011 UART, polled. Register offsets from the PL011 TRM (DDI 0183). */
#include <mmuon/mmio.h>
#include <mmuon/pl011.h>

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_CR 0x30
#define FR_RXFE (1 << 4) /* receive FIFO empty */
#define FR_TXFF (1 << 5) /* transmit FIFO full */
#define CR_UARTEN (1 << 0)
#define CR_TXE (1 << 8)
#define CR_RXE (1 << 9)

void pl011_init(uintptr_t base)
{
	/* The baud rate is whatever the VMM emulates; only enable. */
	mmio_write32(base + UART_CR, CR_UARTEN | CR_TXE | CR_RXE);
}

void pl011_putc(uintptr_t base, char c)
{
	while (mmio_read32(base + UART_FR) & FR_TXFF)
		;
	mmio_write32(base + UART_DR, (unsigned char)c);
}

bool pl011_getc(uintptr_t base, char *c)
{
	if (mmio_read32(base + UART_FR) & FR_RXFE)
		return false;
	*c = (char)mmio_read32(base + UART_DR);
	return true;
}
