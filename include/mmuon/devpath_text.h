/* SPDX-License-Identifier: MIT */
/*
 * Device paths as text for messages, in the UEFI 2.10 section 10.6
 * notation for the nodes mmuon meets: PciRoot(0x0)/Pci(0x1,0x0)/
 * Scsi(0x0,0x1)/HD(1,GPT,<GUID>,0x800,0x32000)/\EFI\BOOT\BOOTAA64.EFI;
 * VenHw, VenMedia, CDROM, Uri, Fv/FvFile, and Path(type,subtype) for
 * the others. Pure, host-tested.
 */
#ifndef MMUON_DEVPATH_TEXT_H
#define MMUON_DEVPATH_TEXT_H

#include <stddef.h>

/*
 * Writes the text of the valid path @path (at most @max bytes) into @out,
 * NUL-terminated and cut at @size; returns the length the whole text
 * needs (like snprintf).
 */
size_t devpath_to_text(const void *path, size_t max, char *out, size_t size);

#endif
