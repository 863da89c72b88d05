// SPDX-License-Identifier: MIT
/*
 * QEMU's bootorder file to device locations (see bootorder.h). The names
 * come from QEMU's qdev_get_fw_dev_path(): a sysbus device is
 * "name@<first MMIO address>" (the PCIe host bridge has none, hence
 * "pci@ffffffffffffffff"), a PCI function "class-name@slot[,function]", a
 * SCSI device "channel@0/disk@target,lun" and a virtio-blk disk
 * "disk@0,0".
 */
#include <string.h>

#include <mmuon/bootorder.h>
#include <mmuon/devpath_util.h>

/* One "name@unit[,unit2]" component of a line. */
struct component {
	const char *name;
	size_t name_len;
	uint64_t unit, unit2;
	bool has_unit, has_unit2;
};

static bool name_is(const struct component *c, const char *name)
{
	return c->name_len == strlen(name) &&
	       !memcmp(c->name, name, c->name_len);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A hex number of at most 16 digits; false if there is none. */
static bool parse_hex(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	int d;

	*v = 0;
	while (s < end && (d = hex_value(*s)) >= 0 && s - *p < 16) {
		*v = *v << 4 | (uint64_t)d;
		s++;
	}
	if (s == *p || (s < end && hex_value(*s) >= 0))
		return false;
	*p = s;
	return true;
}

/* Splits the component at *@p (after a '/'); false if it is malformed. */
static bool next_component(const char **p, const char *end, struct component *c)
{
	const char *s = *p, *stop;

	memset(c, 0, sizeof(*c));
	for (stop = s; stop < end && *stop != '/'; stop++)
		;
	c->name = s;
	while (s < stop && *s != '@')
		s++;
	c->name_len = (size_t)(s - c->name);
	if (!c->name_len)
		return false;
	if (s < stop) {
		s++;
		if (!parse_hex(&s, stop, &c->unit))
			return false;
		c->has_unit = true;
		if (s < stop && *s == ',') {
			s++;
			if (!parse_hex(&s, stop, &c->unit2))
				return false;
			c->has_unit2 = true;
		}
		if (s != stop)
			return false;
	}
	*p = stop < end ? stop + 1 : stop;
	return true;
}

/* What follows the device: nothing, a disk, a SCSI LUN or an Ethernet PHY. */
static bool parse_target(const char *p, const char *end,
			 struct bootorder_entry *e)
{
	struct component c;

	if (p == end)
		return true; /* the device itself */
	if (!next_component(&p, end, &c))
		return false;
	if (name_is(&c, "disk") && p == end) {
		/* virtio-blk: "disk@0,0", nothing to address below. */
		e->kind = BOOTORDER_DISK;
		return true;
	}
	if (name_is(&c, "ethernet-phy") && p == end) {
		e->kind = BOOTORDER_NET;
		return true;
	}
	if (!name_is(&c, "channel") || !c.has_unit || c.unit != 0 ||
	    !next_component(&p, end, &c) || p != end || !name_is(&c, "disk") ||
	    !c.has_unit2 || c.unit > 0xffff || c.unit2 > 0xffff)
		return false;
	e->kind = BOOTORDER_SCSI;
	e->scsi_target = (uint16_t)c.unit;
	e->scsi_lun = (uint16_t)c.unit2;
	return true;
}

static bool parse_pci(const char *p, const char *end, struct bootorder_entry *e)
{
	struct component c;

	for (;;) {
		if (p == end || !next_component(&p, end, &c) || !c.has_unit ||
		    c.unit > 0x1f || c.unit2 > 7)
			return false;
		if (e->pci_depth == BOOTORDER_PCI_DEPTH)
			return false;
		e->pci[e->pci_depth].device = (uint8_t)c.unit;
		e->pci[e->pci_depth].function = (uint8_t)c.unit2;
		e->pci_depth++;
		if (!name_is(&c, "pci-bridge")) {
			e->kind = name_is(&c, "ethernet") ? BOOTORDER_NET
							  : BOOTORDER_OTHER;
			return parse_target(p, end, e);
		}
		/* A bridge with nothing under it names the bridge. */
		if (p == end) {
			e->kind = BOOTORDER_OTHER;
			return true;
		}
	}
}

static void parse_line(const char *p, const char *end,
		       struct bootorder_entry *e)
{
	size_t n = (size_t)(end - p);
	struct component c;

	memset(e, 0, sizeof(*e));
	if (n >= sizeof(e->text))
		n = sizeof(e->text) - 1;
	memcpy(e->text, p, n);
	e->kind = BOOTORDER_OTHER;
	if (p == end || *p != '/')
		return;
	p++;
	if (!next_component(&p, end, &c))
		return;
	if (name_is(&c, "pci") && c.has_unit && !c.has_unit2) {
		e->bus = BOOTORDER_BUS_PCI;
		if (!parse_pci(p, end, e))
			e->bus = BOOTORDER_BUS_NONE;
	} else if (name_is(&c, "virtio-mmio") && c.has_unit && !c.has_unit2) {
		e->bus = BOOTORDER_BUS_MMIO;
		e->mmio_base = c.unit;
		if (!parse_target(p, end, e))
			e->bus = BOOTORDER_BUS_NONE;
	}
	if (e->bus == BOOTORDER_BUS_NONE)
		e->kind = BOOTORDER_OTHER;
}

void bootorder_parse(const char *data, size_t size, struct bootorder *bo)
{
	const char *p = data, *end = data + size, *eol;

	memset(bo, 0, sizeof(*bo));
	/* The file is NUL-terminated; anything after the NUL is not in it. */
	for (const char *q = data; q < end; q++) {
		if (!*q) {
			end = q;
			break;
		}
	}
	for (; p < end; p = eol < end ? eol + 1 : end) {
		for (eol = p; eol < end && *eol != '\n'; eol++)
			;
		if (eol == p)
			continue;
		if (eol - p == 4 && !memcmp(p, "HALT", 4))
			bo->strict = true;
		else if (bo->count == BOOTORDER_MAX)
			bo->dropped++;
		else
			parse_line(p, eol, &bo->entry[bo->count++]);
	}
}

static uint8_t *put_node(uint8_t *p, uint8_t type, uint8_t subtype,
			 const uint8_t *body, size_t len)
{
	p[0] = type;
	p[1] = subtype;
	p[2] = (uint8_t)(DEVPATH_HDR_SIZE + len);
	p[3] = 0;
	memcpy(p + DEVPATH_HDR_SIZE, body, len);
	return p + DEVPATH_HDR_SIZE + len;
}

size_t bootorder_device_path(const struct bootorder_entry *e,
			     uint8_t buf[BOOTORDER_PATH_MAX])
{
	/* ACPI HID PNP0A03 (a PCI root bridge), UID 0 */
	static const uint8_t pci_root[8] = {0xd0, 0x41, 0x03, 0x0a, 0, 0, 0, 0};
	static const uint8_t mmio_guid[16] = {BOOTORDER_VIRTIO_MMIO_GUID};
	uint8_t body[24], *p = buf;

	switch (e->bus) {
	case BOOTORDER_BUS_PCI:
		p = put_node(p, 0x02, 0x01, pci_root, sizeof(pci_root));
		for (unsigned i = 0; i < e->pci_depth; i++) {
			body[0] = e->pci[i].function;
			body[1] = e->pci[i].device;
			p = put_node(p, 0x01, 0x01, body, 2);
		}
		break;
	case BOOTORDER_BUS_MMIO:
		memcpy(body, mmio_guid, 16);
		for (int i = 0; i < 8; i++)
			body[16 + i] = (uint8_t)(e->mmio_base >> (8 * i));
		p = put_node(p, 0x01, 0x04, body, 24);
		break;
	default:
		return 0;
	}
	if (e->kind == BOOTORDER_SCSI) {
		body[0] = (uint8_t)e->scsi_target;
		body[1] = (uint8_t)(e->scsi_target >> 8);
		body[2] = (uint8_t)e->scsi_lun;
		body[3] = (uint8_t)(e->scsi_lun >> 8);
		p = put_node(p, 0x03, 0x02, body, 4);
	}
	p += devpath_end(p, DEVPATH_HDR_SIZE);
	return (size_t)(p - buf);
}
