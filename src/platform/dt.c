// SPDX-License-Identifier: MIT
/*
 * Device tree discovery with libfdt: RAM (every /memory node, any number of
 * reg entries, above 4 GiB too), the console from /chosen/stdout-path, the
 * PSCI conduit, the RTC, fw_cfg, the secure power-off GPIO, the CFI flash
 * banks, the PCIe host bridge and the virtio-mmio transports.
 *
 * Only reads the tree; no hardware access, so it runs on the host in tests.
 */
#include <libfdt.h>
#include <string.h>

#include <mmuon/fmt.h>
#include <mmuon/platform.h>

/* Reads one cell-encoded number of 1 or 2 cells. */
static uint64_t read_cells(const fdt32_t *cell, int count)
{
	uint64_t v = 0;

	while (count--)
		v = (v << 32) | fdt32_to_cpu(*cell++);
	return v;
}

/*
 * The #address-cells/#size-cells that apply to the reg property of a
 * child of parent.
 */
static int reg_cells(const void *fdt, int parent, int *ac, int *sc)
{
	*ac = fdt_address_cells(fdt, parent);
	*sc = fdt_size_cells(fdt, parent);
	if (*ac < 1 || *ac > 2 || *sc < 0 || *sc > 2)
		return -FDT_ERR_BADNCELLS;
	return 0;
}

/* The index-th (base, size) pair of reg, given the parent's cells. */
static int read_reg_cells(const void *fdt, int node, int ac, int sc, int index,
			  struct mem_range *r)
{
	const fdt32_t *reg;
	int len, stride;

	reg = fdt_getprop(fdt, node, "reg", &len);
	if (!reg)
		return len;
	stride = (ac + sc) * (int)sizeof(fdt32_t);
	if (len < (index + 1) * stride)
		return -FDT_ERR_NOTFOUND;
	reg += index * (ac + sc);
	r->base = read_cells(reg, ac);
	r->size = read_cells(reg + ac, sc);
	return 0;
}

/*
 * The index-th (base, size) pair of the reg of node, a child of parent; 0,
 * or a libfdt error. The walk below knows every node's parent: looking it
 * up with fdt_parent_offset() would rescan the tree from the root.
 */
static int read_reg(const void *fdt, int node, int parent, int index,
		    struct mem_range *r)
{
	int ac, sc, err = reg_cells(fdt, parent, &ac, &sc);

	return err ? err : read_reg_cells(fdt, node, ac, sc, index, r);
}

/*
 * A string property, or NULL if absent or not NUL-terminated inside its
 * value: fdt_getprop() only checks that the value lies in the blob.
 */
static const char *get_string(const void *fdt, int node, const char *name)
{
	int len;
	const char *v = fdt_getprop(fdt, node, name, &len);

	if (!v || len <= 0 || strnlen(v, len) == (size_t)len)
		return NULL;
	return v;
}

/* A node is usable unless its status says otherwise. */
static int node_enabled(const void *fdt, int node, const char *status_prop)
{
	const char *status = get_string(fdt, node, status_prop);

	return !status || !strcmp(status, "okay") || !strcmp(status, "ok");
}

static void insert_ram(struct platform *p, struct mem_range r)
{
	unsigned i = p->ram_count++;

	while (i && p->ram[i - 1].base > r.base) {
		p->ram[i] = p->ram[i - 1];
		i--;
	}
	p->ram[i] = r;
	p->ram_total += r.size;
}

/*
 * A /memory node's ranges (the walk below calls it for every enabled child
 * of the root whose device_type is "memory"); 0, or -1 with the reason in
 * err.
 */
static int add_memory(const void *fdt, int node, struct platform *p, char *err,
		      size_t errlen)
{
	struct mem_range r;
	int i;

	for (i = 0; read_reg(fdt, node, 0, i, &r) == 0; i++) {
		if (!r.size)
			continue;
		if (p->ram_count == MAX_RAM_RANGES) {
			fmt_snprintf(err, errlen,
				     "more than %d RAM ranges in the DT",
				     MAX_RAM_RANGES);
			return -1;
		}
		if (r.base + r.size < r.base) {
			fmt_snprintf(err, errlen,
				     "RAM range at 0x%llx overflows",
				     (unsigned long long)r.base);
			return -1;
		}
		insert_ram(p, r);
	}
	return 0;
}

