// SPDX-License-Identifier: MIT
/*
 * Checks QEMU's ACPI tables once the table loader linked them
 * (include/mmuon/acpi.h). Layouts from ACPI 6.5: the RSDP (5.2.5.3), the
 * common table header (5.2.6), the XSDT (5.2.8), the FADT's DSDT pointers
 * (5.2.9).
 */
#include <string.h>

#include <mmuon/acpi.h>
#include <mmuon/fmt.h>
#include <mmuon/le.h>

#define RSDP_V1_LENGTH 20
#define RSDP_LENGTH 36
#define RSDP_REVISION 15
#define RSDP_LENGTH_FIELD 20
#define RSDP_XSDT 24

#define HEADER_LENGTH 36
#define HEADER_LENGTH_FIELD 4
#define FADT_DSDT 40
#define FADT_X_DSDT 140

static int fail(struct acpi_summary *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct acpi_summary *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	return -1;
}

/* The table at address, whole and summing to zero; NULL (why in s) if not. */
static const uint8_t *table_at(const struct table_loader *tl,
			       struct acpi_summary *s, uint64_t address,
			       const char *what)
{
	const uint8_t *h = table_loader_map(tl, address, HEADER_LENGTH);
	uint32_t length;

	if (!h) {
		fail(s, "%s at 0x%llx is not in a loaded blob", what,
		     (unsigned long long)address);
		return NULL;
	}
	length = (uint32_t)le_get(h + HEADER_LENGTH_FIELD, 4);
	if (length < HEADER_LENGTH || !table_loader_map(tl, address, length)) {
		fail(s, "%s %.4s at 0x%llx: length %u out of its blob", what,
		     (const char *)h, (unsigned long long)address, length);
		return NULL;
	}
	if (byte_sum(h, length)) {
		fail(s, "%s %.4s at 0x%llx: bad checksum", what,
		     (const char *)h, (unsigned long long)address);
		return NULL;
	}
	return h;
}

static void add_signature(struct acpi_summary *s, const uint8_t *table)
{
	size_t n = strlen(s->signatures);

	fmt_snprintf(s->signatures + n, sizeof(s->signatures) - n, "%s%.4s",
		     n ? " " : "", (const char *)table);
	s->tables++;
}

/* The DSDT the FADT names: X_DSDT when the FADT has it, else DSDT. */
static int check_dsdt(const struct table_loader *tl, struct acpi_summary *s,
		      const uint8_t *fadt)
{
	uint32_t length = (uint32_t)le_get(fadt + HEADER_LENGTH_FIELD, 4);
	uint64_t dsdt = 0;
	const uint8_t *t;

	if (length >= FADT_X_DSDT + 8)
		dsdt = le_get(fadt + FADT_X_DSDT, 8);
	if (!dsdt && length >= FADT_DSDT + 4)
		dsdt = le_get(fadt + FADT_DSDT, 4);
	if (!dsdt)
		return fail(s, "the FADT names no DSDT");
	t = table_at(tl, s, dsdt, "DSDT");
	if (!t)
		return -1;
	if (memcmp(t, "DSDT", 4))
		return fail(s, "the FADT's DSDT is a %.4s", (const char *)t);
	add_signature(s, t);
	return 0;
}

int acpi_check(const struct table_loader *tl, struct acpi_summary *s)
{
	const struct table_loader_blob *b =
		table_loader_blob(tl, ACPI_RSDP_FILE);
	const uint8_t *rsdp, *xsdt;
	uint32_t length, entries;
	bool fadt = false;

	memset(s, 0, sizeof(*s));
	if (!b || !b->data || b->size < RSDP_LENGTH)
		return fail(s, "no %s of %u bytes loaded", ACPI_RSDP_FILE,
			    RSDP_LENGTH);
	rsdp = b->data;
	s->rsdp = b->address;
	length = (uint32_t)le_get(rsdp + RSDP_LENGTH_FIELD, 4);
	if (memcmp(rsdp, "RSD PTR ", 8))
		return fail(s, "the RSDP has no \"RSD PTR \" signature");
	if (rsdp[RSDP_REVISION] < 2)
		return fail(s, "RSDP revision %u: ACPI 2.0 or later needed",
			    rsdp[RSDP_REVISION]);
	if (length < RSDP_LENGTH || length > b->size)
		return fail(s, "RSDP length %u", length);
	if (byte_sum(rsdp, RSDP_V1_LENGTH) || byte_sum(rsdp, length))
		return fail(s, "bad RSDP checksum");
	xsdt = table_at(tl, s, le_get(rsdp + RSDP_XSDT, 8), "XSDT");
	if (!xsdt)
		return -1;
	length = (uint32_t)le_get(xsdt + HEADER_LENGTH_FIELD, 4);
	if (memcmp(xsdt, "XSDT", 4) || (length - HEADER_LENGTH) % 8)
		return fail(s, "the RSDP's XSDT is a %.4s of %u bytes",
			    (const char *)xsdt, length);
	entries = (length - HEADER_LENGTH) / 8;
	for (uint32_t i = 0; i < entries; i++) {
		const uint8_t *t =
			table_at(tl, s, le_get(xsdt + HEADER_LENGTH + 8 * i, 8),
				 "table");

		if (!t)
			return -1;
		add_signature(s, t);
		if (!memcmp(t, "FACP", 4)) {
			if (fadt)
				return fail(s, "two FADTs");
			fadt = true;
			if (check_dsdt(tl, s, t))
				return -1;
		}
	}
	if (!fadt)
		return fail(s, "the XSDT lists no FADT");
	return 0;
}
