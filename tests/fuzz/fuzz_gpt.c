// SPDX-License-Identifier: MIT
/* libFuzzer target: GUID partition tables (src/disk/), see partition_harness.h. */
#define FUZZ_SCHEME_GPT
#include "partition_harness.h"