/* The RAM all /memory nodes describe, sorted: it must not overlap. */
static int check_memory(const struct platform *p, char *err, size_t errlen)
{
	unsigned i;

	for (i = 1; i < p->ram_count; i++) {
		if (p->ram[i - 1].base + p->ram[i - 1].size > p->ram[i].base) {
			fmt_snprintf(err, errlen,
				     "RAM ranges overlap at 0x%llx",
				     (unsigned long long)p->ram[i].base);
			return -1;
		}
	}
	if (!p->ram_count) {
		fmt_snprintf(err, errlen, "no /memory node in the DT");
		return -1;
	}
	return 0;
}

/*
 * The parent of the node a stdout-path names (len bytes of it): for a full
 * path, the node at its prefix, a lookup from the root; for an alias,
 * fdt_parent_offset(), which rescans the tree up to the node.
 */
static int path_parent(const void *fdt, const char *path, int len, int node)
{
	int i = len;

	if (path[0] != '/' || path[len - 1] == '/')
		return fdt_parent_offset(fdt, node);
	while (path[i - 1] != '/')
		i--;
	return i == 1 ? 0 : fdt_path_offset_namelen(fdt, path, i - 1);
}

/* /chosen/stdout-path: a path or an alias, optionally ":options". */
static int find_console(const void *fdt, int chosen, struct platform *p,
			char *err, size_t errlen)
{
	const char *path, *colon;
	int node, len;

	path = chosen < 0 ? NULL : get_string(fdt, chosen, "stdout-path");
	if (!path) {
		fmt_snprintf(err, errlen, "no /chosen/stdout-path in the DT");
		return -1;
	}
	colon = strchr(path, ':');
	len = colon ? (int)(colon - path) : (int)strlen(path);
	node = fdt_path_offset_namelen(fdt, path, len);
	if (node < 0 || fdt_node_check_compatible(fdt, node, "arm,pl011")) {
		fmt_snprintf(err, errlen, "stdout-path %s is not a PL011",
			     path);
		return -1;
	}
	if (read_reg(fdt, node, path_parent(fdt, path, len, node), 0,
		     &p->uart)) {
		fmt_snprintf(err, errlen, "console %s has no reg", path);
		return -1;
	}
	return 0;
}

/* A node the walk found, and its parent (for its reg); node < 0: none. */
struct dt_node {
	int node, parent;
};

static void set_psci(const void *fdt, int node, struct platform *p)
{
	const char *method = node < 0 ? NULL : get_string(fdt, node, "method");

	if (method && !strcmp(method, "hvc"))
		p->psci = PSCI_HVC;
	else if (method && !strcmp(method, "smc"))
		p->psci = PSCI_SMC;
	else
		p->psci = PSCI_NONE;
}

static void set_device(const void *fdt, struct dt_node n, struct mem_range *r)
{
	if (n.node < 0 || read_reg(fdt, n.node, n.parent, 0, r))
		*r = (struct mem_range){0, 0};
}

/*
 * QEMU describes a power-off GPIO for the secure world only (status
 * "disabled", secure-status "okay"): the way out when there is no PSCI.
 * Its gpios phandle must name one of the PL061s the walk found.
 */
static void set_secure_poweroff(const void *fdt, struct dt_node node,
				const struct dt_node *pl061, unsigned count,
				struct platform *p)
{
	const fdt32_t *gpios;
	unsigned i;
	int len;

	/* The binding: secure-status if present, else status, applies. */
	if (node.node < 0 ||
	    !node_enabled(fdt, node.node,
			  fdt_getprop(fdt, node.node, "secure-status", NULL)
				  ? "secure-status"
				  : "status"))
		return;
	gpios = fdt_getprop(fdt, node.node, "gpios", &len);
	if (!gpios || len < 8)
		return;
	for (i = 0; i < count; i++)
		if (fdt_get_phandle(fdt, pl061[i].node) ==
		    fdt32_to_cpu(gpios[0]))
			break;
	if (i == count ||
	    read_reg(fdt, pl061[i].node, pl061[i].parent, 0, &p->poweroff_gpio))
		return;
	p->poweroff_line = fdt32_to_cpu(gpios[1]);
}

/* QEMU virt: one cfi-flash node, a reg entry per bank, "bank-width". */
static void set_flash(const void *fdt, struct dt_node n, struct platform *p)
{
	const fdt32_t *width;
	unsigned i;
	int len;

	if (n.node < 0)
		return;
	for (i = 0; i < 2 && !read_reg(fdt, n.node, n.parent, i, &p->flash[i]);
	     i++)
		;
	p->flash_banks = i;
	width = fdt_getprop(fdt, n.node, "bank-width", &len);
	p->flash_bank_width = width && len == 4 ? fdt32_to_cpu(*width) : 0;
}

