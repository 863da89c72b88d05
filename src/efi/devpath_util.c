// SPDX-License-Identifier: MIT
/*
 * Device path helpers on raw bytes (see devpath_util.h). Every walk is
 * bounded by max_size and by each node's own length, so a malformed path
 * from a client cannot make the firmware read past it or loop forever.
 */
#include <string.h>
#include <mmuon/devpath_util.h>

enum devpath_status devpath_validate(const void *path, size_t max_size,
				     size_t *size)
{
	const uint8_t *p = path;
	size_t off = 0;
	uint16_t len;

	for (;;) {
		if (max_size - off < DEVPATH_HDR_SIZE)
			return DEVPATH_ERR_TRUNCATED;
		len = devpath_node_length(p + off);
		/* A zero length would never advance. */
		if (len < DEVPATH_HDR_SIZE)
			return DEVPATH_ERR_NODE_LENGTH;
		if (len > max_size - off)
			return DEVPATH_ERR_TRUNCATED;
		if (devpath_is_end(p + off))
			break;
		off += len;
	}
	if (len != DEVPATH_HDR_SIZE)
		return DEVPATH_ERR_END_LENGTH;
	if (size)
		*size = off + len;
	return DEVPATH_OK;
}

size_t devpath_size(const void *path, size_t max_size)
{
	size_t size;

	if (devpath_validate(path, max_size, &size) != DEVPATH_OK)
		return 0;
	return size;
}

bool devpath_equal(const void *a, const void *b, size_t max_size)
{
	size_t sa = devpath_size(a, max_size), sb = devpath_size(b, max_size);

	return sa && sa == sb && !memcmp(a, b, sa);
}

/*
 * A byte-wise prefix is a node-wise prefix: both paths are valid and the
 * bytes equal, so their node headers, and hence node boundaries, coincide.
 */
bool devpath_is_prefix(const void *prefix, const void *path, size_t max_size,
		       size_t *matched)
{
	size_t sp = devpath_size(prefix, max_size);
	size_t sa = devpath_size(path, max_size);

	if (!sp || !sa || sp > sa)
		return false;
	sp -= DEVPATH_HDR_SIZE;
	if (memcmp(prefix, path, sp))
		return false;
	if (matched)
		*matched = sp;
	return true;
}

size_t devpath_longest_prefix(const void *path, const void *const *cands,
			      size_t count, size_t max_size, size_t *matched)
{
	size_t best = DEVPATH_NO_MATCH, best_len = 0, len;

	for (size_t i = 0; i < count; i++) {
		if (!cands[i] ||
		    !devpath_is_prefix(cands[i], path, max_size, &len))
			continue;
		if (best == DEVPATH_NO_MATCH || len > best_len) {
			best = i;
			best_len = len;
		}
	}
	if (best != DEVPATH_NO_MATCH && matched)
		*matched = best_len;
	return best;
}

static void put_node(uint8_t *p, uint8_t type, uint8_t subtype, uint16_t len)
{
	p[0] = type;
	p[1] = subtype;
	p[2] = (uint8_t)len;
	p[3] = (uint8_t)(len >> 8);
}

size_t devpath_end(void *buf, size_t buf_size)
{
	if (buf_size < DEVPATH_HDR_SIZE)
		return 0;
	put_node(buf, DEVPATH_TYPE_END, DEVPATH_SUBTYPE_END_ENTIRE,
		 DEVPATH_HDR_SIZE);
	return DEVPATH_HDR_SIZE;
}

size_t devpath_vendor_media(void *buf, size_t buf_size,
			    const uint8_t guid[DEVPATH_GUID_SIZE])
{
	const size_t node = DEVPATH_HDR_SIZE + DEVPATH_GUID_SIZE;
	uint8_t *p = buf;

	if (buf_size < DEVPATH_VENDOR_MEDIA_SIZE)
		return 0;
	put_node(p, DEVPATH_TYPE_MEDIA, DEVPATH_SUBTYPE_VENDOR_MEDIA, node);
	memcpy(p + DEVPATH_HDR_SIZE, guid, DEVPATH_GUID_SIZE);
	devpath_end(p + node, DEVPATH_HDR_SIZE);
	return DEVPATH_VENDOR_MEDIA_SIZE;
}
