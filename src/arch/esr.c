// SPDX-License-Identifier: MIT
/* ESR_ELx decoding: exception class, and for aborts the fault status. */
#include <mmuon/esr.h>
#include <mmuon/fmt.h>

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define ESR_ISS(esr) ((esr)&0x1ffffff)
#define ISS_WNR (1u << 6) /* data abort: caused by a write */
#define ISS_CM (1u << 8)  /* data abort: cache maintenance */

struct name {
	unsigned code;
	const char *text;
};

static const struct name classes[] = {
	{0x00, "unknown reason (undefined instruction)"},
	{0x01, "trapped WFI/WFE"},
	{0x07, "trapped FP/SIMD access"},
	{0x0e, "illegal execution state"},
	{0x15, "SVC"},
	{0x16, "HVC"},
	{0x17, "SMC"},
	{0x18, "trapped system register access"},
	{0x19, "trapped SVE access"},
	{0x20, "instruction abort from a lower EL"},
	{0x21, "instruction abort"},
	{0x22, "PC alignment fault"},
	{0x24, "data abort from a lower EL"},
	{0x25, "data abort"},
	{0x26, "SP alignment fault"},
	{0x2c, "floating-point exception"},
	{0x2f, "SError"},
	{0x30, "breakpoint from a lower EL"},
	{0x31, "breakpoint"},
	{0x32, "software step from a lower EL"},
	{0x33, "software step"},
	{0x34, "watchpoint from a lower EL"},
	{0x35, "watchpoint"},
	{0x3c, "BRK instruction"},
};

/* Fault status codes that are not per level (DFSC/IFSC[5:0]). */
static const struct name faults[] = {
	{0x10, "synchronous external abort"},
	{0x11, "synchronous tag check fault"},
	{0x18, "synchronous parity/ECC error"},
	{0x21, "alignment fault"},
	{0x30, "TLB conflict abort"},
	{0x31, "unsupported atomic hardware update"},
};

/* Per-level fault kinds, DFSC[5:2] for levels 0..3 in DFSC[1:0]. */
static const char *const level_faults[] = {
	"address size fault",
	"translation fault",
	"access flag fault",
	"permission fault",
};

static const char *lookup(const struct name *table, size_t n, unsigned code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (table[i].code == code)
			return table[i].text;
	return NULL;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

void esr_describe(uint64_t esr, char *buf, size_t size)
{
	unsigned ec = ESR_EC(esr), iss = ESR_ISS(esr), fsc = iss & 0x3f;
	const char *what = lookup(classes, COUNT(classes), ec);
	const char *fault;

	if (!what) {
		fmt_snprintf(buf, size, "exception class 0x%x", ec);
		return;
	}
	if (ec != 0x20 && ec != 0x21 && ec != 0x24 && ec != 0x25) {
		if (ec == 0x3c)
			fmt_snprintf(buf, size, "%s (#0x%x)", what,
				     iss & 0xffff);
		else
			fmt_snprintf(buf, size, "%s", what);
		return;
	}
	fault = lookup(faults, COUNT(faults), fsc);
	if (fault) {
		fmt_snprintf(buf, size, "%s, %s", what, fault);
	} else if (fsc < 0x10) {
		fmt_snprintf(buf, size, "%s, %s level %u", what,
			     level_faults[fsc >> 2], fsc & 3);
	} else {
		fmt_snprintf(buf, size, "%s, fault status 0x%x", what, fsc);
	}
	if (ec == 0x24 || ec == 0x25) {
		size_t len = 0;

		while (len < size && buf[len])
			len++;
		fmt_snprintf(buf + len, size - len, ", %s%s",
			     (iss & ISS_CM) ? "cache maintenance " : "",
			     (iss & ISS_WNR) ? "write" : "read");
	}
}
