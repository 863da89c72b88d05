// SPDX-License-Identifier: MIT
/*
 * PCI enumeration and resource assignment, in four passes over the
 * functions found:
 *
 *   scan     depth-first from the root bus: every function, its BARs
 *            sized (all ones written, mask read back, original restored,
 *            decoding off meanwhile), bridges given the next free bus
 *            number and scanned behind before their subordinate number is
 *            final -- the numbering Linux and EDK2 arrive at too;
 *   size     bridges last-found first (children before parents): each
 *            window is what its bus's BARs and windows pack into, rounded
 *            to the window granule (4 KiB I/O, 1 MiB memory);
 *   place    the root bus's resources into the host bridge's windows
 *            (from the DT's ranges), then each bridge's bus into its own
 *            window, parents before children;
 *   program  every assigned BAR and every bridge's bus numbers and
 *            windows; command registers back to what they were (decoding
 *            off after reset) until a driver claims the function.
 *
 * Placement: I/O into the I/O window; non-prefetchable memory into the
 * 32-bit window (bridges forward it below 4 GiB only); prefetchable memory
 * after it when it fits, else into the 64-bit window, if it is reachable
 * (below cpu_limit) and everything there decodes 64-bit. A resource that
 * fits nowhere stays unassigned, with a note: its function cannot be
 * claimed, the rest of the bus works.
 *
 * Pure logic over struct pci_cfg_ops: host-tested with a simulated bus.
 */
#include <stdarg.h>
#include <string.h>

#include <mmuon/fmt.h>
#include <mmuon/pci.h>

#define IO_WINDOW_GRANULE 0x1000ull
#define MEM_WINDOW_GRANULE 0x100000ull
/* Memory BARs get a page each, so each is mapped (and unmapped) alone. */
#define MEM_BAR_MIN_ALIGN 0x1000ull
#define NO_DEVICE 0xffff

static void note(struct pci_host *h, const char *fmt, ...)
{
	size_t used = strnlen(h->notes, sizeof(h->notes));
	va_list ap;

	if (used + 1 >= sizeof(h->notes))
		return;
	va_start(ap, fmt);
	used += fmt_vsnprintf(h->notes + used, sizeof(h->notes) - used, fmt,
			      ap);
	va_end(ap);
	if (used + 1 < sizeof(h->notes)) {
		h->notes[used] = '\n';
		h->notes[used + 1] = 0;
	}
}

static uint8_t devfn(const struct pci_device *d)
{
	return (uint8_t)(d->device << 3 | d->function);
}

static uint32_t cfg_read32(struct pci_host *h, uint8_t bus, uint8_t df,
			   uint16_t reg)
{
	return h->ops->read32(h->ctx, bus, df, reg);
}

uint32_t pci_read32(struct pci_host *h, const struct pci_device *d,
		    uint16_t reg)
{
	return cfg_read32(h, d->bus, devfn(d), reg & ~3);
}

uint8_t pci_read8(struct pci_host *h, const struct pci_device *d, uint16_t reg)
{
	return (uint8_t)(pci_read32(h, d, reg) >> 8 * (reg & 3));
}

static uint16_t read16(struct pci_host *h, const struct pci_device *d,
		       uint16_t reg)
{
	return (uint16_t)(pci_read32(h, d, reg) >> 8 * (reg & 2));
}

static void write32(struct pci_host *h, const struct pci_device *d,
		    uint16_t reg, uint32_t v)
{
	h->ops->write32(h->ctx, d->bus, devfn(d), reg, v);
}

static void write16(struct pci_host *h, const struct pci_device *d,
		    uint16_t reg, uint16_t v)
{
	h->ops->write16(h->ctx, d->bus, devfn(d), reg, v);
}

static bool is_bridge(const struct pci_device *d)
{
	return (d->header_type & PCI_HEADER_TYPE_MASK) == PCI_HEADER_BRIDGE;
}

static bool power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* ---- scan ------------------------------------------------------------ */

