/* SPDX-License-Identifier: MIT */
/* Between the files of the boot policy (src/boot/). */
#ifndef MMUON_BOOT_INTERNAL_H
#define MMUON_BOOT_INTERNAL_H

/* Offer -initrd through LoadFile2, if one was given. */
void initrd_install(void);

#endif
