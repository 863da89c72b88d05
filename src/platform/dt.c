// SPDX-License-Identifier: MIT
/*
 * Device tree discovery with libfdt: RAM (every /memory node, any number of
 * reg entries, above 4 GiB too), the console from /chosen/stdout-path, the
 * PSCI conduit, the RTC, fw_cfg, the secure power-off GPIO and the CFI
 * flash banks.
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

/* The #address-cells/#size-cells that apply to a node's reg property. */
static int reg_cells(const void *fdt, int node, int *ac, int *sc)
{
	int parent = fdt_parent_offset(fdt, node);

	if (parent < 0)
		return parent;
	*ac = fdt_address_cells(fdt, parent);
	*sc = fdt_size_cells(fdt, parent);
	if (*ac < 1 || *ac > 2 || *sc < 0 || *sc > 2)
		return -FDT_ERR_BADNCELLS;
	return 0;
}

/* The index-th (base, size) pair of a node's reg; 0, or a libfdt error. */
static int read_reg(const void *fdt, int node, int index, struct mem_range *r)
{
	const fdt32_t *reg;
	int ac, sc, len, err, stride;

	err = reg_cells(fdt, node, &ac, &sc);
	if (err)
		return err;
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

static int find_memory(const void *fdt, struct platform *p, char *err,
		       size_t errlen)
{
	int node, i, rc;
	struct mem_range r;

	fdt_for_each_subnode(node, fdt, 0)
	{
		const char *type = get_string(fdt, node, "device_type");

		if (!type || strcmp(type, "memory") ||
		    !node_enabled(fdt, node, "status"))
			continue;
		for (i = 0; (rc = read_reg(fdt, node, i, &r)) == 0; i++) {
			if (!r.size)
				continue;
			if (p->ram_count == MAX_RAM_RANGES) {
				fmt_snprintf(
					err, errlen,
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
	}
	for (i = 1; i < (int)p->ram_count; i++) {
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

/* /chosen/stdout-path: a path or an alias, optionally ":options". */
static int find_console(const void *fdt, struct platform *p, char *err,
			size_t errlen)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	const char *path, *colon;
	int node;

	path = chosen < 0 ? NULL : get_string(fdt, chosen, "stdout-path");
	if (!path) {
		fmt_snprintf(err, errlen, "no /chosen/stdout-path in the DT");
		return -1;
	}
	colon = strchr(path, ':');
	node = fdt_path_offset_namelen(
		fdt, path, colon ? (int)(colon - path) : (int)strlen(path));
	if (node < 0 || fdt_node_check_compatible(fdt, node, "arm,pl011")) {
		fmt_snprintf(err, errlen, "stdout-path %s is not a PL011",
			     path);
		return -1;
	}
	if (read_reg(fdt, node, 0, &p->uart)) {
		fmt_snprintf(err, errlen, "console %s has no reg", path);
		return -1;
	}
	return 0;
}

static void find_psci(const void *fdt, struct platform *p)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-0.2");
	const char *method;

	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci");
	method = node < 0 ? NULL : get_string(fdt, node, "method");
	if (method && !strcmp(method, "hvc"))
		p->psci = PSCI_HVC;
	else if (method && !strcmp(method, "smc"))
		p->psci = PSCI_SMC;
	else
		p->psci = PSCI_NONE;
}

static void find_device(const void *fdt, const char *compatible,
			struct mem_range *r)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, compatible);

	while (node >= 0 && !node_enabled(fdt, node, "status"))
		node = fdt_node_offset_by_compatible(fdt, node, compatible);
	if (node < 0 || read_reg(fdt, node, 0, r))
		*r = (struct mem_range){0, 0};
}

/*
 * QEMU describes a power-off GPIO for the secure world only (status
 * "disabled", secure-status "okay"): the way out when there is no PSCI.
 */
static void find_secure_poweroff(const void *fdt, struct platform *p)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "gpio-poweroff");
	const fdt32_t *gpios;
	int len, gpio;

	/* The binding: secure-status if present, else status, applies. */
	if (node < 0 ||
	    !node_enabled(fdt, node,
			  fdt_getprop(fdt, node, "secure-status", NULL)
				  ? "secure-status"
				  : "status"))
		return;
	gpios = fdt_getprop(fdt, node, "gpios", &len);
	if (!gpios || len < 8)
		return;
	gpio = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(gpios[0]));
	if (gpio < 0 || fdt_node_check_compatible(fdt, gpio, "arm,pl061") ||
	    read_reg(fdt, gpio, 0, &p->poweroff_gpio))
		return;
	p->poweroff_line = fdt32_to_cpu(gpios[1]);
}

/* QEMU virt: one cfi-flash node, a reg entry per bank, "bank-width". */
static void find_flash(const void *fdt, struct platform *p)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "cfi-flash");
	const fdt32_t *width;
	unsigned i;
	int len;

	while (node >= 0 && !node_enabled(fdt, node, "status"))
		node = fdt_node_offset_by_compatible(fdt, node, "cfi-flash");
	if (node < 0)
		return;
	for (i = 0; i < 2 && !read_reg(fdt, node, i, &p->flash[i]); i++)
		;
	p->flash_banks = i;
	width = fdt_getprop(fdt, node, "bank-width", &len);
	p->flash_bank_width = width && len == 4 ? fdt32_to_cpu(*width) : 0;
}

int dt_discover(const void *fdt, struct platform *p, char *err, size_t errlen)
{
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
	if (find_console(fdt, p, err, errlen) ||
	    find_memory(fdt, p, err, errlen))
		return -1;
	find_psci(fdt, p);
	find_device(fdt, "arm,pl031", &p->rtc);
	find_device(fdt, "qemu,fw-cfg-mmio", &p->fw_cfg);
	find_secure_poweroff(fdt, p);
	find_flash(fdt, p);
	chosen = fdt_path_offset(fdt, "/chosen");
	if (chosen >= 0) {
		const char *args = get_string(fdt, chosen, "bootargs");

		if (args)
			p->bootargs = args;
	}
	return 0;
}
