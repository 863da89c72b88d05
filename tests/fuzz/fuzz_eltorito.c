// SPDX-License-Identifier: MIT
/* libFuzzer target: El Torito boot catalogs (src/disk/), see partition_harness.h. */
#define FUZZ_SCHEME_ELTORITO
#include "partition_harness.h"
