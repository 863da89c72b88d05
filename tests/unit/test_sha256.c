// SPDX-License-Identifier: MIT
/*
 * Unit tests for src/lib/sha256.c: the FIPS 180-2 appendix B examples (and
 * the empty message), incremental hashing split at every offset, padding at
 * the block boundaries, and the HMAC-SHA-256 vectors of RFC 4231.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <mmuon/sha256.h>

static void unhex(uint8_t *out, const char *hex)
{
	size_t i, n = strlen(hex) / 2;

	for (i = 0; i < n; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static void check_digest(const uint8_t *digest, const char *hex)
{
	uint8_t expected[SHA256_DIGEST_SIZE];

	assert_int_equal(strlen(hex), 2 * SHA256_DIGEST_SIZE);
	unhex(expected, hex);
	assert_memory_equal(digest, expected, SHA256_DIGEST_SIZE);
}

static void check_sha256(const void *data, size_t len, const char *hex)
{
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256(data, len, digest);
	check_digest(digest, hex);
}

static void test_fips_examples(void **state)
{
	(void)state;
	/* FIPS 180-2, appendix B.1: one block. */
	check_sha256("abc", 3,
		     "ba7816bf8f01cfea414140de5dae2223"
		     "b00361a396177a9cb410ff61f20015ad");
	/* B.2: two blocks (the padding spills into the second). */
	check_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		     56,
		     "248d6a61d20638b8e5c026930c3e6039"
		     "a33ce45964ff2167f6ecedd419db06c1");
	check_sha256("", 0,
		     "e3b0c44298fc1c149afbf4c8996fb924"
		     "27ae41e4649b934ca495991b7852b855");
}

/* B.3: one million 'a', fed in pieces of awkward sizes. */
static void test_million_a(void **state)
{
	static uint8_t chunk[997];
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	size_t left = 1000000;

	(void)state;
	memset(chunk, 'a', sizeof(chunk));
	sha256_init(&ctx);
	while (left) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);

		sha256_update(&ctx, chunk, n);
		left -= n;
	}
	sha256_final(&ctx, digest);
	check_digest(digest, "cdc76e5c9914fb9281a1c7e284d73e67"
			     "f1809a48a497200e046d39ccc7112cd0");
}

static void fill_pattern(uint8_t *buf, size_t len)
{
	uint32_t x = 12345;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245 + 12345;
		buf[i] = x >> 16;
	}
}

/* Any split of the input gives the one-shot digest; lengths around the
 * 55/56/64-byte padding boundaries included. */
static void test_incremental_equals_one_shot(void **state)
{
	uint8_t data[200], one_shot[SHA256_DIGEST_SIZE];
	uint8_t pieces[SHA256_DIGEST_SIZE];
	size_t len, split;

	(void)state;
	fill_pattern(data, sizeof(data));
	for (len = 0; len <= sizeof(data); len++) {
		sha256(data, len, one_shot);
		for (split = 0; split <= len; split += (len > 70 ? 13 : 1)) {
			struct sha256_ctx ctx;

			sha256_init(&ctx);
			sha256_update(&ctx, data, split);
			sha256_update(&ctx, data + split, 0);
			sha256_update(&ctx, data + split, len - split);
			sha256_final(&ctx, pieces);
			assert_memory_equal(one_shot, pieces, sizeof(pieces));
		}
	}
}

/* Digests at the padding boundaries, from an independent implementation
 * (Python's hashlib) over 'a' * n. */
static void test_padding_boundaries(void **state)
{
	static const struct {
		size_t len;
		const char *hex;
	} cases[] = {
		{55, "9f4390f8d30c2dd92ec9f095b65e2b9a"
		     "e9b0a925a5258e241c9f1e910f734318"},
		{56, "b35439a4ac6f0948b6d6f9e3c6af0f5f"
		     "590ce20f1bde7090ef7970686ec6738a"},
		{63, "7d3e74a05d7db15bce4ad9ec0658ea98"
		     "e3f06eeecf16b4c6fff2da457ddc2f34"},
		{64, "ffe054fe7ae0cb6dc65c3af9b61d5209"
		     "f439851db43d0ba5997337df154668eb"},
		{65, "635361c48bb9eab14198e76ea8ab7f1a"
		     "41685d6ad62aa9146d301d4f17eb0ae0"},
	};
	uint8_t data[65];
	size_t i;

	(void)state;
	memset(data, 'a', sizeof(data));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_sha256(data, cases[i].len, cases[i].hex);
}

