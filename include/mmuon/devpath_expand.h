/* SPDX-License-Identifier: MIT */
/*
 * The device paths of boot options, as the boot manager meets them (UEFI
 * 2.10, section 3.1.2): full paths from the root of the system, and the
 * short forms an OS may write instead, which the boot manager expands to
 * a full path by looking for a matching device:
 *
 *   HD(part,GPT|MBR,sig,start,size)/File(\EFI\debian\shimaa64.efi)
 *                         the partition with that signature, wherever it is
 *   File(\EFI\BOOT\BOOTAA64.EFI)   the first filesystem holding the file
 *   UsbWwid(...), UsbClass(...)    USB devices (none on QEMU virt here)
 *   Uri(http://...)                HTTP boot (not offered)
 *   Fv(...)/FvFile(...)            EDK2's built-in applications
 *
 * Pure byte logic on validated paths (devpath_util.h), host-tested; the
 * firmware side (src/boot/boot_manager.c) supplies the candidates.
 */
#ifndef MMUON_DEVPATH_EXPAND_H
#define MMUON_DEVPATH_EXPAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Media sub-types and the messaging ones short forms start with. */
#define DEVPATH_MEDIA_HARDDRIVE 0x01
#define DEVPATH_MEDIA_CDROM 0x02
#define DEVPATH_MEDIA_FILEPATH 0x04
#define DEVPATH_MEDIA_PIWG_FILE 0x06
#define DEVPATH_MEDIA_PIWG_VOLUME 0x07
#define DEVPATH_TYPE_MESSAGING 0x03
#define DEVPATH_MSG_USB_CLASS 0x0f
#define DEVPATH_MSG_USB_WWID 0x10
#define DEVPATH_MSG_URI 0x18

/* HD node (UEFI 10.3.5.1): 42 bytes. */
#define DEVPATH_HD_SIZE 42
#define HD_PARTITION_NUMBER 4
#define HD_PARTITION_START 8
#define HD_PARTITION_SIZE 16
#define HD_SIGNATURE 24
#define HD_MBR_TYPE 40	     /* 1: MBR, 2: GPT */
#define HD_SIGNATURE_TYPE 41 /* 1: 32-bit MBR signature, 2: GUID */

enum devpath_form {
	DEVPATH_FORM_FULL, /* from a root: use as it is */
	DEVPATH_FORM_HD,   /* starts with HD(...) */
	DEVPATH_FORM_FILE, /* starts with File(...) */
	DEVPATH_FORM_USB_WWID,
	DEVPATH_FORM_USB_CLASS,
	DEVPATH_FORM_URI,
	DEVPATH_FORM_FV, /* Fv()/FvFile(): EDK2's own */
};

/* The form of a valid path, by its first node. */
enum devpath_form devpath_form(const void *path);

/* A short English name of a form for messages ("a USB WWID path"). */
const char *devpath_form_name(enum devpath_form form);

/*
 * Whether the full path @candidate (a partition's, valid, at most @max
 * bytes) has an HD node for the same partition as @hd (the short form's
 * first node): the same GPT partition GUID, or the same MBR disk
 * signature, partition number, start and size. EDK2 compares only the
 * signature, which on MBR disks names the disk, not the partition.
 * *@after is the offset just past the candidate's HD node.
 */
bool devpath_hd_match(const void *hd, const void *candidate, size_t max,
		      size_t *after);

/*
 * Offset of the file part of a valid path: the first File node, after
 * which only File nodes follow up to End. Returns the size of the path
 * minus its End (no file part) if it has none, and SIZE_MAX if File
 * nodes are mixed with others.
 */
size_t devpath_file_part(const void *path);

/*
 * The file named by the File nodes from @path on (as returned by
 * devpath_file_part), joined with '\' as one path; NUL-terminated in
 * @out (@out_len code units). Returns its length, or 0 if there is none,
 * a node's name is not terminated, or it does not fit.
 */
size_t devpath_file_name(const void *path, uint16_t *out, size_t out_len);

/*
 * @prefix without its End, then @suffix (End included), into @buf;
 * returns the new size, or 0 if @buf is too small.
 */
size_t devpath_concat(const void *prefix, size_t prefix_size,
		      const void *suffix, size_t suffix_size, void *buf,
		      size_t size);

/*
 * Writes a File(@name) node and End into @buf; returns the size, or 0 if
 * @buf is too small or the name is longer than a node can hold.
 */
size_t devpath_file_node(const uint16_t *name, void *buf, size_t size);

#endif
