/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 (FIPS 180-4) and HMAC-SHA-256 (FIPS 198-1, RFC 2104): what the
 * HMAC_DRBG behind EFI_RNG_PROTOCOL is built on. Pure code, no hardware,
 * no allocation; host-tested.
 */
#ifndef MMUON_SHA256_H
#define MMUON_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64

struct sha256_ctx {
	uint32_t state[8];
	uint64_t bytes; /* hashed so far, for the length padding */
	uint8_t block[SHA256_BLOCK_SIZE];
	size_t block_len;
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
/* Writes the digest and wipes the context. */
void sha256_final(struct sha256_ctx *ctx, uint8_t digest[SHA256_DIGEST_SIZE]);
void sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE]);

struct hmac_sha256_ctx {
	struct sha256_ctx inner;
	struct sha256_ctx outer;
};

/* Keys longer than a block are hashed first, as RFC 2104 says. */
void hmac_sha256_init(struct hmac_sha256_ctx *ctx, const void *key,
		      size_t key_len);
void hmac_sha256_update(struct hmac_sha256_ctx *ctx, const void *data,
			size_t len);
/* Writes the MAC and wipes the context. */
void hmac_sha256_final(struct hmac_sha256_ctx *ctx,
		       uint8_t mac[SHA256_DIGEST_SIZE]);
void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
		 uint8_t mac[SHA256_DIGEST_SIZE]);

/*
 * Zeroes secrets in a way the compiler may not drop as a dead store (a
 * plain memset before a buffer goes out of scope can be optimized away).
 */
void secure_wipe(void *p, size_t len);

#endif