static void check_hmac(const uint8_t *key, size_t key_len, const void *data,
		       size_t len, const char *hex)
{
	uint8_t mac[SHA256_DIGEST_SIZE];

	hmac_sha256(key, key_len, data, len, mac);
	check_digest(mac, hex);
}

/* RFC 4231, section 4: test cases 1-4, 6 and 7 (5 truncates the MAC). */
static void test_hmac_rfc4231(void **state)
{
	uint8_t key[131], data[50];
	size_t i;

	(void)state;
	memset(key, 0x0b, 20);
	check_hmac(key, 20, "Hi There", 8,
		   "b0344c61d8db38535ca8afceaf0bf12b"
		   "881dc200c9833da726e9376c2e32cff7");

	check_hmac((const uint8_t *)"Jefe", 4, "what do ya want for nothing?",
		   28,
		   "5bdcc146bf60754e6a042426089575c7"
		   "5a003f089d2739839dec58b964ec3843");

	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	check_hmac(key, 20, data, 50,
		   "773ea91e36800e46854db8ebd09181a7"
		   "2959098b3ef8c122d9635514ced565fe");

	for (i = 0; i < 25; i++)
		key[i] = i + 1;
	memset(data, 0xcd, 50);
	check_hmac(key, 25, data, 50,
		   "82558a389a443c0ea4cc819899f2083a"
		   "85f0faa3e578f8077a2e3ff46729665b");

	/* Keys longer than a block are hashed first. */
	memset(key, 0xaa, 131);
	check_hmac(key, 131,
		   "Test Using Larger Than Block-Size Key - Hash Key First", 54,
		   "60e431591ee0b67f0d8a26aacbf5b77f"
		   "8e0bc6213728c5140546040f0ee37f54");
	check_hmac(key, 131,
		   "This is a test using a larger than block-size key and a "
		   "larger than block-size data. The key needs to be hashed "
		   "before being used by the HMAC algorithm.",
		   152,
		   "9b09ffa71b942fcb27635fbcd5b0e944"
		   "bfdc63644f0713938a7f51535c3a35e2");
}

/* RFC 4231 test case 5: the first 128 bits of the MAC. */
static void test_hmac_truncated(void **state)
{
	uint8_t key[20], mac[SHA256_DIGEST_SIZE], expected[16];

	(void)state;
	memset(key, 0x0c, sizeof(key));
	hmac_sha256(key, sizeof(key), "Test With Truncation", 20, mac);
	unhex(expected, "a3b6167473100ee06e0c796c2955552b");
	assert_memory_equal(mac, expected, sizeof(expected));
}

static void test_hmac_incremental(void **state)
{
	struct hmac_sha256_ctx ctx;
	uint8_t mac[SHA256_DIGEST_SIZE];

	(void)state;
	hmac_sha256_init(&ctx, "Jefe", 4);
	hmac_sha256_update(&ctx, "what do ya ", 11);
	hmac_sha256_update(&ctx, "want for nothing?", 17);
	hmac_sha256_final(&ctx, mac);
	check_digest(mac, "5bdcc146bf60754e6a042426089575c7"
			  "5a003f089d2739839dec58b964ec3843");
}

static void test_secure_wipe(void **state)
{
	uint8_t buf[33];
	size_t i;

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	secure_wipe(buf, sizeof(buf));
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_examples),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_incremental_equals_one_shot),
		cmocka_unit_test(test_padding_boundaries),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_hmac_truncated),
		cmocka_unit_test(test_hmac_incremental),
		cmocka_unit_test(test_secure_wipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
