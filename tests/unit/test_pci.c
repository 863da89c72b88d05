// SPDX-License-Identifier: MIT
/*
 * Unit tests for PCI enumeration and resource assignment
 * (src/drivers/pci/enumerate.c, resource.c) on a simulated bus: functions
 * with BARs that answer sizing the way hardware does, bridges that route
 * config cycles by the bus numbers written into them. The default topology
 * is QEMU virt's with a root port: host bridge, transitional virtio-net and
 * virtio-blk on bus 0, a modern virtio-blk behind a root port, an empty
 * root port, a two-function device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mmuon/pci.h>

/* ---- the simulated bus ----------------------------------------------- */

#define MAX_FNS 96
#define MAX_CHILDREN 8

struct fn {
	uint8_t devfn;
	uint8_t cfg[256];
	uint64_t bar_size[6]; /* 0: none; for a 64-bit BAR on the low one */
	uint32_t bar_flags[6];
	struct fn *child[MAX_CHILDREN]; /* bridges: what is behind */
	int nchild;
	int writes_to_bars;
};

static struct fn fns[MAX_FNS];
static int nfns;
static struct fn *root[MAX_FNS];
static int nroot;

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static struct fn *new_fn(uint8_t dev, uint8_t fn, uint16_t vendor,
			 uint16_t device, uint32_t class_code, uint8_t header)
{
	struct fn *f = &fns[nfns++];

	memset(f, 0, sizeof(*f));
	f->devfn = (uint8_t)(dev << 3 | fn);
	put32(f->cfg, (uint32_t)device << 16 | vendor);
	put32(f->cfg + 8, class_code << 8);
	f->cfg[0xe] = header;
	if ((header & 0x7f) == 1) {
		f->cfg[0x1c] = 0x01; /* 32-bit I/O */
		f->cfg[0x24] = 0x01; /* 64-bit prefetchable */
	}
	return f;
}

static void bar(struct fn *f, int i, uint64_t size, uint32_t flags)
{
	f->bar_size[i] = size;
	f->bar_flags[i] = flags;
	put32(f->cfg + 0x10 + 4 * i, flags);
}

static void attach(struct fn *bridge, struct fn *child)
{
	if (bridge)
		bridge->child[bridge->nchild++] = child;
	else
		root[nroot++] = child;
}

/* Routes a config cycle as bridges would: by their bus registers. */
static struct fn *route(struct fn **list, int n, uint8_t bus, uint8_t this_bus,
			uint8_t devfn)
{
	int i;

	for (i = 0; i < n; i++) {
		struct fn *f = list[i];
		uint8_t sec = f->cfg[0x19], sub = f->cfg[0x1a];

		if (bus == this_bus && f->devfn == devfn)
			return f;
		if (bus != this_bus && (f->cfg[0xe] & 0x7f) == 1 && sec &&
		    bus >= sec && bus <= sub) {
			struct fn *r =
				route(f->child, f->nchild, bus, sec, devfn);
			if (r)
				return r;
		}
	}
	return NULL;
}

static struct fn *lookup(uint8_t bus, uint8_t devfn)
{
	return route(root, nroot, bus, 0, devfn);
}

/* BAR register i's value: the address bits the BAR decodes, or the upper
 * half of a 64-bit one. */
static int bar_index(const struct fn *f, uint16_t reg, int *upper)
{
	int nbars = (f->cfg[0xe] & 0x7f) == 1 ? 2 : 6;
	int i = (reg - 0x10) / 4;

	*upper = 0;
	if (reg < 0x10 || i >= nbars)
		return -1;
	if (i > 0 && !f->bar_size[i] && (f->bar_flags[i - 1] & 4)) {
		*upper = 1;
		return i - 1;
	}
	return i;
}

static uint32_t sim_read32(void *ctx, uint8_t bus, uint8_t devfn, uint16_t reg)
{
	struct fn *f = lookup(bus, devfn);

	(void)ctx;
	assert_true(reg % 4 == 0 && reg < 256);
	return f ? get32(f->cfg + reg) : 0xffffffff;
}

