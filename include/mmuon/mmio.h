/* SPDX-License-Identifier: MIT */
/*
 * MMIO accessors. Device memory is mapped Device-nGnRE, so these plain
 * single-copy-atomic accesses are neither merged nor reordered among
 * themselves; the barriers callers need around DMA are explicit (dma_wmb()).
 */
#ifndef MMUON_MMIO_H
#define MMUON_MMIO_H

#include <stdint.h>

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;

	asm volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline uint8_t mmio_read8(uintptr_t addr)
{
	uint8_t v;

	asm volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline uint16_t mmio_read16(uintptr_t addr)
{
	uint16_t v;

	asm volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

/* A register of @len bytes (1, 2 or 4), as one access of that size. */
static inline uint32_t mmio_read_sized(uintptr_t addr, unsigned len)
{
	return len == 1	  ? mmio_read8(addr)
	       : len == 2 ? mmio_read16(addr)
			  : mmio_read32(addr);
}

static inline void mmio_write8(uintptr_t addr, uint8_t v)
{
	asm volatile("strb %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	asm volatile("str %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline void mmio_write16(uintptr_t addr, uint16_t v)
{
	asm volatile("strh %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline void mmio_write64(uintptr_t addr, uint64_t v)
{
	asm volatile("str %0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

static inline uint64_t mmio_read64(uintptr_t addr)
{
	uint64_t v;

	asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

/* Order normal-memory writes (a DMA descriptor) before an MMIO write that
 * hands them to a device. */
static inline void dma_wmb(void)
{
	asm volatile("dsb st" : : : "memory");
}

/* Order an MMIO read that reports DMA completion before reads of the data. */
static inline void dma_rmb(void)
{
	asm volatile("dsb ld" : : : "memory");
}

#endif
