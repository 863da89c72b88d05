/* SPDX-License-Identifier: MIT */
/*
 * UEFI device paths as raw bytes: a sequence of nodes, each starting with
 * a 4-byte header {type, subtype, length (16-bit little-endian, header
 * included)}, ended by an End-Entire node (type 0x7f, subtype 0xff,
 * length 4). Nodes have no alignment, so lengths are read byte by byte.
 *
 * These helpers do not depend on the UEFI type headers; a pointer to an
 * EFI_DEVICE_PATH_PROTOCOL can be passed as the const void * path.
 *
 * Paths from outside (clients' LocateDevicePath arguments) have no known
 * buffer size: they are walked at most @max_size bytes, DEVPATH_MAX_SIZE
 * unless the caller knows better. Multi-instance paths are treated as one
 * sequence of nodes; End-Instance (0x7f/0x01) is an ordinary node here.
 */
#ifndef MMUON_DEVPATH_UTIL_H
#define MMUON_DEVPATH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEVPATH_TYPE_MEDIA 0x04
#define DEVPATH_SUBTYPE_VENDOR_MEDIA 0x03
#define DEVPATH_TYPE_END 0x7f
#define DEVPATH_SUBTYPE_END_ENTIRE 0xff
#define DEVPATH_SUBTYPE_END_INSTANCE 0x01

#define DEVPATH_HDR_SIZE 4
#define DEVPATH_GUID_SIZE 16

/* Longest path accepted from a caller that gives no bound. */
#define DEVPATH_MAX_SIZE 4096

/* VenMedia(GUID)/End, as built by devpath_vendor_media(). */
#define DEVPATH_VENDOR_MEDIA_SIZE                                              \
	(DEVPATH_HDR_SIZE + DEVPATH_GUID_SIZE + DEVPATH_HDR_SIZE)

/* Returned by devpath_longest_prefix() when no candidate matches. */
#define DEVPATH_NO_MATCH ((size_t)-1)

struct devpath_hdr {
	uint8_t type;
	uint8_t subtype;
	uint8_t length[2]; /* little-endian, header included */
};

enum devpath_status {
	DEVPATH_OK = 0,
	DEVPATH_ERR_TRUNCATED,	 /* a node runs past max_size (no End) */
	DEVPATH_ERR_NODE_LENGTH, /* a node shorter than its header */
	DEVPATH_ERR_END_LENGTH,	 /* End-Entire node not 4 bytes long */
};

static inline uint16_t devpath_node_length(const void *node)
{
	const struct devpath_hdr *h = node;

	return (uint16_t)(h->length[0] | h->length[1] << 8);
}

static inline bool devpath_is_end(const void *node)
{
	const struct devpath_hdr *h = node;

	return h->type == DEVPATH_TYPE_END &&
	       h->subtype == DEVPATH_SUBTYPE_END_ENTIRE;
}

/* The node after @node; only for nodes of a validated path. */
static inline const void *devpath_next(const void *node)
{
	return (const uint8_t *)node + devpath_node_length(node);
}

/*
 * Check that @path is a well-formed path within @max_size bytes; on
 * DEVPATH_OK *@size (if not NULL) is its size, End node included.
 */
enum devpath_status devpath_validate(const void *path, size_t max_size,
				     size_t *size);

/* Size of a valid path, End included; 0 if it is malformed. */
size_t devpath_size(const void *path, size_t max_size);

/* Both valid and node for node identical. */
bool devpath_equal(const void *a, const void *b, size_t max_size);

/*
 * Whether the nodes of @prefix (without its End) are the first nodes of
 * @path; both must be valid. On true, *@matched is the number of bytes of
 * @path they cover, so @path + *@matched is the remaining path. A bare End
 * node is a prefix of everything (matched = 0), as in EDK2.
 */
bool devpath_is_prefix(const void *prefix, const void *path, size_t max_size,
		       size_t *matched);

/*
 * For LocateDevicePath: the index of the candidate that is the longest
 * prefix of @path (the first of equals), or DEVPATH_NO_MATCH; *@matched as
 * for devpath_is_prefix(). NULL candidates are skipped.
 */
size_t devpath_longest_prefix(const void *path, const void *const *cands,
			      size_t count, size_t max_size, size_t *matched);

/*
 * Write VenMedia(@guid)/End (type 4, subtype 3, then End-Entire) into
 * @buf; @guid is the 16 bytes in EFI_GUID (mixed-endian) layout. Returns
 * DEVPATH_VENDOR_MEDIA_SIZE, or 0 if @buf_size is smaller.
 */
size_t devpath_vendor_media(void *buf, size_t buf_size,
			    const uint8_t guid[DEVPATH_GUID_SIZE]);

/* Write an End-Entire node; returns 4, or 0 if @buf_size is smaller. */
size_t devpath_end(void *buf, size_t buf_size);

#endif