static void sim_write32(void *ctx, uint8_t bus, uint8_t devfn, uint16_t reg,
			uint32_t v)
{
	struct fn *f = lookup(bus, devfn);
	int i, upper;
	uint64_t mask;

	(void)ctx;
	assert_true(reg % 4 == 0 && reg < 256);
	if (!f)
		return;
	i = bar_index(f, reg, &upper);
	if (i >= 0) {
		f->writes_to_bars++;
		if (!f->bar_size[i]) {
			put32(f->cfg + reg, 0);
			return;
		}
		mask = ~(f->bar_size[i] - 1);
		if (upper)
			put32(f->cfg + reg, v & (uint32_t)(mask >> 32));
		else
			put32(f->cfg + reg,
			      (v & (uint32_t)mask & ~0xfu) | f->bar_flags[i]);
		return;
	}
	if (reg == 0x1c && (f->cfg[0xe] & 0x7f) == 1) {
		/* I/O base/limit keep their capability nibbles. */
		f->cfg[0x1c] = (uint8_t)((v & 0xf0) | 1);
		f->cfg[0x1d] = (uint8_t)((v >> 8 & 0xf0) | 1);
		return;
	}
	if (reg == 0x24 && (f->cfg[0xe] & 0x7f) == 1) {
		put32(f->cfg + reg, (v & 0xfff0fff0) | 0x00010001);
		return;
	}
	if (reg == 0 || reg == 8)
		return; /* read-only */
	put32(f->cfg + reg, v);
}

static void sim_write16(void *ctx, uint8_t bus, uint8_t devfn, uint16_t reg,
			uint16_t v)
{
	uint32_t old = sim_read32(ctx, bus, devfn, reg & ~3);
	int shift = (reg & 2) * 8;

	assert_true(reg % 2 == 0);
	sim_write32(ctx, bus, devfn, reg & ~3,
		    (old & ~(0xffffu << shift)) | (uint32_t)v << shift);
}

static const struct pci_cfg_ops sim_ops = {
	.read32 = sim_read32,
	.write32 = sim_write32,
	.write16 = sim_write16,
};

static struct pci_host *host;

/* QEMU virt's windows (from its DT); a firmware with a 48-bit VA space. */
static void default_windows(struct pci_host *h)
{
	h->ops = &sim_ops;
	h->bus_min = 0;
	h->bus_max = 255;
	h->io = (struct pci_window){0, 0x3eff0000, 0x10000};
	h->mem32 = (struct pci_window){0x10000000, 0x10000000, 0x2eff0000};
	h->mem64 =
		(struct pci_window){0x8000000000, 0x8000000000, 0x8000000000};
	h->cpu_limit = (1ull << 48) - 1;
}

static struct fn *net, *blk, *port1, *port2, *blk2, *multi0, *multi1;

/* QEMU virt with a root port, as described at the top. */
static void qemu_topology(void)
{
	struct fn *hostbridge = new_fn(0, 0, 0x1b36, 0x0008, 0x060000, 0);

	attach(NULL, hostbridge);
	net = new_fn(1, 0, 0x1af4, 0x1000, 0x020000, 0);
	bar(net, 0, 0x20, 1);
	bar(net, 1, 0x1000, 0);
	bar(net, 4, 0x4000, 0xc); /* 64-bit prefetchable */
	attach(NULL, net);
	blk = new_fn(2, 0, 0x1af4, 0x1001, 0x010000, 0);
	bar(blk, 0, 0x80, 1);
	bar(blk, 1, 0x1000, 0);
	bar(blk, 4, 0x4000, 0xc);
	attach(NULL, blk);
	port1 = new_fn(3, 0, 0x1b36, 0x000c, 0x060400, 1);
	bar(port1, 0, 0x1000, 0);
	attach(NULL, port1);
	blk2 = new_fn(0, 0, 0x1af4, 0x1042, 0x010000, 0);
	bar(blk2, 1, 0x1000, 0);
	bar(blk2, 4, 0x4000, 0xc);
	attach(port1, blk2);
	port2 = new_fn(4, 0, 0x1b36, 0x000c, 0x060400, 1);
	attach(NULL, port2);
	multi0 = new_fn(5, 0, 0x1234, 0x0001, 0xff0000, 0x80);
	bar(multi0, 2, 0x100, 0);
	attach(NULL, multi0);
	multi1 = new_fn(5, 1, 0x1234, 0x0002, 0xff0000, 0);
	bar(multi1, 0, 0x10, 0);
	attach(NULL, multi1);
}

static int setup(void **state)
{
	(void)state;
	nfns = nroot = 0;
	host = calloc(1, sizeof(*host));
	default_windows(host);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(host);
	return 0;
}

static struct pci_device *dev_at(uint8_t bus, uint8_t d, uint8_t f)
{
	unsigned i;

	for (i = 0; i < host->count; i++)
		if (host->dev[i].bus == bus && host->dev[i].device == d &&
		    host->dev[i].function == f)
			return &host->dev[i];
	return NULL;
}