/* BAR @i: size, kind; returns how many BAR registers it used (1 or 2). */
static unsigned size_bar(struct pci_host *h, struct pci_device *d, unsigned i,
			 unsigned nbars)
{
	uint16_t reg = PCI_BAR0 + 4 * i;
	uint32_t orig = pci_read32(h, d, reg), mask;
	struct pci_bar *b = &d->bar[i];
	uint64_t m;

	write32(h, d, reg, 0xffffffff);
	mask = pci_read32(h, d, reg);
	write32(h, d, reg, orig);
	if (!mask || mask == 0xffffffff)
		return 1;
	if (mask & PCI_BAR_IO_SPACE) {
		/* 16-bit I/O decoders read the upper half back as zeros. */
		m = mask & ~3u;
		if (!(m >> 16))
			m |= 0xffff0000u;
		m |= 0xffffffff00000000ull;
		b->space = PCI_SPACE_IO;
		b->size = power_of_two(~m + 1) ? ~m + 1 : 0;
		b->align = b->size;
		return 1;
	}
	b->prefetchable = mask & PCI_BAR_MEM_PREFETCH;
	b->space = b->prefetchable ? PCI_SPACE_PMEM : PCI_SPACE_MEM;
	m = 0xffffffff00000000ull | (mask & ~0xfu);
	if ((mask & 6) == PCI_BAR_MEM_TYPE_64 && i + 1 < nbars) {
		uint32_t orig_hi = pci_read32(h, d, reg + 4), hi;

		write32(h, d, reg + 4, 0xffffffff);
		hi = pci_read32(h, d, reg + 4);
		write32(h, d, reg + 4, orig_hi);
		b->is_64 = true;
		if (hi)
			m = (uint64_t)hi << 32 | (mask & ~0xfu);
	}
	b->size = ~m + 1;
	if (!power_of_two(b->size))
		b->size = 0;
	b->align = b->size > MEM_BAR_MIN_ALIGN ? b->size : MEM_BAR_MIN_ALIGN;
	return b->is_64 ? 2 : 1;
}

static void size_bars(struct pci_host *h, struct pci_device *d, unsigned n)
{
	unsigned i = 0;

	while (i < n)
		i += size_bar(h, d, i, n);
}

/* The bus numbers: primary, secondary, subordinate (latency kept). */
static void set_bus_numbers(struct pci_host *h, struct pci_device *d,
			    uint8_t subordinate)
{
	uint32_t latency = pci_read32(h, d, PCI_PRIMARY_BUS) & 0xff000000u;

	write32(h, d, PCI_PRIMARY_BUS,
		latency | (uint32_t)subordinate << 16 |
			(uint32_t)d->secondary << 8 | d->bus);
}

static void scan_bus(struct pci_host *h, uint8_t bus, struct pci_device *parent,
		     uint8_t *last_bus);

static void scan_bridge(struct pci_host *h, struct pci_device *d,
			uint8_t *last_bus)
{
	if (*last_bus >= h->bus_max) {
		note(h,
		     "%02x:%02x.%x: no bus number left for the bus behind "
		     "this bridge (bus-range ends at %u)",
		     d->bus, d->device, d->function, h->bus_max);
		return;
	}
	d->secondary = ++*last_bus;
	/* Forward everything up to bus_max while the buses behind are
	 * scanned; then close down to what was found. */
	set_bus_numbers(h, d, h->bus_max);
	scan_bus(h, d->secondary, d, last_bus);
	d->subordinate = *last_bus;
	set_bus_numbers(h, d, d->subordinate);
	/* Low nibbles: 1 = 32-bit I/O and 64-bit prefetchable decoding. */
	d->window[PCI_SPACE_IO].is_64 =
		(pci_read8(h, d, PCI_IO_BASE) & 0xf) == 1;
	d->window[PCI_SPACE_PMEM].is_64 =
		(read16(h, d, PCI_PREF_MEMORY_BASE) & 0xf) == 1;
	d->window[PCI_SPACE_PMEM].prefetchable = true;
}

