/* SPDX-License-Identifier: MIT */
/*
 * PCI Express behind a generic ECAM host bridge (DT "pci-host-ecam-generic"),
 * as on QEMU's virt machine, which leaves every BAR unassigned: mmuon
 * numbers the buses behind bridges, sizes every BAR and places it in the
 * host bridge's windows, programs the bridges' windows, and turns on
 * decoding and bus mastering only for the devices a driver claims (and the
 * bridges above them). Devices without a driver keep their command
 * register as reset left it: no decoding, no DMA.
 *
 * src/drivers/pci/enumerate.c and resource.c are pure logic over a
 * config-space accessor (struct pci_cfg_ops): host-tested against a
 * simulated bus. src/drivers/pci/ecam.c is the hardware accessor and
 * src/drivers/pci/host.c the glue (DT, page tables, messages).
 */
#ifndef MMUON_PCI_H
#define MMUON_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Config space registers (PCI Local Bus 3.0, PCI-to-PCI Bridge 1.2). */
#define PCI_VENDOR_ID 0x00
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_CLASS_REVISION 0x08
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_PRIMARY_BUS 0x18 /* primary, secondary, subordinate, latency */
#define PCI_IO_BASE 0x1c     /* io base, io limit (16-bit) */
#define PCI_MEMORY_BASE 0x20 /* memory base, memory limit */
#define PCI_PREF_MEMORY_BASE 0x24
#define PCI_PREF_BASE_UPPER32 0x28
#define PCI_PREF_LIMIT_UPPER32 0x2c
#define PCI_IO_BASE_UPPER16 0x30 /* io base upper, io limit upper */
#define PCI_CAPABILITY_LIST 0x34
#define PCI_BRIDGE_CONTROL 0x3e

#define PCI_COMMAND_IO (1u << 0)
#define PCI_COMMAND_MEMORY (1u << 1)
#define PCI_COMMAND_MASTER (1u << 2)
#define PCI_STATUS_CAP_LIST (1u << 4)

#define PCI_HEADER_TYPE_MASK 0x7f
#define PCI_HEADER_MULTIFUNCTION 0x80
#define PCI_HEADER_NORMAL 0
#define PCI_HEADER_BRIDGE 1

#define PCI_BAR_IO_SPACE (1u << 0)
#define PCI_BAR_MEM_TYPE_64 (2u << 1)
#define PCI_BAR_MEM_PREFETCH (1u << 3)

#define PCI_MAX_DEVICES 64
#define PCI_MAX_BARS 6

/* Config space access, by bus and device/function (dev << 3 | fn). */
struct pci_cfg_ops {
	uint32_t (*read32)(void *ctx, uint8_t bus, uint8_t devfn, uint16_t reg);
	void (*write32)(void *ctx, uint8_t bus, uint8_t devfn, uint16_t reg,
			uint32_t value);
	void (*write16)(void *ctx, uint8_t bus, uint8_t devfn, uint16_t reg,
			uint16_t value);
};

/* Something that needs space of one kind: a BAR or a bridge window. */
struct pci_resource {
	uint64_t size;
	uint64_t align; /* a power of two */
	uint64_t addr;	/* out: assigned (pci address) */
	void *owner;	/* in: what to program afterwards */
};

/* The three kinds of space a BAR or a bridge window holds. */
enum pci_space {
	PCI_SPACE_IO,
	PCI_SPACE_MEM,	/* non-prefetchable memory: 32-bit behind bridges */
	PCI_SPACE_PMEM, /* prefetchable memory */
	PCI_SPACES,
};

/* A host bridge window, from the DT's ranges: PCI address -> CPU address. */
struct pci_window {
	uint64_t pci_base;
	uint64_t cpu_base;
	uint64_t size; /* 0: absent */
};

struct pci_bar {
	uint64_t size;	/* 0: not implemented (a window: closed) */
	uint64_t align; /* what it is placed at: its size, at least a page */
	uint64_t pci_addr;
	uint64_t cpu_addr; /* where the CPU reaches it */
	enum pci_space space;
	bool is_64;
	bool prefetchable;
	bool assigned;
};

struct pci_device {
	uint8_t bus, device, function;
	uint16_t vendor_id, device_id;
	uint32_t class_code; /* base class, subclass, prog-if */
	uint8_t header_type;
	struct pci_device *parent; /* the bridge above; NULL on the root bus */
	struct pci_bar bar[PCI_MAX_BARS];
	/* Bridges: the buses behind, and the windows programmed into it
	 * (pci addresses; size 0 = closed). */
	uint8_t secondary, subordinate;
	struct pci_bar window[PCI_SPACES];
	uint16_t command_at_reset; /* restored by pci_release() */
	unsigned users;		   /* claimed functions at or below it */
};

struct pci_host {
	const struct pci_cfg_ops *ops;
	void *ctx;
	uint8_t bus_min, bus_max;
	struct pci_window io, mem32, mem64;
	/* The highest CPU address BARs may go to (the firmware's VA space). */
	uint64_t cpu_limit;
	struct pci_device dev[PCI_MAX_DEVICES];
	unsigned count;
	/* What went wrong (no space for a BAR, too many devices...), one
	 * line each; the caller prints it. */
	char notes[512];
	/* Work space of pci_enumerate(): the resources of one bus. */
	struct pci_resource scratch[PCI_MAX_DEVICES * PCI_MAX_BARS];
};

/*
 * Walks the buses from bus_min, numbers the buses behind bridges, sizes
 * and assigns every BAR and bridge window. Leaves every command register
 * with decoding off. Returns the number of functions found.
 */
unsigned pci_enumerate(struct pci_host *host);

/* The found functions matching vendor:device; NULL after the last. */
struct pci_device *pci_find(struct pci_host *host, struct pci_device *from,
			    uint16_t vendor, uint16_t device);

/*
 * Turns on memory decoding and bus mastering for @dev and the bridges
 * above it. Fails (-1) if a memory BAR of @dev got no space. I/O decoding
 * stays off: the drivers here use memory BARs only (a transitional virtio
 * device's legacy I/O BAR is assigned, for the OS, but not used).
 */
int pci_claim(struct pci_host *host, struct pci_device *dev);

/* Turns decoding and bus mastering off again for @dev (and the bridges
 * no other claimed device needs). */
void pci_release(struct pci_host *host, struct pci_device *dev);

/*
 * pci_claim() plus the memory BARs of @dev mapped Device-nGnRE, execute-
 * never: src/drivers/pci/host.c. 0 or -1.
 */
int pci_enable(struct pci_host *host, struct pci_device *dev);

/* The host bridge from the DT, enumerated; NULL if there is none (or it
 * cannot be used; a message says why). src/drivers/pci/host.c. */
struct platform;
struct pci_host *pci_host_init(const struct platform *p);

/* Every claimed function and bridge back to its command register at
 * reset: no decoding, no bus mastering (ExitBootServices). */
void pci_release_all(struct pci_host *host);

uint32_t pci_read32(struct pci_host *host, const struct pci_device *dev,
		    uint16_t reg);
uint8_t pci_read8(struct pci_host *host, const struct pci_device *dev,
		  uint16_t reg);

/*
 * Places @n resources one after the other from @base, largest alignment
 * first (so that powers of two pack without gaps), each at its alignment.
 * Sorts @res. Returns the end (first free address), or UINT64_MAX on
 * overflow.
 */
uint64_t pci_pack(struct pci_resource *res, size_t n, uint64_t base);

#endif