/* "ranges" flags (phys.hi) of a PCI host bridge: the space code. */
#define PCI_RANGE_SPACE(hi) ((hi) >> 24 & 3)
#define PCI_RANGE_IO 1
#define PCI_RANGE_MEM32 2
#define PCI_RANGE_MEM64 3

/*
 * Where a node sits: its ancestors' offsets, root first, as a walk over
 * the tree knows them. Looking a parent up with fdt_parent_offset() would
 * rescan the tree from the root every time (QEMU's DT has 32 virtio-mmio
 * nodes: that was millions of instructions).
 */
#define DT_MAX_DEPTH 16

struct dt_where {
	int up[DT_MAX_DEPTH]; /* up[0] = root ... up[depth - 1] = parent */
	int depth;
};

/* The parent's #address-cells/#size-cells, as reg needs them. */
static int parent_cells(const void *fdt, const struct dt_where *w, int *ac,
			int *sc)
{
	*ac = fdt_address_cells(fdt, w->up[w->depth - 1]);
	*sc = fdt_size_cells(fdt, w->up[w->depth - 1]);
	return *ac >= 1 && *ac <= 2 && *sc >= 1 && *sc <= 2 ? 0 : -1;
}

/* dma-coherent on the node or an ancestor (as Linux's of_dma_is_coherent). */
static bool dma_coherent(const void *fdt, int node, const struct dt_where *w)
{
	int i;

	if (fdt_getprop(fdt, node, "dma-coherent", NULL))
		return true;
	for (i = 0; i < w->depth; i++)
		if (fdt_getprop(fdt, w->up[i], "dma-coherent", NULL))
			return true;
	return false;
}

/*
 * The ECAM host bridge: config space (reg), bus-range, and its windows
 * (ranges: 3-cell PCI address, parent address, 2-cell size). A node that
 * does not add up is ignored: mmuon then drives no PCI device. The first
 * usable one only.
 */
static void add_pcie(const void *fdt, int node, const struct dt_where *w,
		     struct platform *p)
{
	struct pcie_host_info h = {.bus_min = 0, .bus_max = 255};
	const fdt32_t *cell;
	int len, ac, sc, i, stride;

	if (p->pcie.ecam.size || parent_cells(fdt, w, &ac, &sc) ||
	    read_reg_cells(fdt, node, ac, sc, 0, &h.ecam) || !h.ecam.size)
		return;
	cell = fdt_getprop(fdt, node, "bus-range", &len);
	if (cell && len == 8) {
		h.bus_min = fdt32_to_cpu(cell[0]);
		h.bus_max = fdt32_to_cpu(cell[1]);
	}
	/* 1 MiB of config space per bus. */
	if (h.bus_min > h.bus_max || h.bus_max > 255 ||
	    (h.ecam.size >> 20) < h.bus_max - h.bus_min + 1)
		return;
	cell = fdt_getprop(fdt, node, "ranges", &len);
	stride = 3 + ac + 2;
	if (!cell || fdt_address_cells(fdt, node) != 3 ||
	    fdt_size_cells(fdt, node) != 2)
		return;
	for (i = 0; (i + 1) * stride * 4 <= len; i++) {
		const fdt32_t *r = cell + i * stride;
		struct pci_range win = {
			.pci_base = read_cells(r + 1, 2),
			.cpu_base = read_cells(r + 3, ac),
			.size = read_cells(r + 3 + ac, 2),
		};

		switch (PCI_RANGE_SPACE(fdt32_to_cpu(r[0]))) {
		case PCI_RANGE_IO:
			h.io = win;
			break;
		case PCI_RANGE_MEM32:
			h.mem32 = win;
			break;
		case PCI_RANGE_MEM64:
			h.mem64 = win;
			break;
		}
	}
	h.dma_coherent = dma_coherent(fdt, node, w);
	p->pcie = h;
}

static void add_virtio_mmio(const void *fdt, int node, const struct dt_where *w,
			    struct platform *p)
{
	struct virtio_mmio_info *v = &p->virtio_mmio[p->virtio_mmio_count];
	int ac, sc;

	if (p->virtio_mmio_count == MAX_VIRTIO_MMIO ||
	    parent_cells(fdt, w, &ac, &sc) ||
	    read_reg_cells(fdt, node, ac, sc, 0, &v->reg) || !v->reg.size)
		return;
	v->dma_coherent = dma_coherent(fdt, node, w);
	p->virtio_mmio_count++;
}

/* The PL061s a power-off GPIO may name: QEMU has one or two. */
#define MAX_PL061 4

/* The first node of each kind the walk found (any status, unless said). */
struct dt_found {
	struct dt_node psci_0_2, psci;
	struct dt_node rtc, fw_cfg, flash; /* the first enabled */
	struct dt_node poweroff;
	struct dt_node pl061[MAX_PL061];
	unsigned pl061_count;
};