static void add_function(struct pci_host *h, uint8_t bus, uint8_t dev,
			 uint8_t fn, uint32_t id, struct pci_device *parent,
			 uint8_t *last_bus)
{
	struct pci_device *d;
	unsigned s;

	if (h->count == PCI_MAX_DEVICES) {
		note(h, "%02x:%02x.%x: more than %d PCI functions; ignored",
		     bus, dev, fn, PCI_MAX_DEVICES);
		return;
	}
	d = &h->dev[h->count++];
	memset(d, 0, sizeof(*d));
	d->bus = bus;
	d->device = dev;
	d->function = fn;
	d->vendor_id = (uint16_t)id;
	d->device_id = (uint16_t)(id >> 16);
	d->class_code = pci_read32(h, d, PCI_CLASS_REVISION) >> 8;
	d->header_type = pci_read8(h, d, PCI_HEADER_TYPE);
	d->parent = parent;
	for (s = 0; s < PCI_SPACES; s++)
		d->window[s].space = (enum pci_space)s;
	d->command_at_reset = read16(h, d, PCI_COMMAND);
	write16(h, d, PCI_COMMAND,
		d->command_at_reset & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
					PCI_COMMAND_MASTER));
	switch (d->header_type & PCI_HEADER_TYPE_MASK) {
	case PCI_HEADER_NORMAL:
		size_bars(h, d, 6);
		break;
	case PCI_HEADER_BRIDGE:
		size_bars(h, d, 2);
		scan_bridge(h, d, last_bus);
		break;
	default: /* CardBus: nothing mmuon uses */
		break;
	}
}

static void scan_bus(struct pci_host *h, uint8_t bus, struct pci_device *parent,
		     uint8_t *last_bus)
{
	uint8_t dev, fn, functions;

	for (dev = 0; dev < 32; dev++) {
		uint32_t id = cfg_read32(h, bus, dev << 3, PCI_VENDOR_ID);
		uint8_t header;

		if ((id & 0xffff) == NO_DEVICE)
			continue;
		header = (uint8_t)(cfg_read32(h, bus, dev << 3, 0xc) >> 16);
		functions = header & PCI_HEADER_MULTIFUNCTION ? 8 : 1;
		for (fn = 0; fn < functions; fn++) {
			uint8_t df = (uint8_t)(dev << 3 | fn);

			if (fn)
				id = cfg_read32(h, bus, df, PCI_VENDOR_ID);
			if ((id & 0xffff) != NO_DEVICE)
				add_function(h, bus, dev, fn, id, parent,
					     last_bus);
		}
	}
}

/* ---- size and place -------------------------------------------------- */

/* The resources of one kind on one bus: BARs and bridge windows. */
static size_t collect(struct pci_host *h, uint8_t bus, enum pci_space s)
{
	size_t n = 0;
	unsigned i, b;

	for (i = 0; i < h->count; i++) {
		struct pci_device *d = &h->dev[i];

		if (d->bus != bus)
			continue;
		for (b = 0; b < PCI_MAX_BARS; b++) {
			struct pci_bar *bar = &d->bar[b];

			if (bar->size && bar->space == s)
				h->scratch[n++] = (struct pci_resource){
					.size = bar->size < bar->align
							? bar->align
							: bar->size,
					.align = bar->align,
					.owner = bar,
				};
		}
		if (is_bridge(d) && d->window[s].size)
			h->scratch[n++] = (struct pci_resource){
				.size = d->window[s].size,
				.align = d->window[s].align,
				.owner = &d->window[s],
			};
	}
	return n;
}

static bool all_64bit(const struct pci_resource *res, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((const struct pci_bar *)res[i].owner)->is_64)
			return false;
	return true;
}

static void size_windows(struct pci_host *h)
{
	unsigned i = h->count, s;

	while (i--) {
		struct pci_device *d = &h->dev[i];

		if (!is_bridge(d) || !d->secondary)
			continue;
		for (s = 0; s < PCI_SPACES; s++) {
			struct pci_bar *w = &d->window[s];
			uint64_t gran = s == PCI_SPACE_IO ? IO_WINDOW_GRANULE
							  : MEM_WINDOW_GRANULE;
			size_t n = collect(h, d->secondary, (enum pci_space)s);
			uint64_t end;

			if (!n)
				continue;
			end = pci_pack(h->scratch, n, 0);
			if (end > UINT64_MAX - gran) {
				note(h, "%02x:%02x.%x: window too large",
				     d->bus, d->device, d->function);
				continue;
			}
			w->size = (end + gran - 1) & ~(gran - 1);
			w->align = h->scratch[0].align > gran
					   ? h->scratch[0].align
					   : gran;
			if (s == PCI_SPACE_PMEM)
				w->is_64 = w->is_64 && all_64bit(h->scratch, n);
		}
	}
}

