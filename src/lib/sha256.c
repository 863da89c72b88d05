// SPDX-License-Identifier: MIT
/*
 * SHA-256 as FIPS 180-4 section 6.2 describes it, one 64-byte block at a
 * time, and HMAC on top of it (FIPS 198-1). Written for clarity over speed:
 * the firmware hashes a few hundred bytes per EFI_RNG_PROTOCOL call.
 */
#include <string.h>

#include <mmuon/sha256.h>

/* FIPS 180-4 4.2.2: the first 32 bits of the fractional parts of the cube
 * roots of the first 64 primes. */
static const uint32_t round_constants[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* FIPS 180-4 5.3.3: the square roots of the first 8 primes. */
static const uint32_t initial_state[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

void secure_wipe(void *p, size_t len)
{
	volatile uint8_t *b = p;

	while (len--)
		*b++ = 0;
}

static uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* FIPS 180-4 6.2.2: one block into the hash state. */
static void compress(uint32_t state[8], const uint8_t block[64])
{
	uint32_t w[64], a, b, c, d, e, f, g, h;
	int t;

	for (t = 0; t < 16; t++)
		w[t] = load_be32(block + 4 * t);
	for (t = 16; t < 64; t++) {
		uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^
			      (w[t - 15] >> 3);
		uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^
			      (w[t - 2] >> 10);

		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}

	a = state[0];
	b = state[1];
	c = state[2];
	d = state[3];
	e = state[4];
	f = state[5];
	g = state[6];
	h = state[7];
	for (t = 0; t < 64; t++) {
		uint32_t sum1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
		uint32_t choice = (e & f) ^ (~e & g);
		uint32_t t1 = h + sum1 + choice + round_constants[t] + w[t];
		uint32_t sum0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
		uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = sum0 + majority;

		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
	state[4] += e;
	state[5] += f;
	state[6] += g;
	state[7] += h;
	/* The schedule is derived from secret input (HMAC keys). */
	secure_wipe(w, sizeof(w));
}

void sha256_init(struct sha256_ctx *ctx)
{
	memcpy(ctx->state, initial_state, sizeof(ctx->state));
	ctx->bytes = 0;
	ctx->block_len = 0;
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;

	ctx->bytes += len;
	while (len) {
		size_t n = SHA256_BLOCK_SIZE - ctx->block_len;

		if (n > len)
			n = len;
		memcpy(ctx->block + ctx->block_len, p, n);
		ctx->block_len += n;
		p += n;
		len -= n;
		if (ctx->block_len == SHA256_BLOCK_SIZE) {
			compress(ctx->state, ctx->block);
			ctx->block_len = 0;
		}
	}
}

/* FIPS 180-4 5.1.1: a 1 bit, zeros, then the message length in bits. */
void sha256_final(struct sha256_ctx *ctx, uint8_t digest[SHA256_DIGEST_SIZE])
{
	uint64_t bits = ctx->bytes * 8;
	int i;

	ctx->block[ctx->block_len++] = 0x80;
	if (ctx->block_len > SHA256_BLOCK_SIZE - 8) {
		memset(ctx->block + ctx->block_len, 0,
		       SHA256_BLOCK_SIZE - ctx->block_len);
		compress(ctx->state, ctx->block);
		ctx->block_len = 0;
	}
	memset(ctx->block + ctx->block_len, 0,
	       SHA256_BLOCK_SIZE - 8 - ctx->block_len);
	for (i = 0; i < 8; i++)
		ctx->block[SHA256_BLOCK_SIZE - 1 - i] = bits >> (8 * i);
	compress(ctx->state, ctx->block);

	for (i = 0; i < 8; i++)
		store_be32(digest + 4 * i, ctx->state[i]);
	secure_wipe(ctx, sizeof(*ctx));
}

void sha256(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, data, len);
	sha256_final(&ctx, digest);
}

/* RFC 2104: H((K ^ opad) || H((K ^ ipad) || text)). */
void hmac_sha256_init(struct hmac_sha256_ctx *ctx, const void *key,
		      size_t key_len)
{
	uint8_t block[SHA256_BLOCK_SIZE] = {0};
	int i;

	if (key_len > SHA256_BLOCK_SIZE)
		sha256(key, key_len, block);
	else
		memcpy(block, key, key_len);

	for (i = 0; i < SHA256_BLOCK_SIZE; i++)
		block[i] ^= 0x36;
	sha256_init(&ctx->inner);
	sha256_update(&ctx->inner, block, sizeof(block));

	for (i = 0; i < SHA256_BLOCK_SIZE; i++)
		block[i] ^= 0x36 ^ 0x5c;
	sha256_init(&ctx->outer);
	sha256_update(&ctx->outer, block, sizeof(block));
	secure_wipe(block, sizeof(block));
}

void hmac_sha256_update(struct hmac_sha256_ctx *ctx, const void *data,
			size_t len)
{
	sha256_update(&ctx->inner, data, len);
}

void hmac_sha256_final(struct hmac_sha256_ctx *ctx,
		       uint8_t mac[SHA256_DIGEST_SIZE])
{
	uint8_t inner[SHA256_DIGEST_SIZE];

	sha256_final(&ctx->inner, inner);
	sha256_update(&ctx->outer, inner, sizeof(inner));
	sha256_final(&ctx->outer, mac);
	secure_wipe(inner, sizeof(inner));
}

void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
		 uint8_t mac[SHA256_DIGEST_SIZE])
{
	struct hmac_sha256_ctx ctx;

	hmac_sha256_init(&ctx, key, key_len);
	hmac_sha256_update(&ctx, data, len);
	hmac_sha256_final(&ctx, mac);
}
