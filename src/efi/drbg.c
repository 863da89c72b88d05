// SPDX-License-Identifier: MIT
/*
 * HMAC_DRBG, SHA-256 (NIST SP 800-90A Rev. 1, 10.1.2). The internal state
 * is (V, Key, reseed_counter); everything is built on HMAC_Update:
 *
 *   Key = HMAC(Key, V || 0x00 || provided_data); V = HMAC(Key, V)
 *   if provided_data is not empty:
 *     Key = HMAC(Key, V || 0x01 || provided_data); V = HMAC(Key, V)
 *
 * provided_data is a concatenation of caller buffers; it is fed to HMAC
 * piece by piece instead of being copied together.
 */
#include <string.h>

#include <mmuon/drbg.h>

struct piece {
	const void *data;
	size_t len;
};

static bool pieces_empty(const struct piece *pieces, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (pieces[i].len)
			return false;
	return true;
}

/* V = HMAC(Key, V) */
static void refresh_v(struct hmac_drbg *d)
{
	hmac_sha256(d->key, sizeof(d->key), d->v, sizeof(d->v), d->v);
}

/* HMAC_DRBG_Update (10.1.2.2). */
static void drbg_update(struct hmac_drbg *d, const struct piece *pieces,
			size_t count)
{
	bool no_data = pieces_empty(pieces, count);
	uint8_t round;

	for (round = 0; round <= 1; round++) {
		struct hmac_sha256_ctx ctx;
		size_t i;

		hmac_sha256_init(&ctx, d->key, sizeof(d->key));
		hmac_sha256_update(&ctx, d->v, sizeof(d->v));
		hmac_sha256_update(&ctx, &round, 1);
		for (i = 0; i < count; i++)
			hmac_sha256_update(&ctx, pieces[i].data, pieces[i].len);
		hmac_sha256_final(&ctx, d->key);
		refresh_v(d);
		if (no_data)
			break;
	}
}

void hmac_drbg_instantiate(struct hmac_drbg *d, const void *entropy,
			   size_t entropy_len, const void *nonce,
			   size_t nonce_len, const void *personalization,
			   size_t personalization_len)
{
	const struct piece seed[] = {
		{entropy, entropy_len},
		{nonce, nonce_len},
		{personalization, personalization_len},
	};

	memset(d->key, 0x00, sizeof(d->key));
	memset(d->v, 0x01, sizeof(d->v));
	drbg_update(d, seed, 3);
	d->reseed_counter = 1;
	d->instantiated = true;
}

enum drbg_result hmac_drbg_reseed(struct hmac_drbg *d, const void *entropy,
				  size_t entropy_len, const void *additional,
				  size_t additional_len)
{
	const struct piece seed[] = {
		{entropy, entropy_len},
		{additional, additional_len},
	};

	if (!d->instantiated)
		return DRBG_NOT_INSTANTIATED;
	drbg_update(d, seed, 2);
	d->reseed_counter = 1;
	return DRBG_OK;
}

enum drbg_result hmac_drbg_generate(struct hmac_drbg *d, void *out, size_t len,
				    const void *additional,
				    size_t additional_len)
{
	const struct piece extra = {additional, additional_len};
	uint8_t *p = out;

	if (!d->instantiated)
		return DRBG_NOT_INSTANTIATED;
	if (len > HMAC_DRBG_MAX_REQUEST)
		return DRBG_REQUEST_TOO_LARGE;
	if (d->reseed_counter > HMAC_DRBG_RESEED_INTERVAL)
		return DRBG_RESEED_REQUIRED;

	if (additional_len)
		drbg_update(d, &extra, 1);
	while (len) {
		size_t n = len < sizeof(d->v) ? len : sizeof(d->v);

		refresh_v(d);
		memcpy(p, d->v, n);
		p += n;
		len -= n;
	}
	/* Backtracking resistance: the state that made the output is gone. */
	drbg_update(d, &extra, 1);
	d->reseed_counter++;
	return DRBG_OK;
}

void hmac_drbg_uninstantiate(struct hmac_drbg *d)
{
	secure_wipe(d, sizeof(*d));
}