/* Keeps the first node of a kind. */
static void first(struct dt_node *slot, int node, const struct dt_where *w)
{
	if (slot->node < 0)
		*slot = (struct dt_node){node, w->up[w->depth - 1]};
}

/*
 * One walk over the tree, one compatible lookup per node: the RAM, every
 * device mmuon drives, and the buses disks sit on; 0, or -1 with the
 * reason in err. Looking each kind up with
 * fdt_node_offset_by_compatible() would walk the whole tree once per kind
 * (and a parent with fdt_parent_offset() once more per node): with QEMU's
 * 32 virtio-mmio nodes that was most of the boot's instructions.
 */
static int find_nodes(const void *fdt, struct dt_found *f, struct platform *p,
		      char *err, size_t errlen)
{
	struct dt_where w = {.up = {0}, .depth = 0};
	int node, depth = 0;

	for (node = fdt_next_node(fdt, 0, &depth); node >= 0 && depth > 0;
	     node = fdt_next_node(fdt, node, &depth)) {
		if (depth >= DT_MAX_DEPTH)
			continue;
		const char *compat, *type;
		int len;

		/* Our ancestors are the last nodes seen at each lower depth. */
		w.depth = depth;
		w.up[depth] = node;
		if (depth == 1) {
			type = get_string(fdt, node, "device_type");
			if (type && !strcmp(type, "memory") &&
			    node_enabled(fdt, node, "status") &&
			    add_memory(fdt, node, p, err, errlen))
				return -1;
		}
		compat = fdt_getprop(fdt, node, "compatible", &len);
		if (!compat)
			continue;
#define IS(c) fdt_stringlist_contains(compat, len, c)
#define ENABLED node_enabled(fdt, node, "status")
		if (IS("arm,psci-0.2"))
			first(&f->psci_0_2, node, &w);
		if (IS("arm,psci"))
			first(&f->psci, node, &w);
		if (IS("gpio-poweroff"))
			first(&f->poweroff, node, &w);
		if (IS("arm,pl061") && f->pl061_count < MAX_PL061)
			f->pl061[f->pl061_count++] =
				(struct dt_node){node, w.up[depth - 1]};
		if (IS("virtio,mmio")) {
			if (ENABLED)
				add_virtio_mmio(fdt, node, &w, p);
		} else if (IS("pci-host-ecam-generic")) {
			if (ENABLED)
				add_pcie(fdt, node, &w, p);
		} else if (IS("arm,pl031")) {
			if (f->rtc.node < 0 && ENABLED)
				first(&f->rtc, node, &w);
		} else if (IS("qemu,fw-cfg-mmio")) {
			if (f->fw_cfg.node < 0 && ENABLED)
				first(&f->fw_cfg, node, &w);
		} else if (IS("cfi-flash")) {
			if (f->flash.node < 0 && ENABLED)
				first(&f->flash, node, &w);
		}
#undef ENABLED
#undef IS
	}
	return check_memory(p, err, errlen);
}

int dt_discover(const void *fdt, struct platform *p, char *err, size_t errlen)
{
	struct dt_found f = {.psci_0_2.node = -1,
			     .psci.node = -1,
			     .rtc.node = -1,
			     .fw_cfg.node = -1,
			     .flash.node = -1,
			     .poweroff.node = -1};
	int chosen, rc;

	memset(p, 0, sizeof(*p));
	p->bootargs = "";
	rc = fdt_check_header(fdt);
	if (rc) {
		fmt_snprintf(err, errlen, "no valid DTB: %s", fdt_strerror(rc));
		return -1;
	}
	p->fdt = fdt;
	p->fdt_size = fdt_totalsize(fdt);

	/* The console first, so that later failures can be reported. */
	chosen = fdt_path_offset(fdt, "/chosen");
	if (find_console(fdt, chosen, p, err, errlen) ||
	    find_nodes(fdt, &f, p, err, errlen))
		return -1;
	set_psci(fdt, f.psci_0_2.node >= 0 ? f.psci_0_2.node : f.psci.node, p);
	set_device(fdt, f.rtc, &p->rtc);
	set_device(fdt, f.fw_cfg, &p->fw_cfg);
	set_secure_poweroff(fdt, f.poweroff, f.pl061, f.pl061_count, p);
	set_flash(fdt, f.flash, p);
	if (chosen >= 0) {
		const char *args = get_string(fdt, chosen, "bootargs");

		if (args)
			p->bootargs = args;
	}
	return 0;
}
