// SPDX-License-Identifier: MIT
/*
 * Kernel entry by instruction bytes; see kernel_entry.h.
 */
#include <string.h>

#include "kernel_entry.h"

struct pattern {
	uint8_t bytes[KENTRY_MAX_BYTES];
	size_t len;
};

static struct pattern patterns[KENTRY_MAX_PATTERNS];
static int npatterns;

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_hex(const char *s, struct pattern *p)
{
	size_t n = strlen(s);

	if (n % 8 || n < 8 || n > 2 * KENTRY_MAX_BYTES)
		return -1;
	for (p->len = 0; p->len < n / 2; p->len++) {
		int hi = hex_nibble(s[2 * p->len]);
		int lo = hex_nibble(s[2 * p->len + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		p->bytes[p->len] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int kentry_parse_arg(const char *arg)
{
	if (strncmp(arg, "match=", 6))
		return 0;
	if (npatterns == KENTRY_MAX_PATTERNS)
		return -1;
	if (parse_hex(arg + 6, &patterns[npatterns]))
		return -1;
	npatterns++;
	return 1;
}

int kentry_count(void)
{
	return npatterns;
}

/*
 * The block may be shorter than the pattern (the Image head is `ccmp` and
 * a branch, then data), so the bytes after the block's first instruction
 * are read from guest memory. Translation reads code through the same
 * mapping, so the debug read cannot see anything else.
 */
static bool tail_matches(uint64_t vaddr, const struct pattern *p)
{
	GByteArray *buf = g_byte_array_new();
	bool ok = qemu_plugin_read_memory_vaddr(vaddr, buf, p->len) &&
		  buf->len >= p->len && !memcmp(buf->data, p->bytes, p->len);

	g_byte_array_free(buf, TRUE);
	return ok;
}

int kentry_tb_match(const struct qemu_plugin_tb *tb)
{
	uint8_t first[4];
	int i;

	if (!npatterns || !qemu_plugin_tb_n_insns(tb))
		return -1;
	/* The cheap test first: the first instruction, from the block. */
	if (qemu_plugin_insn_data(qemu_plugin_tb_get_insn(tb, 0), first,
				  sizeof(first)) != sizeof(first))
		return -1;
	for (i = 0; i < npatterns; i++) {
		if (memcmp(first, patterns[i].bytes, sizeof(first)))
			continue;
		if (tail_matches(qemu_plugin_tb_vaddr(tb), &patterns[i]))
			return i;
	}
	return -1;
}
