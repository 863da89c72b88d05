/* SPDX-License-Identifier: MIT */
/*
 * EFI_RUNTIME_SERVICES (UEFI 2.10, section 4.5 and chapter 8).
 */
#ifndef EFI_RUNTIME_SERVICES_H
#define EFI_RUNTIME_SERVICES_H

#include <efi/guid.h>
#include <efi/memory.h>
#include <efi/status.h>
#include <efi/types.h>

#define EFI_RUNTIME_SERVICES_SIGNATURE 0x56524553544e5552ULL /* "RUNTSERV" */

typedef struct {
	UINT16 Year;  /* 1900 - 9999 */
	UINT8 Month;  /* 1 - 12 */
	UINT8 Day;    /* 1 - 31 */
	UINT8 Hour;   /* 0 - 23 */
	UINT8 Minute; /* 0 - 59 */
	UINT8 Second; /* 0 - 59 */
	UINT8 Pad1;
	UINT32 Nanosecond; /* 0 - 999,999,999 */
	INT16 TimeZone;	   /* minutes from UTC, or unspecified */
	UINT8 Daylight;
	UINT8 Pad2;
} EFI_TIME;

_Static_assert(sizeof(EFI_TIME) == 16, "EFI_TIME layout");

#define EFI_TIME_ADJUST_DAYLIGHT 0x01
#define EFI_TIME_IN_DAYLIGHT 0x02
#define EFI_UNSPECIFIED_TIMEZONE 0x07ff

typedef struct {
	UINT32 Resolution; /* counts per second */
	UINT32 Accuracy;   /* error rate in parts per million, times 10^6 */
	BOOLEAN SetsToZero;
} EFI_TIME_CAPABILITIES;

typedef enum {
	EfiResetCold,
	EfiResetWarm,
	EfiResetShutdown,
	EfiResetPlatformSpecific,
} EFI_RESET_TYPE;

/* Variable attributes */
#define EFI_VARIABLE_NON_VOLATILE 0x00000001U
#define EFI_VARIABLE_BOOTSERVICE_ACCESS 0x00000002U
#define EFI_VARIABLE_RUNTIME_ACCESS 0x00000004U
#define EFI_VARIABLE_HARDWARE_ERROR_RECORD 0x00000008U
#define EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS 0x00000010U /* deprecated */
#define EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS 0x00000020U
#define EFI_VARIABLE_APPEND_WRITE 0x00000040U
#define EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS 0x00000080U

/* ConvertPointer DebugDisposition */
#define EFI_OPTIONAL_PTR 0x00000001U

typedef struct {
	EFI_GUID CapsuleGuid;
	UINT32 HeaderSize;
	UINT32 Flags;
	UINT32 CapsuleImageSize;
} EFI_CAPSULE_HEADER;

#define CAPSULE_FLAGS_PERSIST_ACROSS_RESET 0x00010000U
#define CAPSULE_FLAGS_POPULATE_SYSTEM_TABLE 0x00020000U
#define CAPSULE_FLAGS_INITIATE_RESET 0x00040000U

/* Time services */
typedef EFI_STATUS(EFIAPI *EFI_GET_TIME)(EFI_TIME *Time,
					 EFI_TIME_CAPABILITIES *Capabilities);
typedef EFI_STATUS(EFIAPI *EFI_SET_TIME)(EFI_TIME *Time);
typedef EFI_STATUS(EFIAPI *EFI_GET_WAKEUP_TIME)(BOOLEAN *Enabled,
						BOOLEAN *Pending,
						EFI_TIME *Time);
typedef EFI_STATUS(EFIAPI *EFI_SET_WAKEUP_TIME)(BOOLEAN Enable, EFI_TIME *Time);

/* Virtual memory services */
typedef EFI_STATUS(EFIAPI *EFI_SET_VIRTUAL_ADDRESS_MAP)(
	UINTN MemoryMapSize, UINTN DescriptorSize, UINT32 DescriptorVersion,
	EFI_MEMORY_DESCRIPTOR *VirtualMap);
typedef EFI_STATUS(EFIAPI *EFI_CONVERT_POINTER)(UINTN DebugDisposition,
						VOID **Address);

/* Variable services */
typedef EFI_STATUS(EFIAPI *EFI_GET_VARIABLE)(CHAR16 *VariableName,
					     EFI_GUID *VendorGuid,
					     UINT32 *Attributes,
					     UINTN *DataSize, VOID *Data);
typedef EFI_STATUS(EFIAPI *EFI_GET_NEXT_VARIABLE_NAME)(UINTN *VariableNameSize,
						       CHAR16 *VariableName,
						       EFI_GUID *VendorGuid);
typedef EFI_STATUS(EFIAPI *EFI_SET_VARIABLE)(CHAR16 *VariableName,
					     EFI_GUID *VendorGuid,
					     UINT32 Attributes, UINTN DataSize,
					     VOID *Data);
typedef EFI_STATUS(EFIAPI *EFI_QUERY_VARIABLE_INFO)(
	UINT32 Attributes, UINT64 *MaximumVariableStorageSize,
	UINT64 *RemainingVariableStorageSize, UINT64 *MaximumVariableSize);

/* Miscellaneous services */
typedef EFI_STATUS(EFIAPI *EFI_GET_NEXT_HIGH_MONO_COUNT)(UINT32 *HighCount);
typedef VOID(EFIAPI *EFI_RESET_SYSTEM)(EFI_RESET_TYPE ResetType,
				       EFI_STATUS ResetStatus, UINTN DataSize,
				       VOID *ResetData);
typedef EFI_STATUS(EFIAPI *EFI_UPDATE_CAPSULE)(
	EFI_CAPSULE_HEADER **CapsuleHeaderArray, UINTN CapsuleCount,
	EFI_PHYSICAL_ADDRESS ScatterGatherList);
typedef EFI_STATUS(EFIAPI *EFI_QUERY_CAPSULE_CAPABILITIES)(
	EFI_CAPSULE_HEADER **CapsuleHeaderArray, UINTN CapsuleCount,
	UINT64 *MaximumCapsuleSize, EFI_RESET_TYPE *ResetType);

typedef struct {
	EFI_TABLE_HEADER Hdr;

	EFI_GET_TIME GetTime;
	EFI_SET_TIME SetTime;
	EFI_GET_WAKEUP_TIME GetWakeupTime;
	EFI_SET_WAKEUP_TIME SetWakeupTime;

	EFI_SET_VIRTUAL_ADDRESS_MAP SetVirtualAddressMap;
	EFI_CONVERT_POINTER ConvertPointer;

	EFI_GET_VARIABLE GetVariable;
	EFI_GET_NEXT_VARIABLE_NAME GetNextVariableName;
	EFI_SET_VARIABLE SetVariable;

	EFI_GET_NEXT_HIGH_MONO_COUNT GetNextHighMonotonicCount;
	EFI_RESET_SYSTEM ResetSystem;

	EFI_UPDATE_CAPSULE UpdateCapsule;
	EFI_QUERY_CAPSULE_CAPABILITIES QueryCapsuleCapabilities;

	EFI_QUERY_VARIABLE_INFO QueryVariableInfo;
} EFI_RUNTIME_SERVICES;

_Static_assert(offsetof(EFI_RUNTIME_SERVICES, GetVariable) == 0x48, "rt");
_Static_assert(sizeof(EFI_RUNTIME_SERVICES) == 24 + 14 * 8, "rt size");

#endif