/* Packs @bus's resources of kind @s at @base; false if they pass @end. */
static bool place(struct pci_host *h, uint8_t bus, enum pci_space s,
		  uint64_t base, uint64_t end, uint64_t *next)
{
	size_t n = collect(h, bus, s), i;
	uint64_t stop;

	*next = base;
	if (!n)
		return true;
	stop = pci_pack(h->scratch, n, base);
	if (stop > end)
		return false;
	for (i = 0; i < n; i++) {
		struct pci_bar *bar = h->scratch[i].owner;

		bar->pci_addr = h->scratch[i].addr;
		bar->assigned = true;
	}
	*next = stop;
	return true;
}

/*
 * The end (pci address) of the part of window @w the firmware can reach:
 * below cpu_limit, its page tables' end. @w->pci_base if none.
 */
static uint64_t usable_end(const struct pci_host *h, const struct pci_window *w)
{
	uint64_t reach;

	if (!w->size || w->cpu_base > h->cpu_limit)
		return w->pci_base;
	reach = h->cpu_limit - w->cpu_base + 1;
	return w->pci_base + (w->size < reach ? w->size : reach);
}

static void place_root(struct pci_host *h)
{
	uint8_t root = h->bus_min;
	uint64_t next, mem32_end = usable_end(h, &h->mem32);

	if (!place(h, root, PCI_SPACE_IO, h->io.pci_base,
		   h->io.pci_base + h->io.size, &next))
		note(h, "no space for the I/O BARs (window of %llu bytes)",
		     (unsigned long long)h->io.size);
	if (!place(h, root, PCI_SPACE_MEM, h->mem32.pci_base, mem32_end,
		   &next)) {
		note(h,
		     "no space for the memory BARs (32-bit window of %llu "
		     "bytes)",
		     (unsigned long long)h->mem32.size);
		next = mem32_end;
	}
	if (place(h, root, PCI_SPACE_PMEM, next, mem32_end, &next))
		return;
	if (all_64bit(h->scratch, collect(h, root, PCI_SPACE_PMEM)) &&
	    place(h, root, PCI_SPACE_PMEM, h->mem64.pci_base,
		  usable_end(h, &h->mem64), &next))
		return;
	note(h, "no space for the prefetchable BARs");
}

static void place_behind_bridges(struct pci_host *h)
{
	unsigned i, s;
	uint64_t next;

	/* Parents come before their children in the array. */
	for (i = 0; i < h->count; i++) {
		struct pci_device *d = &h->dev[i];

		if (!is_bridge(d) || !d->secondary)
			continue;
		for (s = 0; s < PCI_SPACES; s++) {
			struct pci_bar *w = &d->window[s];

			if (w->size && w->assigned)
				place(h, d->secondary, (enum pci_space)s,
				      w->pci_addr, w->pci_addr + w->size,
				      &next);
		}
	}
}

/* The CPU address of a PCI address of kind @s, through the host windows. */
static uint64_t to_cpu(const struct pci_host *h, enum pci_space s, uint64_t pci)
{
	const struct pci_window *w = s == PCI_SPACE_IO ? &h->io : &h->mem32;

	if (s != PCI_SPACE_IO &&
	    (pci < w->pci_base || pci - w->pci_base >= w->size))
		w = &h->mem64;
	return pci - w->pci_base + w->cpu_base;
}

/* ---- program ----------------------------------------------------------- */

static void program_bars(struct pci_host *h, struct pci_device *d)
{
	unsigned i;

	for (i = 0; i < PCI_MAX_BARS; i++) {
		struct pci_bar *b = &d->bar[i];
		uint16_t reg = PCI_BAR0 + 4 * i;

		if (!b->size)
			continue;
		if (!b->assigned) {
			note(h,
			     "%02x:%02x.%x: no space for BAR %u (%llu bytes)",
			     d->bus, d->device, d->function, i,
			     (unsigned long long)b->size);
			continue;
		}
		b->cpu_addr = to_cpu(h, b->space, b->pci_addr);
		write32(h, d, reg, (uint32_t)b->pci_addr);
		if (b->is_64)
			write32(h, d, reg + 4, (uint32_t)(b->pci_addr >> 32));
	}
}

