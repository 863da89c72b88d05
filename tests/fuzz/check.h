/* SPDX-License-Identifier: MIT */
/* A harness's invariant: a message naming it, then abort() (a finding). */
#ifndef MMUON_FUZZ_CHECK_H
#define MMUON_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant failed: %s\n",       \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

#endif
