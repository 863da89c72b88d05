// SPDX-License-Identifier: MIT
/*
 * Short-form device paths (see devpath_expand.h): recognizing them,
 * matching an HD node against a partition's full path, and the file part
 * of a path. Inputs are validated paths (devpath_validate), so node
 * lengths are known sane; names inside File nodes are still checked.
 */
#include <string.h>

#include <mmuon/devpath_expand.h>
#include <mmuon/devpath_util.h>

static const uint8_t *node(const void *p)
{
	return p;
}

static bool is_media(const uint8_t *n, uint8_t subtype)
{
	return n[0] == DEVPATH_TYPE_MEDIA && n[1] == subtype;
}

enum devpath_form devpath_form(const void *path)
{
	const uint8_t *n = node(path);

	if (n[0] == DEVPATH_TYPE_MEDIA) {
		switch (n[1]) {
		case DEVPATH_MEDIA_HARDDRIVE:
			return DEVPATH_FORM_HD;
		case DEVPATH_MEDIA_FILEPATH:
			return DEVPATH_FORM_FILE;
		case DEVPATH_MEDIA_PIWG_FILE:
		case DEVPATH_MEDIA_PIWG_VOLUME:
			return DEVPATH_FORM_FV;
		}
	}
	if (n[0] == DEVPATH_TYPE_MESSAGING) {
		switch (n[1]) {
		case DEVPATH_MSG_USB_WWID:
			return DEVPATH_FORM_USB_WWID;
		case DEVPATH_MSG_USB_CLASS:
			return DEVPATH_FORM_USB_CLASS;
		case DEVPATH_MSG_URI:
			return DEVPATH_FORM_URI;
		}
	}
	return DEVPATH_FORM_FULL;
}

const char *devpath_form_name(enum devpath_form form)
{
	switch (form) {
	case DEVPATH_FORM_FULL:
		return "a full device path";
	case DEVPATH_FORM_HD:
		return "a partition path HD(...)";
	case DEVPATH_FORM_FILE:
		return "a file path File(...)";
	case DEVPATH_FORM_USB_WWID:
		return "a USB WWID path (no USB here)";
	case DEVPATH_FORM_USB_CLASS:
		return "a USB class path (no USB here)";
	case DEVPATH_FORM_URI:
		return "a URI (HTTP boot is not offered)";
	case DEVPATH_FORM_FV:
		return "an EDK2 firmware volume path";
	}
	return "?";
}

static bool hd_same(const uint8_t *a, const uint8_t *b)
{
	if (devpath_node_length(a) != DEVPATH_HD_SIZE ||
	    devpath_node_length(b) != DEVPATH_HD_SIZE ||
	    a[HD_MBR_TYPE] != b[HD_MBR_TYPE] ||
	    a[HD_SIGNATURE_TYPE] != b[HD_SIGNATURE_TYPE])
		return false;
	switch (a[HD_SIGNATURE_TYPE]) {
	case 2: /* GUID: names the partition */
		return !memcmp(a + HD_SIGNATURE, b + HD_SIGNATURE, 16);
	case 1: /* MBR disk signature: the partition needs the rest too */
		return !memcmp(a + HD_SIGNATURE, b + HD_SIGNATURE, 4) &&
		       !memcmp(a + HD_PARTITION_NUMBER, b + HD_PARTITION_NUMBER,
			       20);
	default:
		return false;
	}
}

bool devpath_hd_match(const void *hd, const void *candidate, size_t max,
		      size_t *after)
{
	const uint8_t *p = candidate, *end;
	size_t size = devpath_size(candidate, max);

	if (!size || !is_media(hd, DEVPATH_MEDIA_HARDDRIVE))
		return false;
	end = p + size - DEVPATH_HDR_SIZE;
	for (; p < end; p = devpath_next(p)) {
		if (is_media(p, DEVPATH_MEDIA_HARDDRIVE) && hd_same(hd, p)) {
			*after = (size_t)(p - (const uint8_t *)candidate) +
				 devpath_node_length(p);
			return true;
		}
	}
	return false;
}

size_t devpath_file_part(const void *path)
{
	const uint8_t *p = path, *first = NULL;

	for (; !devpath_is_end(p); p = devpath_next(p)) {
		if (is_media(p, DEVPATH_MEDIA_FILEPATH)) {
			if (!first)
				first = p;
		} else if (first) {
			return SIZE_MAX;
		}
	}
	return (size_t)((first ? first : p) - (const uint8_t *)path);
}

size_t devpath_file_name(const void *path, uint16_t *out, size_t out_len)
{
	const uint8_t *p = path;
	size_t n = 0;

	if (!out_len)
		return 0;
	for (; is_media(p, DEVPATH_MEDIA_FILEPATH); p = devpath_next(p)) {
		size_t units = (devpath_node_length(p) - DEVPATH_HDR_SIZE) / 2;
		size_t len = 0;
		uint16_t c;

		/* The name's NUL must be inside the node. */
		while (len < units && (p[DEVPATH_HDR_SIZE + 2 * len] |
				       p[DEVPATH_HDR_SIZE + 2 * len + 1]))
			len++;
		if (len == units)
			return 0;
		for (size_t i = 0; i < len; i++) {
			c = (uint16_t)(p[DEVPATH_HDR_SIZE + 2 * i] |
				       p[DEVPATH_HDR_SIZE + 2 * i + 1] << 8);
			/* Join components with one separator. */
			if (i == 0 && n && out[n - 1] != '\\' && c != '\\') {
				if (n + 1 >= out_len)
					return 0;
				out[n++] = '\\';
			}
			if (n + 1 >= out_len)
				return 0;
			out[n++] = c;
		}
	}
	out[n] = 0;
	return n;
}

size_t devpath_concat(const void *prefix, size_t prefix_size,
		      const void *suffix, size_t suffix_size, void *buf,
		      size_t size)
{
	size_t head = prefix_size - DEVPATH_HDR_SIZE;

	if (prefix_size < DEVPATH_HDR_SIZE || head + suffix_size > size)
		return 0;
	memmove((uint8_t *)buf + head, suffix, suffix_size);
	memmove(buf, prefix, head);
	return head + suffix_size;
}

size_t devpath_file_node(const uint16_t *name, void *buf, size_t size)
{
	uint8_t *p = buf;
	size_t len = 0, node_len;

	while (name[len])
		len++;
	node_len = DEVPATH_HDR_SIZE + (len + 1) * 2;
	if (node_len > 0xffff || node_len + DEVPATH_HDR_SIZE > size)
		return 0;
	p[0] = DEVPATH_TYPE_MEDIA;
	p[1] = DEVPATH_MEDIA_FILEPATH;
	p[2] = (uint8_t)node_len;
	p[3] = (uint8_t)(node_len >> 8);
	for (size_t i = 0; i <= len; i++) {
		p[DEVPATH_HDR_SIZE + 2 * i] = (uint8_t)name[i];
		p[DEVPATH_HDR_SIZE + 2 * i + 1] = (uint8_t)(name[i] >> 8);
	}
	devpath_end(p + node_len, DEVPATH_HDR_SIZE);
	return node_len + DEVPATH_HDR_SIZE;
}