static uint64_t bar_value(const struct fn *f, int i)
{
	uint64_t v = get32(f->cfg + 0x10 + 4 * i) & ~0xfu;

	if (f->bar_flags[i] & 1)
		v = get32(f->cfg + 0x10 + 4 * i) & ~3u;
	if (f->bar_flags[i] & 4)
		v |= (uint64_t)get32(f->cfg + 0x14 + 4 * i) << 32;
	return v;
}

/* Every assigned BAR: aligned, inside its window, no two overlapping. */
static void check_bars_sane(void)
{
	struct {
		uint64_t start, end;
		enum pci_space s;
	} seen[PCI_MAX_DEVICES * PCI_MAX_BARS];
	int n = 0, i, j;
	unsigned k, b;

	for (k = 0; k < host->count; k++) {
		for (b = 0; b < PCI_MAX_BARS; b++) {
			const struct pci_bar *bar = &host->dev[k].bar[b];
			const struct pci_window *w;

			if (!bar->size || !bar->assigned)
				continue;
			assert_int_equal(bar->pci_addr % bar->size, 0);
			w = bar->space == PCI_SPACE_IO ? &host->io
						       : &host->mem32;
			if (bar->space != PCI_SPACE_IO &&
			    bar->pci_addr >= host->mem64.pci_base)
				w = &host->mem64;
			assert_true(bar->pci_addr >= w->pci_base);
			assert_true(bar->pci_addr + bar->size <=
				    w->pci_base + w->size);
			seen[n].start = bar->pci_addr;
			seen[n].end = bar->pci_addr + bar->size;
			seen[n++].s = bar->space == PCI_SPACE_IO
					      ? PCI_SPACE_IO
					      : PCI_SPACE_MEM;
		}
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (seen[i].s == seen[j].s)
				assert_true(seen[i].end <= seen[j].start ||
					    seen[j].end <= seen[i].start);
}

/* ---- tests ----------------------------------------------------------- */

static void test_pack_largest_alignment_first(void **state)
{
	struct pci_resource r[] = {
		{.size = 0x1000, .align = 0x1000},
		{.size = 0x4000, .align = 0x4000},
		{.size = 0x100000, .align = 0x100000},
		{.size = 0x2000, .align = 0x2000},
	};

	(void)state;
	assert_int_equal(pci_pack(r, 4, 0x10000000), 0x10107000);
	assert_int_equal(r[0].addr, 0x10000000);
	assert_int_equal(r[0].size, 0x100000);
	assert_int_equal(r[1].addr, 0x10100000);
	assert_int_equal(r[2].addr, 0x10104000);
	assert_int_equal(r[3].addr, 0x10106000);
}

static void test_pack_overflow(void **state)
{
	struct pci_resource r[] = {{.size = 0x2000, .align = 0x1000}};

	(void)state;
	assert_int_equal(pci_pack(r, 1, UINT64_MAX - 0x1000), UINT64_MAX);
	assert_int_equal(pci_pack(r, 0, 0x1234), 0x1234);
}

static void test_enumerates_qemu_topology(void **state)
{
	(void)state;
	qemu_topology();
	assert_int_equal(pci_enumerate(host), 8);
	assert_string_equal(host->notes, "");
	assert_non_null(dev_at(0, 0, 0));
	assert_non_null(dev_at(1, 0, 0));
	assert_non_null(dev_at(0, 5, 1));
	assert_int_equal(dev_at(1, 0, 0)->device_id, 0x1042);
	assert_ptr_equal(dev_at(1, 0, 0)->parent, dev_at(0, 3, 0));
	assert_null(dev_at(0, 2, 0)->parent);
	assert_int_equal(dev_at(0, 2, 0)->class_code, 0x010000);
	/* Bus numbers: depth first, as found. */
	assert_int_equal(port1->cfg[0x18], 0);
	assert_int_equal(port1->cfg[0x19], 1);
	assert_int_equal(port1->cfg[0x1a], 1);
	assert_int_equal(port2->cfg[0x19], 2);
	assert_int_equal(port2->cfg[0x1a], 2);
	check_bars_sane();
}

static void test_bars_programmed_and_decoding_off(void **state)
{
	struct pci_device *d;
	int i;

	(void)state;
	qemu_topology();
	pci_enumerate(host);
	d = dev_at(0, 2, 0);
	assert_true(d->bar[4].is_64 && d->bar[4].prefetchable);
	assert_int_equal(d->bar[4].size, 0x4000);
	assert_int_equal(d->bar[0].space, PCI_SPACE_IO);
	assert_int_equal(d->bar[0].size, 0x80);
	assert_int_equal(d->bar[5].size, 0); /* upper half of BAR 4 */
	assert_int_equal(bar_value(blk, 1), d->bar[1].pci_addr);
	assert_int_equal(bar_value(blk, 4), d->bar[4].pci_addr);
	assert_int_equal(bar_value(blk, 0), d->bar[0].pci_addr);
	assert_int_equal(d->bar[0].cpu_addr, 0x3eff0000 + d->bar[0].pci_addr);
	assert_int_equal(d->bar[1].cpu_addr, d->bar[1].pci_addr);
	/* A page per memory BAR, even a 16-byte one. */
	assert_int_equal(dev_at(0, 5, 1)->bar[0].size, 0x10);
	assert_int_equal(dev_at(0, 5, 1)->bar[0].pci_addr % 0x1000, 0);
	for (i = 0; i < nfns; i++)
		assert_int_equal(fns[i].cfg[4] & 7, 0);
}

static void test_bridge_windows_cover_children(void **state)
{
	struct pci_device *p, *b;
	uint32_t mem, pref;
	uint64_t base, limit;

	(void)state;
	qemu_topology();
	pci_enumerate(host);
	p = dev_at(0, 3, 0);
	b = dev_at(1, 0, 0);
	mem = get32(port1->cfg + 0x20);
	base = (uint64_t)(mem & 0xfff0) << 16;
	limit = ((uint64_t)(mem >> 16 & 0xfff0) << 16) | 0xfffff;
	assert_true(b->bar[1].pci_addr >= base);
	assert_true(b->bar[1].pci_addr + b->bar[1].size - 1 <= limit);
	assert_int_equal(base, p->window[PCI_SPACE_MEM].pci_addr);
	assert_int_equal(p->window[PCI_SPACE_MEM].size, 0x100000);
	pref = get32(port1->cfg + 0x24);
	base = (uint64_t)(pref & 0xfff0) << 16 |
	       (uint64_t)get32(port1->cfg + 0x28) << 32;
	limit = ((uint64_t)(pref >> 16 & 0xfff0) << 16) | 0xfffff |
		(uint64_t)get32(port1->cfg + 0x2c) << 32;
	assert_true(b->bar[4].pci_addr >= base);
	assert_true(b->bar[4].pci_addr + b->bar[4].size - 1 <= limit);
	/* Nothing behind: every window closed (base above limit). */
	assert_int_equal(get32(port2->cfg + 0x20), 0x0000fff0);
	assert_true((get32(port2->cfg + 0x24) & 0xfff0) >
		    (get32(port2->cfg + 0x24) >> 16 & 0xfff0));
	assert_true((port2->cfg[0x1c] & 0xf0) > (port2->cfg[0x1d] & 0xf0));
	assert_true((port1->cfg[0x1c] & 0xf0) > (port1->cfg[0x1d] & 0xf0));
}

static void test_claim_and_release(void **state)
{
	struct pci_device *b;

	(void)state;
	qemu_topology();
	pci_enumerate(host);
	b = dev_at(1, 0, 0);
	assert_int_equal(pci_claim(host, b), 0);
	assert_int_equal(blk2->cfg[4] & 7,
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(port1->cfg[4] & 7,
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	assert_int_equal(net->cfg[4] & 7, 0);
	assert_int_equal(port2->cfg[4] & 7, 0);
	pci_release(host, b);
	assert_int_equal(blk2->cfg[4] & 7, 0);
	assert_int_equal(port1->cfg[4] & 7, 0);
}

static void test_find(void **state)
{
	struct pci_device *d;

	(void)state;
	qemu_topology();
	pci_enumerate(host);
	d = pci_find(host, NULL, 0x1af4, 0x1001);
	assert_non_null(d);
	assert_int_equal(d->device, 2);
	assert_null(pci_find(host, d, 0x1af4, 0x1001));
	assert_null(pci_find(host, NULL, 0x1af4, 0x1048));
}

/* The 32-bit window holds the plain BARs but not the prefetchable ones:
 * those go to the 64-bit window, if the firmware can reach it. */
static void test_prefetchable_to_64bit_window(void **state)
{
	struct pci_device *d;

	(void)state;
	qemu_topology();
	host->mem32.size = 0x100000 + 0x5000;
	pci_enumerate(host);
	assert_string_equal(host->notes, "");
	d = dev_at(0, 2, 0);
	assert_true(d->bar[4].pci_addr >= 0x8000000000ull);
	assert_true(d->bar[1].pci_addr < 0x100000000ull);
	assert_int_equal(bar_value(blk, 4), d->bar[4].pci_addr);
	check_bars_sane();
	assert_int_equal(pci_claim(host, dev_at(1, 0, 0)), 0);
}

static void test_no_space_is_noted_and_unclaimable(void **state)
{
	(void)state;
	qemu_topology();
	host->mem32.size = 0x100000 + 0x5000;
	host->cpu_limit = (1ull << 39) - 1; /* the 64-bit window is out */
	pci_enumerate(host);
	assert_non_null(strstr(host->notes, "no space for the prefetchable"));
	assert_non_null(strstr(host->notes, "00:02.0: no space for BAR 4"));
	assert_int_equal(pci_claim(host, dev_at(0, 2, 0)), -1);
	assert_int_equal(blk->cfg[4] & 7, 0);
	/* A device whose BARs all fit is still usable. */
	assert_int_equal(pci_claim(host, dev_at(0, 5, 1)), 0);
	check_bars_sane();
}

static void test_no_io_window(void **state)
{
	(void)state;
	qemu_topology();
	host->io.size = 0;
	pci_enumerate(host);
	assert_non_null(strstr(host->notes, "no space for the I/O BARs"));
	assert_false(dev_at(0, 2, 0)->bar[0].assigned);
	/* I/O is not needed to drive it. */
	assert_int_equal(pci_claim(host, dev_at(0, 2, 0)), 0);
}

static void test_bus_range_exhausted(void **state)
{
	(void)state;
	qemu_topology();
	host->bus_max = 1;
	pci_enumerate(host);
	assert_non_null(strstr(host->notes, "00:04.0: no bus number left"));
	assert_int_equal(port1->cfg[0x19], 1);
	assert_int_equal(port2->cfg[0x19], 0);
	assert_int_equal(host->count, 8);
}

static void test_nested_bridges_and_large_bar(void **state)
{
	struct fn *up, *down, *gpu;
	struct pci_device *g;

	(void)state;
	attach(NULL, new_fn(0, 0, 0x1b36, 0x0008, 0x060000, 0));
	up = new_fn(1, 0, 0x1b36, 0x000c, 0x060400, 1);
	attach(NULL, up);
	down = new_fn(0, 0, 0x1b36, 0x000e, 0x060400, 1);
	attach(up, down);
	gpu = new_fn(0, 0, 0x1af4, 0x1050, 0x030000, 0);
	bar(gpu, 0, 0x200000000ull, 0xc); /* 8 GiB, 64-bit prefetchable */
	bar(gpu, 2, 0x1000, 0);
	attach(down, gpu);
	pci_enumerate(host);
	assert_string_equal(host->notes, "");
	assert_int_equal(up->cfg[0x19], 1);
	assert_int_equal(up->cfg[0x1a], 2);
	assert_int_equal(down->cfg[0x18], 1);
	assert_int_equal(down->cfg[0x19], 2);
	g = dev_at(2, 0, 0);
	assert_non_null(g);
	assert_int_equal(g->bar[0].size, 0x200000000ull);
	assert_true(g->bar[0].pci_addr >= 0x8000000000ull);
	assert_int_equal(bar_value(gpu, 0), g->bar[0].pci_addr);
	assert_true(g->bar[2].pci_addr < 0x100000000ull);
	check_bars_sane();
	assert_int_equal(pci_claim(host, g), 0);
	assert_int_equal(up->cfg[4] & 6, 6);
	assert_int_equal(down->cfg[4] & 6, 6);
}

static void test_too_many_functions(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 9; i++) {
		struct fn *f = new_fn(i, 0, 0x1234, 1, 0, 0x80);
		attach(NULL, f);
		for (int j = 1; j < 8; j++)
			attach(NULL, new_fn(i, j, 0x1234, 1, 0, 0));
	}
	pci_enumerate(host);
	assert_int_equal(host->count, PCI_MAX_DEVICES);
	assert_non_null(strstr(host->notes, "more than 64 PCI functions"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pack_largest_alignment_first),
		cmocka_unit_test(test_pack_overflow),
		T(test_enumerates_qemu_topology),
		T(test_bars_programmed_and_decoding_off),
		T(test_bridge_windows_cover_children),
		T(test_claim_and_release),
		T(test_find),
		T(test_prefetchable_to_64bit_window),
		T(test_no_space_is_noted_and_unclaimable),
		T(test_no_io_window),
		T(test_bus_range_exhausted),
		T(test_nested_bridges_and_large_bar),
		T(test_too_many_functions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
