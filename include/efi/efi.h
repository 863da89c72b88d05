/* SPDX-License-Identifier: MIT */
/*
 * mmuon's own UEFI definitions, written from the UEFI 2.10 specification and
 * the Linux EFI stub's documented expectations. Include this one header.
 */
#ifndef EFI_EFI_H
#define EFI_EFI_H

#include <efi/types.h>
#include <efi/status.h>
#include <efi/guid.h>
#include <efi/memory.h>
#include <efi/boot_services.h>
#include <efi/runtime_services.h>
#include <efi/tables.h>
#include <efi/protocol/device_path.h>
#include <efi/protocol/simple_text.h>
#include <efi/protocol/loaded_image.h>
#include <efi/protocol/load_file.h>
#include <efi/protocol/rng.h>
#include <efi/protocol/memory_attribute.h>

#endif
