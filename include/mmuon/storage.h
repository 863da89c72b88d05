/* SPDX-License-Identifier: MIT */
#ifndef MMUON_STORAGE_H
#define MMUON_STORAGE_H

#include <mmuon/platform.h>

/*
 * Brings up the disks: the PCIe host bridge and the virtio-mmio transports
 * of the DT, the virtio block and SCSI devices on them, and a BlockIo
 * handle for each disk and partition (src/boot/storage.c). At
 * ExitBootServices every device is reset and its bus mastering turned off.
 */
void storage_init(const struct platform *p);

#endif
