// SPDX-License-Identifier: MIT
/* Counted copies of boot payload; see include/mmuon/payload_copy.h. */
#include <string.h>

#include <mmuon/payload_copy.h>

static uint64_t copied;

void *payload_copy(void *dst, const void *src, size_t n)
{
	copied += n;
	return memcpy(dst, src, n);
}

uint64_t payload_copied_bytes(void)
{
	return copied;
}
