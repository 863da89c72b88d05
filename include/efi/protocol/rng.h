/* SPDX-License-Identifier: MIT */
/*
 * EFI_RNG_PROTOCOL (UEFI 2.10, section 37.5). Linux's stub asks for
 * EFI_RNG_ALGORITHM_RAW first, then for the default (NULL) algorithm.
 */
#ifndef EFI_PROTOCOL_RNG_H
#define EFI_PROTOCOL_RNG_H

#include <efi/guid.h>
#include <efi/types.h>

typedef EFI_GUID EFI_RNG_ALGORITHM;

typedef struct EFI_RNG_PROTOCOL EFI_RNG_PROTOCOL;

/* *RNGAlgorithmListSize is in bytes (a multiple of sizeof(EFI_GUID)). */
typedef EFI_STATUS(EFIAPI *EFI_RNG_GET_INFO)(
	EFI_RNG_PROTOCOL *This, UINTN *RNGAlgorithmListSize,
	EFI_RNG_ALGORITHM *RNGAlgorithmList);
/* RNGAlgorithm NULL selects the driver's default algorithm. */
typedef EFI_STATUS(EFIAPI *EFI_RNG_GET_RNG)(EFI_RNG_PROTOCOL *This,
					    EFI_RNG_ALGORITHM *RNGAlgorithm,
					    UINTN RNGValueLength,
					    UINT8 *RNGValue);

struct EFI_RNG_PROTOCOL {
	EFI_RNG_GET_INFO GetInfo;
	EFI_RNG_GET_RNG GetRNG;
};

#endif
