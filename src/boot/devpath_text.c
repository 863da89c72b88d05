// SPDX-License-Identifier: MIT
/*
 * Device paths to text (see devpath_text.h), for the boot manager's
 * messages: what it tried, and why that did not boot.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <mmuon/devpath_expand.h>
#include <mmuon/devpath_text.h>
#include <mmuon/devpath_util.h>
#include <mmuon/fmt.h>

struct text {
	char *out;
	size_t size, len;
};

static void put(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	t->len +=
		fmt_vsnprintf(t->len < t->size ? t->out + t->len : NULL,
			      t->len < t->size ? t->size - t->len : 0, fmt, ap);
	va_end(ap);
}

static uint64_t le(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static void put_guid(struct text *t, const uint8_t *g)
{
	put(t, "%08X-%04X-%04X-%02X%02X-", (unsigned)le(g, 4),
	    (unsigned)le(g + 4, 2), (unsigned)le(g + 6, 2), g[8], g[9]);
	for (int i = 10; i < 16; i++)
		put(t, "%02X", g[i]);
}

/* A vendor node: its GUID, then any data as hex. False if it is too short
 * to hold the GUID (the caller prints it as Path(type,subtype)). */
static bool put_vendor(struct text *t, const char *name, const uint8_t *n,
		       size_t len)
{
	if (len < 20)
		return false;
	put(t, "%s(", name);
	put_guid(t, n + 4);
	if (len > 20) {
		put(t, ",");
		for (size_t i = 20; i < len; i++)
			put(t, "%02X", n[i]);
	}
	put(t, ")");
	return true;
}

static void put_file(struct text *t, const uint8_t *n, size_t len)
{
	for (size_t i = 4; i + 1 < len; i += 2) {
		unsigned c = n[i] | n[i + 1] << 8;

		if (!c)
			break;
		put(t, "%c", c < 0x80 && c >= 0x20 ? (char)c : '?');
	}
}

static void put_node(struct text *t, const uint8_t *n)
{
	size_t len = devpath_node_length(n);
	unsigned key = (unsigned)n[0] << 8 | n[1];

	switch (key) {
	case 0x0101: /* Pci(device,function) */
		if (len == 6) {
			put(t, "Pci(0x%x,0x%x)", n[5], n[4]);
			return;
		}
		break;
	case 0x0104:
		if (put_vendor(t, "VenHw", n, len))
			return;
		break;
	case 0x0201: /* ACPI: PNP0A03 is a PCI root bridge */
		if (len == 12 && le(n + 4, 4) == 0x0a0341d0) {
			put(t, "PciRoot(0x%x)", (unsigned)le(n + 8, 4));
			return;
		}
		break;
	case 0x0302:
		if (len == 8) {
			put(t, "Scsi(0x%x,0x%x)", (unsigned)le(n + 4, 2),
			    (unsigned)le(n + 6, 2));
			return;
		}
		break;
	case 0x0318:
		put(t, "Uri(%.*s)", (int)(len - 4), (const char *)n + 4);
		return;
	case 0x0401:
		if (len == DEVPATH_HD_SIZE) {
			put(t, "HD(%u,", (unsigned)le(n + 4, 4));
			if (n[HD_MBR_TYPE] == 2 && n[HD_SIGNATURE_TYPE] == 2) {
				put(t, "GPT,");
				put_guid(t, n + HD_SIGNATURE);
			} else {
				put(t, "MBR,0x%08X",
				    (unsigned)le(n + HD_SIGNATURE, 4));
			}
			put(t, ",0x%llx,0x%llx)",
			    (unsigned long long)le(n + 8, 8),
			    (unsigned long long)le(n + 16, 8));
			return;
		}
		break;
	case 0x0402:
		if (len == 24) {
			put(t, "CDROM(0x%x,0x%llx,0x%llx)",
			    (unsigned)le(n + 4, 4),
			    (unsigned long long)le(n + 8, 8),
			    (unsigned long long)le(n + 16, 8));
			return;
		}
		break;
	case 0x0403:
		if (put_vendor(t, "VenMedia", n, len))
			return;
		break;
	case 0x0404:
		put_file(t, n, len);
		return;
	case 0x0406:
	case 0x0407:
		if (len == 20) {
			put(t, n[1] == 6 ? "FvFile(" : "Fv(");
			put_guid(t, n + 4);
			put(t, ")");
			return;
		}
		break;
	}
	put(t, "Path(%u,%u)", n[0], n[1]);
}

size_t devpath_to_text(const void *path, size_t max, char *out, size_t size)
{
	struct text t = {out, size, 0};
	const uint8_t *n = path;

	if (size)
		out[0] = 0;
	if (!devpath_size(path, max)) {
		put(&t, "<malformed path>");
		return t.len;
	}
	for (bool first = true; !devpath_is_end(n);
	     n = devpath_next(n), first = false) {
		/*
		 * Every node after the first follows a '/', a file path too
		 * (".../HD(...)/\EFI\BOOT\BOOTAA64.EFI"): the text form of
		 * UEFI 2.10 section 10.6, as EDK2 prints it.
		 */
		if (!first)
			put(&t, "/");
		put_node(&t, n);
	}
	return t.len;
}