/* Base above limit closes a window. */
static void program_windows(struct pci_host *h, struct pci_device *d)
{
	const struct pci_bar *io = &d->window[PCI_SPACE_IO];
	const struct pci_bar *mem = &d->window[PCI_SPACE_MEM];
	const struct pci_bar *pmem = &d->window[PCI_SPACE_PMEM];
	uint64_t base, limit;

	if (io->size && io->assigned) {
		base = io->pci_addr;
		limit = base + io->size - 1;
		write16(h, d, PCI_IO_BASE,
			(uint16_t)((limit >> 8 & 0xf0) << 8 |
				   (base >> 8 & 0xf0)));
		write32(h, d, PCI_IO_BASE_UPPER16,
			(uint32_t)(limit >> 16 << 16 | (base >> 16 & 0xffff)));
	} else {
		write16(h, d, PCI_IO_BASE, 0x00f0);
		write32(h, d, PCI_IO_BASE_UPPER16, 0);
	}
	if (mem->size && mem->assigned) {
		base = mem->pci_addr;
		limit = base + mem->size - 1;
		write32(h, d, PCI_MEMORY_BASE,
			(uint32_t)((limit >> 16 & 0xfff0) << 16 |
				   (base >> 16 & 0xfff0)));
	} else {
		write32(h, d, PCI_MEMORY_BASE, 0x0000fff0);
	}
	if (pmem->size && pmem->assigned) {
		base = pmem->pci_addr;
		limit = base + pmem->size - 1;
	} else {
		base = 0xfff00000;
		limit = 0;
	}
	write32(h, d, PCI_PREF_MEMORY_BASE,
		(uint32_t)((limit >> 16 & 0xfff0) << 16 |
			   (base >> 16 & 0xfff0)));
	if (pmem->is_64) {
		write32(h, d, PCI_PREF_BASE_UPPER32, (uint32_t)(base >> 32));
		write32(h, d, PCI_PREF_LIMIT_UPPER32, (uint32_t)(limit >> 32));
	}
}

unsigned pci_enumerate(struct pci_host *h)
{
	uint8_t last_bus = h->bus_min;
	unsigned i;

	h->count = 0;
	h->notes[0] = 0;
	scan_bus(h, h->bus_min, NULL, &last_bus);
	size_windows(h);
	place_root(h);
	place_behind_bridges(h);
	for (i = 0; i < h->count; i++) {
		struct pci_device *d = &h->dev[i];

		program_bars(h, d);
		if (is_bridge(d) && d->secondary)
			program_windows(h, d);
	}
	return h->count;
}

/* ---- drivers' view ----------------------------------------------------- */

struct pci_device *pci_find(struct pci_host *h, struct pci_device *from,
			    uint16_t vendor, uint16_t device)
{
	unsigned i = from ? (unsigned)(from - h->dev) + 1 : 0;

	for (; i < h->count; i++)
		if (h->dev[i].vendor_id == vendor &&
		    h->dev[i].device_id == device)
			return &h->dev[i];
	return NULL;
}

int pci_claim(struct pci_host *h, struct pci_device *dev)
{
	struct pci_device *d;
	unsigned i;

	for (i = 0; i < PCI_MAX_BARS; i++)
		if (dev->bar[i].size && dev->bar[i].space != PCI_SPACE_IO &&
		    !dev->bar[i].assigned)
			return -1;
	for (d = dev; d; d = d->parent) {
		if (!d->users++)
			write16(h, d, PCI_COMMAND,
				d->command_at_reset | PCI_COMMAND_MEMORY |
					PCI_COMMAND_MASTER);
	}
	return 0;
}

void pci_release(struct pci_host *h, struct pci_device *dev)
{
	struct pci_device *d;

	for (d = dev; d; d = d->parent)
		if (d->users && !--d->users)
			write16(h, d, PCI_COMMAND, d->command_at_reset);
}

void pci_release_all(struct pci_host *h)
{
	unsigned i;

	for (i = 0; i < h->count; i++) {
		if (h->dev[i].users) {
			h->dev[i].users = 0;
			write16(h, &h->dev[i], PCI_COMMAND,
				h->dev[i].command_at_reset);
		}
	}
}
