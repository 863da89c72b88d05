/* SPDX-License-Identifier: MIT */
/*
 * The runtime services' own regions in RAM (docs/architecture.md, "Runtime
 * services in RAM"; the linker script src/arch/mmuon.ld lays them out).
 *
 * Runtime code is every object the Makefile lists in RT_SRCS and
 * RT_SHARED_SRCS: all of its sections go to the runtime regions. Boot-time
 * code that owns data the OS reads after ExitBootServices (the system table)
 * puts it there with RUNTIME_DATA. tools/check_runtime.py fails the build if
 * anything in a runtime region refers to something outside them.
 */
#ifndef MMUON_RUNTIME_H
#define MMUON_RUNTIME_H

/* A boot-time object's variable that must live in EfiRuntimeServicesData. */
#define RUNTIME_DATA __attribute__((section(".rt.data")))

/* EfiRuntimeServicesCode: code and read-only data, loaded by code_load()
 * (code_load.h). */
extern char __rt_code_start[], __rt_code_end[];
extern char __rt_code_region_end[]; /* 64 KiB aligned */
/* EfiRuntimeServicesData: .rt_data, .rt_bss, then the runtime arena. */
extern char __rt_data_start[], __rt_data_region_end[];
extern char __rt_arena_start[], __rt_arena_end[];

#endif
