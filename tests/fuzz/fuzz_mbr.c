// SPDX-License-Identifier: MIT
/* libFuzzer target: MBR partition tables with logical partitions (src/disk/), see partition_harness.h. */
#define FUZZ_SCHEME_MBR
#include "partition_harness.h"
