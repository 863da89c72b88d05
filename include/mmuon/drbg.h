/* SPDX-License-Identifier: MIT */
/*
 * HMAC_DRBG with SHA-256 (NIST SP 800-90A Rev. 1, section 10.1.2), without
 * prediction resistance and without a derivation function: the default
 * algorithm of mmuon's EFI_RNG_PROTOCOL (EFI_RNG_ALGORITHM_SP800_90_HMAC_256).
 *
 * Pure logic: the caller gathers entropy and decides when to reseed. The
 * DRBG only enforces the limits of SP 800-90A table 2 for SHA-256.
 */
#ifndef MMUON_DRBG_H
#define MMUON_DRBG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmuon/sha256.h>

/* Security strength of HMAC_DRBG with SHA-256, in bytes (256 bits). */
#define HMAC_DRBG_SECURITY_STRENGTH 32
/* max_number_of_bits_per_request = 2^19 bits. */
#define HMAC_DRBG_MAX_REQUEST (1u << 16)
/* reseed_interval = 2^48 requests. */
#define HMAC_DRBG_RESEED_INTERVAL (1ull << 48)

struct hmac_drbg {
	uint8_t key[SHA256_DIGEST_SIZE];
	uint8_t v[SHA256_DIGEST_SIZE];
	uint64_t reseed_counter;
	bool instantiated;
};

enum drbg_result {
	DRBG_OK = 0,
	DRBG_NOT_INSTANTIATED = -1,
	DRBG_RESEED_REQUIRED = -2, /* reseed_counter > reseed_interval */
	DRBG_REQUEST_TOO_LARGE = -3,
};

/*
 * Instantiate (10.1.2.3): seed_material = entropy || nonce ||
 * personalization. Any of them may be empty; judging whether the entropy
 * input carries enough entropy is the caller's job.
 */
void hmac_drbg_instantiate(struct hmac_drbg *d, const void *entropy,
			   size_t entropy_len, const void *nonce,
			   size_t nonce_len, const void *personalization,
			   size_t personalization_len);

/* Reseed (10.1.2.4): seed_material = entropy || additional input. */
enum drbg_result hmac_drbg_reseed(struct hmac_drbg *d, const void *entropy,
				  size_t entropy_len, const void *additional,
				  size_t additional_len);

/*
 * Generate (10.1.2.5): up to HMAC_DRBG_MAX_REQUEST bytes. On an error
 * nothing is written and the state is unchanged.
 */
enum drbg_result hmac_drbg_generate(struct hmac_drbg *d, void *out, size_t len,
				    const void *additional,
				    size_t additional_len);

/* Uninstantiate (9.4): wipes the state. */
void hmac_drbg_uninstantiate(struct hmac_drbg *d);

#endif
